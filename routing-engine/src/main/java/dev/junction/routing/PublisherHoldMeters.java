package dev.junction.routing;

import dev.junction.routing.api.PublisherHolds;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/** A vhost's meters of publisher flow control: connections held for congested queues, the holds, their time. */
final class PublisherHoldMeters {
    private PublisherHoldMeters() {
    }

    static void register(MeterRegistry registry, Tags tags, PublisherHolds holds) {
        Gauge.builder("junction.publishers.held", holds, PublisherHolds::held)
                .description("Publishing connections not read now because a queue they publish to is congested "
                        + "(its mailbox is behind, or its ready messages wait for consumers that are being fed)")
                .tags(tags).register(registry);
        FunctionCounter.builder("junction.publishers.holds", holds, PublisherHolds::holds)
                .description("Times a publishing connection stopped being read for a congested queue")
                .tags(tags).register(registry);
        FunctionCounter.builder("junction.publishers.held.seconds", holds, PublisherHolds::heldSeconds)
                .description("Time publishing connections spent held for congested queues, summed")
                .tags(tags).register(registry);
    }
}
