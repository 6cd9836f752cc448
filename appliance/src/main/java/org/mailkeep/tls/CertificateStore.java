package org.mailkeep.tls;

import io.vertx.core.net.PemKeyCertOptions;
import jakarta.enterprise.context.ApplicationScoped;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.jboss.logging.Logger;
import org.mailkeep.store.DataDirectory;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The certificate every TLS listener (SMTP, submission, IMAP, HTTPS) presents: {@code tls/cert.pem}
 * (leaf first, then the chain) and {@code tls/key.pem} under the data directory. A self-signed
 * certificate is generated on first start; ACME replaces it through {@link #install}, and listeners that
 * registered with {@link #onChange} reload it without dropping connections.
 */
@ApplicationScoped
public class CertificateStore {

    private static final Logger LOG = Logger.getLogger(CertificateStore.class);
    static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(825);

    private final Path certFile;
    private final Path keyFile;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    public CertificateStore(DataDirectory dirs) {
        this.certFile = dirs.tls().resolve("cert.pem");
        this.keyFile = dirs.tls().resolve("key.pem");
        if (!Files.exists(certFile) || !Files.exists(keyFile)) {
            generateSelfSigned(List.of("localhost"));
        }
    }

    public Path certFile() {
        return certFile;
    }

    public Path keyFile() {
        return keyFile;
    }

    /** Options for a Vert.x server, read fresh from disk: calling it again after a change picks up the new certificate. */
    public PemKeyCertOptions keyCertOptions() {
        // PEM contents, not paths: Vert.x's updateSSLOptions ignores options equal to the current ones, and
        // options naming the same files are equal even when the files changed underneath.
        try {
            return new PemKeyCertOptions().setCertValue(io.vertx.core.buffer.Buffer.buffer(Files.readAllBytes(certFile)))
                    .setKeyValue(io.vertx.core.buffer.Buffer.buffer(Files.readAllBytes(keyFile)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the certificate in " + certFile.getParent(), e);
        }
    }

    /** The leaf certificate currently served. */
    public X509Certificate current() {
        try (var in = Files.newInputStream(certFile)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + certFile + ": " + e.getMessage(), e);
        }
    }

    public boolean isSelfSigned() {
        X509Certificate cert = current();
        return cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal());
    }

    /** Replaces the served certificate (PEM chain, leaf first) and key, atomically, then tells every listener. */
    public synchronized void install(String chainPem, String keyPem) {
        try {
            DataDirectory.writeAtomically(keyFile, keyPem.getBytes(StandardCharsets.US_ASCII));
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
            DataDirectory.writeAtomically(certFile, chainPem.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install certificate", e);
        }
        LOG.infof("installed certificate %s", current().getSubjectX500Principal());
        listeners.forEach(Runnable::run);
    }

    /** Tells every listener that the files changed underneath (a restore put back another certificate). */
    public void reloaded() {
        LOG.infof("certificate files replaced: %s", current().getSubjectX500Principal());
        listeners.forEach(Runnable::run);
    }

    /** Registers a listener that reloads its TLS options when the certificate changes. */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** Generates and installs a self-signed P-256 certificate for {@code names} (the first is the subject CN). */
    public void generateSelfSigned(List<String> names) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair keyPair = generator.generateKeyPair();
            Instant now = Instant.now();
            X500Name subject = new X500Name("CN=" + names.get(0) + ",O=MailKeep self-signed");
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(SELF_SIGNED_VALIDITY)), subject, keyPair.getPublic());
            GeneralName[] sans = names.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new);
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate());
            X509CertificateHolder holder = builder.build(signer);
            install(pem(holder), pem(new JcaPKCS8Generator(keyPair.getPrivate(), null)));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot generate self-signed certificate: " + e.getMessage(), e);
        }
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
