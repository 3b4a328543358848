package dev.junction.routing.quorum;

import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.Delivery;
import dev.junction.routing.api.ErrorKind;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.Settlement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The {@code basic.get}s of this node on one {@link ReplicatedQuorumQueue} (AMQP 0-9-1 {@code basic.get}; RabbitMQ
 * "Quorum Queues": a get is a one-shot checkout, as in RabbitMQ's own log).
 *
 * <ul>
 *   <li>Each get is one checkout command in the queue's log under a getter id of its own (a consumer id that is
 *   never attached): the group's leader answers with the message's id, or 0 when nothing was ready (get-empty).
 *   The message itself, with the ready count left after it (get-ok's {@code message-count}), comes from this node's
 *   replica when it applies the checkout, so the get works on any node whichever holds the group's leadership.</li>
 *   <li>A get without no-ack leaves the message checked out to its getter, as a consumer's delivery: the channel
 *   settles it through the queue ({@code basic.ack}, reject or nack with or without requeue, a closing channel's
 *   requeue), with the getter's id in the log. A return counts against x-delivery-limit there. A getter's id is
 *   used once, so a settle that comes after the log returned the message (a node restart, a leader that did not
 *   hear from this node) matches nothing in the log and is ignored there.</li>
 *   <li>A get that this node stopped waiting for (no answer in time) gives back what its checkout took when the
 *   replica applies it late: nothing stays checked out to a get nobody holds.</li>
 * </ul>
 * Any thread: the maps are concurrent; the replica's hand-over runs on the group's apply thread and returns at once.
 */
final class QuorumGets {
    /** How long a get whose checkout committed waits for this node's replica to apply it. */
    private static final long APPLY_WAIT_SECONDS = 10;

    /** A get waiting for its message: its answer to the adapter, and whether it was asked with no-ack. */
    private record Waiting(CompletableFuture<Delivery> result, boolean autoAck) {
    }

    /** A got message not settled yet: the getter it is checked out to, and the message to dead-letter on reject. */
    private record Held(String getter, Message message) {
    }

    private final ReplicatedQuorumQueue queue;
    private final QuorumLog log;
    private final String vhost;
    private final String name;
    /** Gets asked and not answered, by getter id. */
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
    /** Messages handed to a get without no-ack and not settled yet, by message id. */
    private final Map<Long, Held> held = new ConcurrentHashMap<>();

    QuorumGets(ReplicatedQuorumQueue queue, QuorumLog log, String vhost, String name) {
        this.queue = queue;
        this.log = log;
        this.vhost = vhost;
        this.name = name;
    }

    /**
     * One basic.get: completes with the delivery, or null for get-empty; fails when the log cannot answer (no
     * majority within the log's time limit, or no such queue in its group after declaring it again).
     */
    CompletableFuture<Delivery> get(boolean autoAck) {
        String getter = log.newConsumerId();
        Waiting w = new Waiting(new CompletableFuture<>(), autoAck);
        waiting.put(getter, w);
        log.checkout(vhost, name, getter, autoAck).thenCompose(answer -> answer >= 0
                ? CompletableFuture.completedFuture(answer) : checkoutDeclared(getter, autoAck)
        ).whenComplete((answer, failed) -> {
            if (failed != null) {
                fail(getter, w, failed instanceof CompletionException c && c.getCause() != null ? c.getCause()
                        : failed);
            } else if (answer == 0) {
                if (waiting.remove(getter, w)) {
                    w.result().complete(null); // basic.get-empty: nothing ready at the checkout's place in the log
                }
            } else if (waiting.get(getter) == w) {
                // Committed and applied by the leader; this node's replica hands the message over once it has
                // applied the checkout too, normally within a heartbeat.
                CompletableFuture.delayedExecutor(APPLY_WAIT_SECONDS, TimeUnit.SECONDS).execute(() ->
                        fail(getter, w, new BrokerException(ErrorKind.INTERNAL_ERROR, "basic.get on " + queue
                                + ": this node's replica did not apply the checkout in time")));
            }
        });
        return w.result();
    }

    /** The log had no state for the queue (see {@link ReplicatedQuorumQueue#consume}): declared again, asked again. */
    private CompletableFuture<Long> checkoutDeclared(String getter, boolean autoAck) {
        queue.declareAgain();
        return log.checkout(vhost, name, getter, autoAck).thenApply(answer -> {
            if (answer < 0) {
                throw new BrokerException(ErrorKind.NOT_FOUND, "no queue '" + name + "' in vhost '" + vhost
                        + "' in its quorum group");
            }
            return answer;
        });
    }

    private void fail(String getter, Waiting w, Throwable why) {
        if (waiting.remove(getter, w)) {
            w.result().completeExceptionally(why instanceof BrokerException ? why
                    : new BrokerException(ErrorKind.INTERNAL_ERROR, "basic.get on " + queue + " had no answer "
                    + "from its quorum group: " + why));
        }
    }

    /**
     * The replica applied {@code getter}'s checkout of message {@code id}: the get is answered with it. A getter no
     * longer waited for gives it back (a no-ack checkout was settled in the log already, which ignores the return).
     * Log's apply thread.
     */
    void got(String getter, long id, Message m, int returns, int remaining) {
        Waiting w = waiting.remove(getter);
        if (w == null) {
            log.giveBack(vhost, name, getter, id);
            return;
        }
        if (!w.autoAck()) {
            held.put(id, new Held(getter, m));
        }
        Delivery d = new Delivery(queue, id, m, returns > 0, returns + 1, w.autoAck(), remaining); // as QuorumConsumer
        if (!w.result().complete(d) && !w.autoAck()) {
            held.remove(id);
            log.giveBack(vhost, name, getter, id);
        }
    }

    /**
     * Settles a got message: ack, requeue (a return, counted against x-delivery-limit in the log) or discard
     * (dead-lettered with reason {@code rejected}, as a consumer's reject is). False when {@code id} is not a
     * got message held here.
     */
    boolean settle(long id, Settlement how) {
        Held h = held.remove(id);
        if (h == null) {
            return false;
        }
        if (how == Settlement.REQUEUE || how == Settlement.RELEASE) { // the log counts every return
            log.giveBack(vhost, name, h.getter(), id);
        } else if (how == Settlement.DISCARD) {
            queue.discarded(h.getter(), id, h.message());
        } else {
            log.settle(vhost, name, h.getter(), id);
        }
        return true;
    }
}
