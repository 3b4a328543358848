package dev.junction.mqtt;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.TopicIndex;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import java.util.List;

/**
 * What a client's subscriptions that match one message grant it: the highest granted QoS and whether the RETAIN
 * flag is kept, with every matching Subscription Identifier added to the outgoing properties. The engine gives a
 * session queue one copy of a message however many of its subscriptions match, and says which bindings matched
 * ({@code Delivery.matched()}); a non-shared subscription is its binding, its options in the binding's arguments
 * ({@link Subscriptions.Subscription#binding}), so nothing is matched again here.
 *
 * @param qos the highest QoS granted by a matching subscription, or -1 when none is for this client
 * @param retainAsPublished whether a matching subscription asked to keep the RETAIN flag [MQTT-3.3.1-12]
 */
record Grant(int qos, boolean retainAsPublished) {
    static final Grant NONE = new Grant(-1, false);

    boolean granted() {
        return qos >= 0;
    }

    /**
     * Folds this session's subscriptions that {@code matched} names (bindings carrying the MQTT filter argument;
     * any other binding into the session queue is no subscription) into one delivery: the maximum QoS
     * [MQTT-3.3.5-1], and in MQTT 5 each Subscription Identifier added to {@code props} [MQTT-3.3.4-3]. A
     * subscription with No Local skips the client's own messages [MQTT-3.8.3-3].
     *
     * <p>The options are the session's current ones, looked up by filter (one hash lookup a binding), not the
     * binding's copy: a message queued before an UNSUBSCRIBE is dropped and one queued before a re-SUBSCRIBE gets
     * the new options, as when the session matched topics itself. A message that reached the queue through no
     * subscription at all (a binding an operator added by hand) is judged by its topic against the session's
     * filters, again as before; that is the only path that still matches a topic here.
     *
     * @param current the session's subscriptions now
     * @param topic the message's MQTT topic
     * @param own whether the message was published by this client
     * @param props the PUBLISH properties being built (MQTT 5), or null
     */
    static Grant of(List<Binding> matched, Subscriptions current, String topic, boolean own, MqttProperties props) {
        Fold fold = new Fold(own, props);
        boolean viaSubscription = false;
        for (int i = 0; i < matched.size(); i++) {
            Binding b = matched.get(i);
            if (b.arguments().containsKey(Binding.MQTT_FILTER_ARGUMENT)) {
                viaSubscription = true;
                fold.add(current.forBindingKey(b.routingKey()));
            }
        }
        if (!viaSubscription) {
            List<String> levels = TopicMapping.levels(topic);
            for (Subscriptions.Subscription s : current.all()) {
                if (!s.shared() && TopicIndex.mqttMatches(s.topicFilter(), levels)) {
                    fold.add(s);
                }
            }
        }
        return fold.grant();
    }

    /** The running maximum over the subscriptions that apply to one message. */
    private static final class Fold {
        private final boolean own;
        private final MqttProperties props;
        private int qos = -1;
        private boolean retainAsPublished;

        Fold(boolean own, MqttProperties props) {
            this.own = own;
            this.props = props;
        }

        void add(Subscriptions.Subscription s) {
            if (s == null || s.shared() || (own && s.noLocal())) {
                return; // gone since the message was routed, or No Local on the client's own message [MQTT-3.8.3-3]
            }
            qos = Math.max(qos, s.qos());
            retainAsPublished |= s.retainAsPublished();
            addIdentifier(props, s.subscriptionId());
        }

        Grant grant() {
            return qos < 0 ? NONE : new Grant(qos, retainAsPublished);
        }
    }

    /**
     * A shared subscription's queue holds the group's messages, one binding for the whole group; the options are
     * this member's own subscription's ({@code null}: the client no longer has it).
     */
    static Grant of(Subscriptions.Subscription shared, MqttProperties props) {
        if (shared == null) {
            return NONE;
        }
        addIdentifier(props, shared.subscriptionId());
        return new Grant(shared.qos(), shared.retainAsPublished());
    }

    private static void addIdentifier(MqttProperties props, int subscriptionId) {
        if (props != null && subscriptionId > 0) {
            props.add(new IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, subscriptionId));
        }
    }
}
