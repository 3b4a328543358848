package dev.junction.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import org.junit.jupiter.api.Test;

/**
 * A node without a majority refuses declarations and deletions alike (docs/cluster.md), and changes nothing; its
 * transient and exclusive objects, which are its own, it still declares. Two nodes are stopped, so the test has a
 * cluster of its own.
 */
class DeclarationsWithoutMajorityTest extends OnThreeNodes {

    @Test
    void aNodeWithoutAMajorityRefusesDeclarationsAndDeletions() throws Exception {
        nodes = new ThreeNodes(dir, "").startAll();
        String last = nodes.followers().get(0);
        nodes.retried(last, ch -> {
            ch.exchangeDeclare("min.x", "fanout", true);
            ch.queueDeclare("min.q", true, false, false, null);
            ch.queueBind("min.q", "min.x", "");
        });
        for (String other : nodes.running()) {
            if (!other.equals(last)) {
                nodes.stop(other);
            }
        }
        ThreeNodes.await("no leader on " + last,
                () -> nodes.broker(last).cluster().orElseThrow().status().leader().isEmpty());
        refused(last, ch -> ch.queueDeclare("min.new", true, false, false, null));
        refused(last, ch -> ch.exchangeDeclare("min.newx", "direct", true));
        refused(last, ch -> ch.queueDelete("min.q"));
        refused(last, ch -> ch.exchangeDelete("min.x"));
        refused(last, ch -> ch.queueUnbind("min.q", "min.x", ""));
        refused(last, ch -> ch.queueDeclarePassive("min.q"));
        // Nothing was changed on the node: the refused deletions left queue, exchange and binding in place.
        var vhost = nodes.broker(last).engine().vhost("/").orElseThrow();
        assertThat(vhost.queue("min.q")).isPresent();
        assertThat(vhost.exchange("min.x")).isPresent();
        assertThat(vhost.bindingsTo(true, "min.q")).hasSize(1);
        // Transient and exclusive objects are the node's own and are still declared.
        try (Connection c = nodes.connect(last); Channel ch = c.createChannel()) {
            ch.queueDeclare("min.transient", false, false, true, null);
            ch.queueDeclare("", false, true, true, null);
        }
    }

    /** The refusal a node without a leader gives: AMQP 541, which closes the connection, with the reason. */
    private void refused(String node, ThreeNodes.ChannelAction action) throws Exception {
        Connection c = nodes.connect(node);
        try {
            Channel ch = c.createChannel();
            assertThatThrownBy(() -> action.run(ch)).hasStackTraceContaining("541")
                    .hasStackTraceContaining("no leader for the metadata group");
        } finally {
            c.abort();
        }
    }
}
