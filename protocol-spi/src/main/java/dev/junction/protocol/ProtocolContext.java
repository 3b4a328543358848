package dev.junction.protocol;

import dev.junction.config.JunctionConfig;
import dev.junction.routing.api.ClientIdClaims;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.ExactlyOnceIds;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import java.util.Objects;

/**
 * What the broker hands a {@link ProtocolModule} when it starts it.
 *
 * @param engine the engine API, all a protocol may use of the engine
 * @param config the whole configuration; a module reads its own section, the users and the limits
 * @param registry where the module registers its meters
 * @param eventLoops the listeners' event loops, shared by every protocol: for timers and short tasks, never for
 *     anything that blocks
 * @param clientIds who holds each client id across a cluster's nodes ({@link ClientIdClaims#LOCAL} on a broker
 *     that runs alone)
 * @param exactlyOnce the sessions' exactly-once exchanges in progress, shared across a cluster's nodes
 *     ({@link ExactlyOnceIds#LOCAL} on a broker that runs alone)
 */
public record ProtocolContext(Engine engine, JunctionConfig config, MeterRegistry registry,
                              EventLoopGroup eventLoops, ClientIdClaims clientIds, ExactlyOnceIds exactlyOnce) {
    public ProtocolContext {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(eventLoops, "eventLoops");
        Objects.requireNonNull(clientIds, "clientIds");
        Objects.requireNonNull(exactlyOnce, "exactlyOnce");
    }

    /** A broker that runs alone: client ids are claimed on this node only. */
    public ProtocolContext(Engine engine, JunctionConfig config, MeterRegistry registry, EventLoopGroup eventLoops) {
        this(engine, config, registry, eventLoops, ClientIdClaims.LOCAL, ExactlyOnceIds.LOCAL);
    }
}
