package dev.junction.routing.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.config.AclRule;
import dev.junction.config.AclRule.Action;
import dev.junction.config.AclRule.Permission;
import dev.junction.routing.topic.TopicPattern;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A filter is judged by the set of topics it can match, against first-match-wins rules. */
class TopicAclTest {
    private static final List<AclRule> DENY_SECRET = List.of(
            new AclRule(Permission.DENY, Action.ALL, "secret/#"),
            new AclRule(Permission.ALLOW, Action.ALL, "#"));

    private static Coverage cover(List<AclRule> rules, String filter) {
        return TopicAcl.of(rules, "u", "c").subscribe(TopicPattern.mqtt(filter));
    }

    @Test
    void wildcardsOverlappingADeniedSubtreeArePartial() {
        for (String f : List.of("#", "+/#", "+/x", "+/+", "secret/#")) {
            assertThat(cover(DENY_SECRET, f)).as(f).isIn(Coverage.PARTIAL, Coverage.NONE);
        }
        assertThat(cover(DENY_SECRET, "#")).isEqualTo(Coverage.PARTIAL);
        assertThat(cover(DENY_SECRET, "+/x")).isEqualTo(Coverage.PARTIAL);
        assertThat(cover(DENY_SECRET, "public/#")).isEqualTo(Coverage.ALL);
        assertThat(cover(DENY_SECRET, "secret/#")).isEqualTo(Coverage.NONE);
        assertThat(cover(DENY_SECRET, "secret/+/y")).isEqualTo(Coverage.NONE);
        assertThat(cover(DENY_SECRET, "secret")).isEqualTo(Coverage.NONE); // secret/# matches its parent level
    }

    @Test
    void dollarTopicsAreOutsideWildcardRulesMqtt_4_7_2_1() {
        List<AclRule> allowAll = List.of(new AclRule(Permission.ALLOW, Action.ALL, "#"));
        assertThat(cover(allowAll, "#")).isEqualTo(Coverage.ALL);
        assertThat(cover(allowAll, "$SYS/#")).isEqualTo(Coverage.NONE);
        assertThat(cover(List.of(new AclRule(Permission.ALLOW, Action.ALL, "$SYS/#")), "$SYS/+")).isEqualTo(
                Coverage.ALL);
    }

    @Test
    void aDenyCoveringOnlyPartOfAnAllowStillLeavesTheRestReadable() {
        List<AclRule> rules = List.of(
                new AclRule(Permission.DENY, Action.SUBSCRIBE, "a/x"),
                new AclRule(Permission.ALLOW, Action.SUBSCRIBE, "a/+"));
        assertThat(cover(rules, "a/x")).isEqualTo(Coverage.NONE);
        assertThat(cover(rules, "a/+")).isEqualTo(Coverage.PARTIAL);
        assertThat(cover(rules, "a/y")).isEqualTo(Coverage.ALL);
        assertThat(cover(rules, "a/#")).isEqualTo(Coverage.PARTIAL); // a and a/x/y match no rule: denied
        assertThat(cover(rules, "b/#")).isEqualTo(Coverage.NONE);
    }

    @Test
    void publishRulesDoNotGrantReading() {
        List<AclRule> rules = List.of(new AclRule(Permission.ALLOW, Action.PUBLISH, "x/#"));
        TopicAcl acl = TopicAcl.of(rules, "u", "c");
        assertThat(acl.mayPublish("x/1")).isTrue();
        assertThat(acl.mayRead("x/1")).isFalse();
        assertThat(acl.subscribe(TopicPattern.mqtt("x/#"))).isEqualTo(Coverage.NONE);
    }

    @Test
    void percentUAndPercentCAreFilledInAndAnUnsafeValueDisablesTheRule() {
        List<AclRule> rules = List.of(
                new AclRule(Permission.ALLOW, Action.ALL, "users/%u/#"),
                new AclRule(Permission.ALLOW, Action.ALL, "clients/%c/#"));
        TopicAcl acl = TopicAcl.of(rules, "ann", "dev1");
        assertThat(acl.mayPublish("users/ann/x")).isTrue();
        assertThat(acl.mayPublish("users/bob/x")).isFalse();
        assertThat(acl.mayRead("clients/dev1/in")).isTrue();
        assertThat(acl.subscribe(TopicPattern.mqtt("clients/+/in"))).isEqualTo(Coverage.PARTIAL);
        TopicAcl wild = TopicAcl.of(rules, "ann", "#");
        assertThat(wild.mayRead("clients/anything/in")).isFalse();
        assertThat(wild.subscribe(TopicPattern.mqtt("clients/#"))).isEqualTo(Coverage.NONE);
    }

    @Test
    void anUnsafeValueWidensADenyRuleInsteadOfDroppingIt() {
        // Dropping a deny rule would grant what it denies: client "a/b" would read devices/a/b/keys.
        List<AclRule> rules = List.of(
                new AclRule(Permission.DENY, Action.ALL, "devices/%c/keys"),
                new AclRule(Permission.ALLOW, Action.ALL, "#"));
        assertThat(TopicAcl.of(rules, "u", "a").mayRead("devices/a/keys")).isFalse();
        assertThat(TopicAcl.of(rules, "u", "a").mayRead("devices/b/keys")).isTrue();
        for (String unsafe : List.of("a/b", "+", "#", "")) {
            TopicAcl acl = TopicAcl.of(rules, "u", unsafe);
            assertThat(acl.mayRead("devices/a/b/keys")).as(unsafe).isFalse();
            assertThat(acl.subscribe(TopicPattern.mqtt("devices/#"))).as(unsafe).isEqualTo(Coverage.NONE);
            assertThat(acl.mayRead("other/x")).as(unsafe).isTrue();
        }
        // One pass: a client id holding "%u" is not filled in again with the user name.
        TopicAcl once = TopicAcl.of(List.of(new AclRule(Permission.ALLOW, Action.ALL, "clients/%c/#")), "ann", "%u");
        assertThat(once.mayRead("clients/ann/x")).isFalse();
        assertThat(once.mayRead("clients/%u/x")).isTrue();
    }

    @Test
    void amqpBindingKeysAreJudgedAsTheFiltersTheyStandFor() {
        TopicAcl acl = TopicAcl.of(DENY_SECRET, "u", null);
        assertThat(acl.subscribe(MqttTopics.filterFromBindingKey("public.#"))).isEqualTo(Coverage.ALL);
        assertThat(acl.subscribe(MqttTopics.filterFromBindingKey("secret.#"))).isEqualTo(Coverage.NONE);
        assertThat(acl.subscribe(MqttTopics.filterFromBindingKey("#"))).isEqualTo(Coverage.PARTIAL);
        // AMQP allows # in the middle: a.#.b can be a.secret... no, it starts with a; #.x can be secret.x.
        assertThat(acl.subscribe(MqttTopics.filterFromBindingKey("#.x"))).isEqualTo(Coverage.PARTIAL);
        assertThat(acl.subscribe(MqttTopics.filterFromBindingKey("a.#.b"))).isEqualTo(Coverage.ALL);
        // '/' in an AMQP word is '.' in the MQTT level: secret/x.y is the topic secret.x/y.
        assertThat(acl.mayPublish(MqttTopics.fromRoutingKey("secret/x.y"))).isTrue();
        assertThat(acl.mayPublish(MqttTopics.fromRoutingKey("secret.y"))).isFalse();
    }

    @Test
    void anOpenAclAllowsEverythingAndNoMatchingRuleDenies() {
        assertThat(TopicAcl.of(List.of(), "u", "c").open()).isTrue();
        TopicAcl one = TopicAcl.of(List.of(new AclRule(Permission.ALLOW, Action.ALL, "a")), "u", "c");
        assertThat(one.mayRead("a")).isTrue();
        assertThat(one.mayRead("b")).isFalse();
    }
}
