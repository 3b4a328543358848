package dev.junction.mqtt;

import dev.junction.config.UserConfig;
import dev.junction.routing.auth.TopicDecisions;
import dev.junction.routing.auth.UserRights;
import dev.junction.routing.auth.backend.TopicAnswers;
import dev.junction.routing.auth.backend.TopicQuestions;
import dev.junction.routing.auth.backend.Verdict;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What one connection's user may do with topics: the configured rights for its client id (ACL, topic permissions,
 * the '$' rule), with per-topic decisions cached, and the answers of an external backend that decides per request
 * (HTTP topic_path). Owned by the connection's event loop; set once CONNECT is authenticated.
 */
final class TopicRights {
    /**
     * Topics whose read (and publish) decision a connection remembers; a miss costs one pass over the rules. Small,
     * and only short topics are kept, so that a client cycling through topics cannot make it big (at most about
     * 0.3 MB per cache).
     */
    static final int DECISION_CACHE_TOPICS = 1024;
    static final int DECISION_CACHE_TOPIC_CHARS = 128;

    private final MqttServer server;
    /**
     * The user's topic rights for this client id: shared with the user's other clients when its rules do not
     * mention the client id ({@code Authorization.clientRights}), asked for again whenever they changed.
     */
    private UserRights rights;
    /** The user and client id the rights were asked for: what they are asked for again with. */
    private UserConfig user;
    private String clientId;
    /** Read decisions per delivered topic, when the user's ACL restricts reading. */
    private TopicDecisions readable;
    /** Publish decisions per topic (ACL, topic permissions, the '$' rule). */
    private TopicDecisions publishable;
    /** Answers of an external backend about topics (HTTP topic_path); null when the rights are all configured. */
    private TopicAnswers answers;
    /** The will's answer, asked before the CONNECT is handled. */
    private TopicAnswers pending;
    /** The rights' version the decision caches were made for; they are made again when it changes. */
    private long version;

    TopicRights(MqttServer server) {
        this.server = server;
    }

    /** Sets the rights of the authenticated user for this client id. */
    void authorized(UserConfig user, String clientId) {
        this.user = user;
        this.clientId = clientId;
        this.rights = server.engine.authorization().clientRights(user, server.config.vhost(), clientId);
        caches();
    }

    /**
     * Decision caches for the rights as they are now (a reload or an API change may have changed them). Rights that
     * follow the user directory are asked for again first: the change may have made them depend on the client id
     * (then they are this client's own) or no longer (then they are shared).
     */
    private void caches() {
        if (rights.followsDirectory()) {
            rights = server.engine.authorization().clientRights(user, server.config.vhost(), clientId);
        }
        this.version = rights.version();
        this.readable = rights.acl().open() ? null
                : new TopicDecisions(rights::mayRead, DECISION_CACHE_TOPICS, DECISION_CACHE_TOPIC_CHARS);
        this.publishable = rights.topicsRestricted()
                ? new TopicDecisions(this::checkPublish, DECISION_CACHE_TOPICS, DECISION_CACHE_TOPIC_CHARS) : null;
    }

    private void fresh() {
        if (rights != null && rights.version() != version) {
            caches();
        }
    }

    UserRights rights() {
        fresh();
        return rights;
    }

    private boolean checkPublish(String topic) {
        return rights.mayPublishTopic(topic, TopicMapping.toRoutingKey(topic));
    }

    /** Whether this client may publish to {@code topic} (the will included); cached per topic when it costs. */
    boolean mayPublish(String topic) {
        fresh();
        if (answers != null && !answers.allowed("write", TopicMapping.toRoutingKey(topic))) {
            return false;
        }
        return publishable == null ? checkPublish(topic) : publishable.test(topic);
    }

    /** Why a publish to {@code topic} is refused, for the log line: the ACL rule that matched, or what else did. */
    String publishDenial(String topic) {
        String routingKey = TopicMapping.toRoutingKey(topic);
        if (answers != null && !answers.allowed("write", routingKey)) {
            return "refused by the auth service (topic_path)";
        }
        String why = rights.publishDenial(topic, routingKey);
        return why != null ? why : "no write permission on the MQTT exchange";
    }

    /**
     * Whether a message on {@code topic} may be delivered to this client: every delivery (and every retained message
     * sent at SUBSCRIBE) passes the user's read rules for its concrete topic, since a granted wildcard filter may
     * also match denied topics. Decisions are cached per topic; the event loop owns the cache.
     */
    boolean mayRead(String topic) {
        fresh();
        return readable == null || readable.test(topic);
    }

    /** Whether the external backend (if any) lets this client bind with {@code bindingKey} on the MQTT exchange. */
    boolean readAllowed(String bindingKey) {
        return answers == null || answers.allowed("read", bindingKey);
    }

    /** Whether an external backend decides topics per request for this connection. */
    boolean asked() {
        return answers != null;
    }

    /**
     * Asks the backend about the will's topic before the CONNECT is handled; null when there is nothing to ask (no
     * backend questions, no will, or asked already). {@code onLoop} brings the answer back to the event loop, where
     * it is kept before the future completes.
     */
    CompletableFuture<Void> askWill(Verdict verdict, String clientId, String willTopic,
                                    java.util.concurrent.Executor onLoop) {
        if (verdict == null || !verdict.allowed() || verdict.topicQuestions().isEmpty() || willTopic == null
                || pending != null) {
            return null;
        }
        TopicAnswers will = newAnswers(verdict, clientId);
        pending = will;
        return will.ask(List.of(TopicQuestions.key("write", TopicMapping.toRoutingKey(willTopic))))
                .handleAsync((a, e) -> {
                    will.remember(a == null ? Map.of() : a);
                    return null;
                }, onLoop);
    }

    /** Topic rights decided per request by the login's backend, or none (then the configured rights only). */
    void useQuestions(Verdict verdict, String clientId) {
        if (verdict == null || verdict.topicQuestions().isEmpty()) {
            answers = null;
            return;
        }
        answers = pending != null ? pending : newAnswers(verdict, clientId);
        pending = null;
    }

    private TopicAnswers newAnswers(Verdict verdict, String clientId) {
        // RabbitMQ's variable_map for MQTT: client_id, username, vhost.
        return new TopicAnswers(verdict.topicQuestions().get(), server.config.vhost(), server.config.exchange(),
                Map.of("client_id", clientId == null ? "" : clientId, "username", verdict.user().name(),
                        "vhost", server.config.vhost()));
    }

    /** The questions about {@code m}'s topics the backend has not answered yet (empty: it may be handled now). */
    List<String> unanswered(MqttMessage m) {
        List<String> keys = new ArrayList<>();
        if (m instanceof MqttPublishMessage p) {
            String topic = p.variableHeader().topicName();
            if (topic != null && !topic.isEmpty()) { // an aliased topic was asked about when the alias was set
                keys.add(TopicQuestions.key("write", TopicMapping.toRoutingKey(topic)));
            }
        } else if (m instanceof MqttSubscribeMessage sub && sub.payload() != null) {
            for (var t : sub.payload().topicSubscriptions()) {
                String[] share = TopicMapping.shared(t.topicName());
                keys.add(TopicQuestions.key("read", TopicMapping.toBindingKey(share == null ? t.topicName() : share[1])));
            }
        }
        return answers.missing(keys);
    }

    /**
     * Asks the backend {@code questions}; the answers (or their absence: unknown, refused) are kept on the event
     * loop ({@code onLoop}) before the future completes there.
     */
    CompletableFuture<Void> ask(List<String> questions, java.util.concurrent.Executor onLoop) {
        TopicAnswers a = answers;
        return a.ask(questions).handleAsync((got, e) -> {
            a.remember(got == null ? Map.of() : got);
            return null;
        }, onLoop);
    }
}
