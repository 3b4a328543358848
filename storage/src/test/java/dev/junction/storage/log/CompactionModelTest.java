package dev.junction.storage.log;

import dev.junction.storage.QueueKey;
import dev.junction.storage.StoredMessage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.junction.storage.log.LogFiles.await;
import static dev.junction.storage.log.LogFiles.settle;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random traffic with compaction, reopens and interrupted segment deletions leaves the store holding exactly what
 * a simple model of the queues holds.
 */
class CompactionModelTest extends CompactionFixture {

    @ParameterizedTest
    @ValueSource(longs = {20240611, 4, 12})
    void randomTrafficWithCompactionReopensAndInterruptedDeletionsMatchesAModel(long seed) throws Exception {
        Random random = new Random(seed);
        List<QueueKey> keys = List.of(Q, OTHER, PINNED, new QueueKey("/", "d"), new QueueKey("v", "q"));
        Map<QueueKey, TreeMap<Long, byte[]>> model = new HashMap<>();
        keys.forEach(k -> model.put(k, new TreeMap<>()));
        List<Long> reusable = new ArrayList<>();
        // An id may be appended again only once its removal is written: the store refuses ids it still holds.
        List<Long> freedPending = new ArrayList<>();
        LogStoreSettings settings = small().withSegmentBytes(8192);
        AtomicBoolean keepCompacted = new AtomicBoolean();
        long nextId = 1;
        long compactions = 0;
        for (int round = 0; round < 12; round++) {
            keepCompacted.set(round % 3 == 2); // now and then the process "dies" before deleting a segment
            try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(), settings)) {
                assertMatches(store, model);
                store.deleteHook(s -> !(keepCompacted.get() && s.compacted));
                List<CompletableFuture<Void>> pending = new ArrayList<>();
                for (int op = 0; op < 3000; op++) {
                    int kind = random.nextInt(100);
                    if (kind < 45) {
                        long id = !reusable.isEmpty() && random.nextInt(10) == 0
                                ? reusable.remove(random.nextInt(reusable.size())) : nextId++;
                        byte[] body = new byte[20 + random.nextInt(300)];
                        random.nextBytes(body);
                        List<QueueKey> to = new ArrayList<>();
                        // PINNED is never consumed below, except by a rare queue deletion.
                        for (QueueKey k : keys) {
                            if (random.nextInt(k == PINNED ? 40 : 3) == 0) {
                                to.add(k);
                            }
                        }
                        if (to.isEmpty()) {
                            to.add(keys.get(random.nextInt(2)));
                        }
                        pending.add(store.append(new StoredMessage(id, body), to));
                        to.forEach(k -> model.get(k).put(id, body));
                    } else if (kind < 97) {
                        QueueKey k = keys.get(random.nextInt(keys.size()));
                        TreeMap<Long, byte[]> q = model.get(k);
                        if (k != PINNED && !q.isEmpty()) {
                            long id = random.nextInt(4) == 0
                                    ? new ArrayList<>(q.keySet()).get(random.nextInt(q.size())) : q.firstKey();
                            q.remove(id);
                            pending.add(store.remove(k, id));
                            freed(model, id, freedPending);
                        }
                    } else if (kind < 98 && op % 7 == 0) {
                        QueueKey k = keys.get(random.nextInt(keys.size()));
                        List<Long> ids = new ArrayList<>(model.get(k).keySet());
                        model.get(k).clear();
                        pending.add(store.removeQueue(k));
                        ids.forEach(id -> freed(model, id, freedPending));
                    }
                    if (op % 500 == 0) {
                        await(pending);
                        reusable.addAll(freedPending);
                        freedPending.clear();
                        assertMatches(store, model);
                    }
                }
                await(pending);
                reusable.addAll(freedPending);
                freedPending.clear();
                settle(store);
                assertMatches(store, model);
                compactions += store.compactions();
            }
        }
        assertThat(compactions).isGreaterThan(20);
        try (LogMessageStore store = LogMessageStore.open(dir, FsyncPolicy.group(), settings)) {
            assertMatches(store, model);
        }
    }

    private static void freed(Map<QueueKey, TreeMap<Long, byte[]>> model, long id, List<Long> reusable) {
        if (model.values().stream().noneMatch(q -> q.containsKey(id))) {
            reusable.add(id);
        }
    }

    private static void assertMatches(LogMessageStore store, Map<QueueKey, TreeMap<Long, byte[]>> model) {
        Set<Long> bodies = new HashSet<>();
        model.forEach((k, q) -> {
            List<StoredMessage> all = store.read(k, 0, 1_000_000);
            assertThat(all).extracting(StoredMessage::id).as("ids in %s", k).containsExactlyElementsOf(q.keySet());
            for (StoredMessage m : all) {
                assertThat(m.data()).as("body of %d", m.id()).isEqualTo(q.get(m.id()));
            }
            assertThat(store.count(k)).isEqualTo(q.size());
            bodies.addAll(q.keySet());
        });
        assertThat(store.messageCount()).isEqualTo(bodies.size());
    }
}
