package dev.junction.conformance.mqtt;

import static dev.junction.conformance.mqtt.MqttSupport.id;
import static dev.junction.conformance.mqtt.MqttSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** CONNECT rules checked with stock clients: enhanced authentication methods, and the MQTT 3.1 CONNACK. */
class MqttConnectRulesTest {
    @RegisterExtension
    static final MqttSupport mqtt = MqttSupport.perClass();

    private static String uri() {
        return "tcp://127.0.0.1:" + mqtt.port();
    }

    // [MQTT-4.12.0-1]: a server that does not support the Authentication Method MAY send CONNACK 0x8C (Bad
    // authentication method) or 0x87 and MUST close the connection. Junction speaks SCRAM-SHA-256 and -512 only
    // (MqttEnhancedAuthTest) and answers 0x8C to any other method.
    @Test
    void unsupportedAuthenticationMethodIsRefusedWithBadAuthenticationMethod_MQTT_4_12_0_1() throws Exception {
        org.eclipse.paho.mqttv5.client.MqttClient client = new org.eclipse.paho.mqttv5.client.MqttClient(uri(),
                id("auth"), new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        mqtt.track((AutoCloseable) client::close);
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName("guest");
        options.setPassword(utf8("guest"));
        options.setAuthMethod("SCRAM-SHA-1");
        options.setAuthData(utf8("n,,n=guest,r=abc"));
        MqttException refused = catchThrowableOfType(MqttException.class, () -> client.connect(options));
        assertThat(refused).as("the CONNECT is refused").isNotNull();
        assertThat(refused.getReasonCode()).isEqualTo(0x8C);
        assertThat(client.isConnected()).isFalse();
    }

    // MQTT 3.1 (protocol MQIsdp, level 3) has no Session Present flag: the first CONNACK byte is reserved, so a
    // resumed 3.1 session must not set it (Session Present was added in 3.1.1, section 3.2.2.2).
    @Test
    void mqtt31ConnackLeavesTheReservedByteClearForAResumedSession() throws Exception {
        String clientId = id("v31");
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1);
        options.setCleanSession(false);
        options.setUserName("guest");
        options.setPassword("guest".toCharArray());
        org.eclipse.paho.client.mqttv3.MqttClient first = mqtt.track(
                new org.eclipse.paho.client.mqttv3.MqttClient(uri(), clientId, new MemoryPersistence()));
        first.connect(options);
        first.subscribe("v31/t", 1);
        first.disconnect();
        org.eclipse.paho.client.mqttv3.MqttClient again = mqtt.track(
                new org.eclipse.paho.client.mqttv3.MqttClient(uri(), clientId, new MemoryPersistence()));
        IMqttToken token = again.connectWithResult(options);
        assertThat(token.getSessionPresent()).isFalse();
        again.disconnect();
    }
}
