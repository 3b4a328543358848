package dev.junction.routing.api;

import dev.junction.config.Quotas;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.auth.Authorization;
import dev.junction.routing.auth.backend.AuthBackends;
import dev.junction.routing.guard.LoginThrottle;
import dev.junction.routing.guard.WarningLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The routing engine as a protocol adapter (and the management API) sees it: its vhosts, the limits and guards
 * every protocol applies the same way, the resource alarms, and the keyed records a protocol keeps across
 * restarts (MQTT sessions and retained messages). Everything else in {@code dev.junction.routing} is the
 * engine's own; adapters import this package, {@code routing.auth}, {@code routing.guard} and {@code config}
 * only (enforced by the broker module's architecture test). Callable from any thread.
 */
public interface Engine {

    /** The API over {@code engine}; cheap, holds no state of its own. */
    static Engine of(RoutingEngine engine) {
        return new EngineFacade(engine);
    }

    Optional<Vhost> vhost(String name);

    /** Returns the vhost, creating it (with its built-in exchanges) when missing (the MQTT vhost at start). */
    Vhost createVhost(String name);

    /** Names of every vhost (AMQP {@code connection.open} lists them when refusing an unknown one). */
    List<String> vhostNames();

    /** Connections per vhost and user and channels per user, counted against {@link #quotas()}. */
    ConnectionQuotas connectionQuotas();

    /** The connections through their handshake, every protocol's: adapters register theirs here. */
    ConnectionRegistry connections();

    Quotas quotas();

    Authorization authorization();

    Optional<AuthBackends> authBackends();

    LoginThrottle loginThrottle();

    /** Rate-limits warnings about one client, so a misbehaving client cannot flood the log. */
    WarningLimiter clientWarnings();

    MeterRegistry registry();

    // ---- resource alarms ----------------------------------------------------------------------------------------

    /** Whether a memory or disk alarm is raised: publishers are held back while it is. */
    boolean alarmRaised();

    /** Whether the raised alarm is the disk one (AMQP {@code connection.blocked} says which resource). */
    boolean diskAlarmRaised();

    /** {@code listener} gets true when an alarm is raised and false when it clears, on an engine thread. */
    void watchAlarm(Consumer<Boolean> listener);

    void unwatchAlarm(Consumer<Boolean> listener);

    /**
     * Whether the store accepts writes now. False under a disk alarm: settlements that delete and sessions that
     * would be stored are refused instead of being lost.
     */
    boolean storeWritable();

    // ---- records a protocol keeps -------------------------------------------------------------------------------

    /** Per-vhost records keyed by client id that survive a restart (MQTT sessions). */
    KeyedRecords sessions(String vhost);

    /** Per-vhost retained messages keyed by topic (MQTT retain). */
    RetainedRecords retained(String vhost);
}
