package dev.junction.routing.queue;

/** Counters a queue reports; the vhost binds them to Micrometer. */
public interface QueueMetrics {
    void delivered(int n);

    void acked(int n);

    void dropped(String reason);

    QueueMetrics NONE = new QueueMetrics() {
        @Override
        public void delivered(int n) {
        }

        @Override
        public void acked(int n) {
        }

        @Override
        public void dropped(String reason) {
        }
    };
}
