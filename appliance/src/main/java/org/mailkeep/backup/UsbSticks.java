package org.mailkeep.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds USB mass-storage devices and the file systems on them, from the kernel's sysfs block tree
 * ({@code /sys/block/sdX}, whose device link runs through a {@code /usbN/} bus for USB disks) and udev's
 * database ({@code /run/udev/data/bMAJOR:MINOR}, lines {@code E:ID_FS_TYPE=vfat}). Read-only: mounting and
 * formatting are separate steps. Both roots are parameters so tests run against recorded trees of real sticks.
 */
public final class UsbSticks {

    /** File systems a stick may carry for backups (Linux mounts each without extra packages on the image, exFAT since 5.7). */
    static final Set<String> SUPPORTED = Set.of("vfat", "exfat", "ext4");

    /**
     * A disk or partition found on a USB stick. {@code confirmation} is what the owner must type to have the whole
     * disk erased ("prepare this stick"): the disk's name and size; the root helper computes it the same way.
     */
    public record Volume(String disk, String name, String devicePath, long sizeBytes, String vendor, String model, String fsType,
                         String label, boolean supported, String confirmation) {
    }

    private final Path sysBlock;
    private final Path udevData;

    public UsbSticks(Path sysBlock, Path udevData) {
        this.sysBlock = sysBlock;
        this.udevData = udevData;
    }

    /** Every volume on every USB disk: its partitions, or the whole disk when it has none ("superfloppy" sticks). */
    public List<Volume> scan() throws IOException {
        List<Volume> volumes = new ArrayList<>();
        if (!Files.isDirectory(sysBlock)) {
            return volumes;
        }
        try (DirectoryStream<Path> disks = Files.newDirectoryStream(sysBlock)) {
            for (Path disk : disks) {
                if (!isUsb(disk)) {
                    continue;
                }
                String diskName = disk.getFileName().toString();
                String vendor = read(disk.resolve("device/vendor")).orElse("");
                String model = read(disk.resolve("device/model")).orElse("");
                String confirmation = diskName + " " + humanSize(sizeBytes(disk));
                List<Path> partitions = new ArrayList<>();
                try (DirectoryStream<Path> children = Files.newDirectoryStream(disk, diskName + "*")) {
                    for (Path child : children) {
                        if (Files.exists(child.resolve("partition"))) {
                            partitions.add(child);
                        }
                    }
                }
                partitions.sort(null);
                for (Path volume : partitions.isEmpty() ? List.of(disk) : partitions) {
                    Map<String, String> udev = udev(read(volume.resolve("dev")).orElse(""));
                    String fs = udev.getOrDefault("ID_FS_TYPE", "");
                    long size = sizeBytes(volume);
                    String name = volume.getFileName().toString();
                    volumes.add(new Volume(diskName, name, "/dev/" + name, size, vendor, model, fs, udev.getOrDefault("ID_FS_LABEL", ""),
                            SUPPORTED.contains(fs), confirmation));
                }
            }
        }
        volumes.sort((a, b) -> a.name().compareTo(b.name()));
        return volumes;
    }

    /** The first volume a backup can use: a supported file system on a USB disk. */
    public Optional<Volume> firstUsable() throws IOException {
        return scan().stream().filter(Volume::supported).findFirst();
    }

    /** A USB disk: its sysfs device path runs through a USB bus (removable is not reliable: many sticks report 0). */
    private static boolean isUsb(Path disk) throws IOException {
        Path device = disk.resolve("device");
        if (!Files.exists(device)) {
            return false;
        }
        String real = device.toRealPath().toString();
        return real.contains("/usb");
    }

    private Map<String, String> udev(String majorMinor) throws IOException {
        Map<String, String> properties = new HashMap<>();
        Path file = udevData.resolve("b" + majorMinor);
        if (majorMinor.isEmpty() || !Files.isRegularFile(file)) {
            return properties;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.startsWith("E:")) {
                int eq = line.indexOf('=');
                if (eq > 2) {
                    properties.put(line.substring(2, eq), line.substring(eq + 1));
                }
            }
        }
        return properties;
    }

    /** A disk's or partition's size in bytes (sysfs counts 512-byte sectors whatever the device's own sector size). */
    private static long sizeBytes(Path block) throws IOException {
        return read(block.resolve("size")).map(Long::parseLong).orElse(0L) * 512;
    }

    private static Optional<String> read(Path file) throws IOException {
        return Files.isRegularFile(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim()) : Optional.empty();
    }

    static String humanSize(long bytes) {
        return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
    }
}
