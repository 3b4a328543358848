package dev.junction.amqp;

/**
 * RabbitMQ's sender-selected distribution: the CC and BCC headers of a published message name further routing keys,
 * each checked as the routing key is. The names are one array, read and never written: every publish looks at them
 * twice, and an array made in place for the loop was allocated each time (about 5 % of the bytes the event loops
 * allocated per message).
 */
final class CarbonCopies {
    static final String[] HEADERS = {"CC", "BCC"};

    private CarbonCopies() {
    }
}
