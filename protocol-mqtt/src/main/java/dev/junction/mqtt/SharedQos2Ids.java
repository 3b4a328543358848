package dev.junction.mqtt;

import dev.junction.routing.api.ExactlyOnceIds;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The QoS 2 packet ids of this vhost's persistent sessions as a cluster shares them ({@link ExactlyOnceIds};
 * docs/cluster.md, "MQTT sessions"): inbound ids answered with PUBREC and awaiting PUBREL, outbound ids awaiting
 * PUBCOMP. A session resumed on another node takes them from there, so a PUBLISH sent again with DUP is not routed
 * again [MQTT-4.3.3-10] and the PUBRELs are sent again [MQTT-4.4.0-1]. Each change of a session's ids is put into the
 * metadata log beside its stored record ({@link StoredSessions#persist}), and what waits for the record (the PUBREC,
 * the PUBCOMP, the outbound PUBREL) waits for the put's commit too.
 *
 * <p>Alone ({@link ExactlyOnceIds#LOCAL}) nothing is put, nothing is read, and the stored record is all there is.
 */
final class SharedQos2Ids {
    private static final Logger LOG = LoggerFactory.getLogger(SharedQos2Ids.class);

    private final ExactlyOnceIds ids;
    private final String vhost;

    SharedQos2Ids(ExactlyOnceIds ids, String vhost) {
        this.ids = ids;
        this.vhost = vhost;
    }

    /** Whether the ids are shared (in a cluster). */
    boolean active() {
        return ids.shared();
    }

    /**
     * With the session's monitor held, as its record is handed to the store: puts the session's ids if they changed
     * since it last put or took them, in the order of the changes. Null when nothing was put.
     */
    CompletableFuture<Void> changed(MqttSession s) {
        if (!ids.shared()) {
            return null;
        }
        ExactlyOnceIds.Pending now = s.qos2Ids();
        if (now.equals(s.sharedQos2)) {
            return null;
        }
        s.sharedQos2 = now;
        return ids.put(vhost, s.clientId, s.claim, now);
    }

    /**
     * On the client id's lane, a session resumed here: its ids become the cluster's. This node has applied the
     * claim of the connection resuming it, and with it every put committed before: those of the session's earlier
     * connections on any node (their PUBRECs and PUBRELs went out only once committed). A node that had the session
     * before and was not told it moved holds stale ids; these replace them.
     */
    void resumed(MqttSession s) {
        if (ids.shared()) {
            s.adoptQos2(ids.pending(vhost, s.clientId));
        }
    }

    /** Whether the cluster knows QoS 2 exchanges in progress of {@code clientId}: a session, even without a queue. */
    boolean known(String clientId) {
        return ids.shared() && !ids.pending(vhost, clientId).isEmpty();
    }

    /**
     * On the client id's lane, a connection of claim {@code claim} starts a new session: ids an earlier session
     * left in the cluster go [MQTT-3.1.2-4], before any put of the new one (one node's puts commit in order).
     */
    void startedAfresh(String clientId, long claim) {
        if (known(clientId)) {
            forget(clientId, claim);
        }
    }

    /**
     * On the client id's lane, the session ended here (expired, ended by its connection, its queue deleted): its ids
     * go from the cluster too, so a later CONNECT elsewhere does not take them for a session. The node may not have
     * applied its own last put yet, hence the session's own view as well.
     */
    void ended(MqttSession s) {
        if (ids.shared() && s.durable && (known(s.clientId) || !s.qos2Ids().isEmpty())) {
            forget(s.clientId, s.claim);
        }
    }

    /**
     * Whether {@code error} (the outcome of a record that changed a QoS 2 id) means that in a cluster the change
     * may not be on a majority: then the acknowledgement that depends on it ({@code answer}) must not go out, and
     * the connection closes (MQTT 5 DISCONNECT 0x80, 3.1.1 close) so that the client sends its packet again after
     * reconnecting [MQTT-4.4.0-1]. Alone a failed store write keeps its older handling: false. Any thread.
     */
    boolean notReplicated(MqttConnection c, Throwable error, String answer, int packetId) {
        if (error == null || !ids.shared()) {
            return false;
        }
        LOG.warn("the {} of QoS 2 packet id {} of MQTT client '{}' waits for a change the cluster did not commit "
                + "({}); closing", answer, packetId, c.clientId(), error.toString());
        c.onLoop(() -> c.closeWith(ReasonCode.UNSPECIFIED_ERROR));
        return true;
    }

    private void forget(String clientId, long claim) {
        ids.put(vhost, clientId, claim, ExactlyOnceIds.Pending.NONE).whenComplete((ok, failed) -> {
            if (failed != null) {
                LOG.warn("the QoS 2 packet ids of ended MQTT session '{}' were not removed from the cluster: {}",
                        clientId, failed.toString());
            }
        });
    }
}
