package dev.junction.routing.auth;

import dev.junction.routing.topic.TopicPattern;
import dev.junction.routing.topic.Word;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reasoning about the sets of topics that {@link TopicPattern}s match, exactly, over both dialects ({@code #}
 * anywhere, empty words, the {@code $} rule [MQTT-4.7.2-1]).
 *
 * <p>Each pattern is a small automaton whose states are positions in its word list (the last position accepts); a
 * {@code MANY} word may be skipped or may consume a word and stay. Topic words fall into finitely many classes
 * that no pattern tells apart: each literal that appears in any pattern, "any other word" and, for the first word
 * only, "any other word starting with {@code $}". Running every pattern on those classes together, breadth first,
 * visits every combination of positions some topic can reach, so a question such as "does a topic matched by the
 * filter exist whose first matching rule denies it" has an exact answer. The number of combinations is capped;
 * past the cap the answer is {@link Coverage#PARTIAL}, which both adapters treat safely.
 */
final class TopicSets {
    /** Combinations explored before giving up; real ACLs need a few dozen. */
    static final int MAX_STATES = 20_000;
    private static final String OTHER = new String("\u0000other");
    private static final String DOLLAR_OTHER = new String("$\u0000other");

    /** A rule as the automaton sees it. */
    record Rule(TopicPattern pattern, boolean allow) {
    }

    private TopicSets() {
    }

    /** Whether {@code pattern} matches the topic made of {@code words} (at least one word). */
    static boolean matches(TopicPattern pattern, List<String> words) {
        List<Word> p = pattern.words();
        if (words.isEmpty() || (pattern.excludesDollarTopics() && words.get(0).startsWith("$"))) {
            return false;
        }
        if (p.size() > 63) {
            return slowMatch(p, 0, words, 0);
        }
        long set = closure(p, 1L);
        for (String w : words) {
            set = step(p, set, w);
            if (set == 0) {
                return false;
            }
        }
        return (set & (1L << p.size())) != 0;
    }

    /**
     * For the topics {@code filter} matches (at least one word), whether their first matching rule allows them; a
     * topic no rule matches is denied.
     */
    static Coverage coverage(TopicPattern filter, List<Rule> rules) {
        // Rules whose leading literal words contradict the filter's can match none of its topics: left out, which
        // for a filter such as sensors/x/# leaves a handful of the rules to run.
        List<Rule> relevant = new ArrayList<>(rules.size());
        for (Rule r : rules) {
            if (!disjointPrefix(filter, r.pattern())) {
                relevant.add(r);
            }
        }
        List<TopicPattern> all = new ArrayList<>(relevant.size() + 1);
        all.add(filter);
        relevant.forEach(r -> all.add(r.pattern()));
        for (TopicPattern p : all) {
            if (p.words().size() > 63) {
                return Coverage.PARTIAL;
            }
        }
        long[] start = new long[all.size()];
        for (int i = 0; i < start.length; i++) {
            start[i] = closure(all.get(i).words(), 1L);
        }
        boolean allowed = false;
        boolean denied = false;
        Set<State> seen = new HashSet<>();
        ArrayDeque<long[]> todo = new ArrayDeque<>();
        // The first word is special ($ rule), so the start state is expanded on its own and never revisited.
        Set<String> firstLetters = letters(all, start);
        firstLetters.add(DOLLAR_OTHER);
        for (String letter : firstLetters) {
            long[] next = new long[start.length];
            boolean dollar = letter.startsWith("$");
            for (int i = 0; i < start.length; i++) {
                TopicPattern p = all.get(i);
                next[i] = dollar && p.excludesDollarTopics() ? 0 : step(p.words(), start[i], letter);
            }
            if (next[0] != 0 && seen.add(new State(next))) {
                todo.add(next);
            }
        }
        while (!todo.isEmpty()) {
            long[] state = todo.poll();
            if ((state[0] & (1L << all.get(0).words().size())) != 0) {
                if (firstMatchAllows(state, all, relevant)) {
                    allowed = true;
                } else {
                    denied = true;
                }
                if (allowed && denied) {
                    return Coverage.PARTIAL;
                }
            }
            if (seen.size() > MAX_STATES) {
                return Coverage.PARTIAL;
            }
            for (String letter : letters(all, state)) {
                long[] next = new long[state.length];
                for (int i = 0; i < state.length; i++) {
                    next[i] = state[i] == 0 ? 0 : step(all.get(i).words(), state[i], letter);
                }
                if (next[0] != 0 && seen.add(new State(next))) {
                    todo.add(next);
                }
            }
        }
        return allowed ? (denied ? Coverage.PARTIAL : Coverage.ALL) : Coverage.NONE;
    }

    /**
     * The topic words worth trying from {@code state}: the literals some pattern expects next, and one word that is
     * none of them. Any other literal behaves exactly like that one, so nothing is missed.
     */
    private static Set<String> letters(List<TopicPattern> all, long[] state) {
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < state.length; i++) {
            List<Word> words = all.get(i).words();
            for (int j = 0; j < words.size(); j++) {
                if ((state[i] & (1L << j)) != 0 && words.get(j).kind() == Word.Kind.LITERAL) {
                    out.add(words.get(j).literal());
                }
            }
        }
        out.add(OTHER);
        return out;
    }

    /** Whether the two patterns differ in a literal word before either has a MANY: then no topic matches both. */
    private static boolean disjointPrefix(TopicPattern a, TopicPattern b) {
        List<Word> x = a.words();
        List<Word> y = b.words();
        for (int i = 0; i < x.size() && i < y.size(); i++) {
            Word p = x.get(i);
            Word q = y.get(i);
            if (p.kind() == Word.Kind.MANY || q.kind() == Word.Kind.MANY) {
                return false;
            }
            if (p.kind() == Word.Kind.LITERAL && q.kind() == Word.Kind.LITERAL && !p.literal().equals(q.literal())) {
                return true;
            }
        }
        return false;
    }

    /** A combination of positions, as a hash key. */
    private record State(long[] sets) {
        @Override
        public boolean equals(Object o) {
            return o instanceof State other && Arrays.equals(sets, other.sets);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(sets);
        }
    }

    private static boolean firstMatchAllows(long[] state, List<TopicPattern> all, List<Rule> rules) {
        for (int r = 0; r < rules.size(); r++) {
            if ((state[r + 1] & (1L << all.get(r + 1).words().size())) != 0) {
                return rules.get(r).allow();
            }
        }
        return false; // no rule matches: denied
    }

    /** The positions reachable from {@code set} by consuming topic word {@code w}, closed over skipped MANYs. */
    private static long step(List<Word> p, long set, String w) {
        long next = 0;
        for (int i = 0; i < p.size(); i++) {
            if ((set & (1L << i)) == 0) {
                continue;
            }
            Word word = p.get(i);
            switch (word.kind()) {
                case LITERAL -> {
                    if (word.literal().equals(w)) {
                        next |= 1L << (i + 1);
                    }
                }
                case ONE -> next |= 1L << (i + 1);
                case MANY -> next |= 1L << i;
            }
        }
        return closure(p, next);
    }

    private static long closure(List<Word> p, long set) {
        for (int i = 0; i < p.size(); i++) {
            if ((set & (1L << i)) != 0 && p.get(i).kind() == Word.Kind.MANY) {
                set |= 1L << (i + 1);
            }
        }
        return set;
    }

    private static boolean slowMatch(List<Word> p, int i, List<String> words, int j) {
        if (i == p.size()) {
            return j == words.size();
        }
        Word w = p.get(i);
        return switch (w.kind()) {
            case MANY -> slowMatch(p, i + 1, words, j) || (j < words.size() && slowMatch(p, i, words, j + 1));
            case ONE -> j < words.size() && slowMatch(p, i + 1, words, j + 1);
            case LITERAL -> j < words.size() && w.literal().equals(words.get(j)) && slowMatch(p, i + 1, words, j + 1);
        };
    }
}
