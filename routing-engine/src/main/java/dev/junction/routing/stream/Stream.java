package dev.junction.routing.stream;

import dev.junction.routing.Confirmation;
import dev.junction.routing.MessageCodec;
import dev.junction.routing.SerialExecutor;
import dev.junction.routing.api.Binding;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.CancelReason;
import dev.junction.routing.api.ConsumerSpec;
import dev.junction.routing.api.Consumption;
import dev.junction.routing.api.DeliverySink;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.Policy;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Settlement;
import dev.junction.routing.policy.PolicyDefinition;
import dev.junction.routing.queue.CreditLimits;
import dev.junction.routing.queue.EffectiveArguments;
import dev.junction.routing.queue.QueueArguments;
import dev.junction.routing.queue.QueueHost;
import dev.junction.routing.queue.QueueMetrics;
import dev.junction.routing.queue.QueueTarget;
import dev.junction.storage.QueueKey;
import dev.junction.storage.stream.StreamLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stream ({@code x-queue-type: stream}, RabbitMQ's "Streams"): an append-only {@link StreamLog} that consumers
 * read from where each chooses ({@link StreamOffset}); consuming removes nothing. Another {@link QueueTarget}
 * beside the classic {@code Queue}: the router and the enqueuer hand it messages the same way, and deliveries settle
 * back into it the same way.
 *
 * <p>Publishing does not pass the mailbox: the message is encoded and appended to the log at once, and the
 * publisher's confirmation is answered when the log says it is on disk (after its fsync), as for a durable queue.
 * Delivering runs in the mailbox ({@link SerialExecutor}): each active consumer reads on from its own cursor while
 * its credit lasts. Acknowledgements only give credit back ("acks move credit, not data"); a nack or reject is
 * refused ({@link #checkSettlement}), as RabbitMQ 3.10 refuses it, since a stream cannot requeue or discard.
 */
public final class Stream implements QueueTarget {
    private static final int DELIVERIES_PER_TURN = 512;
    /** Appends not yet on disk past which publishers are held back, and the level at which they go on. */
    private static final int CONGESTED = 20_000;
    private static final int RELIEVED = 10_000;

    private final QueueKey key;
    private final QueueSpec spec;
    private final String what;
    private final EffectiveArguments args;
    private final StreamArguments retention;
    /** The policy the vhost last applied, or null. */
    private volatile Policy policy;
    private final boolean singleActive;
    private final StreamLog log;
    private final SerialExecutor mailbox;
    private final StreamStats stats = new StreamStats();
    /** The vhost's counters (deliveries, acks), which count a stream's as a queue's. */
    private final QueueMetrics metrics;

    // Owned by the mailbox thread.
    private final List<StreamConsumer> consumers = new ArrayList<>();
    private final Map<Long, Held> unacked = new HashMap<>();
    private long nextDeliveryId = 1;

    private volatile boolean deleted;
    private final AtomicInteger writing = new AtomicInteger();
    private final ConcurrentLinkedQueue<Runnable> waitingPublishers = new ConcurrentLinkedQueue<>();
    private volatile int consumerCount;

    private record Held(StreamConsumer consumer, int size) {
    }

    /** Opens (or recovers) the stream's log in the host's store. */
    public Stream(QueueHost host, QueueSpec spec, StreamArguments streamArgs, QueueArguments declared) {
        this.key = new QueueKey(host.vhostName(), spec.name());
        this.spec = spec;
        this.what = "queue '" + spec.name() + "' in vhost '" + host.vhostName() + "'";
        this.args = new EffectiveArguments(declared, spec.arguments());
        this.retention = streamArgs;
        this.singleActive = declared.singleActiveConsumer();
        this.mailbox = new SerialExecutor(host.pool(), "stream " + spec.name());
        this.metrics = host.metrics();
        this.log = host.store().streams().open(host.vhostName(), spec.name(), streamArgs.logSettings());
        log.onDurable(this::kick);
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public QueueKey key() {
        return key;
    }

    public QueueSpec spec() {
        return spec;
    }

    @Override
    public boolean durable() {
        return true;
    }

    /** A stream keeps its messages in its own log, not in the message store. */
    @Override
    public boolean usesMessageStore() {
        return false;
    }

    @Override
    public EffectiveArguments arguments() {
        return args;
    }

    /** The messages the stream holds now (its first to its last offset), as declare-ok reports them. */
    public int messageCount() {
        return (int) Math.min(Integer.MAX_VALUE, log.end() - log.first());
    }

    public int consumerCount() {
        return consumerCount;
    }

    /** Appends, deliveries and acknowledgements so far, for {@code message_stats} and the per-queue counters. */
    public StreamStats stats() {
        return stats;
    }

    /** The log, for what the engine reports about it (first offset, bytes, segments). */
    public StreamLog log() {
        return log;
    }

    // ---- publishing -------------------------------------------------------------------------------------------

    @Override
    public void enqueue(Message message, long storeId, Confirmation confirmation, List<Binding> matched) {
        if (deleted) {
            confirmation.accept();
            return;
        }
        // Every message is kept on disk, persistent or not, as in RabbitMQ's streams; the confirm waits for fsync.
        writing.incrementAndGet();
        log.append(MessageCodec.encode(message), System.currentTimeMillis()).whenComplete((offset, error) -> {
            if (writing.decrementAndGet() <= RELIEVED && !waitingPublishers.isEmpty()) {
                relieve();
            }
            if (error == null) {
                stats.published();
                confirmation.accept();
            } else {
                confirmation.refuse();
            }
        });
    }

    /**
     * Whether publishers outrun the disk: more than 20,000 appends wait for the writer. The adapter then stops
     * reading the publisher's socket until {@link #whenRelieved} calls back, so the heap does not fill with
     * messages on their way to the log (the credit flow classic queues apply with their mailbox).
     */
    @Override
    public boolean congested() {
        return writing.get() > CONGESTED;
    }

    @Override
    public void whenRelieved(Runnable callback) {
        waitingPublishers.add(callback);
        if (writing.get() <= RELIEVED) {
            relieve(); // the writer caught up before the callback was added
        }
    }

    private void relieve() {
        for (Runnable r; (r = waitingPublishers.poll()) != null; ) {
            r.run();
        }
    }

    // ---- consuming --------------------------------------------------------------------------------------------

    /**
     * Registers a consumer, refused as RabbitMQ 3.10 refuses it, in its order: without a prefetch count of its own
     * (406; a channel-wide {@code basic.qos} does not count), then with automatic acknowledgement (540), then with
     * an {@code x-stream-offset} it cannot read (406).
     */
    public CompletableFuture<Consumption> consume(ConsumerSpec consumerSpec, DeliverySink sink) {
        // A no-ack consumer without qos is told the prefetch is missing, as by RabbitMQ, not the no-ack refusal.
        if (!CreditLimits.ownCountLimited(consumerSpec.limits())) {
            throw BrokerException.preconditionFailed("consumer prefetch count is not set for '" + what + "'");
        }
        if (consumerSpec.autoAck()) {
            throw new BrokerException(ErrorKind.NOT_IMPLEMENTED,
                    "automatic acknowledgement not supported by stream queues " + what);
        }
        StreamOffset start = StreamOffset.parse(consumerSpec.arguments().get(StreamOffset.ARGUMENT), what,
                System.currentTimeMillis());
        CompletableFuture<Consumption> result = mailbox.call(() -> {
            if (deleted) {
                throw BrokerException.notFound("no " + what);
            }
            boolean exclusiveTaken = consumers.stream().anyMatch(StreamConsumer::exclusive);
            if (exclusiveTaken || (consumerSpec.exclusive() && !consumers.isEmpty())) {
                throw BrokerException.accessRefused(what + " in exclusive use");
            }
            StreamConsumer c = new StreamConsumer(this, consumerSpec, sink, start);
            consumers.add(c);
            consumerCount = consumers.size();
            return c;
        });
        result.thenRun(this::kick);
        return result;
    }

    CompletableFuture<Void> cancel(StreamConsumer c) {
        return mailbox.call(() -> {
            if (consumers.remove(c)) {
                consumerCount = consumers.size();
                deliver(); // with single active consumer, the next one takes over
            }
            return null;
        });
    }

    /** basic.get: RabbitMQ refuses it on a stream with 540. */
    public BrokerException getRefused() {
        return new BrokerException(ErrorKind.NOT_IMPLEMENTED, "basic.get not supported by stream queues " + what);
    }

    /** queue.purge: refused as RabbitMQ 3.10 does, 540. */
    public BrokerException purgeRefused() {
        return new BrokerException(ErrorKind.NOT_IMPLEMENTED, "queue.purge not supported by stream queues " + what);
    }

    @Override
    public void kick() {
        mailbox.executeUrgent(this::deliver);
    }

    /** Gives each active consumer what it can take; a turn delivers at most 512, then yields the thread. */
    private void deliver() {
        if (deleted || consumers.isEmpty()) {
            return;
        }
        int budget = DELIVERIES_PER_TURN;
        List<StreamConsumer> active = singleActive ? consumers.subList(0, 1) : consumers;
        for (int i = 0; i < active.size() && budget > 0; i++) {
            budget -= active.get(i).pump(log, budget);
        }
        if (budget <= 0) {
            mailbox.execute(this::deliver);
        }
    }

    /** Records a delivery to {@code c} of {@code size} bytes; its id. */
    long held(StreamConsumer c, int size) {
        long id = nextDeliveryId++;
        unacked.put(id, new Held(c, size));
        stats.delivered();
        metrics.delivered(1);
        return id;
    }

    @Override
    public void settle(long[] deliveryIds, Settlement how) {
        mailbox.executeUrgent(() -> {
            int settled = 0;
            for (long id : deliveryIds) {
                Held h = unacked.remove(id);
                if (h != null) {
                    CreditLimits.release(h.consumer().limits(), h.size());
                    settled++;
                }
            }
            if (how == Settlement.ACK) { // a REQUEUE is a channel that went or basic.recover: no acknowledgement
                stats.acked(settled);
                metrics.acked(settled);
            }
            deliver();
        });
    }

    @Override
    public void settle(long deliveryId, Settlement how) {
        settle(new long[] {deliveryId}, how);
    }

    /** RabbitMQ 3.10 stream queues take acks only: a nack or reject, requeue or not, is 540 (the connection closes). */
    @Override
    public void checkSettlement(Settlement how) {
        if (how != Settlement.ACK) {
            throw new BrokerException(ErrorKind.NOT_IMPLEMENTED,
                    "basic.nack and basic.reject not supported by stream queues " + what);
        }
    }

    @Override
    public List<Binding> bindingsMatching(Message message) {
        return List.of();
    }

    // ---- administration ---------------------------------------------------------------------------------------

    /** The policy that applies to the stream, or null. */
    public Policy policy() {
        return policy;
    }

    /**
     * Applies a policy's retention ({@code max-length-bytes}, {@code max-age}, {@code stream-max-segment-size-bytes};
     * the lower of policy and argument wins, see {@link StreamArguments#logSettings(PolicyDefinition, boolean)}):
     * the log trims at once to the new limits, and a new segment size applies from its next segment, as RabbitMQ
     * applies a changed policy to an existing stream. Completes when the log has trimmed.
     */
    public CompletableFuture<Void> applyPolicy(Policy p, PolicyDefinition definition) {
        policy = p;
        boolean segmentDeclared = HeaderValues.isInteger(spec.arguments().get("x-stream-max-segment-size-bytes"))
                && ((Number) spec.arguments().get("x-stream-max-segment-size-bytes")).longValue() > 0;
        return log.retention(retention.logSettings(definition, segmentDeclared));
    }

    /** Cancels the consumers (told through their sinks) and closes the log; the caller deletes its files. */
    public CompletableFuture<Integer> delete() {
        return mailbox.call(() -> {
            if (deleted) {
                return 0;
            }
            deleted = true;
            int n = messageCount();
            for (StreamConsumer c : List.copyOf(consumers)) {
                c.sink().cancelled(CancelReason.QUEUE_DELETED);
            }
            consumers.clear();
            consumerCount = 0;
            unacked.values().forEach(h -> CreditLimits.release(h.consumer().limits(), h.size()));
            unacked.clear();
            return n;
        });
    }

    @Override
    public String toString() {
        return key.toString();
    }
}
