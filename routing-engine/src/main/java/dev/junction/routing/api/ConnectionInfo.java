package dev.junction.routing.api;

import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A client connection as it stands once through its handshake, the same for every protocol: what the management
 * API lists and the log's open and close lines say. Immutable; the adapter builds it once.
 *
 * @param name             RabbitMQ's form, {@code "<peer host>:<peer port> -> <host>:<port>"}; unique while the
 *                         connection is open (one socket pair)
 * @param peerHost         the client's address; {@code host} and {@code port} are the listener's side
 * @param tls              whether the connection is encrypted
 * @param connectedAt      when the handshake completed, epoch milliseconds
 * @param clientId         the MQTT client identifier; null for AMQP
 * @param clientProperties AMQP {@code client-properties} of start-ok; for MQTT the client id
 * @param timeoutSeconds   the negotiated heartbeat (AMQP) or keep alive (MQTT); 0 for none
 */
public record ConnectionInfo(String name, ClientProtocol protocol, String user, String vhost, String peerHost,
                             int peerPort, String host, int port, boolean tls, long connectedAt, String clientId,
                             Map<String, Object> clientProperties, int timeoutSeconds) {

    public ConnectionInfo {
        // A field table may hold void (null) values, which Map.copyOf refuses. One entry (an MQTT client id, held
        // for every device of a fleet) needs no copy of a linked map to keep its order.
        clientProperties = clientProperties == null ? Map.of()
                : clientProperties.size() == 1 ? singleEntry(clientProperties)
                : Collections.unmodifiableMap(new LinkedHashMap<>(clientProperties));
    }

    private static Map<String, Object> singleEntry(Map<String, Object> m) {
        Map.Entry<String, Object> e = m.entrySet().iterator().next();
        return Collections.singletonMap(e.getKey(), e.getValue());
    }

    /** A connection between {@code peer} and {@code local} that completed its handshake now. */
    public static ConnectionInfo of(ClientProtocol protocol, InetSocketAddress peer, InetSocketAddress local,
                                    boolean tls, String user, String vhost, String clientId,
                                    Map<String, Object> clientProperties, int timeoutSeconds) {
        return new ConnectionInfo(nameOf(peer, local), protocol, user, vhost, hostOf(peer), portOf(peer),
                hostOf(local), portOf(local), tls, System.currentTimeMillis(), clientId, clientProperties,
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

    /** The client as the log names it: peer, user, vhost and the client id or connection name. */
    public String describe() {
        return protocol.label() + " connection " + (clientId != null ? "'" + clientId + "' " : "")
                + "from " + peerHost + ":" + peerPort + " (user '" + user + "', vhost '" + vhost + "', name '"
                + name + "')";
    }
}
