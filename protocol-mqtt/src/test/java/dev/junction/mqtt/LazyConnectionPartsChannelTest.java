package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.AclRule;
import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import dev.junction.routing.api.Engine;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An idle connection carries only what it uses: no {@code $SYS} handlers, no in-flight window, deques or
 * enhanced-auth exchange until needed, and rights shared with the user's other clients. These tests drive the paths
 * that build those parts late, on the server's real pipeline: a client that subscribes after a long idle still
 * receives and acknowledges, an AUTH after a password login is still refused, the rights follow a directory change
 * that makes them depend on the client id, and the {@code $SYS} counters stay exact without handlers of their own.
 */
class LazyConnectionPartsChannelTest {
    private final EmbeddedBroker broker;

    LazyConnectionPartsChannelTest() throws Exception {
        broker = new EmbeddedBroker();
    }

    @AfterEach
    void close() {
        broker.close();
    }

    @Test
    void anIdleConnectionCarriesNoCounterHandlersAndNoOutboundParts() throws Exception {
        try (EmbeddedClient c = broker.client()) {
            c.connect("idle-1");
            assertThat(c.server.pipeline().names()).noneMatch(n -> n.startsWith("mqtt-sys"));
            assertThat(c.server.pipeline().get(OutboundSizeLimit.class)).as("no Maximum Packet Size set").isNull();
            assertThat(broker.engine.vhost("/").orElseThrow().queue(TopicMapping.sessionQueue("idle-1")))
                    .as("no session queue without a subscription").isEmpty();
        }
    }

    @Test
    void aClientThatSubscribesAfterIdlingReceivesAndAcknowledgesAtQos1() throws Exception {
        try (EmbeddedClient late = broker.client(); EmbeddedClient pub = broker.client()) {
            late.connect("late-1");
            pub.connect("pub-1");
            pub.publish("t/x", MqttQoS.AT_LEAST_ONCE, 1, "before");
            assertThat(reason(pub.next())).as("nobody subscribed yet")
                    .isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS.value());
            late.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE,
                    false, 0)));
            assertThat(late.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PINGRESP);

            late.subscribe("t/#", MqttQoS.AT_LEAST_ONCE, 1);
            assertThat(late.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
            for (int i = 1; i <= 3; i++) {
                pub.publish("t/x", MqttQoS.AT_LEAST_ONCE, 1 + i, "after-" + i);
                assertThat(reason(pub.next())).isEqualTo(ReasonCode.SUCCESS.value());
                late.awaitHandoff();
                MqttPublishMessage p = (MqttPublishMessage) late.next();
                assertThat(p.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
                assertThat(p.payload().toString(StandardCharsets.UTF_8)).isEqualTo("after-" + i);
                int id = p.variableHeader().packetId();
                p.release();
                late.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBACK, false, MqttQoS.AT_MOST_ONCE,
                        false, 0), new MqttPubReplyMessageVariableHeader(id, (byte) 0, null)));
            }
            long deadline = System.nanoTime() + 5_000_000_000L; // a settle reaches the queue on its own thread
            while (sessionQueue("late-1").unackedCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertThat(sessionQueue("late-1").unackedCount()).as("every PUBACK settled its delivery").isZero();
        }
    }

    @Test
    void anAuthAfterAPasswordLoginIsStillAProtocolError_MQTT_4_12_0_7() throws Exception {
        try (EmbeddedClient c = broker.client()) {
            c.connect("auth-1");
            c.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.AUTH, false, MqttQoS.AT_MOST_ONCE, false, 0),
                    new MqttReasonCodeAndPropertiesVariableHeader((byte) 0x19, null)));
            MqttMessage m = c.next();
            assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
            assertThat(((MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader()).reasonCode())
                    .isEqualTo(ReasonCode.PROTOCOL_ERROR.value());
        }
    }

    @Test
    void aConnectionThatNeverUsedItsRightsFollowsADirectoryChangeToClientIdRules() throws Exception {
        Engine engine = Engine.of(broker.engine);
        engine.authorization().users().load(List.of(alice(List.of())), Map.of());
        try (EmbeddedClient one = broker.client(); EmbeddedClient two = broker.client()) {
            one.connect("dev-1");
            two.connect("dev-2");
            assertThat(connection(one).topics.rights()).as("one rights object for the user's clients")
                    .isSameAs(connection(two).topics.rights());

            // Now each client may publish under its own id only: the ACL names the client id.
            engine.authorization().users().put(alice(List.of(
                    new AclRule(AclRule.Permission.ALLOW, AclRule.Action.ALL, "devices/%c/#"))));
            one.publish("devices/dev-1/t", MqttQoS.AT_LEAST_ONCE, 1, "own");
            assertThat(reason(one.next())).isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS.value());
            one.publish("devices/dev-2/t", MqttQoS.AT_LEAST_ONCE, 2, "other's");
            assertThat(reason(one.next())).isEqualTo(ReasonCode.NOT_AUTHORIZED.value());
            two.publish("devices/dev-2/t", MqttQoS.AT_LEAST_ONCE, 1, "own");
            assertThat(reason(two.next())).isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS.value());
            assertThat(connection(one).topics.rights()).isNotSameAs(connection(two).topics.rights());
        }
    }

    @Test
    void theSysCountersCountWhatTheWireCarriedWithoutHandlersOfTheirOwn() throws Exception {
        SysCounters counters = broker.server.sys.counters;
        try (EmbeddedClient sub = broker.client(); EmbeddedClient pub = broker.client()) {
            sub.connect("sys-sub");
            pub.connect("sys-pub");
            sub.subscribe("s/#", MqttQoS.AT_MOST_ONCE, 1);
            assertThat(sub.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
            long bytesBefore = counters.bytesSent.sum();
            pub.publish("s/x", MqttQoS.AT_MOST_ONCE, 0, "payload");
            sub.awaitHandoff();
            MqttPublishMessage p = (MqttPublishMessage) sub.next();
            int encoded = encodedSize(p);
            assertThat(counters.publishReceived.sum()).isEqualTo(1);
            assertThat(counters.publishSent.sum()).isEqualTo(1);
            assertThat(counters.packetsReceived.sum()).as("two CONNECTs, a SUBSCRIBE, a PUBLISH").isEqualTo(4);
            assertThat(counters.packetsSent.sum()).as("two CONNACKs, a SUBACK, a PUBLISH").isEqualTo(4);
            assertThat(counters.bytesSent.sum() - bytesBefore).as("the PUBLISH as encoded").isEqualTo(encoded);
            assertThat(counters.connected()).isEqualTo(2);
            assertThat(counters.connects.sum()).isEqualTo(2);
        }
        assertThat(counters.connected()).as("closed sockets are counted out once").isZero();
        assertThat(counters.maximum()).isEqualTo(2);
    }

    private static UserConfig alice(List<AclRule> acl) {
        return new UserConfig("alice", Optional.of("alice-pw"), Optional.empty(), List.of(), false,
                Map.of("/", VhostPermission.all()), acl, Map.of());
    }

    private static MqttConnection connection(EmbeddedClient c) {
        return c.server.pipeline().get(MqttConnection.class);
    }

    private dev.junction.routing.queue.Queue sessionQueue(String clientId) {
        return broker.engine.vhost("/").orElseThrow().queue(TopicMapping.sessionQueue(clientId)).orElseThrow();
    }

    private static byte reason(MqttMessage ack) {
        assertThat(ack.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
        return ((MqttPubReplyMessageVariableHeader) ack.variableHeader()).reasonCode();
    }

    /** The size of {@code p} as the server's encoder makes it (an MQTT 5 PUBLISH without properties here). */
    private static int encodedSize(MqttPublishMessage p) {
        io.netty.channel.embedded.EmbeddedChannel ch = new io.netty.channel.embedded.EmbeddedChannel(
                MqttEncoder.INSTANCE);
        ch.attr(PacketGuard.CODEC_VERSION).set(io.netty.handler.codec.mqtt.MqttVersion.MQTT_5);
        ch.writeOutbound(p.retain());
        int size = 0;
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            size += b.readableBytes();
            b.release();
        }
        ch.finishAndReleaseAll();
        p.release();
        return size;
    }
}
