package dev.junction.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * MQTT over WebSocket: an HTTP upgrade on path {@code /mqtt} with subprotocol {@code mqtt}, then binary frames
 * carry the MQTT byte stream (a packet may span frames, a frame may hold several packets [MQTT-6.0.0-2];
 * the subprotocol is {@code mqtt} [MQTT-6.0.0-4]). Shares its {@link MqttServer} with {@link MqttChannelInitializer} built for the same engine.
 */
public final class MqttWebSocketInitializer extends ChannelInitializer<SocketChannel> {
    private final MqttServer server;

    public MqttWebSocketInitializer(MqttServer server) {
        this.server = server;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast("ws-login-cap", new LoginByteCap(server));
        addWebSocket(ch.pipeline(), server.maxPacketSize);
        MqttChannelInitializer.addMqttHandlers(ch.pipeline(), server);
    }

    /** HTTP upgrade and WebSocket framing, up to the MQTT byte stream (what the fuzz tests drive). */
    static void addWebSocket(ChannelPipeline p, int maxPacketSize) {
        p.addLast("http", new HttpServerCodec());
        p.addLast("http-aggregator", new HttpObjectAggregator(65_536));
        p.addLast("websocket", new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/mqtt").subprotocols("mqtt").maxFramePayloadLength(Math.max(maxPacketSize, 65_536))
                .build()));
        p.addLast("not-websocket", new NotWebSocket());
        p.addLast("ws-in", new FramesToBytes());
        p.addLast("ws-out", new BytesToFrames());
    }

    /**
     * Closes a connection that sends more than {@link #MAX_BYTES} before its CONNECT is accepted. The WebSocket
     * decoder buffers a frame whole (up to the maximum packet size) before the MQTT guard sees its first byte, so
     * without this a socket that never logs in could make the broker hold a frame of {@code max_message_size} for
     * the handshake timeout. A login needs the upgrade request (HTTP codec and aggregator limits, under 80 KiB) and
     * a CONNECT of at most {@link PacketGuard#MAX_PACKET_SIZE_UNAUTHENTICATED}.
     */
    static final class LoginByteCap extends ChannelInboundHandlerAdapter {
        static final int MAX_BYTES = 256 * 1024;
        private final MqttServer server;
        private long received;

        LoginByteCap(MqttServer server) {
            this.server = server;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf) {
                received += buf.readableBytes();
                if (received > MAX_BYTES) {
                    buf.release();
                    java.net.InetAddress source = ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a
                            ? a.getAddress() : null;
                    server.engine.clientWarnings().warn(Violations.LINES::warn, source,
                            "MQTT over WebSocket from {} sent more than {} bytes before its CONNECT was accepted;"
                                    + " closing", ctx.channel().remoteAddress(), MAX_BYTES);
                    ctx.close();
                    return;
                }
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == dev.junction.routing.api.HandshakeCompleted.INSTANCE) {
                ctx.pipeline().remove(this); // logged in: the packet and frame limits apply from here
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    /**
     * An HTTP request the upgrade handler passed on: another path, or a request it could not parse. Answered here
     * (404 or 400, then close, as an HTTP server does) instead of travelling on to the MQTT connection, which
     * takes only MQTT packets (found by fuzzing: it failed there with a ClassCastException and the client got no
     * answer).
     */
    private static final class NotWebSocket extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof HttpRequest request)) {
                ctx.fireChannelRead(msg);
                return;
            }
            HttpResponseStatus status = request.decoderResult().isFailure()
                    ? HttpResponseStatus.BAD_REQUEST : HttpResponseStatus.NOT_FOUND;
            ReferenceCountUtil.release(msg);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Binary and continuation frames in, their bytes out; MQTT over text frames is not allowed [MQTT-6.0.0-1]. */
    private static final class FramesToBytes extends MessageToMessageDecoder<WebSocketFrame> {
        @Override
        protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
            if (frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
                out.add(frame.content().retain());
            } else {
                ctx.close();
            }
        }
    }

    private static final class BytesToFrames extends MessageToMessageEncoder<ByteBuf> {
        @Override
        protected void encode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
            out.add(new BinaryWebSocketFrame(msg.retain()));
        }
    }
}
