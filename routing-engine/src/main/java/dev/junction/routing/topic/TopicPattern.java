package dev.junction.routing.topic;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An AMQP 0-9-1 topic-exchange binding key or an MQTT topic filter, as a list of typed {@link Word}s.
 *
 * <p>Both dialects share one meaning: a {@link Word.Kind#LITERAL} word matches the equal topic word, a
 * {@link Word.Kind#ONE} word matches exactly one topic word (an empty word too), a {@link Word.Kind#MANY}
 * word matches zero or more topic words. A pattern matches a topic when its words can consume all of
 * the topic's words in order.
 *
 * <p>{@code dollarProtected} carries the MQTT rule [MQTT-4.7.2-1]: a protected pattern whose
 * <em>first</em> word is a wildcard does not match a topic whose first word starts with {@code '$'}
 * ({@code #} and {@code +/monitor/Clients} do not match {@code $SYS/monitor/Clients}, while
 * {@code $SYS/#} does). {@link #mqtt(String)} always sets it, {@link #amqp(String)} never does; it has
 * no effect on a pattern whose first word is a literal. Two patterns with the same words but a
 * different flag are different patterns.
 *
 * @param words           the words, in order; may be empty (the AMQP binding key {@code ""})
 * @param dollarProtected whether the MQTT {@code $}-topic rule applies
 */
public record TopicPattern(List<Word> words, boolean dollarProtected) {

    /** The most bytes an MQTT topic filter may take in UTF-8 [MQTT-4.7.3-3]. */
    static final int MQTT_MAX_UTF8_BYTES = 65_535;

    public TopicPattern {
        words = List.copyOf(Objects.requireNonNull(words, "words"));
    }

    /**
     * Parses an AMQP 0-9-1 topic binding key the way RabbitMQ does: words are separated by {@code '.'};
     * a word that is exactly {@code *} is {@link Word#ONE_WORD}, exactly {@code #} is
     * {@link Word#MANY_WORDS}; every other word, empty ones included, is a literal ({@code "a..b"} has an
     * empty middle word, {@code "a*"} is a literal). {@code #} may appear anywhere and any number of
     * times.
     *
     * <p>The empty key {@code ""} is <b>zero words</b> (RabbitMQ splits {@code <<>>} into {@code []}), not
     * one empty word: binding key {@code ""} matches only routing key {@code ""}, {@code #} matches
     * {@code ""}, {@code *} does not. A non-empty key with {@code n} dots always has {@code n + 1} words,
     * so {@code "."} is two empty words and {@code "a."} is {@code a} followed by an empty word.
     */
    public static TopicPattern amqp(String bindingKey) {
        Objects.requireNonNull(bindingKey, "bindingKey");
        if (bindingKey.isEmpty()) {
            return new TopicPattern(List.of(), false);
        }
        String[] parts = TopicWords.split(bindingKey, '.');
        List<Word> words = new ArrayList<>(parts.length);
        for (String part : parts) {
            words.add(switch (part) {
                case "*" -> Word.ONE_WORD;
                case "#" -> Word.MANY_WORDS;
                default -> Word.literal(part);
            });
        }
        return new TopicPattern(words, false);
    }

    /**
     * Parses an MQTT 3.1.1 / 5.0 topic filter: levels are separated by {@code '/'} and every level is
     * real, empty ones included ({@code "/a"} is the levels {@code ""} and {@code a}); {@code +} is
     * {@link Word#ONE_WORD}, {@code #} is {@link Word#MANY_WORDS}. The result is
     * {@linkplain #dollarProtected() dollar-protected}. Shared-subscription prefixes
     * ({@code $share/group/}) are the caller's to strip.
     *
     * @throws IllegalArgumentException if the filter is empty [MQTT-4.7.3-1], contains U+0000
     *         [MQTT-4.7.3-2], is longer than 65,535 UTF-8 bytes [MQTT-4.7.3-3], has a {@code #} that is not
     *         a whole level or not the last level (3.1.1: [MQTT-4.7.1-2], 5.0: [MQTT-4.7.1-1]), or a
     *         {@code +} that is not a whole level (3.1.1: [MQTT-4.7.1-3], 5.0: [MQTT-4.7.1-2])
     */
    public static TopicPattern mqtt(String filter) {
        Objects.requireNonNull(filter, "filter");
        checkMqttString(filter, "topic filter");
        String[] levels = TopicWords.split(filter, '/');
        List<Word> words = new ArrayList<>(levels.length);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.indexOf('#') >= 0) {
                if (!level.equals("#") || i != levels.length - 1) {
                    throw new IllegalArgumentException(
                            "'#' must be a whole level and the last one [MQTT-4.7.1-2 (3.1.1) / MQTT-4.7.1-1 (5.0)]: "
                                    + filter);
                }
                words.add(Word.MANY_WORDS);
            } else if (level.indexOf('+') >= 0) {
                if (!level.equals("+")) {
                    throw new IllegalArgumentException(
                            "'+' must be a whole level [MQTT-4.7.1-3 (3.1.1) / MQTT-4.7.1-2 (5.0)]: " + filter);
                }
                words.add(Word.ONE_WORD);
            } else {
                words.add(Word.literal(level));
            }
        }
        return new TopicPattern(words, true);
    }

    /** Checks the rules MQTT topic names and filters share: non-empty, no U+0000, at most 65,535 bytes. */
    static void checkMqttString(String s, String what) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("an MQTT " + what + " must not be empty [MQTT-4.7.3-1]");
        }
        if (s.indexOf('\u0000') >= 0) {
            throw new IllegalArgumentException("an MQTT " + what + " must not contain U+0000 [MQTT-4.7.3-2]");
        }
        // A char takes at most 3 UTF-8 bytes (a surrogate pair takes 4 for 2 chars): count only when needed.
        if ((long) s.length() * 3 > MQTT_MAX_UTF8_BYTES
                && s.getBytes(StandardCharsets.UTF_8).length > MQTT_MAX_UTF8_BYTES) {
            throw new IllegalArgumentException(
                    "an MQTT " + what + " must not exceed " + MQTT_MAX_UTF8_BYTES + " UTF-8 bytes [MQTT-4.7.3-3]");
        }
    }

    /** Whether the first word is {@link Word.Kind#ONE} or {@link Word.Kind#MANY}. */
    public boolean startsWithWildcard() {
        return !words.isEmpty() && words.get(0).isWildcard();
    }

    /**
     * Whether [MQTT-4.7.2-1] keeps this pattern away from topics whose first word starts with {@code '$'}:
     * the pattern is dollar-protected and its first word is a wildcard.
     */
    public boolean excludesDollarTopics() {
        return dollarProtected && startsWithWildcard();
    }

    /**
     * Whether this one pattern matches a topic, with the same meaning as a {@link TopicTrie} holding it (the
     * {@code $} rule included). For asking about a single pattern, where building a trie would be waste: the
     * engine uses it to tell which of a queue's bindings a message matches. Costs O(words × topic words) and
     * one small array, whatever the number of {@code MANY} words.
     *
     * @param topicWords the topic's words, from {@link TopicWords#amqp} or {@link TopicWords#mqtt}
     */
    public boolean matches(List<String> topicWords) {
        int n = topicWords.size();
        if (excludesDollarTopics() && n > 0 && !topicWords.get(0).isEmpty() && topicWords.get(0).charAt(0) == '$') {
            return false;
        }
        // reach[t]: the words seen so far can consume exactly the first t topic words. Updated in place: a
        // LITERAL or ONE word moves every reach one place right (so it is walked from the end), a MANY word
        // extends each reach to every later place.
        boolean[] reach = new boolean[n + 1];
        reach[0] = true;
        for (Word w : words) {
            if (w.kind() == Word.Kind.MANY) {
                for (int t = 1; t <= n; t++) {
                    reach[t] |= reach[t - 1];
                }
                continue;
            }
            for (int t = n; t > 0; t--) {
                reach[t] = reach[t - 1] && (w.kind() == Word.Kind.ONE || w.literal().equals(topicWords.get(t - 1)));
            }
            reach[0] = false;
        }
        return reach[n];
    }

    /**
     * The pattern in its dialect's spelling, for diagnostics: {@code a/+/#} when dollar-protected (MQTT),
     * {@code a.*.#} otherwise. Literal words are shown as they are, so the text may not parse back.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(dollarProtected ? "mqtt:" : "amqp:");
        for (int i = 0; i < words.size(); i++) {
            if (i > 0) {
                sb.append(dollarProtected ? '/' : '.');
            }
            Word w = words.get(i);
            sb.append(w.kind() == Word.Kind.ONE && dollarProtected ? "+" : w.toString());
        }
        return sb.toString();
    }
}
