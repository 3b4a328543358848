package dev.junction.config;

import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DefaultsTest {

    @Test
    void defaultsHaveTheDocumentedValues() {
        JunctionConfig c = ConfigLoader.defaults();

        assertThat(c.listeners().amqp()).isEqualTo(new ListenerConfig(true, "0.0.0.0", 5672));
        assertThat(c.listeners().mqtt()).isEqualTo(new ListenerConfig(true, "0.0.0.0", 1883));
        assertThat(c.listeners().mqttWs()).isEqualTo(new ListenerConfig(true, "0.0.0.0", 8083));
        assertThat(c.listeners().http()).isEqualTo(new ListenerConfig(true, "127.0.0.1", 15672));
        assertThat(c.storage()).isEqualTo(new StorageConfig(Path.of("data"), FsyncMode.GROUP, 1000, Duration.ofMillis(2)));
        assertThat(c.vhosts()).containsExactly("/");
        assertThat(c.limits()).isEqualTo(new Limits(10_000, 2047, 131_072, 16_777_216L, 60, 60, 67_108_864L, 5000, DiskFreeLimit.DEFAULT,
                Limits.DEFAULT_MAX_RETAINED_MESSAGES, Limits.DEFAULT_MAX_RETAINED_BYTES));
        assertThat(c.amqp().defaultVhost()).isEqualTo("/");
        assertThat(c.mqtt()).isEqualTo(new MqttConfig(false, Optional.empty(), 65_535, 16, 100, 268_435_455, 100,
                100_000, "amq.topic", "/", 86_400));
        assertThat(c.logging().level()).isEqualTo("info");
    }

    @Test
    void theDefaultGuestIsALoopbackOnlyAdministratorWithEverythingOnSlash() {
        UserConfig guest = ConfigLoader.defaults().user("guest").orElseThrow();

        assertThat(ConfigLoader.defaults().users()).hasSize(1);
        assertThat(guest.password()).contains("guest");
        assertThat(guest.passwordHash()).isEmpty();
        assertThat(guest.tags()).containsExactly("administrator");
        assertThat(guest.loopbackOnly()).isTrue();
        assertThat(guest.permissions()).containsOnlyKeys("/");
        assertThat(guest.permissions().get("/")).isEqualTo(VhostPermission.all());
        assertThat(guest.acl()).isEmpty();
    }

    @Test
    void anEmptyOrCommentOnlyFileGivesTheDefaults() throws ConfigException {
        assertThat(parse("")).isEqualTo(ConfigLoader.defaults());
        assertThat(parse("# nothing here\n\n   # still nothing\n")).isEqualTo(ConfigLoader.defaults());
        assertThat(parse("---\n")).isEqualTo(ConfigLoader.defaults());
    }

    @Test
    void aSectionWithEveryKeyCommentedOutMeansAllDefaults() throws ConfigException {
        assertThat(parse("""
                listeners:
                storage:
                  # dir: elsewhere
                limits:
                mqtt: {}
                """)).isEqualTo(ConfigLoader.defaults());
    }

    @Test
    void keysLeftOutOfAGivenSectionKeepTheirDefaults() throws ConfigException {
        JunctionConfig c = parse("""
                listeners:
                  amqp: { port: 5673 }
                storage:
                  fsync: always
                """);

        assertThat(c.listeners().amqp()).isEqualTo(new ListenerConfig(true, "0.0.0.0", 5673));
        assertThat(c.listeners().http()).isEqualTo(ConfigLoader.defaults().listeners().http());
        assertThat(c.storage().fsync()).isEqualTo(FsyncMode.ALWAYS);
        assertThat(c.storage().dir()).isEqualTo(Path.of("data"));
    }

    @Test
    void withoutAUsersKeyTheGuestGetsEverythingOnTheConfiguredDefaultVhost() throws ConfigException {
        JunctionConfig c = parse("""
                vhosts: [prod]
                amqp: { default_vhost: prod }
                mqtt: { vhost: prod }
                """);

        assertThat(c.user("guest").orElseThrow().permissions()).containsOnlyKeys("prod");
    }

    @Test
    void anEmptyUsersListMeansNoUsersAtAll() throws ConfigException {
        assertThat(parse("users: []").users()).isEmpty();
    }

    @Test
    void theLoadedModelCannotBeModified() {
        JunctionConfig c = ConfigLoader.defaults();

        assertThatThrownBy(() -> c.vhosts().add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> c.users().clear()).isInstanceOf(UnsupportedOperationException.class);
        UserConfig guest = c.users().get(0);
        assertThatThrownBy(() -> guest.permissions().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> guest.tags().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void recordsBuiltByHandCopyTheirCollections() {
        List<String> vhosts = new java.util.ArrayList<>(List.of("/"));
        JunctionConfig d = ConfigLoader.defaults();
        JunctionConfig c = new JunctionConfig(d.listeners(), d.storage(), vhosts, d.users(), d.limits(), d.amqp(),
                d.mqtt(), d.logging());

        vhosts.add("other");

        assertThat(c.vhosts()).containsExactly("/");
    }

    @Test
    void userLookupIsByExactName() {
        assertThat(ConfigLoader.defaults().user("guest")).isPresent();
        assertThat(ConfigLoader.defaults().user("Guest")).isEmpty();
    }
}
