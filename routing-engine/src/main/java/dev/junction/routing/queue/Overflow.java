package dev.junction.routing.queue;

/** What a queue does when a publish would take it past x-max-length or x-max-length-bytes. */
public enum Overflow {
    /** Drop (and dead-letter) the oldest ready messages to make room: RabbitMQ's default. */
    DROP_HEAD("drop-head"),
    /** Refuse the new message; publishers with confirms get a nack. */
    REJECT_PUBLISH("reject-publish"),
    /** Refuse the new message with a nack and dead-letter it. */
    REJECT_PUBLISH_DLX("reject-publish-dlx");

    private final String wireName;

    Overflow(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    static Overflow fromWireName(String s) {
        for (Overflow o : values()) {
            if (o.wireName.equals(s)) {
                return o;
            }
        }
        return null;
    }
}
