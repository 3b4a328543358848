package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static dev.junction.conformance.mqtt.MqttSupport.text;
import static dev.junction.conformance.mqtt.MqttSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.queue.Queue;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A session with nothing to queue has no queue: it gets one with its first subscription. These tests show that
 * nothing is lost by that: what is published after the SUBACK arrives, at QoS 0 and 1, clean and persistent, on
 * MQTT 3.1.1 and 5; a persistent session that subscribes only later keeps its messages while offline; and the
 * session queues, which have no meters of their own, are counted exactly in the vhost's totals.
 */
class MqttIdleSessionTest {
    private static final String SESSION = "mqtt.session.";

    @RegisterExtension
    static final MqttSupport mqtt = MqttSupport.perClass();

    private static VirtualHost vhost() {
        return mqtt.broker().engine().vhost(mqtt.broker().config().mqtt().vhost()).orElseThrow();
    }

    /**
     * [MQTT-4.5.0-1]: once subscribed, a matching message goes to the session; the queue made for the
     * subscription takes it even though the session had none at CONNECT. A persistent session's queue is durable.
     */
    @ParameterizedTest(name = "MQTT {0}, clean {1}, QoS {2}")
    @CsvSource({"3, true, 0", "3, true, 1", "3, false, 0", "3, false, 1",
                "5, true, 0", "5, true, 1", "5, false, 0", "5, false, 1"})
    void aSessionWithoutQueueReceivesWhatIsPublishedAfterItSubscribed_MQTT_4_5_0_1(int version, boolean clean,
                                                                                   int qos) throws Exception {
        String clientId = id("lazy" + version);
        String topic = "lazy/" + clientId;
        Mqtt5BlockingClient pub = mqtt.connected5(id("lazypub"));
        MqttQos q = MqttQos.fromCode(qos);
        if (version == 3) {
            Mqtt3BlockingClient sub = mqtt.v3(clientId);
            sub.connectWith().simpleAuth().username("guest").password(utf8("guest")).applySimpleAuth()
                    .cleanSession(clean).send();
            assertThat(vhost().queue(SESSION + clientId)).as("a queue before any subscription").isEmpty();
            try (Mqtt3BlockingClient.Mqtt3Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
                sub.subscribeWith().topicFilter(topic).qos(q).send();
                pub.publishWith().topic(topic).qos(q).payload(utf8("after subscribe")).send();
                Mqtt3Publish got = in.receive(5, TimeUnit.SECONDS).orElseThrow();
                assertThat(text(got.getPayloadAsBytes())).isEqualTo("after subscribe");
            }
        } else {
            Mqtt5BlockingClient sub = mqtt.v5(clientId);
            MqttSupport.auth(sub.connectWith()).cleanStart(true).sessionExpiryInterval(clean ? 0 : 60).send();
            assertThat(vhost().queue(SESSION + clientId)).as("a queue before any subscription").isEmpty();
            try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
                sub.subscribeWith().topicFilter(topic).qos(q).send();
                pub.publishWith().topic(topic).qos(q).payload(utf8("after subscribe")).send();
                Mqtt5Publish got = in.receive(5, TimeUnit.SECONDS).orElseThrow();
                assertThat(text(got.getPayloadAsBytes())).isEqualTo("after subscribe");
            }
        }
        Optional<Queue> queue = vhost().queue(SESSION + clientId);
        assertThat(queue).isPresent();
        assertThat(queue.get().durable()).as("durable exactly for a persistent session").isEqualTo(!clean);
    }

    /**
     * [MQTT-3.1.2-5] (3.1.1) / [MQTT-3.1.2-23] (5): a persistent session made without subscriptions is present on
     * the next CONNECT [MQTT-3.2.2-2]; once it has subscribed, QoS 1 messages published while it is offline are
     * stored and delivered, in order, when it comes back.
     */
    @Test
    void aPersistentSessionThatSubscribesLaterQueuesWhileOffline_MQTT_3_1_2_5() throws Exception {
        String clientId = id("later");
        String topic = "later/" + clientId;
        Mqtt3BlockingClient sub = mqtt.v3(clientId);
        persistent(sub);
        sub.disconnect();
        assertThat(persistent(sub)).as("session present, though it has no queue").isTrue();
        sub.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
        sub.disconnect();

        Mqtt5BlockingClient pub = mqtt.connected5(id("laterpub"));
        for (int i = 1; i <= 3; i++) {
            pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("m" + i)).send();
        }
        assertThat(vhost().queue(SESSION + clientId).orElseThrow().messageCount()).isEqualTo(3);

        try (Mqtt3BlockingClient.Mqtt3Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            assertThat(persistent(sub)).isTrue();
            for (int i = 1; i <= 3; i++) {
                assertThat(text(in.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())).isEqualTo("m" + i);
            }
        }
    }

    /**
     * Session queues have no queue-labelled meters (they would name client ids), so a fleet costs no meters per
     * device; the vhost's totals over them are exactly what they hold, as queues come and go.
     */
    @Test
    void offlineSessionsAreCountedExactlyInTheVhostTotals() throws Exception {
        Mqtt5BlockingClient pub = mqtt.connected5(id("totpub"));
        String[] ids = {id("tot"), id("tot"), id("tot")};
        for (String clientId : ids) {
            Mqtt5BlockingClient s = mqtt.v5(clientId);
            MqttSupport.auth(s.connectWith()).cleanStart(true).sessionExpiryInterval(600).send();
            s.subscribeWith().topicFilter("tot/" + clientId).qos(MqttQos.AT_LEAST_ONCE).send();
            s.disconnect();
        }
        for (int i = 0; i < ids.length; i++) {
            for (int n = 0; n <= i; n++) {
                pub.publishWith().topic("tot/" + ids[i]).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("x")).send();
            }
        }
        assertThat(totalOfSessionQueues()).isGreaterThanOrEqualTo(6);
        assertThat(gauge("junction.queues.unlabelled.messages")).isEqualTo(totalOfSessionQueues());
        assertThat(gauge("junction.queues.unlabelled")).isEqualTo(sessionQueues());
        assertThat(mqtt.broker().registry().find("junction.queue.messages").tag("queue", SESSION + ids[0]).gauge())
                .as("no meter names a client id").isNull();

        // The last session comes back and takes its 3 messages: the totals follow.
        double before = gauge("junction.queues.unlabelled.messages");
        Mqtt5BlockingClient back = mqtt.v5(ids[2]);
        try (Mqtt5BlockingClient.Mqtt5Publishes in = back.publishes(MqttGlobalPublishFilter.ALL)) {
            MqttSupport.auth(back.connectWith()).cleanStart(false).sessionExpiryInterval(600).send();
            for (int i = 0; i < 3; i++) {
                in.receive(5, TimeUnit.SECONDS).orElseThrow(); // acknowledged by the client (PUBACK)
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (gauge("junction.queues.unlabelled.messages.unacked") > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20); // the PUBACKs settle on the queue's own thread
        }
        assertThat(gauge("junction.queues.unlabelled.messages")).isEqualTo(before - 3)
                .isEqualTo(totalOfSessionQueues());
        assertThat(gauge("junction.queues.unlabelled.messages.unacked")).isZero();
        assertThat(gauge("junction.queues.unlabelled.consumers")).isPositive().isEqualTo(vhost().queues().stream()
                .filter(q -> q.name().startsWith(SESSION)).mapToInt(Queue::consumerCount).sum());
        back.disconnect();
    }

    /**
     * [MQTT-3.1.2-24]: a client that sends packets within its keep alive stays connected however many periods pass
     * (the wheel sets its deadline again for the time left), and is closed once it falls silent for 1.5 periods.
     */
    @Test
    void aClientThatPingsStaysAndIsClosedOnceSilent_MQTT_3_1_2_24() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect3("ka-ping-" + System.nanoTime(), 1);
            for (int i = 0; i < 8; i++) { // 4 s: almost 3 times 1.5 keep alive periods
                Thread.sleep(500);
                raw.send(new byte[] {(byte) 0xC0, 0}); // PINGREQ
                int[] resp = raw.readPacket(2000);
                assertThat(resp).as("PINGRESP %d", i).isNotNull();
                assertThat(resp[0]).isEqualTo(0xD0);
            }
            long silentFrom = System.nanoTime();
            assertThat(raw.readUntilClosed(5000)).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silentFrom)).isBetween(1000L, 4000L);
        }
    }

    /** MQTT 5 [MQTT-3.1.2-22]: the silent client is told why, DISCONNECT 0x8D Keep Alive timeout [MQTT-4.13.1-1]. */
    @Test
    void aSilentMqtt5ClientGetsKeepAliveTimeout_MQTT_3_1_2_22() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            long start = System.nanoTime();
            raw.connect(5, "ka5-" + System.nanoTime(), 0x02, 1, new byte[0]);
            raw.expectDisconnect(0x8D);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(1000L, 4000L);
        }
    }

    /** CONNECT with a persistent session; whether the session was present. */
    private static boolean persistent(Mqtt3BlockingClient c) {
        return c.connectWith().simpleAuth().username("guest").password(utf8("guest")).applySimpleAuth()
                .cleanSession(false).send().isSessionPresent();
    }

    private static double gauge(String name) {
        return mqtt.broker().registry().get(name).tag("vhost", vhost().name()).gauge().value();
    }

    private static double totalOfSessionQueues() {
        return vhost().queues().stream().filter(q -> q.name().startsWith(SESSION)).mapToInt(Queue::messageCount)
                .sum();
    }

    private static double sessionQueues() {
        return vhost().queues().stream().filter(q -> q.name().startsWith(SESSION)).count();
    }
}
