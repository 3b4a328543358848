package dev.junction.amqp10;

import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import dev.junction.routing.api.ExchangeInfo;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.Vhost;
import dev.junction.routing.auth.UserRights;
import java.util.Optional;

/**
 * The same permission model as AMQP 0-9-1, for one user in one vhost (docs/security.md): RabbitMQ's configure,
 * write and read regexes over exchange and queue names (the default exchange is {@code amq.default}), and on top
 * the engine's topic-level rights ({@link UserRights}: topic permissions, the MQTT ACL on the MQTT exchange, MQTT
 * session queues owned by their user). Each check runs on every attach, and the routing-key checks on every
 * message; a refusal is {@code amqp:unauthorized-access} on the link.
 *
 * <p>What each operation needs, as in 0-9-1: declaring a queue configure on it; publishing write on the exchange
 * (and the topic rules on the routing key); consuming read on the queue; binding a link's own queue write on the
 * queue and read on the exchange (and the topic rules on the binding key).
 */
final class Access {
    private final UserConfig user;
    private final String vhost;
    /** The permission at login; for users of the broker's directory {@link UserRights#permission()} is asked. */
    private final VhostPermission permission;
    private final UserRights rights;

    Access(UserConfig user, String vhost, VhostPermission permission, UserRights rights) {
        this.user = user;
        this.vhost = vhost;
        this.permission = permission;
        this.rights = rights;
    }

    String userName() {
        return user.name();
    }

    void configureQueue(String queue) {
        if (!current().map(p -> p.canConfigure(queue)).orElse(false)) {
            throw refused("configure", "queue", queue);
        }
        refuseIf(rights == null ? null : rights.queueRefusal(queue));
    }

    /** Publishing through {@code exchange} ("" is the default exchange) with {@code routingKey}. */
    void publish(Vhost vh, String exchange, String routingKey) {
        String resource = exchange.isEmpty() ? "amq.default" : exchange;
        if (!current().map(p -> p.canWrite(resource)).orElse(false)) {
            throw refused("write", "exchange", resource);
        }
        if (routingKey != null && rights != null) {
            refuseIf(rights.publishRefusal(exchange, typeOf(vh, exchange), routingKey));
        }
    }

    void consume(String queue) {
        if (!current().map(p -> p.canRead(queue)).orElse(false)) {
            throw refused("read", "queue", queue);
        }
        refuseIf(rights == null ? null : rights.queueReadRefusal(queue));
    }

    void bind(Vhost vh, String exchange, String bindingKey, String queue) {
        if (!current().map(p -> p.canWrite(queue)).orElse(false)) {
            throw refused("write", "queue", queue);
        }
        if (!current().map(p -> p.canRead(exchange)).orElse(false)) {
            throw refused("read", "exchange", exchange);
        }
        refuseIf(rights == null ? null : rights.bindRefusal(exchange, typeOf(vh, exchange), bindingKey));
    }

    /**
     * Declaring or deleting an exchange: configure on it; with an alternate exchange also, as 0-9-1's
     * exchange.declare, read on it and write on the alternate, which must take indirect writes.
     */
    void configureExchange(String exchange, String alternate) {
        if (!current().map(p -> p.canConfigure(exchange)).orElse(false)) {
            throw refused("configure", "exchange", exchange);
        }
        if (alternate != null) {
            if (!current().map(p -> p.canRead(exchange)).orElse(false)) {
                throw refused("read", "exchange", exchange);
            }
            if (!current().map(p -> p.canWrite(alternate)).orElse(false)) {
                throw refused("write", "exchange", alternate);
            }
            refuseIf(rights == null ? null : rights.indirectWriteRefusal(alternate));
        }
    }

    /** A queue with a dead-letter exchange, as 0-9-1: dead-lettering reads the queue and writes to the exchange. */
    void deadLetter(String queue, String exchange) {
        if (!current().map(p -> p.canRead(queue)).orElse(false)) {
            throw refused("read", "queue", queue);
        }
        if (!current().map(p -> p.canWrite(exchange)).orElse(false)) {
            throw refused("write", "exchange", exchange);
        }
        refuseIf(rights == null ? null : rights.indirectWriteRefusal(exchange));
    }

    /**
     * Reading a queue's state, as 0-9-1's passive queue.declare: no permission, but an MQTT session queue is its
     * owner's (and administrators').
     */
    void inspect(String queue) {
        refuseIf(rights == null ? null : rights.queueRefusal(queue));
    }

    /** Purging a queue, as 0-9-1's queue.purge: read on it. */
    void purge(String queue) {
        if (!current().map(p -> p.canRead(queue)).orElse(false)) {
            throw refused("read", "queue", queue);
        }
        refuseIf(rights == null ? null : rights.queueRefusal(queue));
    }

    /**
     * An exchange-to-exchange binding, as 0-9-1's exchange.bind: write on the destination, read on the source, the
     * topic rules on the key, and the destination must be one this user may route into indirectly.
     */
    void bindExchange(Vhost vh, String source, String bindingKey, String destination) {
        if (!current().map(p -> p.canWrite(destination)).orElse(false)) {
            throw refused("write", "exchange", destination);
        }
        if (!current().map(p -> p.canRead(source)).orElse(false)) {
            throw refused("read", "exchange", source);
        }
        if (rights != null) {
            refuseIf(rights.bindRefusal(source, typeOf(vh, source), bindingKey));
            refuseIf(rights.indirectWriteRefusal(destination));
        }
    }

    /**
     * The permission now: a permission changed or revoked over the management API or by a reload applies to the
     * next attach, as in RabbitMQ. A user from an external backend keeps what it was granted at login.
     */
    private Optional<VhostPermission> current() {
        return rights == null ? Optional.of(permission) : rights.permission();
    }

    private static ExchangeType typeOf(Vhost vh, String exchange) {
        return exchange.isEmpty() ? ExchangeType.DIRECT : vh.exchange(exchange).map(ExchangeInfo::type).orElse(null);
    }

    private static void refuseIf(String refusal) {
        if (refusal != null) {
            throw Refusal.link(Condition.UNAUTHORIZED_ACCESS, refusal);
        }
    }

    private Refusal refused(String access, String kind, String name) {
        return Refusal.link(Condition.UNAUTHORIZED_ACCESS, access + " access to " + kind + " '" + name
                + "' in vhost '" + vhost + "' refused for user '" + user.name() + "'");
    }
}
