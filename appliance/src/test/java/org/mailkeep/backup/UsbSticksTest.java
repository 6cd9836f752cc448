package org.mailkeep.backup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Against sysfs and udev trees laid out as a Raspberry Pi 4 with Debian's kernel shows them: a SanDisk
 * stick with one FAT32 partition on the USB 3 bus, an NTFS disk, a partitionless ext4 stick, and the SD card
 * (mmcblk0, not USB). Values are those the kernel and udev report for such devices.
 */
class UsbSticksTest {

    @TempDir
    Path root;

    void disk(String name, String devicePath, String majorMinor, long sectors, String vendor, String model, String fs, String label,
              String... partitions) throws Exception {
        SysfsFixture.disk(root, name, devicePath, majorMinor, sectors, vendor, model, fs, label, partitions);
    }

    @Test
    void findsUsbVolumesWithTheirFileSystemsAndIgnoresTheSdCard() throws Exception {
        disk("sda", SysfsFixture.SANDISK,
                "8:0", 61_341_696, "SanDisk", "Ultra Fit", "", "BACKUP", "vfat");
        disk("sdb", "platform/scb/fd500000.pcie/pci0000:00/0000:00:00.0/0000:01:00.0/usb2/2-1/2-1:1.0/host1/target1:0:0/1:0:0:0",
                "8:16", 976_773_168, "WD", "Elements 2621", "", "Windows", "ntfs");
        disk("sdc", "platform/scb/fd500000.pcie/pci0000:00/0000:00:00.0/0000:01:00.0/usb1/1-1/1-1.3/1-1.3:1.0/host2/target2:0:0/2:0:0:0",
                "8:32", 30_031_872, "Kingston", "DataTraveler 3.0", "ext4", "MAILKEEP");
        disk("mmcblk0", SysfsFixture.SD_CARD, "179:0", 62_333_952, "", "SC64G", "", "", "vfat", "ext4");

        List<UsbSticks.Volume> volumes = new UsbSticks(root.resolve("sys/block"), root.resolve("run/udev/data")).scan();

        assertThat(volumes).extracting(UsbSticks.Volume::name).containsExactly("sda1", "sdb1", "sdc");
        UsbSticks.Volume sanDisk = volumes.get(0);
        assertThat(sanDisk.devicePath()).isEqualTo("/dev/sda1");
        assertThat(sanDisk.fsType()).isEqualTo("vfat");
        assertThat(sanDisk.label()).isEqualTo("BACKUP");
        assertThat(sanDisk.model()).isEqualTo("Ultra Fit");
        assertThat(sanDisk.supported()).isTrue();
        assertThat(volumes.get(1).supported()).as("NTFS is not offered").isFalse();
        assertThat(volumes.get(2).fsType()).isEqualTo("ext4");
        assertThat(volumes.get(2).confirmation()).isEqualTo("sdc 15.4 GB");
        assertThat(new UsbSticks(root.resolve("sys/block"), root.resolve("run/udev/data")).firstUsable()).map(UsbSticks.Volume::name).hasValue("sda1");
    }

    @Test
    void aMachineWithoutUsbDisksHasNone() throws Exception {
        assertThat(new UsbSticks(root.resolve("missing"), root.resolve("missing-udev")).scan()).isEmpty();
    }
}
