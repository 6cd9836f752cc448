package org.mailkeep.backup;

import org.bouncycastle.bcpg.CompressionAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPCompressedDataGenerator;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPPBEEncryptedData;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;
import org.bouncycastle.openpgp.operator.PBEDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPDigestCalculatorProviderBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePBEDataDecryptorFactoryBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePGPDataEncryptorBuilder;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.Date;

/**
 * Passphrase-encrypted OpenPGP messages (RFC 4880 §5.3 symmetric-key encrypted session key, §5.13
 * integrity-protected data, §5.6 ZLIB compression), so that any backup file opens with
 * {@code gpg --batch --passphrase ... --decrypt FILE} on any PC, without the appliance.
 * <p>
 * Why not Argon2id or AEAD here: the GnuPG of Debian bookworm/trixie cannot read RFC 9580's Argon2 S2K or v6
 * AEAD packets, and "opens with gpg on any PC" matters more for a backup. The key is therefore derived with
 * the iterated and salted S2K (RFC 4880 §3.7.1.3) over SHA-256 at a high count, and integrity comes from the
 * modification detection code, which the reader checks before a restore uses anything.
 */
public final class OpenPgpFile {

    /** RFC 4880 §3.7.1.3 coded count 0xF0: about 33 million bytes hashed per key derivation. */
    static final int S2K_COUNT = 0xF0;
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The passphrase does not open the file (or the file is not one of ours). */
    public static class WrongPassphraseException extends IOException {
        WrongPassphraseException(String message) {
            super(message);
        }
    }

    private OpenPgpFile() {
    }

    /**
     * Returns a stream that encrypts what is written to it into {@code sink} for the passphrase behind {@code key}
     * (a random session key, encrypted with the key's S2K output: {@link BackupKey}); closing it finishes the
     * OpenPGP message but leaves {@code sink} open.
     */
    public static OutputStream encrypt(OutputStream sink, BackupKey key, String name) throws IOException {
        try {
            PGPEncryptedDataGenerator encryptor = new PGPEncryptedDataGenerator(
                    new JcePGPDataEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256).setWithIntegrityPacket(true)
                            .setSecureRandom(RANDOM).setProvider(BC));
            encryptor.addMethod(key.encryptionMethod());
            OutputStream encrypted = encryptor.open(new BackupRunner.NonClosingOutput(sink), new byte[1 << 16]); // the caller closes its own stream
            PGPCompressedDataGenerator compressor = new PGPCompressedDataGenerator(CompressionAlgorithmTags.ZLIB);
            OutputStream compressed = compressor.open(encrypted);
            PGPLiteralDataGenerator literal = new PGPLiteralDataGenerator();
            OutputStream plain = literal.open(compressed, PGPLiteralData.BINARY, name, new Date(), new byte[1 << 16]);
            return new FilterOutputStream(plain) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    plain.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    literal.close();
                    compressor.close();
                    encryptor.close();
                }
            };
        } catch (PGPException e) {
            throw new IOException("cannot start OpenPGP encryption: " + e.getMessage(), e);
        }
    }

    /**
     * Returns the plaintext of an encrypted file; closing it closes {@code source}. The integrity check (MDC) runs
     * when the stream reaches its end: read it to the end before trusting anything, and a tampered file throws there.
     */
    public static InputStream decrypt(InputStream source, char[] passphrase) throws IOException {
        return decrypt(source, passphraseDecryptor(passphrase));
    }

    /** The decryptor for a passphrase typed by the owner (any salt: files of every earlier setting open). */
    static PBEDataDecryptorFactory passphraseDecryptor(char[] passphrase) {
        try {
            return new JcePBEDataDecryptorFactoryBuilder(new JcaPGPDigestCalculatorProviderBuilder().setProvider(BC).build())
                    .setProvider(BC).build(passphrase);
        } catch (PGPException e) {
            throw new IllegalStateException(e);
        }
    }

    /** As {@link #decrypt(InputStream, char[])}, with the passphrase's key ({@link BackupKey#decryptor()}) or a passphrase's decryptor. */
    static InputStream decrypt(InputStream source, PBEDataDecryptorFactory unlock) throws IOException {
        try {
            JcaPGPObjectFactory objects = new JcaPGPObjectFactory(PGPUtil.getDecoderStream(source));
            Object first = objects.nextObject();
            while (first != null && !(first instanceof PGPEncryptedDataList)) {
                first = objects.nextObject(); // skip a marker packet (RFC 4880 §5.8)
            }
            if (first == null) {
                throw new WrongPassphraseException("not an OpenPGP encrypted file");
            }
            PGPEncryptedDataList list = (PGPEncryptedDataList) first;
            if (!(list.get(0) instanceof PGPPBEEncryptedData pbe)) {
                throw new WrongPassphraseException("not a passphrase-encrypted file");
            }
            if (!pbe.isIntegrityProtected()) {
                throw new IOException("file has no integrity protection: refusing to use it");
            }
            InputStream clear;
            try {
                clear = pbe.getDataStream(unlock);
            } catch (PGPException e) {
                // A wrong passphrase decrypts the session key (RFC 4880 §5.3) into garbage: either the quick check
                // fails or the "algorithm" byte names no cipher. Both mean: this passphrase does not open the file.
                throw new WrongPassphraseException("the passphrase does not open this backup");
            }
            JcaPGPObjectFactory inner = new JcaPGPObjectFactory(clear);
            Object message = inner.nextObject();
            if (message instanceof PGPCompressedData compressed) {
                inner = new JcaPGPObjectFactory(compressed.getDataStream());
                message = inner.nextObject();
            }
            if (!(message instanceof PGPLiteralData literal)) {
                throw new IOException("unexpected OpenPGP content: " + (message == null ? "nothing" : message.getClass().getSimpleName()));
            }
            return new FilterInputStream(literal.getInputStream()) {
                private boolean verified;

                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b < 0) {
                        verify();
                    }
                    return b;
                }

                @Override
                public int read(byte[] buffer, int off, int len) throws IOException {
                    int n = super.read(buffer, off, len);
                    if (n < 0) {
                        verify();
                    }
                    return n;
                }

                /** Closes the encrypted source too: BC's packet streams do not pass close() down. */
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        source.close();
                    }
                }

                private void verify() throws IOException {
                    if (verified) {
                        return;
                    }
                    try {
                        if (!pbe.verify()) {
                            throw new IOException("integrity check failed: the file was changed or damaged");
                        }
                    } catch (PGPException e) {
                        throw new IOException("integrity check failed: " + e.getMessage(), e);
                    }
                    verified = true;
                }
            };
        } catch (PGPException e) {
            source.close();
            throw new IOException("cannot decrypt: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            source.close();
            // BC reports truncated or garbled packets with runtime exceptions
            throw new IOException("damaged backup file: " + e.getMessage(), e);
        } catch (IOException e) {
            source.close();
            throw e;
        }
    }
}
