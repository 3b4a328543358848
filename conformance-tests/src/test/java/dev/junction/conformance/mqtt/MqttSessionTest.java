package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static dev.junction.conformance.mqtt.MqttSupport.text;
import static dev.junction.conformance.mqtt.MqttSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.micrometer.core.instrument.Counter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Persistent sessions, session expiry, offline queue limits, retained messages and wills. */
class MqttSessionTest {
    @RegisterExtension
    final MqttSupport mqtt = MqttSupport.perMethod();

    private Mqtt3BlockingClient persistent3(String clientId, boolean expectPresent) {
        Mqtt3BlockingClient c = mqtt.v3(clientId);
        Mqtt3ConnAck ack = c.connectWith().simpleAuth().username("guest").password(utf8("guest")).applySimpleAuth()
                .cleanSession(false).send();
        assertThat(ack.isSessionPresent()).isEqualTo(expectPresent);
        return c;
    }

    // 3.1.1: the session outlives the connection [MQTT-3.1.2-4], and QoS 1 messages matching its subscriptions that
    // arrive while it is disconnected are stored in it [MQTT-3.1.2-5] and delivered when it resumes.
    @Test
    void persistentSessionReceivesMessagesQueuedWhileOffline_MQTT_3_1_2_4() throws Exception {
        String clientId = id("persist");
        Mqtt3BlockingClient c = persistent3(clientId, false);
        c.subscribeWith().topicFilter("persist/#").qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnect();
        Mqtt3BlockingClient pub = mqtt.connected3(id("pp"));
        for (int i = 1; i <= 3; i++) {
            pub.publishWith().topic("persist/" + i).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("m" + i)).send();
        }
        Mqtt3BlockingClient again = mqtt.v3(clientId);
        try (Mqtt3BlockingClient.Mqtt3Publishes in = again.publishes(MqttGlobalPublishFilter.ALL)) {
            Mqtt3ConnAck ack = again.connectWith().simpleAuth().username("guest").password(utf8("guest"))
                    .applySimpleAuth().cleanSession(false).send();
            assertThat(ack.isSessionPresent()).isTrue(); // [MQTT-3.2.2-2]
            for (int i = 1; i <= 3; i++) {
                assertThat(text(in.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes())).isEqualTo("m" + i);
            }
        }
    }

    @Test
    void cleanSessionDiscardsPreviousSession_MQTT_3_1_2_6() {
        String clientId = id("clean");
        Mqtt3BlockingClient c = persistent3(clientId, false);
        c.subscribeWith().topicFilter("clean/#").qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnect();
        Mqtt3BlockingClient again = mqtt.v3(clientId);
        Mqtt3ConnAck ack = again.connectWith().simpleAuth().username("guest").password(utf8("guest"))
                .applySimpleAuth().cleanSession(true).send();
        assertThat(ack.isSessionPresent()).isFalse(); // [MQTT-3.2.2-1]
    }

    @Test
    void sessionExpiresAfterItsInterval_MQTT_3_1_2_23() throws Exception {
        String clientId = id("expiry");
        Mqtt5BlockingClient c = mqtt.v5(clientId);
        MqttSupport.auth(c.connectWith()).cleanStart(true).sessionExpiryInterval(1).send();
        c.subscribeWith().topicFilter("exp/#").send();
        c.disconnect();
        Mqtt5BlockingClient soon = mqtt.v5(clientId);
        assertThat(MqttSupport.auth(soon.connectWith()).cleanStart(false).sessionExpiryInterval(1).send()
                .isSessionPresent()).isTrue();
        soon.disconnect();
        // The expiry runs on a timer, which a loaded machine can run well past 1 s: wait for its end (the session's
        // queue goes with it) instead of a fixed 1.6 s, then ask whether the session is gone.
        var vhost = mqtt.broker().engine().vhost("/").orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (vhost.queue("mqtt.session." + clientId).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Mqtt5BlockingClient late = mqtt.v5(clientId);
        assertThat(MqttSupport.auth(late.connectWith()).cleanStart(false).send().isSessionPresent()).isFalse();
    }

    @Test
    void offlineQueueDropsOldestPastMaxQueuedMessagesAndCountsThem() throws Exception {
        String clientId = id("full");
        Mqtt3BlockingClient c = persistent3(clientId, false);
        c.subscribeWith().topicFilter("full/t").qos(MqttQos.AT_LEAST_ONCE).send();
        c.disconnect();
        Mqtt3BlockingClient pub = mqtt.connected3(id("fullpub"));
        for (int i = 1; i <= 8; i++) {
            pub.publishWith().topic("full/t").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("m" + i)).send();
        }
        Mqtt3BlockingClient again = mqtt.v3(clientId);
        List<String> got = new ArrayList<>();
        try (Mqtt3BlockingClient.Mqtt3Publishes in = again.publishes(MqttGlobalPublishFilter.ALL)) {
            again.connectWith().simpleAuth().username("guest").password(utf8("guest")).applySimpleAuth()
                    .cleanSession(false).send();
            for (int i = 0; i < 5; i++) {
                got.add(text(in.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes()));
            }
        }
        assertThat(got).containsExactly("m4", "m5", "m6", "m7", "m8");
        Counter dropped = mqtt.broker().registry().find("junction.mqtt.dropped").tag("reason", "queue_full")
                .counter();
        assertThat(dropped).isNotNull();
        for (int i = 0; i < 250 && dropped.count() < 3; i++) {
            Thread.sleep(20);
        }
        assertThat(dropped.count()).isEqualTo(3.0);
    }

    // The name and the comments below use the 3.1.1 numbering. The clients here are MQTT 5, whose numbering is:
    // retained messages are stored [MQTT-3.3.1-5] and sent to a new subscription [MQTT-3.3.1-9]; an empty retained
    // payload removes the topic's retained message [MQTT-3.3.1-6] and is not stored itself [MQTT-3.3.1-7].
    @Test
    void retainedMessagesMatchWildcardsAndEmptyPayloadClears_MQTT_3_3_1_6_and_3_3_1_10() throws Exception {
        Mqtt5BlockingClient pub = mqtt.connected5(id("rpub"));
        pub.publishWith().topic("ret/a").retain(true).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("A")).send();
        pub.publishWith().topic("ret/b/c").retain(true).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("BC")).send();
        pub.publishWith().topic("other/x").retain(true).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("X")).send();
        Mqtt5BlockingClient sub = mqtt.connected5(id("rsub"));
        List<String> got = new ArrayList<>();
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("ret/#").qos(MqttQos.AT_LEAST_ONCE).send();
            for (int i = 0; i < 2; i++) {
                Mqtt5Publish p = in.receive(5, TimeUnit.SECONDS).orElseThrow();
                assertThat(p.isRetain()).isTrue(); // [MQTT-3.3.1-8]
                got.add(p.getTopic() + "=" + text(p.getPayloadAsBytes()));
            }
        }
        assertThat(got).containsExactlyInAnyOrder("ret/a=A", "ret/b/c=BC");
        pub.publishWith().topic("ret/a").retain(true).qos(MqttQos.AT_LEAST_ONCE).payload(new byte[0]).send();
        Mqtt5BlockingClient sub2 = mqtt.connected5(id("rsub2"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = sub2.publishes(MqttGlobalPublishFilter.ALL)) {
            sub2.subscribeWith().topicFilter("ret/+").qos(MqttQos.AT_LEAST_ONCE).send();
            sub2.subscribeWith().topicFilter("ret/b/+").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5Publish p = in.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.getTopic().toString()).isEqualTo("ret/b/c"); // ret/a was cleared [MQTT-3.3.1-10]
        }
    }

    // The will is published when the connection ends other than by a normal DISCONNECT [MQTT-3.1.2-8] (a DISCONNECT
    // 0x04 or, on 3.1.1, a socket closed without one); a DISCONNECT with reason 0x00 discards it [MQTT-3.14.4-3].
    @Test
    void willPublishedOnAbnormalCloseNotOnNormalDisconnect_MQTT_3_1_2_8_and_3_14_4_3() throws Exception {
        Mqtt5BlockingClient watcher = mqtt.connected5(id("watch"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
            watcher.subscribeWith().topicFilter("will/#").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5BlockingClient normal = mqtt.v5(id("normal"));
            MqttSupport.auth(normal.connectWith()).willPublish().topic("will/normal").payload(utf8("n"))
                    .qos(MqttQos.AT_LEAST_ONCE).applyWillPublish().send();
            normal.disconnect(); // reason 0x00: the will is discarded
            Mqtt5BlockingClient dying = mqtt.v5(id("dying"));
            MqttSupport.auth(dying.connectWith()).willPublish().topic("will/dying").payload(utf8("d"))
                    .qos(MqttQos.AT_LEAST_ONCE).applyWillPublish().send();
            dying.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();
            Mqtt5Publish p = in.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.getTopic().toString()).isEqualTo("will/dying");
            try (RawMqtt raw = new RawMqtt(mqtt.port())) {
                raw.connect3WithWill(id("raw"), "will/raw", "r");
            } // socket closed without DISCONNECT
            Mqtt5Publish r = in.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(r.getTopic().toString()).isEqualTo("will/raw");
        }
    }

    @Test
    void willDelayWaitsAndIsCancelledByResume_MQTT_3_1_3_9() throws Exception {
        Mqtt5BlockingClient watcher = mqtt.connected5(id("watchd"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
            watcher.subscribeWith().topicFilter("wd/#").qos(MqttQos.AT_LEAST_ONCE).send();
            String resumed = id("resumed");
            Mqtt5BlockingClient r = mqtt.v5(resumed);
            MqttSupport.auth(r.connectWith()).sessionExpiryInterval(60).willPublish().topic("wd/resumed")
                    .payload(utf8("x")).delayInterval(2).applyWillPublish().send();
            r.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();
            Mqtt5BlockingClient back = mqtt.v5(resumed);
            MqttSupport.auth(back.connectWith()).cleanStart(false).sessionExpiryInterval(60).send();

            Mqtt5BlockingClient d = mqtt.v5(id("delayed"));
            long before = System.nanoTime();
            MqttSupport.auth(d.connectWith()).sessionExpiryInterval(60).willPublish().topic("wd/delayed")
                    .payload(utf8("y")).delayInterval(1).applyWillPublish().send();
            d.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send();
            Mqtt5Publish p = in.receive(5, TimeUnit.SECONDS).orElseThrow();
            assertThat(p.getTopic().toString()).isEqualTo("wd/delayed"); // not wd/resumed
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before)).isGreaterThanOrEqualTo(900);
        }
    }

    @Test
    void keepAliveEnforcedAtOneAndAHalfTimes_MQTT_3_1_2_24() throws Exception {
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            long start = System.nanoTime();
            raw.connect3("ka-" + System.nanoTime(), 1);
            assertThat(raw.readUntilClosed(5000)).isTrue();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(ms).isBetween(1000L, 4000L);
        }
    }

    @Test
    void serverKeepAliveLowersExcessiveKeepAlive_MQTT_3_2_2_21() {
        Mqtt5BlockingClient c = mqtt.v5(id("ska"));
        Mqtt5ConnAck ack = MqttSupport.auth(c.connectWith()).keepAlive(600).send();
        assertThat(ack.getServerKeepAlive()).hasValue(30);
    }

    @Test
    void persistentSessionUnackedMessageResentWithDup_MQTT_4_4_0_1() throws Exception {
        String clientId = id("dup");
        Mqtt3BlockingClient pub = mqtt.connected3(id("duppub"));
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect3Persistent(clientId);
            raw.subscribe("dup/t", 1);
            pub.publishWith().topic("dup/t").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("once")).send();
            int[] first = raw.readPacket(5000);
            assertThat(first[0] & 0xF0).isEqualTo(0x30);
            assertThat(first[0] & 0x08).isZero();
        } // closed without PUBACK
        try (RawMqtt raw = new RawMqtt(mqtt.port())) {
            raw.connect3Persistent(clientId);
            int[] again = raw.readPacket(5000);
            assertThat(again[0] & 0xF0).isEqualTo(0x30);
            assertThat(again[0] & 0x08).isEqualTo(0x08); // DUP
        }
    }
}
