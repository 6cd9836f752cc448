#!/bin/bash
# ./mailkeep image --boot-test, the Pi's own boot path: boots a fresh copy of the card under
# `qemu-system-aarch64 -M raspi3b` with what a Pi 3's firmware would load from the FAT partition - the
# card's own kernel, initramfs, device tree (bcm2837-rpi-3-b.dtb) and cmdline.txt - the card on the SD
# controller and the network on USB (usb-net), until the wizard answers over HTTP through the firewall.
# This proves the initramfs finds mmcblk0p2 through the Pi 3's SD driver, the root file system, first
# boot and the appliance on the Pi's device tree. Not proven here: the GPU firmware reading config.txt
# (-kernel skips it; check-initramfs.py and the build check config.txt statically).
# usage: boot-raspi3b.sh mailkeep-<version>-arm64.img.xz   (or a raw .img, left untouched)
TEST=boot-raspi3b
. "$(dirname "$0")/boot-lib.sh"
unpack_card
DTB=bcm2837-rpi-3-b.dtb
mcopy -n -i "$BOOT" "::$DTB" "$W/$DTB" || fail "no $DTB on the FAT partition"

# Added to the card's own cmdline.txt for this test only:
# - modprobe.blacklist=bcm2835_wdt: QEMU 7.2's model of the BCM2835 power manager (hw/misc/bcm2835_powermgt.c)
#   has no watchdog timer: a write of RSTC with the full-reset bit resets the machine at once. Linux's
#   bcm2835_wdt writes exactly that when systemd arms the watchdog (RuntimeWatchdogSec=1min, system.conf.d),
#   with the time-out in PM_WDOG, which the real chip counts down and systemd keeps refilling; QEMU
#   ignores PM_WDOG, which is the reset "about 0.2 s after bcm2835-wdt probes" of issue 20: the emulator's,
#   not a boot loop of a real Pi (whose watchdog only fires when systemd stops refilling it).
# - systemd.journald.forward_to_console=1: the journal on the serial console, read by the checks below.
APPEND="$CMDLINE modprobe.blacklist=bcm2835_wdt systemd.journald.forward_to_console=1"
HTTP=$(free_port)
say "booting (-M raspi3b, 4 Cortex-A53, 1 GiB) the card's kernel $kver, $DTB, cmdline.txt: $CMDLINE; HTTP on 127.0.0.1:$HTTP"
# The Pi 3's console (cmdline.txt: console=ttyS1) is the mini UART, QEMU's second serial port.
qemu-system-aarch64 -M raspi3b -m 1G -accel tcg,thread=multi \
  -display none -serial null -serial "file:$W/serial.log" -no-reboot \
  -kernel "$W/vmlinuz" -initrd "$W/initrd.img" -dtb "$W/$DTB" -append "$APPEND" \
  -drive "file=$W/card.img,format=raw,if=sd,cache=unsafe" \
  -usb -netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$HTTP-:80" -device usb-net,netdev=n0 2> "$W/qemu.err" &
QPID=$!

wait_wizard 1800
grep -aq 'EXT4-fs (mmcblk0p2): mounted' "$W/serial.log" || fail "the root file system was not mounted from the SD card (mmcblk0p2)"
say "root file system mounted from mmcblk0p2 (the Pi 3's SD host)"
grep -aq 'Broadcom BCM2835 watchdog timer' "$W/serial.log" && fail "bcm2835_wdt was loaded despite modprobe.blacklist (QEMU would reset)"
T_RASPI=$(el)
printf 'raspi3b_boot_to_wizard_seconds=%s\n' "$T_HTTP" > "$OUTDIR/$NAME.boot-raspi3b"
say "PASSED: wizard after $T_HTTP s (whole test $T_RASPI s)"
