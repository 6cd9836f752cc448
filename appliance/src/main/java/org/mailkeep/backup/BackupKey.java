package org.mailkeep.backup;

import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.S2K;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyEncSessionPacket;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPSessionKey;
import org.bouncycastle.openpgp.operator.PBEDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.PGPDataDecryptor;
import org.bouncycastle.openpgp.operator.PGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.PGPKeyEncryptionMethodGenerator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPDigestCalculatorProviderBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePBEDataDecryptorFactoryBuilder;
import org.mailkeep.store.DataDirectory;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What the daily backup needs instead of the passphrase: the passphrase's S2K output (RFC 4880 §3.7.1.3, iterated
 * and salted, SHA-256, count {@link OpenPgpFile#S2K_COUNT}) for one salt, the key-encryption key. Every backup file
 * gets a random session key, encrypted with it into the file's symmetric-key encrypted session key packet (RFC 4880
 * §5.3, CFB with a zero IV), so {@code gpg --decrypt} still opens the file with the passphrase alone, while the SD
 * card holds no passphrase (one an owner may use elsewhere). The key also authenticates the stick's {@code COMPLETE}
 * markers ({@link #mac}), with a MAC key derived from it (HMAC-SHA256 as the PRF of RFC 5869 §2.3's expand step),
 * so a restore from the passphrase alone can check them too.
 */
public final class BackupKey {

    static final int HASH = HashAlgorithmTags.SHA256;
    static final int CIPHER = SymmetricKeyAlgorithmTags.AES_256;
    private static final byte[] MAC_INFO = "mailkeep backup COMPLETE marker v1".getBytes(StandardCharsets.US_ASCII);
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] salt;
    private final byte[] kek;

    private BackupKey(byte[] salt, byte[] kek) {
        this.salt = salt.clone();
        this.kek = kek.clone();
    }

    /** A key for a newly chosen passphrase, with a fresh salt. */
    public static BackupKey create(char[] passphrase) throws IOException {
        byte[] salt = new byte[8];
        RANDOM.nextBytes(salt);
        return derive(passphrase, salt);
    }

    /** The key {@code passphrase} gives with {@code salt} (a restore: the salt comes from the stick's marker). */
    public static BackupKey derive(char[] passphrase, byte[] salt) throws IOException {
        try {
            byte[] kek = new JcePBEDataDecryptorFactoryBuilder(digests()).setProvider(BC).build(passphrase)
                    .makeKeyFromPassPhrase(CIPHER, s2k(salt));
            return new BackupKey(salt, kek);
        } catch (PGPException e) {
            throw new IOException("cannot derive the backup key: " + e.getMessage(), e);
        }
    }

    public String saltHex() {
        return HexFormat.of().formatHex(salt);
    }

    static S2K s2k(byte[] salt) {
        return S2K.saltedAndIteratedS2K(HASH, salt, OpenPgpFile.S2K_COUNT);
    }

    /** Encrypts each file's session key with the key-encryption key (RFC 4880 §5.3, version 4 packet). */
    PGPKeyEncryptionMethodGenerator encryptionMethod() {
        return (builder, sessionKey) -> {
            try {
                Cipher cfb = Cipher.getInstance("AES/CFB/NoPadding", BC);
                cfb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(kek, "AES"), new IvParameterSpec(new byte[16]));
                byte[] info = new byte[sessionKey.length + 1];
                info[0] = (byte) builder.getAlgorithm();
                System.arraycopy(sessionKey, 0, info, 1, sessionKey.length);
                return SymmetricKeyEncSessionPacket.createV4Packet(CIPHER, s2k(salt), cfb.doFinal(info));
            } catch (GeneralSecurityException e) {
                throw new PGPException("cannot encrypt the session key: " + e.getMessage(), e);
            }
        };
    }

    /** Opens files whose S2K is this key's; a file made with another passphrase or salt is refused as such. */
    PBEDataDecryptorFactory decryptor() {
        PBEDataDecryptorFactory jce = OpenPgpFile.passphraseDecryptor(new char[0]);
        return new PBEDataDecryptorFactory(new char[0], digests()) {
            @Override
            public byte[] makeKeyFromPassPhrase(int keyAlgorithm, S2K s2k) throws PGPException {
                if (keyAlgorithm != CIPHER || s2k.getType() != S2K.SALTED_AND_ITERATED || s2k.getHashAlgorithm() != HASH
                        || !Arrays.equals(s2k.getIV(), salt) || s2k.getIterationCount() != s2k(salt).getIterationCount()) {
                    throw new PGPException("made with another passphrase (or before it was last set)");
                }
                return kek.clone();
            }

            @Override
            public byte[] recoverSessionData(int keyAlgorithm, byte[] key, byte[] sessionKeyData) throws PGPException {
                return jce.recoverSessionData(keyAlgorithm, key, sessionKeyData);
            }

            @Override
            public byte[] recoverAEADEncryptedSessionData(SymmetricKeyEncSessionPacket packet, byte[] key) throws PGPException {
                return jce.recoverAEADEncryptedSessionData(packet, key);
            }

            @Override
            public PGPDataDecryptor createDataDecryptor(boolean withIntegrityPacket, int encAlgorithm, byte[] key) throws PGPException {
                return jce.createDataDecryptor(withIntegrityPacket, encAlgorithm, key);
            }

            @Override
            public PGPDataDecryptor createDataDecryptor(org.bouncycastle.bcpg.AEADEncDataPacket packet, PGPSessionKey key) throws PGPException {
                return jce.createDataDecryptor(packet, key);
            }

            @Override
            public PGPDataDecryptor createDataDecryptor(org.bouncycastle.bcpg.SymmetricEncIntegrityPacket packet, PGPSessionKey key)
                    throws PGPException {
                return jce.createDataDecryptor(packet, key);
            }
        };
    }

    /** HMAC-SHA256 of {@code text} under the marker MAC key, hex. */
    String mac(String text) {
        return HexFormat.of().formatHex(hmac(hmac(kek, MAC_INFO), text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Constant-time check of a marker's MAC. */
    boolean macMatches(String text, String presented) {
        return presented != null && MessageDigest.isEqual(mac(text).getBytes(StandardCharsets.US_ASCII),
                presented.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PGPDigestCalculatorProvider digests() {
        try {
            return new JcaPGPDigestCalculatorProviderBuilder().setProvider(BC).build();
        } catch (PGPException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stores salt and key in {@code file}, created 0600 before anything is written ("salt-hex key-hex"). */
    void store(Path file) throws IOException {
        DataDirectory.writeSecret(file, (saltHex() + " " + HexFormat.of().formatHex(kek) + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    static Optional<BackupKey> load(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String[] parts = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
        if (parts.length != 2) {
            throw new IOException(file + " is damaged: set the backup passphrase again");
        }
        return Optional.of(new BackupKey(HexFormat.of().parseHex(parts[0]), HexFormat.of().parseHex(parts[1])));
    }
}
