package dev.junction.routing;

import dev.junction.routing.api.BrokerException;
import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a definition that a cluster's metadata log committed to this node's engine (docs/cluster.md): the same
 * declarations and deletions a client asks for, through the vhost's own methods, so limits, indexes and metrics
 * stay as they are for a local declaration. A definition this node already has (it was declared here, or the
 * log is replayed at start) declares nothing new. The caller runs this on the log's apply thread, one entry at a
 * time in log order, and keeps the store writes it causes local.
 */
public final class ReplicatedDefinitions {

    /** The kinds the metadata log carries; users, permissions, policies and exchange state stay per node. */
    public static final Set<DefinitionKind> KINDS =
            EnumSet.of(DefinitionKind.VHOST, DefinitionKind.EXCHANGE, DefinitionKind.QUEUE, DefinitionKind.BINDING);

    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedDefinitions.class);

    private ReplicatedDefinitions() {
    }

    /** Declares {@code d} here; a declaration this node refuses (equivalence, a limit) is logged and skipped. */
    public static void put(RoutingEngine engine, Definition d) {
        try {
            switch (d.kind()) {
                case VHOST -> engine.createVhost(d.vhost());
                case EXCHANGE -> engine.createVhost(d.vhost()).declareExchange(DefinitionCodec.readExchange(d), false);
                case QUEUE -> engine.createVhost(d.vhost()).declareQueue(DefinitionCodec.readQueue(d), null, false);
                case BINDING -> engine.createVhost(d.vhost()).bind(DefinitionCodec.readBinding(d), null);
                default -> throw new IllegalArgumentException("not replicated: " + d.kind());
            }
        } catch (BrokerException e) {
            LOG.warn("replicated {} '{}' in vhost '{}' refused on this node: {}", d.kind(), d.name(), d.vhost(),
                    e.getMessage());
        }
    }

    /** Deletes what {@code d} (as it was stored) defined; something already gone is nothing to do. */
    public static void delete(RoutingEngine engine, Definition d) {
        VirtualHost vhost = engine.vhost(d.vhost()).orElse(null);
        if (vhost == null) {
            return;
        }
        try {
            switch (d.kind()) {
                case VHOST -> engine.deleteVhost(d.vhost());
                case EXCHANGE -> vhost.deleteExchange(d.name(), false);
                case QUEUE -> vhost.deleteQueue(d.name(), false, false, null);
                case BINDING -> vhost.unbind(DefinitionCodec.readBinding(d), null);
                default -> throw new IllegalArgumentException("not replicated: " + d.kind());
            }
        } catch (BrokerException e) {
            LOG.debug("replicated delete of {} '{}' in vhost '{}': {}", d.kind(), d.name(), d.vhost(),
                    e.getMessage());
        }
    }
}
