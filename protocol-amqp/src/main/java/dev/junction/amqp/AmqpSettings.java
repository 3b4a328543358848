package dev.junction.amqp;

import dev.junction.config.UserConfig;
import java.util.List;

/**
 * What the AMQP adapter needs from the broker's configuration. {@code frameMax}, {@code channelMax} and
 * {@code heartbeatSeconds} are the values the server offers in connection.tune. {@code maxContentInFlightBytes}
 * bounds the content a connection holds ({@link ContentInFlight}).
 */
public record AmqpSettings(int frameMax, int channelMax, int heartbeatSeconds, long maxMessageSize,
                           String clusterName, List<UserConfig> users, long maxContentInFlightBytes) {
}
