package dev.junction.routing.topic;

import java.util.Objects;

/**
 * One word (AMQP) or level (MQTT) of a {@link TopicPattern}.
 *
 * <p>Wildcards are typed: a pattern word is either a literal, {@link Kind#ONE} (AMQP {@code *}, MQTT
 * {@code +}) or {@link Kind#MANY} (AMQP {@code #}, MQTT {@code #}). A literal word may be empty and may
 * contain any characters, including {@code *}, {@code +} or {@code #} when they do not make up the whole
 * word (AMQP {@code "a*"} is the literal word {@code a*}).
 *
 * @param kind    what the word matches
 * @param literal the text of a {@link Kind#LITERAL} word; {@code null} for the two wildcards
 */
public record Word(Kind kind, String literal) {

    /** What a pattern word matches in a topic. */
    public enum Kind {
        /** Exactly the topic word equal to {@link Word#literal()}. */
        LITERAL,
        /** Exactly one topic word, whatever it is (including an empty word). */
        ONE,
        /** Zero or more topic words. */
        MANY
    }

    /** The single-word wildcard: AMQP {@code *}, MQTT {@code +}. */
    public static final Word ONE_WORD = new Word(Kind.ONE, null);

    /** The multi-word wildcard: AMQP {@code #}, MQTT {@code #}. Matches zero or more words. */
    public static final Word MANY_WORDS = new Word(Kind.MANY, null);

    public Word {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.LITERAL) != (literal != null)) {
            throw new IllegalArgumentException(
                    kind == Kind.LITERAL ? "a literal word needs its text" : "a wildcard word has no text");
        }
    }

    /** A word that matches exactly {@code text}. */
    public static Word literal(String text) {
        return new Word(Kind.LITERAL, Objects.requireNonNull(text, "text"));
    }

    /** Whether this word is {@link Kind#ONE} or {@link Kind#MANY}. */
    public boolean isWildcard() {
        return kind != Kind.LITERAL;
    }

    /** The literal text, or {@code *} / {@code #} for the wildcards (for diagnostics only). */
    @Override
    public String toString() {
        return switch (kind) {
            case LITERAL -> literal;
            case ONE -> "*";
            case MANY -> "#";
        };
    }
}
