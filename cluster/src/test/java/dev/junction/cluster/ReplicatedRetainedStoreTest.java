package dev.junction.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.storage.RetainedMessage;
import dev.junction.storage.memory.InMemoryMessageStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retained messages through a hand-driven metadata log: two nodes' stores submit to one list of entries and apply
 * it in order. A small retained message reaches both nodes' stores (and their watchers) only once applied, a large
 * one stays on its node, a clear is replicated, and the snapshot carries the replicated ones.
 */
class ReplicatedRetainedStoreTest {

    private final List<byte[]> log = new ArrayList<>();

    private final class Node {
        final InMemoryMessageStore local = new InMemoryMessageStore();
        final ReplicatedRetainedStore store = new ReplicatedRetainedStore(local.retained());
        final List<String> told = new ArrayList<>();
        int applied;

        Node() {
            store.replicateThrough(entry -> {
                log.add(entry);
                return CompletableFuture.completedFuture(null);
            });
            store.watch((vhost, topic, size) -> told.add(vhost + " " + topic + " " + size));
        }

        void catchUp() {
            for (; applied < log.size(); applied++) {
                store.apply(RetainedCommand.decode(log.get(applied)));
            }
        }
    }

    @Test
    void aSmallRetainedMessageReachesEveryNodeWhenApplied() {
        Node a = new Node();
        Node c = new Node();
        a.store.put(new RetainedMessage("/", "sensors/1", new byte[] {1, 2, 3}));
        assertThat(a.store.get("/", "sensors/1")).isEmpty(); // not before the log ordered it
        a.catchUp();
        c.catchUp();
        assertThat(c.store.get("/", "sensors/1")).hasValueSatisfying(m -> assertThat(m.data()).containsExactly(1, 2, 3));
        assertThat(a.store.get("/", "sensors/1")).isPresent();
        assertThat(c.told).containsExactly("/ sensors/1 3");

        c.store.delete("/", "sensors/1");
        a.catchUp();
        c.catchUp();
        assertThat(a.store.get("/", "sensors/1")).isEmpty();
        assertThat(a.told).containsExactly("/ sensors/1 3", "/ sensors/1 -1");
    }

    @Test
    void aLargeRetainedMessageStaysOnItsNode() {
        Node a = new Node();
        a.store.put(new RetainedMessage("/", "big", new byte[ReplicatedRetainedStore.MAX_REPLICATED_BYTES + 1]));
        assertThat(log).isEmpty();
        assertThat(a.store.get("/", "big")).isPresent();
        assertThat(a.store.replicated()).isEmpty();
    }

    @Test
    void theSnapshotCarriesTheReplicatedOnesAndAnInstalledOneIsExact(@TempDir Path dir) throws Exception {
        Node a = new Node();
        a.store.put(new RetainedMessage("/", "kept", new byte[] {7}));
        a.catchUp();
        Path file = dir.resolve("snapshot.1_1");
        MetadataSnapshot.write(file, List.of(), List.of(), a.store.replicated());
        List<RetainedMessage> read = MetadataSnapshot.readAll(file).retained();
        assertThat(read).hasSize(1);

        Node behind = new Node();
        behind.store.apply(new RetainedCommand(RetainedCommand.Op.PUT, "/", "cleared-meanwhile", new byte[] {1}));
        behind.store.restore(read, true);
        assertThat(behind.store.get("/", "cleared-meanwhile")).isEmpty();
        assertThat(behind.store.get("/", "kept")).isPresent();
        assertThat(behind.told).contains("/ cleared-meanwhile -1", "/ kept 1");
    }

    @Test
    void entriesRoundTrip() {
        RetainedCommand c = new RetainedCommand(RetainedCommand.Op.PUT, "/", "a/b", new byte[] {0, -1});
        RetainedCommand back = RetainedCommand.decode(c.encode());
        assertThat(back.topic()).isEqualTo("a/b");
        assertThat(back.data()).containsExactly(0, -1);
        assertThat(RetainedCommand.is(c.encode())).isTrue();
        assertThat(ClientIdCommand.is(c.encode())).isFalse();
    }
}
