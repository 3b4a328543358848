package dev.junction.routing.api;

import java.util.List;

/**
 * One channel of a connection, read on the connection's own thread: its number, the per-consumer prefetch of
 * {@code basic.qos}, the deliveries it holds unacknowledged, whether it is in confirm or transaction mode, and its
 * consumers. Protocols without channels (MQTT) have none.
 */
public record ChannelInfo(int number, int prefetchCount, int unacknowledged, boolean confirm,
                          boolean transactional, List<ConsumerInfo> consumers) {

    public ChannelInfo {
        consumers = List.copyOf(consumers);
    }
}
