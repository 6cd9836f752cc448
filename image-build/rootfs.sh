#!/bin/sh
# The cached base root filesystem: Debian arm64 packages only, via mmdebstrap + qemu-user (binfmt).
# usage: rootfs.sh SUITE JRE_PACKAGE OUTDIR      (root; arm64 binfmt enabled; OUTDIR must not exist)
# Everything MailKeep-specific (appliance, units, config) is applied later by configure.sh on a copy,
# so changing the appliance never re-runs this slow step. The cache key is this file's hash.
set -eu
SUITE=$1; JRE=$2; OUT=$3
MIRROR=${MAILKEEP_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SEC=${MAILKEEP_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
# Base system and the box's runtime needs (see README.md, "What is on the card").
PACKAGES=systemd-sysv,systemd-timesyncd,dbus,udev,kmod,iproute2,netbase,ca-certificates,curl
PACKAGES=$PACKAGES,$JRE,avahi-daemon,nftables,systemd-zram-generator,unattended-upgrades,openssh-server
PACKAGES=$PACKAGES,cloud-guest-utils,fdisk,e2fsprogs,dosfstools,mtools,raspi-firmware,initramfs-tools
# ClamAV: installed on every card, run only where the memory allows (overlay: usr/lib/mailkeep/antivirus)
PACKAGES=$PACKAGES,clamav-daemon,clamav-freshclam
mkdir "$OUT"
# Speed (measured in the recipe): the kernel is installed LAST (one initramfs build instead of one per
# trigger) and the initramfs holds a short module list (MODULES=list) instead of every module.
# The list covers QEMU virt (boot test) and the Pi 3/4 SD-card and USB paths; MODULES=most is the safe
# switch if a board does not find its root filesystem (README.md).
exec mmdebstrap --arch=arm64 --variant=apt --include="$PACKAGES" \
  --setup-hook='mkdir -p "$1/boot/firmware" "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d"' \
  --setup-hook='echo MODULES=list > "$1/etc/initramfs-tools/conf.d/zz-mailkeep.conf"' \
  --setup-hook='printf "%s\n" ext4 vfat nls_cp437 nls_ascii virtio_pci virtio_mmio virtio_blk sdhci-iproc bcm2835 gpio-regulator reset-raspberrypi xhci-pci usb-storage uas dwc2 > "$1/usr/share/initramfs-tools/modules.d/mailkeep"' \
  --customize-hook='sed -i -e "s|^#ROOTPART=.*|ROOTPART=LABEL=RASPIROOT|" -e "s|^#CONSOLES=.*|CONSOLES=\"tty0 ttyS1,115200\"|" "$1/etc/default/raspi-firmware"' \
  --customize-hook='chroot "$1" apt-get install -y --no-install-recommends linux-image-arm64 systemd-resolved' \
  --customize-hook='chroot "$1" apt-get clean' \
  "$SUITE" "$OUT" \
  "deb $MIRROR $SUITE main non-free-firmware" \
  "deb $MIRROR $SUITE-updates main non-free-firmware" \
  "deb $SEC $SUITE-security main non-free-firmware"
