package dev.junction.conformance.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import dev.junction.conformance.BrokerConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Retained messages are bounded per vhost (limits.max_retained_messages / max_retained_bytes): past the limit a
 * retained publish to a new topic is refused with MQTT 5 PUBACK 0x97 Quota exceeded (MQTT 5 section 3.4.2.1); an
 * MQTT 3.1.1 publisher, which has no negative acknowledgement, has its message routed but not retained. Replacing
 * or clearing a topic that holds one always works [MQTT-3.3.1-5, MQTT-3.3.1-6].
 */
class RetainedLimitsTest {
    @RegisterExtension
    final MqttSupport s = MqttSupport.byTest();

    /** Starts this test's broker with {@code limits} (keys of the limits section, indented by two spaces). */
    private MqttSupport start(String limits) throws Exception {
        s.start(BrokerConfig.standard().withLimits(limits));
        return s;
    }

    @Test
    void pastTheRetainedLimitANewTopicGetsQuotaExceededWhileReplacingAndClearingStillWork() throws Exception {
        start("  max_retained_messages: 2\n");
        Mqtt5BlockingClient pub = s.connected5(MqttSupport.id("pub"));
        retain(pub, "r/1", "a");
        retain(pub, "r/2", "b");
        assertThatThrownBy(() -> retain(pub, "r/3", "c"))
                .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(e.getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED));
        retain(pub, "r/1", "a2"); // replacing works at the limit
        retain(pub, "r/2", "");   // so does clearing, and it makes room
        retain(pub, "r/3", "c");

        assertThat(retainedOnSubscribe(pub)).containsExactlyInAnyOrderEntriesOf(Map.of("r/1", "a2", "r/3", "c"));
    }

    @Test
    void theRetainedBytesLimitRefusesANewTopicThatWouldPassIt() throws Exception {
        start("  max_retained_bytes: 4000\n");
        Mqtt5BlockingClient pub = s.connected5(MqttSupport.id("pub"));
        retain(pub, "big/1", "x".repeat(2000));
        assertThatThrownBy(() -> retain(pub, "big/2", "y".repeat(2500)))
                .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(e.getMqttMessage().getReasonCode())
                        .isEqualTo(Mqtt5PubAckReasonCode.QUOTA_EXCEEDED));
        retain(pub, "big/1", "x".repeat(3000)); // replacing always works
    }

    @Test
    void anMqtt311RetainedPublishPastTheLimitIsRoutedButNotRetained() throws Exception {
        start("  max_retained_messages: 1\n");
        Mqtt5BlockingClient live = s.connected5(MqttSupport.id("live"));
        try (Mqtt5BlockingClient.Mqtt5Publishes got = live.publishes(MqttGlobalPublishFilter.ALL)) {
            live.subscribeWith().topicFilter("v3/#").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt3BlockingClient pub = s.connected3(MqttSupport.id("pub3"));
            pub.publishWith().topic("v3/1").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                    .payload(MqttSupport.utf8("kept")).send();
            // Acknowledged as usual (3.1.1 has no negative PUBACK) and delivered to the live subscriber.
            pub.publishWith().topic("v3/2").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                    .payload(MqttSupport.utf8("routed")).send();
            assertThat(got.receive(10, TimeUnit.SECONDS).map(p -> MqttSupport.text(p.getPayloadAsBytes())))
                    .contains("kept");
            assertThat(got.receive(10, TimeUnit.SECONDS).map(p -> MqttSupport.text(p.getPayloadAsBytes())))
                    .contains("routed");
        }
        assertThat(retainedOnSubscribe(s.connected5(MqttSupport.id("p")), "v3/#")).containsExactly(Map.entry("v3/1",
                "kept"));
    }

    private static void retain(Mqtt5BlockingClient pub, String topic, String payload) {
        pub.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(true).payload(MqttSupport.utf8(payload))
                .send();
    }

    private Map<String, String> retainedOnSubscribe(Mqtt5BlockingClient pub) throws Exception {
        return retainedOnSubscribe(pub, "r/#");
    }

    /**
     * What a new subscriber to {@code filter} gets as retained: everything before a marker that {@code pub}
     * publishes (not retained) once the subscription is in place.
     */
    private Map<String, String> retainedOnSubscribe(Mqtt5BlockingClient pub, String filter) throws Exception {
        Mqtt5BlockingClient sub = s.connected5(MqttSupport.id("sub"));
        Map<String, String> retained = new LinkedHashMap<>();
        try (Mqtt5BlockingClient.Mqtt5Publishes got = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
            String marker = filter.replace("#", "marker");
            pub.publishWith().topic(marker).qos(MqttQos.AT_LEAST_ONCE).payload(MqttSupport.utf8("end")).send();
            while (true) {
                Mqtt5Publish p = got.receive(10, TimeUnit.SECONDS).orElseThrow();
                if (p.getTopic().toString().equals(marker)) {
                    return retained;
                }
                assertThat(p.isRetain()).as("only retained messages before the marker").isTrue();
                retained.put(p.getTopic().toString(), MqttSupport.text(p.getPayloadAsBytes()));
            }
        }
    }
}
