package dev.junction.mqtt;

import dev.junction.config.AclRule;
import dev.junction.config.MqttConfig;
import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Authentication against the configured users, and the vhost permissions an MQTT action needs. Topic rights (the
 * ACL) are the engine's {@code UserRights}, shared with AMQP.
 */
final class Access {
    /** Why a CONNECT was refused; mapped to 3.1.1 and 5 CONNACK codes by the caller. */
    enum Refusal { BAD_CREDENTIALS, NOT_AUTHORIZED }

    record Outcome(UserConfig user, Refusal refusal) {
    }

    private final MqttConfig config;
    private final List<UserConfig> users;

    Access(MqttSettings settings) {
        this.config = settings.mqtt();
        this.users = settings.users();
    }

    /** Completes when {@link #authenticate} can check this password without a slow hash computation. */
    java.util.concurrent.CompletableFuture<Void> prepare(String userName, byte[] password) {
        UserConfig user = userName == null || password == null ? null : find(userName).orElse(null);
        return user == null ? java.util.concurrent.CompletableFuture.completedFuture(null)
                : user.preparePasswordCheck(new String(password, java.nio.charset.StandardCharsets.UTF_8));
    }

    Outcome authenticate(String userName, byte[] password, InetAddress remote) {
        return authenticate(userName, password, remote, null);
    }

    /**
     * {@code certificateIdentity} is the user name from the connection's verified TLS client certificate, or null.
     * A CONNECT without a password on such a connection logs in as that user (as Mosquitto's
     * {@code use_identity_as_username}); a user name in it must then be the same name, since one client may not act
     * as another user. A CONNECT with a password is checked as usual, the certificate then only secures the link.
     * The loopback-only rule always uses the socket's real remote address.
     */
    Outcome authenticate(String userName, byte[] password, InetAddress remote, String certificateIdentity) {
        UserConfig user;
        if (certificateIdentity != null && password == null) {
            if (userName != null && !userName.equals(certificateIdentity)) {
                return new Outcome(null, Refusal.BAD_CREDENTIALS);
            }
            user = find(certificateIdentity).orElse(null);
            if (user == null) {
                return new Outcome(null, Refusal.NOT_AUTHORIZED);
            }
        } else if (userName == null) {
            if (!config.allowAnonymous() || config.anonymousUser().isEmpty()) {
                return new Outcome(null, Refusal.NOT_AUTHORIZED);
            }
            user = find(config.anonymousUser().get()).orElse(null);
            if (user == null) {
                return new Outcome(null, Refusal.NOT_AUTHORIZED);
            }
        } else {
            user = find(userName).orElse(null);
            String pw = password == null ? null : new String(password, java.nio.charset.StandardCharsets.UTF_8);
            if (user == null || !user.checkPassword(pw)) {
                return new Outcome(null, Refusal.BAD_CREDENTIALS);
            }
        }
        if (user.loopbackOnly() && (remote == null || !remote.isLoopbackAddress())) {
            return new Outcome(null, Refusal.NOT_AUTHORIZED);
        }
        if (user.permissionsFor(config.vhost()).isEmpty()) {
            return new Outcome(null, Refusal.NOT_AUTHORIZED);
        }
        return new Outcome(user, null);
    }

    /**
     * The user's vhost permissions, RabbitMQ-style, for what an MQTT action does in the engine: a publish writes
     * to {@code mqtt.exchange}; a subscription reads from it and configures, writes and reads the client's
     * session queue. Checked on top of the topic ACL.
     */
    boolean permits(UserConfig user, AclRule.Action action, String clientId) {
        VhostPermission p = user.permissionsFor(config.vhost()).orElse(null);
        if (p == null) {
            return false;
        }
        String exchange = config.exchange();
        if (action == AclRule.Action.PUBLISH) {
            return p.canWrite(exchange);
        }
        String queue = TopicMapping.sessionQueue(clientId);
        return p.canRead(exchange) && p.canConfigure(queue) && p.canWrite(queue) && p.canRead(queue);
    }

    private Optional<UserConfig> find(String name) {
        return users.stream().filter(u -> u.name().equals(name)).findFirst();
    }
}
