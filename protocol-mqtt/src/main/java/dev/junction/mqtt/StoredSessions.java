package dev.junction.mqtt;

import dev.junction.routing.api.ExactlyOnceIds;
import dev.junction.routing.api.KeyedRecords;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records of sessions that may outlive their connection, in the engine's per-vhost {@link KeyedRecords} by
 * client id ({@link SessionCodec}):
 * expiry interval and disconnect time, inbound QoS 2 ids awaiting PUBREL, outbound ids awaiting PUBCOMP, shared
 * subscriptions and the pending delayed will. A record is rewritten on every change and deleted when the session
 * ends. Records of one session reach the store in the order of the changes: each is encoded and handed over under
 * the session's monitor. In a cluster a change of the QoS 2 ids is also put into the metadata log
 * ({@link SharedQos2Ids}), under the same monitor so the puts are in order too, and the record's future completes
 * once both are durable.
 */
final class StoredSessions {
    private static final Logger LOG = LoggerFactory.getLogger(StoredSessions.class);

    private final KeyedRecords records;
    private final SharedQos2Ids qos2;

    StoredSessions(KeyedRecords records) {
        this(records, new SharedQos2Ids(ExactlyOnceIds.LOCAL, ""));
    }

    /** {@code qos2}: the QoS 2 ids a cluster shares, put beside each record that changes them. */
    StoredSessions(KeyedRecords records, SharedQos2Ids qos2) {
        this.records = records;
        this.qos2 = qos2;
    }

    /** The QoS 2 ids a cluster shares (inactive alone). */
    SharedQos2Ids qos2() {
        return qos2;
    }

    /**
     * Hands the session's current state to the store, unless the session ends with its connection (then nothing
     * is stored) or has ended. The future completes when this record is durable. Called from the owner's event
     * loop, the client id's lane or the timer.
     */
    CompletableFuture<Void> persist(MqttSession s) {
        synchronized (s) {
            if (!s.durable || s.ended) {
                return s.lastWrite;
            }
            try {
                CompletableFuture<Void> shared = qos2.changed(s);
                CompletableFuture<Void> local = records.put(s.clientId, SessionCodec.encode(s.state()));
                if (shared != null) {
                    s.lastShared = shared;
                    s.lastWrite = CompletableFuture.allOf(local, shared);
                } else {
                    // A record that changed no QoS 2 id still answers after the last put of one (a resent PUBLISH
                    // or PUBREC is answered once its id is durable), whatever that put's outcome: its own waiter
                    // handles the failure. Alone the put is always done and nothing is added.
                    CompletableFuture<Void> before = s.lastShared;
                    s.lastWrite = before.isDone() ? local
                            : CompletableFuture.allOf(local, before.exceptionally(failed -> null));
                }
            } catch (RuntimeException e) {
                // The store is closing (broker shutdown) or failed.
                LOG.warn("could not store the MQTT session '{}': {}", s.clientId, e.toString());
                s.lastWrite = CompletableFuture.failedFuture(e);
            }
            return s.lastWrite;
        }
    }

    /** The future of the session's last record: complete once everything stored so far is durable. */
    CompletableFuture<Void> written(MqttSession s) {
        synchronized (s) {
            return s.lastWrite;
        }
    }

    /** The session ended: its record goes, and no later change is stored. */
    void ended(MqttSession s) {
        synchronized (s) {
            if (s.durable && !s.ended) {
                try {
                    s.lastWrite = records.delete(s.clientId);
                } catch (RuntimeException e) {
                    LOG.warn("could not delete the stored MQTT session '{}': {}", s.clientId, e.toString());
                }
            }
            s.ended = true;
        }
    }

    /** Deletes the record of a session that is not in memory. */
    void delete(String clientId) {
        try {
            records.delete(clientId);
        } catch (RuntimeException e) {
            LOG.warn("could not delete the stored MQTT session '{}': {}", clientId, e.toString());
        }
    }

    /** Every record of this vhost by client id, for the restart. */
    Map<String, byte[]> all() {
        return records.all();
    }
}
