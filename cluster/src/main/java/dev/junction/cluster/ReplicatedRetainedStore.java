package dev.junction.cluster;

import dev.junction.storage.RetainedMessage;
import dev.junction.storage.RetainedStore;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's {@link RetainedStore} on a cluster node: a retained message of up to {@link #MAX_REPLICATED_BYTES}
 * (encoded) and every clear go to the metadata log instead of the local store; when the log commits them every
 * node, this one included, writes them to its local store and tells its watchers (the MQTT adapter's index), so a
 * retained publish on one node is seen by a subscriber of any other. A larger message stays on its node, as alone.
 * Reads are the local store's, which holds what this node has applied.
 */
final class ReplicatedRetainedStore implements RetainedStore {

    /** The largest encoded retained message the metadata log carries: its entries and snapshots stay small. */
    static final int MAX_REPLICATED_BYTES = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedRetainedStore.class);

    private final RetainedStore local;
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private volatile Function<byte[], CompletableFuture<Void>> log;

    ReplicatedRetainedStore(RetainedStore local) {
        this.local = local;
    }

    /** From now on, retained changes go to {@code submit}; until then (start-up) they stay local. */
    void replicateThrough(Function<byte[], CompletableFuture<Void>> submit) {
        this.log = submit;
    }

    @Override
    public CompletableFuture<Void> put(RetainedMessage m) {
        Function<byte[], CompletableFuture<Void>> to = log;
        if (to == null || m.data().length > MAX_REPLICATED_BYTES) {
            return local.put(m);
        }
        return submitted(to, new RetainedCommand(RetainedCommand.Op.PUT, m.vhost(), m.topic(), m.data()));
    }

    @Override
    public CompletableFuture<Void> delete(String vhost, String topic) {
        Function<byte[], CompletableFuture<Void>> to = log;
        if (to == null) {
            return local.delete(vhost, topic);
        }
        return submitted(to, new RetainedCommand(RetainedCommand.Op.DELETE, vhost, topic, new byte[0]));
    }

    private static CompletableFuture<Void> submitted(Function<byte[], CompletableFuture<Void>> to,
                                                     RetainedCommand c) {
        return to.apply(c.encode()).whenComplete((ok, failed) -> {
            if (failed != null) {
                // A minority side commits nothing: the publish was routed, its retained copy is not kept anywhere.
                LOG.warn("retained message of '{}' in vhost '{}' not replicated, not kept: {}", c.topic(), c.vhost(),
                        failed.toString());
            }
        });
    }

    /** On the apply thread: a committed retained change, written to this node's store and told to the watchers. */
    void apply(RetainedCommand c) {
        if (c.op() == RetainedCommand.Op.PUT) {
            local.put(new RetainedMessage(c.vhost(), c.topic(), c.data()));
            tell(c.vhost(), c.topic(), c.data().length);
        } else {
            local.delete(c.vhost(), c.topic());
            tell(c.vhost(), c.topic(), -1);
        }
    }

    /** The replicated retained messages this node holds, for a snapshot (a larger one is its node's alone). */
    List<RetainedMessage> replicated() {
        return local.all().stream().filter(m -> m.data().length <= MAX_REPLICATED_BYTES).toList();
    }

    /**
     * Puts each of {@code snapshot}; with {@code exactly} (the leader's snapshot installed), first clears the
     * replicated ones this node holds beyond them.
     */
    void restore(List<RetainedMessage> snapshot, boolean exactly) {
        Set<List<String>> kept = new HashSet<>();
        for (RetainedMessage m : snapshot) {
            kept.add(List.of(m.vhost(), m.topic()));
        }
        for (RetainedMessage m : exactly ? replicated() : List.<RetainedMessage>of()) {
            if (!kept.contains(List.of(m.vhost(), m.topic()))) {
                apply(new RetainedCommand(RetainedCommand.Op.DELETE, m.vhost(), m.topic(), new byte[0]));
            }
        }
        for (RetainedMessage m : snapshot) {
            apply(new RetainedCommand(RetainedCommand.Op.PUT, m.vhost(), m.topic(), m.data()));
        }
    }

    private void tell(String vhost, String topic, int size) {
        for (Watcher w : watchers) {
            try {
                w.changed(vhost, topic, size);
            } catch (RuntimeException e) {
                LOG.warn("a watcher of retained messages failed on '{}'", topic, e);
            }
        }
    }

    @Override
    public void watch(Watcher watcher) {
        watchers.add(watcher);
    }

    @Override
    public List<RetainedMessage> all() {
        return local.all();
    }

    @Override
    public List<Entry> index() {
        return local.index();
    }

    @Override
    public Optional<RetainedMessage> get(String vhost, String topic) {
        return local.get(vhost, topic);
    }
}
