package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static dev.junction.conformance.mqtt.MqttSupport.text;
import static dev.junction.conformance.mqtt.MqttSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** CONNECT, authentication, takeover and QoS 0/1/2 in both directions, for MQTT 3.1.1 and 5. */
class MqttCoreTest {
    @RegisterExtension
    final MqttSupport mqtt = MqttSupport.perMethod();

    @Test
    void connectAcceptedWithValidCredentials_MQTT_3_2_2_1() {
        Mqtt5ConnAck ack = MqttSupport.auth(mqtt.v5(id("ok")).connectWith()).cleanStart(true).send();
        assertThat(ack.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(ack.isSessionPresent()).isFalse();
    }

    // A refused CONNECT is answered with one of the Connect Reason Codes [MQTT-3.2.2-8] (5.0): 0x86 Bad User Name
    // or Password; 3.1.1 return code 0x04.
    @Test
    void badPasswordRefused_v311_0x04_v5_0x86() {
        Mqtt3BlockingClient c3 = mqtt.v3(id("bad3"));
        assertThatThrownBy(() -> c3.connectWith().simpleAuth().username("guest").password(utf8("nope"))
                .applySimpleAuth().send())
                .isInstanceOfSatisfying(Mqtt3ConnAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD));
        Mqtt5BlockingClient c5 = mqtt.v5(id("bad5"));
        assertThatThrownBy(() -> c5.connectWith().simpleAuth().username("guest").password(utf8("nope"))
                .applySimpleAuth().send())
                .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));
    }

    @Test
    void anonymousRefusedWhenNotAllowed_v311_0x05_v5_0x87() {
        Mqtt3BlockingClient c3 = mqtt.v3(id("anon3"));
        assertThatThrownBy(() -> c3.connect())
                .isInstanceOfSatisfying(Mqtt3ConnAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED));
        Mqtt5BlockingClient c5 = mqtt.v5(id("anon5"));
        assertThatThrownBy(() -> c5.connect())
                .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
    }

    @Test
    void emptyClientIdGetsAssignedIdentifier_MQTT_3_2_2_16() {
        Mqtt5BlockingClient c = mqtt.v5("");
        Mqtt5ConnAck ack = MqttSupport.auth(c.connectWith()).cleanStart(true).send();
        assertThat(ack.getAssignedClientIdentifier()).isPresent();
        assertThat(ack.getAssignedClientIdentifier().get().toString()).isNotEmpty();
    }

    // 3.1.1: an empty client id needs CleanSession 1 [MQTT-3.1.3-7]; without it the server answers CONNACK 0x02
    // Identifier rejected and closes [MQTT-3.1.3-8].
    @Test
    void emptyClientIdWithoutCleanSessionRefused_MQTT_3_1_3_8() throws Exception {
        MqttClient paho = mqtt.track(new MqttClient("tcp://127.0.0.1:" + mqtt.port(), "", new MemoryPersistence()));
        MqttConnectOptions o = options();
        o.setCleanSession(false);
        assertThatThrownBy(() -> paho.connect(o)).isInstanceOfSatisfying(
                org.eclipse.paho.client.mqttv3.MqttException.class, e -> assertThat(e.getReasonCode())
                        .isEqualTo(org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_INVALID_CLIENT_ID));
    }

    @Test
    void secondConnectionWithSameClientIdTakesOver_MQTT_3_1_4_2() throws Exception {
        String clientId = id("takeover");
        Mqtt5BlockingClient first = mqtt.connected5(clientId);
        CountDownLatch firstGone = new CountDownLatch(1);
        first.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> { });
        Mqtt5BlockingClient second = mqtt.v5(clientId);
        MqttSupport.auth(second.connectWith()).cleanStart(false).send();
        for (int i = 0; i < 100 && first.getState().isConnected(); i++) {
            Thread.sleep(20); // waiting for the old connection to be closed (negative condition)
        }
        assertThat(first.getState().isConnected()).isFalse();
        assertThat(second.getState().isConnected()).isTrue();
        firstGone.countDown();
    }

    @Test
    void qos0And1And2RoundTripMqtt5_MQTT_4_3() throws Exception {
        Mqtt5BlockingClient sub = mqtt.connected5(id("sub"));
        Mqtt5BlockingClient pub = mqtt.connected5(id("pub"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("q/+").qos(MqttQos.EXACTLY_ONCE).send();
            for (MqttQos qos : MqttQos.values()) {
                pub.publishWith().topic("q/" + qos.getCode()).qos(qos).payload(utf8("m" + qos.getCode())).send();
                Mqtt5Publish got = in.receive(5, TimeUnit.SECONDS).orElseThrow();
                assertThat(got.getTopic().toString()).isEqualTo("q/" + qos.getCode());
                assertThat(got.getQos()).isEqualTo(qos);
                assertThat(text(got.getPayloadAsBytes())).isEqualTo("m" + qos.getCode());
            }
        }
    }

    @Test
    void qos0And1And2RoundTripMqtt311WithPaho_MQTT_4_3() throws Exception {
        MqttClient paho = mqtt.track(new MqttClient("tcp://127.0.0.1:" + mqtt.port(), id("paho"),
                new MemoryPersistence()));
        paho.connect(options());
        java.util.concurrent.BlockingQueue<String> got = new java.util.concurrent.LinkedBlockingQueue<>();
        paho.subscribe("p/#", 2, (topic, m) -> got.add(topic + "|" + m.getQos() + "|" + new String(m.getPayload())));
        Mqtt3BlockingClient pub = mqtt.connected3(id("pub3"));
        for (int qos = 0; qos <= 2; qos++) {
            pub.publishWith().topic("p/x" + qos).qos(MqttQos.fromCode(qos)).payload(utf8("v" + qos)).send();
            assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("p/x" + qos + "|" + qos + "|v" + qos);
        }
        MqttMessage m = new MqttMessage(utf8("paho"));
        m.setQos(2);
        paho.publish("p/self", m);
        assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("p/self|2|paho");
    }

    @Test
    void deliveredQosIsMinimumOfPublishAndGranted_MQTT_3_8_4_6() throws Exception {
        Mqtt3BlockingClient sub = mqtt.connected3(id("min"));
        Mqtt3BlockingClient pub = mqtt.connected3(id("minpub"));
        try (Mqtt3BlockingClient.Mqtt3Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("min/t").qos(MqttQos.AT_LEAST_ONCE).send();
            pub.publishWith().topic("min/t").qos(MqttQos.EXACTLY_ONCE).payload(utf8("x")).send();
            assertThat(in.receive(5, TimeUnit.SECONDS).orElseThrow().getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
        }
    }

    @Test
    void overlappingSubscriptionsGiveOneCopyAtMaxQos_MQTT_3_3_5_1() throws Exception {
        Mqtt5BlockingClient sub = mqtt.connected5(id("overlap"));
        Mqtt5BlockingClient pub = mqtt.connected5(id("overlappub"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("ov/#").qos(MqttQos.AT_MOST_ONCE).send();
            sub.subscribeWith().topicFilter("ov/+").qos(MqttQos.AT_LEAST_ONCE).send();
            pub.publishWith().topic("ov/a").qos(MqttQos.EXACTLY_ONCE).payload(utf8("1")).send();
            pub.publishWith().topic("ov/end").qos(MqttQos.AT_MOST_ONCE).payload(utf8("end")).send();
            Mqtt5Publish first = in.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(first.getQos()).isEqualTo(MqttQos.AT_LEAST_ONCE);
            assertThat(text(in.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())).isEqualTo("end");
        }
    }

    @Test
    void unsubscribeStopsDelivery_MQTT_3_10_4_1() throws Exception {
        Mqtt3BlockingClient sub = mqtt.connected3(id("unsub"));
        Mqtt3BlockingClient pub = mqtt.connected3(id("unsubpub"));
        try (Mqtt3BlockingClient.Mqtt3Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("un/a").qos(MqttQos.AT_LEAST_ONCE).send();
            sub.subscribeWith().topicFilter("un/b").qos(MqttQos.AT_LEAST_ONCE).send();
            sub.unsubscribeWith().topicFilter("un/a").send();
            pub.publishWith().topic("un/a").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("gone")).send();
            pub.publishWith().topic("un/b").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("kept")).send();
            Optional<Mqtt3Publish> got = in.receive(5, TimeUnit.SECONDS);
            assertThat(text(got.orElseThrow().getPayloadAsBytes())).isEqualTo("kept");
        }
    }

    private static MqttConnectOptions options() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName("guest");
        o.setPassword("guest".toCharArray());
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        return o;
    }
}
