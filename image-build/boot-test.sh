#!/bin/bash
# ./mailkeep image --boot-test: boots the built card under QEMU (-M virt -cpu cortex-a72, the card's own
# kernel and initrd, the card as a virtio disk, user-mode networking with forwards on 127.0.0.1), then
# drives it like an owner would: wizard over HTTP, setup token from the FAT partition, POST /api/setup,
# a mailbox, one message through the MX port, and a clean power-off with the (virtual) power button.
# usage: boot-test.sh mailkeep-<version>-arm64.img.xz   (or a raw .img, left untouched: the test boots a copy)
set -euo pipefail
XZ=$(readlink -f "$1")
OUTDIR=$(dirname "$XZ"); NAME=$(basename "$(basename "$XZ" .xz)" .img)
CARD_MB=${MAILKEEP_BOOT_TEST_CARD_MB:-4096}   # a card bigger than the image: first boot must grow into it
W=$(mktemp -d /var/tmp/mailkeep-boot-test.XXXX)
QPID=
cleanup() {
  if [ -n "$QPID" ] && kill -0 "$QPID" 2>/dev/null; then kill "$QPID"; wait "$QPID" 2>/dev/null || true; fi
  rm -rf "$W"
}
trap cleanup EXIT; trap "exit 143" INT TERM
t0=$(date +%s)
el() { echo $(( $(date +%s) - t0 )); }
say() { echo "== boot-test [$(el) s]: $*"; }
fail() {
  echo "== boot-test FAILED [$(el) s]: $*" >&2
  echo "-- last lines of the serial console:" >&2; tail -n 40 "$W/serial.log" >&2 || true
  exit 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

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
mtype -i "$BOOT" ::cmdline.txt | grep -q 'root=LABEL=RASPIROOT' || fail "cmdline.txt on the FAT partition does not name root=LABEL=RASPIROOT"
blocks_before=$(dumpe2fs -h "$ROOTFS" 2>/dev/null | awk -F: '/^Block count/ { print $2+0 }')

HTTP=$(free_port); SMTP=$(free_port)
say "booting (-M virt -cpu cortex-a72, 2 CPUs, 1 GiB like a Pi 3); HTTP on 127.0.0.1:$HTTP, MX on 127.0.0.1:$SMTP"
qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2 -m 1024 -accel tcg,thread=multi \
  -display none -serial "file:$W/serial.log" -monitor "unix:$W/monitor.sock,server,nowait" -no-reboot \
  -kernel "$W/vmlinuz" -initrd "$W/initrd.img" \
  -append "root=LABEL=RASPIROOT rw console=ttyAMA0 net.ifnames=0 rootwait systemd.journald.forward_to_console=1" \
  -drive "file=$W/card.img,format=raw,if=none,id=hd0,cache=unsafe" -device virtio-blk-pci,drive=hd0 \
  -netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$HTTP-:80,hostfwd=tcp:127.0.0.1:$SMTP-:25" -device virtio-net-pci,netdev=n0,romfile= \
  -object rng-random,filename=/dev/urandom,id=rng0 -device virtio-rng-pci,rng=rng0 &
QPID=$!

# 1. The wizard answers (HTTP through the forward, so also through the image's firewall).
until status=$(curl -fsS -m 10 "http://127.0.0.1:$HTTP/api/status" 2>/dev/null); do
  kill -0 "$QPID" 2>/dev/null || fail "QEMU exited before the wizard answered"
  [ "$(el)" -lt 900 ] || fail "no HTTP answer within 900 s"
  sleep 3
done
T_HTTP=$(el)
[ "$(echo "$status" | json 'd["setupComplete"]')" = False ] || fail "a fresh card is already set up: $status"
say "wizard answers after $T_HTTP s: $status"
# The journal goes to the serial console in this test: the firewall must have loaded the declared ports.
for _ in $(seq 1 30); do grep -aq 'firewall: open tcp {.*\b80\b' "$W/serial.log" && break; sleep 2; done
fw=$(grep -a -o 'firewall: open tcp {[^}]*}' "$W/serial.log" | tail -n1)
for port in 25 80 443 465 587 993; do
  echo "$fw" | grep -q "\\b$port\\b" || fail "the firewall did not open the declared port $port (serial log: '$fw')"
done
say "$fw (from the appliance's declared ports)"
# 1 GiB of RAM: ClamAV must have been left off (it needs more than the box has), and the appliance told so.
av=$(grep -a -o 'antivirus: ClamAV [a-z]* ([^)]*)' "$W/serial.log" | tail -n1)
case $av in *"ClamAV off"*) say "$av" ;; *) fail "mailkeep-antivirus did not turn ClamAV off on a 1 GiB box (serial log: '$av')" ;; esac

# 2. The setup token, read from the FAT partition like an owner would on a PC.
until token=$(mtype -i "$BOOT" ::mailkeep-setup.txt 2>/dev/null | grep -o '[a-z0-9]\{5\}\(-[a-z0-9]\{5\}\)\{3\}'); do
  [ "$(el)" -lt $((T_HTTP + 120)) ] || fail "no mailkeep-setup.txt with a token on the FAT partition"
  sleep 2
done
say "setup token from mailkeep-setup.txt on the FAT partition"

# 3. The SMTP banner through the forwarded MX port, when this appliance has an SMTP listener.
app_files=$(debugfs -R "ls -p /opt/mailkeep/quarkus-app/app" "$ROOTFS" 2>/dev/null | awk -F/ '$6 ~ /\.jar$/ { print $6 }')
has_smtp=
for f in $app_files; do
  debugfs -R "dump /opt/mailkeep/quarkus-app/app/$f $W/$f" "$ROOTFS" >/dev/null 2>&1
  grep -qa 'org/mailkeep/smtp/' "$W/$f" && has_smtp=1
done
if [ -z "$app_files" ]; then   # native executable: its class names are in the binary
  debugfs -R "dump /opt/mailkeep/mailkeep-native $W/native" "$ROOTFS" >/dev/null 2>&1 || true
  grep -qa 'org.mailkeep.smtp.' "$W/native" 2>/dev/null && has_smtp=1
fi
banner=
if [ -n "$has_smtp" ]; then
  for _ in $(seq 1 20); do
    banner=$(timeout 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SMTP; head -n1 <&3" 2>/dev/null | tr -d '\r') || true
    case $banner in 220*) break ;; esac
    sleep 3
  done
  case $banner in 220*) say "SMTP banner: $banner" ;; *) fail "no SMTP banner on the MX port (got '$banner')" ;; esac
else
  say "SKIPPED: SMTP banner and delivery: this appliance build has no SMTP listener yet (no org.mailkeep.smtp classes)"
fi

# 4. Setup through the API, a mailbox, one message through MX.
ADMIN_PW=boot-test-$(head -c 9 /dev/urandom | base64 | tr -d '/+=')
DOMAIN=example.test
code=$(curl -sS -m 60 -o "$W/setup.json" -w '%{http_code}' -H 'Content-Type: application/json' \
  -d "{\"token\":\"$token\",\"domain\":\"$DOMAIN\",\"hostname\":\"mail.$DOMAIN\",\"adminPassword\":\"$ADMIN_PW\"}" \
  "http://127.0.0.1:$HTTP/api/setup")
[ "$code" = 200 ] || fail "POST /api/setup answered $code: $(cat "$W/setup.json")"
say "POST /api/setup: 200"
code=$(curl -sS -m 60 -o "$W/mailbox.json" -w '%{http_code}' -u "admin:$ADMIN_PW" -H 'Content-Type: application/json' \
  -d "{\"address\":\"owner@$DOMAIN\",\"password\":\"mailbox-$ADMIN_PW\",\"displayName\":\"Owner\"}" \
  "http://127.0.0.1:$HTTP/api/mailboxes")
[ "$code" = 201 ] || fail "POST /api/mailboxes answered $code: $(cat "$W/mailbox.json")"
say "POST /api/mailboxes owner@$DOMAIN: 201"
if [ -n "$has_smtp" ]; then
  # The guest has no network (restrict=on), and QEMU's gateway 10.0.2.2 is the "remote MTA": the owner's
  # allow list lets it past greylisting, as an owner would for a partner's server.
  code=$(curl -sS -m 60 -o "$W/allow.json" -w '%{http_code}' -u "admin:$ADMIN_PW" -H 'Content-Type: application/json' \
    -d '{"action":"allow","type":"ip","value":"10.0.2.2","note":"boot test: QEMU user-mode gateway"}' \
    "http://127.0.0.1:$HTTP/api/lists")
  [ "$code" = 201 ] || fail "POST /api/lists answered $code: $(cat "$W/allow.json")"
  swaks --server 127.0.0.1 --port "$SMTP" --helo boot-test.example.org --from sender@example.org \
    --to "owner@$DOMAIN" --header "Subject: MailKeep boot test" --body "delivered through the forwarded MX port" \
    --timeout 120 > "$W/swaks.log" 2>&1 || { cat "$W/swaks.log" >&2; fail "swaks could not deliver through the MX port"; }
  used=0
  for _ in $(seq 1 30); do
    used=$(curl -fsS -m 30 -u "admin:$ADMIN_PW" "http://127.0.0.1:$HTTP/api/mailboxes" | json "[m['usedBytes'] for m in d if m['address']=='owner@$DOMAIN'][0]")
    [ "$used" -gt 0 ] && break
    sleep 2
  done
  [ "$used" -gt 0 ] || fail "the message did not arrive (usedBytes $used)"
  say "message delivered through MX: owner@$DOMAIN usedBytes $used"
fi
# after setup the token copy on the card goes away
for _ in $(seq 1 30); do mtype -i "$BOOT" ::mailkeep-setup.txt >/dev/null 2>&1 || break; sleep 2; done
! mtype -i "$BOOT" ::mailkeep-setup.txt >/dev/null 2>&1 || fail "mailkeep-setup.txt is still on the card after setup"
say "mailkeep-setup.txt removed from the FAT partition after setup"

# 5. Clean power-off: the power button (QEMU virt's GPIO key -> systemd-logind -> poweroff).
say "pressing the power button (QEMU monitor: system_powerdown)"
python3 - "$W/monitor.sock" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(0.5); s.recv(65536)
s.sendall(b"system_powerdown\n"); time.sleep(1)
PY
for _ in $(seq 1 120); do kill -0 "$QPID" 2>/dev/null || break; sleep 2; done
kill -0 "$QPID" 2>/dev/null && fail "still running 240 s after the power button"
wait "$QPID" || true; QPID=
grep -q 'reboot: Power down' "$W/serial.log" || fail "QEMU stopped without a clean power-down"
T_OFF=$(el)
say "powered off cleanly"

# 6. What first boot left on the card (read offline).
blocks_after=$(dumpe2fs -h "$ROOTFS" 2>/dev/null | awk -F: '/^Block count/ { print $2+0 }')
[ "$blocks_after" -gt "$blocks_before" ] || fail "first boot did not grow the root file system ($blocks_before -> $blocks_after blocks)"
debugfs -R 'ls /etc/ssh' "$ROOTFS" 2>/dev/null | grep -q ssh_host_ed25519_key.pub || fail "no SSH host keys generated at first boot"
debugfs -R 'ls -p /etc/systemd/system/multi-user.target.wants' "$ROOTFS" 2>/dev/null | grep -q '/ssh.service/' && \
  fail "ssh.service was enabled on the card (SSH must be off by default)"
journal=$(debugfs -R 'ls -p /var/log/journal' "$ROOTFS" 2>/dev/null | awk -F/ '$6 != "" && $6 != "." && $6 != ".." { print $6 }')
[ -z "$journal" ] || fail "the journal was written to the card (/var/log/journal: $journal); it must stay in RAM"
say "first boot grew the root file system ($blocks_before -> $blocks_after 4k blocks) and generated SSH host keys"

printf 'boot_to_wizard_seconds=%s\ntotal_seconds=%s\nsmtp=%s\n' "$T_HTTP" "$T_OFF" "${has_smtp:+tested}" > "$OUTDIR/$NAME.boot-test"
say "PASSED: wizard after $T_HTTP s, whole test $T_OFF s"
