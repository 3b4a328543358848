package dev.junction.mqtt;

import dev.junction.routing.api.ClientConnection;
import dev.junction.routing.api.ClientProtocol;
import dev.junction.routing.api.ConnectionInfo;
import dev.junction.routing.api.ConnectionRecord;
import dev.junction.routing.api.ConnectionRegistry;
import dev.junction.routing.api.ForcedClose;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslHandler;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection's entry in the engine's {@link ConnectionRegistry}, from its CONNACK until its socket closes, and
 * its two INFO lines: one when it connects (peer, user, vhost, client id) and one when it closes, with the reason.
 * The reason is the first one given: the client's DISCONNECT, the reason this server closed it with
 * ({@link MqttConnection#closeWith}: keep alive timeout, takeover, a protocol violation with its reason code), an
 * administrator's close or the broker's shutdown; a socket that closes without any of them was closed by the client.
 * A close from the registry is, on MQTT 5, a DISCONNECT with 0x98 Administrative action or 0x8B Server shutting down
 * and the text as Reason String [MQTT-4.13.1-1]; MQTT 3.1.1 has no DISCONNECT from the server, so the socket
 * closes. The {@code $SYS} topics count the connected clients here too, from the CONNACK to the close
 * ({@link SysCounters}). Event-loop only, except {@link #forceClose}, which moves onto it.
 */
final class ConnectionEntry implements ClientConnection {
    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);

    private final MqttConnection c;
    private final ConnectionRecord record = new ConnectionRecord(LOG);
    private volatile ClientSession session;

    ConnectionEntry(MqttConnection c) {
        this.c = c;
    }

    /** The CONNACK went out: the connection is listed from now, and its open line logged. */
    void opened(ClientSession session) {
        this.session = session;
        ClientProtocol protocol = session.version() == MqttVersion.MQTT_5 ? ClientProtocol.MQTT_5
                : session.version() == MqttVersion.MQTT_3_1 ? ClientProtocol.MQTT_3_1 : ClientProtocol.MQTT_3_1_1;
        ConnectionInfo info = ConnectionInfo.of(protocol, ConnectionRecord.inet(c.ctx.channel().remoteAddress()),
                ConnectionRecord.inet(c.ctx.channel().localAddress()), c.ctx.pipeline().get(SslHandler.class) != null,
                session.user().name(), c.server.vhost.name(), session.clientId(),
                null, session.keepAliveSeconds()); // its properties: the client id, made when asked
        record.opened(c.server.engine.connections(), info, this);
        if (c.server.sys != null) {
            c.server.sys.counters.connectedClient();
        }
    }

    /** Why the connection ends, unless a reason was given before. */
    void because(String why) {
        record.because(why);
    }

    /** This server closes the connection with {@code code}: its name and value, and {@code why} when given. */
    void because(ReasonCode code, String why) {
        because(String.format("%s (0x%02X)%s", code.text(), code.code(), why == null ? "" : ": " + why));
    }

    /**
     * The socket closed: the connection leaves the registry and its close line is logged (once); it no longer counts
     * as connected.
     */
    void closed() {
        record.closed();
        ClientSession was = session;
        session = null; // a connected client is counted out once
        if (was != null && c.server.sys != null) {
            c.server.sys.counters.disconnected();
        }
    }

    /**
     * The session as its CONNECT set it up, for the management API's MQTT view: a connected client with no
     * subscription has no session queue to read this from.
     */
    @Override
    public Map<String, Object> sessionDetails() {
        ClientSession s = session;
        return s == null ? Map.of() : Map.of("session_expiry_interval", s.sessionExpiry(), "will", s.will() != null);
    }

    @Override
    public void forceClose(ForcedClose cause, String text) {
        try {
            c.onLoop(() -> {
                boolean shutdown = cause == ForcedClose.SHUTDOWN;
                because(shutdown ? "broker shutting down" : "closed by administrator: " + text);
                c.closeWith(shutdown ? ReasonCode.SERVER_SHUTTING_DOWN : ReasonCode.ADMINISTRATIVE_ACTION, text);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The event loop is shutting down: the connection is going anyway.
        }
    }

}
