package dev.junction.routing.auth;

import dev.junction.config.UserConfig;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The broker-wide authorization model both adapters use, next to RabbitMQ's configure/write/read permissions
 * (checked by each adapter on resource names). It knows:
 * <ul>
 *   <li>which vhost and exchange MQTT lives on, so that a user's MQTT ACL governs routing keys and binding keys on
 *       that exchange whichever protocol the user speaks;</li>
 *   <li>who owns each MQTT session queue: a session belongs to the user who created it, and its queue can be read,
 *       purged, bound or deleted over AMQP only by that user or an administrator;</li>
 *   <li>whom to tell when such a queue was deleted over AMQP, so the MQTT session ends with it.</li>
 * </ul>
 * Per-connection decisions come from {@link #rights}. Thread-safe.
 */
public final class Authorization {
    /** Where the MQTT adapter lives; null until it starts (then nothing is MQTT's). */
    record MqttEndpoint(String vhost, String exchange, String sessionPrefix, String sharePrefix,
                        Consumer<String> onSessionQueueDeleted) {
    }

    private volatile MqttEndpoint mqtt;
    private final Map<String, String> owners = new ConcurrentHashMap<>();
    private final Users users = new Users();
    /** Rights shared by every MQTT client of one directory user whose rules do not mention the client id. */
    private final Map<SharedKey, UserRights> shared = new ConcurrentHashMap<>();

    private record SharedKey(String vhost, String user) {
    }

    /** The broker's users (config file and management API), which logins and rights checks ask. */
    public Users users() {
        return users;
    }

    /**
     * Called by the MQTT adapter at start: its vhost and exchange, the name prefix of its session queues (owned by
     * one user each), of its shared-subscription queues (administrators only over AMQP), and what to do when a
     * session queue is deleted over AMQP ({@code onSessionQueueDeleted} gets the queue name).
     */
    public void mqtt(String vhost, String exchange, String sessionPrefix, String sharePrefix,
                     Consumer<String> onSessionQueueDeleted) {
        this.mqtt = new MqttEndpoint(vhost, exchange, sessionPrefix, sharePrefix, onSessionQueueDeleted);
    }

    /** What {@code user} may do in {@code vhost}; {@code clientId} is the MQTT client id, null over AMQP. */
    public UserRights rights(UserConfig user, String vhost, String clientId) {
        return new UserRights(this, users, user, vhost, clientId);
    }

    /**
     * {@link #rights} for an MQTT client: one object shared by every client of {@code user} in {@code vhost} when its
     * rules cannot differ between them (a user of the broker's directory, whose ACL does not use {@code %c} and whose
     * topic permissions in the vhost do not use {@code {client_id}}), so a fleet of devices logging in as one user
     * holds its rights and their compiled expressions once. Otherwise, as for a user an external backend made (its
     * rights may be renewed per connection), the client's own. The shared object follows the directory as every
     * {@link UserRights} does; a caller that keeps one asks again when {@link UserRights#version()} changed, since a
     * change may make the rules mention the client id.
     */
    public UserRights clientRights(UserConfig user, String vhost, String clientId) {
        UserConfig now = users.current(user); // the login's user as the directory has it now
        // A deleted user's stand-in (allowed nothing) is no directory user: its rights are not kept for others.
        if (!users.issued(user) || !users.issued(now) || UserRights.mentionsClientId(now, vhost)) {
            return rights(now, vhost, clientId);
        }
        return shared.computeIfAbsent(new SharedKey(vhost, user.name()),
                k -> new UserRights(this, users, now, vhost, null));
    }

    /** Records {@code user} as the owner of the session queue {@code queue} (in the MQTT vhost). */
    public void claim(String queue, String user) {
        owners.put(queue, user);
    }

    /** The session queue is gone with its session. */
    public void release(String queue) {
        owners.remove(queue);
    }

    public Optional<String> owner(String queue) {
        return Optional.ofNullable(owners.get(queue));
    }

    /**
     * Whether {@code queue} in {@code vhost} is one of the MQTT adapter's (a session or shared-subscription queue),
     * which nothing reaches through the default exchange except a publish its user may make.
     */
    public boolean mqttQueue(String vhost, String queue) {
        MqttEndpoint m = mqtt;
        return m != null && m.vhost().equals(vhost)
                && (queue.startsWith(m.sessionPrefix()) || queue.startsWith(m.sharePrefix()));
    }

    /** A queue was deleted over AMQP (by a user allowed to); an MQTT session queue takes its session along. */
    public void deletedOverAmqp(String vhost, String queue) {
        MqttEndpoint m = mqtt;
        if (m != null && m.vhost().equals(vhost) && queue.startsWith(m.sessionPrefix())) {
            m.onSessionQueueDeleted().accept(queue);
        }
    }

    /** The vhost the MQTT adapter serves, when it runs. */
    public Optional<String> mqttVhost() {
        MqttEndpoint m = mqtt;
        return m == null ? Optional.empty() : Optional.of(m.vhost());
    }

    MqttEndpoint mqttEndpoint() {
        return mqtt;
    }
}
