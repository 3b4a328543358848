package dev.junction.routing.api;

import java.util.Optional;

/**
 * What a policy applies to: RabbitMQ's {@code apply-to}. Every Junction queue is a classic queue, so
 * {@code classic_queues} means all queues and {@code quorum_queues} and {@code streams} match none; they are accepted
 * so that definitions exported by RabbitMQ 3.12 and later import unchanged.
 */
public enum PolicyTarget {
    QUEUES("queues", true, false),
    EXCHANGES("exchanges", false, true),
    ALL("all", true, true),
    CLASSIC_QUEUES("classic_queues", true, false),
    QUORUM_QUEUES("quorum_queues", false, false),
    STREAMS("streams", false, false);

    private final String wireName;
    private final boolean queues;
    private final boolean exchanges;

    PolicyTarget(String wireName, boolean queues, boolean exchanges) {
        this.wireName = wireName;
        this.queues = queues;
        this.exchanges = exchanges;
    }

    public String wireName() {
        return wireName;
    }

    public boolean appliesToQueues() {
        return queues;
    }

    public boolean appliesToExchanges() {
        return exchanges;
    }

    public static Optional<PolicyTarget> fromWireName(String name) {
        for (PolicyTarget t : values()) {
            if (t.wireName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
