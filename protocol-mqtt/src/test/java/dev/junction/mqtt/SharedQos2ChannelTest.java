package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.routing.api.ExactlyOnceIds;
import dev.junction.routing.api.ExactlyOnceIds.Pending;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The QoS 2 ids a cluster shares ({@link SharedQos2Ids}), with a stand-in for the metadata log whose commits the test
 * completes: the PUBREC and the PUBCOMP wait for the commit of the change they depend on, a change the cluster did
 * not commit is not acknowledged, a session resumed takes the cluster's ids, and a new session clears them.
 */
class SharedQos2ChannelTest {

    /** The metadata log as the adapter sees it: every put in order, each answered by the test. */
    private static final class Log implements ExactlyOnceIds {
        final Map<String, Pending> applied = new ConcurrentHashMap<>();
        final List<Pending> puts = new CopyOnWriteArrayList<>();
        volatile CompletableFuture<Void> commit = CompletableFuture.completedFuture(null);

        @Override
        public boolean shared() {
            return true;
        }

        @Override
        public Pending pending(String vhost, String session) {
            return applied.getOrDefault(session, Pending.NONE);
        }

        @Override
        public CompletableFuture<Void> put(String vhost, String session, long claim, Pending pending) {
            puts.add(pending);
            return commit;
        }
    }

    private final Log log = new Log();
    private final EmbeddedBroker broker;

    SharedQos2ChannelTest() throws Exception {
        broker = new EmbeddedBroker(log);
    }

    @AfterEach
    void close() {
        broker.close();
    }

    /** [MQTT-4.3.3-10]: the PUBREC promises the id is kept; in a cluster, once a majority has it. */
    @Test
    void thePubrecAndThePubcompWaitForTheClustersCommit_MQTT_4_3_3_10() throws Exception {
        try (EmbeddedClient client = broker.client()) {
            client.connect("dev", false, 600);
            log.commit = new CompletableFuture<>();
            client.publish("a/b", MqttQoS.EXACTLY_ONCE, 9, "once");
            awaitPuts(1);
            assertThat(log.puts.get(0)).isEqualTo(new Pending(List.of(9), List.of()));
            assertThat(client.poll()).as("no PUBREC before the commit").isNull();
            log.commit.complete(null);
            assertAnswer(client.next(), MqttMessageType.PUBREC, 9);

            log.commit = new CompletableFuture<>();
            client.send(answer(MqttMessageType.PUBREL, 9));
            awaitPuts(2);
            assertThat(log.puts.get(1)).isEqualTo(Pending.NONE);
            assertThat(client.poll()).as("no PUBCOMP before the commit").isNull();
            log.commit.complete(null);
            assertAnswer(client.next(), MqttMessageType.PUBCOMP, 9);
        }
    }

    @Test
    void anIdTheClusterDidNotCommitIsNotAcknowledged() throws Exception {
        try (EmbeddedClient client = broker.client()) {
            client.connect("dev", false, 600);
            log.commit = CompletableFuture.failedFuture(new IllegalStateException("no majority"));
            client.publish("a/b", MqttQoS.EXACTLY_ONCE, 9, "once");
            MqttMessage m = client.next();
            assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
            assertThat(((MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader()).reasonCode())
                    .isEqualTo(ReasonCode.UNSPECIFIED_ERROR.value());
            assertThat(client.server.isOpen()).isFalse();
        }
    }

    /**
     * [MQTT-4.4.0-1]: a session resumed on this node after another node had it gets the PUBRELs it was owed there;
     * a PUBLISH sent again with an id that node answered is answered without a new change [MQTT-4.3.3-10]. The
     * session has no queue here: the cluster's ids alone make it present [MQTT-3.2.2-2].
     */
    @Test
    void aResumedSessionTakesTheClustersIds_MQTT_4_4_0_1() throws Exception {
        log.applied.put("dev", new Pending(List.of(3), List.of(5)));
        try (EmbeddedClient client = broker.client()) {
            MqttConnAckMessage ack = client.connect("dev", false, 600);
            assertThat(ack.variableHeader().isSessionPresent()).isTrue();
            MqttMessage release = client.next();
            assertThat(release.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREL);
            assertThat(((MqttPubReplyMessageVariableHeader) release.variableHeader()).messageId()).isEqualTo(5);

            client.publish("a/b", MqttQoS.EXACTLY_ONCE, 3, "sent before");
            assertAnswer(client.next(), MqttMessageType.PUBREC, 3);
            assertThat(log.puts).as("nothing changed: the id was the cluster's already").isEmpty();
        }
    }

    /** [MQTT-3.1.2-4]: a new session does not go on with what an earlier one left in the cluster. */
    @Test
    void aNewSessionClearsTheClustersIds_MQTT_3_1_2_4() throws Exception {
        log.applied.put("dev", new Pending(List.of(3), List.of()));
        try (EmbeddedClient client = broker.client()) {
            MqttConnAckMessage ack = client.connect("dev", true, 600);
            assertThat(ack.variableHeader().isSessionPresent()).isFalse();
            assertThat(log.puts).containsExactly(Pending.NONE);
        }
    }

    private void awaitPuts(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (log.puts.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(log.puts).hasSize(n);
    }

    private static MqttMessage answer(MqttMessageType type, int packetId) {
        return new MqttMessage(new MqttFixedHeader(type, false,
                type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttPubReplyMessageVariableHeader(packetId, (byte) 0, MqttProperties.NO_PROPERTIES));
    }

    private static void assertAnswer(MqttMessage m, MqttMessageType type, int packetId) {
        assertThat(m.fixedHeader().messageType()).isEqualTo(type);
        assertThat(((MqttPubReplyMessageVariableHeader) m.variableHeader()).messageId()).isEqualTo(packetId);
    }
}
