package dev.junction.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import org.junit.jupiter.api.Test;

/** What a client's DISCONNECT asks for. */
class ClientDisconnectTest {
    private static final long MAX = 3600;

    private static MqttMessage disconnect(int reason, Integer expiry) {
        MqttProperties props = new MqttProperties();
        if (expiry != null) {
            props.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, expiry));
        }
        return new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
                new MqttReasonCodeAndPropertiesVariableHeader((byte) reason, props));
    }

    @Test
    void normalDisconnectionDiscardsTheWill_MQTT_3_14_4_3() {
        assertThat(ClientDisconnect.of(disconnect(0x00, null), true, 10, MAX).discardWill()).isTrue();
        assertThat(ClientDisconnect.of(disconnect(0x80, null), true, 10, MAX).discardWill()).isTrue();
    }

    @Test
    void disconnectWithWillMessageKeepsIt() {
        assertThat(ClientDisconnect.of(disconnect(0x04, null), true, 10, MAX).discardWill()).isFalse();
    }

    @Test
    void mqtt311DisconnectAlwaysDiscardsTheWill_MQTT_3_14_4_3() {
        MqttMessage m = new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE,
                false, 0));
        ClientDisconnect.Outcome o = ClientDisconnect.of(m, false, 10, MAX);
        assertThat(o.discardWill()).isTrue();
        assertThat(o.expiry()).isEqualTo(10);
    }

    @Test
    void aNewSessionExpiryIntervalIsTakenCapped() {
        assertThat(ClientDisconnect.of(disconnect(0, 60), true, 10, MAX).expiry()).isEqualTo(60);
        assertThat(ClientDisconnect.of(disconnect(0, -1), true, 10, MAX).expiry()).as("0xFFFFFFFF").isEqualTo(MAX);
        assertThat(ClientDisconnect.of(disconnect(0, 0), true, 10, MAX).expiry()).isZero();
    }

    @Test
    void settingAnExpiryAfterConnectSetZeroIsAProtocolError_section_3_14_2_2_2() {
        assertThat(ClientDisconnect.of(disconnect(0, 60), true, 0, MAX)).isNull();
        assertThat(ClientDisconnect.of(disconnect(0, 0), true, 0, MAX)).isNotNull();
    }
}
