package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.MethodType;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import dev.junction.routing.api.ExchangeInfo;
import dev.junction.routing.api.ExchangeType;
import dev.junction.routing.api.ServerQueueName;
import dev.junction.routing.api.Vhost;
import dev.junction.routing.auth.UserRights;
import dev.junction.routing.auth.backend.ResourceAnswers;
import dev.junction.routing.auth.backend.ResourceQuestion;
import dev.junction.routing.auth.backend.TopicAnswers;
import dev.junction.routing.auth.backend.TopicQuestions;
import dev.junction.routing.auth.backend.Verdict;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * RabbitMQ's permission model for one authenticated user in one vhost: configure, write and read regexes over
 * exchange and queue names. The default exchange is checked under the name "amq.default", as RabbitMQ does. On top,
 * the engine's topic-level rights ({@link UserRights}): topic permissions, the user's MQTT ACL on the MQTT exchange,
 * and MQTT session queues owned by their user. Every refusal is a channel error 403 ACCESS_REFUSED.
 *
 * <p>A user whose login backend decides per operation (the HTTP backend's resource_path and topic_path) is asked
 * through it instead of the regexes (resource_path) and in addition to its topic permissions (topic_path, on topic
 * exchanges): a question without an answer stops the method with {@link AnswerPending}, before it changed
 * anything, and the connection handles it again once answered. Event-loop only.
 */
final class AccessControl {
    /** Exchanges whose topic_path answers a connection keeps; a client using more starts again with fewer. */
    private static final int TOPIC_EXCHANGES = 64;

    private final String userName;
    private final String vhost;
    /** The permission at login; for users of the broker's directory {@link UserRights#permission()} is asked. */
    private final VhostPermission permission;
    private final UserRights rights;
    /** resource_path answers, when the login's backend decides per operation; else null. */
    private final ResourceAnswers resources;
    /** topic_path, when the login's backend decides per request; else null. */
    private final TopicQuestions topics;
    private final Map<String, TopicAnswers> topicAnswers = new HashMap<>();
    /**
     * The name made for the server-named queue the method being handled declares: kept until the method is done, so
     * that every pass of it (one per question an auth service answers) declares, and asks about, the same name.
     */
    private ServerQueueName serverName;
    /**
     * The last regex check: the version of the rights and the permission it was made with, what was asked about which
     * resource, the answer.
     */
    private long lastVersion;
    private VhostPermission lastPermission;
    private ResourceQuestion.Permission lastAsked;
    private String lastResource;
    private boolean lastAnswer;

    AccessControl(UserConfig user, String vhost, VhostPermission permission, UserRights rights) {
        this(user, vhost, permission, rights, null);
    }

    /** {@code verdict}: the login's, whose per-request questions (if any) are asked here; may be null. */
    AccessControl(UserConfig user, String vhost, VhostPermission permission, UserRights rights, Verdict verdict) {
        this.userName = user.name();
        this.vhost = vhost;
        this.permission = permission;
        this.rights = rights;
        this.resources = verdict == null ? null : verdict.resourceQuestions().map(ResourceAnswers::new).orElse(null);
        this.topics = verdict == null ? null : verdict.topicQuestions().orElse(null);
    }

    /** basic.publish: the routing key against topic permissions and, on the MQTT exchange, the MQTT ACL. */
    void topicWrite(Vhost vh, String exchange, String routingKey, MethodType cause) {
        // The type decides only whether topic permissions and topic_path apply: without either for this exchange
        // (the common case) the exchange is not looked up once more per message for it.
        ExchangeType type = topics == null && !rights.hasTopicPermission(exchange) ? null : typeOf(vh, exchange);
        refuseIf(rights.publishRefusal(exchange, type, routingKey), cause);
        if (!topicAnswered(exchange, type, "write", routingKey, false)) {
            throw topicRefused("write", routingKey, exchange, cause);
        }
    }

    /**
     * Makes sure topic_path has answered about publishing with {@code routingKey} to {@code exchange} (asking it when
     * not), so that {@link #topicWrite} can decide when the content is complete; called where the method can still
     * be handled again (basic.publish, the content header for CC/BCC keys).
     */
    void askTopicWrite(Vhost vh, String exchange, String routingKey) {
        if (topics != null) { // the publish path pays nothing without topic_path
            topicAnswered(exchange, typeOf(vh, exchange), "write", routingKey, true);
        }
    }

    /** queue.bind, exchange.bind and their unbinds: the binding key, from the source exchange. */
    void topicRead(Vhost vh, String source, String bindingKey, MethodType cause) {
        ExchangeType type = typeOf(vh, source);
        refuseIf(rights.bindRefusal(source, type, bindingKey), cause);
        if (!topicAnswered(source, type, "read", bindingKey, true)) {
            throw topicRefused("read", bindingKey, source, cause);
        }
    }

    /** topic_path's answer (true without topic_path or off topic exchanges); unknown asks when {@code ask}, else no. */
    private boolean topicAnswered(String exchange, ExchangeType type, String permission, String key, boolean ask) {
        if (topics == null || type != ExchangeType.TOPIC) {
            return true;
        }
        TopicAnswers answers = topicAnswers.get(exchange);
        if (answers == null) {
            if (topicAnswers.size() >= TOPIC_EXCHANGES) {
                topicAnswers.clear();
            }
            // RabbitMQ's variable_map for AMQP 0-9-1: username and vhost.
            answers = new TopicAnswers(topics, vhost, exchange, Map.of("username", userName, "vhost", vhost));
            topicAnswers.put(exchange, answers);
        }
        String question = TopicQuestions.key(permission, key);
        if (ask && !answers.missing(List.of(question)).isEmpty()) {
            TopicAnswers a = answers;
            throw new AnswerPending(() -> a.ask(List.of(question)).thenApply(m -> Boolean.TRUE.equals(m.get(question)))
                    .exceptionally(e -> false), allowed -> a.remember(Map.of(question, allowed)));
        }
        return answers.allowed(permission, key);
    }

    private AmqpException topicRefused(String permission, String key, String exchange, MethodType cause) {
        return AmqpException.channel(ReplyCode.ACCESS_REFUSED, permission + " access to topic '" + key
                + "' in exchange '" + exchange + "' in vhost '" + vhost + "' refused for user '" + userName
                + "' by the auth service", cause);
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
        if (!allowed(ResourceQuestion.Permission.CONFIGURE, kind, name)) {
            throw refused("configure", kind, name, cause);
        }
    }

    void write(String kind, String name, MethodType cause) {
        if (!allowed(ResourceQuestion.Permission.WRITE, kind, name)) {
            throw refused("write", kind, name, cause);
        }
    }

    void read(String kind, String name, MethodType cause) {
        if (!allowed(ResourceQuestion.Permission.READ, kind, name)) {
            throw refused("read", kind, name, cause);
        }
    }

    private boolean allowed(ResourceQuestion.Permission p, String kind, String name) {
        String resource = resource(kind, name);
        if (resources != null) {
            return answered(new ResourceQuestion(vhost, kind.equals("exchange") ? ResourceQuestion.Resource.EXCHANGE
                    : ResourceQuestion.Resource.QUEUE, resource, p));
        }
        // A publisher asks about the same exchange with every message: the last answer is kept while the rights are
        // the same version (UserRights#version changes with any change that may touch the permission), without
        // looking the permission up; after a change, the last answer of the same (immutable) permission still is.
        long version = rights == null ? 0 : rights.version();
        if (lastAsked != null && version == lastVersion && p == lastAsked && resource.equals(lastResource)) {
            return lastAnswer;
        }
        VhostPermission v = current().orElse(null);
        if (v == null) {
            return false;
        }
        if (v == lastPermission && p == lastAsked && resource.equals(lastResource)) {
            lastVersion = version;
            return lastAnswer;
        }
        boolean answer = switch (p) {
            case CONFIGURE -> v.canConfigure(resource);
            case WRITE -> v.canWrite(resource);
            case READ -> v.canRead(resource);
        };
        lastVersion = version;
        lastPermission = v;
        lastAsked = p;
        lastResource = resource;
        lastAnswer = answer;
        return answer;
    }

    /** resource_path's answer to {@code q}: known, or asked with the method handled again once answered. */
    private boolean answered(ResourceQuestion q) {
        Optional<Boolean> known = resources.answer(q);
        if (known.isPresent()) {
            return known.get();
        }
        ResourceAnswers answers = resources;
        throw new AnswerPending(() -> answers.ask(q), allowed -> answers.remember(q, allowed));
    }

    /**
     * The name of the server-named queue the method being handled declares: made on its first pass and the same on
     * the passes after (it is handled again after each answer of an auth service), until it is done.
     */
    ServerQueueName serverName() {
        if (serverName == null) {
            serverName = ServerQueueName.next();
        }
        return serverName;
    }

    /** The method that needed answers fetched for it is done (handled or refused). */
    void settled() {
        if (serverName != null) { // called per frame: the field is written only when there is something to drop
            serverName = null;
        }
        if (resources != null) {
            resources.settled();
        }
    }

    /**
     * The permission now: a permission changed or revoked over the management API or by a reload applies to the
     * next operation, as in RabbitMQ; so does a renewed access token's ({@link #renewed}).
     */
    private Optional<VhostPermission> current() {
        return rights == null ? Optional.of(permission) : rights.permission();
    }

    /** connection.update-secret accepted a token naming {@code user} with its own rights: they apply from now. */
    void renewed(UserConfig user) {
        rights.renewed(user);
    }

    String userName() {
        return userName;
    }

    private static String resource(String kind, String name) {
        return kind.equals("exchange") && name.isEmpty() ? "amq.default" : name;
    }

    private AmqpException refused(String access, String kind, String name, MethodType cause) {
        return AmqpException.channel(ReplyCode.ACCESS_REFUSED, "access to " + kind + " '"
                + resource(kind, name) + "' in vhost '" + vhost + "' refused for user '" + userName + "'",
                cause);
    }
}
