package dev.junction.routing.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class TopicTrieTest {

    @Test
    void newTrieIsEmpty() {
        TopicTrie<String> trie = new TopicTrie<>();
        assertThat(trie.isEmpty()).isTrue();
        assertThat(trie.size()).isZero();
        assertThat(trie.nodeCount()).isZero();
        assertThat(Hits.amqp(trie, "a.b")).isEmpty();
    }

    @Test
    void addReturnsFalseForAPairAlreadyThere() {
        TopicTrie<String> trie = new TopicTrie<>();
        assertThat(trie.add(TopicPattern.amqp("a.*"), "q1")).isTrue();
        assertThat(trie.add(TopicPattern.amqp("a.*"), "q1")).isFalse();
        assertThat(trie.add(TopicPattern.amqp("a.*"), "q2")).isTrue();
        assertThat(trie.size()).isEqualTo(2);
    }

    @Test
    void sizeCountsPairsNotPatterns() {
        TopicTrie<Integer> trie = new TopicTrie<>();
        trie.add(TopicPattern.amqp("a"), 1);
        trie.add(TopicPattern.amqp("a"), 2);
        trie.add(TopicPattern.amqp("b"), 1);
        assertThat(trie.size()).isEqualTo(3);
        assertThat(trie.isEmpty()).isFalse();
    }

    @Test
    void sameWordsInTheTwoDialectsAreTwoPatterns() {
        TopicTrie<String> trie = new TopicTrie<>();
        assertThat(trie.add(TopicPattern.amqp("a.b"), "x")).isTrue();
        assertThat(trie.add(TopicPattern.mqtt("a/b"), "x")).isTrue();
        assertThat(Hits.of(trie, List.of("a", "b")))
                .extracting(Hits::pattern)
                .containsExactlyInAnyOrder(TopicPattern.amqp("a.b"), TopicPattern.mqtt("a/b"));
    }

    @Test
    void removeReturnsFalseForAPairNotThere() {
        TopicTrie<String> trie = new TopicTrie<>();
        trie.add(TopicPattern.amqp("a.b"), "q1");
        assertThat(trie.remove(TopicPattern.amqp("a.b"), "q2")).isFalse();
        assertThat(trie.remove(TopicPattern.amqp("a.c"), "q1")).isFalse();
        assertThat(trie.remove(TopicPattern.amqp("a"), "q1")).isFalse();
        assertThat(trie.remove(TopicPattern.amqp("a.b.c"), "q1")).isFalse();
        assertThat(trie.remove(TopicPattern.mqtt("a/b"), "q1")).isFalse();
        assertThat(trie.size()).isOne();
    }

    @Test
    void removePrunesTheNodesItLeavesEmptyAndKeepsSharedOnes() {
        TopicTrie<String> trie = new TopicTrie<>();
        trie.add(TopicPattern.amqp("a.b.c"), "q");
        trie.add(TopicPattern.amqp("a.#.d"), "q");
        trie.add(TopicPattern.mqtt("+/x"), "q");
        assertThat(trie.nodeCount()).isEqualTo(3 + 2 + 2);
        assertThat(trie.remove(TopicPattern.amqp("a.b.c"), "q")).isTrue();
        assertThat(trie.nodeCount()).isEqualTo(3 + 2); // "a" stays: "a.#.d" uses it
        assertThat(Hits.amqp(trie, "a.d")).hasSize(1);
        assertThat(trie.remove(TopicPattern.amqp("a.#.d"), "q")).isTrue();
        assertThat(trie.remove(TopicPattern.mqtt("+/x"), "q")).isTrue();
        assertThat(trie.nodeCount()).isZero();
        assertThat(trie.isEmpty()).isTrue();
    }

    @Test
    void removingAPatternThatIsAPrefixOfAnotherKeepsTheLongerOne() {
        TopicTrie<String> trie = new TopicTrie<>();
        trie.add(TopicPattern.amqp("a"), "q");
        trie.add(TopicPattern.amqp("a.b"), "q");
        trie.remove(TopicPattern.amqp("a"), "q");
        assertThat(Hits.amqp(trie, "a.b")).hasSize(1);
        assertThat(Hits.amqp(trie, "a")).isEmpty();
        assertThat(trie.nodeCount()).isEqualTo(2);
    }

    @Test
    void matchReportsThePatternWithEachValue() {
        TopicTrie<String> trie = new TopicTrie<>();
        trie.add(TopicPattern.amqp("a.*"), "q1");
        trie.add(TopicPattern.amqp("a.#"), "q1");
        trie.add(TopicPattern.amqp("a.b"), "q2");
        assertThat(Hits.amqp(trie, "a.b")).containsExactlyInAnyOrder(
                new Hits<>(TopicPattern.amqp("a.*"), "q1"),
                new Hits<>(TopicPattern.amqp("a.#"), "q1"),
                new Hits<>(TopicPattern.amqp("a.b"), "q2"));
    }

    @Test
    void patternThatCanMatchInSeveralWaysIsReportedExactlyOnce() {
        TopicTrie<String> trie = new TopicTrie<>();
        List<String> bindings = List.of("#", "#.#", "#.#.#", "a.#.#", "#.a.#", "#.*.#", "#.a.#.a.#", "a.#.a.#",
                "#.#.a", "*.#.*.#", "#.*.*.#.#");
        for (String b : bindings) {
            trie.add(TopicPattern.amqp(b), "q");
        }
        List<Hits<String>> hits = Hits.amqp(trie, "a.a.a.a");
        assertThat(hits).doesNotHaveDuplicates();
        assertThat(hits).extracting(Hits::pattern)
                .containsExactlyInAnyOrderElementsOf(bindings.stream().map(TopicPattern::amqp).toList());
    }

    @Test
    void nodeWithManyPairsReportsEachOnceAndShrinksBack() {
        TopicTrie<Integer> trie = new TopicTrie<>();
        TopicPattern p = TopicPattern.mqtt("announcements/#");
        for (int i = 0; i < 100; i++) {
            assertThat(trie.add(p, i)).isTrue();
        }
        assertThat(trie.add(p, 42)).isFalse();
        assertThat(Hits.mqtt(trie, "announcements/all")).hasSize(100).doesNotHaveDuplicates();
        for (int i = 0; i < 97; i++) {
            assertThat(trie.remove(p, i)).isTrue();
        }
        assertThat(trie.remove(p, 0)).isFalse();
        assertThat(Hits.mqtt(trie, "announcements")).extracting(Hits::value).containsExactlyInAnyOrder(97, 98, 99);
        for (int i = 97; i < 100; i++) {
            assertThat(trie.remove(p, i)).isTrue();
        }
        assertThat(trie.isEmpty()).isTrue();
        assertThat(trie.nodeCount()).isZero();
    }

    @Test
    void pairsOfOneNodeStayExactAcrossRandomAddsAndRemovesOfHundredsOfValues() {
        TopicTrie<Integer> trie = new TopicTrie<>();
        TopicPattern p = TopicPattern.mqtt("fw/+/update");
        java.util.Set<Integer> model = new java.util.HashSet<>();
        Random random = new Random(42);
        for (int step = 0; step < 20_000; step++) {
            boolean growing = step < 10_000; // grow past several chunks of 64, then shrink back
            int v = random.nextInt(growing ? 400 : 60);
            boolean add = growing ? random.nextInt(3) > 0 : random.nextInt(3) == 0;
            if (add) {
                assertThat(trie.add(p, v)).isEqualTo(model.add(v));
            } else {
                assertThat(trie.remove(p, v)).isEqualTo(model.remove(v));
            }
            if (step % 97 == 0) {
                assertThat(Hits.mqtt(trie, "fw/x/update")).doesNotHaveDuplicates()
                        .extracting(Hits::value).containsExactlyInAnyOrderElementsOf(model);
            }
        }
        for (int v : model) {
            assertThat(trie.remove(p, v)).isTrue();
        }
        assertThat(trie.isEmpty()).isTrue();
        assertThat(trie.nodeCount()).isZero();
    }

    @Test
    void matchFindsTheFewMatchingBindingsAmongThousandsOfUnrelatedOnes() {
        TopicTrie<Integer> trie = new TopicTrie<>();
        for (int i = 0; i < 20_000; i++) {
            trie.add(TopicPattern.amqp("tenant" + (i % 100) + ".device" + i + ".temp"), i);
        }
        trie.add(TopicPattern.amqp("tenant7.*.temp"), -1);
        assertThat(Hits.amqp(trie, "tenant7.device1007.temp"))
                .extracting(Hits::value)
                .containsExactlyInAnyOrder(1007, -1);
    }

    @Test
    void deepPatternsWork() {
        TopicTrie<String> trie = new TopicTrie<>();
        String deep = String.join("/", Collections.nCopies(2_000, "x")) + "/#";
        trie.add(TopicPattern.mqtt(deep), "q");
        assertThat(Hits.mqtt(trie, String.join("/", Collections.nCopies(2_001, "x")))).hasSize(1);
        trie.remove(TopicPattern.mqtt(deep), "q");
        assertThat(trie.nodeCount()).isZero();
    }

    @Test
    void nullArgumentsAreRejected() {
        TopicTrie<String> trie = new TopicTrie<>();
        assertThatThrownBy(() -> trie.add(null, "q")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> trie.add(TopicPattern.amqp("a"), null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> trie.match(null, (p, v) -> { })).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> trie.match(List.of(), null)).isInstanceOf(NullPointerException.class);
    }

    // The sink may mutate the trie (it is then the only writer): a pair removed and added again while the
    // match runs must still not be reported twice, although its nodes are unlinked and created anew.
    @Test
    void pairRemovedAndAddedAgainDuringAMatchIsNotReportedTwice() {
        TopicTrie<String> trie = new TopicTrie<>();
        TopicPattern nested = TopicPattern.amqp("#.a.#");
        trie.add(nested, "q");
        trie.add(TopicPattern.amqp("#.a"), "keeps-the-a-node");
        List<Hits<String>> hits = new ArrayList<>();
        trie.match(TopicWords.amqp("a.a.a"), (p, v) -> {
            hits.add(new Hits<>(p, v));
            if (p.equals(nested)) {
                trie.remove(nested, "q");
                trie.add(nested, "q");
            }
        });
        assertThat(hits).doesNotHaveDuplicates().contains(new Hits<>(nested, "q"));
    }

    // Concurrency contract: lock-free readers alongside one writer. Pairs present throughout are reported
    // exactly once by every match; pairs being churned may or may not be reported, but never twice.
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void readersRunningAlongsideOneWriterSeeStablePairsExactlyOnce() throws Exception {
        TopicTrie<String> trie = new TopicTrie<>();
        List<TopicPattern> stable = List.of(TopicPattern.amqp("s.#"), TopicPattern.amqp("s.*.x"),
                TopicPattern.amqp("#"), TopicPattern.amqp("s.a.x"), TopicPattern.amqp("#.x.#"),
                TopicPattern.mqtt("s/+/x"), TopicPattern.mqtt("#"));
        for (TopicPattern p : stable) {
            trie.add(p, "stable");
        }
        List<TopicPattern> churn = List.of(TopicPattern.amqp("s.a.x"), TopicPattern.amqp("s.#.x.#"),
                TopicPattern.amqp("*.a.*"), TopicPattern.amqp("s.a.#.#"), TopicPattern.amqp("#.#.x"),
                TopicPattern.mqtt("+/a/#"), TopicPattern.mqtt("s/a/x/#"), TopicPattern.amqp("s.b.x"));
        List<String> key = List.of("s", "a", "x");
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicLong matches = new AtomicLong();
        CountDownLatch started = new CountDownLatch(3);

        Thread writer = new Thread(() -> {
            Random random = new Random(7);
            started.countDown();
            while (!stop.get()) {
                TopicPattern p = churn.get(random.nextInt(churn.size()));
                String v = "churn" + random.nextInt(100); // > 64 values: chunked pair sets too
                if (random.nextBoolean()) {
                    trie.add(p, v);
                } else {
                    trie.remove(p, v);
                }
            }
        });
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            readers.add(new Thread(() -> {
                started.countDown();
                while (!stop.get()) {
                    List<Hits<String>> hits = Hits.of(trie, key);
                    long stableSeen = hits.stream().filter(h -> h.value().equals("stable")).count();
                    if (stableSeen != stable.size()) {
                        failures.add("stable pairs seen " + stableSeen + ": " + hits);
                    }
                    if (hits.size() != hits.stream().distinct().count()) {
                        failures.add("duplicate: " + hits);
                    }
                    matches.incrementAndGet();
                }
            }));
        }
        writer.start();
        readers.forEach(Thread::start);
        started.await();
        Thread.sleep(400);
        stop.set(true);
        writer.join();
        for (Thread t : readers) {
            t.join();
        }
        assertThat(failures).isEmpty();
        assertThat(matches.get()).isPositive();

        for (TopicPattern p : churn) {
            for (int i = 0; i < 100; i++) {
                trie.remove(p, "churn" + i);
            }
        }
        for (TopicPattern p : stable) {
            trie.remove(p, "stable");
        }
        assertThat(trie.isEmpty()).isTrue();
        assertThat(trie.nodeCount()).isZero();
    }
}
