package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.ConnectionFactory;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The management API at the HTTP level, against RabbitMQ's management HTTP API reference and its permission
 * model (RabbitMQ docs, "Management Plugin" → "Permissions"; "HTTP API Reference").
 */
class ManagementApiHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final ManagementBroker broker = ManagementBroker.perClass();

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void requestWithoutCredentialsIsRefusedWith401AndBasicChallenge() throws Exception {
        HttpResponse<String> r = broker.get("/api/overview", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
        assertThat(json(r).get("error").asText()).isEqualTo("not_authorised");
    }

    @Test
    void wrongPasswordIsRefusedWith401() throws Exception {
        HttpResponse<String> r = broker.call("GET", "/api/whoami", "admin", "wrong", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(json(r).get("reason").asText()).isEqualTo("Login failed");
    }

    @Test
    void userWithoutManagementTagIsRefusedEvenWithVhostPermissions() throws Exception {
        // RabbitMQ: a user without management, policymaker, monitoring or administrator tag cannot use the API.
        HttpResponse<String> r = broker.get("/api/whoami", "plain");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(json(r).get("reason").asText()).isEqualTo("Not management user");
    }

    @Test
    void healthAndMetricsStayOpenWithoutAuthButNothingElse() throws Exception {
        assertThat(broker.get("/health", null).statusCode()).isEqualTo(200);
        assertThat(broker.get("/metrics", null).statusCode()).isEqualTo(200);
        assertThat(broker.get("/api/queues", null).statusCode()).isEqualTo(401);
        assertThat(broker.get("/api/definitions", null).statusCode()).isEqualTo(401);
    }

    @Test
    void whoamiReportsNameAndTags() throws Exception {
        JsonNode me = json(broker.get("/api/whoami", "monitor"));
        assertThat(me.get("name").asText()).isEqualTo("monitor");
        assertThat(me.get("tags").get(0).asText()).isEqualTo("monitoring");
    }

    @Test
    void managementUserSeesOnlyVhostsItHasPermissionsIn() throws Exception {
        JsonNode vhosts = json(broker.get("/api/vhosts", "manager"));
        assertThat(vhosts).hasSize(1);
        assertThat(vhosts.get(0).get("name").asText()).isEqualTo("restricted");
        assertThat(broker.get("/api/queues/%2F", "manager").statusCode()).isEqualTo(401);
        assertThat(broker.get("/api/queues/restricted", "manager").statusCode()).isEqualTo(200);
    }

    @Test
    void monitoringUserReadsEverythingButCannotChangeAnything() throws Exception {
        assertThat(json(broker.get("/api/vhosts", "monitor"))).hasSize(2);
        assertThat(broker.get("/api/queues/%2F", "monitor").statusCode()).isEqualTo(200);
        HttpResponse<String> put = broker.call("PUT", "/api/queues/%2F/mon.q", "monitor", "pw", "{}");
        assertThat(put.statusCode()).isEqualTo(401);
        assertThat(broker.get("/api/users", "monitor").statusCode()).isEqualTo(401);
    }

    @Test
    void managementUserDeclaresOnlyWhatItsConfigurePermissionAllows() throws Exception {
        HttpResponse<String> denied = broker.call("PUT", "/api/queues/restricted/other.q", "manager", "pw", "{}");
        assertThat(denied.statusCode()).isEqualTo(401);
        HttpResponse<String> ok = broker.call("PUT", "/api/queues/restricted/own.q", "manager", "pw", "{}");
        assertThat(ok.statusCode()).isEqualTo(201);
        assertThat(broker.call("DELETE", "/api/queues/restricted/own.q", "manager", "pw", null).statusCode())
                .isEqualTo(204);
    }

    @Test
    void putCreatesWith201ThenAnswers204AndInequivalentRedeclareIs400WithReason() throws Exception {
        String body = "{\"durable\":true,\"arguments\":{\"x-max-length\":5}}";
        assertThat(broker.call("PUT", "/api/queues/%2F/http.q", "admin", "pw", body).statusCode()).isEqualTo(201);
        assertThat(broker.call("PUT", "/api/queues/%2F/http.q", "admin", "pw", body).statusCode()).isEqualTo(204);
        HttpResponse<String> r = broker.call("PUT", "/api/queues/%2F/http.q", "admin", "pw", "{\"durable\":false}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).isEqualTo("bad_request");
        assertThat(json(r).get("reason").asText()).contains("durable");
        JsonNode q = json(broker.get("/api/queues/%2F/http.q", "admin"));
        assertThat(q.get("arguments").get("x-max-length").asInt()).isEqualTo(5);
        assertThat(q.get("durable").asBoolean()).isTrue();
        assertThat(broker.call("DELETE", "/api/queues/%2F/http.q", "admin", "pw", null).statusCode()).isEqualTo(204);
    }

    @Test
    void missingObjectsAnswer404WithRabbitMqBody() throws Exception {
        HttpResponse<String> r = broker.get("/api/queues/%2F/no.such.queue", "admin");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).get("error").asText()).isEqualTo("Object Not Found");
        assertThat(json(r).get("reason").asText()).isEqualTo("Not Found");
        assertThat(broker.get("/api/queues/no-such-vhost", "admin").statusCode()).isEqualTo(404);
        assertThat(broker.get("/api/no-such-thing", "admin").statusCode()).isEqualTo(404);
    }

    @Test
    void malformedJsonBodyIs400() throws Exception {
        HttpResponse<String> r = broker.call("PUT", "/api/exchanges/%2F/bad.x", "admin", "pw", "{not json");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).isEqualTo("bad_request");
    }

    @Test
    void queueCountsFollowMessagesPublishedByAStockAmqpClient() throws Exception {
        // The same queue seen by an AMQP client and the API: "messages" counts ready plus unacknowledged.
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.amqpPort());
        f.setUsername("admin");
        f.setPassword("pw");
        try (var c = f.newConnection(); var ch = c.createChannel()) {
            ch.queueDeclare("amqp.q", false, false, false, null);
            ch.confirmSelect();
            for (int i = 0; i < 3; i++) {
                ch.basicPublish("", "amqp.q", null, ("m" + i).getBytes());
            }
            ch.waitForConfirmsOrDie(30_000);
            JsonNode q = json(broker.get("/api/queues/%2F/amqp.q", "monitor"));
            assertThat(q.get("messages").asInt()).isEqualTo(3);
            assertThat(q.get("messages_ready").asInt()).isEqualTo(3);
            assertThat(q.get("messages_unacknowledged").asInt()).isEqualTo(0);
            assertThat(broker.call("DELETE", "/api/queues/%2F/amqp.q/contents", "admin", "pw", null).statusCode())
                    .isEqualTo(204);
            assertThat(ch.messageCount("amqp.q")).isZero();
            ch.queueDelete("amqp.q");
        }
    }

    @Test
    void alarmsHealthCheckIsOkWithoutAlarms() throws Exception {
        HttpResponse<String> r = broker.get("/api/health/checks/alarms", "monitor");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("status").asText()).isEqualTo("ok");
    }

    @Test
    void overviewHasRabbitMqFields() throws Exception {
        JsonNode o = json(broker.get("/api/overview", "manager"));
        assertThat(o.has("rabbitmq_version")).isTrue();
        assertThat(o.get("object_totals").has("queues")).isTrue();
        assertThat(o.get("queue_totals").has("messages")).isTrue();
    }

    @Test
    void columnsAndSortShapeLists() throws Exception {
        JsonNode xs = json(broker.get("/api/exchanges/%2F?columns=name,type&sort=name&sort_reverse=true", "admin"));
        assertThat(xs.get(0).size()).isEqualTo(2);
        assertThat(xs.get(0).get("name").asText()).isGreaterThan(xs.get(xs.size() - 1).get("name").asText());
    }

    @Test
    void userCreatedOverTheApiCanLogInToTheApiAndSurvivesARestart() throws Exception {
        try (ManagementBroker own = ManagementBroker.start()) {
            String user = "{\"password\":\"s3cret\",\"tags\":\"monitoring\"}";
            assertThat(own.call("PUT", "/api/users/dave", "admin", "pw", user).statusCode()).isEqualTo(201);
            assertThat(own.call("PUT", "/api/permissions/%2F/dave", "admin", "pw",
                    "{\"configure\":\"\",\"write\":\"\",\"read\":\".*\"}").statusCode()).isEqualTo(201);
            assertThat(own.call("GET", "/api/whoami", "dave", "s3cret", null).statusCode()).isEqualTo(200);
            own.stop();
            try (ManagementBroker again = ManagementBroker.startIn(own.dir())) {
                HttpResponse<String> r = again.call("GET", "/api/permissions/%2F/dave", "dave", "s3cret", null);
                assertThat(r.statusCode()).isEqualTo(401); // monitoring is not administrator
                assertThat(again.call("GET", "/api/whoami", "dave", "s3cret", null).statusCode()).isEqualTo(200);
                JsonNode p = json(again.get("/api/permissions/%2F/dave", "admin"));
                assertThat(p.get("read").asText()).isEqualTo(".*");
            }
        }
    }

    @Test
    void badPercentEncodingIs400AndUnknownConnectionIs404() throws Exception {
        String raw = broker.rawGet("/api/queues/%ZZ", "admin");
        assertThat(raw).startsWith("HTTP/1.1 400").contains("\"error\":\"bad_request\"");
        assertThat(broker.get("/api/connections/no-such-connection", "admin").statusCode()).isEqualTo(404);
    }

    @Test
    void definitionsImportSkipsSectionsJunctionDoesNotSupportInsteadOfFailing() throws Exception {
        // RabbitMQ 3.x exports carry policies and parameters; an import applies what Junction knows.
        String defs = """
                {"rabbit_version":"3.12.0",
                 "policies":[{"vhost":"/","name":"p","pattern":".*","apply-to":"queues","definition":{"max-length":1},"priority":0}],
                 "parameters":[{"vhost":"/","component":"federation-upstream","name":"u","value":{}}],
                 "queues":[{"name":"imported.q","vhost":"/","durable":true,"auto_delete":false,"arguments":{"x-queue-type":"classic"}}],
                 "exchanges":[], "bindings":[]}
                """;
        assertThat(broker.call("POST", "/api/definitions", "admin", "pw", defs).statusCode()).isEqualTo(204);
        assertThat(broker.get("/api/queues/%2F/imported.q", "admin").statusCode()).isEqualTo(200);
        assertThat(broker.call("DELETE", "/api/queues/%2F/imported.q", "admin", "pw", null).statusCode())
                .isEqualTo(204);
        // Policies are imported now; "p" would cap every queue of "/" at one message for the other tests.
        assertThat(broker.call("DELETE", "/api/policies/%2F/p", "admin", "pw", null).statusCode()).isEqualTo(204);
        // Importing is for administrators only.
        assertThat(broker.call("POST", "/api/definitions", "monitor", "pw", defs).statusCode()).isEqualTo(401);
    }

    @Test
    void userWithARabbitMqSha256PasswordHashLogsIn() throws Exception {
        // RabbitMQ's default hash: base64(4-byte salt ++ SHA-256(salt ++ utf8(password))), as definitions carry it.
        byte[] salt = {1, 2, 3, 4};
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        sha.update(salt);
        byte[] digest = sha.digest("from-rabbit".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        byte[] both = new byte[36];
        System.arraycopy(salt, 0, both, 0, 4);
        System.arraycopy(digest, 0, both, 4, 32);
        String hash = java.util.Base64.getEncoder().encodeToString(both);
        String body = "{\"password_hash\":\"" + hash + "\",\"hashing_algorithm\":\"rabbit_password_hashing_sha256\","
                + "\"tags\":[\"monitoring\"]}";
        assertThat(broker.call("PUT", "/api/users/rabbit-user", "admin", "pw", body).statusCode()).isEqualTo(201);
        assertThat(broker.call("GET", "/api/whoami", "rabbit-user", "from-rabbit", null).statusCode()).isEqualTo(200);
        assertThat(broker.call("GET", "/api/whoami", "rabbit-user", "wrong", null).statusCode()).isEqualTo(401);
        JsonNode u = json(broker.get("/api/users/rabbit-user", "admin"));
        assertThat(u.get("password_hash").asText()).isEqualTo(hash);
        assertThat(u.get("hashing_algorithm").asText()).isEqualTo("rabbit_password_hashing_sha256");
        // A hash that does not match its declared algorithm is refused.
        HttpResponse<String> bad = broker.call("PUT", "/api/users/rabbit-user2", "admin", "pw",
                body.replace("sha256", "sha512"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(broker.call("DELETE", "/api/users/rabbit-user", "admin", "pw", null).statusCode()).isEqualTo(204);
    }

    @Test
    void methodNotAllowedIs405() throws Exception {
        assertThat(broker.call("POST", "/api/overview", "admin", "pw", "{}").statusCode()).isEqualTo(405);
    }
}
