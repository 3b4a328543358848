package dev.junction.routing;

import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import java.util.EnumSet;
import java.util.Set;

/**
 * Applies a definition that a cluster's metadata log committed to this node's engine (docs/cluster.md): the same
 * declarations and deletions a client asks for, through the vhost's own methods, so limits, indexes and metrics
 * stay as they are for a local declaration. A definition this node already has (the log is replayed at start, or
 * it was declared here before the node joined) declares nothing new. The caller runs this on the log's apply
 * thread, one entry at a time in log order, and keeps the store writes it causes local.
 */
public final class ReplicatedDefinitions {

    /**
     * The kinds the metadata log carries. Users (with their permissions and topic permissions) are applied by the
     * broker, which keeps their encoding; exchange state (deduplication keys) stays per node.
     */
    public static final Set<DefinitionKind> KINDS = EnumSet.of(DefinitionKind.VHOST, DefinitionKind.USER,
            DefinitionKind.EXCHANGE, DefinitionKind.QUEUE, DefinitionKind.BINDING, DefinitionKind.POLICY);

    private ReplicatedDefinitions() {
    }

    /**
     * Applies a committed entry here: declares {@code d}, or with {@code delete} deletes what {@code d} (as it was
     * stored) defined. Returns what the vhost's own method returned (the {@link VirtualHost}, the exchange or queue
     * declared, a deleted queue's future message count, a policy's future; null for a binding or something already
     * gone), which the node that submitted the entry answers its client with; throws the vhost's refusal
     * (equivalence, a limit). Users are not the engine's to apply (the cluster hands them to the broker).
     */
    public static Object apply(RoutingEngine engine, Definition d, boolean delete) {
        return delete ? delete(engine, d) : put(engine, d);
    }

    private static Object put(RoutingEngine engine, Definition d) {
        return switch (d.kind()) {
            case VHOST -> engine.createVhost(d.vhost());
            case EXCHANGE -> engine.createVhost(d.vhost()).declareExchange(DefinitionCodec.readExchange(d), false);
            case QUEUE -> engine.createVhost(d.vhost()).declareQueue(DefinitionCodec.readQueue(d), null, false);
            case BINDING -> {
                engine.createVhost(d.vhost()).bind(DefinitionCodec.readBinding(d), null);
                yield null;
            }
            case POLICY -> engine.createVhost(d.vhost()).policies().applyPut(DefinitionCodec.readPolicy(d));
            default -> throw new IllegalArgumentException("not replicated: " + d.kind());
        };
    }

    private static Object delete(RoutingEngine engine, Definition d) {
        VirtualHost vhost = engine.vhost(d.vhost()).orElse(null);
        if (vhost == null) {
            return null;
        }
        switch (d.kind()) {
            case VHOST -> {
                return engine.deleteVhost(d.vhost());
            }
            case EXCHANGE -> vhost.deleteExchange(d.name(), false);
            case QUEUE -> {
                vhost.queue(d.name()).ifPresent(engine.quorum()::unlinked); // its consumers here end too
                return vhost.deleteQueue(d.name(), false, false, null);
            }
            case BINDING -> vhost.unbind(DefinitionCodec.readBinding(d), null);
            case POLICY -> {
                return vhost.policies().applyDelete(d.name());
            }
            default -> throw new IllegalArgumentException("not replicated: " + d.kind());
        }
        return null;
    }
}
