package dev.junction.routing.topic;

import java.util.Arrays;
import java.util.List;

/**
 * A brute-force matcher written straight from the rules, with no trie: the oracle for the property
 * tests. It works on the raw strings (with its own splitting) and on word lists.
 */
final class ReferenceMatcher {

    private ReferenceMatcher() {
    }

    /** RabbitMQ topic matching on raw strings: '.' separates words, "" is zero words, '*' one, '#' any. */
    static boolean amqpMatches(String bindingKey, String routingKey) {
        return wordsMatch(amqpWords(bindingKey), 0, amqpWords(routingKey), 0, "*");
    }

    /** MQTT matching on raw strings: '/' separates levels, '+' one, '#' the rest, and the $ rule. */
    static boolean mqttMatches(String filter, String topicName) {
        List<String> f = Arrays.asList(filter.split("/", -1));
        List<String> t = Arrays.asList(topicName.split("/", -1));
        boolean filterStartsWithWildcard = f.get(0).equals("+") || f.get(0).equals("#");
        if (filterStartsWithWildcard && t.get(0).startsWith("$")) {
            return false;
        }
        return wordsMatch(f, 0, t, 0, "+");
    }

    /** Matching on a typed pattern, whatever its dialect. */
    static boolean matches(TopicPattern pattern, List<String> topic) {
        List<Word> words = pattern.words();
        boolean firstIsWildcard = !words.isEmpty() && words.get(0).kind() != Word.Kind.LITERAL;
        if (pattern.dollarProtected() && firstIsWildcard && !topic.isEmpty() && topic.get(0).startsWith("$")) {
            return false;
        }
        String[] asText = new String[words.size()];
        for (int i = 0; i < asText.length; i++) {
            Word w = words.get(i);
            // Tokens that no literal of the generators uses, so they cannot be confused with a literal.
            asText[i] = switch (w.kind()) {
                case LITERAL -> "=" + w.literal();
                case ONE -> "*";
                case MANY -> "#";
            };
        }
        String[] topicText = topic.stream().map(s -> "=" + s).toArray(String[]::new);
        return wordsMatch(Arrays.asList(asText), 0, Arrays.asList(topicText), 0, "*");
    }

    private static List<String> amqpWords(String key) {
        return key.isEmpty() ? List.of() : Arrays.asList(key.split("\\.", -1));
    }

    /** Pattern tokens {@code one} and "#" are wildcards; any other token must equal the topic word. */
    private static boolean wordsMatch(List<String> pattern, int p, List<String> topic, int t, String one) {
        if (p == pattern.size()) {
            return t == topic.size();
        }
        String w = pattern.get(p);
        if (w.equals("#")) {
            for (int k = t; k <= topic.size(); k++) {
                if (wordsMatch(pattern, p + 1, topic, k, one)) {
                    return true;
                }
            }
            return false;
        }
        if (t == topic.size()) {
            return false;
        }
        return (w.equals(one) || w.equals(topic.get(t))) && wordsMatch(pattern, p + 1, topic, t + 1, one);
    }
}
