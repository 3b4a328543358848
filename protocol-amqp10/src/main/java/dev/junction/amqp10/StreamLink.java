package dev.junction.amqp10;

import dev.junction.routing.api.Credit;
import dev.junction.routing.api.HeaderValues;
import dev.junction.routing.api.QueueSpec;
import dev.junction.routing.api.Settlement;
import dev.junction.routing.api.Vhost;
import java.util.List;

/**
 * What consuming a stream ({@code x-queue-type: stream}) changes on an {@link OutgoingLink}, as RabbitMQ 4 consumes
 * streams over AMQP 1.0. Event-loop only.
 * <ul>
 * <li><b>Credit is the prefetch.</b> The engine takes a stream consumer only with a count-limited {@link Credit}
 * (0-9-1's required {@code basic.qos}). Over AMQP 1.0 the client's link credit is that window: the link's engine
 * credit is raised to the most deliveries the client has allowed outstanding at once (those unsettled plus its
 * credit), so it never holds back what the link credit allows, and the link credit alone paces the stream
 * [AMQP 1.0 part 2 section 2.6.7].</li>
 * <li><b>Every outcome moves credit only.</b> A stream is an immutable log that consuming does not shorten:
 * {@code accepted}, {@code released}, {@code modified} and {@code rejected} all just settle the delivery, nothing is
 * requeued, redelivered or dead-lettered (RabbitMQ 4 settles a stream's deliveries so, whatever the outcome).</li>
 * <li><b>Pre-settled receiving is allowed</b>, as RabbitMQ 4 allows it on a credited stream link: the engine still
 * hands over unsettled deliveries (its no-ack refusal is 0-9-1's rule), and the link settles each one itself as it
 * sends it settled.</li>
 * </ul>
 */
final class StreamLink {
    private final Credit credit = Credit.of(1, 0);
    private long window = 1;

    private StreamLink() {
    }

    /** A stream's link state when {@code queue} is a stream, else null. */
    static StreamLink of(Vhost vhost, String queue) {
        return vhost.queue(queue).map(q -> isStream(q.spec()) ? new StreamLink() : null).orElse(null);
    }

    static boolean isStream(QueueSpec spec) {
        return "stream".equals(HeaderValues.asString(spec.arguments().get("x-queue-type")));
    }

    /** The credits the link's consumer draws from. */
    List<Credit> credits() {
        return List.of(credit);
    }

    /** The client now allows {@code outstanding} deliveries unsettled at once: the window grows to it. */
    void allow(long outstanding) {
        if (outstanding > window) {
            window = outstanding;
            credit.setLimits(window, 0);
        }
    }

    /** Whatever the outcome, a stream's delivery is settled and gives its credit back. */
    static Settlement settlement(Object outcome) {
        return Settlement.ACK;
    }
}
