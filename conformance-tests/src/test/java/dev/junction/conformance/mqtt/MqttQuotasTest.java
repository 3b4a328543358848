package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.junction.conformance.BrokerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Subscriptions per MQTT session, filters per SUBSCRIBE and the user's connection limit. A filter a limit refuses
 * gets 0x97 Quota exceeded on MQTT 5 and 0x80 Failure on 3.1.1 [MQTT-3.9.3-2]; a CONNECT past the user's or
 * vhost's max_connections gets CONNACK 0x97 Quota exceeded on MQTT 5 and 0x03 Server unavailable on 3.1.1.
 */
class MqttQuotasTest {
    private static final int FILTERS = 2000;

    // A broker per test: each test counts connections and bindings from zero.
    @RegisterExtension
    final MqttSupport mqtt = MqttSupport.perMethod(BrokerConfig.standard().withLimits("""
              max_filters_per_subscribe: %d
              max_subscriptions_per_session: %d
              users:
                guest: { max_connections: 3 }
            """.formatted(FILTERS, FILTERS + 2)).withMqtt(MqttSupport.DEFAULT_MQTT.replace("65536", "1048576")));

    private static List<Mqtt5Subscription> filters(String prefix, int n) {
        List<Mqtt5Subscription> subs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            subs.add(Mqtt5Subscription.builder().topicFilter(prefix + "/" + i + "/+").qos(MqttQos.AT_LEAST_ONCE)
                    .build());
        }
        return subs;
    }

    private static List<Mqtt5SubAckReasonCode> subscribe(Mqtt5BlockingClient c, List<Mqtt5Subscription> subs) {
        try {
            return c.subscribeWith().addSubscriptions(subs).send().getReasonCodes();
        } catch (Mqtt5SubAckException e) {
            return e.getMqttMessage().getReasonCodes();
        }
    }

    @Test
    void aSubscribeWithMoreFiltersThanTheLimitIsRefusedWholeWithQuotaExceeded() {
        Mqtt5BlockingClient c = mqtt.connected5(MqttSupport.id("many"));

        List<Mqtt5SubAckReasonCode> codes = subscribe(c, filters("over", FILTERS + 1));

        // A SUBACK answers the SUBSCRIBE [MQTT-3.8.4-1] with a reason code for each filter [MQTT-3.8.4-6].

        assertThat(codes).hasSize(FILTERS + 1).containsOnly(Mqtt5SubAckReasonCode.QUOTA_EXCEEDED);
        // None of it was applied: no binding was made for the session.
        assertThat(mqtt.broker().engine().vhost("/").orElseThrow().bindingCount()).isZero();
    }

    @Test
    void onMqtt311aRefusedFilterGetsFailure() {
        Mqtt3BlockingClient c = mqtt.connected3(MqttSupport.id("many3"));
        var b = c.subscribeWith().topicFilter("x/0").qos(MqttQos.AT_LEAST_ONCE);
        var sub = b.addSubscription().topicFilter("x/1").qos(MqttQos.AT_LEAST_ONCE).applySubscription();
        for (int i = 2; i <= FILTERS; i++) {
            sub = sub.addSubscription().topicFilter("x/" + i).qos(MqttQos.AT_LEAST_ONCE).applySubscription();
        }
        Mqtt3SubAckException e = catchThrowableOfType(Mqtt3SubAckException.class, sub::send);

        assertThat(e.getMqttMessage().getReturnCodes()).hasSize(FILTERS + 1)
                .containsOnly(Mqtt3SubAckReturnCode.FAILURE);
    }

    /**
     * One SUBSCRIBE at the filter limit is applied in full while another client keeps publishing and receiving;
     * then the session limit refuses the subscription after the last one it allows.
     */
    @Test
    void aSubscribeAtTheLimitIsGrantedWhileOthersPublishAndTheSessionLimitRefusesTheNextFilter() throws Exception {
        Mqtt5AsyncClient other = mqtt.connected5(MqttSupport.id("other")).toAsync();
        List<Mqtt5Publish> received = java.util.Collections.synchronizedList(new ArrayList<>());
        other.publishes(MqttGlobalPublishFilter.ALL, received::add);
        other.subscribeWith().topicFilter("chatter").qos(MqttQos.AT_LEAST_ONCE).send().get(5, TimeUnit.SECONDS);
        Mqtt5BlockingClient big = mqtt.connected5(MqttSupport.id("big"));
        java.util.concurrent.BlockingQueue<Mqtt5Publish> bigInbox = new java.util.concurrent.LinkedBlockingQueue<>();
        big.toAsync().publishes(MqttGlobalPublishFilter.ALL, bigInbox::add);

        CompletableFuture<List<Mqtt5SubAckReasonCode>> subscribed =
                CompletableFuture.supplyAsync(() -> subscribe(big, filters("fleet", FILTERS)));
        int sent = 0;
        while (!subscribed.isDone() || sent < 20) {
            other.publishWith().topic("chatter").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("m" + sent)).send()
                    .get(10, TimeUnit.SECONDS);
            sent++;
        }

        assertThat(subscribed.get(30, TimeUnit.SECONDS)).hasSize(FILTERS)
                .containsOnly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (received.size() < sent && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(received).hasSize(sent);
        // The subscriptions work: a publish to one of them reaches the big subscriber.
        other.publishWith().topic("fleet/1999/temp").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("t")).send()
                .get(5, TimeUnit.SECONDS);
        Mqtt5Publish got = bigInbox.poll(5, TimeUnit.SECONDS);
        assertThat(got).isNotNull();
        assertThat(got.getTopic().toString()).isEqualTo("fleet/1999/temp");

        assertThat(subscribe(big, filters("more", 2))).containsOnly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        // A filter the session already has replaces its subscription [MQTT-3.8.4-3]: not a new one for the limit.
        assertThat(subscribe(big, filters("fleet", 1)))
                .containsOnly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        assertThat(subscribe(big, filters("beyond", 1))).containsOnly(Mqtt5SubAckReasonCode.QUOTA_EXCEEDED);
    }

    @Test
    void aConnectPastTheUsersConnectionLimitGetsQuotaExceededOrServerUnavailable() {
        mqtt.connected5(MqttSupport.id("a"));
        mqtt.connected5(MqttSupport.id("b"));
        mqtt.connected3(MqttSupport.id("c"));

        Mqtt5BlockingClient v5 = mqtt.v5(MqttSupport.id("d"));
        Mqtt5ConnAckException refused5 = catchThrowableOfType(Mqtt5ConnAckException.class,
                () -> MqttSupport.auth(v5.connectWith()).cleanStart(true).send());
        Mqtt3BlockingClient v3 = mqtt.v3(MqttSupport.id("e"));
        Mqtt3ConnAckException refused3 = catchThrowableOfType(Mqtt3ConnAckException.class,
                () -> v3.connectWith().simpleAuth().username("guest").password(utf8("guest")).applySimpleAuth()
                        .cleanSession(true).send());

        assertThat(refused5.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED);
        assertThat(refused3.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.SERVER_UNAVAILABLE);
    }
}
