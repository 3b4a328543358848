package dev.junction.conformance.amqp10;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.junction.conformance.BrokerProcess;
import jakarta.jms.BytesMessage;
import jakarta.jms.CompletionListener;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code accepted} outcome for a durable message in a durable queue means the message is on disk, the contract
 * of 0-9-1's publisher confirms: the packaged broker is killed with SIGKILL while Qpid JMS sends persistent
 * messages asynchronously (each completion is the broker's {@code accepted}), restarted, and every accepted
 * message is there.
 */
class Amqp10CrashRecoveryTest {
    private static final int ROUNDS = 2;
    private static final int ACCEPTED_BEFORE_KILL = 1000;
    /** Sends in flight at once, so that a kill finds some sent but not yet accepted. */
    private static final int IN_FLIGHT = 200;

    @TempDir
    Path dir;

    @Test
    void everyAcceptedDurableMessageSurvivesSigkill() throws Exception {
        Path data = dir.resolve("data");
        Set<Long> accepted = ConcurrentHashMap.newKeySet();
        long next = 0;
        for (int round = 0; round < ROUNDS; round++) {
            BrokerProcess broker = BrokerProcess.start(data, "");
            try {
                next = sendUntilKilled(broker, next, accepted);
            } finally {
                broker.kill();
            }
        }
        try (BrokerProcess broker = BrokerProcess.start(data, "")) {
            Set<Long> seen = new HashSet<>();
            ConnectionFactory f = new ConnectionFactory();
            f.setPort(broker.port("amqp"));
            try (com.rabbitmq.client.Connection c = f.newConnection(); Channel ch = c.createChannel()) {
                GetResponse r;
                while ((r = ch.basicGet("crash10", true)) != null) {
                    seen.add(ByteBuffer.wrap(r.getBody()).getLong());
                }
            }
            assertThat(accepted).hasSizeGreaterThanOrEqualTo(ROUNDS * ACCEPTED_BEFORE_KILL);
            assertThat(seen).as("messages lost after SIGKILL: accepted but not recovered").containsAll(accepted);
        }
    }

    private static long sendUntilKilled(BrokerProcess broker, long first, Set<Long> accepted) throws Exception {
        Connection c = new JmsConnectionFactory("guest", "guest", "amqp://127.0.0.1:" + broker.port("amqp"))
                .createConnection();
        long n = first;
        int before = accepted.size();
        Semaphore window = new Semaphore(IN_FLIGHT);
        try {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer p = s.createProducer(s.createQueue("crash10")); // declared durable when missing
            p.setDeliveryMode(DeliveryMode.PERSISTENT);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && accepted.size() - before < ACCEPTED_BEFORE_KILL) {
                if (!window.tryAcquire(5, TimeUnit.SECONDS)) {
                    break;
                }
                BytesMessage m = s.createBytesMessage();
                long number = n++;
                m.writeLong(number);
                p.send(m, new CompletionListener() {
                    @Override
                    public void onCompletion(Message message) {
                        accepted.add(number);
                        window.release();
                    }

                    @Override
                    public void onException(Message message, Exception exception) {
                        window.release();
                    }
                });
            }
            broker.kill(); // mid-stream: sends and outcomes are still in flight
        } catch (Exception expectedOnceKilled) {
            // the connection dies with the broker
        } finally {
            try {
                c.close();
            } catch (Exception ignored) {
                // already gone
            }
        }
        assertThat(accepted.size() - before).as("accepted before the kill").isGreaterThanOrEqualTo(
                ACCEPTED_BEFORE_KILL);
        return n;
    }
}
