package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.Vhost;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An UNSUBSCRIBE whose binding's removal is not done at once (a cluster node waiting for its metadata log): the
 * UNSUBACK waits for it, the packets after the UNSUBSCRIBE wait too and are handled after it, in order, and a
 * removal that fails answers Unspecified error and leaves the subscription routing [MQTT-3.11.3-1, MQTT-3.11.3-2].
 * Here the vhost's {@code unbindAsync} waits for the test to let it go on.
 */
class UnsubscribeFlowChannelTest {
    /** Completed by the test: then the real removal is made (or the failure passed on). */
    private final CompletableFuture<Void> gate = new CompletableFuture<>();
    private final EmbeddedBroker broker;
    private final EmbeddedClient subscriber;
    private final EmbeddedClient publisher;

    UnsubscribeFlowChannelTest() throws Exception {
        broker = new EmbeddedBroker("", this::gated);
        subscriber = broker.client();
        publisher = broker.client();
        subscriber.connect("unsub-1");
        publisher.connect("unsub-pub");
        subscriber.subscribe("u/a", MqttQoS.AT_MOST_ONCE, 1);
        assertThat(subscriber.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
    }

    @AfterEach
    void close() {
        subscriber.close();
        publisher.close();
        broker.close();
    }

    /** The vhost, its {@code unbindAsync} made to wait for {@link #gate}. */
    private Vhost gated(Vhost real) {
        return (Vhost) Proxy.newProxyInstance(Vhost.class.getClassLoader(), new Class<?>[] {Vhost.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("unbindAsync")) {
                        return gate.thenCompose(v -> real.unbindAsync((Binding) args[0], args[1]));
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private void unsubscribe(String filter, int packetId) {
        subscriber.send(MqttMessageBuilders.unsubscribe().messageId(packetId).addTopicFilter(filter).build());
    }

    @Test
    void theUnsubackAndThePacketsAfterItWaitForTheRemoval() throws Exception {
        unsubscribe("u/a", 2);
        subscriber.subscribe("u/b", MqttQoS.AT_MOST_ONCE, 3); // sent after the UNSUBSCRIBE: handled after it
        assertThat(subscriber.poll()).as("nothing answered before the removal is done").isNull();

        gate.complete(null);
        MqttMessage unsuback = subscriber.next();
        assertThat(unsuback.fixedHeader().messageType()).isEqualTo(MqttMessageType.UNSUBACK);
        assertThat(((MqttUnsubAckMessage) unsuback).payload().unsubscribeReasonCodes()).containsExactly((short) 0);
        MqttMessage suback = subscriber.next();
        assertThat(suback.fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
        assertThat(((MqttMessageIdVariableHeader) suback.variableHeader()).messageId()).isEqualTo(3);

        publisher.publish("u/a", MqttQoS.AT_MOST_ONCE, 0, "gone");
        publisher.publish("u/b", MqttQoS.AT_MOST_ONCE, 0, "routed");
        subscriber.awaitHandoff();
        assertThat(payload(subscriber.next())).isEqualTo("routed");
        unsubscribe("u/a", 4); // removed: No subscription existed, answered at once
        assertThat(((MqttUnsubAckMessage) subscriber.next()).payload().unsubscribeReasonCodes())
                .containsExactly((short) ReasonCode.NO_SUBSCRIPTION_EXISTED.code());
    }

    @Test
    void aRemovalThatFailsIsUnspecifiedErrorAndTheSubscriptionStays() throws Exception {
        unsubscribe("u/a", 2);
        assertThat(subscriber.poll()).isNull();

        gate.completeExceptionally(new BrokerException(ErrorKind.INTERNAL_ERROR, "not committed"));
        MqttMessage unsuback = subscriber.next();
        assertThat(unsuback.fixedHeader().messageType()).isEqualTo(MqttMessageType.UNSUBACK);
        assertThat(((MqttUnsubAckMessage) unsuback).payload().unsubscribeReasonCodes())
                .containsExactly((short) ReasonCode.UNSPECIFIED_ERROR.code());
        assertThat(subscriber.server.isActive()).as("the connection stays").isTrue();

        publisher.publish("u/a", MqttQoS.AT_MOST_ONCE, 0, "still routed");
        subscriber.awaitHandoff();
        assertThat(payload(subscriber.next())).isEqualTo("still routed");
    }

    private static String payload(MqttMessage m) {
        assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBLISH);
        return ((MqttPublishMessage) m).payload().toString(StandardCharsets.UTF_8);
    }
}
