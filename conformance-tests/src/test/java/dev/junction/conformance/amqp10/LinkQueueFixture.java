package dev.junction.conformance.amqp10;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.conformance.BrokerConfig;
import dev.junction.routing.queue.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/** The broker and the checks of the tests on the queues AMQP 1.0 links make ({@code LinkQueue}). */
final class LinkQueueFixture {
    /**
     * {@code noread} has configure and write on every name and read on the queues a link makes (server-named
     * {@code amq.gen-*}, subscriptions {@code amqp10-sub*}) but on no exchange: it may declare a subscription's queue
     * and consume it but not bind it [docs/security.md: binding needs read on the exchange, as 0-9-1's queue.bind].
     */
    private static final String USERS = """
              - name: noread
                password: noread
                permissions:
                  "/": { configure: ".*", write: ".*", read: "^amq\\\\.gen-|^amqp10-sub" }
            """;
    /** One binding in {@code restricted}, made by the test that needs the limit reached. */
    private static final String LIMITS = """
              vhosts:
                restricted: { max_bindings: 1 }
            """;
    /** Deletions finish on the queue's own thread; a busy machine may take a while. */
    private static final long GONE_SECONDS = 60;

    private LinkQueueFixture() {
    }

    static Amqp10Support broker() {
        return Amqp10Support.perClass(BrokerConfig.standard().withUsers(USERS).withLimits(LIMITS));
    }

    /** The vhost's queues are those of {@code before} again, with the connection still open. */
    static void assertNoQueueLeft(Amqp10Support broker, String vhost, Set<String> before) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(GONE_SECONDS);
        while (!queues(broker, vhost).equals(before) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(queues(broker, vhost)).as("the vhost's queues, with the connection still open").isEqualTo(before);
    }

    static Set<String> queues(Amqp10Support broker, String vhost) {
        Set<String> names = new TreeSet<>();
        for (Queue q : broker.broker().engine().vhost(vhost).orElseThrow().queues()) {
            names.add(q.name());
        }
        return names;
    }
}
