package dev.junction.routing.api;

/**
 * How a listener hands the user name taken from a verified client certificate to a protocol adapter: the TLS layer
 * stores it as a string under the Netty channel attribute named {@link #CHANNEL_ATTRIBUTE} once the handshake has
 * succeeded, before any protocol byte is decoded. Rules every adapter follows: the attribute is set only for a
 * certificate the TLS layer verified against the listener's CA; its absence means "no certificate identity"; the
 * named user must still exist and pass every other check (vhost access, loopback-only users from a remote
 * address are refused).
 */
public final class CertificateIdentity {
    /** The attribute's name, for {@code AttributeKey.valueOf}; kept here so neither side needs the other. */
    public static final String CHANNEL_ATTRIBUTE = "junction.certificate-identity";

    private CertificateIdentity() {
    }
}
