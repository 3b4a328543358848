package dev.junction.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.amqp.codec.MethodType;
import dev.junction.routing.MessageCodec;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.MessageProperties;
import dev.junction.routing.quorum.QuorumLog;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A basic.get that its queue answers after the connection is gone (AMQP 0-9-1 {@code basic.get} without no-ack:
 * the message is unacknowledged on the channel; a channel that closes requeues what it holds). A quorum queue in a
 * cluster answers a get once its log committed the checkout, so the socket can drop meanwhile: the message must go
 * back to the queue, not stay checked out to a channel that no longer exists.
 */
class QuorumGetAfterDropTest {
    private final EmbeddedAmqp amqp = new EmbeddedAmqp();
    private final PendingLog log = new PendingLog();

    @AfterEach
    void close() {
        amqp.close();
    }

    @Test
    void aGetAnsweredAfterTheSocketDroppedGivesItsMessageBack() throws Exception {
        amqp.engine.quorum().replicateThrough(log);
        amqp.handshake();
        amqp.openChannel(1);
        amqp.send(1, MethodType.QUEUE_DECLARE.with(0, "qq", false, true, false, false, false,
                Map.of("x-queue-type", "quorum")));
        amqp.expect(1, MethodType.QUEUE_DECLARE_OK);
        amqp.send(1, MethodType.BASIC_GET.with(0, "qq", false));
        String getter = log.checkouts.poll(30, TimeUnit.SECONDS);
        assertThat(getter).as("the get's checkout reached the log").isNotNull();

        amqp.dropSocket();
        log.answer.complete(7L);
        byte[] body = MessageCodec.encode(new Message("", "qq", MessageProperties.EMPTY,
                "late".getBytes(StandardCharsets.UTF_8)));
        amqp.engine.quorum().got("/", "qq", getter, 7, body, 0, 0);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!log.commands.contains("giveBack " + getter + " 7") && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(log.commands).contains("giveBack " + getter + " 7");
    }

    /** Commits every command at once, but a checkout, which waits for {@link #answer}. */
    private static final class PendingLog implements QuorumLog {
        final List<String> commands = new CopyOnWriteArrayList<>();
        final BlockingQueue<String> checkouts = new LinkedBlockingQueue<>();
        final CompletableFuture<Long> answer = new CompletableFuture<>();

        private CompletableFuture<Long> took(String command) {
            commands.add(command);
            return CompletableFuture.completedFuture(0L);
        }

        @Override
        public CompletableFuture<Long> declare(String vhost, String name, long deliveryLimit, boolean singleActive) {
            return took("declare");
        }

        @Override
        public CompletableFuture<Long> enqueue(String vhost, String name, byte[] body) {
            return CompletableFuture.completedFuture(1L);
        }

        @Override
        public String newConsumerId() {
            return "n1/x/1";
        }

        @Override
        public CompletableFuture<Long> attach(String vhost, String name, String consumer, long prefetch) {
            return took("attach " + consumer);
        }

        @Override
        public CompletableFuture<Long> checkout(String vhost, String name, String getter, boolean settled) {
            checkouts.add(getter);
            return answer;
        }

        @Override
        public CompletableFuture<Long> settle(String vhost, String name, String consumer, long... ids) {
            return took("settle " + consumer + " " + ids[0]);
        }

        @Override
        public CompletableFuture<Long> giveBack(String vhost, String name, String consumer, long... ids) {
            return took("giveBack " + consumer + " " + ids[0]);
        }

        @Override
        public CompletableFuture<Long> detach(String vhost, String name, String consumer, boolean returnUnsettled) {
            return took("detach " + consumer);
        }

        @Override
        public CompletableFuture<Long> purge(String vhost, String name) {
            return took("purge");
        }

        @Override
        public CompletableFuture<Long> delete(String vhost, String name) {
            return took("delete");
        }

        @Override
        public boolean congested() {
            return false;
        }

        @Override
        public void whenRelieved(Runnable callback) {
            callback.run();
        }

        @Override
        public int readyCount(String vhost, String name) {
            return 0;
        }

        @Override
        public int consumerCount(String vhost, String name) {
            return 0;
        }
    }
}
