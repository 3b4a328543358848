package dev.junction.routing.guard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Slows password guessing, for every protocol at once. Failed logins are counted per source address and per user
 * name; an attempt on a key with failures waits before it is even checked.
 *
 * <p>Rules:
 * <ul>
 *   <li>The wait is {@value #BASE_DELAY_MS} ms after one failure and doubles with each further failure, up to the
 *       configured maximum ({@code limits.auth_failure_max_delay_ms}); the larger of the address's and the user's
 *       wait applies. 0 turns the throttle off (failures are still counted in the metric).</li>
 *   <li>Every attempt on a penalised key waits, whether its password turns out right or wrong, so that a client
 *       cannot tell a success by its quick answer and give up on slow ones.</li>
 *   <li>A key's failures are forgotten after {@link #IDLE_SECONDS} s without a failure; a successful login clears
 *       its user's failures but not its address's (one valid account must not reset an address that guesses
 *       others).</li>
 *   <li>At most {@link #MAX_KEYS} keys are tracked: when full, forgotten ones are dropped; if none is, new keys go
 *       untracked (the keys already penalised stay penalised), so memory stays bounded.</li>
 *   <li>Nothing here blocks: {@link #delayBefore} returns the wait and the adapter schedules the check on its own
 *       event loop. Safe to call from any thread.</li>
 * </ul>
 * Meters: {@code junction.auth.failures} (counter) and {@code junction.auth.delay} (the wait applied to each
 * attempt, in milliseconds), both tagged with the protocol.
 */
public final class LoginThrottle {
    public static final long BASE_DELAY_MS = 100;
    static final long IDLE_SECONDS = 60;
    static final int MAX_KEYS = 50_000;

    private record Failures(int count, long lastNanos) {
    }

    private final MeterRegistry registry;
    private final LongSupplier nanoClock;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();
    private final Map<String, Counter> failureCounters = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> delaySummaries = new ConcurrentHashMap<>();
    private volatile long maxDelayMs = 5000;
    private volatile long lastPurgeNanos;

    public LoginThrottle(MeterRegistry registry) {
        this(registry, System::nanoTime);
    }

    LoginThrottle(MeterRegistry registry, LongSupplier nanoClock) {
        this.registry = registry;
        this.nanoClock = nanoClock;
        this.lastPurgeNanos = nanoClock.getAsLong();
    }

    public void setMaxDelayMs(long ms) {
        this.maxDelayMs = ms;
    }

    /** The wait, in milliseconds, before an attempt by {@code user} from {@code source} is checked (0: none). */
    public long delayBefore(String protocol, InetAddress source, String user) {
        long max = maxDelayMs;
        long delay = 0;
        if (max > 0) {
            long now = nanoClock.getAsLong();
            int n = Math.max(count(addressKey(source), now), count(userKey(user), now));
            delay = n == 0 ? 0 : Math.min(max, BASE_DELAY_MS << Math.min(n - 1, 30));
        }
        delaySummary(protocol).record(delay);
        return delay;
    }

    /** An attempt failed: its address and user name wait longer next time. */
    public void failed(String protocol, InetAddress source, String user) {
        failureCounter(protocol).increment();
        if (maxDelayMs == 0) {
            return;
        }
        long now = nanoClock.getAsLong();
        bump(addressKey(source), now);
        bump(userKey(user), now);
    }

    /** An attempt succeeded: the user's failures are forgiven; the address's are not. */
    public void succeeded(InetAddress source, String user) {
        String key = userKey(user);
        if (key != null) {
            failures.remove(key);
        }
    }

    /** How many keys are tracked (for tests of the bound). */
    int trackedKeys() {
        return failures.size();
    }

    private static String addressKey(InetAddress source) {
        return source == null ? null : "address " + source.getHostAddress();
    }

    private static String userKey(String user) {
        return user == null ? null : "user " + user;
    }

    private int count(String key, long now) {
        Failures f = key == null ? null : failures.get(key);
        return f == null || expired(f, now) ? 0 : f.count();
    }

    private static boolean expired(Failures f, long now) {
        return now - f.lastNanos() > TimeUnit.SECONDS.toNanos(IDLE_SECONDS);
    }

    private void bump(String key, long now) {
        if (key == null) {
            return;
        }
        if (failures.size() >= MAX_KEYS && !failures.containsKey(key) && !purge(now)) {
            return; // full of live keys: this one goes untracked
        }
        failures.compute(key, (k, f) -> f == null || expired(f, now)
                ? new Failures(1, now) : new Failures(f.count() == Integer.MAX_VALUE ? f.count() : f.count() + 1, now));
    }

    /** Drops forgotten keys, at most once a second (a full scan); true when there is room now. */
    private boolean purge(long now) {
        if (now - lastPurgeNanos >= TimeUnit.SECONDS.toNanos(1)) {
            lastPurgeNanos = now;
            failures.values().removeIf(f -> expired(f, now));
        }
        return failures.size() < MAX_KEYS;
    }

    private Counter failureCounter(String protocol) {
        return failureCounters.computeIfAbsent(protocol, p -> Counter.builder("junction.auth.failures")
                .description("Failed logins (bad credentials or refused access), per protocol")
                .tag("protocol", p).register(registry));
    }

    private DistributionSummary delaySummary(String protocol) {
        return delaySummaries.computeIfAbsent(protocol, p -> DistributionSummary.builder("junction.auth.delay")
                .description("Wait put on each login attempt by the login throttle")
                .baseUnit("milliseconds").tag("protocol", p).register(registry));
    }
}
