#!/bin/sh
# Static checks of what the Pi's firmware will read from the FAT partition, run on the root file system
# before it becomes the card (its /boot/firmware is copied to the FAT partition as it is):
# - config.txt names a kernel and an initramfs that are there, cmdline.txt names the root file system by
#   label and carries no cma= (raspi-firmware's guess from the build host);
# - for every supported board's device tree, the initramfs holds the drivers of its SD host, their
#   supplies, clocks, resets and DMA, and the USB-storage path (check-initramfs.py).
# usage: check-boot-files.sh ROOTFS [INITRAMFS_LISTING]   (root; arm64 binfmt: lsinitramfs is the card's own)
set -eu
ROOTFS=$1; HERE=$(cd "$(dirname "$0")" && pwd)
FW=$ROOTFS/boot/firmware
kver=$(ls "$FW" | sed -n 's/^vmlinuz-//p' | sort -V | tail -n 1)
[ -n "$kver" ] || { echo "check: no vmlinuz-* in $FW" >&2; exit 1; }
bad=0
for f in $(sed -n -e 's/^kernel=//p' -e 's/^initramfs \([^ ]*\).*/\1/p' "$FW/config.txt" | sort -u); do
  [ -e "$FW/$f" ] || { echo "check: config.txt names $f, which is not on the FAT partition" >&2; bad=1; }
done
grep -q 'root=LABEL=RASPIROOT' "$FW/cmdline.txt" || { echo "check: cmdline.txt does not name root=LABEL=RASPIROOT" >&2; bad=1; }
! grep -q 'cma=' "$FW/cmdline.txt" || { echo "check: cmdline.txt carries cma= (build host dependent): $(cat "$FW/cmdline.txt")" >&2; bad=1; }
echo "check: kernel $kver, config.txt: $(grep -E '^(kernel=|initramfs )' "$FW/config.txt" | sort -u | tr '\n' ' ')"
echo "check: cmdline.txt: $(cat "$FW/cmdline.txt")"
listing=${2:-}
if [ -z "$listing" ]; then
  listing=$(mktemp); trap 'rm -f "$listing"' EXIT
  chroot "$ROOTFS" lsinitramfs "/boot/firmware/initrd.img-$kver" > "$listing"
fi
/usr/bin/python3 "$HERE/check-initramfs.py" --fat "$FW" --modules "$ROOTFS/usr/lib/modules/$kver" --initramfs-list "$listing" || bad=1
exit $bad
