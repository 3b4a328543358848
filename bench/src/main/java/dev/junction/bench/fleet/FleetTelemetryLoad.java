package dev.junction.bench.fleet;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import java.util.ArrayList;
import java.util.List;

/**
 * The fleet telemetry path: DEVICES MQTT devices publish QoS 1 telemetry ({@code devices/<id>/telemetry}, 64-256 B)
 * at a fixed aggregate rate, and AMQP consumers take it from a durable queue bound to {@code amq.topic} with
 * {@code devices.*.telemetry} ({@link TelemetryConsumers}). Each step sends at one rate for a fixed time, then waits
 * until everything the broker acknowledged has arrived, and prints one {@code step} line: counts, loss and the
 * end-to-end latency (from the time the message was due to its delivery to a consumer) p50 / p99 / p99.9.
 *
 * <p>Steps: an unreported warm-up at the first rate (the JIT of both the broker and this tool), then each of
 * {@code rates} for {@code seconds}; then, with {@code search=1}, the highest rate that holds (p99 under
 * {@code p99_limit_ms}, nothing lost, the pacer kept up): up from the best fixed rate by half until a probe fails,
 * bisected while the gap is over 10 %, and the best probed rate held for {@code hold_seconds}; if the hold fails,
 * 80 % of the rate is tried, up to {@code hold_attempts} holds in all (a 20 s probe passing is weaker evidence than a
 * 60 s hold, and on a shared machine one stall fails a hold). The last line is {@code held rate=R ...}
 * ({@code rate=0}: nothing held).
 *
 * <pre>java -cp benchmarks.jar dev.junction.bench.fleet.FleetTelemetryLoad mqtt=HOST:PORT amqp=HOST:PORT
 *      [devices=10000] [rates=5000,10000,20000] [seconds=60] [search=1] ...</pre>
 *
 * Every key and the value used is printed on the first line.
 */
public final class FleetTelemetryLoad {
    private final DeliveryLog log;
    private final MqttFleet fleet;
    private final TelemetryConsumers consumers;
    private final String[] topics;
    private final int minSize;
    private final int maxSize;
    private final double p99LimitMs;
    private final int drainSeconds;
    private long nextSeq;

    private FleetTelemetryLoad(DeliveryLog log, MqttFleet fleet, TelemetryConsumers consumers, int minSize,
            int maxSize, double p99LimitMs, int drainSeconds) {
        this.log = log;
        this.fleet = fleet;
        this.consumers = consumers;
        this.minSize = minSize;
        this.maxSize = maxSize;
        this.p99LimitMs = p99LimitMs;
        this.drainSeconds = drainSeconds;
        this.topics = new String[fleet.size()];
        for (int i = 0; i < topics.length; i++) {
            topics[i] = "devices/" + fleet.device(i).id() + "/telemetry";
        }
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        Args.Endpoint mqtt = a.endpoint("mqtt", "127.0.0.1:1883");
        Args.Endpoint amqp = a.endpoint("amqp", "127.0.0.1:5672");
        String user = a.string("user", "guest");
        String password = a.string("password", "guest");
        int devices = a.integer("devices", 10_000);
        int first = a.integer("first", 0);
        String[] sources = MqttFleet.loopbackSources(a.integer("source_base", 2), a.integer("sources", 4));
        int concurrency = a.integer("connect_concurrency", 100);
        List<Integer> rates = a.integers("rates", "5000,10000,20000");
        int seconds = a.integer("seconds", 60);
        int warmup = a.integer("warmup", 10);
        boolean search = a.integer("search", 1) == 1;
        int probeSeconds = a.integer("probe_seconds", 20);
        int holdSeconds = a.integer("hold_seconds", 60);
        int holdAttempts = a.integer("hold_attempts", 4);
        int maxProbes = a.integer("max_probes", 6);
        double p99Limit = a.integer("p99_limit_ms", 100);
        int minSize = a.integer("min_size", 64);
        int maxSize = a.integer("max_size", 256);
        int consumerCount = a.integer("consumers", 2);
        int prefetch = a.integer("prefetch", 500);
        int drain = a.integer("drain_seconds", 60);
        String queue = a.string("queue", "fleet.telemetry");
        a.checkAllUsed();
        System.out.println("# FleetTelemetryLoad " + a.describe());

        DeliveryLog log = new DeliveryLog();
        try (TelemetryConsumers consumers = new TelemetryConsumers(amqp, user, password, queue, consumerCount,
                prefetch, log);
                MqttFleet fleet = MqttFleet.connect(mqtt, "fleet-t-", first, devices, sources, user, password,
                        concurrency, d -> java.util.concurrent.CompletableFuture.completedFuture(null))) {
            FleetTelemetryLoad load = new FleetTelemetryLoad(log, fleet, consumers, minSize, maxSize, p99Limit, drain);
            if (warmup > 0 && !rates.isEmpty()) {
                load.step("warmup", rates.get(0), warmup);
            }
            List<Integer> passed = new ArrayList<>();
            List<Integer> failed = new ArrayList<>();
            for (int rate : rates) {
                (load.step("fixed", rate, seconds) ? passed : failed).add(rate);
            }
            if (search) {
                load.search(passed, failed, probeSeconds, holdSeconds, holdAttempts, maxProbes);
            }
        }
        System.exit(0);
    }

    /** The search of the class comment, from what the fixed steps showed. */
    private void search(List<Integer> passed, List<Integer> failed, int probeSeconds, int holdSeconds,
            int holdAttempts, int maxProbes) throws Exception {
        int best = passed.stream().mapToInt(Integer::intValue).max().orElse(0);
        int lo = best;
        int hi = failed.stream().mapToInt(Integer::intValue).filter(r -> r > best).min().orElse(Integer.MAX_VALUE);
        int probes = 0;
        while (hi == Integer.MAX_VALUE && probes < maxProbes) {
            int r = round(Math.max(1000, lo * 3 / 2));
            probes++;
            if (step("probe", r, probeSeconds)) {
                lo = r;
            } else {
                hi = r;
            }
        }
        while (hi != Integer.MAX_VALUE && hi - lo > Math.max(500, lo / 10) && probes < maxProbes) {
            int r = round((lo + hi) / 2);
            if (r <= lo || r >= hi) {
                break;
            }
            probes++;
            if (step("probe", r, probeSeconds)) {
                lo = r;
            } else {
                hi = r;
            }
        }
        for (int attempt = 0; attempt < holdAttempts && lo > 0; attempt++) {
            if (step("hold", lo, holdSeconds)) {
                System.out.printf("held rate=%d seconds=%d%n", lo, holdSeconds);
                return;
            }
            lo = round(lo * 80 / 100);
        }
        System.out.printf("held rate=0 seconds=%d%n", holdSeconds);
    }

    private static int round(int rate) {
        return Math.max(250, rate / 250 * 250);
    }

    /** Sends at {@code rate} for {@code seconds}, waits for the deliveries and prints the step line; true if held. */
    private boolean step(String kind, int rate, int seconds) throws Exception {
        long count = (long) rate * seconds;
        log.begin(nextSeq, count);
        int n = topics.length;
        double elapsed = Pacer.run(nextSeq, count, rate, (seq, due) -> {
            int device = (int) (seq % n);
            byte[] payload = Stamp.payload(seq, due, Stamp.size(minSize, maxSize));
            log.sent();
            fleet.device(device).client().publishWith().topic(topics[device]).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(payload).send()
                    .whenComplete((r, e) -> {
                        if (e == null) {
                            log.acked(seq);
                        } else {
                            log.failed(seq);
                        }
                    });
        });
        nextSeq += count;
        double waited = log.awaitSettled(10, drainSeconds);
        DeliveryLog.Summary s = log.summary();
        double achieved = s.sent() / elapsed;
        boolean held = s.nothingLost() && s.p99() < p99LimitMs && achieved >= 0.97 * rate;
        System.out.printf("step kind=%s rate=%d seconds=%d devices=%d achieved=%.0f drain_s=%.1f held=%s %s%n",
                kind, rate, seconds, n, achieved, waited, held, s.format());
        if (!log.settled()) {
            System.out.printf("  purged %d messages left after the step%n", consumers.purge());
        }
        Pacer.sleepSeconds(2);
        return held;
    }
}
