package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Users (with their permissions and topic permissions) and policies go through the cluster's metadata log
 * (docs/cluster.md): what the management API changes on one node applies on every node, and a node without a
 * majority refuses the change.
 */
class ClusterAccessTest extends OnThreeNodes {

    @Test
    void aUserCreatedOnOneNodeLogsInOnAnotherAndAPolicySetOnOneAppliesOnAnother() throws Exception {
        nodes = new ThreeNodes(dir, "").startAll();
        assertThat(nodes.http("n1", "PUT", "/api/users/erin", "{\"password\":\"e-pw\",\"tags\":\"\"}").statusCode())
                .isEqualTo(201);
        assertThat(nodes.http("n1", "PUT", "/api/permissions/%2F/erin",
                "{\"configure\":\"^erin\\\\.\",\"write\":\".*\",\"read\":\".*\"}").statusCode()).isEqualTo(201);
        assertThat(nodes.http("n1", "PUT", "/api/topic-permissions/%2F/erin",
                "{\"exchange\":\"amq.topic\",\"write\":\"^erin\\\\.\",\"read\":\".*\"}").statusCode())
                .isIn(201, 204);
        ThreeNodes.await("erin's topic permission on n3", () -> nodes.http("n3", "GET",
                "/api/topic-permissions/%2F/erin", null).body().contains("amq.topic"));
        try (Connection c = nodes.connect("n3", "erin", "e-pw")) {
            Channel ch = c.createChannel();
            ch.queueDeclare("erin.q", false, false, true, null);
            // Her configure permission came along: a name outside it is refused on this node too.
            assertThatThrownBy(() -> ch.queueDeclare("other.q", false, false, true, null))
                    .hasStackTraceContaining("reply-code=403");
        }

        assertThat(nodes.http("n2", "PUT", "/api/policies/%2F/short",
                "{\"pattern\":\"^pol\\\\.\",\"definition\":{\"max-length\":1},\"apply-to\":\"queues\"}").statusCode())
                .isIn(201, 204);
        try (Connection c = nodes.connect("n1"); Channel ch = c.createChannel()) {
            // No wait: the policy was committed before n2 answered, so the queue's entry comes after it in the log
            // and n1 creates the queue with the policy already in force.
            ch.queueDeclare("pol.q", true, false, false, null);
            ch.confirmSelect();
            for (int i = 0; i < 3; i++) {
                ch.basicPublish("", "pol.q", null, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(10_000);
            assertThat(ch.queueDeclarePassive("pol.q").getMessageCount()).isEqualTo(1);
            assertThat(nodes.http("n1", "GET", "/api/queues/%2F/pol.q", null).body())
                    .contains("\"policy\":\"short\"");
        }

        // The API's declarations are answered after the commit too: another node finds the queue at once.
        assertThat(nodes.http("n2", "PUT", "/api/queues/%2F/api.q", "{\"durable\":true}").statusCode())
                .isEqualTo(201);
        try (Connection c = nodes.connect("n3"); Channel ch = c.createChannel()) {
            assertThat(ch.queueDeclarePassive("api.q").getQueue()).isEqualTo("api.q");
        }
        assertThat(nodes.http("n3", "DELETE", "/api/queues/%2F/api.q", null).statusCode()).isEqualTo(204);
        try (Connection c = nodes.connect("n1")) {
            Channel ch = c.createChannel();
            assertThatThrownBy(() -> ch.queueDeclarePassive("api.q")).hasStackTraceContaining("404");
        }

        assertThat(nodes.http("n3", "DELETE", "/api/users/erin", null).statusCode()).isEqualTo(204);
        ThreeNodes.await("erin gone from n1", () -> nodes.http("n1", "GET", "/api/users/erin", null)
                .statusCode() == 404);
    }

    @Test
    void aNodeWithoutAMajorityRefusesUserChanges() throws Exception {
        nodes = new ThreeNodes(dir, "").startAll();
        String last = nodes.followers().get(0);
        for (String other : List.copyOf(nodes.running())) {
            if (!other.equals(last)) {
                nodes.stop(other);
            }
        }
        ThreeNodes.await("no leader on " + last,
                () -> nodes.broker(last).cluster().orElseThrow().status().leader().isEmpty());
        var res = nodes.http(last, "PUT", "/api/users/late", "{\"password\":\"pw\",\"tags\":\"\"}");
        assertThat(res.statusCode()).isEqualTo(503);
        assertThat(res.body()).contains("no leader for the metadata group");
        assertThat(nodes.http(last, "GET", "/api/users/late", null).statusCode()).isEqualTo(404);
    }
}
