package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import dev.junction.routing.api.ExchangeInfo;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.Vhost;
import dev.junction.routing.auth.UserRights;

/**
 * RabbitMQ's permission model for one authenticated user in one vhost: configure, write and read regexes over
 * exchange and queue names. The default exchange is checked under the name "amq.default", as RabbitMQ does. On top,
 * the engine's topic-level rights ({@link UserRights}): topic permissions, the user's MQTT ACL on the MQTT exchange,
 * and MQTT session queues owned by their user. Every refusal is a channel error 403 ACCESS_REFUSED.
 */
final class AccessControl {
    private final UserConfig user;
    private final String vhost;
    /** The permission at login; for users of the broker's directory {@link UserRights#permission()} is asked. */
    private final VhostPermission permission;
    private final UserRights rights;

    AccessControl(UserConfig user, String vhost, VhostPermission permission, UserRights rights) {
        this.user = user;
        this.vhost = vhost;
        this.permission = permission;
        this.rights = rights;
    }

    /** basic.publish: the routing key against topic permissions and, on the MQTT exchange, the MQTT ACL. */
    void topicWrite(Vhost vh, String exchange, String routingKey, MethodType cause) {
        refuseIf(rights.publishRefusal(exchange, typeOf(vh, exchange), routingKey), cause);
    }

    /** queue.bind, exchange.bind and their unbinds: the binding key, from the source exchange. */
    void topicRead(Vhost vh, String source, String bindingKey, MethodType cause) {
        refuseIf(rights.bindRefusal(source, typeOf(vh, source), bindingKey), cause);
    }

    /** Routing into {@code exchange} by a binding, alternate or dead-letter exchange rather than a publish. */
    void indirectWrite(String exchange, MethodType cause) {
        refuseIf(rights.indirectWriteRefusal(exchange), cause);
    }

    /** Any use of a queue: MQTT session queues belong to their user (and administrators). */
    void queue(String queue, MethodType cause) {
        refuseIf(rights.queueRefusal(queue), cause);
    }

    /** basic.consume, basic.get: as {@link #queue}, and an owner with an MQTT ACL cannot read its session queue. */
    void queueRead(String queue, MethodType cause) {
        refuseIf(rights.queueReadRefusal(queue), cause);
    }

    private static ExchangeType typeOf(Vhost vh, String exchange) {
        return exchange.isEmpty() ? ExchangeType.DIRECT : vh.exchange(exchange).map(ExchangeInfo::type).orElse(null);
    }

    private static void refuseIf(String refusal, MethodType cause) {
        if (refusal != null) {
            throw AmqpException.channel(ReplyCode.ACCESS_REFUSED, refusal, cause);
        }
    }

    void configure(String kind, String name, MethodType cause) {
        if (!current().map(p -> p.canConfigure(resource(kind, name))).orElse(false)) {
            throw refused("configure", kind, name, cause);
        }
    }

    void write(String kind, String name, MethodType cause) {
        if (!current().map(p -> p.canWrite(resource(kind, name))).orElse(false)) {
            throw refused("write", kind, name, cause);
        }
    }

    void read(String kind, String name, MethodType cause) {
        if (!current().map(p -> p.canRead(resource(kind, name))).orElse(false)) {
            throw refused("read", kind, name, cause);
        }
    }

    /**
     * The permission now: a permission changed or revoked over the management API or by a reload applies to the
     * next operation, as in RabbitMQ. A user from an external backend keeps what it was granted at login.
     */
    private java.util.Optional<VhostPermission> current() {
        return rights == null ? java.util.Optional.of(permission) : rights.permission();
    }

    String userName() {
        return user.name();
    }

    private static String resource(String kind, String name) {
        return kind.equals("exchange") && name.isEmpty() ? "amq.default" : name;
    }

    private AmqpException refused(String access, String kind, String name, MethodType cause) {
        return AmqpException.channel(ReplyCode.ACCESS_REFUSED, "access to " + kind + " '"
                + resource(kind, name) + "' in vhost '" + vhost + "' refused for user '" + user.name() + "'",
                cause);
    }
}
