package org.mailkeep.dkim;

import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.RSADigestSigner;
import org.bouncycastle.crypto.util.PublicKeyFactory;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;

/**
 * The two signing algorithms MailKeep signs and verifies with: rsa-sha256 (RFC 6376 §3.3.1) and
 * ed25519-sha256 (RFC 8463 §3). Both go through Bouncy Castle's lightweight API so the same code runs
 * in the JVM and in a native image. rsa-sha1 is not accepted (RFC 8301 §3.1).
 */
public enum DkimAlgorithm {
    RSA_SHA256("rsa-sha256", "rsa"),
    ED25519_SHA256("ed25519-sha256", "ed25519");

    private final String tag;
    private final String keyType;

    DkimAlgorithm(String tag, String keyType) {
        this.tag = tag;
        this.keyType = keyType;
    }

    /** The a= tag value. */
    public String tag() {
        return tag;
    }

    /** The k= tag value of the key record. */
    public String keyType() {
        return keyType;
    }

    public static Optional<DkimAlgorithm> fromTag(String tag) {
        String t = tag.trim().toLowerCase(Locale.ROOT);
        for (DkimAlgorithm a : values()) {
            if (a.tag.equals(t)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** Signs the canonicalized header data (RFC 6376 §3.7). */
    byte[] sign(AsymmetricKeyParameter privateKey, byte[] data) {
        try {
            if (this == RSA_SHA256) {
                RSADigestSigner signer = new RSADigestSigner(new SHA256Digest());
                signer.init(true, privateKey);
                signer.update(data, 0, data.length);
                return signer.generateSignature();
            }
            // RFC 8463 §3: PureEdDSA over the SHA-256 hash of the data
            byte[] hash = sha256().digest(data);
            Ed25519Signer signer = new Ed25519Signer();
            signer.init(true, privateKey);
            signer.update(hash, 0, hash.length);
            return signer.generateSignature();
        } catch (CryptoException e) {
            throw new IllegalStateException("DKIM signing failed: " + e.getMessage(), e);
        }
    }

    /** Verifies a signature with the public key bytes of the p= tag. */
    boolean verify(byte[] publicKey, byte[] data, byte[] signature) throws IOException {
        if (this == RSA_SHA256) {
            RSADigestSigner verifier = new RSADigestSigner(new SHA256Digest());
            verifier.init(false, PublicKeyFactory.createKey(publicKey)); // SubjectPublicKeyInfo, RFC 6376 §3.6.1
            verifier.update(data, 0, data.length);
            return verifier.verifySignature(signature);
        }
        if (publicKey.length != Ed25519PublicKeyParameters.KEY_SIZE) {
            throw new IOException("ed25519 public key must be 32 bytes, got " + publicKey.length); // RFC 8463 §4.2
        }
        byte[] hash = sha256().digest(data);
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
        verifier.update(hash, 0, hash.length);
        return verifier.verifySignature(signature);
    }
}
