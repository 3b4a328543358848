package dev.junction.conformance.authz;

import static dev.junction.conformance.authz.AuthzFixture.id;
import static dev.junction.conformance.authz.AuthzFixture.next;
import static dev.junction.conformance.authz.AuthzFixture.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The MQTT ACL holds for wildcard and shared subscriptions: a SUBSCRIBE is judged by the topics its filter can match
 * (refused with 0x87 / 0x80 when it can match only denied ones) and every delivery, retained ones included, is
 * checked against the concrete topic. Publishes, wills included, are checked at PUBLISH and at CONNECT; '$' topics
 * are the server's ([MQTT-4.7.2-1], MQTT 5 section 4.7.2: the server SHOULD prevent clients from using them).
 */
class MqttAclTest {
    @RegisterExtension
    static final AuthzFixture fx = AuthzFixture.perClass();

    /** Publishes {@code secret/x} then {@code public/x} (QoS 1, as guest). */
    private static void publishSecretThenPublic(String secret, String pub) {
        Mqtt5BlockingClient g = fx.connected5("guest", id("pub"));
        g.publishWith().topic(secret).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("secret")).send();
        g.publishWith().topic(pub).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("public")).send();
        g.disconnect();
    }

    @Test
    void wildcardAndSharedFiltersOverlappingDeniedTopicsAreGrantedButDeniedMessagesAreNotDelivered()
            throws Exception {
        // ACL deny secret/#, allow #. Each filter also matches secret/x; it is granted (it matches public/x too), and
        // the secret message published first must never reach the subscriber: the first message it gets is public.
        String group = id("g");
        List<String> filters = List.of("#", "+/#", "+/x", "$share/" + group + "/#", "$share/" + group + "b/+/x");
        List<Mqtt5BlockingClient.Mqtt5Publishes> inboxes = new ArrayList<>();
        for (String filter : filters) {
            Mqtt5BlockingClient c = fx.connected5("dev", id("wild"));
            inboxes.add(c.publishes(MqttGlobalPublishFilter.ALL));
            // Retained messages of other tests stay out of the way (Retain Handling 2, [MQTT-3.3.1-11]).
            Mqtt5SubAck ack = c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE)
                    .retainHandling(Mqtt5RetainHandling.DO_NOT_SEND).send();
            assertThat(ack.getReasonCodes()).as(filter).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        }
        publishSecretThenPublic("secret/x", "public/x");
        for (int i = 0; i < filters.size(); i++) {
            assertThat(next(inboxes.get(i))).as("first message through %s", filters.get(i)).isEqualTo("public");
            inboxes.get(i).close();
        }
    }

    @Test
    void aFilterThatCanOnlyMatchDeniedTopicsIsRefusedWith0x87And0x80() {
        // MQTT 5 SUBACK 0x87 Not authorized; 3.1.1 SUBACK 0x80 Failure [MQTT-3.9.3-2 (3.1.1)].
        Mqtt5BlockingClient c = fx.connected5("dev", id("none5"));
        assertThatThrownBy(() -> c.subscribeWith()
                .addSubscription().topicFilter("secret/#").applySubscription()
                .addSubscription().topicFilter("$share/" + id("g") + "/secret/+/y").applySubscription()
                .addSubscription().topicFilter("+/x").applySubscription().send())
                .isInstanceOfSatisfying(Mqtt5SubAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED,
                        Mqtt5SubAckReasonCode.NOT_AUTHORIZED, Mqtt5SubAckReasonCode.GRANTED_QOS_2));
        // narrow may subscribe to a/b only: a/c/# can match nothing it may read.
        Mqtt3BlockingClient c3 = fx.connected3("narrow", id("none3"));
        assertThatThrownBy(() -> c3.subscribeWith().topicFilter("a/c/#").send())
                .isInstanceOfSatisfying(Mqtt3SubAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReturnCodes()).containsExactly(Mqtt3SubAckReturnCode.FAILURE));
    }

    @Test
    void aFilterOverlappingAnAllowRuleIsGrantedAndDeliversOnlyTheAllowedTopics() throws Exception {
        // narrow: allow subscribe a/b, nothing else. a/+ matches a/b (allowed) and a/c (denied): granted, and a/c
        // filtered out at delivery. (Matching the filter text as a topic refused it.)
        Mqtt5BlockingClient c = fx.connected5("narrow", id("overlap"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = c.publishes(MqttGlobalPublishFilter.ALL)) {
            assertThat(c.subscribeWith().topicFilter("a/+").qos(MqttQos.AT_LEAST_ONCE).send().getReasonCodes())
                    .containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
            publishSecretThenPublic("a/c", "a/b");
            assertThat(next(in)).isEqualTo("public");
        }
    }

    @Test
    void percentUAndPercentCAreTheUserAndClientIdInRules() throws Exception {
        // own: allow users/%u/# and clients/%c/#. clients/+/in matches its own client's topic and others'.
        String cid = id("cid");
        Mqtt5BlockingClient c = fx.connected5("own", cid);
        try (Mqtt5BlockingClient.Mqtt5Publishes in = c.publishes(MqttGlobalPublishFilter.ALL)) {
            assertThatThrownBy(() -> c.subscribeWith()
                    .addSubscription().topicFilter("clients/+/in").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                    .addSubscription().topicFilter("users/other/#").applySubscription()
                    .addSubscription().topicFilter("users/own/#").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                    .send())
                    .isInstanceOfSatisfying(Mqtt5SubAckException.class, e -> assertThat(e.getMqttMessage()
                            .getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1,
                            Mqtt5SubAckReasonCode.NOT_AUTHORIZED, Mqtt5SubAckReasonCode.GRANTED_QOS_1));
            publishSecretThenPublic("clients/someone-else/in", "clients/" + cid + "/in");
            assertThat(next(in)).isEqualTo("public");
            assertThatThrownBy(() -> c.publishWith().topic("users/other/x").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(utf8("x")).send())
                    .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(e.getMqttMessage()
                            .getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));
            c.publishWith().topic("users/own/x").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("mine")).send();
            assertThat(next(in)).isEqualTo("mine");
        }
    }

    @Test
    void retainedMessagesSentOnSubscribeObeyTheSameReadCheck() throws Exception {
        // [MQTT-3.3.1-9]: retained messages go out on SUBSCRIBE; here only those the subscriber may read.
        String tag = id("r");
        Mqtt5BlockingClient g = fx.connected5("guest", id("retainer"));
        g.publishWith().topic("secret/" + tag).retain(true).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("secret")).send();
        g.publishWith().topic("open/" + tag).retain(true).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("public")).send();
        Mqtt5BlockingClient c = fx.connected5("dev", id("retsub"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = c.publishes(MqttGlobalPublishFilter.ALL)) {
            // Both filters in one SUBSCRIBE: the retained messages of the first are sent before those of the second.
            c.subscribeWith().addSubscription().topicFilter("+/" + tag).qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                    .addSubscription().topicFilter("end/" + tag).qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                    .send();
            g.publishWith().topic("end/" + tag).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("end")).send();
            List<String> got = new ArrayList<>();
            for (String m = next(in); !m.equals("end"); m = next(in)) {
                got.add(m);
            }
            assertThat(got).containsExactly("public");
        }
    }

    @Test
    void willsArePublishesCheckedAtConnectIncludingTheDollarRule() {
        // The will is authorized at CONNECT, as a publish: narrow may publish to x/# only; nobody to '$' topics.
        for (String[] userTopic : new String[][] {{"narrow", "a/will"}, {"guest", "$SYS/will"}}) {
            Mqtt5BlockingClient c = fx.v5(id("will"));
            assertThatThrownBy(() -> c.connectWith().simpleAuth().username(userTopic[0])
                    .password(utf8(userTopic[0])).applySimpleAuth().willPublish().topic(userTopic[1])
                    .payload(utf8("gone")).applyWillPublish().send())
                    .as("will on %s by %s", userTopic[1], userTopic[0])
                    .isInstanceOfSatisfying(Mqtt5ConnAckException.class, e -> assertThat(e.getMqttMessage()
                            .getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED));
        }
        Mqtt5BlockingClient ok = fx.v5(id("willok"));
        ok.connectWith().simpleAuth().username("narrow").password(utf8("narrow")).applySimpleAuth()
                .willPublish().topic("x/will").payload(utf8("gone")).applyWillPublish().send();
        assertThat(ok.getState().isConnected()).isTrue();
    }

    @Test
    void noClientMayPublishToADollarTopicRetainedIncluded() throws Exception {
        // MQTT 5: PUBACK 0x87. 3.1.1 has no negative PUBACK: the message is acknowledged and dropped
        // [MQTT-3.3.5-2], and nothing is retained.
        String tag = id("d");
        Mqtt5BlockingClient g5 = fx.connected5("guest", id("sys5"));
        assertThatThrownBy(() -> g5.publishWith().topic("$SYS/" + tag).retain(true).qos(MqttQos.AT_LEAST_ONCE)
                .payload(utf8("forged")).send())
                .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));
        Mqtt3BlockingClient g3 = fx.connected3("guest", id("sys3"));
        g3.publishWith().topic("$SYS/" + tag + "/3").retain(true).qos(MqttQos.AT_LEAST_ONCE)
                .payload(utf8("forged")).send();
        g3.publishWith().topic("end/" + tag).retain(true).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("end")).send();
        Mqtt5BlockingClient c = fx.connected5("guest", id("sysread"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.subscribeWith().addSubscription().topicFilter("$SYS/" + tag + "/#").qos(MqttQos.AT_LEAST_ONCE)
                    .applySubscription().addSubscription().topicFilter("end/" + tag).qos(MqttQos.AT_LEAST_ONCE)
                    .applySubscription().send();
            assertThat(next(in)).isEqualTo("end");
        }
    }
}
