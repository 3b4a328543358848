package dev.junction.config;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed certificates and keys written as files, for the tls block tests. */
final class TlsCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    record Pair(X509Certificate cert, KeyPair keys) {
        void writePem(Path certFile, Path keyFile) throws Exception {
            Files.createDirectories(certFile.toAbsolutePath().getParent());
            Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
            Files.writeString(keyFile, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        }

        /** The RSA key as PKCS#1 ("BEGIN RSA PRIVATE KEY"), as older openssl genrsa writes it. */
        void writePkcs1Key(Path keyFile) throws Exception {
            byte[] pkcs1 = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded()).parsePrivateKey()
                    .toASN1Primitive().getEncoded();
            Files.writeString(keyFile, pem("RSA PRIVATE KEY", pkcs1));
        }

        void writePkcs12(Path file, String password) throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", keys.getPrivate(), password.toCharArray(), new Certificate[] {cert});
            try (var out = Files.newOutputStream(file)) {
                store.store(out, password.toCharArray());
            }
        }
    }

    private TlsCertificates() {
    }

    static Pair selfSigned(String algorithm, Instant notBefore, Instant notAfter) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        g.initialize(algorithm.equals("RSA") ? 2048 : 256);
        KeyPair keys = g.generateKeyPair();
        X500Name name = new X500Name("CN=localhost");
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(notBefore), Date.from(notAfter), name, keys.getPublic());
        String signature = algorithm.equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder(signature).build(keys.getPrivate())));
        return new Pair(cert, keys);
    }

    static Pair valid(String algorithm) throws Exception {
        return selfSigned(algorithm, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)));
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
