package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.ConnectionFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A reload re-reads the {@code definitions_file} too, as a start does (issue 13, item 6 of the follow-ups): what the
 * file adds appears, the config file's users still win over it, and a file that is not JSON refuses the reload
 * naming the file, with the running configuration kept.
 */
class DefinitionsFileReloadTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final ConfigReloadTest.FileBroker broker = new ConfigReloadTest.FileBroker();
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> call(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.port("http") + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "admin:pw".getBytes(StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private Path definitions() {
        return broker.file().resolveSibling("defs.json");
    }

    private static void login(int port, String user, String password) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(port);
        f.setUsername(user);
        f.setPassword(password);
        f.newConnection().close();
    }

    @Test
    void reloadImportsTheDefinitionsFileAndTheYamlStillWins() throws Exception {
        // The definitions file names alice with another password: the config file's alice wins.
        Files.writeString(definitions(), """
                {"queues": [{"name": "from.defs", "vhost": "/", "durable": true, "auto_delete": false,
                             "arguments": {}}],
                 "policies": [{"vhost": "/", "name": "defs-limit", "pattern": "^from\\\\.", "apply-to": "queues",
                               "priority": 0, "definition": {"max-length": 10}}],
                 "users": [{"name": "alice", "password_hash": "", "hashing_algorithm":
                            "rabbit_password_hashing_sha256", "tags": ""}]}
                """);
        broker.write(ConfigReloadTest.BASE + "definitions_file: defs.json\n");
        HttpResponse<String> r = call("POST", "/api/reload");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode outcome = JSON.readTree(r.body());
        assertThat(outcome.get("definitions").asText()).startsWith("imported from ")
                .endsWith(definitions().getFileName().toString());

        JsonNode q = JSON.readTree(call("GET", "/api/queues/%2F/from.defs").body());
        assertThat(q.get("durable").asBoolean()).isTrue();
        assertThat(q.get("policy").asText()).isEqualTo("defs-limit");
        login(broker.amqpPort(), "alice", "a-pw");

        // The file changes: the next reload brings what it adds.
        Files.writeString(definitions(), """
                {"queues": [{"name": "from.defs.too", "vhost": "/", "durable": true, "auto_delete": false,
                             "arguments": {}}]}
                """);
        assertThat(call("POST", "/api/reload").statusCode()).isEqualTo(200);
        assertThat(call("GET", "/api/queues/%2F/from.defs.too").statusCode()).isEqualTo(200);
        // Never deletes: what the earlier file made stays, as at start.
        assertThat(call("GET", "/api/queues/%2F/from.defs").statusCode()).isEqualTo(200);
    }

    @Test
    void aDefinitionsFileThatIsNotJsonRefusesTheReload() throws Exception {
        Files.writeString(definitions(), "{\"queues\": [\n  oops\n]}");
        broker.write(ConfigReloadTest.BASE + "definitions_file: defs.json\n"
                + "vhosts: [\"/\", \"added-by-reload\"]\n");
        HttpResponse<String> r = call("POST", "/api/reload");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("reason").asText()).contains("defs.json:2").contains("malformed JSON");
        // Nothing of the file was applied: the vhost it adds is not there.
        assertThat(call("GET", "/api/vhosts/added-by-reload").statusCode()).isEqualTo(404);
    }
}
