package dev.junction.amqp;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;

/**
 * What a channel's parts ({@link Declarations}, {@link Publishing}, {@link Consuming}) need from their connection
 * besides its output, fixed when the channel opens: the engine, the vhost and the user's rights in it, the broker's
 * direct reply-to addresses, the largest message accepted, and the connection as the owner exclusive queues and
 * bindings are tied to.
 */
record ChannelContext(RoutingEngine engine, VirtualHost vhost, AccessControl access, DirectReplyTo directReplyTo,
                      long maxMessageSize, Object owner) {
}
