package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static dev.junction.conformance.mqtt.MqttSupport.text;
import static dev.junction.conformance.mqtt.MqttSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MQTT 5 features: properties, subscription options, topic aliases, ACL reason codes, shares, WebSocket. */
class Mqtt5FeaturesTest {
    @RegisterExtension
    final MqttSupport mqtt = MqttSupport.perMethod();

    @Test
    void userPropertiesForwardedInOrder_MQTT_3_3_2_17() throws Exception {
        Mqtt5BlockingClient sub = mqtt.connected5(id("up"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("up/t").send();
            mqtt.connected5(id("uppub")).publishWith().topic("up/t").payload(utf8("x")).userProperties()
                    .add("a", "1").add("b", "2").applyUserProperties().send();
            Mqtt5Publish p = in.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.getUserProperties().asList()).extracting(u -> u.getName() + "=" + u.getValue())
                    .containsExactly("a=1", "b=2");
        }
    }

    @Test
    void subscriptionIdentifiersOfEveryMatchingSubscription_MQTT_3_3_4_3() throws Exception {
        Mqtt5BlockingClient sub = mqtt.connected5(id("sid"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("sid/#").send();
            sub.subscribeWith().topicFilter("sid/+").send();
            // HiveMQ sends identifiers only when asked; use the raw client below for explicit ids.
            mqtt.connected5(id("sidpub")).publishWith().topic("sid/a").payload(utf8("x")).send();
            assertThat(in.receive(5, TimeUnit.SECONDS)).isPresent();
        }
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect5(id("rawsid"));
            for (int[] s : new int[][] {{1, 7}, {2, 9}}) {
                String f = s[0] == 1 ? "sid2/#" : "sid2/+";
                raw.send(RawMqtt.packet(0x82, RawMqtt.concat(new byte[] {0, (byte) s[0], 2, 0x0B, (byte) s[1]},
                        RawMqtt.str(f), new byte[] {0})));
                assertThat(raw.readPacket(5000)[0]).isEqualTo(0x90);
            }
            mqtt.connected5(id("sidpub2")).publishWith().topic("sid2/a").payload(utf8("y")).send();
            int[] p = raw.readPacket(5000);
            assertThat(p[0] & 0xF0).isEqualTo(0x30);
            String bytes = java.util.Arrays.toString(p);
            assertThat(bytes).contains("11, 7").contains("11, 9");
        }
    }

    @Test
    void noLocalSuppressesOwnMessages_MQTT_3_8_3_3() throws Exception {
        Mqtt5BlockingClient c = mqtt.connected5(id("nl"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.subscribeWith().topicFilter("nl/t").noLocal(true).send();
            c.publishWith().topic("nl/t").payload(utf8("own")).qos(MqttQos.AT_LEAST_ONCE).send();
            mqtt.connected5(id("nlother")).publishWith().topic("nl/t").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(utf8("other")).send();
            assertThat(text(in.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())).isEqualTo("other");
        }
    }

    // Retain Handling 2: no retained message is sent for the new subscription [MQTT-3.3.1-11]; Retain As Published
    // 1: the forwarded message keeps the RETAIN flag it was published with [MQTT-3.3.1-13].
    @Test
    void retainHandlingTwoAndRetainAsPublished_MQTT_3_3_1_11_MQTT_3_3_1_13() throws Exception {
        Mqtt5BlockingClient pub = mqtt.connected5(id("rap"));
        pub.publishWith().topic("rap/t").retain(true).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("old")).send();
        Mqtt5BlockingClient sub = mqtt.connected5(id("rapsub"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("rap/t").retainHandling(Mqtt5RetainHandling.DO_NOT_SEND)
                    .retainAsPublished(true).send();
            pub.publishWith().topic("rap/t").retain(true).payload(utf8("new")).send();
            Mqtt5Publish p = in.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(text(p.getPayloadAsBytes())).isEqualTo("new"); // "old" not sent: handling 2
            assertThat(p.isRetain()).isTrue(); // retain as published
        }
    }

    @Test
    void messageExpiryForwardsRemainingTime_MQTT_3_3_2_6() throws Exception {
        String clientId = id("exp");
        Mqtt5BlockingClient c = mqtt.v5(clientId);
        MqttSupport.auth(c.connectWith()).sessionExpiryInterval(60).send();
        c.subscribeWith().topicFilter("exp/t").qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnect();
        mqtt.connected5(id("exppub")).publishWith().topic("exp/t").qos(MqttQos.AT_LEAST_ONCE)
                .messageExpiryInterval(100).payload(utf8("x")).send();
        Mqtt5BlockingClient back = mqtt.v5(clientId);
        try (Mqtt5BlockingClient.Mqtt5Publishes in = back.publishes(MqttGlobalPublishFilter.ALL)) {
            MqttSupport.auth(back.connectWith()).cleanStart(false).sessionExpiryInterval(0).send();
            Mqtt5Publish p = in.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.getMessageExpiryInterval()).isPresent();
            assertThat(p.getMessageExpiryInterval().getAsLong()).isBetween(1L, 100L);
        }
    }

    @Test
    void invalidUtf8WithPayloadFormatIndicatorRefused0x99_MQTT_3_3_2_4() {
        Mqtt5BlockingClient c = mqtt.connected5(id("pfi"));
        assertThatThrownBy(() -> c.publishWith().topic("pfi/t").qos(MqttQos.AT_LEAST_ONCE)
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                .payload(new byte[] {(byte) 0xC3, (byte) 0x28}).send())
                .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID));
    }

    // The broker accepts every Topic Alias up to the maximum it announced [MQTT-3.3.2-12] and sends the subscriber
    // aliases within the maximum it asked for; a client that uses an alias above the broker's Topic Alias Maximum
    // breaks [MQTT-3.3.2-9] and is disconnected with 0x94 Topic Alias invalid.
    @Test
    void topicAliasesBothWays_MQTT_3_3_2_12() throws Exception {
        Mqtt5BlockingClient sub = mqtt.v5(id("alias"));
        MqttSupport.auth(sub.connectWith()).restrictions().topicAliasMaximum(4).applyRestrictions().send();
        Mqtt5BlockingClient pub = mqtt.v5(id("aliaspub"));
        MqttSupport.auth(pub.connectWith()).restrictions().sendTopicAliasMaximum(4).applyRestrictions().send();
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("alias/#").send();
            for (int i = 0; i < 3; i++) {
                pub.publishWith().topic("alias/long/topic/name").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(utf8("m" + i)).send();
            }
            for (int i = 0; i < 3; i++) {
                Mqtt5Publish p = in.receive(5, TimeUnit.SECONDS).orElseThrow();
                assertThat(p.getTopic().toString()).isEqualTo("alias/long/topic/name");
                assertThat(text(p.getPayloadAsBytes())).isEqualTo("m" + i);
            }
        }
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect5(id("badalias"));
            // Topic Alias 99 is above the server's Topic Alias Maximum of 8.
            raw.send(RawMqtt.packet(0x30, RawMqtt.concat(RawMqtt.str("a"), new byte[] {3, 0x23, 0, 99}, utf8("x"))));
            int[] d = raw.readPacket(5000);
            assertThat(d[0]).isEqualTo(0xE0);
            assertThat(d[1]).isEqualTo(0x94);
        }
    }

    @Test
    void oversizedOutboundPublishDroppedForThatClient_MQTT_3_1_2_25() throws Exception {
        Mqtt5BlockingClient sub = mqtt.v5(id("small"));
        MqttSupport.auth(sub.connectWith()).restrictions().maximumPacketSize(200).applyRestrictions().send();
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("size/t").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5BlockingClient pub = mqtt.connected5(id("sizepub"));
            pub.publishWith().topic("size/t").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[1000]).send();
            pub.publishWith().topic("size/t").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("small")).send();
            assertThat(text(in.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())).isEqualTo("small");
        }
    }

    @Test
    void aclDeniesSubscribeAndPublishWithReasonCodes() throws Exception {
        Mqtt5BlockingClient c = mqtt.v5(id("acl"));
        c.connectWith().simpleAuth().username("acl").password(utf8("acl")).applySimpleAuth().send();
        assertThatThrownBy(() -> c.subscribeWith().addSubscription().topicFilter("secret/x").applySubscription()
                .addSubscription().topicFilter("public/x").applySubscription().send())
                .isInstanceOfSatisfying(Mqtt5SubAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED,
                                Mqtt5SubAckReasonCode.GRANTED_QOS_2));
        assertThatThrownBy(() -> c.publishWith().topic("readonly/x").qos(MqttQos.AT_LEAST_ONCE)
                .payload(utf8("x")).send())
                .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));
        Mqtt3BlockingClient c3 = mqtt.v3(id("acl3"));
        c3.connectWith().simpleAuth().username("acl").password(utf8("acl")).applySimpleAuth().send();
        assertThatThrownBy(() -> c3.subscribeWith().topicFilter("secret/y").send())
                .isInstanceOfSatisfying(Mqtt3SubAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReturnCodes()).containsExactly(Mqtt3SubAckReturnCode.FAILURE));
    }

    @Test
    void sharedSubscriptionSpreadsLoad_MQTT_4_8_2() throws Exception {
        Mqtt5BlockingClient a = mqtt.connected5(id("shareA"));
        Mqtt5BlockingClient b = mqtt.connected5(id("shareB"));
        try (Mqtt5BlockingClient.Mqtt5Publishes inA = a.publishes(MqttGlobalPublishFilter.ALL);
             Mqtt5BlockingClient.Mqtt5Publishes inB = b.publishes(MqttGlobalPublishFilter.ALL)) {
            a.subscribeWith().topicFilter("$share/g/load/t").qos(MqttQos.AT_LEAST_ONCE).send();
            b.subscribeWith().topicFilter("$share/g/load/t").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5BlockingClient pub = mqtt.connected5(id("loadpub"));
            for (int i = 0; i < 10; i++) {
                pub.publishWith().topic("load/t").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("m" + i)).send();
            }
            int countA = 0;
            int countB = 0;
            while (countA + countB < 10) {
                if (inA.receive(50, TimeUnit.MILLISECONDS).isPresent()) {
                    countA++;
                }
                if (inB.receive(50, TimeUnit.MILLISECONDS).isPresent()) {
                    countB++;
                }
            }
            assertThat(countA).isPositive();
            assertThat(countB).isPositive();
        }
    }

    @Test
    void webSocketConnectPublishSubscribe_MQTT_6_0_0_1() throws Exception {
        Mqtt5BlockingClient ws = mqtt.track(MqttClient.builder().useMqttVersion5().identifier(id("ws"))
                .serverHost("127.0.0.1").serverPort(mqtt.port("mqtt_ws"))
                .webSocketConfig().serverPath("mqtt").subprotocol("mqtt").applyWebSocketConfig().buildBlocking());
        MqttSupport.auth(ws.connectWith()).send();
        Mqtt5BlockingClient tcp = mqtt.connected5(id("tcp"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = ws.publishes(MqttGlobalPublishFilter.ALL)) {
            ws.subscribeWith().topicFilter("ws/#").qos(MqttQos.AT_LEAST_ONCE).send();
            tcp.publishWith().topic("ws/a").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("over tcp")).send();
            assertThat(text(in.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())).isEqualTo("over tcp");
        }
        try (Mqtt5BlockingClient.Mqtt5Publishes in = tcp.publishes(MqttGlobalPublishFilter.ALL)) {
            tcp.subscribeWith().topicFilter("back/#").send();
            ws.publishWith().topic("back/b").qos(MqttQos.EXACTLY_ONCE).payload(utf8("over ws")).send();
            assertThat(text(in.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())).isEqualTo("over ws");
        }
        ws.disconnect();
    }
}
