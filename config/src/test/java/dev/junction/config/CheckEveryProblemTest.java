package dev.junction.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ConfigLoader#check}: every problem of a file in one run, in file order, while {@link ConfigLoader#load}
 * still stops at the first one found.
 */
class CheckEveryProblemTest {
    @TempDir
    Path dir;

    private Path file(String yaml) throws Exception {
        Path f = dir.resolve("many.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private static List<String> lines(List<ConfigException> problems) {
        return problems.stream().map(ConfigException::getMessage).toList();
    }

    @Test
    void threeProblemsInThreeSectionsAreReportedInFileOrder() throws Exception {
        // The sections are read in dependency order (users after vhosts, ...), not file order: the report is sorted.
        Path f = file("""
                users:
                  - name: a
                    loopback_only: maybe
                    password: x
                listeners:
                  amqp: { port: 70000 }
                storage:
                  fsync: sometimes
                """);
        List<ConfigException> problems = ConfigLoader.check(f);
        assertThat(lines(problems)).hasSize(3);
        assertThat(problems).extracting(ConfigException::line).containsExactly(3, 6, 8);
        assertThat(problems).extracting(ConfigException::key)
                .containsExactly("users[0].loopback_only", "listeners.amqp.port", "storage.fsync");
        assertThat(lines(problems).get(1))
                .isEqualTo(f + ":6: listeners.amqp.port: 70000 is out of range (0..65535)");
    }

    @Test
    void severalBadKeysOfOneSectionAreEachReported() throws Exception {
        Path f = file("""
                limits:
                  max_connections: -1
                  heartbeat: often
                  frame_maxx: 4096
                  channel_max: 0
                """);
        assertThat(ConfigLoader.check(f)).extracting(ConfigException::key).containsExactly(
                "limits.max_connections", "limits.heartbeat", "limits.frame_maxx", "limits.channel_max");
    }

    @Test
    void aBrokenUserDoesNotHideTheNextOnesNorADuplicate() throws Exception {
        Path f = file("""
                users:
                  - name: a
                  - name: b
                    password: x
                    tags: {}
                  - name: c
                    password: y
                  - name: c
                    password: z
                """);
        assertThat(ConfigLoader.check(f)).extracting(ConfigException::line).containsExactly(2, 5, 8);
    }

    @Test
    void loadStillStopsAtTheFirstProblemItFinds() throws Exception {
        Path f = file("""
                listeners:
                  amqp: { port: 70000 }
                storage:
                  fsync: sometimes
                """);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(f));
        assertThat(e.key()).isEqualTo("listeners.amqp.port");
    }

    @Test
    void aValidFileHasNoProblemsAndASyntaxErrorIsOne() throws Exception {
        assertThat(ConfigLoader.check(file("vhosts: [\"/\"]\n"))).isEmpty();
        assertThat(ConfigLoader.check(file("listeners: [\n"))).hasSize(1);
        assertThat(ConfigLoader.check(dir.resolve("missing.yaml"))).singleElement()
                .satisfies(p -> assertThat(p.problem()).isEqualTo("file not found"));
    }

    @Test
    void everyProblemReportedIsOneThatLoadFindsOnceTheEarlierOnesAreFixed() throws Exception {
        // Recovery must not invent problems: fixing the first leaves exactly the rest.
        Path f = file("""
                listeners:
                  amqp: { port: 70000 }
                storage:
                  fsync: sometimes
                """);
        assertThat(ConfigLoader.check(f)).hasSize(2);
        Files.writeString(f, "listeners:\n  amqp: { port: 5672 }\nstorage:\n  fsync: sometimes\n");
        assertThat(ConfigLoader.check(f)).singleElement()
                .satisfies(p -> assertThat(p.key()).isEqualTo("storage.fsync"));
    }

    @Test
    void aMisspelledKeyIsReportedTogetherWithWhatItsAbsenceBreaks() throws Exception {
        // The user really has no password as the file stands; saying so spares a second run after the rename.
        Path f = file("users:\n  - name: a\n    pasword: x\n");
        assertThat(ConfigLoader.check(f)).extracting(ConfigException::key)
                .containsExactly("users[0]", "users[0].pasword");
    }
}
