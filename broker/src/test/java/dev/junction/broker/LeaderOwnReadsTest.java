package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import org.junit.jupiter.api.Test;

/** The metadata leader answers its own reads between its own writes, on a cluster configured for that. */
class LeaderOwnReadsTest extends OnThreeNodes {

    /**
     * On the metadata leader, declarations (writes the node's Raft client sends to the leader, itself) and passive
     * declarations (reads through the read index of the node asked, itself too) take turns, each answered. Ratis
     * numbered the two kinds in two sequences but sent both on one stream, which the server orders by one: the
     * first read was never processed and held every later answer until the client gave the request up. Its
     * timeout is set far above the test's wait here, so the old behaviour fails instead of recovering late.
     */
    @Test
    void theLeaderAnswersItsOwnReadsBetweenItsOwnWrites() throws Exception {
        nodes = new ThreeNodes(dir, "  request_timeout_ms: 300000\n", "").startAll();
        String leader = nodes.leader();
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(nodes.broker(leader).address("amqp").getPort());
        f.setChannelRpcTimeout(60_000);
        try (Connection c = f.newConnection()) {
            Channel ch = c.createChannel();
            for (int i = 0; i < 10; i++) {
                String q = "turns.q" + i;
                ch.queueDeclare(q, true, false, false, null);
                assertThat(ch.queueDeclarePassive(q).getQueue()).isEqualTo(q);
                ch.exchangeDeclare("turns.x" + i, "fanout", true);
                ch.queueBind(q, "turns.x" + i, "");
                ch.exchangeDeclarePassive("turns.x" + i);
            }
        }
        assertThat(nodes.broker(leader).engine().vhost("/").orElseThrow().bindingsTo(true, "turns.q9")).hasSize(1);
    }
}
