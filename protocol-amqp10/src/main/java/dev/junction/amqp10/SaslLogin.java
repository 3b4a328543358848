package dev.junction.amqp10;

import dev.junction.config.UserConfig;
import dev.junction.routing.auth.Refusal;
import dev.junction.routing.auth.SaslPlain;
import dev.junction.routing.auth.backend.Credentials;
import dev.junction.routing.auth.backend.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.qpid.proton.engine.Sasl;
import org.apache.qpid.proton.engine.SaslListener;
import org.apache.qpid.proton.engine.Transport;

/**
 * The SASL layer of a connection [AMQP 1.0 part 5 section 5.3]: PLAIN (RFC 4616) checked by the same login chain
 * as AMQP 0-9-1 ({@code auth.backends}, where the internal backend applies the users' passwords and their
 * loopback-only rule), EXTERNAL where a verified TLS client certificate names a user, and ANONYMOUS only where
 * the module was given a user for it. The login throttle delays every attempt from an address or for a user with
 * recent failures, and the check itself may answer later (a slow password hash, an HTTP backend): the socket is
 * not read meanwhile and the outcome is sent from the event loop. A refused login gets the outcome {@code auth} and
 * the socket is closed.
 */
final class SaslLogin implements SaslListener {
    static final String PLAIN = "PLAIN";
    static final String ANONYMOUS = "ANONYMOUS";
    static final String EXTERNAL = "EXTERNAL";
    private static final String THROTTLE_PROTOCOL = "amqp10";

    private final Amqp10Connection conn;
    private final Amqp10Server server;
    private final Consumer<UserConfig> loggedIn;
    private boolean asked;

    SaslLogin(Amqp10Connection conn, Amqp10Server server, Consumer<UserConfig> loggedIn) {
        this.conn = conn;
        this.server = server;
        this.loggedIn = loggedIn;
    }

    /**
     * Makes {@code sasl} the server side, offering the mechanisms the connection allows: EXTERNAL first where a
     * verified TLS client certificate names a user (as RabbitMQ offers it), PLAIN, and ANONYMOUS where allowed.
     */
    void offer(Sasl sasl) {
        sasl.server();
        List<String> mechanisms = new ArrayList<>();
        if (conn.certificateIdentity() != null) {
            mechanisms.add(EXTERNAL);
        }
        mechanisms.add(PLAIN);
        if (server.settings().anonymousAllowed()) {
            mechanisms.add(ANONYMOUS);
        }
        sasl.setMechanisms(mechanisms.toArray(new String[0]));
        sasl.setListener(this);
    }

    /** The user an anonymous login acts as; only called when anonymous logins are allowed. */
    UserConfig anonymous() {
        String name = server.settings().anonymousUser();
        return user(name).orElseThrow(() -> dev.junction.amqp10.Refusal.connection(Condition.UNAUTHORIZED_ACCESS,
                "the anonymous user '" + name + "' does not exist"));
    }

    /** A user of the broker's directory (or, for a module started on its own, of its settings). */
    private Optional<UserConfig> user(String name) {
        var directory = server.engine().authorization().users();
        return directory.loaded() ? directory.find(name)
                : server.settings().users().stream().filter(u -> u.name().equals(name)).findFirst();
    }

    @Override
    public void onSaslInit(Sasl sasl, Transport transport) {
        if (asked) {
            return;
        }
        asked = true;
        String[] offered = sasl.getRemoteMechanisms();
        String mechanism = offered.length == 0 ? "" : offered[0];
        byte[] response = new byte[Math.max(0, sasl.pending())];
        sasl.recv(response, 0, response.length);
        if (mechanism.equals(ANONYMOUS) && server.settings().anonymousAllowed()) {
            accepted(sasl, anonymous());
            return;
        }
        if (mechanism.equals(EXTERNAL)) {
            external(sasl, new String(response, StandardCharsets.UTF_8));
            return;
        }
        String[] credentials = mechanism.equals(PLAIN) ? SaslPlain.credentials(response) : null;
        if (credentials == null) {
            refused(sasl, null, mechanism.equals(ANONYMOUS) ? Refusal.ANONYMOUS : Refusal.BAD_CREDENTIALS,
                    mechanism, "unsupported or malformed " + mechanism + " response");
            return;
        }
        var throttle = server.engine().loginThrottle();
        long delay = throttle.delayBefore(THROTTLE_PROTOCOL, conn.peerAddress(), credentials[0]);
        conn.outlet().hold(true); // nothing more is read until the outcome is out
        Runnable check = () -> server.logins().authenticate(new Credentials(THROTTLE_PROTOCOL, credentials[0],
                credentials[1], conn.peerAddress(), server.engine().vhostNames())).whenComplete((verdict, error) ->
                conn.onLoop(() -> decide(sasl, credentials[0], verdict, error)));
        if (delay > 0) {
            conn.schedule(check, delay);
        } else {
            check.run();
        }
    }

    /**
     * EXTERNAL (RFC 4422 appendix A): the identity is the verified certificate's; an authorization identity, when
     * sent, must be that same name, since one user may not act as another. The loopback-only rule still applies.
     */
    private void external(Sasl sasl, String authzid) {
        String identity = conn.certificateIdentity();
        Optional<UserConfig> user = identity == null ? Optional.empty() : user(identity);
        boolean remote = conn.peerAddress() == null || !conn.peerAddress().isLoopbackAddress();
        Refusal kind = identity == null || !authzid.isEmpty() && !authzid.equals(identity) ? Refusal.BAD_CREDENTIALS
                : user.isEmpty() ? Refusal.NO_CERTIFICATE_USER
                : user.get().loopbackOnly() && remote ? Refusal.LOOPBACK_ONLY : null;
        if (kind != null) {
            String why = identity == null ? "without a verified client certificate identity"
                    : kind == Refusal.BAD_CREDENTIALS
                            ? "authorization identity does not match the certificate's '" + identity + "'"
                    : "certificate names '" + identity + "'";
            refused(sasl, identity, kind, EXTERNAL, why);
            return;
        }
        server.engine().loginThrottle().succeeded(conn.peerAddress(), identity);
        accepted(sasl, user.get());
    }

    private void decide(Sasl sasl, String claimed, Verdict verdict, Throwable error) {
        conn.outlet().hold(false);
        if (error != null || verdict == null || !verdict.allowed()) {
            Refusal kind = error != null || verdict == null ? Refusal.BACKEND_UNAVAILABLE
                    : verdict.refusal() != null ? verdict.refusal() : Refusal.BAD_CREDENTIALS;
            refused(sasl, claimed, kind, PLAIN, error != null ? "auth backend failed: " + error
                    : verdict == null ? "no verdict" : verdict.reason());
            return;
        }
        server.engine().loginThrottle().succeeded(conn.peerAddress(), verdict.user().name());
        accepted(sasl, verdict.user());
    }

    private void accepted(Sasl sasl, UserConfig user) {
        loggedIn.accept(user);
        sasl.done(Sasl.SaslOutcome.PN_SASL_OK);
        conn.written();
    }

    /**
     * One log line in {@link Refusal}'s words, the same as AMQP 0-9-1's and MQTT's, with the mechanism and the
     * backend's reason in brackets as 0-9-1 gives them; the client gets the SASL outcome {@code auth} only.
     */
    private void refused(Sasl sasl, String claimed, Refusal kind, String mechanism, String why) {
        server.engine().loginThrottle().failed(THROTTLE_PROTOCOL, conn.peerAddress(), claimed);
        String because = kind.words() + " (" + mechanism + ": " + why + ")";
        conn.warn(Refusal.LOGIN_REFUSED, "AMQP 1.0", claimed, conn.peer(), because);
        conn.because("login refused: " + because);
        sasl.done(Sasl.SaslOutcome.PN_SASL_AUTH);
        conn.endAfterOutput();
    }


    @Override
    public void onSaslMechanisms(Sasl sasl, Transport transport) {
    }

    @Override
    public void onSaslChallenge(Sasl sasl, Transport transport) {
    }

    @Override
    public void onSaslResponse(Sasl sasl, Transport transport) {
    }

    @Override
    public void onSaslOutcome(Sasl sasl, Transport transport) {
    }
}
