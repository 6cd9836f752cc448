package org.mailkeep.dkim;

import jakarta.enterprise.context.ApplicationScoped;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.jboss.logging.Logger;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.Settings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * DKIM keys per local domain, kept under {@code DataDirectory.dkim()/<domain>/<selector>.pem} (PKCS#8,
 * mode 0600). A key <em>generation</em> is a pair of selectors, {@code <gen>r} (rsa-sha256, 2048 bits)
 * and {@code <gen>e} (ed25519-sha256); both sign every message (RFC 8463 §1 recommends dual signing
 * while verifiers catch up).
 * <p>Rotation (RFC 6376 §3.1 selectors): {@link #prepareNext} creates a new generation that is published
 * (its TXT records appear in {@code GET /api/dns/records}) but not used; once the owner has published it,
 * {@link #activateNext} makes it the signing generation and keeps the old one published as "previous",
 * so mail signed before the switch still verifies while it is in transit.
 */
@ApplicationScoped
public class DkimKeys {

    private static final Logger LOG = Logger.getLogger(DkimKeys.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A private key with its selector, algorithm and the public key as published in p=. */
    public record SigningKey(String domain, String selector, DkimAlgorithm algorithm, AsymmetricKeyParameter privateKey,
                             String publicKeyBase64) {
        @Override
        public String toString() {
            return "SigningKey[" + selector + "._domainkey." + domain + " " + algorithm.tag() + "]"; // never the key
        }
    }

    /** The state of a generation in the rotation. */
    public enum Role { ACTIVE, NEXT, PREVIOUS }

    private final DataDirectory dirs;
    private final Settings settings;

    public DkimKeys(DataDirectory dirs, Settings settings) {
        this.dirs = dirs;
        this.settings = settings;
    }

    /** The keys that sign mail from {@code domain}, generated on first use. */
    public synchronized List<SigningKey> signingKeys(String domain) {
        String gen = settings.get(key(domain, Role.ACTIVE)).orElse(null);
        if (gen == null) {
            gen = newGeneration(domain);
            settings.put(key(domain, Role.ACTIVE), gen);
            LOG.infof("DKIM: generated keys %sr/%se for %s", gen, gen, domain);
        }
        return load(domain, gen);
    }

    /** The published keys of {@code domain} by role (ACTIVE always, NEXT and PREVIOUS while a rotation is under way). */
    public synchronized java.util.Map<Role, List<SigningKey>> publishedKeys(String domain) {
        signingKeys(domain);
        java.util.Map<Role, List<SigningKey>> result = new java.util.EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            settings.get(key(domain, role)).filter(g -> !g.isEmpty()).ifPresent(g -> result.put(role, load(domain, g)));
        }
        return result;
    }

    /** Creates the next generation (published, not yet signing); returns its name. Replaces an unused next one. */
    public synchronized String prepareNext(String domain) {
        signingKeys(domain);
        String gen = newGeneration(domain);
        settings.put(key(domain, Role.NEXT), gen);
        LOG.infof("DKIM: prepared next keys %s for %s; publish them before activating", gen, domain);
        return gen;
    }

    /** Makes the next generation sign; the old one stays published as previous. */
    public synchronized String activateNext(String domain) {
        String next = settings.get(key(domain, Role.NEXT)).filter(g -> !g.isEmpty())
                .orElseThrow(() -> new IllegalStateException("no next DKIM key prepared for " + domain));
        String active = settings.get(key(domain, Role.ACTIVE)).orElse("");
        settings.put(key(domain, Role.PREVIOUS), active);
        settings.put(key(domain, Role.ACTIVE), next);
        settings.put(key(domain, Role.NEXT), "");
        LOG.infof("DKIM: %s now signs with %s (previous %s stays published)", domain, next, active);
        return next;
    }

    /** Stops publishing the previous generation (after mail signed with it has had time to arrive). */
    public synchronized void retirePrevious(String domain) {
        settings.put(key(domain, Role.PREVIOUS), "");
    }

    private static String key(String domain, Role role) {
        return "dkim." + domain + "." + role.name().toLowerCase();
    }

    private String newGeneration(String domain) {
        // a date for humans plus randomness: selectors are never reused, so a cached old key can never match
        String gen = "mk" + LocalDate.now().format(DateTimeFormatter.BASIC_ISO_DATE) + HexFormat.of().formatHex(randomBytes(2));
        write(domain, gen + "r", rsaKeyPair());
        Ed25519KeyPairGenerator ed = new Ed25519KeyPairGenerator();
        ed.init(new Ed25519KeyGenerationParameters(RANDOM));
        write(domain, gen + "e", ed.generateKeyPair());
        return gen;
    }

    /**
     * RSA 2048 (RFC 8301 §3.2 minimum 1024, 2048 recommended) from the JDK's generator, which is several
     * times faster than Bouncy Castle's on a Pi; the key is then handled with Bouncy Castle like the Ed25519 one.
     */
    private static AsymmetricCipherKeyPair rsaKeyPair() {
        try {
            java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
            generator.initialize(new java.security.spec.RSAKeyGenParameterSpec(2048, java.security.spec.RSAKeyGenParameterSpec.F4), RANDOM);
            java.security.KeyPair pair = generator.generateKeyPair();
            AsymmetricKeyParameter privateKey = PrivateKeyFactory.createKey(pair.getPrivate().getEncoded());
            AsymmetricKeyParameter publicKey = org.bouncycastle.crypto.util.PublicKeyFactory.createKey(pair.getPublic().getEncoded());
            return new AsymmetricCipherKeyPair(publicKey, privateKey);
        } catch (java.security.GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot generate an RSA key: " + e.getMessage(), e);
        }
    }

    private List<SigningKey> load(String domain, String gen) {
        List<SigningKey> keys = new ArrayList<>();
        keys.add(read(domain, gen + "r", DkimAlgorithm.RSA_SHA256));
        keys.add(read(domain, gen + "e", DkimAlgorithm.ED25519_SHA256));
        return keys;
    }

    private Path file(String domain, String selector) {
        return dirs.dkim().resolve(domain).resolve(selector + ".pem");
    }

    private void write(String domain, String selector, AsymmetricCipherKeyPair pair) {
        Path target = file(domain, selector);
        try {
            Files.createDirectories(target.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            byte[] der = PrivateKeyInfoFactory.createPrivateKeyInfo(pair.getPrivate()).getEncoded();
            String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                    + "\n-----END PRIVATE KEY-----\n";
            DataDirectory.writeSecret(target, pem.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write DKIM key " + target, e);
        }
    }

    private SigningKey read(String domain, String selector, DkimAlgorithm algorithm) {
        Path path = file(domain, selector);
        try {
            String pem = Files.readString(path, StandardCharsets.US_ASCII);
            String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            AsymmetricKeyParameter privateKey = PrivateKeyFactory.createKey(PrivateKeyInfo.getInstance(Base64.getDecoder().decode(base64)));
            return new SigningKey(domain, selector, algorithm, privateKey, publicKey(privateKey));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read DKIM key " + path, e);
        }
    }

    /** p= value: SubjectPublicKeyInfo for RSA (RFC 6376 §3.6.1), the raw 32 bytes for Ed25519 (RFC 8463 §4.2). */
    private static String publicKey(AsymmetricKeyParameter privateKey) throws IOException {
        if (privateKey instanceof RSAPrivateCrtKeyParameters rsa) {
            RSAKeyParameters pub = new RSAKeyParameters(false, rsa.getModulus(), rsa.getPublicExponent());
            return Base64.getEncoder().encodeToString(SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(pub).getEncoded());
        }
        if (privateKey instanceof Ed25519PrivateKeyParameters ed) {
            return Base64.getEncoder().encodeToString(ed.generatePublicKey().getEncoded());
        }
        throw new IOException("unsupported DKIM key type " + privateKey.getClass().getSimpleName());
    }

    /** The key record value (RFC 6376 §3.6.1) for a key. */
    public static String txtValue(SigningKey key) {
        return "v=DKIM1; k=" + key.algorithm().keyType() + "; p=" + key.publicKeyBase64();
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
