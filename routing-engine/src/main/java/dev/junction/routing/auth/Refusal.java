package dev.junction.routing.auth;

/**
 * Why a login or an operation was refused, in the words every protocol logs, so that an operator reading the log
 * finds the same phrase whichever protocol the client spoke. A refused login is one line in the form of
 * {@link #LOGIN_REFUSED}: who (the protocol, and the MQTT client id), the user claimed, the peer and
 * {@link #because}, e.g. {@code MQTT client 'd1' login refused for user 'alice' from 203.0.113.7: bad credentials}.
 * The client is told only what its protocol says (AMQP 403/530, an MQTT CONNACK code), never these details.
 */
public enum Refusal {
    /** Unknown user, wrong password or token, or every backend said no. */
    BAD_CREDENTIALS("bad credentials"),
    /** RabbitMQ's loopback-only rule: the user may connect from the broker's own host only. */
    LOOPBACK_ONLY("loopback-only user connecting from another host"),
    /** The user has no permission in the vhost asked for (or its backend's vhost_path said no). */
    NO_VHOST_ACCESS("no access to vhost"),
    /** A client without credentials where anonymous logins are off. */
    ANONYMOUS("anonymous login not allowed"),
    /** A verified client certificate names no configured user. */
    NO_CERTIFICATE_USER("no user for the client certificate"),
    /** An external backend (HTTP service, JWKS) could not answer: refused, failing closed. */
    BACKEND_UNAVAILABLE("auth backend unavailable"),
    /** An MQTT topic ACL rule decided; {@link #because} names it. */
    ACL_RULE("refused by ACL rule");

    /** The format of a refused login's log line: who, user, peer, {@link #because}. */
    public static final String LOGIN_REFUSED = "{} login refused for user '{}' from {}: {}";

    private final String words;

    Refusal(String words) {
        this.words = words;
    }

    /** The fixed words, e.g. {@code bad credentials}. */
    public String words() {
        return words;
    }

    /** The words with what they are about, e.g. {@code no access to vhost 'iot'}; {@code detail} may be null. */
    public String because(String detail) {
        return detail == null || detail.isEmpty() ? words : words + " " + detail;
    }
}
