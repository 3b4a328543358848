package dev.junction.conformance.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Management API logins (HTTP basic auth on {@code /api}) go through {@code auth.backends} in order, as AMQP and
 * MQTT logins do: internal users, an HTTP service answering {@code allow <tags>} (RabbitMQ HTTP backend contract,
 * user_path), and a JWT given as the password (as RabbitMQ's management plugin accepts OAuth 2.0 tokens), whose
 * {@code <resource_server_id>.tag:<tag>} scopes are the user's tags. The tags decide as RabbitMQ's management
 * permissions say. Plain {@code java.net.http} as the client.
 */
@Timeout(120)
class ManagementLoginBackendsTest {
    private static final String SECRET = "test-secret-of-at-least-32-characters!!";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final ConformanceBroker broker = ConformanceBroker.startedByTest();
    private final AuthService service;
    private final HttpClient http = HttpClient.newHttpClient();

    ManagementLoginBackendsTest() throws Exception {
        // ops/secret is an administrator to the service; viewer/secret is known but has no management tag.
        service = new AuthService().on("/auth/user", p -> !p.get("password").equals("secret") ? "deny"
                : p.get("username").equals("ops") ? "allow administrator management" : "allow").start();
    }

    @AfterEach
    void stopService() {
        service.close();
    }

    private void startBroker() throws Exception {
        broker.start(BrokerConfig.standard().withSections("""
                auth:
                  backends: [internal, http, jwt]
                  http:
                    user_path: %s/auth/user
                  jwt:
                    resource_server_id: junction
                    issuer: https://issuer.test
                    hmac_secret: "%s"
                """.formatted(service.base(), SECRET)));
    }

    private HttpResponse<String> get(String path, String user, String password) throws Exception {
        String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.port("http") + path))
                .header("Authorization", "Basic " + basic).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anHttpServiceUserIsAnAdministratorByTheTagsItAnswers() throws Exception {
        startBroker();
        HttpResponse<String> me = get("/api/whoami", "ops", "secret");
        assertThat(me.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(me.body());
        assertThat(body.get("name").asText()).isEqualTo("ops");
        assertThat(body.get("tags").toString()).contains("administrator");
        assertThat(get("/api/users", "ops", "secret").statusCode()).isEqualTo(200); // administrator only
        assertThat(service.to("/auth/user")).anySatisfy(p -> assertThat(p).containsEntry("username", "ops"));
        // "allow" without tags: a known user, but not a management user (RabbitMQ's rule), 401.
        HttpResponse<String> viewer = get("/api/whoami", "viewer", "secret");
        assertThat(viewer.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(viewer.body()).get("reason").asText()).isEqualTo("Not management user");
        HttpResponse<String> wrong = get("/api/whoami", "ops", "wrong");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(wrong.body()).get("reason").asText()).isEqualTo("Login failed");
    }

    /** RFC 7519 token as the password (the user name is ignored), with RabbitMQ's tag scope. */
    @Test
    void aJwtAsThePasswordLogsInWithTheTagsOfItsScopes() throws Exception {
        startBroker();
        String monitoring = JwtAuthBackendTest.token("grafana", "junction.tag:monitoring junction.read:*/*", "junction",
                SECRET, Instant.now().plusSeconds(3600));
        HttpResponse<String> me = get("/api/whoami", "ignored", monitoring);
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(me.body()).get("name").asText()).isEqualTo("grafana");
        assertThat(get("/api/queues", "ignored", monitoring).statusCode()).isEqualTo(200);
        assertThat(get("/api/users", "ignored", monitoring).statusCode()).as("not an administrator").isEqualTo(401);
        String expired = JwtAuthBackendTest.token("grafana", "junction.tag:monitoring", "junction", SECRET,
                Instant.now().minusSeconds(60));
        assertThat(get("/api/whoami", "ignored", expired).statusCode()).isEqualTo(401);
    }

    @Test
    void internalUsersAreAskedFirstInTheConfiguredOrder() throws Exception {
        startBroker();
        assertThat(get("/api/whoami", "guest", "guest").statusCode()).isEqualTo(200); // from 127.0.0.1
        assertThat(service.to("/auth/user")).isEmpty(); // internal answered first
    }
}
