package dev.junction.routing.api;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * RabbitMQ's direct reply-to on this node: a client consumes from the pseudo-queue {@value #PSEUDO_QUEUE} without
 * acknowledgements, its requests' {@code reply_to} is rewritten to a unique name under it, and a reply published to
 * the default exchange with that name as routing key goes straight to the consumer, bypassing queues. The AMQP 0-9-1
 * adapter registers each such consumer here as a {@link Target} and delivers a reply itself when the target is on
 * this node (no engine work on that path).
 *
 * <p>In a cluster a name also carries the node that has its target: {@code amq.rabbitmq.reply-to.<node>.<random>},
 * the node id in URL-safe Base64, so that a reply published on another node can go into this node's relay
 * ({@code NodeRelay}, docs/cluster.md "Direct reply-to across nodes"). The random part (96 bits) is what keeps a name
 * unguessable, as alone. The relay hands the reply to {@link #relayed}, which delivers it to the target registered
 * under that exact name in the relay's own vhost, or drops it. Alone a name is {@code amq.rabbitmq.reply-to.<random>}
 * as before, and nothing here changes.
 *
 * <p>A target is registered with its vhost and only a reply published in that vhost reaches it: a name is no way
 * into another vhost. Callable from any thread.
 */
public final class DirectReplies {
    public static final String PSEUDO_QUEUE = "amq.rabbitmq.reply-to";
    public static final String PREFIX = PSEUDO_QUEUE + ".";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

    /** Where replies for one reply-to consumer go; called on any thread, must not block. */
    public interface Target {
        void reply(Message message);
    }

    private record Registered(String vhost, Target target) {
    }

    private final Map<String, Registered> targets = new ConcurrentHashMap<>();
    /** This node's id and its relays' start, set once by a cluster ({@link #throughRelays}); null alone. */
    private volatile String nodeId;
    private volatile String nodeToken;
    private volatile Function<String, CompletableFuture<Void>> relayStarted;

    /** Registers a reply-to consumer of {@code vhost}; returns its unique name. */
    public String register(String vhost, Target target) {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        String token = nodeToken;
        String name = PREFIX + (token == null ? "" : token + ".") + BASE64.encodeToString(id);
        targets.put(name, new Registered(vhost, target));
        return name;
    }

    public void unregister(String name) {
        targets.remove(name);
    }

    /** The target registered under {@code name} in {@code vhost} on this node, or null. */
    public Target target(String vhost, String name) {
        Registered r = targets.get(name);
        return r != null && r.vhost().equals(vhost) ? r.target() : null;
    }

    /**
     * Whether a reply to {@code name} is for another cluster node, whose relay the engine routes it into: a name of
     * this node, a malformed one, or any name alone is not.
     */
    public boolean ofAnotherNode(String name) {
        String self = nodeId;
        String node = self == null ? null : nodeOf(name);
        return node != null && !node.equals(self);
    }

    /**
     * Completes once replies to this node's names of {@code vhost} published on other nodes can reach it (its relay
     * there is consumed): at once alone, or once the relay has started; never exceptionally.
     */
    public CompletableFuture<Void> reachable(String vhost) {
        Function<String, CompletableFuture<Void>> started = relayStarted;
        return started == null ? CompletableFuture.completedFuture(null) : started.apply(vhost);
    }

    /** Hands a reply that another node relayed here to the target of its exact name in {@code vhost}, if any. */
    public boolean relayed(String vhost, Message reply) {
        Target target = reply.exchange().isEmpty() ? target(vhost, reply.routingKey()) : null;
        if (target != null) {
            target.reply(reply);
        }
        return target != null;
    }

    /** The node id a reply-to name carries, or null: none (alone), or not one that was encoded. */
    public static String nodeOf(String name) {
        if (!name.startsWith(PREFIX)) {
            return null;
        }
        int dot = name.indexOf('.', PREFIX.length());
        if (dot <= PREFIX.length()) {
            return null;
        }
        String token = name.substring(PREFIX.length(), dot);
        try {
            String node = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            // Only the one encoding this class makes: bytes that are no UTF-8 do not come back the same.
            return encode(node).equals(token) ? node : null;
        } catch (IllegalArgumentException malformed) {
            return null;
        }
    }

    /** The pseudo-queue itself or a reply-to name under it. */
    public static boolean isReplyToName(String name) {
        return name.equals(PSEUDO_QUEUE) || name.startsWith(PREFIX);
    }

    /**
     * Called once by a cluster before any connection: names now carry {@code nodeId}, and {@link #reachable} waits
     * for {@code relayStarted} of the vhost.
     */
    public void throughRelays(String nodeId, Function<String, CompletableFuture<Void>> relayStarted) {
        this.relayStarted = relayStarted;
        this.nodeToken = encode(nodeId);
        this.nodeId = nodeId;
    }

    private static String encode(String nodeId) {
        return BASE64.encodeToString(nodeId.getBytes(StandardCharsets.UTF_8));
    }
}
