package dev.junction.config;

import static dev.junction.config.ConfigAssertions.assertRejected;
import static dev.junction.config.ConfigAssertions.failure;
import static dev.junction.config.ConfigAssertions.parse;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SyntaxAndStructureErrorsTest {

    @Test
    void unknownKeyIsReportedWithItsLineAndTheKeysThatAreAllowed() {
        ConfigException e = failure("""
                # comment
                listeners:
                  amqp: { port: 5672 }
                  amqpp: { port: 5673 }
                """);

        assertThat(e.getMessage())
                .isEqualTo("test.yaml:4: listeners.amqpp: unknown key (expected one of amqp, mqtt, mqtt_ws, http, amqps, mqtts, mqtt_wss, amqp10)");
    }

    @Test
    void unknownTopLevelSectionIsRejected() {
        assertRejected("logging: {}\nlimitz: {}\n", 2, "limitz", "unknown key (expected one of listeners, storage,");
    }

    @Test
    void unknownKeyDeepInsideAUserIsRejectedWithItsIndex() {
        assertRejected("""
                users:
                  - name: a
                    password: x
                  - name: b
                    passwd: y
                """, 5, "users[1].passwd", "unknown key (expected one of name, password, password_hash,");
    }

    @Test
    void aKeyGivenTwiceIsRejectedAndTheFirstOneIsNamed() {
        assertRejected("""
                storage:
                  dir: a
                  fsync: never
                  dir: b
                """, 4, "storage.dir", "duplicate key (first given at line 2)");
    }

    @Test
    void aYamlSyntaxErrorBecomesOneLineWithFileAndLine() {
        ConfigException e = failure("""
                listeners:
                  amqp:
                    port: 5672
                   bind: 0.0.0.0
                """);

        assertThat(e.getMessage()).startsWith("test.yaml:4: invalid YAML: ");
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.key()).isEmpty();
    }

    @Test
    void anUnclosedQuoteIsASyntaxErrorWithALine() {
        ConfigException e = failure("logging:\n  level: \"info\n");

        assertThat(e.getMessage()).matches("test\\.yaml:\\d+: invalid YAML: .+");
        assertThat(e.line()).isPositive();
    }

    @Test
    void aTabIndentIsASyntaxErrorWithALine() {
        ConfigException e = failure("logging:\n\tlevel: info\n");

        assertThat(e.getMessage()).startsWith("test.yaml:2: invalid YAML: ");
    }

    @Test
    void twoDocumentsInOneFileAreRejected() {
        ConfigException e = failure("logging: {}\n---\nlimits: {}\n");

        assertThat(e.getMessage()).startsWith("test.yaml:2: invalid YAML: ");
    }

    @Test
    void aFileThatIsAListIsRejected() {
        ConfigException e = failure("- listeners\n- storage\n");

        assertThat(e.getMessage()).startsWith("test.yaml:1: the file must be a mapping of sections")
                .endsWith("got a list");
    }

    @Test
    void aSectionThatIsAScalarIsAWrongType() {
        assertRejected("limits: yes\n", 1, "limits", "expected a mapping, got 'yes'");
    }

    @Test
    void aWordWhereAnIntegerBelongsIsAWrongType() {
        ConfigException e = failure("limits:\n  heartbeat: abc\n");

        assertThat(e.getMessage()).isEqualTo("test.yaml:2: limits.heartbeat: expected an integer, got 'abc'");
    }

    @Test
    void fractionsExponentsAndHexAreNotIntegers() {
        assertRejected("limits: { heartbeat: 1.5 }", 1, "limits.heartbeat", "expected an integer, got '1.5'");
        assertRejected("limits: { heartbeat: 1e3 }", 1, "limits.heartbeat", "expected an integer, got '1e3'");
        assertRejected("limits: { heartbeat: 0x10 }", 1, "limits.heartbeat", "expected an integer, got '0x10'");
    }

    @Test
    void aLeadingZeroIsRejectedBecauseYamlWouldReadItAsOctal() {
        assertRejected("limits: { heartbeat: 010 }", 1, "limits.heartbeat", "expected an integer, got '010'");
    }

    @Test
    void aListWhereAnIntegerBelongsIsAWrongType() {
        assertRejected("limits:\n  heartbeat: [1, 2]\n", 2, "limits.heartbeat", "expected an integer, got a list");
    }

    @Test
    void integersMayUseUnderscoresAndQuotes() throws ConfigException {
        JunctionConfig c = parse("limits: { max_message_size: 1_048_576, heartbeat: \"30\" }");

        assertThat(c.limits().maxMessageSize()).isEqualTo(1_048_576L);
        assertThat(c.limits().heartbeatSeconds()).isEqualTo(30);
    }

    @Test
    void aWordWhereABooleanBelongsIsAWrongType() {
        assertRejected("listeners:\n  http:\n    enabled: maybe\n", 3, "listeners.http.enabled",
                "expected true or false, got 'maybe'");
    }

    @Test
    void yesNoOnOffAreBooleansAsInYaml11() throws ConfigException {
        JunctionConfig c = parse("listeners: { amqp: { enabled: no }, mqtt: { enabled: Off }, http: { enabled: yes } }");

        assertThat(c.listeners().amqp().enabled()).isFalse();
        assertThat(c.listeners().mqtt().enabled()).isFalse();
        assertThat(c.listeners().http().enabled()).isTrue();
    }

    @Test
    void aMappingWhereAStringBelongsIsAWrongType() {
        assertRejected("storage:\n  dir: { a: b }\n", 2, "storage.dir", "expected a string, got a mapping");
    }

    @Test
    void aScalarWhereAListBelongsIsAWrongType() {
        assertRejected("vhosts: /\n", 1, "vhosts", "expected a list, got '/'");
    }

    @Test
    void mergeKeysAreRejectedRatherThanHalfSupported() {
        assertRejected("""
                listeners:
                  amqp: &base { bind: 127.0.0.1 }
                  mqtt:
                    <<: *base
                    port: 1884
                """, 4, "listeners.mqtt", "merge keys (<<) are not supported");
    }

    @Test
    void aliasesToWholeValuesWork() throws ConfigException {
        JunctionConfig c = parse("""
                vhosts: ["/", dev]
                users:
                  - name: a
                    password: x
                    permissions: &all { "/": { configure: ".*", write: ".*", read: ".*" } }
                  - name: b
                    password: y
                    permissions: *all
                """);

        assertThat(c.user("b").orElseThrow().permissions()).isEqualTo(c.user("a").orElseThrow().permissions());
    }

    @Test
    void longOrMultiLineValuesAreShortenedAndKeptOnOneLine() {
        ConfigException e = failure("limits:\n  heartbeat: |\n    first\n    second\n");

        assertThat(e.getMessage()).isEqualTo("test.yaml:2: limits.heartbeat: expected an integer, got 'first\\nsecond\\n'");
    }
}
