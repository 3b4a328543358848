package dev.junction.broker;

import dev.junction.broker.management.ManagementApi;
import dev.junction.routing.api.HandshakeCompleted;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The operator's HTTP endpoint: {@code /metrics} in Prometheus text format and {@code /health} without auth; every
 * path under {@code /api} goes to the management API, which authenticates; the web dashboard's page at {@code /} and
 * its files under {@code /dashboard/} are served from memory without auth (the page calls the API with the user's
 * credentials). Scrapes run off the event loop, since a large registry takes a while to render.
 */
final class HttpListener {
    private final PrometheusMeterRegistry registry;
    private final Executor work;
    private final ConnectionGate gate;
    private final Duration idleTimeout;
    private final ServerTls tls;
    private final Health health;
    /** Set once the engine is recovered; until then /api answers 503, as /health does. */
    private volatile ManagementApi management;
    private final DashboardFiles dashboard = DashboardFiles.load();
    private Channel server;

    /**
     * @param gate        the admission every listener shares: HTTP connections count against max_connections
     * @param idleTimeout how long a connection may wait for its next request before it is closed
     * @param tls         HTTPS when given, plain HTTP when null
     * @param health      what /health answers
     */
    HttpListener(PrometheusMeterRegistry registry, Executor work, ConnectionGate gate, Duration idleTimeout,
                 ServerTls tls, Health health) {
        this.registry = registry;
        this.work = work;
        this.gate = gate;
        this.idleTimeout = idleTimeout;
        this.tls = tls;
        this.health = health;
    }

    /** Serves every path under /api with {@code api} from now on. */
    void serveApi(ManagementApi api) {
        this.management = api;
    }

    InetSocketAddress start(ServerBootstrap bootstrap, String bind, int port)
            throws InterruptedException {
        server = bootstrap
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("gate", gate.newSlot())
                                .addLast(new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
                        if (tls != null) {
                            tls.install(ch);
                        }
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), new Handler());
                    }
                })
                .bind(bind, port).sync().channel();
        return (InetSocketAddress) server.localAddress();
    }

    void stop() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private boolean requested;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close(); // idle (or never sent a request): a scraper reconnects when it needs to
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (!requested) {
                requested = true;
                // A complete request: the connection is through its "handshake" as far as admission goes.
                ctx.pipeline().fireUserEventTriggered(HandshakeCompleted.INSTANCE);
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (ManagementApi.handles(req.uri())) {
                ManagementApi api = management;
                if (api == null) {
                    respond(ctx, keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE, "application/json",
                            "{\"error\":\"starting\",\"reason\":\"the broker is recovering its store\"}\n");
                } else {
                    api.serve(ctx, req);
                }
                return;
            }
            String path = new QueryStringDecoder(req.uri()).path();
            if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
                respond(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "use GET\n");
                return;
            }
            var file = dashboard.find(path);
            if (file.isPresent()) {
                write(ctx, keepAlive, DashboardFiles.response(file.get(), req.method().equals(HttpMethod.HEAD),
                        req.headers().get(HttpHeaderNames.IF_NONE_MATCH)));
                return;
            }
            switch (path) {
                case "/metrics" -> work.execute(() -> respond(ctx, keepAlive, HttpResponseStatus.OK,
                        "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
                case "/health" -> {
                    Health.Answer answer = health.answer();
                    respond(ctx, keepAlive, HttpResponseStatus.valueOf(answer.status()), "application/json",
                            answer.body());
                }
                default -> respond(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, "text/plain",
                        "not found; try /, /metrics or /health\n");
            }
        }

        private void respond(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status,
                             String contentType, String body) {
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
            HttpUtil.setContentLength(res, res.content().readableBytes());
            write(ctx, keepAlive, res);
        }

        private void write(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse res) {
            HttpUtil.setKeepAlive(res, keepAlive);
            var written = ctx.writeAndFlush(res);
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
