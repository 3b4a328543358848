package dev.junction.conformance.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The fault test's checker: what each publisher sent and had confirmed, and what the consumer got, judged at the
 * end. A message is a publisher's sequence number; each send of it is a copy named {@code publisher:epoch:seq},
 * where the epoch is the publisher's connection (a publisher sends again, on its next connection, what its last
 * one did not confirm: at-least-once). So the ledger tells a copy sent twice by a publisher (allowed) from one copy
 * delivered twice by the broker (allowed only flagged redelivered, or counted in {@code x-delivery-count}).
 *
 * <ul>
 *   <li><b>lost</b>: a message with a confirmed copy (publisher confirm, or a successful MQTT PUBACK) that the
 *   consumer never got in any copy;</li>
 *   <li><b>phantom</b>: a delivery of a copy no publisher sent;</li>
 *   <li><b>duplicates</b>: a delivery of a copy already delivered, flagged (redelivered, or a delivery count above
 *   0) or not;</li>
 *   <li><b>order</b>: within one publisher's connection, the copies delivered for the first time and not flagged
 *   come in the order they were published (RabbitMQ's per-channel order, which redeliveries may interleave).</li>
 * </ul>
 */
public final class FaultLedger {

    /** One delivery as the consumer saw it. */
    private record Delivery(String copy, boolean flagged) {
    }

    private final Set<String> sent = new HashSet<>();
    private final Set<String> confirmed = new HashSet<>();
    private final List<Delivery> deliveries = new ArrayList<>();
    private final Map<String, Integer> publishedPer = new HashMap<>();

    public static String copy(String publisher, int epoch, long seq) {
        return publisher + ":" + epoch + ":" + seq;
    }

    private static String message(String copy) {
        int first = copy.indexOf(':');
        return copy.substring(0, first) + copy.substring(copy.indexOf(':', first + 1));
    }

    public synchronized void sent(String copy) {
        sent.add(copy);
        publishedPer.merge(copy.substring(0, copy.indexOf(':')), 1, Integer::sum);
    }

    public synchronized void confirmed(String copy) {
        confirmed.add(message(copy));
    }

    public synchronized void delivered(String copy, boolean redelivered, long deliveryCount) {
        deliveries.add(new Delivery(copy, redelivered || deliveryCount > 0));
    }

    /** Whether every confirmed message has been delivered in some copy. */
    public synchronized boolean allConfirmedDelivered() {
        return lost().isEmpty();
    }

    public synchronized Verdict verdict() {
        Set<String> seen = new HashSet<>();
        Set<String> seenMessages = new HashSet<>();
        List<String> phantoms = new ArrayList<>();
        List<String> unflagged = new ArrayList<>();
        int flagged = 0;
        int resent = 0;
        List<String> disorder = new ArrayList<>();
        Map<String, Long> lastPerEpoch = new HashMap<>();
        for (Delivery d : deliveries) {
            if (!sent.contains(d.copy())) {
                phantoms.add(d.copy());
                continue;
            }
            if (!seen.add(d.copy())) {
                if (d.flagged()) {
                    flagged++;
                } else {
                    unflagged.add(d.copy());
                }
                continue;
            }
            if (!seenMessages.add(message(d.copy()))) {
                resent++; // another copy of a message: the publisher sent it again
            }
            if (!d.flagged()) {
                int last = d.copy().lastIndexOf(':');
                String epoch = d.copy().substring(0, last);
                long seq = Long.parseLong(d.copy().substring(last + 1));
                Long before = lastPerEpoch.put(epoch, seq);
                if (before != null && before >= seq) {
                    disorder.add(epoch + ": " + seq + " after " + before);
                }
            }
        }
        return new Verdict(sent.size(), Map.copyOf(publishedPer), confirmed.size(), deliveries.size(),
                lost(), phantoms, flagged, unflagged, resent, disorder);
    }

    private Set<String> lost() {
        Set<String> delivered = new HashSet<>();
        for (Delivery d : deliveries) {
            delivered.add(message(d.copy()));
        }
        Set<String> lost = new TreeSet<>(confirmed);
        lost.removeAll(delivered);
        return lost;
    }

    /** The outcome; {@link #toString} is the summary the test prints. */
    public record Verdict(int sent, Map<String, Integer> sentPer, int confirmed, int delivered, Set<String> lost,
                          List<String> phantoms, int flaggedDuplicates, List<String> unflaggedDuplicates,
                          int resentCopies, List<String> disorder) {

        @Override
        public String toString() {
            return "sent " + sent + " copies " + sentPer + ", confirmed " + confirmed + " messages, delivered "
                    + delivered + ", lost " + lost.size() + first(lost) + ", phantom " + phantoms.size()
                    + first(phantoms) + ", duplicates flagged " + flaggedDuplicates + " / unflagged "
                    + unflaggedDuplicates.size() + first(unflaggedDuplicates) + ", copies sent again and delivered "
                    + resentCopies + ", out of order " + disorder.size() + first(disorder);
        }

        private static String first(java.util.Collection<String> c) {
            return c.isEmpty() ? "" : " " + new ArrayList<>(new LinkedHashSet<>(c)).subList(0, Math.min(5, c.size()));
        }
    }
}
