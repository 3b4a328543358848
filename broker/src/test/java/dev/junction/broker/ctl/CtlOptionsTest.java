package dev.junction.broker.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ctl command line, the target it resolves to, and the table cells it prints; no broker needed. */
class CtlOptionsTest {
    @TempDir
    Path dir;

    @Test
    void optionsMayStandBeforeOrAfterTheVerbAndTheLastOneWins() throws Exception {
        CtlOptions o = CtlOptions.parse(List.of("--config", "a.yaml", "list_queues", "--vhost=v1", "name",
                "--config", "b.yaml", "--json", "-q", "--", "--messages"));
        assertThat(o.verb()).hasValue("list_queues");
        assertThat(o.arguments()).containsExactly("name", "--messages");
        assertThat(o.value("config")).hasValue("b.yaml");
        assertThat(o.vhost()).isEqualTo("v1");
        assertThat(o.flag("json")).isTrue();
        assertThat(o.flag("quiet")).isTrue();
    }

    @Test
    void unknownOptionsAndMissingValuesAreUsageErrors() {
        assertThat(catchThrowableOfType(CtlException.class, () -> CtlOptions.parse(List.of("--frob"))).exitCode())
                .isEqualTo(ExitCode.USAGE);
        assertThat(catchThrowableOfType(CtlException.class, () -> CtlOptions.parse(List.of("status", "--port")))
                .getMessage()).contains("--port needs a value");
    }

    @Test
    void theTargetIsTheHttpListenerOfTheConfigFileWithAWildcardBindMeaningLoopback() throws Exception {
        Path config = dir.resolve("j.yaml");
        Files.writeString(config, "listeners:\n  http: { bind: 0.0.0.0, port: 15999 }\n");
        Endpoint e = Endpoint.resolve(CtlOptions.parse(List.of("--config", config.toString(), "status")), null);
        assertThat(e.base()).hasToString("http://127.0.0.1:15999");
        Endpoint url = Endpoint.resolve(CtlOptions.parse(List.of("--url", "https://bob:p%40ss@h.example:443/",
                "status")), config);
        assertThat(url.base()).hasToString("https://h.example:443");
        assertThat(url.user()).isEqualTo("bob");
        assertThat(url.password()).isEqualTo("p@ss");
        Endpoint v6 = Endpoint.resolve(CtlOptions.parse(List.of("--host", "::1", "--port", "1", "status")), null);
        assertThat(v6.base()).hasToString("http://[::1]:1");
    }

    @Test
    void aConfigWhosePortIsPickedAtStartNeedsAnExplicitPort() throws Exception {
        Path config = dir.resolve("zero.yaml");
        Files.writeString(config, "listeners:\n  http: { port: 0 }\n");
        CtlException e = catchThrowableOfType(CtlException.class,
                () -> Endpoint.resolve(CtlOptions.parse(List.of("status")), config));
        assertThat(e.getMessage()).contains("give --port");
        assertThat(Endpoint.resolve(CtlOptions.parse(List.of("--port", "5", "status")), config).base())
                .hasToString("http://127.0.0.1:5");
    }

    @Test
    void cellsKeepOneRowOnOneLine() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        assertThat(Output.cell(f.textNode("a\tb\nc"))).isEqualTo("a\\tb\\nc");
        assertThat(Output.cell(f.arrayNode().add("administrator").add("monitoring")))
                .isEqualTo("[administrator, monitoring]");
        assertThat(Output.cell(f.objectNode().put("x-max-length", 5))).isEqualTo("{\"x-max-length\":5}");
        assertThat(Output.cell(f.numberNode(3))).isEqualTo("3");
        assertThat(Output.cell(null)).isEmpty();
    }
}
