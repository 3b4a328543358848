package dev.junction.conformance.cluster.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.junction.conformance.BrokerConfig;
import dev.junction.conformance.ConformanceBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quorum queues on a broker without a cluster, as a RabbitMQ application declares them against one RabbitMQ
 * node (a group of one member): the declaration is accepted, the properties a quorum queue cannot have are refused
 * with RabbitMQ 3.10's codes and texts, {@code x-delivery-limit} dead-letters a message returned too often and
 * stamps {@code x-delivery-count}, and the queue and its confirmed messages survive a restart.
 */
@Timeout(60)
class SingleNodeQuorumQueueTest {
    @RegisterExtension
    final ConformanceBroker broker = ConformanceBroker.startedByTest();

    @TempDir
    Path dir;

    private static final Map<String, Object> QUORUM = Map.of("x-queue-type", "quorum");
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2).build();

    private Connection connect() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setPort(broker.amqpPort());
        return f.newConnection();
    }

    private String refused(boolean durable, boolean exclusive, boolean autoDelete, Map<String, Object> args)
            throws Exception {
        try (Connection c = connect()) {
            Channel ch = c.createChannel();
            Exception e = assertThrows(Exception.class, () -> ch.queueDeclare("qq.refused", durable, exclusive,
                    autoDelete, args));
            Throwable cause = e instanceof ShutdownSignalException ? e : e.getCause();
            AMQP.Channel.Close close = (AMQP.Channel.Close) ((ShutdownSignalException) cause).getReason();
            assertThat(close.getReplyCode()).isEqualTo(406);
            return close.getReplyText();
        }
    }

    @Test
    void propertiesAQuorumQueueCannotHaveAreRefusedWithRabbitMqsTexts() throws Exception {
        broker.start(BrokerConfig.standard());
        String what = " for queue 'qq.refused' in vhost '/'";
        assertThat(refused(false, false, false, QUORUM))
                .isEqualTo("PRECONDITION_FAILED - invalid property 'non-durable'" + what);
        assertThat(refused(true, true, false, QUORUM))
                .isEqualTo("PRECONDITION_FAILED - invalid property 'exclusive-owner'" + what);
        assertThat(refused(true, false, true, QUORUM))
                .isEqualTo("PRECONDITION_FAILED - invalid property 'auto-delete'" + what);
        assertThat(refused(true, false, false, Map.of("x-queue-type", "quorum", "x-max-priority", 5)))
                .isEqualTo("PRECONDITION_FAILED - invalid arg 'x-max-priority'" + what);
        try (Connection c = connect()) {
            Channel ch = c.createChannel();
            ch.queueDeclare("qq.classic", true, false, false, null);
            Exception e = assertThrows(Exception.class, () -> ch.queueDeclare("qq.classic", true, false, false,
                    QUORUM));
            assertThat(e).hasStackTraceContaining("inequivalent arg 'x-queue-type'");
        }
    }

    /**
     * RabbitMQ "Quorum Queues": overflow is drop-head or reject-publish, there is no reject-publish-dlx; refused at
     * declare, alone as in a cluster (docs/cluster.md, "Quorum queues").
     */
    @Test
    void rejectPublishDlxIsRefused() throws Exception {
        broker.start(BrokerConfig.standard());
        assertThat(refused(true, false, false, Map.of("x-queue-type", "quorum", "x-overflow", "reject-publish-dlx")))
                .isEqualTo("PRECONDITION_FAILED - invalid arg 'x-overflow' for queue 'qq.refused' in vhost '/': a"
                        + " quorum queue has no reject-publish-dlx");
    }

    @Test
    void aMessageReturnedMoreThanTheDeliveryLimitIsDeadLettered() throws Exception {
        broker.start(BrokerConfig.standard());
        try (Connection c = connect()) {
            Channel ch = c.createChannel();
            ch.queueDeclare("qq.dead", true, false, false, QUORUM);
            ch.queueDeclare("qq.limited", true, false, false, Map.of("x-queue-type", "quorum",
                    "x-delivery-limit", 2, "x-dead-letter-exchange", "", "x-dead-letter-routing-key", "qq.dead"));
            ch.confirmSelect();
            ch.basicPublish("", "qq.limited", PERSISTENT, "poison".getBytes(StandardCharsets.UTF_8));
            ch.waitForConfirmsOrDie(5000);
            // A limit of 2 allows 3 deliveries: the first, then one per return up to the limit.
            for (long returned = 0; returned <= 2; returned++) {
                GetResponse r = awaitGet(ch, "qq.limited");
                Object count = r.getProps().getHeaders() == null ? null : r.getProps().getHeaders()
                        .get("x-delivery-count");
                assertThat(count == null ? 0L : ((Number) count).longValue()).isEqualTo(returned);
                ch.basicNack(r.getEnvelope().getDeliveryTag(), false, true);
            }
            GetResponse dead = awaitGet(ch, "qq.dead");
            assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).isEqualTo("poison");
            assertThat(ch.queueDeclarePassive("qq.limited").getMessageCount()).isZero();
        }
    }

    @Test
    void theQueueAndItsConfirmedMessagesSurviveARestart() throws Exception {
        Path data = dir.resolve("data");
        broker.startIn(data, BrokerConfig.standard());
        try (Connection c = connect()) {
            Channel ch = c.createChannel();
            ch.queueDeclare("qq.kept", true, false, false, QUORUM);
            ch.confirmSelect();
            for (int i = 0; i < 10; i++) {
                ch.basicPublish("", "qq.kept", PERSISTENT, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(5000);
        }
        broker.stop();

        broker.startIn(data, BrokerConfig.standard());
        try (Connection c = connect()) {
            Channel ch = c.createChannel();
            ch.queueDeclare("qq.kept", true, false, false, QUORUM); // equivalent: accepted again
            for (int i = 0; i < 10; i++) {
                GetResponse r = awaitGet(ch, "qq.kept");
                assertThat(new String(r.getBody(), StandardCharsets.UTF_8)).isEqualTo("m" + i);
                ch.basicAck(r.getEnvelope().getDeliveryTag(), false);
            }
        }
    }

    private static GetResponse awaitGet(Channel ch, String queue) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            GetResponse r = ch.basicGet(queue, false);
            if (r != null) {
                return r;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("nothing in " + queue);
    }
}
