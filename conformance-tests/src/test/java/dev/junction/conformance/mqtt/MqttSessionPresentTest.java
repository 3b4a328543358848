package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static dev.junction.conformance.mqtt.MqttSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.queue.Queue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Session Present in CONNACK when the previous connection of the client id is still open (a takeover) or its close
 * has not been handled yet: a session that was to end with its network connection (3.1.1 Clean Session 1, MQTT 5
 * Session Expiry 0) is gone, so the new connection starts a new one and CONNACK says so [MQTT-3.1.2-6,
 * MQTT-3.2.2-2]; and racing CONNECTs for one client id agree on the session they leave behind.
 */
class MqttSessionPresentTest {
    @RegisterExtension
    static final MqttSupport mqtt = MqttSupport.perClass();

    // MQTT 5: "If the Session Expiry Interval is absent the value 0 is used ... the Session ends when the Network
    // Connection is closed"; a takeover closes it, so no session is present for the new connection [MQTT-3.2.2-2].
    @Test
    void takeoverOfASessionWithExpiryZeroReportsNoSessionPresent_MQTT_3_2_2_2() {
        String clientId = id("sp5");
        Mqtt5BlockingClient first = mqtt.v5(clientId);
        MqttSupport.auth(first.connectWith()).cleanStart(false).send(); // Session Expiry absent: 0
        first.subscribeWith().topicFilter("sp5/t").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt5BlockingClient second = mqtt.v5(clientId);
        Mqtt5ConnAck ack = MqttSupport.auth(second.connectWith()).cleanStart(false).send();
        assertThat(ack.isSessionPresent()).isFalse();
    }

    // 3.1.1: with Clean Session 1 "This Session lasts as long as the Network Connection" [MQTT-3.1.2-6]; a second
    // connection asking for a persistent session while the first is still open finds none [MQTT-3.2.2-2].
    @Test
    void takeoverOfACleanSessionReportsNoSessionPresent_MQTT_3_1_2_6() {
        String clientId = id("sp3");
        Mqtt3BlockingClient first = mqtt.connected3(clientId);
        first.subscribeWith().topicFilter("sp3/t").qos(MqttQos.AT_LEAST_ONCE).send();
        Mqtt3BlockingClient second = mqtt.v3(clientId);
        Mqtt3ConnAck ack = second.connectWith().simpleAuth().username("guest").password(utf8("guest"))
                .applySimpleAuth().cleanSession(false).send();
        assertThat(ack.isSessionPresent()).isFalse();
    }

    /**
     * A clean and a persistent CONNECT for one client id at once, 200 times: both are accepted (one then taken over
     * [MQTT-3.1.4-2]), and the session queue that the winner's first subscription makes is durable exactly when the
     * connection that won asked for a persistent session (Clean Session 0 [MQTT-3.1.2-4]).
     */
    @Test
    void simultaneousCleanAndPersistentConnectsAgreeOnTheSession_MQTT_3_1_2_4_MQTT_3_1_4_2() throws Exception {
        VirtualHost vhost = mqtt.broker().engine()
                .vhost(mqtt.broker().config().mqtt().vhost()).orElseThrow();
        List<String> problems = new ArrayList<>();
        for (int round = 0; round < 200 && problems.size() < 5; round++) {
            String clientId = id("race");
            CompletableFuture<Void> cleanGone = new CompletableFuture<>();
            CompletableFuture<Void> persistentGone = new CompletableFuture<>();
            Mqtt3AsyncClient clean = client(clientId, cleanGone);
            Mqtt3AsyncClient persistent = client(clientId, persistentGone);
            CompletableFuture<Mqtt3ConnAck> c1 = connect(clean, true);
            CompletableFuture<Mqtt3ConnAck> c2 = connect(persistent, false);
            try {
                c1.get(10, TimeUnit.SECONDS);
                c2.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                problems.add("round " + round + ": a CONNECT was refused: " + e.getCause());
                disconnectQuietly(clean);
                disconnectQuietly(persistent);
                continue;
            }
            // The loser is disconnected by the takeover; the other one won.
            CompletableFuture.anyOf(cleanGone, persistentGone).get(10, TimeUnit.SECONDS);
            boolean persistentWon = cleanGone.isDone() && !persistentGone.isDone();
            // A session gets its queue with its first subscription, decided on the client id's lane like the race.
            (persistentWon ? persistent : clean).subscribeWith().topicFilter("race/" + round)
                    .qos(MqttQos.AT_LEAST_ONCE).send().get(10, TimeUnit.SECONDS);
            Queue q = vhost.queue("mqtt.session." + clientId).orElse(null);
            if (q == null || q.durable() != persistentWon) {
                problems.add("round " + round + ": " + (persistentWon ? "persistent" : "clean")
                        + " CONNECT won, session queue " + (q == null ? "missing" : "durable=" + q.durable()));
            }
            disconnectQuietly(persistentWon ? persistent : clean);
        }
        assertThat(problems).isEmpty();
    }

    private static Mqtt3AsyncClient client(String clientId, CompletableFuture<Void> gone) {
        return MqttClient.builder().useMqttVersion3().identifier(clientId).serverHost("127.0.0.1")
                .serverPort(mqtt.port()).addDisconnectedListener(ctx -> gone.complete(null)).buildAsync();
    }

    private static CompletableFuture<Mqtt3ConnAck> connect(Mqtt3AsyncClient c, boolean cleanSession) {
        return c.connectWith().simpleAuth().username("guest").password(utf8("guest")).applySimpleAuth()
                .cleanSession(cleanSession).send();
    }

    private static void disconnectQuietly(Mqtt3AsyncClient c) {
        try {
            if (c.getState().isConnected()) {
                c.disconnect().get(10, TimeUnit.SECONDS);
            }
        } catch (Exception ignored) {
            // already gone
        }
    }
}
