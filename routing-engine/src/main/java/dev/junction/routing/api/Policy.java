package dev.junction.routing.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A RabbitMQ policy of one vhost: a regular expression ({@code pattern}, searched for anywhere in the name, as
 * RabbitMQ does: anchor it with {@code ^...$} to match whole names), what it applies to, a priority (the highest of
 * the matching policies is the one that applies; at most one applies to an object) and a definition, keys without
 * the {@code x-} prefix of the queue or exchange arguments they stand for ({@code message-ttl},
 * {@code max-length}, {@code alternate-exchange}, ...). The engine checks the definition when the policy is put.
 */
public record Policy(String name, String pattern, PolicyTarget applyTo, int priority, Map<String, Object> definition) {

    public Policy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(applyTo, "applyTo");
        definition = Collections.unmodifiableMap(new LinkedHashMap<>(definition));
    }
}
