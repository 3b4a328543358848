package dev.junction.cluster.quorum;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node does when its replica of a quorum group applies an entry: it acts only on what is this process's
 * own, the assignments to its consumers and gets, and the dead-letterings its consumers' returns or its commands
 * caused (a consumer or an origin starting with its {@code incarnation}), so each happens once in the cluster.
 * Dead letters kept at least once, and the group's leadership, go to the node's {@link DeadLetterRelay}, which
 * republishes them while this node leads.
 */
final class LocalEffects implements QuorumEffects {
    private static final Logger LOG = LoggerFactory.getLogger(LocalEffects.class);
    private final String nodeId;
    private final String incarnation;
    private final QuorumConsumers consumers;
    private final QuorumEffects relay;

    LocalEffects(String nodeId, String incarnation, QuorumConsumers consumers) {
        this(nodeId, incarnation, consumers, NONE);
    }

    /** {@code relay}: the group's side of the node's {@link DeadLetterRelay}. */
    LocalEffects(String nodeId, String incarnation, QuorumConsumers consumers, QuorumEffects relay) {
        this.nodeId = nodeId;
        this.incarnation = incarnation;
        this.consumers = consumers;
        this.relay = relay;
    }

    @Override
    public void deadLetterPending(String queue, PendingDeadLetter message) {
        relay.deadLetterPending(queue, message);
    }

    @Override
    public void deadLettersSettled(String queue, long[] ids) {
        relay.deadLettersSettled(queue, ids);
    }

    @Override
    public void deadLettersReplaced(String queue, List<PendingDeadLetter> pending) {
        relay.deadLettersReplaced(queue, pending);
    }

    @Override
    public void deadLettersRestored() {
        relay.deadLettersRestored();
    }

    @Override
    public void leading(boolean leading) {
        relay.leading(leading);
    }

    @Override
    public void delivered(String queue, String consumer, long id, byte[] body, int returns) {
        if (consumer.startsWith(incarnation)) {
            int nul = queue.indexOf('\0');
            consumers.deliver(queue.substring(0, nul), queue.substring(nul + 1), consumer, id, body, returns);
        }
    }

    @Override
    public void checkedOut(String queue, String getter, long id, byte[] body, int returns, int remaining) {
        if (getter.startsWith(incarnation)) {
            int nul = queue.indexOf('\0');
            consumers.got(queue.substring(0, nul), queue.substring(nul + 1), getter, id, body, returns,
                    remaining);
        }
    }

    /** A leader detached this node's consumers while it was cut off: attach the live ones again. */
    @Override
    public void nodeDetached(String prefix, String keep) {
        if (prefix.equals(nodeId + '/') && keep.isEmpty()) {
            consumers.reattach();
        }
    }

    /** A message dropped on this process's enqueue or return: dead-letter it here, once for the cluster. */
    @Override
    public void dropped(String queue, String origin, byte[] body, Drop why) {
        if (origin.startsWith(incarnation)) {
            int nul = queue.indexOf('\0');
            local(queue, () -> consumers.dropped(queue.substring(0, nul), queue.substring(nul + 1), body,
                    why.reason()));
        }
    }

    /** This node's expiry timer found the queue unused past x-expires: delete it here, once for the cluster. */
    @Override
    public void unused(String queue, String origin) {
        if (origin.startsWith(incarnation)) {
            int nul = queue.indexOf('\0');
            consumers.unused(queue.substring(0, nul), queue.substring(nul + 1));
        }
    }

    @Override
    public void deadLettered(String queue, String consumer, byte[] body, int returns) {
        if (consumer.startsWith(incarnation)) {
            int nul = queue.indexOf('\0');
            local(queue, () -> consumers.deadLetter(queue.substring(0, nul), queue.substring(nul + 1), body,
                    returns));
        }
    }

    /**
     * A side effect of this node's alone: it runs inside the replicated state change, so a failure here is logged
     * and must not escape, or this replica would skip the rest of a command the others applied whole.
     */
    private static void local(String queue, Runnable effect) {
        try {
            effect.run();
        } catch (RuntimeException e) {
            LOG.warn("quorum queue '{}': dead-lettering failed on this node; the message is dropped: {}",
                    queue.replace('\0', '/'), e.toString());
        }
    }
}
