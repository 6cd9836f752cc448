package org.mailkeep.backup;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Block devices laid out under {@code root} as a Raspberry Pi 4 with Debian's kernel shows them in sysfs
 * ({@code sys/block}, {@code sys/devices}) and udev's database ({@code run/udev/data}), for the stick detection
 * and the root helper's checks.
 */
final class SysfsFixture {

    /** A SanDisk stick with one FAT32 partition on the USB 3 bus. */
    static final String SANDISK = "platform/scb/fd500000.pcie/pci0000:00/0000:00:00.0/0000:01:00.0/usb2/2-2/2-2:1.0/host0/target0:0:0/0:0:0:0";
    /** The SD card: not USB. */
    static final String SD_CARD = "platform/emmc2bus/fe340000.mmc/mmc_host/mmc0/mmc0:aaaa";

    private SysfsFixture() {
    }

    /** Lays out /sys/block/NAME -> ../devices/.../NAME with its attributes and the udev entry of each volume. */
    static void disk(Path root, String name, String devicePath, String majorMinor, long sectors, String vendor, String model, String fs, String label,
              String... partitions) throws Exception {
        Path real = Files.createDirectories(root.resolve("sys/devices").resolve(devicePath).resolve("block").resolve(name));
        Path deviceDir = Files.createDirectories(root.resolve("sys/devices").resolve(devicePath));
        Files.writeString(deviceDir.resolve("vendor"), vendor + "\n");
        Files.writeString(deviceDir.resolve("model"), model + "\n");
        Files.createSymbolicLink(real.resolve("device"), deviceDir);
        Files.writeString(real.resolve("size"), sectors + "\n");
        Files.writeString(real.resolve("dev"), majorMinor + "\n");
        Files.writeString(real.resolve("removable"), "0\n"); // many sticks say 0: detection must not rely on it
        Files.createDirectories(root.resolve("sys/block"));
        Files.createSymbolicLink(root.resolve("sys/block").resolve(name), real);
        Path udev = Files.createDirectories(root.resolve("run/udev/data"));
        if (partitions.length == 0) {
            Files.writeString(udev.resolve("b" + majorMinor), "S:disk/by-id/usb-" + vendor + "\nE:ID_BUS=usb\nE:ID_FS_TYPE=" + fs + "\nE:ID_FS_LABEL=" + label + "\n");
        }
        int minor = Integer.parseInt(majorMinor.split(":")[1]);
        for (int i = 0; i < partitions.length; i++) {
            Path part = Files.createDirectories(real.resolve(name + (i + 1)));
            Files.writeString(part.resolve("partition"), (i + 1) + "\n");
            Files.writeString(part.resolve("size"), (sectors - 2048) + "\n");
            String mm = majorMinor.split(":")[0] + ":" + (minor + i + 1);
            Files.writeString(part.resolve("dev"), mm + "\n");
            Files.writeString(udev.resolve("b" + mm), "E:ID_BUS=usb\nE:ID_FS_TYPE=" + partitions[i] + "\nE:ID_FS_LABEL=" + label + "\nE:ID_FS_USAGE=filesystem\n");
        }
    }
}
