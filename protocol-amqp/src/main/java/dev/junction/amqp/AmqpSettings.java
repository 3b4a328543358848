package dev.junction.amqp;

import dev.junction.config.UserConfig;
import java.util.List;

/**
 * What the AMQP adapter needs from the broker's configuration. {@code frameMax}, {@code channelMax} and
 * {@code heartbeatSeconds} are the values the server offers in connection.tune. {@code maxContentInFlightBytes}
 * bounds the content a connection holds ({@link ContentInFlight}); {@code consumerTimeoutMs} is the broker's
 * acknowledgement timeout ({@link AckTimeout}).
 */
public record AmqpSettings(int frameMax, int channelMax, int heartbeatSeconds, long maxMessageSize,
                           String clusterName, List<UserConfig> users, long maxContentInFlightBytes,
                           long consumerTimeoutMs) {

    /** Settings with RabbitMQ's default acknowledgement timeout, 30 minutes. */
    public AmqpSettings(int frameMax, int channelMax, int heartbeatSeconds, long maxMessageSize, String clusterName,
                        List<UserConfig> users, long maxContentInFlightBytes) {
        this(frameMax, channelMax, heartbeatSeconds, maxMessageSize, clusterName, users, maxContentInFlightBytes,
                dev.junction.config.Limits.DEFAULT_CONSUMER_TIMEOUT_MS);
    }
}
