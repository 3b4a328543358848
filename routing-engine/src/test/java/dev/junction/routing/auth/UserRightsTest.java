package dev.junction.routing.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.AclRule;
import dev.junction.config.TopicPermission;
import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import dev.junction.routing.api.ExchangeType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UserRightsTest {
    private static UserConfig user(String name, List<String> tags, List<AclRule> acl, List<TopicPermission> tps) {
        return new UserConfig(name, Optional.of("pw"), Optional.empty(), tags, false,
                Map.of("/", VhostPermission.all()), acl, Map.of("/", tps));
    }

    private static Authorization mqttOnAmqTopic() {
        Authorization a = new Authorization();
        a.mqtt("/", "amq.topic", "mqtt.session.", "mqtt.share.", q -> { });
        return a;
    }

    @Test
    void topicPermissionVariablesAreFilledInAndQuoted() {
        UserConfig u = user("a.b", List.of(), List.of(), List.of(
                new TopicPermission("t", "^{username}\\.{vhost}\\.{client_id}$", "^x")));
        UserRights amqp = mqttOnAmqTopic().rights(u, "/", null);
        assertThat(amqp.publishRefusal("t", ExchangeType.TOPIC, "a.b./.c")).isNotNull(); // no client id over AMQP
        UserRights mqtt = mqttOnAmqTopic().rights(u, "/", "c");
        assertThat(mqtt.publishRefusal("t", ExchangeType.TOPIC, "a.b./.c")).isNull();
        // The '.' of the user name is quoted: it does not match any character.
        assertThat(mqtt.publishRefusal("t", ExchangeType.TOPIC, "aXb./.c")).isNotNull();
        assertThat(mqtt.bindRefusal("t", ExchangeType.TOPIC, "x.#")).isNull();
        assertThat(mqtt.bindRefusal("t", ExchangeType.TOPIC, "y.#")).isNotNull();
        // Only topic exchanges are subject to topic permissions (RabbitMQ's rule).
        assertThat(mqtt.publishRefusal("t", ExchangeType.DIRECT, "anything")).isNull();
        // An exchange without a topic permission is unrestricted.
        assertThat(mqtt.publishRefusal("other", ExchangeType.TOPIC, "anything")).isNull();
    }

    @Test
    void onlyAdministratorsRouteIntoTheMqttExchangeIndirectlyAndNobodyIntoATopicRestrictedOne() {
        UserConfig plain = user("mq", List.of(), List.of(), List.of());
        UserConfig admin = user("root", List.of(UserConfig.ADMINISTRATOR), List.of(), List.of());
        UserConfig tp = user("tp", List.of(), List.of(), List.of(new TopicPermission("events", ".*", ".*")));
        Authorization a = mqttOnAmqTopic();
        assertThat(a.rights(plain, "/", null).indirectWriteRefusal("amq.topic")).isNotNull();
        assertThat(a.rights(plain, "other", null).indirectWriteRefusal("amq.topic")).isNull(); // not the MQTT vhost
        assertThat(a.rights(plain, "/", null).indirectWriteRefusal("events")).isNull();
        assertThat(a.rights(plain, "/", null).indirectWriteRefusal("")).isNull();
        assertThat(a.rights(admin, "/", null).indirectWriteRefusal("amq.topic")).isNull();
        assertThat(a.rights(tp, "/", null).indirectWriteRefusal("events")).isNotNull();
    }

    @Test
    void anOwnerWithAnAclCannotReadItsSessionQueue() {
        Authorization a = mqttOnAmqTopic();
        a.claim("mqtt.session.d", "dev");
        a.claim("mqtt.session.m", "mq");
        UserConfig dev = user("dev", List.of(), List.of(new AclRule(AclRule.Permission.DENY, AclRule.Action.ALL,
                "secret/#"), new AclRule(AclRule.Permission.ALLOW, AclRule.Action.ALL, "#")), List.of());
        UserConfig mq = user("mq", List.of(), List.of(), List.of());
        assertThat(a.rights(dev, "/", null).queueRefusal("mqtt.session.d")).isNull(); // purge, delete: its own
        assertThat(a.rights(dev, "/", null).queueReadRefusal("mqtt.session.d")).isNotNull();
        assertThat(a.rights(dev, "/", null).queueReadRefusal("orders")).isNull();
        assertThat(a.rights(mq, "/", null).queueReadRefusal("mqtt.session.m")).isNull();
        assertThat(a.rights(mq, "/", null).queueReadRefusal("mqtt.session.d")).isNotNull();
    }

    @Test
    void theMqttQueuesAreKnownByName() {
        Authorization a = mqttOnAmqTopic();
        assertThat(a.mqttQueue("/", "mqtt.session.c1")).isTrue();
        assertThat(a.mqttQueue("/", "mqtt.share.g.a")).isTrue();
        assertThat(a.mqttQueue("/", "orders")).isFalse();
        assertThat(a.mqttQueue("other", "mqtt.session.c1")).isFalse();
        assertThat(new Authorization().mqttQueue("/", "mqtt.session.c1")).isFalse(); // no MQTT adapter
    }

    @Test
    void sessionQueuesBelongToTheirOwnerAndAdministrators() {
        Authorization a = mqttOnAmqTopic();
        a.claim("mqtt.session.c1", "mq");
        UserConfig mq = user("mq", List.of(), List.of(), List.of());
        UserConfig eve = user("eve", List.of(), List.of(), List.of());
        UserConfig admin = user("root", List.of(UserConfig.ADMINISTRATOR), List.of(), List.of());
        assertThat(a.rights(mq, "/", null).queueRefusal("mqtt.session.c1")).isNull();
        assertThat(a.rights(eve, "/", null).queueRefusal("mqtt.session.c1")).isNotNull();
        assertThat(a.rights(eve, "/", null).queueRefusal("mqtt.session.unowned")).isNotNull();
        assertThat(a.rights(eve, "/", null).queueRefusal("mqtt.share.g.a/b")).isNotNull();
        assertThat(a.rights(admin, "/", null).queueRefusal("mqtt.session.c1")).isNull();
        assertThat(a.rights(eve, "/", null).queueRefusal("orders")).isNull();
        assertThat(a.rights(eve, "other", null).queueRefusal("mqtt.session.c1")).isNull(); // not the MQTT vhost
        a.release("mqtt.session.c1");
        assertThat(a.rights(mq, "/", null).queueRefusal("mqtt.session.c1")).isNotNull();
    }

    @Test
    void dollarTopicsAreNobodysToPublish() {
        UserRights r = mqttOnAmqTopic().rights(user("g", List.of(UserConfig.ADMINISTRATOR), List.of(), List.of()),
                "/", "c");
        assertThat(r.mayPublishTopic("$SYS/x", "$SYS.x")).isFalse();
        assertThat(r.publishRefusal("amq.topic", ExchangeType.TOPIC, "$SYS.x")).isNotNull();
        assertThat(r.mayPublishTopic("a/$x", "a.$x")).isTrue();
    }

    @Test
    void decisionsAreCachedUpToTheirCapacity() {
        int[] calls = {0};
        TopicDecisions d = new TopicDecisions(t -> {
            calls[0]++;
            return t.startsWith("ok");
        }, 2, 10);
        assertThat(d.test("ok/1")).isTrue();
        assertThat(d.test("ok/1")).isTrue();
        assertThat(d.test("no/1")).isFalse();
        assertThat(calls[0]).isEqualTo(2);
        d.test("ok/2");
        assertThat(d.size()).isEqualTo(2);
        d.test("ok/a-topic-too-long-to-keep");
        d.test("ok/a-topic-too-long-to-keep");
        assertThat(calls[0]).isEqualTo(5); // decided both times, never kept
        assertThat(d.size()).isEqualTo(2);
    }

    @Test
    void aSubscribeFilterGivenAsTextIsJudgedAsItsPattern() {
        UserConfig u = user("m", List.of(),
                List.of(new AclRule(AclRule.Permission.ALLOW, AclRule.Action.SUBSCRIBE, "a/#")), List.of());
        UserRights r = mqttOnAmqTopic().rights(u, "/", "c");
        assertThat(r.subscribe("a/b", "a.b"))
                .isEqualTo(r.subscribe(dev.junction.routing.topic.TopicPattern.mqtt("a/b"), "a.b"));
        assertThat(r.subscribe("b/#", "b.#"))
                .isEqualTo(r.subscribe(dev.junction.routing.topic.TopicPattern.mqtt("b/#"), "b.#"));
    }
}
