package org.mailkeep.backup;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image's root helper for the stick ({@code image-build/overlay/usr/lib/mailkeep/backup-stick}) run by
 * {@code sh} against a recorded sysfs tree, with stand-ins for the commands that would touch real disks
 * (mount, umount, blkid, systemctl, wipefs, sfdisk, udevadm, mkfs.ext4) that log their arguments and keep a
 * mounts table; and the appliance's side ({@link StickHelper}) talking to it through a request directory,
 * as mailkeep-stick-request.path connects them on the box.
 */
class BackupStickScriptTest {

    static final Path SCRIPT = Path.of("../image-build/overlay/usr/lib/mailkeep/backup-stick").toAbsolutePath().normalize();

    @TempDir
    Path root;
    Path mountPoint;
    Path requests;
    Path log;
    Path mounts;
    final Map<String, String> env = new HashMap<>();
    Thread pathUnit;

    @BeforeEach
    void box() throws Exception {
        SysfsFixture.disk(root, "sda", SysfsFixture.SANDISK, "8:0", 61_341_696, "SanDisk", "Ultra Fit", "", "BACKUP", "vfat");
        SysfsFixture.disk(root, "sdb", SysfsFixture.SANDISK.replace("2-2", "2-1").replace("host0", "host1"), "8:16", 976_773_168, "WD",
                "Elements", "", "SSD", "ext4");
        SysfsFixture.disk(root, "mmcblk0", SysfsFixture.SD_CARD, "179:0", 62_333_952, "", "SC64G", "", "", "vfat", "ext4");
        mountPoint = root.resolve("media/mailkeep-backup");
        requests = Files.createDirectories(root.resolve("run/mailkeep"));
        log = root.resolve("commands.log");
        mounts = root.resolve("mounts");
        Files.writeString(mounts, "/dev/mmcblk0p2 / ext4 rw 0 0\n");
        Files.writeString(log, "");
        Path bin = Files.createDirectories(root.resolve("bin"));
        fake(bin, "blkid", "cat \"$FAKE_ROOT/fs-${5#/dev/}\" 2>/dev/null || true");
        fake(bin, "mount", "echo \"$5 $6 $2 $4 0 0\" >> \"$FAKE_ROOT/mounts\"");
        fake(bin, "umount", "for mp; do :; done; grep -v \" $mp \" \"$FAKE_ROOT/mounts\" > \"$FAKE_ROOT/mounts.new\" || true; "
                + "mv \"$FAKE_ROOT/mounts.new\" \"$FAKE_ROOT/mounts\"");
        fake(bin, "mkfs.ext4", "for dev; do :; done; echo ext4 > \"$FAKE_ROOT/fs-${dev#/dev/}\"");
        fake(bin, "systemctl", "unit=${2#mailkeep-stick-mount@}; unit=${unit%.service}; "
                + "case $1 in stop) sh \"" + SCRIPT + "\" unmount \"$unit\" ;; start) sh \"" + SCRIPT + "\" mount \"$unit\" ;; esac");
        fake(bin, "sfdisk", "cat > /dev/null");
        fake(bin, "wipefs", ":");
        fake(bin, "udevadm", ":");
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put("FAKE_ROOT", root.toString());
        env.put("MAILKEEP_SYS_BLOCK", root.resolve("sys/block").toString());
        env.put("MAILKEEP_PROC_MOUNTS", mounts.toString());
        env.put("MAILKEEP_BACKUP_MOUNT", mountPoint.toString());
        env.put("MAILKEEP_REQUEST_DIR", requests.toString());
        env.put("MAILKEEP_HELPER_WORK", Files.createDirectories(root.resolve("run/root-only")).toString());
        env.put("MAILKEEP_OWNER", System.getProperty("user.name"));
    }

    @AfterEach
    void stopPathUnit() throws InterruptedException {
        if (pathUnit != null) {
            pathUnit.interrupt();
            pathUnit.join();
        }
    }

    /** A stand-in command: logs its name and arguments, then does {@code body}. */
    void fake(Path bin, String name, String body) throws IOException {
        Path file = bin.resolve(name);
        Files.writeString(file, "#!/bin/sh\necho \"" + name + " $*\" >> \"$FAKE_ROOT/commands.log\"\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    int script(String... args) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(concat(List.of("sh", SCRIPT.toString()), List.of(args))).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("script.out").toFile()));
        builder.environment().putAll(env);
        return builder.start().waitFor();
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    String commands() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** What mailkeep-stick-request.path does on the box: run the helper whenever a request file exists. */
    StickHelper helper() {
        pathUnit = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    if (Files.exists(requests.resolve(StickHelper.REQUEST), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        script("request");
                    }
                    Thread.sleep(20);
                }
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        pathUnit.start();
        return new StickHelper(requests);
    }

    @Test
    void mountsOnlyUsbVolumesWithSupportedFileSystemsWithSafeOptions() throws Exception {
        Files.writeString(root.resolve("fs-sda1"), "vfat\n");
        Files.writeString(root.resolve("fs-mmcblk0p1"), "vfat\n");
        Files.writeString(root.resolve("fs-sdb1"), "ntfs\n");

        assertThat(script("mount", "mmcblk0p1")).as("the SD card is never mounted as the stick").isNotZero();
        assertThat(script("mount", "sdb1")).as("NTFS is not supported").isNotZero();
        assertThat(script("mount", "sda1")).isZero();
        String uid = new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes()).trim();
        assertThat(commands()).contains("mount -t vfat -o nosuid,nodev,noexec,noatime,flush,uid=" + uid + ",gid=")
                .contains(",fmask=0077,dmask=0077 /dev/sda1 " + mountPoint).doesNotContain("/dev/mmcblk0p1 ", "/dev/sdb1 ");
        assertThat(Files.readString(mounts)).contains("/dev/sda1 " + mountPoint + " vfat");

        Files.writeString(root.resolve("fs-sdb1"), "ext4\n");
        assertThat(script("mount", "sdb1")).as("a second stick waits: one mount point").isZero();
        assertThat(Files.readString(mounts)).doesNotContain("/dev/sdb1");
        assertThat(script("unmount", "sda1")).isZero();
        assertThat(Files.readString(mounts)).doesNotContain(mountPoint.toString());
    }

    @Test
    void prepareErasesOnlyTheUsbDiskNamedWithItsSizeAndNotInUse() throws Exception {
        Files.writeString(root.resolve("fs-sda1"), "vfat\n");
        assertThat(script("mount", "sda1")).isZero();
        Files.writeString(mounts, "/dev/sdb1 /srv ext4 rw 0 0\n", java.nio.file.StandardOpenOption.APPEND);
        StickHelper helper = helper();

        assertThat(helper.ask("prepare sda 32.0 GB", Duration.ofSeconds(20)))
                .isEqualTo(new StickHelper.Answer(false, "the confirmation must be exactly 'sda 31.4 GB'"));
        assertThat(helper.ask("prepare mmcblk0 31.9 GB", Duration.ofSeconds(20)).ok()).isFalse();
        assertThat(helper.ask("prepare sdb 500.1 GB", Duration.ofSeconds(20)))
                .isEqualTo(new StickHelper.Answer(false, "sdb is in use (mounted at /srv): not erasing it"));
        assertThat(helper.ask("format sda", Duration.ofSeconds(20)).message()).isEqualTo("unknown request 'format'");
        assertThat(commands()).doesNotContain("wipefs", "mkfs");

        StickHelper.Answer prepared = helper.ask("prepare sda 31.4 GB", Duration.ofSeconds(20));
        assertThat(prepared).isEqualTo(new StickHelper.Answer(true, "sda erased: one ext4 partition sda1 labelled MAILKEEP, mounted"));
        assertThat(commands()).containsSubsequence("systemctl stop mailkeep-stick-mount@sda1.service", "umount " + mountPoint,
                "wipefs -q -a /dev/sda", "sfdisk -q /dev/sda", "mkfs.ext4 -q -F -L MAILKEEP /dev/sda1",
                "systemctl start mailkeep-stick-mount@sda1.service", "mount -t ext4 -o nosuid,nodev,noexec,noatime /dev/sda1 " + mountPoint);
        assertThat(mountPoint.resolve("mailkeep-backup")).isDirectory();
        assertThat(Files.readString(mounts)).contains("/dev/sdb1 /srv", "/dev/sda1 " + mountPoint + " ext4");
    }

    @Test
    void ejectUnmountsTheStickAndAnswersEvenWhenNoneIsMounted() throws Exception {
        Files.writeString(root.resolve("fs-sda1"), "exfat\n");
        assertThat(script("mount", "sda1")).isZero();
        StickHelper helper = helper();
        assertThat(helper.ask("eject", Duration.ofSeconds(20))).isEqualTo(new StickHelper.Answer(true, "sda1 unmounted: safe to remove"));
        assertThat(Files.readString(mounts)).doesNotContain(mountPoint.toString());
        assertThat(helper.ask("eject", Duration.ofSeconds(20))).isEqualTo(new StickHelper.Answer(true, "no stick is mounted: safe to remove"));
    }

    @Test
    void linksInTheRequestDirectoryAreNeverFollowedAndAnUnansweredRequestIsWithdrawn() throws Exception {
        Path secret = Files.writeString(root.resolve("secret"), "abc eject\n");
        Files.createSymbolicLink(requests.resolve(StickHelper.REQUEST), secret);
        assertThat(script("request")).isZero();
        assertThat(requests.resolve(StickHelper.REQUEST)).doesNotExist();
        assertThat(requests.resolve(StickHelper.RESULT)).doesNotExist();
        assertThat(secret).hasContent("abc eject\n");
        // an answer goes in by rename: a link the appliance put in its place is replaced, not written through
        Path target = Files.writeString(root.resolve("target"), "untouched\n");
        Files.createSymbolicLink(requests.resolve(StickHelper.RESULT), target);
        Files.writeString(requests.resolve(StickHelper.REQUEST), "n1 eject\n");
        assertThat(script("request")).isZero();
        assertThat(target).hasContent("untouched\n");
        assertThat(Files.isSymbolicLink(requests.resolve(StickHelper.RESULT))).isFalse();
        assertThat(requests.resolve(StickHelper.RESULT)).hasContent("n1 ok no stick is mounted: safe to remove\n");
        try (var left = Files.list(root.resolve("run/root-only"))) {
            assertThat(left).as("root's scratch files are gone").isEmpty();
        }
        Files.delete(requests.resolve(StickHelper.RESULT));

        // nobody watches the directory (the path unit is off): the appliance gives up and takes the request back
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new StickHelper(requests).ask("eject", Duration.ofMillis(300)))
                .isInstanceOf(IOException.class).hasMessageContaining("did not answer");
        assertThat(requests.resolve(StickHelper.REQUEST)).doesNotExist();
    }
}
