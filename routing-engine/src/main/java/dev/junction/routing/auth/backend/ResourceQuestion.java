package dev.junction.routing.auth.backend;

import java.util.Locale;
import java.util.Objects;

/**
 * One question of RabbitMQ's resource_path: may the user take {@code permission} on the exchange or queue
 * {@code name} in {@code vhost}. The default exchange is asked about as {@code amq.default}, as RabbitMQ does.
 */
public record ResourceQuestion(String vhost, Resource resource, String name, Permission permission) {

    /** What is named: RabbitMQ's {@code resource} parameter. */
    public enum Resource {
        EXCHANGE, QUEUE;

        /** As sent: {@code exchange}, {@code queue}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** RabbitMQ's {@code permission} parameter: the three permissions of its access-control model. */
    public enum Permission {
        CONFIGURE, WRITE, READ;

        /** As sent: {@code configure}, {@code write}, {@code read}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ResourceQuestion {
        Objects.requireNonNull(vhost, "vhost");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(permission, "permission");
    }

    /**
     * Whether this asks about a server-named queue ({@code amq.gen-...}; clients cannot declare {@code amq.} names),
     * whose name is random: an answer about it is of use to the operation that asked only.
     */
    public boolean serverNamed() {
        return resource == Resource.QUEUE && name.startsWith(dev.junction.routing.api.ServerQueueName.PREFIX);
    }

    @Override
    public String toString() {
        return permission.wireName() + " on " + resource.wireName() + " '" + name + "' in vhost '" + vhost + "'";
    }
}
