package dev.junction.routing.auth.backend;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * What a client presented at login, protocol-neutral: the AMQP start-ok response or the MQTT CONNECT user name and
 * password. {@code vhosts} are the vhosts the login may go on to use (the MQTT vhost for MQTT; for AMQP, where the
 * vhost is named only later in connection.open, every vhost a backend could grant): backends that check vhost
 * access per request (HTTP vhost_path) ask about these. {@code peer} may be null when unknown. {@code clientId} is
 * the MQTT client id (null over AMQP): the HTTP backend asks resource_path about the MQTT session queue it names.
 */
public record Credentials(String protocol, String userName, String password, InetAddress peer, List<String> vhosts,
        String clientId) {
    public Credentials {
        Objects.requireNonNull(protocol, "protocol");
        vhosts = List.copyOf(vhosts);
    }

    /** Without a client id (AMQP, or a caller that has none). */
    public Credentials(String protocol, String userName, String password, InetAddress peer, List<String> vhosts) {
        this(protocol, userName, password, peer, vhosts, null);
    }

    public boolean fromLoopback() {
        return peer != null && peer.isLoopbackAddress();
    }

    // Never print the password.
    @Override
    public String toString() {
        return "Credentials[" + protocol + ", user=" + userName + ", peer=" + peer + ", clientId=" + clientId + "]";
    }
}
