package dev.junction.amqp;

import dev.junction.amqp.codec.AmqpException;
import dev.junction.amqp.codec.ReplyCode;
import dev.junction.routing.api.ChannelInfo;
import dev.junction.routing.api.ClientConnection;
import dev.junction.routing.api.ClientProtocol;
import dev.junction.routing.api.ConnectionInfo;
import dev.junction.routing.api.ConnectionRecord;
import dev.junction.routing.api.ConnectionRegistry;
import dev.junction.routing.api.ForcedClose;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection's entry in the engine's {@link ConnectionRegistry}, from connection.open until its socket closes,
 * and its two INFO lines: one when it opens (peer, user, vhost, connection name) and one when it closes, with the
 * reason. The reason is the first one given: the client's connection.close, a hard error with its reply code,
 * missed heartbeats, an administrator's close or the broker's shutdown; a socket that closes without any of them
 * was closed by the client. A close from the registry becomes connection.close 320 CONNECTION_FORCED with the
 * reason as text, as RabbitMQ sends it [AMQP 0-9-1 connection.close; RabbitMQ's management "close connection"].
 * Event-loop only, except the {@link ClientConnection} calls, which move onto it.
 */
final class ConnectionEntry implements ClientConnection {
    private static final Logger LOG = LoggerFactory.getLogger(AmqpConnection.class);
    private final AmqpConnection conn;
    private final ChannelHandlerContext ctx;
    private final ChannelTable channels;
    private final ConnectionRecord record = new ConnectionRecord(LOG);

    ConnectionEntry(AmqpConnection conn, ChannelHandlerContext ctx, ChannelTable channels) {
        this.conn = conn;
        this.ctx = ctx;
        this.channels = channels;
    }

    /** connection.open succeeded: the connection is listed from now, and its open line logged. */
    void opened(ConnectionTerms terms, ConnectionRegistry registry) {
        ConnectionInfo info = ConnectionInfo.of(ClientProtocol.AMQP_0_9_1,
                ConnectionRecord.inet(ctx.channel().remoteAddress()), ConnectionRecord.inet(ctx.channel().localAddress()),
                ctx.pipeline().get(SslHandler.class) != null, terms.user().name(), terms.vhost().name(), null,
                terms.clientProperties(), terms.tuning().heartbeatSeconds());
        record.opened(registry, info, this);
    }

    /** Why the connection ends, unless a reason was given before. */
    void because(String why) {
        record.because(why);
    }

    /** The socket closed: the connection leaves the registry and its close line is logged (once). */
    void closed() {
        record.closed();
    }

    @Override
    public void forceClose(ForcedClose cause, String text) {
        onLoop(() -> {
            if (!conn.isOpen()) {
                return;
            }
            boolean shutdown = cause == ForcedClose.SHUTDOWN;
            because(shutdown ? "broker shutting down" : "closed by administrator: " + text);
            conn.fail(AmqpException.connection(ReplyCode.CONNECTION_FORCED, text));
        });
    }

    @Override
    public CompletableFuture<List<ChannelInfo>> channels() {
        CompletableFuture<List<ChannelInfo>> answer = new CompletableFuture<>();
        onLoop(() -> answer.complete(channels.infos()));
        return answer;
    }

    private void onLoop(Runnable r) {
        try {
            ctx.executor().execute(r);
        } catch (RejectedExecutionException e) {
            // The event loop is shutting down: the connection is going anyway.
        }
    }

}
