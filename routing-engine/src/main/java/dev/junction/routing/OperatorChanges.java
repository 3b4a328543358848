package dev.junction.routing;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import dev.junction.storage.Definition;
import dev.junction.storage.DefinitionKind;
import java.util.concurrent.CompletableFuture;

/**
 * The changes an operator makes through the broker rather than through a protocol (vhosts, and users with their
 * permissions, whose encoding is the broker's), made linearizable on a cluster node as the engine API's
 * declarations are (docs/cluster.md, "Linearizable declarations"): checked here, committed through the metadata log,
 * and in effect on every node, this one included, only when the node applies the entry. The future completes after
 * this node's apply, or fails with an {@code INTERNAL_ERROR} when the log did not commit the change; a node that
 * knows no leader refuses before anything changes. Alone, each change is made at once, as it always was.
 *
 * <p>Why not through the store seam, as before: a change made here first and stored after was visible on this node
 * before the log had it, and stayed here alone when the log never committed it.
 */
public final class OperatorChanges {

    private OperatorChanges() {
    }

    /** Whether changes go through a cluster's metadata log. */
    public static boolean committed(RoutingEngine engine) {
        return engine.definitionLog() != null;
    }

    /** Creates a vhost; completes with true when it is new. */
    public static CompletableFuture<Boolean> createVhost(RoutingEngine engine, String name) {
        DefinitionLog log = engine.definitionLog();
        if (log == null || engine.vhost(name).isPresent()) {
            boolean existed = engine.vhost(name).isPresent();
            engine.createVhost(name);
            return CompletableFuture.completedFuture(!existed);
        }
        refuse(log, "create vhost '" + name + "'");
        return log.commit(vhostKey(name), false).thenApply(ignored -> true);
    }

    /**
     * Deletes a vhost with everything in it ({@link RoutingEngine#deleteVhost}); completes once its queues are gone
     * on this node, with false when there was no such vhost.
     */
    public static CompletableFuture<Boolean> deleteVhost(RoutingEngine engine, String name) {
        DefinitionLog log = engine.definitionLog();
        if (log == null) {
            return engine.deleteVhost(name);
        }
        refuse(log, "delete vhost '" + name + "'");
        return log.commit(vhostKey(name), true).thenCompose(OperatorChanges::deleted);
    }

    /**
     * Commits a user's stored form (a {@link DefinitionKind#USER} definition), or its deletion; the broker's user
     * directory applies it on every node. Only on a cluster node ({@link #committed}).
     */
    public static CompletableFuture<Void> user(RoutingEngine engine, Definition user, boolean delete) {
        DefinitionLog log = engine.definitionLog();
        if (log == null) {
            throw new IllegalStateException("no metadata log: a user is stored, not committed, on a single node");
        }
        refuse(log, (delete ? "delete" : "change") + " user '" + user.name() + "'");
        return log.commit(user, delete).thenApply(ignored -> null);
    }

    private static Definition vhostKey(String name) {
        return new Definition(DefinitionKind.VHOST, name, name, new byte[0]);
    }

    @SuppressWarnings("unchecked")
    private static CompletableFuture<Boolean> deleted(Object applied) {
        return applied instanceof CompletableFuture<?> f ? (CompletableFuture<Boolean>) f
                : CompletableFuture.completedFuture(false);
    }

    private static void refuse(DefinitionLog log, String what) {
        log.refusal().ifPresent(why -> {
            throw new BrokerException(ErrorKind.INTERNAL_ERROR, "cannot " + what + ": " + why);
        });
    }
}
