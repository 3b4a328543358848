package dev.junction.config;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a listener's certificate, key and CA files with the JDK alone, so that {@code check-config} finds a bad
 * file, a wrong keystore password or a key that does not belong to the certificate before the broker starts.
 * Rules: PEM keys are PKCS#8 ({@code BEGIN PRIVATE KEY}, what {@code openssl genpkey} and {@code openssl req
 * -newkey} write) or PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}); encrypted PEM keys are refused (use PKCS#12 with
 * {@code keystore_password} instead). A certificate that has expired or is not yet valid is refused.
 */
final class TlsFiles {
    private static final Pattern PEM_BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final int MAX_FILE_BYTES = 1 << 20;
    /** DER of AlgorithmIdentifier { rsaEncryption, NULL }, to wrap a PKCS#1 key into PKCS#8. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA");

    private TlsFiles() {
    }

    static TlsMaterial load(TlsConfig tls) throws ConfigException {
        TlsConfig.Origin origin = tls.origin();
        byte[] certBytes = read(origin, "cert_file", tls.certFile());
        PrivateKey key;
        List<X509Certificate> chain;
        if (isPem(certBytes)) {
            chain = certificates(origin, "cert_file", tls.certFile(), certBytes);
            if (tls.keyFile().isEmpty()) {
                throw origin.error("cert_file", "is a PEM certificate, so key_file is required (or give a PKCS#12"
                        + " keystore holding both)");
            }
            key = pemKey(origin, tls.keyFile().get(), read(origin, "key_file", tls.keyFile().get()));
        } else {
            if (tls.keyFile().isPresent()) {
                throw origin.error("key_file", "cert_file " + tls.certFile() + " is a PKCS#12 keystore, which holds"
                        + " the key itself; remove key_file");
            }
            KeyStore store = keystore(origin, tls.certFile(), certBytes, tls.keystorePassword().orElse(""));
            key = keystoreKey(origin, store, tls.certFile(), tls.keystorePassword().orElse(""));
            chain = keystoreChain(origin, store, tls.certFile());
        }
        checkValid(origin, "cert_file", tls.certFile(), chain.get(0));
        checkPair(origin, tls, key, chain.get(0).getPublicKey());
        List<X509Certificate> trusted = List.of();
        if (tls.caFile().isPresent()) {
            Path ca = tls.caFile().get();
            byte[] caBytes = read(origin, "ca_file", ca);
            if (!isPem(caBytes)) {
                throw origin.error("ca_file", ca + " is not a PEM file (expected BEGIN CERTIFICATE blocks)");
            }
            trusted = certificates(origin, "ca_file", ca, caBytes);
        }
        return new TlsMaterial(key, chain, trusted);
    }

    private static byte[] read(TlsConfig.Origin origin, String key, Path file) throws ConfigException {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw origin.error(key, file + " is larger than " + MAX_FILE_BYTES + " bytes");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw origin.error(key, file + ": file not found");
        } catch (AccessDeniedException e) {
            throw origin.error(key, file + ": permission denied");
        } catch (IOException e) {
            throw origin.error(key, file + ": cannot read: " + e.getMessage());
        }
    }

    private static boolean isPem(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1).contains("-----BEGIN ");
    }

    private static List<X509Certificate> certificates(TlsConfig.Origin origin, String key, Path file, byte[] bytes)
            throws ConfigException {
        List<X509Certificate> out = new ArrayList<>();
        Matcher m = PEM_BLOCK.matcher(new String(bytes, StandardCharsets.US_ASCII));
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            while (m.find()) {
                if (!m.group(1).equals("CERTIFICATE")) {
                    continue; // a key or parameters block next to the certificates is not ours to judge here
                }
                out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der(m.group(2)))));
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw origin.error(key, file + ": not a valid certificate: " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw origin.error(key, file + ": no BEGIN CERTIFICATE block");
        }
        return out;
    }

    private static PrivateKey pemKey(TlsConfig.Origin origin, Path file, byte[] bytes) throws ConfigException {
        Matcher m = PEM_BLOCK.matcher(new String(bytes, StandardCharsets.US_ASCII));
        while (m.find()) {
            String type = m.group(1);
            byte[] der;
            try {
                der = der(m.group(2));
            } catch (IllegalArgumentException e) {
                throw origin.error("key_file", file + ": the " + type + " block is not valid base64");
            }
            switch (type) {
                case "PRIVATE KEY" -> {
                    return pkcs8(origin, file, der);
                }
                case "RSA PRIVATE KEY" -> {
                    return pkcs8(origin, file, wrapPkcs1(der));
                }
                case "ENCRYPTED PRIVATE KEY" -> throw origin.error("key_file", file + ": encrypted keys are not"
                        + " supported; decrypt it (openssl pkcs8 -topk8 -nocrypt) or use a PKCS#12 keystore");
                case "EC PRIVATE KEY" -> throw origin.error("key_file", file + ": SEC1 'EC PRIVATE KEY' is not"
                        + " supported; convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
                default -> {
                    // certificates or parameters in the same file: skip them
                }
            }
        }
        throw origin.error("key_file", file + ": no private key (expected a BEGIN PRIVATE KEY block)");
    }

    private static PrivateKey pkcs8(TlsConfig.Origin origin, Path file, byte[] der) throws ConfigException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException | RuntimeException wrongAlgorithm) {
                // try the next one
            }
        }
        throw origin.error("key_file", file + ": not a readable private key (RSA, EC, Ed25519, Ed448 or DSA"
                + " in PKCS#8 or PKCS#1)");
    }

    private static KeyStore keystore(TlsConfig.Origin origin, Path file, byte[] bytes, String password)
            throws ConfigException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(bytes), password.toCharArray());
            return store;
        } catch (IOException e) {
            // The JDK reports a wrong password as an IOException caused by an UnrecoverableKeyException.
            boolean badPassword = e.getCause() instanceof java.security.UnrecoverableKeyException
                    || String.valueOf(e.getMessage()).contains("password");
            if (badPassword) {
                throw origin.error("keystore_password", "does not open the PKCS#12 keystore " + file);
            }
            throw origin.error("cert_file", file + ": neither PEM nor a readable PKCS#12 keystore ("
                    + e.getMessage() + ")");
        } catch (GeneralSecurityException e) {
            throw origin.error("cert_file", file + ": not a readable PKCS#12 keystore (" + e.getMessage() + ")");
        }
    }

    private static PrivateKey keystoreKey(TlsConfig.Origin origin, KeyStore store, Path file, String password)
            throws ConfigException {
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    Key key = store.getKey(alias, password.toCharArray());
                    if (key instanceof PrivateKey pk) {
                        return pk;
                    }
                }
            }
        } catch (java.security.UnrecoverableKeyException e) {
            throw origin.error("keystore_password", "does not open the key in the PKCS#12 keystore " + file);
        } catch (GeneralSecurityException e) {
            throw origin.error("cert_file", file + ": cannot read the key: " + e.getMessage());
        }
        throw origin.error("cert_file", file + ": the PKCS#12 keystore holds no private key");
    }

    private static List<X509Certificate> keystoreChain(TlsConfig.Origin origin, KeyStore store, Path file)
            throws ConfigException {
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    Certificate[] chain = store.getCertificateChain(alias);
                    List<X509Certificate> out = new ArrayList<>();
                    for (Certificate c : chain == null ? new Certificate[0] : chain) {
                        out.add((X509Certificate) c);
                    }
                    if (!out.isEmpty()) {
                        return out;
                    }
                }
            }
        } catch (GeneralSecurityException | ClassCastException e) {
            throw origin.error("cert_file", file + ": cannot read the certificate chain: " + e.getMessage());
        }
        throw origin.error("cert_file", file + ": the PKCS#12 keystore holds no certificate for its key");
    }

    private static void checkValid(TlsConfig.Origin origin, String key, Path file, X509Certificate cert)
            throws ConfigException {
        try {
            cert.checkValidity();
        } catch (CertificateExpiredException e) {
            throw origin.error(key, file + ": the certificate expired on " + cert.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw origin.error(key, file + ": the certificate is not valid before " + cert.getNotBefore().toInstant());
        }
    }

    /** Signs a random challenge with the key and verifies it with the certificate's public key. */
    private static void checkPair(TlsConfig.Origin origin, TlsConfig tls, PrivateKey key, PublicKey certKey)
            throws ConfigException {
        String blamed = tls.keyFile().isPresent() ? "key_file" : "cert_file";
        Optional<String> algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> Optional.of("SHA256withRSA");
            case "EC" -> Optional.of("SHA256withECDSA");
            case "Ed25519", "Ed448", "EdDSA" -> Optional.of(key.getAlgorithm());
            case "DSA" -> Optional.of("SHA256withDSA");
            default -> Optional.empty(); // RSASSA-PSS needs parameters; the TLS handshake will tell
        };
        if (!key.getAlgorithm().equals(certKey.getAlgorithm())
                && !(key.getAlgorithm().startsWith("Ed") && certKey.getAlgorithm().startsWith("Ed"))) {
            throw origin.error(blamed, "the private key (" + key.getAlgorithm() + ") does not belong to the"
                    + " certificate in cert_file (" + certKey.getAlgorithm() + ")");
        }
        if (algorithm.isEmpty()) {
            return;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm.get());
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm.get());
            verifier.initVerify(certKey);
            verifier.update(challenge);
            if (!verifier.verify(signature)) {
                throw origin.error(blamed, "the private key does not belong to the certificate in cert_file ("
                        + tls.certFile() + ")");
            }
        } catch (GeneralSecurityException e) {
            throw origin.error(blamed, "the private key does not belong to the certificate in cert_file ("
                    + e.getMessage() + ")");
        }
    }

    private static byte[] der(String base64) {
        return Base64.getMimeDecoder().decode(base64.replaceAll("\\s", ""));
    }

    /** PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier rsaEncryption, OCTET STRING pkcs1 } (RFC 5208). */
    private static byte[] wrapPkcs1(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.write(0x04);
        writeLength(body, pkcs1.length);
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        writeLength(out, body.size());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static void writeLength(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
            return;
        }
        int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
        out.write(0x80 | bytes);
        for (int i = bytes - 1; i >= 0; i--) {
            out.write(length >>> (8 * i));
        }
    }
}
