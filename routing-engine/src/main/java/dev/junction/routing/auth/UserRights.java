package dev.junction.routing.auth;

import dev.junction.config.AclRule;
import dev.junction.config.TopicPermission;
import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.NodeRelays;
import dev.junction.routing.topic.TopicPattern;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One connection's topic-level rights (or those of every MQTT client of a user whose rules do not depend on the
 * client id, {@link Authorization#clientRights}): its user's MQTT ACL (compiled for its client id) and RabbitMQ-style
 * topic permissions (with {@code {username}}, {@code {vhost}} and {@code {client_id}} filled in), plus the ownership
 * rule for MQTT queues. The rules, the same for both protocols:
 * <ol>
 *   <li>Topic permissions: a publish through a topic exchange for which the user has a topic permission needs
 *       its routing key to match {@code write}; a binding from such an exchange needs its binding key to match
 *       {@code read}. No topic permission for the exchange: no restriction (RabbitMQ's rule).</li>
 *   <li>The MQTT ACL governs the MQTT exchange of the MQTT vhost: AMQP routing keys are judged as the topics they
 *       stand for ({@link MqttTopics}), binding keys as the filters they stand for. MQTT may grant a filter that is
 *       only partly readable (each delivery is then checked, {@link #mayRead}); AMQP, which cannot filter one
 *       reader's deliveries, needs the binding key to be fully readable.</li>
 *   <li>No client publishes to a topic beginning with '$' [MQTT-4.7.2-1]; over AMQP, no routing key beginning
 *       with '$' on the MQTT exchange.</li>
 *   <li>Only administrators route into the MQTT exchange indirectly (exchange-to-exchange binding, alternate or
 *       dead-letter exchange), where no routing key could be checked; nobody into an exchange for which they
 *       have topic permissions. CC and BCC keys are checked as routing keys by the adapter.</li>
 *   <li>An MQTT session queue is usable over AMQP only by its owner and administrators, and readable by its owner
 *       only when no ACL rule restricts it (deliveries are checked against the ACL by the MQTT adapter only); a
 *       shared-subscription queue is usable only by administrators.</li>
 * </ol>
 * Regular expressions are compiled once per connection and exchange. Variable values are quoted, so a user name
 * with regex characters cannot widen an expression.
 */
public final class UserRights {
    private static final Pattern VARIABLES = Pattern.compile("\\{(username|vhost|client_id)}");
    private static final Pattern NOTHING = Pattern.compile("(?!)");

    /** One version of the user's rights; replaced when the user directory changed since. */
    private record State(long generation, UserConfig user, TopicAcl acl, Map<String, Pattern[]> compiled) {
    }

    private final Authorization authorization;
    private final Users users;
    /** Whether the user is the directory's, whose rights follow its changes (not a backend-made user). */
    private final boolean live;
    private final String vhost;
    private final String clientId;
    private volatile State state;
    /** How many times {@link #renewed} replaced the rights: part of {@link #version()}. */
    private volatile long renewals;

    UserRights(Authorization authorization, Users users, UserConfig user, String vhost, String clientId) {
        this.authorization = authorization;
        this.users = users;
        this.live = users.issued(user);
        this.vhost = vhost;
        this.clientId = clientId;
        this.state = new State(users.generation(), user, TopicAcl.of(user.acl(), user.name(), clientId),
                new ConcurrentHashMap<>());
    }

    /**
     * Whether {@code user}'s rules in {@code vhost} depend on the client id: an ACL rule with {@code %c}, or a topic
     * permission with {@code {client_id}}. Rights without either are the same for every client of the user.
     */
    static boolean mentionsClientId(UserConfig user, String vhost) {
        for (AclRule rule : user.acl()) {
            if (rule.topic().contains("%c")) {
                return true;
            }
        }
        for (TopicPermission t : user.topicPermissions().getOrDefault(vhost, List.of())) {
            if (t.write().contains("{client_id}") || t.read().contains("{client_id}")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether these rights follow the broker's user directory (its users' rights change with it); false for a user
     * an external backend made, whose rights change only by {@link #renewed}.
     */
    public boolean followsDirectory() {
        return live;
    }

    /**
     * The rights as they are now: a change to the user (a permission revoked over the API, a reload of the file)
     * applies to the next check, as RabbitMQ applies a changed permission to the next operation of a channel.
     */
    private State state() {
        State s = state;
        if (!live) {
            return s;
        }
        long now = users.generation();
        if (s.generation() == now) {
            return s;
        }
        UserConfig current = users.current(s.user());
        s = new State(now, current, current.equals(s.user()) ? s.acl() : TopicAcl.of(current.acl(), current.name(),
                clientId), current.equals(s.user()) ? s.compiled() : new ConcurrentHashMap<>());
        state = s;
        return s;
    }

    /**
     * The user as these rights know it now: the directory's current version of it (a revoked user has no
     * permissions), or the rights of its renewed credentials ({@link #renewed}).
     */
    public UserConfig user() {
        return state().user();
    }

    /**
     * Replaces the rights of a user an external backend made with {@code renewed}, the same user with the rights of
     * renewed credentials (an access token with other scopes, AMQP connection.update-secret): the next check uses
     * them. A user of the broker's directory follows the directory instead, and is left as it is.
     */
    public void renewed(UserConfig renewed) {
        if (!live) {
            state = new State(users.generation(), renewed, TopicAcl.of(renewed.acl(), renewed.name(), clientId),
                    new ConcurrentHashMap<>());
            renewals++; // written by the connection's own thread only
        }
    }

    /** The user's permission in this vhost now; empty once revoked or the user deleted. */
    public java.util.Optional<dev.junction.config.VhostPermission> permission() {
        return user().permissionsFor(vhost);
    }

    /** A number that changes whenever these rights may have changed (for callers that cache decisions). */
    public long version() {
        // Both only grow, so the sum changes whenever either does.
        return state().generation() + renewals;
    }

    public TopicAcl acl() {
        return state().acl();
    }

    /** Whether an ACL or a topic permission on the MQTT exchange restricts this user (checks then cost something). */
    public boolean topicsRestricted() {
        Authorization.MqttEndpoint m = authorization.mqttEndpoint();
        return !acl().open() || (m != null && user().topicPermission(vhost, m.exchange()).isPresent());
    }

    // ---- MQTT --------------------------------------------------------------------------------------------------

    /** An MQTT PUBLISH (or will) to {@code topic}, whose routing key is {@code routingKey}. */
    public boolean mayPublishTopic(String topic, String routingKey) {
        Authorization.MqttEndpoint m = authorization.mqttEndpoint();
        String exchange = m == null ? null : m.exchange();
        return !MqttTopics.reserved(topic) && acl().mayPublish(topic)
                && (exchange == null || topicPermits(exchange, routingKey, 0));
    }

    /**
     * Why an MQTT PUBLISH to {@code topic} is refused by these rights, in {@link Refusal}'s words for the log: the
     * '$' rule, the ACL rule that matched, or the topic permission; null when these rights allow it (another check,
     * such as the vhost permission or an auth service, refused it).
     */
    public String publishDenial(String topic, String routingKey) {
        if (MqttTopics.reserved(topic)) {
            return "'" + topic + "' is a reserved '$' topic";
        }
        if (!acl().mayPublish(topic)) {
            return Refusal.ACL_RULE.because(acl().publishRule(topic));
        }
        Authorization.MqttEndpoint m = authorization.mqttEndpoint();
        if (m != null && !topicPermits(m.exchange(), routingKey, 0)) {
            return "the topic permission on exchange '" + m.exchange() + "' does not match routing key '" + routingKey
                    + "'";
        }
        return null;
    }

    /** An MQTT SUBSCRIBE to {@code filter} (shared prefix removed), bound with {@code bindingKey}. */
    public Coverage subscribe(TopicPattern filter, String bindingKey) {
        Authorization.MqttEndpoint m = authorization.mqttEndpoint();
        if (m != null && !topicPermits(m.exchange(), bindingKey, 1)) {
            return Coverage.NONE;
        }
        return acl().subscribe(filter);
    }

    /**
     * {@link #subscribe(TopicPattern, String)} for a filter as the client sent it (shared prefix removed), for an
     * adapter that does not see the engine's topic types.
     *
     * @throws IllegalArgumentException when {@code mqttFilter} is not a valid MQTT filter
     */
    public Coverage subscribe(String mqttFilter, String bindingKey) {
        return subscribe(TopicPattern.mqtt(mqttFilter), bindingKey);
    }

    /** Whether a message on {@code topic} may be delivered to this MQTT client (its ACL's read rules). */
    public boolean mayRead(String topic) {
        return acl().mayRead(topic);
    }

    // ---- AMQP --------------------------------------------------------------------------------------------------

    /** Why a basic.publish to {@code exchange} with {@code routingKey} is refused, or null when it is not. */
    public String publishRefusal(String exchange, ExchangeType type, String routingKey) {
        if (exchange.isEmpty()) {
            // The default exchange routes to the queue named by the key: no writing into another's MQTT session.
            return queueRefusal(routingKey);
        }
        if (type == ExchangeType.TOPIC && !topicPermits(exchange, routingKey, 0)) {
            return "write access to topic '" + routingKey + "' in exchange '" + exchange + "' in vhost '" + vhost
                    + "' refused for user '" + user().name() + "'";
        }
        if (mqttExchange(exchange)) {
            String topic = MqttTopics.fromRoutingKey(routingKey);
            if (MqttTopics.reserved(topic)) {
                return "routing key '" + routingKey + "' on exchange '" + exchange + "' is a reserved '$' topic";
            }
            if (!acl().mayPublish(topic)) {
                return "the MQTT ACL of user '" + user().name() + "' refuses publishing to topic '" + topic + "' ("
                        + Refusal.ACL_RULE.because(acl().publishRule(topic)) + ")";
            }
        }
        return null;
    }

    /**
     * Why a binding from {@code source} with {@code bindingKey} (queue.bind, exchange.bind and their unbinds) is
     * refused, or null.
     */
    public String bindRefusal(String source, ExchangeType type, String bindingKey) {
        if (type == ExchangeType.TOPIC && !topicPermits(source, bindingKey, 1)) {
            return "read access to topic '" + bindingKey + "' in exchange '" + source + "' in vhost '" + vhost
                    + "' refused for user '" + user().name() + "'";
        }
        if (mqttExchange(source) && !acl().open()) {
            if (type != ExchangeType.TOPIC
                    || acl().subscribe(MqttTopics.filterFromBindingKey(bindingKey)) != Coverage.ALL) {
                return "the MQTT ACL of user '" + user().name() + "' does not allow every topic binding key '"
                        + bindingKey + "' matches";
            }
        }
        return null;
    }

    /**
     * Why routing into {@code exchange} other than by a checked publish (as the destination of an exchange
     * binding, an alternate or a dead-letter exchange) is refused, or null.
     */
    public String indirectWriteRefusal(String exchange) {
        // A routing key that arrives by such a route was checked, if at all, against another exchange: the '$' rule,
        // the MQTT ACL and the topic permissions of this one would not apply to it. Only administrators (trusted,
        // docs/security.md) may route into the MQTT exchange so; nobody into an exchange their topic permissions
        // restrict.
        if (mqttExchange(exchange) && !user().isAdministrator()) {
            return "only administrators may route into exchange '" + exchange + "' in vhost '" + vhost
                    + "' (the MQTT exchange) except by publishing to it; user '" + user().name() + "' is not one";
        }
        if (!exchange.isEmpty() && user().topicPermission(vhost, exchange).isPresent()) {
            return "user '" + user().name() + "' has topic permissions on exchange '" + exchange + "' in vhost '"
                    + vhost + "' and cannot route into it except by publishing to it";
        }
        return null;
    }

    /**
     * Why using {@code queue} over AMQP (consume, get, purge, bind, delete, declare, publish through the default
     * exchange) is refused, or null.
     */
    public String queueRefusal(String queue) {
        if (NodeRelays.isRelay(queue)) {
            // A cluster node's relay holds what other nodes route to this node's queues, replies to other users'
            // direct reply-to names and exclusive queues among them: no client reads, empties, binds, deletes or
            // writes it, administrators included (docs/cluster.md, "Queues of one node").
            return "queue '" + queue + "' in vhost '" + vhost + "' is a cluster node's relay, used by the broker only";
        }
        Authorization.MqttEndpoint m = authorization.mqttEndpoint();
        if (m == null || !m.vhost().equals(vhost) || user().isAdministrator()) {
            return null;
        }
        if (queue.startsWith(m.sessionPrefix())) {
            String owner = authorization.owner(queue).orElse(null);
            if (!user().name().equals(owner)) {
                return "queue '" + queue + "' in vhost '" + vhost + "' is an MQTT session of another user";
            }
        } else if (queue.startsWith(m.sharePrefix())) {
            return "queue '" + queue + "' in vhost '" + vhost + "' is an MQTT shared subscription";
        }
        return null;
    }

    /**
     * Why reading {@code queue} over AMQP (basic.consume, basic.get) is refused, or null: {@link #queueRefusal}, and
     * for a user with ACL rules, its own session queue too. MQTT grants such a user a partly readable filter (say
     * {@code #} under {@code deny secret/#}) because each delivery is checked, so the queue holds messages the
     * user may not read until the MQTT delivery drops them; an AMQP read would skip that check.
     */
    public String queueReadRefusal(String queue) {
        String refusal = queueRefusal(queue);
        if (refusal != null || acl().open() || user().isAdministrator()) {
            return refusal;
        }
        Authorization.MqttEndpoint m = authorization.mqttEndpoint();
        if (m != null && m.vhost().equals(vhost) && queue.startsWith(m.sessionPrefix())) {
            return "queue '" + queue + "' in vhost '" + vhost + "' is an MQTT session whose messages are checked "
                    + "against the MQTT ACL of user '" + user().name() + "' only when delivered over MQTT";
        }
        return null;
    }

    private boolean mqttExchange(String exchange) {
        Authorization.MqttEndpoint m = authorization.mqttEndpoint();
        return m != null && m.vhost().equals(vhost) && m.exchange().equals(exchange);
    }

    /**
     * Whether a topic permission of this user names {@code exchange}: without one, {@link #publishRefusal} does not
     * need the exchange's type, and a publisher need not look the exchange up for it with every message.
     */
    public boolean hasTopicPermission(String exchange) {
        Pattern[] known = state().compiled().get(exchange);
        // not cached when absent: any name a client publishes to would otherwise stay in the map for the connection
        return known != null ? known.length != 0 : user().topicPermission(vhost, exchange).isPresent();
    }

    /** {@code which}: 0 = write, 1 = read. */
    private boolean topicPermits(String exchange, String key, int which) {
        Pattern[] p = topicPatterns(exchange);
        return p.length == 0 || p[which].matcher(key).find();
    }

    private Pattern[] topicPatterns(String exchange) {
        return state().compiled().computeIfAbsent(exchange, x -> user().topicPermission(vhost, x)
                .map(this::compile).orElse(new Pattern[0]));
    }

    private Pattern[] compile(TopicPermission t) {
        return new Pattern[] {expand(t.write()), expand(t.read())};
    }

    private Pattern expand(String expression) {
        if (expression.isEmpty()) {
            return NOTHING;
        }
        Matcher m = VARIABLES.matcher(expression);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group(1)) {
                case "username" -> user().name();
                case "vhost" -> vhost;
                default -> clientId;
            };
            // Without a client id (AMQP) {client_id} matches nothing.
            m.appendReplacement(sb, Matcher.quoteReplacement(value == null ? "(?!)" : Pattern.quote(value)));
        }
        m.appendTail(sb);
        return Pattern.compile(sb.toString());
    }
}
