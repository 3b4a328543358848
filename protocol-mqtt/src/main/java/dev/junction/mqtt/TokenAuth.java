package dev.junction.mqtt;

import dev.junction.routing.auth.backend.AuthBackends;
import dev.junction.routing.auth.backend.AuthChain;
import dev.junction.routing.auth.backend.Credentials;
import dev.junction.routing.auth.backend.Verdict;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OAuth 2.0 access token (a JWT) in MQTT 5 enhanced authentication (section 4.12), verified by the {@code jwt}
 * backend of {@code auth.backends} as a token given as the password is. Two Authentication Methods carry it:
 * <ul>
 *   <li>{@code OAUTHBEARER}: the Authentication Data is SASL OAUTHBEARER's client response (RFC 7628 section 3.1,
 *       {@link OAuthBearer}), {@code n,,\x01auth=Bearer <token>\x01\x01};</li>
 *   <li>{@code JWT}: the Authentication Data is the token itself (its compact serialization, UTF-8).</li>
 * </ul>
 * One step: the CONNECT carries the token and the CONNACK answers (no AUTH challenge). A token that is malformed or
 * refused is CONNACK 0x86 Bad user name or password, a user without access to the MQTT vhost 0x87, as for a token
 * given as the password; the connection then ends when the token expires. Re-authentication (section 4.12.1): AUTH
 * Re-authenticate with the same method and a renewed token, answered AUTH Success; the connection then lives until
 * the new token's expiry, and its scopes are the connection's rights from the next packet on. A token that is
 * refused, names another user ({@code sub}) or grants no access to the MQTT vhost ends the connection with DISCONNECT
 * 0x87 [MQTT-4.12.1-2]. Verification waits, off the event loop, for the JWKS only when the token names a key not
 * fetched yet. Owned by the event loop.
 */
final class TokenAuth {
    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);
    /** The backend that verifies tokens. */
    private static final String BACKEND = "jwt";
    static final String OAUTHBEARER = "OAUTHBEARER";
    static final String JWT = "JWT";

    private final MqttConnection c;
    private final Login login;
    private final EnhancedAuth auth;

    TokenAuth(MqttConnection c, Login login, EnhancedAuth auth) {
        this.c = c;
        this.login = login;
        this.auth = auth;
    }

    /** Whether {@code method} is a token method this broker speaks: one of the two, with a {@code jwt} backend. */
    boolean speaks(String method) {
        return (OAUTHBEARER.equals(method) || JWT.equals(method)) && chain()
                .map(ch -> ch.backendNames().contains(BACKEND)).orElse(false);
    }

    /** The CONNECT's token is verified, then the CONNECT handled with the verdict (refused when it is a no). */
    void connect(MqttConnectMessage m, String method, byte[] data) {
        CompletableFuture<Verdict> verdict = verify(method, data, m.payload().clientIdentifier());
        if (verdict.isDone()) {
            login.connect(m, verdict.join());
            return;
        }
        login.hold(); // packets after the CONNECT wait, in order, until it is handled
        verdict.whenComplete((v, e) -> c.onLoop(() -> login.connect(m, v))); // verify never fails
    }

    /** AUTH Re-authenticate with a renewed token; {@code done} runs on the loop once it is decided. */
    void reauthenticate(String method, byte[] data, Runnable done) {
        verify(method, data, c.clientId()).whenComplete((v, e) -> c.onLoop(() -> {
            done.run();
            if (c.state == MqttConnection.State.CONNECTED) {
                renew(method, v);
            }
        }));
    }

    private void renew(String method, Verdict v) {
        if (!v.allowed()) {
            auth.reauthFailed(v.reason());
            return;
        }
        String user = c.user().name();
        if (!v.user().name().equals(user)) {
            // A connection does not change its user [MQTT-4.12.1-2].
            auth.reauthFailed("the token names another user ('" + v.user().name() + "')");
            return;
        }
        Access.Outcome outcome = c.server.access.authenticate(null, null, v, c.address(), null);
        if (outcome.refusal() != null) {
            auth.reauthFailed(outcome.because().because("'" + c.server.config.vhost() + "'"));
            return;
        }
        // The new scopes apply from the next packet; the connection lives until the new expiry.
        c.topics.rights().renewed(v.user());
        c.login.credentialExpiresAt(v.expiresAt(), c.clientId(), user);
        auth.send(ReasonCode.SUCCESS, null);
        LOG.debug("MQTT client '{}' ({}) re-authenticated with a renewed token ({})", c.clientId(), c.remote(),
                method);
    }

    /** The jwt backend's verdict on the token in {@code data}; never completes exceptionally. */
    private CompletableFuture<Verdict> verify(String method, byte[] data, String clientId) {
        String token;
        String authorizationId = null;
        if (OAUTHBEARER.equals(method)) {
            try {
                OAuthBearer.ClientResponse r = OAuthBearer.read(data);
                token = r.token();
                authorizationId = r.authorizationId();
            } catch (OAuthBearer.Malformed e) {
                return CompletableFuture.completedFuture(Verdict.deny("malformed OAUTHBEARER message: "
                        + e.getMessage()));
            }
        } else {
            token = new String(data, StandardCharsets.UTF_8);
        }
        AuthChain chain = chain().orElse(null);
        if (chain == null) {
            return CompletableFuture.completedFuture(Verdict.deny("no auth backends"));
        }
        String acting = authorizationId;
        return chain.authenticateWith(BACKEND, new Credentials("mqtt", null, token, c.address(),
                List.of(c.server.config.vhost()), clientId)).handle((v, e) -> {
                    if (v == null) {
                        return Verdict.error("token check failed: " + e);
                    }
                    if (v.allowed() && acting != null && !acting.equals(v.user().name())) {
                        // Acting as another identity is not offered (as with SCRAM).
                        return Verdict.deny("the authorization identity is not the token's user");
                    }
                    return v;
                });
    }

    private Optional<AuthChain> chain() {
        return c.server.engine == null ? Optional.empty()
                : c.server.engine.authBackends().map(AuthBackends::chain);
    }
}
