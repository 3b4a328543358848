package dev.junction.broker.management;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.config.JunctionConfig;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.api.BrokerException;
import dev.junction.routing.auth.backend.Credentials;
import dev.junction.routing.auth.backend.Verdict;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RabbitMQ's management HTTP API on the http listener. The listener hands over every request under {@code /api};
 * it is copied off the event loop and served on the admin executor, since it may wait for queue mailboxes.
 * Everything goes through the engine's public API; nothing here knows a protocol adapter.
 */
public final class ManagementApi {
    private static final Logger LOG = LoggerFactory.getLogger(ManagementApi.class);
    static final ObjectMapper JSON = new ObjectMapper();

    private final Executor work;
    private final Router router;
    private final RoutingEngine engine;
    private final UserDirectory users;

    /** An API without a config file to reload and without connections to close ({@link BrokerControl#NONE}). */
    public ManagementApi(RoutingEngine engine, JunctionConfig config, Executor work) {
        this(engine, config, work, BrokerControl.NONE);
    }

    /** {@code control}: the broker's config reload and connection closing, which the API's changes call on. */
    public ManagementApi(RoutingEngine engine, JunctionConfig config, Executor work, BrokerControl control) {
        this(engine, config, work, control, new MessageRates(engine));
    }

    /** {@code rates}: the sampler whose windows give {@code message_stats} their rates (the broker runs it). */
    public ManagementApi(RoutingEngine engine, JunctionConfig config, Executor work, BrokerControl control,
                         MessageRates rates) {
        this.work = work;
        this.engine = engine;
        this.users = new UserDirectory(engine);
        this.router = new Router(engine, users, config, control, rates);
    }

    /**
     * Loads the users into the engine's directory at start: those the API stored earlier (USER definitions), with
     * the config file's {@code fileUsers} laid over them. Call once, before any listener accepts a login.
     */
    public static void loadUsers(RoutingEngine engine, java.util.List<dev.junction.config.UserConfig> fileUsers) {
        UserDirectory.load(engine.authorization().users(), fileUsers, engine.store().definitions());
    }

    /**
     * Applies a user (with its permissions and topic permissions) that a cluster's metadata log committed, as the
     * API on some node stored it; {@code delete}: the user was deleted there. On the log's apply thread.
     */
    public static void applyReplicatedUser(RoutingEngine engine, dev.junction.storage.Definition user,
                                           boolean delete) {
        UserDirectory.applyReplicated(engine.authorization().users(), user, delete);
    }

    /** True for the paths this API serves; the listener keeps the others. */
    public static boolean handles(String uri) {
        return uri.equals("/api") || uri.startsWith("/api/") || uri.startsWith("/api?");
    }

    /** Serves one request; the response is written from the admin executor. */
    public void serve(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        InetAddress peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        ApiRequest request;
        try {
            request = ApiRequest.of(req.method().name(), req.uri(), req.headers().get(HttpHeaderNames.AUTHORIZATION),
                    ByteBufUtil.getBytes(req.content()), peer, req.headers().get("X-Reason"));
        } catch (ApiError e) {
            write(ctx, keepAlive, error(e));
            return;
        }
        // An address or user with recent failed logins waits before its credentials are checked, as over AMQP
        // and MQTT; the wait is a timer on the event loop, so it holds up nobody else.
        long delay = engine.loginThrottle().delayBefore("http", peer, Caller.claimedUser(request.authorization()));
        if (delay > 0) {
            ctx.executor().schedule(() -> dispatch(ctx, keepAlive, request), delay, TimeUnit.MILLISECONDS);
        } else {
            dispatch(ctx, keepAlive, request);
        }
    }

    private void dispatch(ChannelHandlerContext ctx, boolean keepAlive, ApiRequest request) {
        String[] credentials = Caller.credentials(request.authorization());
        var backends = engine.authBackends();
        if (credentials != null && backends.isPresent()) {
            // The login goes through auth.backends as AMQP and MQTT logins do (internal users, an HTTP service, a
            // token as the password); a backend that needs I/O or a slow hash answers off this thread.
            List<String> vhosts = engine.vhosts().stream().map(v -> v.name()).sorted().toList();
            backends.get().chain().authenticate(new Credentials("http", credentials[0], credentials[1], request.peer(),
                    vhosts)).whenComplete((verdict, e) -> submit(ctx, keepAlive, request,
                            verdict != null ? verdict : Verdict.error("auth backend failed: " + e)));
            return;
        }
        // A PBKDF2 password check is slow on purpose: it runs on the password-check pool first, so the admin thread
        // answers from the remembered outcome instead of stalling every other API request.
        if (credentials != null) {
            var user = users.find(credentials[0]);
            if (user.isPresent()) {
                user.get().preparePasswordCheck(credentials[1]).whenComplete((ok, e) -> submit(ctx, keepAlive, request));
                return;
            }
        }
        submit(ctx, keepAlive, request);
    }

    private void submit(ChannelHandlerContext ctx, boolean keepAlive, ApiRequest request) {
        submit(ctx, keepAlive, request, null);
    }

    private void submit(ChannelHandlerContext ctx, boolean keepAlive, ApiRequest request, Verdict login) {
        try {
            work.execute(() -> write(ctx, keepAlive, answer(request, login)));
        } catch (RejectedExecutionException e) {
            write(ctx, keepAlive, error(new ApiError(503, "service_unavailable", "the broker is stopping")));
        }
    }

    ApiResponse answer(ApiRequest request) {
        return answer(request, null);
    }

    /** {@code login}: the auth backends' verdict on the request's credentials, or null to check the users here. */
    ApiResponse answer(ApiRequest request, Verdict login) {
        try {
            return router.route(request, login);
        } catch (ApiError e) {
            return error(e);
        } catch (BrokerException e) {
            return error(fromEngine(e));
        } catch (RuntimeException e) {
            LOG.warn("management request {} {} failed", request.method(), String.join("/", request.segments()), e);
            return error(new ApiError(500, "internal_error", String.valueOf(e.getMessage())));
        }
    }

    /** The engine's refusals as RabbitMQ's API reports them: a missing object is 404, the rest a 400 with the text. */
    static ApiError fromEngine(BrokerException e) {
        return switch (e.kind()) {
            case NOT_FOUND -> ApiError.notFound();
            case ACCESS_REFUSED -> new ApiError(403, "access_refused", e.getMessage());
            case INTERNAL_ERROR -> new ApiError(500, "internal_error", e.getMessage());
            default -> ApiError.badRequest(e.getMessage());
        };
    }

    private static ApiResponse error(ApiError e) {
        ApiResponse r = ApiResponse.json(e.status(), Map.of("error", e.error(), "reason", e.reason()));
        // RFC 7235: a 401 names the scheme; RabbitMQ's realm, so browsers and tools prompt the same way.
        return e.status() == 401 ? r.withHeader("WWW-Authenticate", "Basic realm=\"RabbitMQ Management\"") : r;
    }

    private static void write(ChannelHandlerContext ctx, boolean keepAlive, ApiResponse r) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(r.body()));
        if (r.body().length > 0) {
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        }
        r.headers().forEach((k, v) -> res.headers().set(k, v));
        HttpUtil.setContentLength(res, res.content().readableBytes());
        HttpUtil.setKeepAlive(res, keepAlive);
        var written = ctx.writeAndFlush(res);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    static Map<String, Object> parseObject(byte[] body) {
        if (body.length == 0) {
            return Map.of();
        }
        try {
            Object v = JSON.readValue(body, Object.class);
            if (v instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, Object> map = (Map<String, Object>) m;
                return map;
            }
        } catch (IOException e) {
            throw ApiError.badRequest("malformed JSON: " + firstLine(e.getMessage()));
        }
        throw ApiError.badRequest("the body must be a JSON object");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
