package dev.junction.routing;

import dev.junction.routing.api.ServerQueueName;

/** Names the server makes up: a queue declared with an empty name gets {@code amq.gen-} and 128 random bits. */
final class GeneratedNames {
    private GeneratedNames() {
    }

    /** {@code made}'s name: one an adapter made beforehand ({@link ServerQueueName#next()}), or a new one if null. */
    static String queue(ServerQueueName made) {
        return (made != null ? made : ServerQueueName.next()).name();
    }
}
