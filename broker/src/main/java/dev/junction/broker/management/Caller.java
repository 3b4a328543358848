package dev.junction.broker.management;

import dev.junction.config.UserConfig;
import dev.junction.config.VhostPermission;
import dev.junction.routing.RoutingEngine;
import dev.junction.routing.auth.UserRights;
import dev.junction.routing.auth.backend.Verdict;
import dev.junction.routing.guard.LoginThrottle;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authenticated user of one request and what RabbitMQ's tag model lets it do (RabbitMQ docs, "Management
 * Plugin", permissions): {@code administrator} may do everything; {@code monitoring} may read everything and
 * otherwise acts as {@code management}; {@code management} (and {@code policymaker}) sees and changes only the
 * vhosts it has permissions in, and only what those permissions allow; a user with none of these tags may not
 * use the API at all.
 */
record Caller(UserConfig user) {
    private static final Logger LOG = LoggerFactory.getLogger(Caller.class);

    /**
     * HTTP basic auth; every failure is RabbitMQ's 401. {@code login} is the verdict of the {@code auth.backends}
     * chain on the request's credentials (internal users, an HTTP service's {@code allow <tags>}, a JWT given as the
     * password, as RabbitMQ's management plugin takes OAuth 2.0 tokens); null asks the user directory here. The
     * user's tags decide what it may do. Failed logins count in the engine's login throttle like AMQP and MQTT ones
     * (the wait itself is applied before the request is served).
     */
    static Caller authenticate(ApiRequest req, UserDirectory users, RoutingEngine engine, Verdict login) {
        LoginThrottle throttle = engine.loginThrottle();
        String[] credentials = credentials(req.authorization());
        if (credentials == null) {
            throw ApiError.notAuthorised("Not_Authorized");
        }
        String name = credentials[0];
        Optional<UserConfig> user = login == null ? users.find(name).filter(u -> u.checkPassword(credentials[1]))
                : Optional.ofNullable(login.user());
        if (user.isEmpty() && login != null && loopbackOnlyFromElsewhere(users.find(name), credentials[1], req)) {
            // The internal backend refused a loopback-only user's right password: said so, as before backends.
            throttle.succeeded(req.peer(), name);
            throw ApiError.notAuthorised("User can only log in via localhost");
        }
        if (user.isEmpty()) {
            throttle.failed("http", req.peer(), name);
            // One line per source address per interval, like failed AMQP and MQTT logins.
            engine.clientWarnings().warn(LOG, req.peer(), "management API: login failed for user '{}' from {}",
                    name, req.peer() == null ? "unknown" : req.peer().getHostAddress());
            throw ApiError.notAuthorised("Login failed");
        }
        throttle.succeeded(req.peer(), name);
        if (user.get().loopbackOnly() && (req.peer() == null || !req.peer().isLoopbackAddress())) {
            throw ApiError.notAuthorised("User can only log in via localhost");
        }
        Caller caller = new Caller(user.get());
        if (!caller.isManagementUser()) {
            throw ApiError.notAuthorised("Not management user");
        }
        return caller;
    }

    private static boolean loopbackOnlyFromElsewhere(Optional<UserConfig> user, String password, ApiRequest req) {
        return user.isPresent() && user.get().loopbackOnly()
                && (req.peer() == null || !req.peer().isLoopbackAddress()) && user.get().checkPassword(password);
    }

    /** The user name a basic auth header claims, or null (used to look up the login throttle before checking). */
    static String claimedUser(String authorization) {
        String[] c = credentials(authorization);
        return c == null ? null : c[0];
    }

    static String[] credentials(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    String name() {
        return user.name();
    }

    boolean isAdministrator() {
        return user.hasTag("administrator");
    }

    boolean isMonitoring() {
        return isAdministrator() || user.hasTag("monitoring");
    }

    boolean isManagementUser() {
        return isMonitoring() || user.hasTag("management") || user.hasTag("policymaker");
    }

    /** Whether lists show objects of {@code vhost} to this caller. */
    boolean canSee(String vhost) {
        return isMonitoring() || user.permissionsFor(vhost).isPresent();
    }

    void requireAdministrator() {
        if (!isAdministrator()) {
            throw ApiError.notAuthorised("Not administrator user");
        }
    }

    void requireMonitoring() {
        if (!isMonitoring()) {
            throw ApiError.notAuthorised("Not monitor user");
        }
    }

    /** Reading one object of {@code vhost}: monitoring users see every vhost, others only their own. */
    void requireVisible(String vhost) {
        if (!canSee(vhost)) {
            throw ApiError.notAuthorised("Access refused.");
        }
    }

    /** A change to {@code resource} in {@code vhost} needs the same permission as the AMQP operation would. */
    void require(String vhost, Access access, String resource) {
        if (isAdministrator()) {
            return;
        }
        VhostPermission p = user.permissionsFor(vhost).orElseThrow(() -> ApiError.notAuthorised("Access refused."));
        boolean ok = switch (access) {
            case CONFIGURE -> p.canConfigure(resource);
            case WRITE -> p.canWrite(resource);
            case READ -> p.canRead(resource);
        };
        if (!ok) {
            throw ApiError.notAuthorised("access to " + resource + " in vhost '" + vhost + "' refused for user '"
                    + name() + "'");
        }
    }

    /**
     * The engine's cross-protocol rules (MQTT session queues of other users, topic permissions, MQTT ACLs), which
     * hold over the API as over AMQP: a refusal there is a 401 here.
     */
    void check(String refusal) {
        if (refusal != null) {
            throw ApiError.notAuthorised(refusal);
        }
    }

    UserRights rights(RoutingEngine engine, String vhost) {
        return engine.authorization().rights(user, vhost, null);
    }

    enum Access { CONFIGURE, WRITE, READ }
}
