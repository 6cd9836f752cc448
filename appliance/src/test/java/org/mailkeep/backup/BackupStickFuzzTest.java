package org.mailkeep.backup;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes what the backup code reads from a USB stick, a FAT file system anyone can edit on any PC: the encrypted
 * manifest ({@link BackupReader#manifest}, OpenPGP through Bouncy Castle, then JSON) and the plain-text COMPLETE
 * markers ({@link BackupStick#completed()}). The documented bad-input outcome is an IOException (a damaged or
 * foreign backup, a wrong passphrase); anything else would stop a restore or a backup run with a crash. Checked: the
 * snapshots listed are those with a marker, newest first.
 */
class BackupStickFuzzTest {

    private static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();
    private static final BackupStick STICK;

    static {
        try {
            Path target = Files.createTempDirectory("backup-fuzz");
            target.toFile().deleteOnExit();
            STICK = new BackupStick(target);
            STICK.prepare();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void manifest(byte[] encrypted) throws IOException {
        Path file = STICK.snapshot("20260101T000000Z").resolve(BackupStick.MANIFEST);
        Files.createDirectories(file.getParent());
        Files.write(file, encrypted);
        try {
            Manifest manifest = BackupReader.manifest(STICK, "20260101T000000Z", OpenPgpFile.passphraseDecryptor(PASSPHRASE));
            assertThat(manifest.format()).isLessThanOrEqualTo(Manifest.FORMAT);
        } catch (IOException e) {
            // damaged, foreign or not ours: refused
        }
    }

    @FuzzTest(maxDuration = "10s")
    void markers(FuzzedDataProvider data) throws IOException {
        BackupStick.deleteTree(STICK.snapshots());
        int count = data.consumeInt(1, 3);
        for (int i = 0; i < count; i++) {
            Path marker = STICK.snapshots().resolve(i % 2 == 0 ? "2026010" + (i + 1) + "T000000Z" : "s" + i).resolve(BackupStick.COMPLETE); // the stick is the attacker's: any directory name
            Files.createDirectories(marker.getParent());
            Files.write(marker, i == count - 1 ? data.consumeRemainingAsBytes() : data.consumeBytes(data.consumeInt(0, 200)));
        }
        List<Completion> completed;
        try {
            completed = STICK.wellFormed();
        } catch (IOException e) {
            return; // a marker that is not one: the stick is refused
        }
        assertThat(completed.size()).isLessThanOrEqualTo(count);
        for (int i = 1; i < completed.size(); i++) {
            assertThat(completed.get(i - 1).id()).isGreaterThanOrEqualTo(completed.get(i).id());
        }
    }
}
