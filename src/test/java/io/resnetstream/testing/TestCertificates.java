package io.resnetstream.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import io.resnetstream.registry.RegistrySettings.StoreLocation;

/**
 * A throw-away certificate authority, made in-process with Bouncy Castle: PKCS12 key stores of leaf certificates it
 * signed (for 127.0.0.1 and localhost, good for servers and clients), a PKCS12 trust store holding only its
 * certificate, and that certificate as PEM (for curl). Every store has the same password. Two instances are two
 * unrelated CAs: the leaves of one are not trusted by the other's trust store.
 */
public final class TestCertificates {
    public static final String PASSWORD = "test-store-secret";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final String name;
    private final KeyPair caKeys;
    private final X509Certificate caCertificate;

    private TestCertificates(Path dir, String name) throws GeneralSecurityException, IOException {
        this.dir = dir;
        this.name = name;
        this.caKeys = newKeyPair();
        X500Name subject = new X500Name("CN=" + name + " test CA");
        X509v3CertificateBuilder builder = builder(subject, subject, caKeys)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        this.caCertificate = sign(builder, caKeys);
        KeyStore trust = emptyStore();
        trust.setCertificateEntry("ca", caCertificate);
        save(trust, trustStore().path());
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(caCertificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        Files.writeString(caPem(), pem, StandardCharsets.US_ASCII);
    }

    /** Makes the CA and its trust store and PEM in {@code dir}; files are named after {@code name}. */
    public static TestCertificates authority(Path dir, String name) throws GeneralSecurityException, IOException {
        return new TestCertificates(dir, name);
    }

    /** The CA's certificate, PEM. */
    public Path caPem() {
        return dir.resolve(name + "-ca.pem");
    }

    /** A PKCS12 trust store holding only the CA's certificate. */
    public StoreLocation trustStore() {
        return new StoreLocation(dir.resolve(name + "-trust.p12"), PASSWORD, "PKCS12");
    }

    /** A new key pair with a certificate for 127.0.0.1 and localhost signed by this CA, in a PKCS12 key store. */
    public StoreLocation issue(String subject) throws GeneralSecurityException, IOException {
        KeyPair keys = newKeyPair();
        X509v3CertificateBuilder builder = builder(
                        new X500Name("CN=" + name + " test CA"), new X500Name("CN=" + subject), keys)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.dNSName, "localhost")
                }));
        X509Certificate certificate = sign(builder, caKeys);
        KeyStore store = emptyStore();
        store.setKeyEntry(
                subject, keys.getPrivate(), PASSWORD.toCharArray(), new Certificate[] {certificate, caCertificate});
        Path path = dir.resolve(name + "-" + subject + ".p12");
        save(store, path);
        return new StoreLocation(path, PASSWORD, "PKCS12");
    }

    /** TLS with {@code keyStore}'s certificate, trusting this CA's (a server that checks client certificates). */
    public SSLContext sslContext(StoreLocation keyStore) throws IOException, GeneralSecurityException {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(keyStore), PASSWORD.toCharArray());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(load(trustStore()));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return context;
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(
                issuer,
                new BigInteger(64, RANDOM),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(2))),
                subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    private static void save(KeyStore store, Path path) throws GeneralSecurityException, IOException {
        try (OutputStream out = Files.newOutputStream(path)) {
            store.store(out, PASSWORD.toCharArray());
        }
    }

    private static KeyStore load(StoreLocation location) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(location.type());
        try (InputStream in = Files.newInputStream(location.path())) {
            store.load(in, location.password().toCharArray());
        }
        return store;
    }
}
