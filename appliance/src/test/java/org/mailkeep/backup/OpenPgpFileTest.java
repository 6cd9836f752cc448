package org.mailkeep.backup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpenPgpFileTest {

    static final char[] PASSPHRASE = "yesterday-my-dog-jack-played-with-frisbee".toCharArray();
    static final BackupKey KEY = key();

    static BackupKey key() {
        return key(PASSPHRASE);
    }

    static BackupKey key(char[] passphrase) {
        try {
            return BackupKey.create(passphrase);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static byte[] encrypt(byte[] plain) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream enc = OpenPgpFile.encrypt(out, KEY, "test.bin")) {
            enc.write(plain);
        }
        return out.toByteArray();
    }

    @Test
    void roundTripsAndGnuPgOpensIt(@TempDir Path dir) throws Exception {
        byte[] plain = ("Subject: hello\r\n\r\n" + "line of mail\r\n".repeat(5000)).getBytes(StandardCharsets.US_ASCII);
        byte[] encrypted = encrypt(plain);
        assertThat(encrypted.length).isLessThan(plain.length / 5); // compressed before encryption
        try (InputStream in = OpenPgpFile.decrypt(new ByteArrayInputStream(encrypted), PASSPHRASE)) {
            assertThat(in.readAllBytes()).isEqualTo(plain);
        }
        try (InputStream in = OpenPgpFile.decrypt(new ByteArrayInputStream(encrypted), KEY.decryptor())) { // the daily run: the stored key
            assertThat(in.readAllBytes()).isEqualTo(plain);
        }

        // the promise of the format: Debian's gpg opens a backup file without MailKeep
        Path file = dir.resolve("test.bin.gpg");
        Files.write(file, encrypted);
        Path home = Files.createDirectories(dir.resolve("gnupg"));
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Process gpg = new ProcessBuilder("gpg", "--homedir", home.toString(), "--batch", "--pinentry-mode", "loopback",
                "--passphrase", new String(PASSPHRASE), "--output", dir.resolve("out.bin").toString(), "--decrypt", file.toString())
                .redirectErrorStream(true).start();
        String log = new String(gpg.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gpg.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gpg.exitValue()).as(log).isZero();
        assertThat(Files.readAllBytes(dir.resolve("out.bin"))).isEqualTo(plain);
    }

    @Test
    void wrongPassphraseIsToldApart() throws Exception {
        byte[] encrypted = encrypt("secret".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> OpenPgpFile.decrypt(new ByteArrayInputStream(encrypted), "not-the-passphrase".toCharArray()).readAllBytes())
                .isInstanceOf(OpenPgpFile.WrongPassphraseException.class);
        // the same passphrase with another salt (set again later): the stored key of that setting does not open it
        assertThatThrownBy(() -> OpenPgpFile.decrypt(new ByteArrayInputStream(encrypted), BackupKey.create(PASSPHRASE).decryptor()).readAllBytes())
                .isInstanceOf(OpenPgpFile.WrongPassphraseException.class);
    }

    /** The stored key is the passphrase's S2K output for its salt: a restore derives the same key from the passphrase alone. */
    @Test
    void theKeyDerivesAgainFromThePassphraseAndItsSaltAndSurvivesTheCard(@TempDir Path dir) throws Exception {
        BackupKey again = BackupKey.derive(PASSPHRASE, java.util.HexFormat.of().parseHex(KEY.saltHex()));
        assertThat(again.mac("x")).isEqualTo(KEY.mac("x"));
        assertThat(BackupKey.derive("another-passphrase".toCharArray(), java.util.HexFormat.of().parseHex(KEY.saltHex())).mac("x"))
                .isNotEqualTo(KEY.mac("x"));
        Path file = dir.resolve("backup-key");
        KEY.store(file);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).doesNotContain(new String(PASSPHRASE));
        assertThat(BackupKey.load(file).orElseThrow().mac("x")).isEqualTo(KEY.mac("x"));
    }

    @Test
    void aChangedByteIsDetected() throws Exception {
        byte[] encrypted = encrypt("x".repeat(100_000).getBytes(StandardCharsets.US_ASCII));
        encrypted[encrypted.length / 2] ^= 0x40;
        assertThatThrownBy(() -> {
            try (InputStream in = OpenPgpFile.decrypt(new ByteArrayInputStream(encrypted), PASSPHRASE)) {
                in.readAllBytes();
            }
        }).isInstanceOf(java.io.IOException.class);
    }
}
