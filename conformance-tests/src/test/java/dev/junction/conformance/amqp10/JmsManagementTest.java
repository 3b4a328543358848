package dev.junction.conformance.amqp10;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * AMQP 1.0 connections in the management API like every other protocol's: listed in {@code /api/connections} with
 * their user, vhost, protocol and container id, and closed by {@code DELETE /api/connections/{name}}, which the
 * client hears as a {@code close} with {@code amqp:connection:forced} and the {@code X-Reason} text.
 */
class JmsManagementTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final Amqp10Support broker = Amqp10Support.perClass();

    private static HttpResponse<String> call(String method, String path, String reason) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.port("http") + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "guest:guest".getBytes(StandardCharsets.UTF_8)))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (reason != null) {
            r.header("X-Reason", reason);
        }
        return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode awaitConnection(String containerId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (JsonNode n : JSON.readTree(call("GET", "/api/connections", null).body())) {
                if (n.toString().contains(containerId)) { // the container id is the connection's client id
                    return n;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no connection of container " + containerId + " listed");
    }

    @Test
    void aJmsConnectionIsListedAndClosedByTheApi() throws Exception {
        String clientId = Amqp10Support.id("listed");
        Connection c = broker.jms("guest", "guest", "jms.clientID=" + clientId);
        CompletableFuture<JMSException> lost = new CompletableFuture<>();
        c.setExceptionListener(lost::complete);
        c.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);

        JsonNode listed = awaitConnection(clientId);
        assertThat(listed.get("protocol").asText()).isEqualTo("AMQP 1.0");
        assertThat(listed.get("user").asText()).isEqualTo("guest");
        assertThat(listed.get("vhost").asText()).isEqualTo("/");

        String name = listed.get("name").asText();
        HttpResponse<String> closed = call("DELETE", "/api/connections/"
                + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20"), "maintenance");
        assertThat(closed.statusCode()).isBetween(200, 299);
        JMSException why = lost.get(10, TimeUnit.SECONDS);
        assertThat(String.valueOf(why.getMessage()) + why.getCause()).contains("maintenance");
    }

    @Test
    void sessionsAreListedAsChannelsWithTheirConsumers() throws Exception {
        String clientId = Amqp10Support.id("sessions");
        Connection c = broker.jms("guest", "guest", "jms.clientID=" + clientId + "&jms.prefetchPolicy.all=7");
        jakarta.jms.Session plain = c.createSession(false, jakarta.jms.Session.CLIENT_ACKNOWLEDGE);
        jakarta.jms.Queue q = plain.createQueue(Amqp10Support.id("listed"));
        plain.createConsumer(q);
        c.createSession(true, jakarta.jms.Session.SESSION_TRANSACTED).createProducer(q);

        String name = awaitConnection(clientId).get("name").asText();
        String path = "/api/connections/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20")
                + "/channels";
        JsonNode channels = JSON.readTree(call("GET", path, null).body());
        // Qpid JMS keeps a session of its own besides the application's two
        assertThat(channels.size()).isGreaterThanOrEqualTo(2);
        JsonNode consuming = null;
        boolean transactional = false;
        for (JsonNode ch : channels) {
            if (ch.get("consumer_count").asInt() == 1) {
                consuming = ch;
            }
            transactional |= ch.get("transactional").asBoolean();
        }
        assertThat(consuming).as("the consumer's session in " + channels).isNotNull();
        assertThat(consuming.get("name").asText()).startsWith(name + " (");
        assertThat(transactional).as("the transacted session in " + channels).isTrue();

        JsonNode consumer = null;
        for (JsonNode n : JSON.readTree(call("GET", "/api/consumers", null).body())) {
            if (n.get("queue").get("name").asText().equals(q.getQueueName())) {
                consumer = n;
            }
        }
        assertThat(consumer).isNotNull();
        assertThat(consumer.get("ack_required").asBoolean()).isTrue();
        assertThat(consumer.get("prefetch_count").asInt()).isEqualTo(7);
    }
}
