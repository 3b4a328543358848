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
 * The fault test's checker: what each publisher sent and had confirmed, and what each receiver got (the queue's
 * consumer, and the persistent MQTT session subscribed to the publishers' topics), judged at the end per receiver.
 * A message is a publisher's sequence number; each send of it is a copy named {@code publisher:epoch:seq}, where
 * the epoch is the publisher's connection (a publisher sends again, on its next connection, what its last one did
 * not confirm: at-least-once). So the ledger tells a copy sent twice by a publisher (allowed) from one copy
 * delivered twice by the broker (allowed only flagged: redelivered, counted in {@code x-delivery-count}, or DUP).
 *
 * <ul>
 *   <li><b>lost</b>: a message with a confirmed copy (publisher confirm, or a successful MQTT PUBACK) that the
 *   receiver never got in any copy;</li>
 *   <li><b>phantom</b>: a delivery of a copy no publisher sent;</li>
 *   <li><b>duplicates</b>: a delivery of a copy already delivered, flagged (AMQP redelivered or a delivery count
 *   above 0; MQTT DUP) or not;</li>
 *   <li><b>order</b>: within one publisher's connection, the copies delivered for the first time and not flagged
 *   come in the order they were published (RabbitMQ's per-channel order, which redeliveries may interleave). For
 *   the MQTT session this is MQTT 3.1.1's Ordered Topic: PUBLISH packets of one topic and QoS in the order received
 *   from a given client [MQTT-4.6.0-6], each publisher writing one topic; a copy sent again with DUP may come after
 *   later ones (section 4.6's non-normative example, 1,2,3,2,3,4), across a reconnect to another node too, where
 *   what a dead or silent node held comes back only once it is judged silent or answers again.</li>
 * </ul>
 */
public final class FaultLedger {
    /** The quorum queue's AMQP consumer. */
    public static final String CONSUMER = "consumer";
    /** The persistent MQTT session. */
    public static final String SESSION = "session";

    /** One delivery as the consumer saw it. */
    private record Delivery(String copy, boolean flagged) {
    }

    private final Set<String> sent = new HashSet<>();
    private final Set<String> confirmed = new HashSet<>();
    private final Map<String, List<Delivery>> deliveries = new HashMap<>();
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

    /** A delivery to the consumer, flagged when redelivered or counted in {@code x-delivery-count}. */
    public void delivered(String copy, boolean redelivered, long deliveryCount) {
        delivered(CONSUMER, copy, redelivered || deliveryCount > 0);
    }

    public synchronized void delivered(String receiver, String copy, boolean flagged) {
        deliveries.computeIfAbsent(receiver, r -> new ArrayList<>()).add(new Delivery(copy, flagged));
    }

    /** Whether every confirmed message has been delivered to the consumer in some copy. */
    public boolean allConfirmedDelivered() {
        return allConfirmedDelivered(CONSUMER);
    }

    public synchronized boolean allConfirmedDelivered(String receiver) {
        return lost(receiver).isEmpty();
    }

    /** The consumer's verdict. */
    public Verdict verdict() {
        return verdict(CONSUMER);
    }

    public synchronized Verdict verdict(String receiver) {
        List<Delivery> got = deliveries.getOrDefault(receiver, List.of());
        Set<String> seen = new HashSet<>();
        Set<String> seenMessages = new HashSet<>();
        List<String> phantoms = new ArrayList<>();
        List<String> unflagged = new ArrayList<>();
        int flagged = 0;
        int resent = 0;
        List<String> disorder = new ArrayList<>();
        Map<String, Long> lastPerEpoch = new HashMap<>();
        for (Delivery d : got) {
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
        return new Verdict(sent.size(), Map.copyOf(publishedPer), confirmed.size(), got.size(),
                lost(receiver), phantoms, flagged, unflagged, resent, disorder);
    }

    private Set<String> lost(String receiver) {
        Set<String> delivered = new HashSet<>();
        for (Delivery d : deliveries.getOrDefault(receiver, List.of())) {
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
