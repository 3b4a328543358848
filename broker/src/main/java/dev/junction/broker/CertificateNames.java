package dev.junction.broker;

import dev.junction.config.TlsConfig;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * The user name a client certificate stands for, as a listener's {@code identity} says: the subject's common name
 * (the most specific CN when there are several), or the first subject alternative name of type DNS, email
 * (rfc822Name) or URI, in the order the certificate lists them (RFC 5280 section 4.2.1.6).
 */
final class CertificateNames {
    private static final int SAN_EMAIL = 1;
    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;
    private static final int MAX_NAME_CHARS = 255;

    private CertificateNames() {
    }

    static Optional<String> identity(X509Certificate cert, TlsConfig.Identity mode) {
        Optional<String> name = switch (mode) {
            case NONE -> Optional.empty();
            case COMMON_NAME -> commonName(cert.getSubjectX500Principal());
            case SUBJECT_ALTERNATIVE_NAME -> alternativeName(cert);
        };
        // A name with control characters or of absurd length is no user name; refuse rather than log or match it.
        return name.filter(n -> !n.isEmpty() && n.length() <= MAX_NAME_CHARS
                && n.chars().noneMatch(Character::isISOControl));
    }

    static Optional<String> commonName(X500Principal subject) {
        try {
            List<Rdn> rdns = new LdapName(subject.getName(X500Principal.RFC2253)).getRdns();
            // LdapName lists RDNs from the least specific (rightmost in the string) to the most specific.
            for (int i = rdns.size() - 1; i >= 0; i--) {
                if (rdns.get(i).getType().equalsIgnoreCase("CN") && rdns.get(i).getValue() instanceof String cn) {
                    return Optional.of(cn);
                }
            }
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static Optional<String> alternativeName(X509Certificate cert) {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names == null) {
                return Optional.empty();
            }
            for (List<?> entry : names) {
                if (entry.size() >= 2 && entry.get(0) instanceof Integer type
                        && (type == SAN_DNS || type == SAN_EMAIL || type == SAN_URI)
                        && entry.get(1) instanceof String value) {
                    return Optional.of(value);
                }
            }
        } catch (CertificateParsingException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
