package dev.junction.conformance.tls;

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for tests: issues server and client certificates (EC P-256) and writes them as
 * PEM files, the way an operator would with openssl.
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate with its key and, once written, its PEM files. */
    public record Issued(X509Certificate cert, PrivateKey key, X509Certificate issuer) {
        public void writePem(Path certFile, Path keyFile) throws Exception {
            Files.createDirectories(certFile.toAbsolutePath().getParent());
            Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
            Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
        }

        /** A client SSLContext presenting this certificate and trusting {@code ca}. */
        public SSLContext clientContext(TestPki ca) throws Exception {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers().getKeyManagers(), ca.trustManagers().getTrustManagers(), null);
            return context;
        }

        KeyManagerFactory keyManagers() throws Exception {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("me", key, new char[0], new Certificate[] {cert, issuer});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
            return kmf;
        }
    }

    private final KeyPair caKeys;
    private final X509Certificate caCert;

    private TestPki(String name) throws Exception {
        caKeys = newKeys();
        X500Name subject = new X500Name("CN=" + name);
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(30))), subject,
                caKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        caCert = sign(b, caKeys.getPrivate());
    }

    public static TestPki create(String name) throws Exception {
        return new TestPki(name);
    }

    X509Certificate caCert() {
        return caCert;
    }

    public void writeCa(Path file) throws Exception {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, pem("CERTIFICATE", caCert.getEncoded()));
    }

    /** A server certificate for localhost and 127.0.0.1. */
    public Issued server() throws Exception {
        return issue("localhost", List.of("localhost"), true, Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(30)));
    }

    public Issued client(String commonName, String... dnsNames) throws Exception {
        return issue(commonName, List.of(dnsNames), false, Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(30)));
    }

    Issued expiredClient(String commonName) throws Exception {
        return issue(commonName, List.of(), false, Instant.now().minus(Duration.ofDays(10)),
                Instant.now().minus(Duration.ofDays(1)));
    }

    Issued issue(String commonName, List<String> dnsNames, boolean server, Instant notBefore, Instant notAfter)
            throws Exception {
        KeyPair keys = newKeys();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(caCert.getSubjectX500Principal()
                .getName()), serial(), Date.from(notBefore), Date.from(notAfter),
                new X500Name("O=Junction Tests,CN=" + commonName), keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        List<GeneralName> names = new ArrayList<>();
        for (String dns : dnsNames) {
            names.add(new GeneralName(GeneralName.dNSName, dns));
        }
        if (server) {
            names.add(new GeneralName(GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress()));
        }
        if (!names.isEmpty()) {
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(names.toArray(GeneralName[]::new)));
        }
        return new Issued(sign(b, caKeys.getPrivate()), keys.getPrivate(), caCert);
    }

    TrustManagerFactory trustManagers() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", caCert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf;
    }

    /** A client SSLContext that trusts this CA and presents no certificate. */
    public SSLContext trustingContext() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers().getTrustManagers(), null);
        return context;
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static KeyPair newKeys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey signer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }
}
