#!/bin/sh
# Assembles the SD-card image from a root file system directory without loop devices or mounts:
# a FAT32 image filled with mcopy (the Pi's firmware partition), an ext4 image made by `mkfs.ext4 -d`,
# an MBR written by sfdisk on a sparse file, both dd'ed into place.
# usage: assemble.sh ROOTFS OUT.img TOTAL_MiB      (SOURCE_DATE_EPOCH set)
set -eu
ROOTFS=$1; IMG=$2; TOTAL_MB=$3
: "${SOURCE_DATE_EPOCH:?}"
BOOT_OFF_MB=4; BOOT_MB=256
ROOT_OFF_MB=$((BOOT_OFF_MB + BOOT_MB)); ROOT_MB=$((TOTAL_MB - ROOT_OFF_MB))
W=$(mktemp -d "$(dirname "$IMG")/asm.XXXX")
trap 'rm -rf "$W"' EXIT
# Reproducibility: no file newer than SOURCE_DATE_EPOCH; file system ids and times derived from it.
find "$ROOTFS" -newermt "@$SOURCE_DATE_EPOCH" -print0 | xargs -0r touch -h -d "@$SOURCE_DATE_EPOCH"
seed=$(printf 'mailkeep-%s' "$SOURCE_DATE_EPOCH" | sha256sum | cut -c1-32)
uuid=$(echo "$seed" | sed -E 's/(.{8})(.{4})(.{4})(.{4})(.{12})/\1-\2-\3-\4-\5/')
hash_seed=$(printf 'hash-%s' "$seed" | sha256sum | cut -c1-32 | sed -E 's/(.{8})(.{4})(.{4})(.{4})(.{12})/\1-\2-\3-\4-\5/')
# 1. FAT boot partition: what raspi-firmware put in /boot/firmware (firmware, dtbs, kernel, initrd,
#    config.txt, cmdline.txt with root=LABEL=RASPIROOT)
mkfs.vfat -C -F 32 -n RASPIFIRM -S 512 -i "$(echo "$seed" | cut -c1-8)" "$W/boot.vfat" $((BOOT_MB * 1024)) >/dev/null
mcopy -s -m -i "$W/boot.vfat" "$ROOTFS"/boot/firmware/* ::/
# 2. ext4 root partition from the directory, /boot/firmware left as the empty mount point
mkdir "$W/fw"; mv "$ROOTFS"/boot/firmware/* "$W/fw/"
truncate -s "${ROOT_MB}M" "$W/root.ext4"
E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH mkfs.ext4 -q -L RASPIROOT -U "$uuid" -E "hash_seed=$hash_seed" -d "$ROOTFS" "$W/root.ext4"
mv "$W/fw/"* "$ROOTFS"/boot/firmware/
# 3. MBR (fixed disk id) on a sparse file, the two file systems dd'ed into place
rm -f "$IMG"; truncate -s "${TOTAL_MB}M" "$IMG"
sfdisk -q "$IMG" <<EOT
label: dos
label-id: 0x$(echo "$seed" | cut -c9-16)
unit: sectors
start=$((BOOT_OFF_MB * 2048)), size=$((BOOT_MB * 2048)), type=c, bootable
start=$((ROOT_OFF_MB * 2048)), type=83
EOT
dd if="$W/boot.vfat" of="$IMG" bs=1M seek=$BOOT_OFF_MB conv=notrunc,sparse status=none
dd if="$W/root.ext4" of="$IMG" bs=1M seek=$ROOT_OFF_MB conv=notrunc,sparse status=none
