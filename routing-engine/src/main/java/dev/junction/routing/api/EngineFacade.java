package dev.junction.routing.api;

import dev.junction.config.Quotas;
import dev.junction.routing.MemoryAlarm;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.VirtualHost;
import dev.junction.routing.auth.Authorization;
import dev.junction.routing.auth.backend.AuthBackends;
import dev.junction.routing.guard.LoginThrottle;
import dev.junction.routing.guard.WarningLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** {@link Engine} over {@link RoutingEngine}: every call delegates. */
final class EngineFacade implements Engine {
    private final RoutingEngine engine;

    EngineFacade(RoutingEngine engine) {
        this.engine = engine;
    }

    @Override
    public Optional<Vhost> vhost(String name) {
        return engine.vhost(name).map(v -> new VhostFacade(engine, v, engine.quorum()));
    }

    @Override
    public Vhost createVhost(String name) {
        return new VhostFacade(engine, engine.createVhost(name), engine.quorum());
    }

    @Override
    public List<String> vhostNames() {
        return engine.vhosts().stream().map(VirtualHost::name).toList();
    }

    @Override
    public ConnectionQuotas connectionQuotas() {
        return engine.connectionQuotas();
    }

    @Override
    public ConnectionRegistry connections() {
        return engine.connections();
    }

    @Override
    public Quotas quotas() {
        return engine.quotas();
    }

    @Override
    public Authorization authorization() {
        return engine.authorization();
    }

    @Override
    public Optional<AuthBackends> authBackends() {
        return engine.authBackends();
    }

    @Override
    public LoginThrottle loginThrottle() {
        return engine.loginThrottle();
    }

    @Override
    public WarningLimiter clientWarnings() {
        return engine.clientWarnings();
    }

    @Override
    public MeterRegistry registry() {
        return engine.registry();
    }

    @Override
    public boolean alarmRaised() {
        return engine.memoryAlarm().raised();
    }

    @Override
    public boolean diskAlarmRaised() {
        return engine.memoryAlarm().raised(MemoryAlarm.Resource.DISK);
    }

    @Override
    public void watchAlarm(Consumer<Boolean> listener) {
        engine.memoryAlarm().subscribe(listener);
    }

    @Override
    public void unwatchAlarm(Consumer<Boolean> listener) {
        engine.memoryAlarm().unsubscribe(listener);
    }

    @Override
    public boolean storeWritable() {
        return engine.store().writable();
    }

    @Override
    public KeyedRecords sessions(String vhost) {
        return new StoredSessions(engine.store().sessions(), vhost);
    }

    @Override
    public RetainedRecords retained(String vhost) {
        return new StoredRetained(engine.store().retained(), vhost);
    }
}
