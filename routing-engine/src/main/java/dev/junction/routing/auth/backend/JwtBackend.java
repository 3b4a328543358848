package dev.junction.routing.auth.backend;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.junction.config.AuthConfig;
import dev.junction.config.UserConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * OAuth 2.0 access tokens (JWTs) presented as the password, as RabbitMQ's OAuth 2.0 backend takes them.
 *
 * <p>Rules:
 * <ul>
 *   <li>The signature is verified with the configured key: an HMAC secret (HS256/384/512), an RSA or EC public
 *       key (PEM), a JWKS file or a JWKS URL ({@link RemoteJwks}; the key chosen by the token's {@code kid}); a
 *       token signed otherwise, or with {@code alg: none}, is refused.</li>
 *   <li>{@code exp} is required and must be in the future, {@code nbf} (if present) in the past, both within
 *       {@code clock_skew_seconds}; {@code aud} must contain {@code audience} (default: the resource server id, as
 *       RabbitMQ's {@code verify_aud}); {@code iss} must equal {@code issuer} when one is configured.</li>
 *   <li>The user is named by the claim {@code user_claim} (default {@code sub}); the user name the client sent is
 *       ignored, as RabbitMQ does. Its rights come from the {@code scope} claim ({@link ScopeRights}).</li>
 *   <li>The acceptance lasts until {@code exp}: adapters end the connection then, unless it is renewed (AMQP
 *       {@code connection.update-secret}).</li>
 * </ul>
 * Verification is CPU work, done on the caller's thread; only a token naming a key a JWKS URL has not given yet
 * waits, without blocking, for one fetch of the JWKS ({@link #check}, {@link #verifyAsync}).
 */
public final class JwtBackend implements AuthBackend, AutoCloseable {
    private final AuthConfig.Jwt config;
    private final List<String> vhosts;
    private final String mqttExchange;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    /** The keys of a JWKS URL; null for keys read at start. */
    private final RemoteJwks remote;

    /** @throws IllegalArgumentException when the key material cannot be read */
    public JwtBackend(AuthConfig.Jwt config, List<String> vhosts, String mqttExchange) {
        this.config = config;
        this.vhosts = List.copyOf(vhosts);
        this.mqttExchange = mqttExchange;
        JWKSource<SecurityContext> keys;
        Set<JWSAlgorithm> algorithms = new HashSet<>();
        RemoteJwks fetched = null;
        try {
            if (config.hmacSecret().isPresent()) {
                keys = new ImmutableSecret<>(config.hmacSecret().get().getBytes(StandardCharsets.UTF_8));
                algorithms.addAll(JWSAlgorithm.Family.HMAC_SHA);
            } else if (config.publicKeyFile().isPresent()) {
                keys = new ImmutableJWKSet<>(new JWKSet(publicKey(Files.readString(config.publicKeyFile().get()))));
                algorithms.addAll(JWSAlgorithm.Family.RSA);
                algorithms.addAll(JWSAlgorithm.Family.EC);
            } else if (config.jwksUrl().isPresent()) {
                fetched = new RemoteJwks(config.jwksUrl().get(), config.jwksRefresh());
                keys = fetched;
                algorithms.addAll(JWSAlgorithm.Family.RSA);
                algorithms.addAll(JWSAlgorithm.Family.EC);
            } else {
                keys = new ImmutableJWKSet<>(JWKSet.load(config.jwksFile().orElseThrow().toFile()).toPublicJWKSet());
                algorithms.addAll(JWSAlgorithm.Family.RSA);
                algorithms.addAll(JWSAlgorithm.Family.EC);
            }
        } catch (IOException | ParseException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the JWT key: " + e.getMessage(), e);
        }
        this.remote = fetched;
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        config.issuer().ifPresent(exact::issuer);
        DefaultJWTClaimsVerifier<SecurityContext> verifier = new DefaultJWTClaimsVerifier<>(
                Set.of(config.audience().orElse(config.resourceServerId())), exact.build(), Set.of("exp"), null);
        verifier.setMaxClockSkew((int) config.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(verifier);
    }

    /**
     * A {@code PUBLIC KEY} PEM block (X.509 SubjectPublicKeyInfo) holding an RSA or EC key, read with the JDK alone
     * (nimbus' own PEM reader needs BouncyCastle).
     */
    static JWK publicKey(String pem) throws GeneralSecurityException {
        int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = pem.indexOf("-----END PUBLIC KEY-----");
        if (begin < 0 || end < begin) {
            throw new GeneralSecurityException("no PUBLIC KEY block (PEM, X.509 SubjectPublicKeyInfo)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("the PUBLIC KEY block is not base64");
        }
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        try {
            return new RSAKey.Builder((RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(spec)).build();
        } catch (InvalidKeySpecException notRsa) {
            ECPublicKey ec = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(spec);
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            if (curve == null) {
                throw new GeneralSecurityException("unsupported EC curve");
            }
            return new ECKey.Builder(curve, ec).build();
        }
    }

    @Override
    public String name() {
        return "jwt";
    }

    @Override
    public CompletableFuture<Verdict> check(Credentials c) {
        return verifyAsync(c.password());
    }

    /**
     * The verdict on one token: at once, or, for a token naming a key the JWKS URL has not given yet, after one
     * fetch of the JWKS (rate-limited, see {@link RemoteJwks}). Never completes exceptionally.
     */
    public CompletableFuture<Verdict> verifyAsync(String token) {
        if (remote != null && token != null) {
            String kid = keyId(token);
            if (kid == null || !remote.has(kid)) {
                return remote.refreshFor(kid).handle((ignored, e) -> verify(token));
            }
        }
        return CompletableFuture.completedFuture(verify(token));
    }

    /** The {@code kid} of a signed token's header, or null (not a signed JWT, or none given). */
    private static String keyId(String token) {
        try {
            return com.nimbusds.jwt.SignedJWT.parse(token).getHeader().getKeyID();
        } catch (ParseException | RuntimeException e) {
            return null;
        }
    }

    /** The verdict on one token with the keys known now. */
    public Verdict verify(String token) {
        if (token == null || token.isEmpty()) {
            return Verdict.deny("no token");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            return Verdict.deny("not a JWT");
        } catch (BadJOSEException | JOSEException e) {
            return Verdict.deny("token refused: " + e.getMessage());
        }
        String name;
        try {
            name = claims.getStringClaim(config.userClaim());
        } catch (ParseException e) {
            name = null;
        }
        if (name == null || name.isEmpty()) {
            return Verdict.deny("token has no '" + config.userClaim() + "' claim naming the user");
        }
        UserConfig user = ScopeRights.user(name, scopes(claims), textClaims(claims), config.resourceServerId(), vhosts,
                mqttExchange);
        Instant exp = claims.getExpirationTime().toInstant();
        return Verdict.allowUntil(user, exp);
    }

    /** The claims whose values are strings: the values of variables such as {@code {sub}} in scopes. */
    private static java.util.Map<String, String> textClaims(JWTClaimsSet claims) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        claims.getClaims().forEach((k, v) -> {
            if (v instanceof String s) {
                out.put(k, s);
            }
        });
        return out;
    }

    /** The {@code scope} claim: a space-separated string (RFC 8693 section 4.2) or a list. */
    private static Set<String> scopes(JWTClaimsSet claims) {
        Object scope = claims.getClaim("scope");
        Set<String> out = new LinkedHashSet<>();
        if (scope instanceof String s) {
            for (String part : s.trim().split("\\s+")) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
        } else if (scope instanceof List<?> list) {
            for (Object o : new ArrayList<>(list)) {
                out.add(String.valueOf(o));
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (remote != null) {
            remote.close();
        }
    }
}
