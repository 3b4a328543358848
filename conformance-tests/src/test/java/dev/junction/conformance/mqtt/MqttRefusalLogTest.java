package dev.junction.conformance.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import dev.junction.conformance.LogCapture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Refusals a connected client can repeat at wire speed without being disconnected (a PUBLISH its ACL denies
 * [MQTT-3.3.5-2], filters it may not subscribe to, SUBACK 0x87) are logged at most once per source address per
 * interval, with the number suppressed, like the protocol errors that close a connection (docs/security.md,
 * "Logging"): otherwise one client writes the log as fast as it can send.
 */
class MqttRefusalLogTest {
    private static final int REPEATS = 200;

    /** One broker per test: the rate limit is per source address, and every test connects from 127.0.0.1. */
    @RegisterExtension
    final MqttSupport mqtt = MqttSupport.perMethod();

    private Mqtt5BlockingClient acl(String id) {
        Mqtt5BlockingClient c = mqtt.v5(id);
        c.connectWith().simpleAuth().username("acl").password(MqttSupport.utf8("acl")).applySimpleAuth().send();
        return c;
    }

    @Test
    void deniedPublishesAreLoggedOncePerIntervalNotOncePerPublish() throws Exception {
        try (LogCapture logs = LogCapture.capture().level(Class.forName("dev.junction.mqtt.InboundPublish"), Level.INFO)) {
            Mqtt5BlockingClient c = acl(MqttSupport.id("flood"));
            for (int i = 0; i < REPEATS; i++) {
                c.publishWith().topic("readonly/x").qos(MqttQos.AT_MOST_ONCE).payload(new byte[1]).send();
            }
            // A QoS 1 publish to an allowed topic: its PUBACK comes after every earlier PUBLISH was handled.
            c.publishWith().topic("open/x").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[1]).send();
            assertThat(logs.matching(e -> e.getFormattedMessage().contains("may not publish"))).hasSizeBetween(1, 2);
        }
    }

    @Test
    void deniedFiltersAreLoggedOncePerIntervalNotOncePerFilter() throws Exception {
        try (LogCapture logs = LogCapture.capture().level(Class.forName("dev.junction.mqtt.SubscribeFlow"), Level.INFO)) {
            Mqtt5BlockingClient c = acl(MqttSupport.id("flood"));
            List<Mqtt5Subscription> filters = new ArrayList<>();
            for (int i = 0; i < REPEATS; i++) {
                filters.add(Mqtt5Subscription.builder().topicFilter("secret/" + i).build());
            }
            filters.add(Mqtt5Subscription.builder().topicFilter("open/x").build());
            // SUBACK: 0x87 for every secret/ filter, 0 for the last; the client reports the error codes as an exception
            assertThatThrownBy(() -> c.subscribe(Mqtt5Subscribe.builder().addSubscriptions(filters).build()))
                    .isInstanceOf(Mqtt5SubAckException.class);
            assertThat(logs.matching(e -> e.getFormattedMessage().contains("may not subscribe"))).hasSizeBetween(1, 2);
        }
    }
}
