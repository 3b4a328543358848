package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.routing.api.DirectReplies;
import dev.junction.routing.api.Message;

/**
 * The AMQP 0-9-1 side of RabbitMQ's direct reply-to ({@link DirectReplies} holds the names and their consumers).
 *
 * <p>In a cluster the first reply-to consumer of a vhost on a node gets its consume-ok once the vhost's relay on
 * this node is consumed ({@link DirectReplies#reachable}: a few metadata-log entries, once per vhost and node; at
 * once afterwards and alone), so that a reply published on another node to a name its requests carry is not lost;
 * the connection's later frames, its requests, wait with it.
 */
final class DirectReplyTo {
    private DirectReplyTo() {
    }

    /** A request whose reply_to is the pseudo-queue gets the channel's reply-to name; without one, 406. */
    static Message rewrite(Message message, String replyToName) {
        if (!DirectReplies.PSEUDO_QUEUE.equals(message.properties().replyTo())) {
            return message;
        }
        if (replyToName == null) {
            throw AmqpException.channel(ReplyCode.PRECONDITION_FAILED, "fast reply consumer "
                    + "does not exist", MethodType.BASIC_PUBLISH);
        }
        return message.withProperties(message.properties().toBuilder().replyTo(replyToName).build());
    }
}
