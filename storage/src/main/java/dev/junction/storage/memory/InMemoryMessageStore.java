package dev.junction.storage.memory;

import dev.junction.storage.DefinitionStore;
import dev.junction.storage.IdPage;
import dev.junction.storage.MessageStore;
import dev.junction.storage.QueueKey;
import dev.junction.storage.RetainedStore;
import dev.junction.storage.SessionStore;
import dev.junction.storage.StoredMessage;
import dev.junction.storage.TimeIndex;
import dev.junction.storage.table.DefinitionKey;
import dev.junction.storage.table.DefinitionTable;
import dev.junction.storage.table.RetainedTable;
import dev.junction.storage.table.SessionTable;
import dev.junction.storage.table.VhostKey;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link MessageStore} that keeps everything on the heap and loses it on close: for tests, and for brokers
 * run without persistence.
 *
 * <p>Each body is held once with a count of the queues referencing it; each queue keeps its references in id
 * order. One lock guards all of it, which keeps multi-queue appends atomic and the code obvious at the cost
 * of throughput under heavy contention. Every future is already complete when returned. Byte arrays are
 * copied on the way in and on the way out. Appending an id that is still stored throws
 * {@link IllegalArgumentException}, as does a non-positive id.
 */
public final class InMemoryMessageStore implements MessageStore {

    private static final class Body {
        final byte[] data;
        int references;

        Body(byte[] data) {
            this.data = data;
        }
    }

    private final Object lock = new Object();
    private final StoreGuard guard = new StoreGuard();
    private final Map<Long, Body> bodies = new HashMap<>();
    private final Map<QueueKey, TreeMap<Long, Body>> queues = new HashMap<>();
    private long highestId;
    /** Kept with the store, so an engine started again on it finds its delayed messages' due times. */
    private final Map<QueueKey, MemoryTimeIndex> timeIndexes = new HashMap<>();

    // One table each for definitions, retained messages and sessions, behind the public store interfaces.
    private final MemoryTable<DefinitionKey> definitionTable = new MemoryTable<>(guard);
    private final MemoryTable<VhostKey> retainedTable = new MemoryTable<>(guard);
    private final MemoryTable<VhostKey> sessionTable = new MemoryTable<>(guard);
    private final DefinitionStore definitions = new DefinitionTable(definitionTable);
    private final RetainedStore retained = new RetainedTable(retainedTable);
    private final SessionStore sessions = new SessionTable(sessionTable);
    private dev.junction.storage.stream.StreamLogs streams;
    private java.nio.file.Path streamDir;

    @Override
    public CompletableFuture<Void> append(StoredMessage message, Collection<QueueKey> queues) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(message.data(), "message.data");
        Set<QueueKey> targets = new LinkedHashSet<>(queues); // one reference per queue, rejects a null collection
        targets.forEach(q -> Objects.requireNonNull(q, "queue"));
        long id = message.id();
        if (id < 1) {
            throw new IllegalArgumentException("message ids are positive: " + id);
        }
        synchronized (lock) {
            guard.checkOpen();
            if (bodies.containsKey(id)) {
                throw new IllegalArgumentException("message id " + id + " is already stored");
            }
            highestId = Math.max(highestId, id);
            if (!targets.isEmpty()) {
                Body body = new Body(message.data().clone());
                body.references = targets.size();
                bodies.put(id, body);
                for (QueueKey queue : targets) {
                    this.queues.computeIfAbsent(queue, q -> new TreeMap<>()).put(id, body);
                }
            }
        }
        return StoreGuard.done();
    }

    @Override
    public CompletableFuture<Void> remove(QueueKey queue, long messageId) {
        Objects.requireNonNull(queue, "queue");
        synchronized (lock) {
            guard.checkOpen();
            TreeMap<Long, Body> refs = queues.get(queue);
            if (refs != null && refs.remove(messageId) != null) {
                release(messageId);
                if (refs.isEmpty()) {
                    queues.remove(queue);
                }
            }
        }
        return StoreGuard.done();
    }

    @Override
    public CompletableFuture<Void> removeQueue(QueueKey queue) {
        Objects.requireNonNull(queue, "queue");
        synchronized (lock) {
            guard.checkOpen();
            TreeMap<Long, Body> refs = queues.remove(queue);
            if (refs != null) {
                refs.keySet().forEach(this::release);
            }
        }
        return StoreGuard.done();
    }

    /** Drops one reference to {@code id}; the body goes with the last one. Caller holds the lock. */
    private void release(long id) {
        Body body = bodies.get(id);
        if (--body.references == 0) {
            bodies.remove(id);
        }
    }

    @Override
    public List<StoredMessage> read(QueueKey queue, long afterId, int max) {
        Objects.requireNonNull(queue, "queue");
        if (max < 0) {
            throw new IllegalArgumentException("max must not be negative: " + max);
        }
        synchronized (lock) {
            guard.checkOpen();
            TreeMap<Long, Body> refs = queues.get(queue);
            if (refs == null || max == 0) {
                return List.of();
            }
            List<StoredMessage> page = new ArrayList<>(Math.min(max, refs.size()));
            for (Map.Entry<Long, Body> e : refs.tailMap(afterId, false).entrySet()) {
                if (page.size() == max) {
                    break;
                }
                page.add(new StoredMessage(e.getKey(), e.getValue().data.clone()));
            }
            return page;
        }
    }

    @Override
    public List<StoredMessage> read(QueueKey queue, long[] ids) {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(ids, "ids");
        synchronized (lock) {
            guard.checkOpen();
            TreeMap<Long, Body> refs = queues.get(queue);
            if (refs == null) {
                return List.of();
            }
            List<StoredMessage> page = new ArrayList<>(ids.length);
            for (long id : ids) {
                Body body = refs.get(id);
                if (body != null) {
                    page.add(new StoredMessage(id, body.data.clone()));
                }
            }
            return page;
        }
    }

    @Override
    public IdPage ids(QueueKey queue, long afterId, int max) {
        Objects.requireNonNull(queue, "queue");
        if (max < 0) {
            throw new IllegalArgumentException("max must not be negative: " + max);
        }
        synchronized (lock) {
            guard.checkOpen();
            TreeMap<Long, Body> refs = queues.get(queue);
            if (refs == null || max == 0) {
                return IdPage.EMPTY;
            }
            Map<Long, Body> tail = refs.tailMap(afterId, false);
            int n = Math.min(max, tail.size());
            long[] ids = new long[n];
            int[] sizes = new int[n];
            int i = 0;
            for (Map.Entry<Long, Body> e : tail.entrySet()) {
                if (i == n) {
                    break;
                }
                ids[i] = e.getKey();
                sizes[i++] = e.getValue().data.length;
            }
            return new IdPage(ids, sizes);
        }
    }

    @Override
    public long count(QueueKey queue) {
        Objects.requireNonNull(queue, "queue");
        synchronized (lock) {
            guard.checkOpen();
            TreeMap<Long, Body> refs = queues.get(queue);
            return refs == null ? 0 : refs.size();
        }
    }

    @Override
    public Set<QueueKey> queues() {
        synchronized (lock) {
            guard.checkOpen();
            return Set.copyOf(queues.keySet());
        }
    }

    @Override
    public long highestMessageId() {
        synchronized (lock) {
            guard.checkOpen();
            return highestId;
        }
    }

    /** Number of message bodies held, however many queues reference each: one per fanned-out message. */
    public int bodyCount() {
        synchronized (lock) {
            guard.checkOpen();
            return bodies.size();
        }
    }

    @Override
    public TimeIndex timeIndex(QueueKey holder) {
        Objects.requireNonNull(holder, "holder");
        synchronized (lock) {
            guard.checkOpen();
            return timeIndexes.computeIfAbsent(holder, k -> new MemoryTimeIndex());
        }
    }

    @Override
    public DefinitionStore definitions() {
        guard.checkOpen();
        return definitions;
    }

    @Override
    public RetainedStore retained() {
        guard.checkOpen();
        return retained;
    }

    @Override
    public SessionStore sessions() {
        guard.checkOpen();
        return sessions;
    }

    /** Streams are files even here (they are always durable): in a temporary directory deleted at close. */
    @Override
    public synchronized dev.junction.storage.stream.StreamLogs streams() {
        guard.checkOpen();
        if (streams == null) {
            try {
                streamDir = java.nio.file.Files.createTempDirectory("junction-streams");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            streams = new dev.junction.storage.stream.StreamLogs(streamDir);
        }
        return streams;
    }

    /** Marks the store closed and lets go of everything it held; closing again does nothing. */
    @Override
    public void close() {
        synchronized (lock) {
            if (guard.isClosed()) {
                return;
            }
            guard.close();
            bodies.clear();
            queues.clear();
            timeIndexes.clear();
        }
        definitionTable.clear();
        retainedTable.clear();
        sessionTable.clear();
        closeStreams();
    }

    private synchronized void closeStreams() {
        if (streams == null) {
            return;
        }
        streams.close();
        try (var files = java.nio.file.Files.walk(streamDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.IOException e) {
            // A temporary directory: what is left goes with the machine's temp files.
        }
    }
}
