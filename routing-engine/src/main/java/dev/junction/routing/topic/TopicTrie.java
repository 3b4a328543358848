package dev.junction.routing.topic;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * A trie of {@link TopicPattern}s, each bound to values, that finds every (pattern, value) pair matching a
 * topic. It serves AMQP 0-9-1 topic exchanges and MQTT subscriptions alike: wildcards are typed
 * {@link Word}s, never regular expressions or rewritten strings.
 *
 * <h2>Cost</h2>
 * Matching follows only the branches that can match: at each node it looks up the topic word among the
 * literal children (one hash lookup) and follows the {@code ONE} and {@code MANY} children. Its cost
 * depends on the topic's length and on the matching branches, not on the number of unrelated bindings.
 * A common match allocates nothing; a match that enters a {@code MANY} node lying below another
 * {@code MANY} node (patterns such as {@code #.#} or {@code a.#.b.#}) allocates one small table for
 * that call, to report each pair once (see below). Recursion depth is bounded by the longest stored
 * pattern, so callers should cap the number of words a pattern may have.
 *
 * <h2>Exactly once</h2>
 * {@link #match} reports each matching (pattern, value) pair exactly once, even when a pattern can match
 * the topic in several ways ({@code #.#}, {@code #.a.#} against {@code a.a}). The search visits states
 * (node, topic position). A node reached by a literal or {@code ONE} edge has a single predecessor state,
 * and a {@code MANY} node with no {@code MANY} ancestor is entered once, so only {@code MANY} nodes below
 * another {@code MANY} node can be entered twice; for those alone the match remembers, in a small table,
 * that it entered them (by their place in the trie, so that a node unlinked and created again during the
 * match counts as the same node). The depth-first search enters any node at non-decreasing positions
 * (the loops over positions run upwards), and the first entry into a MANY node at position {@code j}
 * visits it at every position from {@code j} on, so a later entry is skipped. Every state is thus
 * visited at most once, and a pair is reported from its one terminal state.
 *
 * <h2>Dollar topics</h2>
 * Patterns that are {@linkplain TopicPattern#excludesDollarTopics() kept from $-topics} (MQTT filters
 * starting with a wildcard, [MQTT-4.7.2-1]) live under a second root that {@link #match} skips for a
 * topic whose first word starts with {@code '$'}; no per-binding check is made.
 *
 * <h2>Concurrency</h2>
 * {@link #match}, {@link #size()} and {@link #isEmpty()} may be called by any number of threads at once,
 * without locking, <em>while</em> one thread adds or removes. {@link #add} and {@link #remove} must not run
 * concurrently with each other: the caller serializes them (one routing-table writer, or a lock held
 * around every mutation); the trie does not check this. Children are held in {@link ConcurrentHashMap}s
 * and volatile fields, and the pairs at a node in immutable snapshots that the writer replaces (see
 * {@link PairSets}), so a reader never sees a half-built node. A match that runs while a pair is added or
 * removed may or may not report that pair; every pair present for the whole match is reported, and no
 * pair is reported twice, even if it is removed and added again during the match. Nodes left empty by
 * {@link #remove} are unlinked at once; a reader still inside one just finds it empty.
 *
 * @param <T> the bound values (queues, subscriptions); compared with {@code equals}
 */
public final class TopicTrie<T> {

    /** Patterns that apply to every topic. */
    private final Node<T> root = new Node<>(false, false, null);
    /** Patterns whose first word is a wildcard and that exclude $-topics [MQTT-4.7.2-1]. */
    private final Node<T> dollarGuardedRoot = new Node<>(false, false, null);

    /** Written by the single writer only; volatile so readers see a recent count. */
    private volatile int size;

    /**
     * Adds the pair (pattern, value).
     *
     * @return {@code false} if the pair was already there (an equal pattern with an equal value)
     */
    public boolean add(TopicPattern pattern, T value) {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(value, "value");
        boolean guarded = pattern.excludesDollarTopics();
        List<Word> words = pattern.words();
        Node<T> node = guarded ? dollarGuardedRoot : root;
        for (int i = 0; i < words.size(); i++) {
            node = node.childOrCreate(words.get(i), guarded, words, i);
        }
        if (!node.addPair(new Pair<>(pattern, value))) {
            return false;
        }
        size++; // single writer
        return true;
    }

    /**
     * Removes the pair (pattern, value) and unlinks the nodes it leaves empty.
     *
     * @return {@code false} if the pair was not there
     */
    public boolean remove(TopicPattern pattern, T value) {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(value, "value");
        List<Word> words = pattern.words();
        @SuppressWarnings("unchecked")
        Node<T>[] path = (Node<T>[]) new Node<?>[words.size() + 1];
        path[0] = pattern.excludesDollarTopics() ? dollarGuardedRoot : root;
        for (int i = 0; i < words.size(); i++) {
            path[i + 1] = path[i].child(words.get(i));
            if (path[i + 1] == null) {
                return false;
            }
        }
        if (!path[words.size()].removePair(new Pair<>(pattern, value))) {
            return false;
        }
        size--; // single writer
        for (int i = words.size(); i > 0 && path[i].isUnused(); i--) {
            path[i - 1].unlinkChild(words.get(i - 1));
        }
        return true;
    }

    /**
     * Reports every (pattern, value) pair whose pattern matches the topic, each exactly once, in no
     * particular order. Get the words with {@link TopicWords#amqp} or {@link TopicWords#mqtt}.
     *
     * @param topicWords the topic's words; an AMQP topic may have none, an MQTT topic has at least one
     * @param sink       receives each matching pair; it runs on the calling thread and may itself add or
     *                   remove pairs if the caller is the only writer
     */
    public void match(List<String> topicWords, BiConsumer<? super TopicPattern, ? super T> sink) {
        Objects.requireNonNull(topicWords, "topicWords");
        Objects.requireNonNull(sink, "sink");
        ManyVisits visits = walk(root, topicWords, 0, sink, null);
        if (topicWords.isEmpty() || !startsWithDollar(topicWords.get(0))) {
            walk(dollarGuardedRoot, topicWords, 0, sink, visits);
        }
    }

    /** The number of (pattern, value) pairs. */
    public int size() {
        return size;
    }

    /** Whether the trie holds no pair. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** The number of nodes below the two roots; 0 when every pair has been removed. For tests. */
    int nodeCount() {
        int count = 0;
        ArrayDeque<Node<T>> todo = new ArrayDeque<>();
        todo.push(root);
        todo.push(dollarGuardedRoot);
        while (!todo.isEmpty()) {
            Node<T> node = todo.pop();
            Map<String, Node<T>> literals = node.literals;
            if (literals != null) {
                literals.values().forEach(todo::push);
            }
            if (node.one != null) {
                todo.push(node.one);
            }
            if (node.many != null) {
                todo.push(node.many);
            }
            count++;
        }
        return count - 2;
    }

    private static boolean startsWithDollar(String word) {
        return !word.isEmpty() && word.charAt(0) == '$';
    }

    /**
     * Visits the state (node, pos) and everything reachable from it. Returns the visit table, created on
     * the first entry into a MANY node that needs one.
     */
    private static <T> ManyVisits walk(Node<T> node, List<String> words, int pos,
                                       BiConsumer<? super TopicPattern, ? super T> sink, ManyVisits visits) {
        int n = words.size();
        if (pos == n) {
            node.report(sink);
        } else {
            Map<String, Node<T>> literals = node.literals;
            if (literals != null) {
                Node<T> child = literals.get(words.get(pos));
                if (child != null) {
                    visits = walk(child, words, pos + 1, sink, visits);
                }
            }
            Node<T> one = node.one;
            if (one != null) {
                visits = walk(one, words, pos + 1, sink, visits);
            }
        }
        Node<T> many = node.many;
        if (many != null) {
            visits = enterMany(many, words, pos, sink, visits);
        }
        return visits;
    }

    /** Enters a MANY node at position {@code from}: it may then consume any number of words. */
    private static <T> ManyVisits enterMany(Node<T> many, List<String> words, int from,
                                            BiConsumer<? super TopicPattern, ? super T> sink, ManyVisits visits) {
        if (many.dedupeKey != null) {
            if (visits == null) {
                visits = new ManyVisits();
            }
            int earlier = visits.enter(many, from);
            if (earlier != NOT_ENTERED) {
                // The depth-first search enters a node at non-decreasing positions, so the earlier entry
                // already visited (many, k) for every k >= from.
                assert earlier <= from : "MANY node entered at " + from + " after " + earlier;
                return visits;
            }
        }
        for (int k = from, end = words.size(); k <= end; k++) {
            visits = walk(many, words, k, sink, visits);
        }
        return visits;
    }

    /** A bound pair. Equality is the pair's: an equal pattern with an equal value. */
    record Pair<T>(TopicPattern pattern, T value) {
    }

    /**
     * Identifies a MANY node that has a MANY ancestor by its place in the trie (which root, which words
     * lead to it), so that a node unlinked and created again during a match counts as the same node.
     */
    record PathKey(boolean guarded, List<Word> path) {
    }

    static final class Node<T> {
        /** Whether this node is reached by a MANY edge. */
        final boolean isMany;
        /** Whether some proper ancestor is reached by a MANY edge. */
        final boolean belowMany;
        /** Non-null only for a MANY node below another MANY node: the only nodes a match enters twice. */
        final PathKey dedupeKey;
        final int dedupeHash;

        /** Literal children by word; null until the first one. */
        volatile ConcurrentHashMap<String, Node<T>> literals;
        volatile Node<T> one;
        volatile Node<T> many;
        /** The pairs ending here: an immutable snapshot of {@link PairSets}, replaced by the writer. */
        private volatile Object pairs;

        Node(boolean isMany, boolean belowMany, PathKey dedupeKey) {
            this.isMany = isMany;
            this.belowMany = belowMany;
            this.dedupeKey = dedupeKey;
            int h = dedupeKey == null ? 0 : dedupeKey.hashCode();
            this.dedupeHash = h ^ (h >>> 16);
        }

        Node<T> child(Word word) {
            return switch (word.kind()) {
                case LITERAL -> {
                    Map<String, Node<T>> map = literals;
                    yield map == null ? null : map.get(word.literal());
                }
                case ONE -> one;
                case MANY -> many;
            };
        }

        /** Writer only. {@code words.get(index)} is {@code word}; the words before it lead to this node. */
        Node<T> childOrCreate(Word word, boolean guarded, List<Word> words, int index) {
            Node<T> existing = child(word);
            if (existing != null) {
                return existing;
            }
            boolean childIsMany = word.kind() == Word.Kind.MANY;
            boolean childBelowMany = isMany || belowMany;
            PathKey key = childIsMany && childBelowMany
                    ? new PathKey(guarded, List.copyOf(words.subList(0, index + 1)))
                    : null;
            Node<T> child = new Node<>(childIsMany, childBelowMany, key);
            // The child is complete before it is published through a volatile field or the map.
            switch (word.kind()) {
                case LITERAL -> {
                    ConcurrentHashMap<String, Node<T>> map = literals;
                    if (map == null) {
                        map = new ConcurrentHashMap<>(2);
                        map.put(word.literal(), child);
                        literals = map;
                    } else {
                        map.put(word.literal(), child);
                    }
                }
                case ONE -> one = child;
                case MANY -> many = child;
            }
            return child;
        }

        /** Writer only. */
        void unlinkChild(Word word) {
            switch (word.kind()) {
                case LITERAL -> {
                    ConcurrentHashMap<String, Node<T>> map = literals;
                    map.remove(word.literal());
                    if (map.isEmpty()) {
                        literals = null;
                    }
                }
                case ONE -> one = null;
                case MANY -> many = null;
            }
        }

        boolean isUnused() {
            Map<String, Node<T>> map = literals;
            return pairs == null && one == null && many == null && (map == null || map.isEmpty());
        }

        /** Writer only. */
        boolean addPair(Pair<T> pair) {
            Object next = PairSets.add(pairs, pair);
            if (next == PairSets.UNCHANGED) {
                return false;
            }
            pairs = next;
            return true;
        }

        /** Writer only. */
        boolean removePair(Pair<T> pair) {
            Object next = PairSets.remove(pairs, pair);
            if (next == PairSets.UNCHANGED) {
                return false;
            }
            pairs = next;
            return true;
        }

        void report(BiConsumer<? super TopicPattern, ? super T> sink) {
            PairSets.report(pairs, sink);
        }
    }

    private static final int NOT_ENTERED = -1;

    /**
     * For one match: the position at which each MANY-below-MANY node was first entered. An
     * open-addressing table keyed by the node's place in the trie.
     */
    static final class ManyVisits {
        private Node<?>[] nodes = new Node<?>[8];
        private int[] first = new int[8];
        private int count;

        /**
         * Records an entry into {@code node} at {@code from} if it is the first; returns the position of
         * the first entry if there was one before, else {@link #NOT_ENTERED}.
         */
        int enter(Node<?> node, int from) {
            int mask = nodes.length - 1;
            int i = node.dedupeHash & mask;
            for (Node<?> k; (k = nodes[i]) != null; i = (i + 1) & mask) {
                if (k == node || (k.dedupeHash == node.dedupeHash && k.dedupeKey.equals(node.dedupeKey))) {
                    return first[i];
                }
            }
            nodes[i] = node;
            first[i] = from;
            if (++count * 2 > nodes.length) {
                grow();
            }
            return NOT_ENTERED;
        }

        private void grow() {
            Node<?>[] oldNodes = nodes;
            int[] oldFirst = first;
            nodes = new Node<?>[oldNodes.length * 2];
            first = new int[oldNodes.length * 2];
            int mask = nodes.length - 1;
            for (int j = 0; j < oldNodes.length; j++) {
                if (oldNodes[j] != null) {
                    int i = oldNodes[j].dedupeHash & mask;
                    while (nodes[i] != null) {
                        i = (i + 1) & mask;
                    }
                    nodes[i] = oldNodes[j];
                    first[i] = oldFirst[j];
                }
            }
        }
    }
}
