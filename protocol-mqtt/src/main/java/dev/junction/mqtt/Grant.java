package dev.junction.mqtt;

import dev.junction.routing.api.Binding;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import java.util.List;
import java.util.Map;

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
     * Folds the subscriptions among {@code matched} (bindings carrying the MQTT filter argument; any other binding
     * into the session queue is no subscription) into one delivery: the maximum QoS [MQTT-3.3.5-1], and in MQTT 5
     * each Subscription Identifier added to {@code props} [MQTT-3.3.4-3]. A subscription with No Local skips the
     * client's own messages [MQTT-3.8.3-3].
     *
     * @param own whether the message was published by this client
     * @param props the PUBLISH properties being built (MQTT 5), or null
     */
    static Grant of(List<Binding> matched, boolean own, MqttProperties props) {
        int qos = -1;
        boolean retainAsPublished = false;
        for (int i = 0; i < matched.size(); i++) {
            Map<String, Object> a = matched.get(i).arguments();
            if (!a.containsKey(Binding.MQTT_FILTER_ARGUMENT)) {
                continue;
            }
            if (own && Boolean.TRUE.equals(a.get(Subscriptions.NO_LOCAL))) {
                continue; // [MQTT-3.8.3-3]
            }
            qos = Math.max(qos, Subscriptions.intArg(a.get(Subscriptions.QOS)));
            retainAsPublished |= Boolean.TRUE.equals(a.get(Subscriptions.RETAIN_AS_PUBLISHED));
            addIdentifier(props, Subscriptions.intArg(a.get(Subscriptions.SUBSCRIPTION_ID)));
        }
        return qos < 0 ? NONE : new Grant(qos, retainAsPublished);
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
