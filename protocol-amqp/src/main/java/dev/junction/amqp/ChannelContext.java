package dev.junction.amqp;

import dev.junction.routing.api.DirectReplies;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.Vhost;

/**
 * What a channel's parts ({@link Declarations}, {@link Publishing}, {@link Consuming}) need from their connection
 * besides its output, fixed when the channel opens: the engine, the terms of the connection (its vhost, the user's
 * rights there, the client's capabilities), the broker's direct reply-to addresses, the largest message accepted,
 * the connection's content budget and publisher flow, and the connection itself as the owner exclusive queues are
 * tied to, the broker's acknowledgement timeout ({@code consumer_timeout}, ms; 0: none), and the connection's
 * {@link Settlements}, which pass acknowledgements on to queues per read batch.
 */
record ChannelContext(Engine engine, ConnectionTerms terms, DirectReplies directReplyTo, long maxMessageSize,
                      ContentInFlight content, PublisherFlow flow, Object owner,
                      long consumerTimeoutMs, Settlements settlements) {

    Vhost vhost() {
        return terms.vhost();
    }

    AccessControl access() {
        return terms.access();
    }
}
