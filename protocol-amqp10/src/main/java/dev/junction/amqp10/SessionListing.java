package dev.junction.amqp10;

import dev.junction.routing.api.ChannelInfo;
import dev.junction.routing.api.ConsumerInfo;
import java.util.ArrayList;
import java.util.List;
import org.apache.qpid.proton.amqp.transport.SenderSettleMode;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Session;

/**
 * A connection's sessions as the management API lists channels ({@code /api/channels}): AMQP 1.0's session is
 * what 0-9-1's channel is, a sequence of links in one flow. Each is numbered in the order it began (its
 * {@link Session#getContext()}); its consumers are its outgoing links (the link name is the consumer tag, the
 * link credit the prefetch), its unacknowledged deliveries their unsettled transfers; {@code confirm} when a link
 * of it publishes unsettled (each message gets an outcome, as a confirm), {@code transactional} when it holds a
 * coordinator link. Event-loop only.
 */
final class SessionListing {
    private SessionListing() {
    }

    static List<ChannelInfo> of(Connection connection) {
        List<ChannelInfo> out = new ArrayList<>();
        for (Session s = connection.sessionHead(null, null); s != null; s = s.next(null, null)) {
            if (s.getLocalState() != EndpointState.ACTIVE || !(s.getContext() instanceof Integer number)) {
                continue;
            }
            List<ConsumerInfo> consumers = new ArrayList<>();
            int unacknowledged = 0;
            boolean confirm = false;
            boolean transactional = false;
            for (Link l = connection.linkHead(null, null); l != null; l = l.next(null, null)) {
                if (l.getSession() != s) {
                    continue;
                }
                Object handler = l.getContext();
                if (handler instanceof OutgoingLink consumer) {
                    consumers.add(consumer.info());
                    unacknowledged += consumer.unsettledCount();
                } else if (handler instanceof IncomingLink && l instanceof Receiver r) {
                    confirm |= r.getRemoteSenderSettleMode() != SenderSettleMode.SETTLED;
                } else if (handler instanceof TransactionCoordinator) {
                    transactional = true;
                }
            }
            out.add(new ChannelInfo(number, 0, unacknowledged, confirm, transactional, consumers));
        }
        return out;
    }
}
