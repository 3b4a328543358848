package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.queue.Queue;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption.RetainedHandlingPolicy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A session queue gets one copy of a message however many of its subscriptions match; the delivery says which
 * bindings matched and the subscriber gets the options of those subscriptions, with no matching in the adapter.
 */
class MatchedSubscriptionsChannelTest {
    private final EmbeddedBroker broker;
    private final EmbeddedClient subscriber;
    private final EmbeddedClient publisher;
    private final AtomicInteger packetIds = new AtomicInteger(1);

    MatchedSubscriptionsChannelTest() throws Exception {
        broker = new EmbeddedBroker();
        subscriber = broker.client();
        publisher = broker.client();
        subscriber.connect("sub-1");
        publisher.connect("pub-1");
    }

    @AfterEach
    void close() {
        subscriber.close();
        publisher.close();
        broker.close();
    }

    private void subscribe(String filter, MqttQoS qos, boolean noLocal, boolean retainAsPublished, int id)
            throws Exception {
        MqttProperties props = new MqttProperties();
        if (id > 0) {
            props.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, id));
        }
        subscriber.send(MqttMessageBuilders.subscribe().messageId(packetIds.getAndIncrement()).properties(props)
                .addSubscription(filter, new MqttSubscriptionOption(qos, noLocal, retainAsPublished,
                        RetainedHandlingPolicy.DONT_SEND_AT_SUBSCRIBE)).build());
        MqttMessage ack = subscriber.next();
        assertThat(ack.fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
        assertThat(((MqttSubAckMessage) ack).payload().reasonCodes()).containsExactly(qos.value());
    }

    private MqttPublishMessage received() throws Exception {
        MqttMessage m = subscriber.poll();
        if (m == null) {
            subscriber.awaitHandoff();
            m = subscriber.next();
        }
        assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBLISH);
        return (MqttPublishMessage) m;
    }

    private static List<Integer> subscriptionIds(MqttPublishMessage m) {
        return m.variableHeader().properties().getProperties(MqttProperties.SUBSCRIPTION_IDENTIFIER).stream()
                .map(p -> (Integer) p.value()).toList();
    }

    private Queue sessionQueue() {
        // The engine itself, not the adapter: what the session queue holds.
        return broker.engine.vhost("/").orElseThrow().queue(TopicMapping.sessionQueue("sub-1")).orElseThrow();
    }

    @Test
    void overlappingSubscriptionsGiveOneMessageAtTheHighestQosWithEveryIdentifier_MQTT_3_3_5_1_MQTT_3_3_4_3()
            throws Exception {
        subscribe("a/+", MqttQoS.AT_MOST_ONCE, false, false, 3);
        subscribe("a/#", MqttQoS.AT_LEAST_ONCE, false, false, 5);
        subscribe("b/#", MqttQoS.EXACTLY_ONCE, false, false, 7);
        publisher.publish("a/b", MqttQoS.AT_LEAST_ONCE, 1, "x");
        assertThat(publisher.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
        MqttPublishMessage m = received();
        try {
            assertThat(m.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
            assertThat(m.payload().toString(StandardCharsets.UTF_8)).isEqualTo("x");
            assertThat(subscriptionIds(m)).containsExactlyInAnyOrder(3, 5);
        } finally {
            m.release();
        }
        assertThat(subscriber.poll()).as("one copy only").isNull();
    }

    @Test
    void noLocalSkipsOnlyTheSubscriptionThatAskedForIt_MQTT_3_8_3_3() throws Exception {
        subscribe("n/t", MqttQoS.EXACTLY_ONCE, true, false, 1);
        subscribe("n/#", MqttQoS.AT_LEAST_ONCE, false, false, 2);
        subscriber.publish("n/t", MqttQoS.AT_MOST_ONCE, 0, "own");
        MqttPublishMessage m = received();
        try {
            assertThat(subscriptionIds(m)).containsExactly(2); // not the no-local subscription's
            assertThat(m.payload().toString(StandardCharsets.UTF_8)).isEqualTo("own");
        } finally {
            m.release();
        }
    }

    @Test
    void anOwnMessageOnlyNoLocalSubscriptionsMatchIsSettledNotKept_MQTT_3_8_3_3() throws Exception {
        subscribe("own/t", MqttQoS.AT_LEAST_ONCE, true, false, 0);
        subscriber.publish("own/t", MqttQoS.AT_LEAST_ONCE, 9, "own");
        assertThat(subscriber.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
        // Enqueued before the PUBACK: it is in the session queue until the connection drops it and settles it.
        Queue q = sessionQueue();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (q.messageCount() + q.unackedCount() > 0 && System.nanoTime() < deadline) {
            assertThat(subscriber.poll()).as("nothing for this client").isNull();
            Thread.sleep(2);
        }
        assertThat(q.messageCount() + q.unackedCount()).as("settled, not kept").isZero();
        assertThat(subscriber.poll()).isNull();
    }

    @Test
    void retainAsPublishedOfAnyMatchingSubscriptionKeepsTheRetainFlag_MQTT_3_3_1_12_MQTT_3_3_1_13() throws Exception {
        subscribe("r/+", MqttQoS.AT_MOST_ONCE, false, false, 0);
        subscribe("r/t", MqttQoS.AT_MOST_ONCE, false, true, 0);
        subscribe("s/t", MqttQoS.AT_MOST_ONCE, false, false, 0);
        publisher.send(MqttMessageBuilders.publish().topicName("r/t").qos(MqttQoS.AT_MOST_ONCE).retained(true)
                .payload(io.netty.buffer.Unpooled.copiedBuffer("kept", StandardCharsets.UTF_8)).build());
        MqttPublishMessage kept = received();
        try {
            assertThat(kept.fixedHeader().isRetain()).isTrue();
        } finally {
            kept.release();
        }
        publisher.send(MqttMessageBuilders.publish().topicName("s/t").qos(MqttQoS.AT_MOST_ONCE).retained(true)
                .payload(io.netty.buffer.Unpooled.copiedBuffer("cleared", StandardCharsets.UTF_8)).build());
        MqttPublishMessage cleared = received();
        try {
            assertThat(cleared.fixedHeader().isRetain()).isFalse(); // [MQTT-3.3.1-12]
        } finally {
            cleared.release();
        }
    }

    @Test
    void aSharedSubscriptionDeliversWithThisMembersOptions_MQTT_4_8_2() throws Exception {
        subscribe("$share/g/sh/#", MqttQoS.AT_LEAST_ONCE, false, false, 4);
        publisher.publish("sh/x", MqttQoS.EXACTLY_ONCE, 2, "s");
        MqttPublishMessage m = received();
        try {
            assertThat(m.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
            assertThat(subscriptionIds(m)).containsExactly(4);
        } finally {
            m.release();
        }
    }
}
