package dev.junction.bench;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.qpid.jms.JmsConnectionFactory;

/**
 * JMS throughput over AMQP 1.0 with Apache Qpid JMS: one producer and one consumer on one queue, each on its own
 * thread and its own connection, for a fixed time. Prints the messages received (and sent) per second over the
 * measured window, after a warm-up that is not counted. Runs against any AMQP 1.0 broker, so Junction, ActiveMQ
 * Artemis and RabbitMQ's plugin are measured by the same client with the same settings; only the queue's address
 * differs where a broker names queues its own way.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.junction.bench.JmsThroughput URL QUEUE persistent|non-persistent
 *     SECONDS [WARMUP [SIZE [USER PASSWORD]]]</pre>
 *
 * <p>URL is a Qpid JMS connection URL, so the client's options go there: {@code amqp://127.0.0.1:5672} sends
 * persistent messages synchronously (each {@code send} waits for the broker's {@code accepted}, JMS's default),
 * {@code amqp://127.0.0.1:5672?jms.forceAsyncSend=true} sends them asynchronously (the broker's link credit
 * bounds what is in flight). Non-persistent messages are sent asynchronously either way. The consumer's session
 * is {@code AUTO_ACKNOWLEDGE} with the client's default prefetch (1000) and counts in a message listener.
 *
 * <p>After the window the producer stops and the consumer drains the queue (at most 60 s, or
 * {@code -Dbench.drainSeconds}); the last line says
 * whether every message sent was received. The result line is {@code RESULT received_per_s=N sent_per_s=N ...},
 * with {@code client_cores}: the CPU this process (producer and consumer) used during the window, in cores.
 */
public final class JmsThroughput {
    /** How long the consumer may take to drain the queue after the window ({@code -Dbench.drainSeconds}, 60). */
    private static final long DRAIN_LIMIT_NS = TimeUnit.SECONDS.toNanos(Long.getLong("bench.drainSeconds", 60));

    private final JmsConnectionFactory factory;
    private final String queueName;
    private final int deliveryMode;
    private final byte[] payload;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean producing = true;
    private volatile boolean consuming = true;

    private JmsThroughput(JmsConnectionFactory factory, String queueName, int deliveryMode, int size) {
        this.factory = factory;
        this.queueName = queueName;
        this.deliveryMode = deliveryMode;
        this.payload = new byte[size];
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: JmsThroughput URL QUEUE persistent|non-persistent SECONDS [WARMUP [SIZE "
                    + "[USER PASSWORD]]]");
            System.exit(2);
        }
        String mode = args[2];
        if (!mode.equals("persistent") && !mode.equals("non-persistent")) {
            throw new IllegalArgumentException("mode must be persistent or non-persistent, not " + mode);
        }
        int seconds = Integer.parseInt(args[3]);
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        int size = args.length > 5 ? Integer.parseInt(args[5]) : 16;
        JmsConnectionFactory factory = new JmsConnectionFactory(args.length > 7 ? args[6] : "guest",
                args.length > 7 ? args[7] : "guest", args[0]);
        int deliveryMode = mode.equals("persistent") ? DeliveryMode.PERSISTENT : DeliveryMode.NON_PERSISTENT;
        System.exit(new JmsThroughput(factory, args[1], deliveryMode, size).run(seconds, warmup));
    }

    private int run(int seconds, int warmup) throws Exception {
        CountDownLatch consumerReady = new CountDownLatch(1);
        Thread consumer = new Thread(() -> consume(consumerReady), "jms-consumer");
        consumer.start();
        if (!consumerReady.await(30, TimeUnit.SECONDS) || failure.get() != null) {
            return fail("consumer did not start");
        }
        Thread producer = new Thread(this::produce, "jms-producer");
        producer.start();
        TimeUnit.SECONDS.sleep(warmup);
        long r0 = received.get();
        long s0 = sent.get();
        long c0 = cpuNanos();
        long t0 = System.nanoTime();
        TimeUnit.SECONDS.sleep(seconds);
        long r1 = received.get();
        long s1 = sent.get();
        double elapsed = (System.nanoTime() - t0) / 1e9;
        double clientCores = (cpuNanos() - c0) / 1e9 / elapsed;
        producing = false;
        producer.join(TimeUnit.SECONDS.toMillis(60));
        long drainEnd = System.nanoTime() + DRAIN_LIMIT_NS;
        while (received.get() < sent.get() && System.nanoTime() < drainEnd && failure.get() == null) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        consuming = false;
        consumer.join(TimeUnit.SECONDS.toMillis(10));
        System.out.printf("RESULT received_per_s=%.0f sent_per_s=%.0f window_s=%.1f sent=%d received=%d"
                + " client_cores=%.2f%n", (r1 - r0) / elapsed, (s1 - s0) / elapsed, elapsed, sent.get(),
                received.get(), clientCores);
        if (failure.get() != null) {
            return fail("client error: " + failure.get());
        }
        if (received.get() < sent.get()) {
            return fail((sent.get() - received.get()) + " messages sent were not received");
        }
        System.out.println("all " + sent.get() + " messages sent were received");
        return 0;
    }

    private void produce() {
        try (Connection connection = factory.createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue queue = session.createQueue(queueName);
            MessageProducer producer = session.createProducer(queue);
            producer.setDeliveryMode(deliveryMode);
            while (producing) {
                BytesMessage m = session.createBytesMessage();
                m.writeBytes(payload);
                producer.send(m);
                sent.incrementAndGet();
            }
        } catch (JMSException | RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    /**
     * The consumer counts in a {@code MessageListener}: a {@code receive(timeout)} that times out makes Qpid JMS
     * drain the link to ask the broker whether it really has nothing, and RabbitMQ 3.10's plugin crashes the
     * session on a drain from a classic queue (rabbitmq-server issue 7119, fixed in 3.10.x releases after 3.10.8).
     */
    private void consume(CountDownLatch ready) {
        try (Connection connection = factory.createConnection()) {
            connection.setExceptionListener(e -> failure.compareAndSet(null, e));
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = session.createConsumer(session.createQueue(queueName));
            consumer.setMessageListener(m -> received.incrementAndGet());
            connection.start();
            ready.countDown();
            while (consuming) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
        } catch (JMSException | RuntimeException e) {
            failure.compareAndSet(null, e);
            ready.countDown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** CPU time of this process (both clients): how much of the machine the clients took during the window. */
    private static long cpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    private static int fail(String why) {
        System.out.println("FAILED: " + why);
        return 1;
    }
}
