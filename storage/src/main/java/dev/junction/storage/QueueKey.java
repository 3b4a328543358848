package dev.junction.storage;

import java.util.Objects;

/** Names one queue across the whole broker: queues are unique per virtual host. */
public record QueueKey(String vhost, String name) {
    public QueueKey {
        Objects.requireNonNull(vhost, "vhost");
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return "queue '" + name + "' in vhost '" + vhost + "'";
    }
}
