package org.mailkeep.backup;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.store.Address;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A stick is a FAT file system anyone can open on a PC (issue 15): markers they write must name no path outside the
 * stick, and only markers MailKeep signed with the passphrase's key are followed, kept or deleted by retention.
 */
class BackupStickForgeryTest {

    final BackupRoundTripTest rounds = new BackupRoundTripTest();

    @AfterEach
    void close() {
        rounds.closeAll();
    }

    static void plant(BackupStick stick, String dir, Completion marker) throws Exception {
        Path snapshot = Files.createDirectories(stick.snapshots().resolve(dir));
        BackupStick.JSON.writeValue(snapshot.resolve(BackupStick.COMPLETE).toFile(), marker);
    }

    @Test
    void forgedMarkersAreIgnoredReportedAndRetentionTouchesNothingOutsideTheStick(@TempDir Path tmp) throws Exception {
        BackupRoundTripTest.Box a = rounds.box(tmp.resolve("a"), 1);
        long alice = a.directory.createAccount(Address.parse("alice@example.test").orElseThrow(), "alice-password", null).id();
        a.deliver(alice, "Subject: one\r\n\r\nbody\r\n");
        BackupStick stick = new BackupStick(tmp.resolve("stick"));
        a.backup(stick, "20261127T033000Z");
        a.deliver(alice, "Subject: two\r\n\r\nbody\r\n");
        a.backup(stick, "20261128T033000Z");
        Path canary = Files.createDirectories(tmp.resolve("canary"));
        Files.writeString(canary.resolve("mail"), "must survive");

        // issue 15's attack: a marker of 1900-01-01 and, beside it, an older one of the same day whose id climbs out of the stick
        Completion genuine = stick.authenticated(BackupRoundTripTest.KEY).genuine().get(0);
        Files.createDirectories(stick.snapshots().resolve("19000101")); // so that the path "snapshots/19000101/../.." resolves
        plant(stick, "19000101T000000Z", new Completion(1, "19000101T000000Z", "1900-01-01T00:00:00Z", 1, 1, Map.of(), Map.of(), null, null));
        plant(stick, "19000101T000001Z", new Completion(1, "19000101/../../../../canary", "1900-01-01T00:00:00Z", 1, 1, Map.of(), Map.of(),
                genuine.keySalt(), genuine.mac()));
        // a copy of a genuine marker with its pack list changed, and one that names a pack by a path
        plant(stick, "20261129T033000Z", new Completion(1, "20261129T033000Z", genuine.finishedAt(), genuine.bytes(), genuine.files(),
                genuine.snapshotFiles(), Map.of(), genuine.keySalt(), genuine.mac()));
        plant(stick, "20261130T033000Z", new Completion(1, "20261130T033000Z", genuine.finishedAt(), 1, 1, Map.of(),
                Map.of("../../../canary/mail", "x"), genuine.keySalt(), genuine.mac()));

        BackupStick.Listing listing = stick.authenticated(BackupRoundTripTest.KEY);
        assertThat(listing.genuine()).extracting(Completion::id).containsExactly("20261128T033000Z", "20261127T033000Z");
        assertThat(listing.rejected()).extracting(BackupStick.Rejected::snapshot)
                .containsExactly("19000101T000000Z", "19000101T000001Z", "20261129T033000Z", "20261130T033000Z");
        assertThat(listing.rejected().get(0).reason()).contains("no MAC");
        assertThat(listing.rejected().get(1).reason()).contains("invalid snapshot id");
        assertThat(listing.rejected().get(2).reason()).contains("does not match");
        assertThat(listing.rejected().get(3).reason()).contains("invalid packs");

        Retention.apply(stick, listing, 1, 0, 0);
        assertThat(canary.resolve("mail")).hasContent("must survive");
        assertThat(stick.snapshots().resolve("19000101T000001Z").resolve(BackupStick.COMPLETE)).exists(); // ignored, not acted on
        assertThat(stick.authenticated(BackupRoundTripTest.KEY).genuine()).extracting(Completion::id).containsExactly("20261128T033000Z");

        // the genuine newest backup still restores into a fresh box
        BackupRoundTripTest.Box b = rounds.box(tmp.resolve("b"), 1);
        b.restore(stick, "20261128T033000Z");
        assertThat(b.mailState()).isEqualTo(a.mailState());
    }

    @Test
    void nothingButASnapshotIdOrPackNameBecomesAPath(@TempDir Path tmp) {
        BackupStick stick = new BackupStick(tmp);
        assertThat(stick.snapshot("20261128T033000Z-2")).isEqualTo(stick.snapshots().resolve("20261128T033000Z-2"));
        for (String id : new String[] {"19000101/../../..", "..", "20261128T033000Z/..", "/etc", "20261128T033000Z\n", ""}) {
            assertThatThrownBy(() -> stick.snapshot(id)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> stick.pack("../../x")).isInstanceOf(IllegalArgumentException.class);
        assertThat(stick.pack("20261128T033000Z-0001")).hasFileName("20261128T033000Z-0001.tar.gpg");
    }
}
