package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static dev.junction.conformance.mqtt.MqttSupport.text;
import static dev.junction.conformance.mqtt.MqttSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.junction.conformance.BrokerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker's status under {@code $SYS/broker/} in Mosquitto's layout, published every {@code mqtt.sys_interval}
 * seconds (1 here): values follow what happens, a {@code #} subscription never sees them [MQTT-4.7.2-1], the ACL
 * decides who reads them, and no client writes them. Stock client: HiveMQ, MQTT 5 and 3.1.1.
 */
class MqttSysTopicsTest {
    private static final String SYS_USERS = MqttSupport.ACL_USER + """
              - name: watcher
                password: watcher
                permissions:
                  "/": { configure: ".*", write: ".*", read: ".*" }
                acl:
                  - { permission: allow, action: subscribe, topic: "$SYS/broker/clients/+" }
            """;

    @RegisterExtension
    final MqttSupport broker = MqttSupport.perMethod(BrokerConfig.standard()
            .withMqtt(MqttSupport.DEFAULT_MQTT + "  sys_interval: 1\n").withUsers(SYS_USERS));

    private Mqtt5BlockingClient connected5(String user, String clientId) {
        Mqtt5BlockingClient c = broker.v5(clientId);
        c.connectWith().simpleAuth().username(user).password(utf8(user)).applySimpleAuth().cleanStart(true).send();
        return c;
    }

    /** Reads {@code in} until {@code topic} carries {@code value}; fails after ten seconds. */
    private static void awaitValue(Mqtt5BlockingClient.Mqtt5Publishes in, String topic, String value)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            Optional<Mqtt5Publish> p = in.receive(500, TimeUnit.MILLISECONDS);
            if (p.isPresent() && p.get().getTopic().toString().equals(topic)) {
                String v = text(p.get().getPayloadAsBytes());
                if (v.equals(value)) {
                    return;
                }
                seen.add(v);
            }
        }
        throw new AssertionError(topic + " never became " + value + "; values seen: " + seen);
    }

    /** Every message {@code in} receives within {@code millis}. */
    private static List<Mqtt5Publish> drain(Mqtt5BlockingClient.Mqtt5Publishes in, long millis)
            throws InterruptedException {
        List<Mqtt5Publish> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            in.receive(100, TimeUnit.MILLISECONDS).ifPresent(out::add);
        }
        return out;
    }

    @Test
    void clientsConnectedFollowsClientsConnectingAndLeaving() throws Exception {
        Mqtt5BlockingClient watcher = connected5("guest", id("sys"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = watcher.publishes(MqttGlobalPublishFilter.ALL)) {
            watcher.subscribeWith().topicFilter("$SYS/broker/clients/connected").send();
            awaitValue(in, "$SYS/broker/clients/connected", "1");
            Mqtt5BlockingClient a = connected5("guest", id("a"));
            Mqtt5BlockingClient b = connected5("guest", id("b"));
            awaitValue(in, "$SYS/broker/clients/connected", "3");
            a.disconnect();
            b.disconnect();
            awaitValue(in, "$SYS/broker/clients/connected", "1");
        }
    }

    @Test
    void aNewSubscriberGetsTheCurrentValuesAsRetainedMessages() throws Exception {
        Mqtt5BlockingClient c = connected5("guest", id("sys"));
        Thread.sleep(1500); // at least one interval has run: every topic has a value
        try (Mqtt5BlockingClient.Mqtt5Publishes in = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.subscribeWith().topicFilter("$SYS/#").send();
            List<String> every = List.of("$SYS/broker/version", "$SYS/broker/uptime",
                    "$SYS/broker/clients/connected", "$SYS/broker/clients/total", "$SYS/broker/clients/disconnected",
                    "$SYS/broker/messages/received", "$SYS/broker/messages/sent",
                    "$SYS/broker/publish/messages/received", "$SYS/broker/publish/messages/sent",
                    "$SYS/broker/subscriptions/count", "$SYS/broker/retained messages/count",
                    "$SYS/broker/bytes/received");
            // The retained values, and intervals until one counts this subscription: a fixed 1.5 s left a late
            // timer on a loaded machine only half an interval to publish it.
            List<Mqtt5Publish> got = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!(got.stream().map(p -> p.getTopic().toString()).toList().containsAll(every)
                    && got.stream().anyMatch(p -> p.getTopic().toString().equals("$SYS/broker/subscriptions/count")
                    && text(p.getPayloadAsBytes()).equals("1"))) && System.nanoTime() < deadline) {
                in.receive(100, TimeUnit.MILLISECONDS).ifPresent(got::add);
            }
            long oneMoreInterval = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1200); // a later count, if any
            while (System.nanoTime() < oneMoreInterval) {
                in.receive(100, TimeUnit.MILLISECONDS).ifPresent(got::add);
            }
            List<String> topics = got.stream().map(p -> p.getTopic().toString()).toList();
            assertThat(topics).containsAll(every);
            Mqtt5Publish version = got.stream().filter(p -> p.getTopic().toString().equals("$SYS/broker/version"))
                    .findFirst().orElseThrow();
            assertThat(version.isRetain()).as("sent for a new subscription [MQTT-3.3.1-9]").isTrue();
            assertThat(text(version.getPayloadAsBytes())).startsWith("junction version ");
            List<String> counts = got.stream()
                    .filter(p -> p.getTopic().toString().equals("$SYS/broker/subscriptions/count"))
                    .map(p -> text(p.getPayloadAsBytes())).toList();
            assertThat(counts).as("this client's $SYS/# is the only subscription").contains("1");
            assertThat(counts.subList(counts.indexOf("1"), counts.size())).as("and stays the only one").containsOnly("1");
        }
    }

    @Test
    void wildcardsAtTheFirstLevelNeverMatchSysTopics() throws Exception {
        // [MQTT-4.7.2-1]: '#' and '+/...' do not match a topic beginning with '$', retained ones included.
        Mqtt5BlockingClient all = connected5("guest", id("all"));
        Mqtt5BlockingClient sys = connected5("guest", id("sys"));
        try (Mqtt5BlockingClient.Mqtt5Publishes everything = all.publishes(MqttGlobalPublishFilter.ALL);
             Mqtt5BlockingClient.Mqtt5Publishes status = sys.publishes(MqttGlobalPublishFilter.ALL)) {
            all.subscribeWith().addSubscription().topicFilter("#").applySubscription()
                    .addSubscription().topicFilter("+/broker/#").applySubscription().send();
            sys.subscribeWith().topicFilter("$SYS/broker/uptime").send();
            all.publishWith().topic("plain/x").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("plain")).send();
            // Two more intervals pass (the uptime changes each time) while '#' is subscribed.
            String first = text(status.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes());
            String second;
            do {
                second = text(status.receive(5, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes());
            } while (second.equals(first));
            List<String> topics = drain(everything, 300).stream().map(p -> p.getTopic().toString()).toList();
            assertThat(topics).contains("plain/x").noneMatch(t -> t.startsWith("$"));
        }
    }

    @Test
    void aUserWhoseAclDoesNotNameSysIsRefusedTheSubscription() {
        // The acl user's "allow #" does not cover '$' topics [MQTT-4.7.2-1]: $SYS/# can match only denied topics.
        Mqtt5BlockingClient c5 = connected5("acl", id("acl5"));
        assertThatThrownBy(() -> c5.subscribeWith().topicFilter("$SYS/#").send())
                .isInstanceOfSatisfying(Mqtt5SubAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED));
        Mqtt3BlockingClient c3 = broker.v3(id("acl3"));
        c3.connectWith().simpleAuth().username("acl").password(utf8("acl")).applySimpleAuth().send();
        assertThatThrownBy(() -> c3.subscribeWith().topicFilter("$SYS/broker/uptime").send())
                .isInstanceOfSatisfying(Mqtt3SubAckException.class, e -> assertThat(e.getMqttMessage()
                        .getReturnCodes()).containsExactly(Mqtt3SubAckReturnCode.FAILURE));
    }

    @Test
    void aUserAllowedPartOfSysReadsOnlyThatPart() throws Exception {
        // watcher may read $SYS/broker/clients/+ only: $SYS/# is granted, every delivery is checked.
        Mqtt5BlockingClient c = connected5("watcher", id("watch"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = c.publishes(MqttGlobalPublishFilter.ALL)) {
            c.subscribeWith().topicFilter("$SYS/#").send();
            List<String> topics = drain(in, 2500).stream().map(p -> p.getTopic().toString()).toList();
            assertThat(topics).contains("$SYS/broker/clients/connected")
                    .allMatch(t -> t.startsWith("$SYS/broker/clients/"));
        }
    }

    @Test
    void noClientPublishesToSys() throws Exception {
        Mqtt5BlockingClient reader = connected5("guest", id("reader"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = reader.publishes(MqttGlobalPublishFilter.ALL)) {
            reader.subscribeWith().topicFilter("$SYS/broker/clients/#").send();
            // guest is an administrator without an ACL, and still may not: MQTT 5 PUBACK 0x87.
            Mqtt5BlockingClient writer = connected5("guest", id("w5"));
            assertThatThrownBy(() -> writer.publishWith().topic("$SYS/broker/clients/connected").retain(true)
                    .qos(MqttQos.AT_LEAST_ONCE).payload(utf8("999")).send())
                    .isInstanceOfSatisfying(Mqtt5PubAckException.class, e -> assertThat(e.getMqttMessage()
                            .getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));
            // MQTT 3.1.1 has no negative PUBACK: acknowledged and dropped [MQTT-3.3.5-2].
            Mqtt3BlockingClient writer3 = broker.v3(id("w3"));
            writer3.connectWith().simpleAuth().username("guest").password(utf8("guest")).applySimpleAuth().send();
            writer3.publishWith().topic("$SYS/broker/clients/total").retain(true).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(utf8("999")).send();
            List<Mqtt5Publish> got = drain(in, 2500);
            assertThat(got).isNotEmpty().noneMatch(p -> text(p.getPayloadAsBytes()).equals("999"));
        }
        // Nor was anything retained: a new subscriber gets the broker's values.
        Mqtt5BlockingClient late = connected5("guest", id("late"));
        try (Mqtt5BlockingClient.Mqtt5Publishes in = late.publishes(MqttGlobalPublishFilter.ALL)) {
            late.subscribeWith().topicFilter("$SYS/broker/clients/+").send();
            assertThat(drain(in, 500)).isNotEmpty().noneMatch(p -> text(p.getPayloadAsBytes()).equals("999"));
        }
    }

    @Test
    void anIntervalOfZeroPublishesNothing() throws Exception {
        broker.stop();
        MqttSupport off = MqttSupport.byTest();
        try {
            off.start(BrokerConfig.standard().withMqtt(MqttSupport.DEFAULT_MQTT + "  sys_interval: 0\n"));
            Mqtt5BlockingClient c = off.connected5(id("off"));
            try (Mqtt5BlockingClient.Mqtt5Publishes in = c.publishes(MqttGlobalPublishFilter.ALL)) {
                c.subscribeWith().topicFilter("$SYS/#").send();
                assertThat(drain(in, 2500)).isEmpty();
            }
        } finally {
            off.stop();
        }
    }
}
