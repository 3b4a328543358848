package dev.junction.routing.api;

import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A client connection as it stands once through its handshake, the same for every protocol: what the management
 * API lists and the log's open and close lines say. Immutable; the adapter builds it once.
 *
 * <p>A broker may hold tens of thousands of these for idle devices, so what is only read when someone asks (the
 * host strings, an MQTT client's properties) is made then, from the socket addresses the channel holds anyway; only
 * the name, which the {@link ConnectionRegistry} is keyed by, is made up front.
 */
public final class ConnectionInfo {
    private final String name;
    private final ClientProtocol protocol;
    private final String user;
    private final String vhost;
    private final InetSocketAddress peer;
    private final InetSocketAddress local;
    private final boolean tls;
    private final long connectedAt;
    private final String clientId;
    /** Null for "the client id alone" (MQTT), made into a map when asked. */
    private final Map<String, Object> clientProperties;
    private final int timeoutSeconds;

    private ConnectionInfo(ClientProtocol protocol, InetSocketAddress peer, InetSocketAddress local, boolean tls,
                           String user, String vhost, String clientId, Map<String, Object> clientProperties,
                           int timeoutSeconds) {
        this.name = nameOf(peer, local);
        this.protocol = protocol;
        this.user = user;
        this.vhost = vhost;
        this.peer = peer;
        this.local = local;
        this.tls = tls;
        this.connectedAt = System.currentTimeMillis();
        this.clientId = clientId;
        this.timeoutSeconds = timeoutSeconds;
        // A field table may hold void (null) values, which Map.copyOf refuses.
        this.clientProperties = clientProperties == null ? (clientId == null ? Map.of() : null)
                : clientProperties.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(clientProperties));
    }

    /**
     * A connection between {@code peer} and {@code local} that completed its handshake now.
     *
     * @param clientId         the MQTT client identifier; null for AMQP
     * @param clientProperties AMQP {@code client-properties} of start-ok; null for MQTT, whose properties are its
     *                         client id ({@code client_id})
     * @param timeoutSeconds   the negotiated heartbeat (AMQP) or keep alive (MQTT); 0 for none
     */
    public static ConnectionInfo of(ClientProtocol protocol, InetSocketAddress peer, InetSocketAddress local,
                                    boolean tls, String user, String vhost, String clientId,
                                    Map<String, Object> clientProperties, int timeoutSeconds) {
        return new ConnectionInfo(protocol, peer, local, tls, user, vhost, clientId, clientProperties,
                timeoutSeconds);
    }

    /** RabbitMQ's connection name: {@code "127.0.0.1:54321 -> 127.0.0.1:5672"}. */
    public static String nameOf(InetSocketAddress peer, InetSocketAddress local) {
        return hostOf(peer) + ":" + portOf(peer) + " -> " + hostOf(local) + ":" + portOf(local);
    }

    private static String hostOf(InetSocketAddress a) {
        if (a == null) {
            return "?";
        }
        return a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    }

    private static int portOf(InetSocketAddress a) {
        return a == null ? 0 : a.getPort();
    }

    /**
     * RabbitMQ's form, {@code "<peer host>:<peer port> -> <host>:<port>"}; unique while the connection is open (one
     * socket pair).
     */
    public String name() {
        return name;
    }

    public ClientProtocol protocol() {
        return protocol;
    }

    public String user() {
        return user;
    }

    public String vhost() {
        return vhost;
    }

    /** The client's address; {@link #host()} and {@link #port()} are the listener's side. */
    public String peerHost() {
        return hostOf(peer);
    }

    public int peerPort() {
        return portOf(peer);
    }

    public String host() {
        return hostOf(local);
    }

    public int port() {
        return portOf(local);
    }

    /** Whether the connection is encrypted. */
    public boolean tls() {
        return tls;
    }

    /** When the handshake completed, epoch milliseconds. */
    public long connectedAt() {
        return connectedAt;
    }

    /** The MQTT client identifier; null for AMQP. */
    public String clientId() {
        return clientId;
    }

    /** AMQP {@code client-properties} of start-ok; for MQTT the client id. */
    public Map<String, Object> clientProperties() {
        return clientProperties != null ? clientProperties : Map.of("client_id", clientId);
    }

    /** The negotiated heartbeat (AMQP) or keep alive (MQTT); 0 for none. */
    public int timeoutSeconds() {
        return timeoutSeconds;
    }

    /** The client as the log names it: peer, user, vhost and the client id or connection name. */
    public String describe() {
        return protocol.label() + " connection " + (clientId != null ? "'" + clientId + "' " : "")
                + "from " + peerHost() + ":" + peerPort() + " (user '" + user + "', vhost '" + vhost + "', name '"
                + name + "')";
    }

    @Override
    public String toString() {
        return describe();
    }
}
