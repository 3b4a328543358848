package dev.junction.routing.api;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One virtual host, as a protocol adapter uses it: definitions (exchanges, queues, bindings), publishing,
 * consuming and polling, and the answers a protocol owes its client about them. Every method may be called from
 * any thread; none blocks on a queue (answers that need one come as futures, complete on an engine thread).
 *
 * <p>{@code owner} is the calling connection (any object, compared by identity): an exclusive queue belongs to
 * the connection that declared it, others get {@link ErrorKind#RESOURCE_LOCKED}, and it is deleted by
 * {@link #ownerClosed}. Refusals are {@link BrokerException}s whose {@link ErrorKind} maps onto the protocol's
 * codes (AMQP reply codes, MQTT reason codes).
 */
public interface Vhost {

    String name();

    // ---- exchanges ----------------------------------------------------------------------------------------------

    /** {@code exchange.declare}; passive only checks that it exists ({@code NOT_FOUND} otherwise). */
    ExchangeInfo declareExchange(ExchangeSpec spec, boolean passive);

    /** {@code exchange.delete}; with {@code ifUnused}, refused while it has bindings from it. */
    void deleteExchange(String exchange, boolean ifUnused);

    Optional<ExchangeInfo> exchange(String exchange);

    /**
     * Makes the topic exchange {@code exchange} a protocol's topic space with MQTT's '$' rule for every binding, AMQP
     * ones included: a leading wildcard never matches a routing key whose first word starts with '$'
     * [MQTT-4.7.2-1]. The MQTT adapter calls it for its exchange, so that an AMQP {@code #} binding reads what an MQTT
     * {@code #} subscription reads, and the broker's {@code $SYS} topics only by name. No effect on other types.
     */
    void useMqttTopicRules(String exchange);

    /** The bindings whose source is {@code exchange}; empty when there is no such exchange. */
    List<Binding> bindingsFrom(String exchange);

    /**
     * The bindings that lead into {@code queue}, from any exchange: O(those bindings), not O(every binding of the
     * vhost) as filtering {@link #bindingsFrom} would be (an MQTT session rebuilt from its queue's bindings among
     * 100k others). Empty when there is no such queue.
     */
    List<Binding> bindingsTo(String queue);

    // ---- queues -------------------------------------------------------------------------------------------------

    /**
     * {@code queue.declare}: an empty name gets a server-generated one; passive only checks that a usable queue
     * exists. {@code beforeCreate} runs with the final name before a new queue is made, for permission checks on
     * names the adapter cannot know in advance; it may throw to refuse.
     */
    QueueInfo declareQueue(QueueSpec spec, Object owner, boolean passive, Consumer<String> beforeCreate);

    /**
     * A non-passive {@code queue.declare} of a server-named queue ({@code spec} without a name) that gets
     * {@code name}: the adapter made the name beforehand, so that a declaration it handles twice (the first pass
     * stopped by {@code beforeCreate} to ask an auth service about the name) creates the queue it asked about.
     */
    QueueInfo declareQueue(QueueSpec spec, ServerQueueName name, Object owner, Consumer<String> beforeCreate);

    default QueueInfo declareQueue(QueueSpec spec, Object owner, boolean passive) {
        return declareQueue(spec, owner, passive, name -> { });
    }

    /** Completes with the number of messages the queue held. */
    CompletableFuture<Integer> deleteQueue(String queue, boolean ifUnused, boolean ifEmpty, Object owner);

    /** Completes with the number of messages removed. */
    CompletableFuture<Integer> purgeQueue(String queue, Object owner);

    /** The queue's answer to a passive declare, or empty; it does not check exclusivity (use a passive declare). */
    Optional<QueueInfo> queue(String queue);

    /**
     * The queue's consumers, counted after every consume and cancel answered before this call; 0 when there is no
     * such queue. A cluster's quorum queue's are those of every node, asked of its log (one round trip), not read
     * from this node's replica, which may not have applied a cancel the log already answered. Any other queue's, and
     * every queue's on a single node, are {@link #queue}'s count, in a completed future.
     */
    default CompletableFuture<Integer> consumerCountAsync(String queue) {
        return CompletableFuture.completedFuture(queue(queue).map(QueueInfo::consumerCount).orElse(0));
    }

    /** Names of the queues whose name starts with {@code prefix} (MQTT finds its session queues so). */
    List<String> queueNames(String prefix);

    /**
     * Listens for messages the queue drops (overflow, expiry, rejection; reasons in {@link DropReasons}).
     * A no-op when the queue does not exist.
     */
    void onDropped(String queue, Consumer<String> reason);

    /** The vhost's policies (RabbitMQ's), which set queue and exchange arguments by name pattern. */
    Policies policies();

    // ---- bindings -----------------------------------------------------------------------------------------------

    void bind(Binding binding, Object owner);

    void unbind(Binding binding, Object owner);

    // ---- declarations answered when they have taken effect -------------------------------------------------------

    /**
     * {@link #declareExchange}, answered when the declaration has taken effect. On a single node that is now: the
     * same call, its answer in a completed future and its refusals thrown as there, so an adapter that answers
     * when the future completes answers as it did. In a cluster a durable exchange takes effect on every node only
     * when the metadata log has committed it, and the future completes later, on an engine thread, once this node
     * applied it; a passive declare first waits until this node has applied everything committed before it was
     * asked. The adapter answers the client then, without waiting on its event loop (docs/cluster.md).
     */
    CompletableFuture<ExchangeInfo> declareExchangeAsync(ExchangeSpec spec, boolean passive);

    /** {@link #deleteExchange}, answered as {@link #declareExchangeAsync} says. */
    CompletableFuture<Void> deleteExchangeAsync(String exchange, boolean ifUnused);

    /**
     * {@link #declareQueue(QueueSpec, Object, boolean, Consumer)} (with {@code name} null) or
     * {@link #declareQueue(QueueSpec, ServerQueueName, Object, Consumer)}, answered as
     * {@link #declareExchangeAsync} says; {@code beforeCreate} runs on the caller's thread.
     */
    CompletableFuture<QueueInfo> declareQueueAsync(QueueSpec spec, ServerQueueName name, Object owner,
                                                   boolean passive, Consumer<String> beforeCreate);

    /**
     * {@link #deleteQueue}, answered as {@link #declareExchangeAsync} says. {@link #deleteQueue} itself deletes on
     * this node at once (and a cluster node then replicates the deletion), for callers that declare the same name
     * again right after (an MQTT clean start).
     */
    CompletableFuture<Integer> deleteQueueAsync(String queue, boolean ifUnused, boolean ifEmpty, Object owner);

    /** {@link #bind}, answered as {@link #declareExchangeAsync} says. */
    CompletableFuture<Void> bindAsync(Binding binding, Object owner);

    /** {@link #unbind}, answered as {@link #declareExchangeAsync} says. */
    CompletableFuture<Void> unbindAsync(Binding binding, Object owner);

    // ---- messages -----------------------------------------------------------------------------------------------

    /**
     * Routes and enqueues {@code message}. {@code confirm} asks for a meaningful {@link PublishResult#confirmed()}
     * (publisher confirms, MQTT QoS 1/2 acknowledgements); the result's congestion signal tells the adapter to
     * stop reading the publisher until relieved (see {@link DeliveryOutlet#publisherCongested}).
     */
    PublishResult publish(Message message, boolean confirm);

    /**
     * Registers a consumer on a usable queue ({@code NOT_FOUND}, {@code RESOURCE_LOCKED} otherwise, thrown here or
     * completing the future exceptionally, e.g. {@code ACCESS_REFUSED} for a second exclusive consumer).
     */
    CompletableFuture<Consumption> consume(String queue, ConsumeRequest request, DeliverySink sink);

    /** {@code basic.get}: completes with the next ready message, or null when the queue is empty. */
    CompletableFuture<Delivery> get(String queue, Object owner, boolean autoAck);

    /** The connection {@code owner} closed: its exclusive queues are deleted. */
    void ownerClosed(Object owner);
}
