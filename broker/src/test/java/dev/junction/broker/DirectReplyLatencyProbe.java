package dev.junction.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measurement, not a test (its name keeps it out of the build's test run; run it by hand with
 * {@code -Dtest=DirectReplyLatencyProbe}): three nodes in one JVM, a requester on n1 and request/reply round trips
 * one at a time through a quorum request queue, with the stock client: the server on n1 replying through direct
 * reply-to (same node), on n2 through direct reply-to (the reply crosses n1's relay), and on n2 to a server-named
 * exclusive reply queue of n1 (the relay by name), for comparison (docs/cluster.md, "Direct reply-to across
 * nodes"). For each, after a warm-up, the median and p99 of the round trip and of its reply leg alone (from the
 * server's publish to the requester's delivery: one JVM, one clock), written to {@code target/direct-reply-probe.txt}
 * as they come (the test's own output reaches its report file only at its end).
 */
class DirectReplyLatencyProbe {
    private static final int WARM_UP = 100;
    private static final int ROUND_TRIPS = 200;

    @TempDir
    Path dir;

    @Test
    void roundTrips() throws Exception {
        try (ThreeNodes nodes = new ThreeNodes(dir, "").startAll(); Connection c1 = nodes.connect("n1");
             Connection c2 = nodes.connect("n2")) {
            report(String.format("load average (1 min) at start: %.2f", loadAverage()));
            measure("probe.same", "same node, direct reply-to", c1, c1, true);
            measure("probe.across", "across nodes, direct reply-to", c1, c2, true);
            measure("probe.queue", "across nodes, exclusive reply queue", c1, c2, false);
            report(String.format("load average (1 min) at end: %.2f", loadAverage()));
        }
    }

    private static void measure(String requests, String what, Connection requester, Connection replier,
                                boolean direct) throws Exception {
        Channel server = replier.createChannel();
        server.queueDeclare(requests, true, false, false, Map.of("x-queue-type", "quorum"));
        Channel replies = replier.createChannel();
        AtomicLong repliedAt = new AtomicLong();
        server.basicConsume(requests, true, (tag, d) -> {
            repliedAt.set(System.nanoTime()); // read after the reply arrived, which this publish precedes
            replies.basicPublish("", d.getProperties().getReplyTo(), new AMQP.BasicProperties.Builder()
                    .correlationId(d.getProperties().getCorrelationId()).build(), d.getBody());
        }, tag -> { });
        Channel client = requester.createChannel();
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        AtomicLong arrivedAt = new AtomicLong();
        String replyTo = direct ? "amq.rabbitmq.reply-to" : client.queueDeclare().getQueue();
        client.basicConsume(replyTo, true, (tag, d) -> {
            arrivedAt.set(System.nanoTime());
            got.add(d.getProperties().getCorrelationId());
        }, tag -> { });
        long[] rtt = new long[ROUND_TRIPS];
        long[] leg = new long[ROUND_TRIPS];
        for (int i = 0; i < WARM_UP + ROUND_TRIPS; i++) {
            long start = System.nanoTime();
            client.basicPublish("", requests, new AMQP.BasicProperties.Builder().replyTo(replyTo)
                    .correlationId("c" + i).build(), "request".getBytes(StandardCharsets.UTF_8));
            String id = got.poll(30, TimeUnit.SECONDS);
            if (!("c" + i).equals(id)) {
                throw new AssertionError(what + ": reply " + id + " for request c" + i);
            }
            long end = System.nanoTime();
            if (i >= WARM_UP) {
                rtt[i - WARM_UP] = end - start;
                leg[i - WARM_UP] = arrivedAt.get() - repliedAt.get();
            }
        }
        client.close();
        server.queueDelete(requests);
        server.close();
        replies.close();
        report(String.format("%-36s %d round trips: median %.2f ms, p99 %.2f ms; reply leg median %.2f ms, "
                + "p99 %.2f ms", what, ROUND_TRIPS, median(rtt), p99(rtt), median(leg), p99(leg)));
    }

    private static double median(long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }

    private static double p99(long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return s[s.length * 99 / 100] / 1e6;
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static void report(String line) throws IOException {
        System.out.println(line);
        Files.writeString(Path.of("target", "direct-reply-probe.txt"), line + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
