package dev.junction.routing.auth;

import dev.junction.routing.topic.TopicPattern;
import dev.junction.routing.topic.Word;
import java.util.ArrayList;
import java.util.List;

/**
 * MQTT topics seen from AMQP, for authorization: the MQTT adapter publishes topic {@code a/b.c} as routing key
 * {@code a.b/c} ('/' and '.' swap places), so an AMQP routing key on the MQTT exchange is the topic with the swap
 * undone, and a binding key's words are the filter's levels with '/' in them turned back into '.'. Both are judged
 * by the MQTT ACL as if they were MQTT.
 */
public final class MqttTopics {
    private MqttTopics() {
    }

    /** Topics beginning with '$' are the server's [MQTT-4.7.2-1]; no client may publish to one. */
    public static boolean reserved(String topic) {
        return !topic.isEmpty() && topic.charAt(0) == '$';
    }

    /** The MQTT topic an AMQP routing key on the MQTT exchange stands for. */
    public static String fromRoutingKey(String routingKey) {
        char[] c = routingKey.toCharArray();
        for (int i = 0; i < c.length; i++) {
            if (c[i] == '/') {
                c[i] = '.';
            } else if (c[i] == '.') {
                c[i] = '/';
            }
        }
        return new String(c);
    }

    /**
     * The MQTT filter text an AMQP binding key on the MQTT exchange stands for: words become levels, {@code *} is
     * {@code +}, and '/' inside a word turns back into '.'. The inverse of the MQTT adapter's filter mapping.
     */
    public static String toFilter(String bindingKey) {
        StringBuilder sb = new StringBuilder(bindingKey.length());
        String[] words = bindingKey.split("\\.", -1);
        for (int i = 0; i < words.length; i++) {
            if (i > 0) {
                sb.append('/');
            }
            String w = words[i];
            sb.append(w.equals("*") ? "+" : w.equals("#") ? "#" : w.replace('/', '.'));
        }
        return sb.toString();
    }

    /**
     * The MQTT filter an AMQP binding key on the MQTT exchange stands for. It is dollar-protected as an MQTT filter
     * is: no client can publish a '$' topic to the MQTT exchange, so the difference never shows in deliveries, and
     * it keeps {@code #} under an ACL of {@code allow #} fully allowed.
     */
    public static TopicPattern filterFromBindingKey(String bindingKey) {
        List<Word> words = new ArrayList<>();
        for (Word w : TopicPattern.amqp(bindingKey).words()) {
            words.add(w.kind() == Word.Kind.LITERAL ? Word.literal(w.literal().replace('/', '.')) : w);
        }
        return new TopicPattern(words, true);
    }

    /** The levels of a topic name; every level counts, empty ones included. */
    public static List<String> levels(String topic) {
        List<String> out = new ArrayList<>(4);
        int start = 0;
        for (int i = topic.indexOf('/'); i >= 0; i = topic.indexOf('/', start)) {
            out.add(topic.substring(start, i));
            start = i + 1;
        }
        out.add(topic.substring(start));
        return out;
    }
}
