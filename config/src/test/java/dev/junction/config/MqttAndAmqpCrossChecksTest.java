package dev.junction.config;

import static dev.junction.config.ConfigAssertions.assertRejected;
import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MqttAndAmqpCrossChecksTest {

    @Test
    void allowAnonymousWithoutAnAnonymousUserIsRejected() {
        assertRejected("""
                mqtt:
                  allow_anonymous: true
                """, 2, "mqtt.anonymous_user", "required when allow_anonymous is true");
    }

    @Test
    void anAnonymousUserThatIsNotConfiguredIsRejected() {
        assertRejected("""
                mqtt:
                  allow_anonymous: true
                  anonymous_user: nobody
                """, 3, "mqtt.anonymous_user", "unknown user 'nobody' (users: 'guest')");
    }

    @Test
    void anAnonymousUserNamingAConfiguredUserIsAccepted() throws ConfigException {
        MqttConfig mqtt = parse("""
                users:
                  - { name: anon, password: unused, acl: [{ permission: allow, action: subscribe, topic: "public/#" }] }
                mqtt: { allow_anonymous: true, anonymous_user: anon }
                """).mqtt();

        assertThat(mqtt.allowAnonymous()).isTrue();
        assertThat(mqtt.anonymousUser()).contains("anon");
    }

    @Test
    void anExplicitlyNullAnonymousUserMeansNone() throws ConfigException {
        assertThat(parse("mqtt: { anonymous_user: ~ }").mqtt().anonymousUser()).isEmpty();
    }

    @Test
    void anMqttVhostThatIsNotDeclaredIsRejected() {
        assertRejected("mqtt:\n  vhost: iot\n", 2, "mqtt.vhost", "vhost 'iot' is not declared in vhosts ('/')");
    }

    @Test
    void anAmqpDefaultVhostThatIsNotDeclaredIsRejected() {
        assertRejected("vhosts: [\"/\", a]\namqp:\n  default_vhost: b\n", 3, "amqp.default_vhost",
                "vhost 'b' is not declared in vhosts ('/', 'a')");
    }

    @Test
    void droppingSlashFromVhostsIsReportedAtTheVhostsLineForDefaultedKeys() {
        assertRejected("# vhosts without /\nvhosts:\n  - prod\n", 2, "amqp.default_vhost",
                "defaults to '/', which is not declared in vhosts ('prod'); set it to one of them");
        assertRejected("vhosts: [prod]\namqp: { default_vhost: prod }\n", 1, "mqtt.vhost",
                "defaults to '/', which is not declared in vhosts ('prod')");
    }

    @Test
    void mqttCanLiveInItsOwnVhostAndExchange() throws ConfigException {
        MqttConfig mqtt = parse("vhosts: [\"/\", iot]\nmqtt: { vhost: iot, exchange: mqtt.topic }\n").mqtt();

        assertThat(mqtt.vhost()).isEqualTo("iot");
        assertThat(mqtt.exchange()).isEqualTo("mqtt.topic");
    }

    @Test
    void anEmptyMqttExchangeIsRejected() {
        assertRejected("mqtt:\n  exchange: ''\n", 2, "mqtt.exchange", "must not be empty");
    }
}
