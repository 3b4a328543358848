package dev.junction.amqp10;

import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.api.ChannelInfo;
import dev.junction.routing.api.ConnectionQuotas;
import dev.junction.routing.api.Engine;
import dev.junction.routing.api.Vhost;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.engine.Collector;
import org.apache.qpid.proton.engine.Connection;
import org.apache.qpid.proton.engine.Delivery;
import org.apache.qpid.proton.engine.Endpoint;
import org.apache.qpid.proton.engine.EndpointState;
import org.apache.qpid.proton.engine.Event;
import org.apache.qpid.proton.engine.Link;
import org.apache.qpid.proton.engine.Receiver;
import org.apache.qpid.proton.engine.Sender;
import org.apache.qpid.proton.engine.Session;

/**
 * The one dispatcher of a connection's protocol events: every event proton's collector raises (open, begin,
 * attach, flow, transfer and disposition, detach, end, close) comes here, and every refusal a handler throws
 * ({@link Refusal}, or an engine {@link BrokerException}) is translated in one place, {@link #fail}, into the
 * detach, end or close that carries its error condition. Event-loop only.
 *
 * <p>{@code open} [AMQP 1.0 part 2 section 2.7.1] picks the vhost as RabbitMQ 4 does: hostname
 * {@code vhost:<name>}, else the default vhost. The user must have a permission there, and the connection takes
 * its slot in the vhost's and user's connection limits.
 */
final class Dispatcher {
    private static final Symbol PRODUCT = Symbol.valueOf("product");
    private static final Symbol VERSION = Symbol.valueOf("version");
    private static final Symbol NODE_NAME = Symbol.valueOf("node");
    /** Offered in {@code open}: Qpid JMS creates shared subscriptions only with a broker that offers it. */
    private static final Symbol SHARED_SUBS = Symbol.valueOf("SHARED-SUBS");
    /** Offered: the null target (each message's {@code to}); RabbitMQ's client and Qpid JMS use it only then. */
    private static final Symbol ANONYMOUS_RELAY = Symbol.valueOf("ANONYMOUS-RELAY");
    /**
     * The RabbitMQ version whose AMQP 1.0 protocol this adapter speaks (addresses v2, the management node):
     * RabbitMQ's AMQP 1.0 client libraries refuse a broker that announces none, or one below 4.0.
     */
    private static final String RABBITMQ_LEVEL = "4.0.0";
    /** The node name, as the management API names this broker. */
    static final String NODE = "junction@localhost";
    /** How long a client has to answer our {@code close} with its own before the socket is closed anyway. */
    private static final long CLOSE_WAIT_MS = 2000;
    private final Amqp10Connection conn;
    private final Amqp10Server server;
    private final Engine engine;
    private final Connection connection;
    private final PublisherBrake brake;
    private final List<OutgoingLink> consumers = new ArrayList<>();
    /** Consumers that gathered acknowledgements in the events being handled (see {@link AckBatch}). */
    private final List<OutgoingLink> acking = new ArrayList<>();
    /** Consumers of this connection whose cancellation the queue has not done yet. */
    private final Set<CompletableFuture<Void>> cancelling = new HashSet<>();
    /** Link pairs to the management node, by link name (both links of a pair share it). */
    private final Map<String, ManagementPair> management = new HashMap<>();
    private UserConfig user;
    private Opened opened;
    private ConnectionQuotas.Lease quota;
    private int links;
    private int sessions;
    private int nextSession;
    private boolean gone;

    Dispatcher(Amqp10Connection conn, Amqp10Server server, Connection connection) {
        this.conn = conn;
        this.server = server;
        this.engine = server.engine();
        this.connection = connection;
        this.brake = new PublisherBrake(conn);
    }

    /** SASL (or an allowed anonymous connection) settled who the client is. */
    void loggedIn(UserConfig authenticated) {
        this.user = authenticated;
    }

    /** Runs every event the collector holds; true when there was one. */
    boolean drain(Collector collector) {
        boolean any = false;
        for (Event e = collector.peek(); e != null; e = collector.peek()) {
            any = true;
            dispatch(e);
            collector.pop();
        }
        if (!acking.isEmpty()) {
            for (int i = 0; i < acking.size(); i++) { // indexed: this runs on every pump, most often with none
                acking.get(i).flushAcks();
            }
            acking.clear();
        }
        return any;
    }

    private void dispatch(Event e) {
        Endpoint where = e.getDelivery() != null ? e.getDelivery().getLink()
                : e.getLink() != null ? e.getLink() : e.getSession() != null ? e.getSession() : connection;
        try {
            switch (e.getType()) {
                case CONNECTION_REMOTE_OPEN -> open();
                case CONNECTION_REMOTE_CLOSE -> remoteClose();
                case SESSION_REMOTE_OPEN -> begin(e.getSession());
                case SESSION_REMOTE_CLOSE -> end(e.getSession());
                case LINK_REMOTE_OPEN -> attach(e.getLink());
                case LINK_REMOTE_DETACH -> detach(e.getLink(), false);
                case LINK_REMOTE_CLOSE -> detach(e.getLink(), true);
                case LINK_FLOW -> {
                    if (e.getLink().getContext() instanceof OutgoingLink out) {
                        out.flow();
                    } else if (e.getLink().getContext() instanceof ManagementPair pair) {
                        pair.flush();
                    }
                }
                case DELIVERY -> delivery(e.getDelivery());
                case TRANSPORT_ERROR -> transportError(e.getTransport().getCondition());
                default -> { }
            }
        } catch (RuntimeException x) {
            fail(where, x);
        }
    }

    // ---- connection -------------------------------------------------------------------------------------------

    private void open() {
        if (user == null) {
            throw Refusal.connection(Condition.UNAUTHORIZED_ACCESS, "not authenticated");
        }
        String host = connection.getRemoteHostname();
        String vhostName = host != null && host.startsWith("vhost:") ? host.substring("vhost:".length())
                : server.settings().defaultVhost();
        Vhost vhost = engine.vhost(vhostName).orElseThrow(() -> Refusal.connection(Condition.NOT_FOUND,
                "vhost '" + vhostName + "' not found"));
        VhostPermission permission = user.permissionsFor(vhostName).orElseThrow(() -> Refusal.connection(
                Condition.UNAUTHORIZED_ACCESS, "access to vhost '" + vhostName + "' refused for user '"
                        + user.name() + "'"));
        try {
            quota = engine.connectionQuotas().open(user.name(), vhostName);
        } catch (BrokerException e) {
            throw Refusal.connection(Condition.RESOURCE_LIMIT_EXCEEDED, e.getMessage());
        }
        Access access = new Access(user, vhostName, permission,
                engine.authorization().rights(user, vhostName, null));
        opened = new Opened(conn, server, user, vhost, access, brake, new Transactions());
        connection.setContainer("junction");
        connection.setProperties(Map.of(PRODUCT, "Junction", VERSION, RABBITMQ_LEVEL, NODE_NAME, NODE));
        connection.setOfferedCapabilities(new Symbol[] {SHARED_SUBS, ANONYMOUS_RELAY});
        connection.open();
        conn.opened(user.name(), vhostName, connection.getRemoteContainer());
        engine.watchAlarm(brake.alarmListener);
        if (engine.alarmRaised()) {
            brake.alarm(true);
        }
    }

    private void remoteClose() {
        ErrorCondition why = connection.getRemoteCondition();
        conn.because(why == null || why.getCondition() == null ? "client closed the connection"
                : "client closed the connection: " + why.getCondition() + " " + why.getDescription());
        connectionGone();
        connection.close();
    }

    private void transportError(ErrorCondition why) {
        String text = why == null ? "transport error" : why.getCondition() + " " + why.getDescription();
        server.logLimiter().log(Amqp10Connection.LOG::warn, "amqp10-transport", "{}: closing: {}", conn.peer(),
                text);
        conn.because(text);
    }

    /** Ends the connection with {@code error}: an {@code open} first if none was sent [part 2 section 2.4.1]. */
    void closeConnection(ErrorCondition error) {
        if (connection.getLocalState() == EndpointState.UNINITIALIZED) {
            connection.open();
        }
        if (connection.getLocalState() != EndpointState.CLOSED) {
            conn.because(error.getCondition() + ": " + error.getDescription());
            connection.setCondition(error);
            connection.close();
            conn.closeWithin(CLOSE_WAIT_MS);
        }
        conn.written();
    }

    // ---- sessions and links -----------------------------------------------------------------------------------

    private void begin(Session session) {
        requireOpen();
        SessionChannel.check(session, server.settings().channelMax());
        if (sessions > server.settings().channelMax()) {
            throw Refusal.connection(Condition.RESOURCE_LIMIT_EXCEEDED, "more than "
                    + (server.settings().channelMax() + 1) + " sessions");
        }
        sessions++;
        session.setContext(nextSession++); // its number in the management API's channel listing
        session.open();
    }

    private void end(Session session) {
        for (Link link = connection.linkHead(null, null); link != null; link = link.next(null, null)) {
            if (link.getSession() == session) {
                linkGone(link);
            }
        }
        if (session.getLocalState() != EndpointState.CLOSED) {
            sessions--;
            session.close();
        }
    }

    private void attach(Link link) {
        requireOpen();
        if (links >= server.settings().maxLinks()) {
            throw Refusal.link(Condition.RESOURCE_LIMIT_EXCEEDED, "more than " + server.settings().maxLinks()
                    + " links on one connection");
        }
        if (ManagementPair.addresses(link)) {
            management.computeIfAbsent(link.getName(), name -> new ManagementPair(opened)).attach(link);
        } else if (link instanceof Receiver r && TransactionCoordinator.addresses(r)) {
            TransactionCoordinator.attach(r, opened);
        } else if (link instanceof Receiver r) {
            IncomingLink.attach(r, opened, this);
        } else if (link.getRemoteSource() == null) {
            NamedSubscription.lookup((Sender) link, opened, this, ownCancels()); // Qpid JMS's unsubscribe
        } else {
            OutgoingLink.attach((Sender) link, opened, this, consumers::add);
        }
        links++;
    }

    /** The client detached a link, or closed it ({@code closed}: its terminus is destroyed [part 2 2.6.6]). */
    private void detach(Link link, boolean closed) {
        if (closed && link.getContext() instanceof NamedSubscription lookup) {
            linkGone(link);
            lookup.closed(link, this); // unsubscribe: answered once the subscription is deleted, or refused
            return;
        }
        linkGone(link);
        if (link.getLocalState() != EndpointState.CLOSED) {
            link.close();
        }
    }

    private void linkGone(Link link) {
        Object handler = link.getContext();
        link.setContext(null);
        if (handler instanceof OutgoingLink out) {
            consumers.remove(out);
            out.close();
            links--;
        } else if (handler instanceof IncomingLink in) {
            in.close();
            links--;
        } else if (handler instanceof ManagementPair pair) {
            if (pair.gone(link)) {
                management.remove(link.getName());
            }
            links--;
        } else if (handler instanceof TransactionCoordinator || handler instanceof NamedSubscription
                || handler instanceof PendingAttach) {
            links--;
        }
    }

    private void delivery(Delivery d) {
        Object handler = d.getLink().getContext();
        if (handler instanceof IncomingLink in) {
            in.delivery(d);
        } else if (handler instanceof OutgoingLink out) {
            out.disposition(d);
        } else if (handler instanceof ManagementPair pair) {
            pair.delivery(d);
        } else if (handler instanceof TransactionCoordinator coordinator) {
            coordinator.delivery(d);
        }
    }

    /** The sessions as channels for the management API. */
    List<ChannelInfo> channels() {
        return SessionListing.of(connection);
    }

    /** {@code out} gathered its first acknowledgement of this read: passed on at the end of {@link #drain}. */
    void acking(OutgoingLink out) {
        acking.add(out);
    }

    /** A consumer of this connection is being cancelled: {@link #ownCancels} waits for it. */
    void cancelling(CompletableFuture<Void> cancel) {
        cancelling.add(cancel);
        cancel.whenComplete((done, error) -> conn.onLoop(() -> cancelling.remove(cancel)));
    }

    private CompletableFuture<Void> ownCancels() {
        return CompletableFuture.allOf(cancelling.toArray(CompletableFuture[]::new));
    }

    void resumeConsumers() {
        for (OutgoingLink out : List.copyOf(consumers)) {
            out.resume();
        }
    }

    private void requireOpen() {
        if (opened == null) {
            throw Refusal.connection(Condition.NOT_ALLOWED, "the connection is not open");
        }
    }

    // ---- the one error translation ----------------------------------------------------------------------------

    /**
     * Ends {@code where} (or what the error's scope says) with the condition of {@code error}: a link refused at
     * attach gets its attach with a null terminus first [part 2 section 2.6.3], then the detach with the error.
     * Errors that are no refusal are internal: logged (rate-limited) and the connection is closed.
     */
    void fail(Endpoint where, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        Refusal refusal;
        if (cause instanceof Refusal r) {
            refusal = r;
        } else if (cause instanceof BrokerException b) {
            refusal = Refusal.of(b);
        } else {
            server.logLimiter().log(Amqp10Connection.LOG::warn, "amqp10-internal", "{}: internal error: {}",
                    conn.peer(), String.valueOf(cause));
            Amqp10Connection.LOG.debug("internal error", cause);
            refusal = Refusal.connection(Condition.INTERNAL_ERROR, "internal error, see the broker log");
        }
        if (refusal.scope() == Refusal.Scope.LINK && where instanceof Link link) {
            refuseLink(link, refusal.error());
        } else if (refusal.scope() != Refusal.Scope.CONNECTION && where instanceof Session session) {
            session.setCondition(refusal.error());
            end(session);
        } else {
            closeConnection(refusal.error());
        }
        conn.written();
    }

    private void refuseLink(Link link, ErrorCondition error) {
        if (link.getLocalState() == EndpointState.UNINITIALIZED) {
            if (link instanceof Sender) {
                link.setSource(null);
                link.setTarget(link.getRemoteTarget());
            } else {
                link.setSource(link.getRemoteSource());
                link.setTarget(null);
            }
            link.open();
        }
        linkGone(link);
        if (link.getLocalState() != EndpointState.CLOSED) {
            link.setCondition(error);
            link.close();
        }
    }

    /** The socket closed: every link lets go of its consumer and deliveries, and the connection's slot is free. */
    void connectionGone() {
        if (gone) {
            return;
        }
        gone = true;
        for (Link link = connection.linkHead(null, null); link != null; link = link.next(null, null)) {
            linkGone(link);
        }
        if (quota != null) {
            quota.close();
        }
        if (opened != null) {
            opened.transactions().clear();
            engine.unwatchAlarm(brake.alarmListener);
            opened.vhost().ownerClosed(conn);
        }
    }

    /** A terminus's capabilities as strings. */
    static Set<String> capabilities(Symbol[] symbols) {
        Set<String> out = new HashSet<>();
        if (symbols != null) {
            Arrays.stream(symbols).forEach(s -> out.add(s.toString()));
        }
        return out;
    }
}
