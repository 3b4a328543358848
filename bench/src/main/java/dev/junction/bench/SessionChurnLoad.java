package dev.junction.bench;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The cost of ending a clean session while many other sessions exist. Phase 1 leaves SESSIONS persistent
 * sessions behind (clean session 0: connect, subscribe to one filter of its own, disconnect), so the broker holds
 * SESSIONS queues and SESSIONS subscriptions but no sockets. Phase 2 runs CYCLES clean-session cycles one after
 * the other on one client id: connect, subscribe to one filter, disconnect. Ending a clean session deletes its
 * queue and that queue's binding, so each cycle pays what a queue delete costs next to SESSIONS other bindings.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.junction.bench.SessionChurnLoad HOST PORT SESSIONS CYCLES [CONCURRENCY [USER PASSWORD]]</pre>
 *
 * <p>An MQTT 3.1.1 DISCONNECT has no answer, so the client cannot time the delete alone. It is timed where it
 * shows: the next CONNECT for the same client id is answered only once the broker has ended the previous session
 * (the session's end and a new attach for that client id are serialized), so "connect" below includes the previous
 * cycle's queue delete, and "cycle" includes everything. Prints the phases' mean and percentiles in microseconds.
 */
public final class SessionChurnLoad {
    private SessionChurnLoad() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int sessions = Integer.parseInt(args[2]);
        int cycles = Integer.parseInt(args[3]);
        int concurrency = args.length > 4 ? Integer.parseInt(args[4]) : 32;
        String user = args.length > 6 ? args[5] : "guest";
        byte[] password = (args.length > 6 ? args[6] : "guest").getBytes();

        long setupStart = System.nanoTime();
        leaveSessions(host, port, sessions, concurrency, user, password);
        System.out.printf("setup: %d persistent sessions with 1 subscription each in %.1f s%n", sessions,
                (System.nanoTime() - setupStart) / 1e9);

        Mqtt3BlockingClient c = Mqtt3Client.builder().identifier("churn-clean").serverHost(host).serverPort(port)
                .buildBlocking();
        long[] connect = new long[cycles];
        long[] subscribe = new long[cycles];
        long[] disconnect = new long[cycles];
        long[] cycle = new long[cycles];
        int warmup = Math.min(1000, cycles / 10);
        for (int i = -warmup; i < cycles; i++) {
            long t0 = System.nanoTime();
            c.connectWith().cleanSession(true).simpleAuth().username(user).password(password).applySimpleAuth()
                    .send();
            long t1 = System.nanoTime();
            c.subscribeWith().topicFilter("churn/clean/" + (i & 1023)).qos(MqttQos.AT_LEAST_ONCE).send();
            long t2 = System.nanoTime();
            c.disconnect();
            long t3 = System.nanoTime();
            if (i >= 0 && (i + 1) % 1000 == 0) {
                System.err.printf("  %d cycles%n", i + 1);
            }
            if (i >= 0) {
                connect[i] = t1 - t0;
                subscribe[i] = t2 - t1;
                disconnect[i] = t3 - t2;
                cycle[i] = t3 - t0;
            }
        }
        long total = Arrays.stream(cycle).sum();
        System.out.printf("cycles=%d (after %d warm-up) sessions=%d total=%.2f s => %.0f cycles/s%n", cycles, warmup,
                sessions, total / 1e9, cycles / (total / 1e9));
        print("connect", connect);
        print("subscribe", subscribe);
        print("disconnect", disconnect);
        print("cycle", cycle);
        System.exit(0);
    }

    /** Connect (clean session 0), subscribe, disconnect, for SESSIONS client ids, CONCURRENCY at a time. */
    private static void leaveSessions(String host, int port, int sessions, int concurrency, String user,
                                      byte[] password) throws InterruptedException {
        Semaphore inFlight = new Semaphore(concurrency);
        AtomicInteger done = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < sessions && failure.get() == null; i++) {
            inFlight.acquire();
            String id = "churn-keep-" + i;
            Mqtt3AsyncClient c = Mqtt3Client.builder().identifier(id).serverHost(host).serverPort(port).buildAsync();
            CompletableFuture<?> f = c.connectWith().cleanSession(false).simpleAuth().username(user)
                    .password(password).applySimpleAuth().send()
                    .thenCompose(ack -> c.subscribeWith().topicFilter("churn/keep/" + id).qos(MqttQos.AT_LEAST_ONCE)
                            .send())
                    .thenCompose(ack -> c.disconnect());
            f.whenComplete((r, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
                int n = done.incrementAndGet();
                if (n % 10_000 == 0) {
                    System.out.printf("  %d sessions%n", n);
                }
                inFlight.release();
            });
        }
        inFlight.acquire(concurrency);
        if (failure.get() != null) {
            throw new IllegalStateException("setup failed after " + done.get() + " sessions", failure.get());
        }
    }

    private static void print(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        double mean = Arrays.stream(s).average().orElse(0) / 1e3;
        System.out.printf("%-10s us: mean %.0f  p50 %.0f  p90 %.0f  p99 %.0f  max %.0f%n", what, mean,
                at(s, 0.50), at(s, 0.90), at(s, 0.99), s[s.length - 1] / 1e3);
    }

    private static double at(long[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))] / 1e3;
    }
}
