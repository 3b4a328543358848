package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static dev.junction.conformance.mqtt.MqttSupport.text;
import static dev.junction.conformance.mqtt.MqttSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Share groups are told apart by name and filter together. MQTT 5 section 4.8.2: a Shared Subscription is
 * identified by its ShareName and its Topic Filter; the ShareName ends at the first '/', so it may hold '.' and
 * the filter may too.
 */
class MqttShareGroupNamesTest {
    @RegisterExtension
    final MqttSupport mqtt = MqttSupport.perMethod();

    @Test
    void groupWithDotAndFilterWithDotAreDifferentShares_MQTT_4_8_2() throws Exception {
        Mqtt5BlockingClient dottedGroup = mqtt.connected5(id("shg1"));
        Mqtt5BlockingClient dottedFilter = mqtt.connected5(id("shg2"));
        try (Mqtt5BlockingClient.Mqtt5Publishes inGroup = dottedGroup.publishes(MqttGlobalPublishFilter.ALL);
             Mqtt5BlockingClient.Mqtt5Publishes inFilter = dottedFilter.publishes(MqttGlobalPublishFilter.ALL)) {
            // ShareName "g.x", filter "y" versus ShareName "g", filter "x.y"
            dottedGroup.subscribeWith().topicFilter("$share/g.x/y").qos(MqttQos.AT_LEAST_ONCE).send();
            dottedFilter.subscribeWith().topicFilter("$share/g/x.y").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5BlockingClient pub = mqtt.connected5(id("shgpub"));
            for (int i = 0; i < 4; i++) {
                pub.publishWith().topic("y").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("y" + i)).send();
            }
            pub.publishWith().topic("x.y").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("x.y")).send();

            // Each subscription is the only member of its share, so it gets every message of its own topic and
            // nothing of the other's.
            List<String> group = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                group.add(text(inGroup.receive(10, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes()));
            }
            assertThat(group).containsExactly("y0", "y1", "y2", "y3");
            assertThat(text(inFilter.receive(10, TimeUnit.SECONDS).orElseThrow().getPayloadAsBytes()))
                    .isEqualTo("x.y");
        }
    }
}
