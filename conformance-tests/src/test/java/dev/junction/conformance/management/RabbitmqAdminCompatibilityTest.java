package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Drives the stock {@code rabbitmqadmin} CLI (shipped by Debian's rabbitmq-server package) against Junction,
 * unchanged: the proof that the management API speaks RabbitMQ's URL shapes, bodies, status codes and JSON
 * fields (RabbitMQ docs, "Management Command Line Tool" and "HTTP API Reference"). Skipped, with a message, where
 * the tool is not installed; .ci/run installs it.
 */
class RabbitmqAdminCompatibilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String tool;
    @RegisterExtension
    static final ManagementBroker broker = ManagementBroker.perClass();

    @BeforeAll
    static void findTool() {
        tool = findOnPath("rabbitmqadmin");
        assumeTrue(tool != null, "rabbitmqadmin is not on PATH (Debian: apt-get install rabbitmq-server); "
                + "assuming the CI installs it, skipping the stock-CLI conformance test here");
    }

    private static String findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    record Run(int exit, String out, String err) {
        Run ok() {
            assertThat(exit).as("rabbitmqadmin failed: %s%s", out, err).isZero();
            return this;
        }
    }

    private static Run admin(ManagementBroker b, String user, String password, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tool, "--host", "127.0.0.1", "--port",
                String.valueOf(b.httpPort()), "-u", user, "-p", password, "--quiet"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(b.dir(), "out", ".txt");
        Path err = Files.createTempFile(b.dir(), "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("rabbitmqadmin did not finish: " + cmd);
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static Run admin(String... args) throws Exception {
        return admin(broker, "admin", "pw", args);
    }

    private static List<String> rows(Run r) {
        return r.out().lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void declareListPublishGetPurgeAndDeleteWorkUnchanged() throws Exception {
        admin("declare", "queue", "name=cli.q", "durable=true", "arguments={\"x-max-length\": 10}").ok();
        admin("declare", "exchange", "name=cli.x", "type=topic").ok();
        admin("declare", "binding", "source=cli.x", "destination=cli.q", "routing_key=a.#").ok();

        assertThat(rows(admin("-f", "tsv", "list", "exchanges").ok())).contains("cli.x\ttopic");
        assertThat(rows(admin("-f", "tsv", "list", "bindings").ok())).contains("cli.x\tcli.q\ta.#");

        admin("publish", "exchange=cli.x", "routing_key=a.b", "payload=hello from the cli").ok();
        admin("publish", "exchange=cli.x", "routing_key=a.c", "payload=second").ok();
        assertThat(rows(admin("-f", "tsv", "list", "queues", "name", "messages").ok())).contains("cli.q\t2");

        Run got = admin("-f", "raw_json", "get", "queue=cli.q", "ackmode=ack_requeue_false").ok();
        JsonNode msgs = JSON.readTree(got.out());
        assertThat(msgs).hasSize(1);
        assertThat(msgs.get(0).get("payload").asText()).isEqualTo("hello from the cli");
        assertThat(msgs.get(0).get("routing_key").asText()).isEqualTo("a.b");
        assertThat(rows(admin("-f", "tsv", "list", "queues", "name", "messages").ok())).contains("cli.q\t1");

        // ack_requeue_true leaves the message in the queue, as RabbitMQ does.
        admin("get", "queue=cli.q", "ackmode=ack_requeue_true").ok();
        assertThat(rows(admin("-f", "tsv", "list", "queues", "name", "messages").ok())).contains("cli.q\t1");

        admin("purge", "queue", "name=cli.q").ok();
        assertThat(rows(admin("-f", "tsv", "list", "queues", "name", "messages").ok())).contains("cli.q\t0");

        admin("delete", "exchange", "name=cli.x").ok();
        admin("delete", "queue", "name=cli.q").ok();
        assertThat(admin("-f", "tsv", "list", "queues", "name").ok().out()).doesNotContain("cli.q");
        assertThat(admin("-f", "tsv", "list", "exchanges", "name").ok().out()).doesNotContain("cli.x");
    }

    @Test
    void listsOfVhostsUsersConnectionsAndTheOverviewWork() throws Exception {
        assertThat(rows(admin("-f", "tsv", "list", "vhosts", "name").ok())).containsExactly("/", "restricted");
        assertThat(rows(admin("-f", "tsv", "list", "users", "name").ok()))
                .contains("admin", "monitor", "manager", "plain");
        admin("list", "connections").ok();
        assertThat(admin("show", "overview").ok().out()).contains("rabbitmq_version");
    }

    @Test
    void listAndCloseConnectionsWorkUnchanged() throws Exception {
        com.rabbitmq.client.Connection c = ConnectionsApiTest.amqp(broker, "admin", "/", "cli").newConnection();
        try {
            String name = ConnectionsApiTest.nameOf(broker, c);
            c.createChannel();
            assertThat(rows(admin("-f", "tsv", "list", "connections", "name", "user", "channels", "protocol").ok()))
                    .contains(name + "\tadmin\t1\tAMQP 0-9-1");
            var closed = ConnectionsApiTest.closed(c);
            admin("close", "connection", "name=" + name).ok();
            assertThat(closed.get(30, TimeUnit.SECONDS).getMessage()).contains("320");
        } finally {
            c.abort();
        }
    }

    @Test
    void declareListAndDeletePolicyWorkUnchanged() throws Exception {
        admin("declare", "queue", "name=cli.pol.q", "durable=false").ok();
        admin("publish", "routing_key=cli.pol.q", "payload=one").ok();
        admin("publish", "routing_key=cli.pol.q", "payload=two").ok();
        admin("declare", "policy", "name=cli-limit", "pattern=^cli\\.pol\\.", "apply-to=queues", "priority=2",
                "definition={\"max-length\": 1}").ok();

        assertThat(rows(admin("-f", "tsv", "list", "policies", "name", "pattern", "apply-to", "priority").ok()))
                .contains("cli-limit\t^cli\\.pol\\.\tqueues\t2");
        assertThat(rows(admin("-f", "tsv", "list", "queues", "name", "messages", "policy").ok()))
                .contains("cli.pol.q\t1\tcli-limit");

        admin("delete", "policy", "name=cli-limit").ok();
        assertThat(admin("-f", "tsv", "list", "policies", "name").ok().out()).doesNotContain("cli-limit");
        admin("delete", "queue", "name=cli.pol.q").ok();
    }

    @Test
    void refusalsReachTheToolAsRabbitMqReportsThem() throws Exception {
        admin("declare", "queue", "name=cli.eq", "durable=true").ok();
        // 400 with a reason: rabbitmqadmin prints the reason.
        Run inequivalent = admin("declare", "queue", "name=cli.eq", "durable=false");
        assertThat(inequivalent.exit()).isEqualTo(1);
        assertThat(inequivalent.err()).contains("inequivalent").contains("durable");
        // 401: rabbitmqadmin prints "Access refused".
        Run refused = admin(broker, "admin", "wrong", "list", "queues");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("Access refused");
        // 404: "Not found" with the path.
        Run missing = admin("delete", "queue", "name=cli.nope");
        assertThat(missing.err()).contains("Not found: /api/queues/%2F/cli.nope");
        admin("delete", "queue", "name=cli.eq").ok();
    }

    @Test
    void exportedDefinitionsImportIntoAFreshBrokerWithUsersPermissionsAndBindings() throws Exception {
        admin("declare", "vhost", "name=exported").ok();
        admin("declare", "user", "name=carol", "password=s3cret", "tags=management").ok();
        admin("declare", "permission", "vhost=exported", "user=carol", "configure=.*", "write=.*", "read=.*").ok();
        admin("-V", "exported", "declare", "queue", "name=ex.q",
                "arguments={\"x-message-ttl\": 60000, \"x-max-length\": 7}").ok();
        admin("-V", "exported", "declare", "exchange", "name=ex.x", "type=direct").ok();
        admin("-V", "exported", "declare", "binding", "source=ex.x", "destination=ex.q", "routing_key=k").ok();
        // A topic permission goes in over the HTTP API; rabbitmqadmin 3.10 has no verb for it.
        assertThat(broker.call("PUT", "/api/topic-permissions/exported/carol", "admin", "pw",
                "{\"exchange\":\"amq.topic\",\"write\":\"^a\",\"read\":\"^b\"}").statusCode()).isEqualTo(201);

        Path file = broker.dir().resolve("defs.json");
        admin("export", file.toString()).ok();
        JsonNode defs = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        JsonNode carol = find(defs.get("users"), "name", "carol");
        assertThat(carol.get("password_hash").asText()).isNotEmpty();
        // Junction hashes new passwords with PBKDF2 and names the algorithm so an import knows it.
        assertThat(carol.get("hashing_algorithm").asText()).isEqualTo("junction_password_hashing_pbkdf2_sha512");
        assertThat(find(defs.get("queues"), "name", "ex.q").get("arguments").get("x-max-length").asInt())
                .isEqualTo(7);
        assertThat(find(defs.get("topic_permissions"), "user", "carol").get("write").asText()).isEqualTo("^a");

        try (ManagementBroker fresh = ManagementBroker.start()) {
            admin(fresh, "admin", "pw", "import", file.toString()).ok();
            // carol's password hash came across: she logs in with the password set on the first broker.
            assertThat(rows(admin(fresh, "carol", "s3cret", "-f", "tsv", "list", "vhosts", "name").ok()))
                    .containsExactly("exported");
            assertThat(rows(admin(fresh, "carol", "s3cret", "-V", "exported", "-f", "tsv", "list", "queues",
                    "name").ok())).containsExactly("ex.q");
            assertThat(rows(admin(fresh, "admin", "pw", "-V", "exported", "-f", "tsv", "list", "bindings",
                    "source", "destination", "routing_key").ok())).contains("ex.x\tex.q\tk");
            JsonNode q = JSON.readTree(fresh.get("/api/queues/exported/ex.q", "admin").body());
            assertThat(q.get("arguments").get("x-message-ttl").asInt()).isEqualTo(60000);
            JsonNode tp = JSON.readTree(fresh.get("/api/topic-permissions/exported/carol", "admin").body());
            assertThat(tp.get(0).get("read").asText()).isEqualTo("^b");
        }
    }

    private static JsonNode find(JsonNode list, String field, String value) {
        for (JsonNode n : list) {
            if (n.path(field).asText().equals(value)) {
                return n;
            }
        }
        throw new AssertionError("no " + field + "=" + value + " in " + list);
    }
}
