package dev.junction.conformance.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RabbitMQ's {@code GET /api/aliveness-test/{vhost}} (RabbitMQ docs, "HTTP API Reference": "Declares a test queue
 * on the target node, then publishes and consumes a message"): the answer, the queue it leaves behind, and who may
 * call it, which in RabbitMQ is a management user with access to the vhost and the AMQP rights the check uses.
 */
class AlivenessTestApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final ManagementBroker broker = ManagementBroker.perClass();

    @Test
    void declaresTheQueuePublishesAndGetsAMessageAndAnswersOk() throws Exception {
        HttpResponse<String> r = broker.get("/api/aliveness-test/%2F", "admin");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("status").asText()).isEqualTo("ok");
        // The queue stays, as in RabbitMQ (a probe every few seconds should not create and delete one each time);
        // the message is gone.
        JsonNode q = JSON.readTree(broker.get("/api/queues/%2F/aliveness-test", "admin").body());
        assertThat(q.get("durable").asBoolean()).isFalse();
        assertThat(q.get("messages").asInt()).isZero();
        assertThat(broker.get("/api/aliveness-test/%2F", "admin").statusCode()).as("again").isEqualTo(200);
    }

    @Test
    void aManagementUserWithRightsInTheVhostMayProbeIt() throws Exception {
        assertThat(broker.call("PUT", "/api/users/probe", "admin", "pw",
                "{\"password\":\"pw\",\"tags\":\"management\"}").statusCode()).isEqualTo(201);
        assertThat(broker.call("PUT", "/api/permissions/%2F/probe", "admin", "pw",
                "{\"configure\":\"^aliveness-test$\",\"write\":\"^amq\\\\.default$\",\"read\":\"^aliveness-test$\"}")
                .statusCode()).isEqualTo(201);
        HttpResponse<String> r = broker.get("/api/aliveness-test/%2F", "probe");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("status").asText()).isEqualTo("ok");
    }

    @Test
    void callersWithoutAccessOrRightsAreRefused() throws Exception {
        // monitoring without permissions in the vhost: the check needs an AMQP channel there, which it cannot open.
        assertThat(broker.get("/api/aliveness-test/%2F", "monitor").statusCode()).isEqualTo(401);
        // management with permissions in "restricted", but not on the queue aliveness-test.
        HttpResponse<String> r = broker.get("/api/aliveness-test/restricted", "manager");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("not_authorised");
        assertThat(broker.get("/api/aliveness-test/%2F", "manager").statusCode()).isEqualTo(401);
        // no management tag at all.
        assertThat(broker.get("/api/aliveness-test/%2F", "plain").statusCode()).isEqualTo(401);
        assertThat(broker.get("/api/aliveness-test/%2F", null).statusCode()).isEqualTo(401);
    }

    @Test
    void unknownVhostIs404AndOtherMethodsAre405() throws Exception {
        assertThat(broker.get("/api/aliveness-test/no-such-vhost", "admin").statusCode()).isEqualTo(404);
        assertThat(broker.call("POST", "/api/aliveness-test/%2F", "admin", "pw", "{}").statusCode()).isEqualTo(405);
        assertThat(broker.get("/api/aliveness-test", "admin").statusCode()).isEqualTo(404);
    }
}
