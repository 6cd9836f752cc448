package org.mailkeep.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.mailkeep.box.HealthCheck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether the SD card's FAT boot partition is mounted. The Pi's firmware reads the kernel, initramfs and
 * device trees from it, and every kernel update copies the new ones there; the image mounts it with
 * {@code nofail} so that a damaged FAT partition does not stop the mail, and then holds kernel updates back
 * (image-build/README.md, "Kernel updates"). Without this check that would go unnoticed for ever: a box
 * that no longer gets kernel security fixes.
 *
 * <p>Read from {@code /proc/self/mountinfo} (proc(5): the fifth field is the mount point). Where the mount
 * point does not exist (a developer's machine, a container) the check says so and passes.
 */
@ApplicationScoped
public class BootPartitionCheck implements HealthCheck {

    static final String NAME = "boot-partition";

    private final Path mountPoint;
    private final Path mountinfo;

    @Inject
    public BootPartitionCheck(BoxHealthConfig config) {
        this(Path.of(config.bootPartition()), Path.of("/proc/self/mountinfo"));
    }

    BootPartitionCheck(Path mountPoint, Path mountinfo) {
        this.mountPoint = mountPoint;
        this.mountinfo = mountinfo;
    }

    @Override
    public Result check() {
        if (!Files.isDirectory(mountPoint)) {
            return Result.ok(NAME, "not checked: no " + mountPoint + " (not the SD-card image)");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(mountinfo);
        } catch (IOException e) {
            return Result.warning(NAME, "cannot read " + mountinfo + ": " + e.getMessage());
        }
        String target = mountPoint.toString();
        for (String line : lines) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && fields[4].equals(target)) {
                return Result.ok(NAME, "FAT boot partition mounted on " + target);
            }
        }
        return Result.warning(NAME, "the FAT boot partition is not mounted on " + target
                + ": kernel updates are held back until it is repaired (fsck.vfat on the card)");
    }
}
