package dev.junction.routing.auth.backend;

import dev.junction.config.UserConfig;
import dev.junction.routing.auth.Refusal;
import java.time.Instant;
import java.util.Optional;

/**
 * A backend's answer to a login. Accepted: the user with its rights (a user from the file, or one made from what
 * an external backend said) and, for credentials that lapse (an access token), when they stop being valid.
 * Rights an external backend decides per request come with it: topic rights ({@link TopicQuestions}, RabbitMQ's
 * topic_path) and rights on exchanges and queues ({@link ResourceQuestions}, RabbitMQ's resource_path). Refused:
 * why, for the log (never sent to the client), and the kind of refusal in the words every protocol logs
 * ({@code refusal}). {@code failed} marks a refusal because the backend could not answer (timeout, unreachable,
 * malformed answer): fail closed, and the next backend is still asked.
 */
public record Verdict(UserConfig user, Optional<Instant> expiresAt, String reason, boolean failed,
        Optional<TopicQuestions> topicQuestions, Optional<ResourceQuestions> resourceQuestions, Refusal refusal) {

    public static Verdict allow(UserConfig user) {
        return new Verdict(user, Optional.empty(), null, false, Optional.empty(), Optional.empty(), null);
    }

    /** Accepted, with topic rights asked per request ({@code topicQuestions}: RabbitMQ's topic_path). */
    public static Verdict allow(UserConfig user, TopicQuestions topicQuestions) {
        return new Verdict(user, Optional.empty(), null, false, Optional.of(topicQuestions), Optional.empty(), null);
    }

    /** Accepted, with whichever of topic and resource rights the backend decides per request. */
    public static Verdict allow(UserConfig user, Optional<TopicQuestions> topicQuestions,
            Optional<ResourceQuestions> resourceQuestions) {
        return new Verdict(user, Optional.empty(), null, false, topicQuestions, resourceQuestions, null);
    }

    public static Verdict allowUntil(UserConfig user, Instant expiresAt) {
        return new Verdict(user, Optional.of(expiresAt), null, false, Optional.empty(), Optional.empty(), null);
    }

    /** Refused for bad credentials. */
    public static Verdict deny(String reason) {
        return deny(Refusal.BAD_CREDENTIALS, reason);
    }

    public static Verdict deny(Refusal refusal, String reason) {
        return new Verdict(null, Optional.empty(), reason, false, Optional.empty(), Optional.empty(), refusal);
    }

    public static Verdict error(String reason) {
        return new Verdict(null, Optional.empty(), reason, true, Optional.empty(), Optional.empty(),
                Refusal.BACKEND_UNAVAILABLE);
    }

    public boolean allowed() {
        return user != null;
    }
}
