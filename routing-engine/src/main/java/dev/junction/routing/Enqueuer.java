package dev.junction.routing;

import dev.junction.routing.api.Binding;
import dev.junction.routing.api.Message;
import dev.junction.routing.api.PublishResult;
import dev.junction.routing.queue.QueueTarget;
import dev.junction.storage.QueueKey;
import dev.junction.storage.StoredMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The step after routing: one store write per persistent message, then one enqueue per target queue. */
final class Enqueuer {
    private static final Logger LOG = LoggerFactory.getLogger(Enqueuer.class);

    private Enqueuer() {
    }

    /**
     * Writes a routed message to the store once for all of its durable target queues (when it is persistent), then
     * hands it to every target with the bindings that matched it there (see {@link Router}). The result's future
     * completes once every queue has taken or refused it and the write is durable.
     */
    static PublishResult enqueue(RoutingEngine engine, Message routed, Map<QueueTarget, List<Binding>> routes,
                                 boolean confirm) {
        Message message = stripBcc(routed);
        Collection<QueueTarget> targets = routes.keySet();
        long storeId = 0;
        CompletableFuture<Void> written = null;
        if (message.persistent()) {
            // Made with the first durable target: a persistent MQTT QoS 1 message to clean sessions needs none.
            List<QueueKey> durable = null;
            for (QueueTarget q : targets) {
                if (q.usesMessageStore()) {
                    durable = durable == null ? new ArrayList<>(targets.size()) : durable;
                    durable.add(q.key());
                }
            }
            if (durable != null) {
                storeId = engine.nextMessageId();
                written = engine.store().append(new StoredMessage(storeId, MessageCodec.encode(message)), durable);
            }
        }
        Confirmation confirmation = confirm
                ? new Confirmation(targets.size() + (written == null ? 0 : 1)) : Confirmation.none();
        if (written != null && confirm) {
            written.whenComplete((ok, error) -> {
                if (error == null) {
                    confirmation.accept();
                } else {
                    // The store logs one line per incident; a line (and a trace) per nack flooded the log.
                    LOG.debug("store write failed; publisher will get a nack: {}", error.toString());
                    confirmation.refuse();
                }
            });
        }
        QueueTarget congested = null;
        for (Map.Entry<QueueTarget, List<Binding>> route : routes.entrySet()) {
            QueueTarget q = route.getKey();
            q.enqueue(message, q.usesMessageStore() ? storeId : 0, confirmation, route.getValue());
            if (congested == null && q.congested()) {
                congested = q;
            }
        }
        // The adapter learns when to resume reading, not which queue held it back.
        return new PublishResult(targets.size(), confirmation.future(),
                congested == null ? null : congested::whenRelieved);
    }

    /** BCC keys route the message but must not be seen by consumers. */
    private static Message stripBcc(Message m) {
        if (!m.properties().headers().containsKey("BCC")) {
            return m;
        }
        return m.withProperties(m.properties().toBuilder().removeHeader("BCC").build());
    }
}
