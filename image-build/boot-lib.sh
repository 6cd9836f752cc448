#!/bin/bash
# Shared by the boot tests (boot-test.sh: QEMU virt; boot-raspi3b.sh: QEMU raspi3b): a fresh copy of the
# card, the card's own boot files from its FAT partition, logging, and the wait for the wizard.
# Sourced with the image as $1 and TEST set to the test's name.
set -euo pipefail
XZ=$(readlink -f "$1")
OUTDIR=$(dirname "$XZ"); NAME=$(basename "$(basename "$XZ" .xz)" .img)
CARD_MB=${MAILKEEP_BOOT_TEST_CARD_MB:-4096}   # bigger than the image (first boot grows into it); a power of two for raspi3b's SD card
W=$(mktemp -d "/var/tmp/mailkeep-$TEST.XXXX")
QPID=
cleanup() {
  if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then kill "$QPID"; wait "$QPID" 2>/dev/null || true; fi
  rm -rf "$W"
}
trap cleanup EXIT; trap "exit 143" INT TERM
t0=$(date +%s)
el() { echo $(( $(date +%s) - t0 )); }
say() { echo "== $TEST [$(el) s]: $*"; }
fail() {
  echo "== $TEST FAILED [$(el) s]: $*" >&2
  echo "-- last lines of the serial console:" >&2; tail -n 40 "$W/serial.log" >&2 || true
  # QEMU's own messages (slirp's "Failed to send packet" while the guest's network is not up yet is noise)
  echo "-- QEMU:" >&2; grep -v 'Slirp: Failed to send packet' "$W/qemu.err" 2>/dev/null | tail -n 10 >&2 || true
  exit 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# The card: $W/card.img; BOOT (mtools) and ROOTFS (e2fsprogs) address its two partitions; the kernel,
# initramfs and cmdline.txt come from the FAT partition as the Pi's firmware would read them.
unpack_card() {
  say "unpacking $XZ onto a ${CARD_MB} MiB card"
  case $XZ in
    *.xz) xz -dc "$XZ" | dd of="$W/card.img" bs=1M iflag=fullblock conv=sparse status=none ;;
    *) cp --sparse=always "$XZ" "$W/card.img" ;;
  esac
  truncate -s "${CARD_MB}M" "$W/card.img"
  BOOT=$W/card.img@@4M     # the FAT partition (mtools offset syntax); start as in assemble.sh
  ROOT_OFF=$(sfdisk -J "$W/card.img" | json 'd["partitiontable"]["partitions"][1]["start"]*512')
  ROOTFS="$W/card.img?offset=$ROOT_OFF"   # e2fsprogs' unix I/O offset syntax
  # raspi-firmware names them after the kernel version: vmlinuz-<v>, initrd.img-<v>
  kver=$(mdir -b -i "$BOOT" :: | sed -n 's|^::/vmlinuz-||p' | sort -V | tail -n1)
  [ -n "$kver" ] || fail "no vmlinuz-* on the FAT partition"
  mcopy -n -i "$BOOT" "::vmlinuz-$kver" "$W/vmlinuz"
  mcopy -n -i "$BOOT" "::initrd.img-$kver" "$W/initrd.img"
  CMDLINE=$(mtype -i "$BOOT" ::cmdline.txt | tr -d '\r' | tr '\n' ' ' | sed 's/ *$//')
  case " $CMDLINE " in *" root=LABEL=RASPIROOT "*) ;; *) fail "cmdline.txt on the FAT partition does not name root=LABEL=RASPIROOT: $CMDLINE" ;; esac
  case " $CMDLINE " in *" cma="*) fail "cmdline.txt carries a cma= of the build host (raspi-firmware's guess; README.md \"Boot partition\"): $CMDLINE" ;; esac
}

# 1. The wizard answers (HTTP through the forward, so also through the image's firewall), the firewall
#    opened the appliance's declared ports and ClamAV was left off on a 1 GiB box. Sets T_HTTP.
wait_wizard() {
  local limit=$1 status fw av
  until status=$(curl -fsS -m 10 "http://127.0.0.1:$HTTP/api/status" 2>/dev/null); do
    kill -0 "$QPID" 2>/dev/null || fail "QEMU exited before the wizard answered"
    [ "$(el)" -lt "$limit" ] || fail "no HTTP answer within $limit s"
    sleep 3
  done
  T_HTTP=$(el)
  [ "$(echo "$status" | json 'd["setupComplete"]')" = False ] || fail "a fresh card is already set up: $status"
  say "wizard answers after $T_HTTP s: $status"
  # The journal goes to the serial console in the tests: the firewall must have loaded the declared ports.
  for _ in $(seq 1 30); do grep -aq 'firewall: open tcp {.*\b80\b' "$W/serial.log" && break; sleep 2; done
  fw=$(grep -a -o 'firewall: open tcp {[^}]*}' "$W/serial.log" | tail -n1)
  for port in 25 80 443 465 587 993; do
    echo "$fw" | grep -q "\\b$port\\b" || fail "the firewall did not open the declared port $port (serial log: '$fw')"
  done
  say "$fw (from the appliance's declared ports)"
  # 1 GiB of RAM: ClamAV must have been left off (it needs more than the box has), and the appliance told so.
  av=$(grep -a -o 'antivirus: ClamAV [a-z]* ([^)]*)' "$W/serial.log" | tail -n1)
  case $av in *"ClamAV off"*) say "$av" ;; *) fail "mailkeep-antivirus did not turn ClamAV off on a 1 GiB box (serial log: '$av')" ;; esac
}
