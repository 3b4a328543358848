package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscribePayload;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribePayload;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What makes a SUBSCRIBE or UNSUBSCRIBE end the connection before any filter is applied. */
class SubscribeRulesTest {
    private static MqttSubscribeMessage subscribe(MqttProperties props, String... filters) {
        List<MqttTopicSubscription> subs = java.util.Arrays.stream(filters)
                .map(f -> new MqttTopicSubscription(f, MqttQoS.AT_LEAST_ONCE)).toList();
        return new MqttSubscribeMessage(new MqttFixedHeader(MqttMessageType.SUBSCRIBE, false, MqttQoS.AT_LEAST_ONCE,
                false, 0), new MqttMessageIdAndPropertiesVariableHeader(1, props), new MqttSubscribePayload(subs));
    }

    private static MqttUnsubscribeMessage unsubscribe(String... filters) {
        return new MqttUnsubscribeMessage(new MqttFixedHeader(MqttMessageType.UNSUBSCRIBE, false,
                MqttQoS.AT_LEAST_ONCE, false, 0), new MqttMessageIdAndPropertiesVariableHeader(1,
                MqttProperties.NO_PROPERTIES), new MqttUnsubscribePayload(List.of(filters)));
    }

    @Test
    void validFiltersPass() {
        assertThat(SubscribeRules.check(subscribe(MqttProperties.NO_PROPERTIES, "a/+/c", "#", "$share/g/a/#"), true))
                .isNull();
        assertThat(SubscribeRules.check(unsubscribe("a/b"), true)).isNull();
    }

    @Test
    void aSubscribeWithoutFiltersIsAProtocolError_MQTT_3_8_3_2() {
        PacketShape.Problem p = SubscribeRules.check(subscribe(MqttProperties.NO_PROPERTIES), true);
        assertThat(p.code()).isEqualTo(ReasonCode.PROTOCOL_ERROR);
    }

    @Test
    void anUnsubscribeWithoutFiltersIsAProtocolError_MQTT_3_10_3_2() {
        assertThat(SubscribeRules.check(unsubscribe(), true).code()).isEqualTo(ReasonCode.PROTOCOL_ERROR);
    }

    @Test
    void aMultiLevelWildcardMustBeLast_MQTT_4_7_1_1() {
        assertThat(SubscribeRules.check(subscribe(MqttProperties.NO_PROPERTIES, "a/#/b"), true).code())
                .isEqualTo(ReasonCode.MALFORMED_PACKET);
        assertThat(SubscribeRules.check(unsubscribe("a/b#"), false).code()).isEqualTo(ReasonCode.MALFORMED_PACKET);
    }

    @Test
    void aSingleLevelWildcardMustFillItsLevel_MQTT_4_7_1_2() {
        assertThat(SubscribeRules.check(subscribe(MqttProperties.NO_PROPERTIES, "a/b+"), true).code())
                .isEqualTo(ReasonCode.MALFORMED_PACKET);
    }

    @Test
    void onlyUserPropertiesAndOneSubscriptionIdentifierAreAllowed_section_3_8_2_1() {
        MqttProperties bad = new MqttProperties();
        bad.add(new MqttProperties.IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, 5));
        assertThat(SubscribeRules.check(subscribe(bad, "a"), true).code()).isEqualTo(ReasonCode.MALFORMED_PACKET);
        MqttProperties two = new MqttProperties();
        two.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, 1));
        two.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, 2));
        assertThat(SubscribeRules.check(subscribe(two, "a"), true).code()).isEqualTo(ReasonCode.PROTOCOL_ERROR);
        MqttProperties one = new MqttProperties();
        one.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, 1));
        assertThat(SubscribeRules.check(subscribe(one, "a"), true)).isNull();
    }

    @Test
    void anEmptyShareFilterIsLeftToTheSubscribeFlowToRefuse_section_4_8_2() {
        assertThat(SubscribeRules.check(subscribe(MqttProperties.NO_PROPERTIES, "$share/g/"), true)).isNull();
    }
}
