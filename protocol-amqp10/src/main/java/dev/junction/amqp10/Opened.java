package dev.junction.amqp10;

import dev.junction.config.UserConfig;
import dev.junction.routing.api.Vhost;

/**
 * What an open connection's links share: the connection (also the owner of its exclusive queues), the user and
 * vhost the {@code open} settled, the user's {@link Access} there, and the {@link PublisherBrake} of its incoming
 * links, and the transactions it declared.
 */
record Opened(Amqp10Connection conn, Amqp10Server server, UserConfig user, Vhost vhost, Access access,
              PublisherBrake brake, Transactions transactions) {

    Amqp10Settings settings() {
        return server.settings();
    }
}
