package dev.junction.broker.management;

import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ErrorKind;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code definitions_file} of a cluster node (docs/cluster.md, "Definitions files"): imported once the node has
 * joined the metadata group and knows its leader, through the same committed declarations as {@code POST
 * /api/definitions}, so every node has what the file holds, as RabbitMQ's replicated schema store gives every node
 * what one node imported at boot.
 *
 * <p>Why not at start, before the listeners, as a single node does: the import needs a leader, and a node must
 * start while its peers are down (the first node of a cluster started one after the other has none until the
 * second is up). So the start does not wait: the import runs on a thread of its own, never an event loop, first
 * once a leader is known and again, from the beginning, whenever a leader change cuts it short (a refusal for want
 * of a leader, or a change the log did not commit), at growing intervals. It is idempotent, so every node may hold
 * the same file and import it at every start: what exists with the same properties is a read, not a new entry;
 * users, permissions and policies are put again with the same content. An object the import refuses for what it
 * is (an exchange or queue that exists with other properties, a permission for an unknown user) is logged as one
 * WARN line and skipped; the node stays up and the rest is imported.
 *
 * <p>The config file's users are laid over the file's as on a single node: the node's file layer is in place
 * before the import, and a user committed by it is stored under that layer as an API change is
 * ({@link UserDirectory#put}).
 */
public final class ClusterDefinitionsFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterDefinitionsFile.class);
    /** How often the node asks whether it knows a leader, while it does not. */
    private static final long LEADER_POLL_MS = 200;
    private static final long FIRST_RETRY_MS = 500;
    private static final long MAX_RETRY_MS = 30_000;

    private final RoutingEngine engine;
    private final String source;
    private final Map<String, Object> document;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "junction-definitions-file");
        t.setDaemon(true);
        return t;
    });
    private final CompletableFuture<Integer> imported = new CompletableFuture<>();
    private long retryMs = FIRST_RETRY_MS;
    private boolean waitLogged;
    private int skipped;

    private ClusterDefinitionsFile(RoutingEngine engine, Path file, Map<String, Object> document) {
        this.engine = engine;
        this.source = file.toAbsolutePath().toString();
        this.document = document;
    }

    /**
     * Imports {@code document}, read from {@code file} ({@link DefinitionsFile#read}), once {@code engine}'s
     * declarations go through the metadata log; returns at once.
     */
    public static ClusterDefinitionsFile start(RoutingEngine engine, Path file, Map<String, Object> document) {
        ClusterDefinitionsFile load = new ClusterDefinitionsFile(engine, file, document);
        load.schedule(0);
        return load;
    }

    /** Completes once the file is imported, with the number of its objects refused (each logged as a WARN). */
    public CompletableFuture<Integer> imported() {
        return imported;
    }

    private void schedule(long delayMs) {
        try {
            thread.schedule(this::attempt, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
            // The broker is stopping: the next start imports the file again.
        }
    }

    private void attempt() {
        var noLeader = engine.store().definitions().refusal();
        if (noLeader.isPresent()) {
            if (!waitLogged) {
                waitLogged = true;
                LOG.info("definitions file {}: imported once this node knows a leader ({})", source, noLeader.get());
            }
            schedule(LEADER_POLL_MS);
            return;
        }
        skipped = 0;
        UserDirectory users = new UserDirectory(engine);
        EntityResource entities = new EntityResource(engine);
        Definitions definitions = new Definitions(engine, users, entities,
                new AccessResource(engine, users, BrokerControl.NONE), new PolicyResource(engine, entities));
        try {
            definitions.importAll(document, null, DefinitionsFile.BOOT, this::refused);
        } catch (CutShort e) {
            if (thread.isShutdown()) {
                return;
            }
            LOG.warn("definitions file {}: import cut short at {} ({}); it starts again in {} ms", source, e.what,
                    e.getCause().getMessage(), retryMs);
            schedule(retryMs);
            retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
            return;
        } catch (RuntimeException e) {
            LOG.error("definitions file {}: import failed", source, e);
            imported.completeExceptionally(e);
            return;
        }
        if (skipped == 0) {
            LOG.info("definitions imported from {} through the cluster's metadata log", source);
        } else {
            LOG.warn("definitions imported from {} through the cluster's metadata log, {} of its objects refused "
                    + "(see the warnings above)", source, skipped);
        }
        imported.complete(skipped);
    }

    /** A refusal that a leader would not give stops this attempt; one for what the object is skips it. */
    private void refused(String what, RuntimeException e) {
        if (transientRefusal(e)) {
            throw new CutShort(what, e);
        }
        skipped++;
        LOG.warn("definitions file {}: {} not imported: {}", source, what, e.getMessage());
    }

    private boolean transientRefusal(RuntimeException e) {
        return thread.isShutdown() || engine.store().definitions().refusal().isPresent()
                || (e instanceof BrokerException b && b.kind() == ErrorKind.INTERNAL_ERROR)
                || (e instanceof ApiError a && a.status() >= 500);
    }

    /** Stops an import waiting for the log; the broker's next start imports the file again. */
    @Override
    public void close() {
        thread.shutdownNow();
        imported.cancel(false);
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops an attempt at a refusal that a later attempt, with a leader known, may not get. */
    private static final class CutShort extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String what;

        CutShort(String what, RuntimeException cause) {
            super(cause.getMessage(), cause, false, false);
            this.what = what;
        }
    }
}
