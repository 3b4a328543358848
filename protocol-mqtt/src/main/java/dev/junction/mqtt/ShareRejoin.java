package dev.junction.mqtt;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster's share group queue deleted under a member that still has the subscription. The node whose last member
 * left asks the queue's log whether any consumer remains, then deletes it through the metadata log; a member that
 * joined on another node between the question and the deletion, its consumer not yet in the log, loses its consumer
 * to that deletion. It is still a member of the group, so it joins again: the join declares the queue anew and binds
 * it, and the connection consumes from it (MQTT 5 section 4.8.2: the group's messages go to its members). A broker
 * alone keeps its behaviour (a queue deleted over AMQP ends the consumption).
 */
final class ShareRejoin {
    private static final Logger LOG = LoggerFactory.getLogger(ShareRejoin.class);

    private ShareRejoin() {
    }

    /** Whether a consumer's start failed because its queue is gone. */
    static boolean deleted(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof BrokerException e && e.kind() == ErrorKind.NOT_FOUND;
    }

    /** {@code c} lost its consumer on {@code queueName}; on its event loop. */
    static void afterLoss(MqttConnection c, String queueName) {
        if (!c.server.shares.replicated() || c.state != MqttConnection.State.CONNECTED) {
            return;
        }
        Subscriptions.Subscription sub = c.session().subscriptions.sharedFor(queueName);
        if (sub == null) {
            return; // the session queue, or a subscription already gone
        }
        LOG.info("the share group queue '{}' of MQTT client '{}' was deleted while it is a member: joining again",
                queueName, c.clientId());
        c.server.shares.join(queueName, TopicMapping.toBindingKey(sub.topicFilter()), c.clientId(),
                c.sessionExpiry() > 0).whenComplete((v, error) -> c.onLoop(() -> {
                    if (error != null) {
                        LOG.warn("MQTT client '{}' could not join the share group queue '{}' again: {}",
                                c.clientId(), queueName, error.toString());
                    } else if (c.state == MqttConnection.State.CONNECTED) {
                        if (c.session().subscriptions.sharedFor(queueName) == sub) {
                            c.outbound.consume(queueName);
                        } else {
                            c.server.shares.leave(queueName, c.clientId()); // unsubscribed meanwhile
                        }
                    }
                }));
    }
}
