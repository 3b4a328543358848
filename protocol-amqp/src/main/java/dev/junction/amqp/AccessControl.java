package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;

/**
 * RabbitMQ's permission model for one authenticated user in one vhost: configure, write and read regexes over
 * exchange and queue names. The default exchange is checked under the name "amq.default", as RabbitMQ does.
 */
final class AccessControl {
    private final UserConfig user;
    private final String vhost;
    private final VhostPermission permission;

    AccessControl(UserConfig user, String vhost, VhostPermission permission) {
        this.user = user;
        this.vhost = vhost;
        this.permission = permission;
    }

    void configure(String kind, String name, int classId, int methodId) {
        if (!permission.canConfigure(resource(kind, name))) {
            throw refused("configure", kind, name, classId, methodId);
        }
    }

    void write(String kind, String name, int classId, int methodId) {
        if (!permission.canWrite(resource(kind, name))) {
            throw refused("write", kind, name, classId, methodId);
        }
    }

    void read(String kind, String name, int classId, int methodId) {
        if (!permission.canRead(resource(kind, name))) {
            throw refused("read", kind, name, classId, methodId);
        }
    }

    String userName() {
        return user.name();
    }

    private static String resource(String kind, String name) {
        return kind.equals("exchange") && name.isEmpty() ? "amq.default" : name;
    }

    private AmqpException refused(String access, String kind, String name, int classId, int methodId) {
        return AmqpException.channel(ReplyCode.ACCESS_REFUSED, "access to " + kind + " '"
                + resource(kind, name) + "' in vhost '" + vhost + "' refused for user '" + user.name() + "'",
                classId, methodId);
    }
}
