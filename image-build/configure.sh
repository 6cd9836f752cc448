#!/bin/sh
# Turns a copy of the cached base root file system into MailKeep's: the appliance, its units and the box's
# configuration (overlay/). Runs host tools against the directory (systemctl --root, systemd-sysusers
# --root), so it needs no emulation except to remove the JRE for a native build.
# usage: configure.sh ROOTFS QUARKUS_APP_DIR|NATIVE_BINARY      (root)
set -eu
ROOTFS=$1; APP=$2
HERE=$(cd "$(dirname "$0")" && pwd)

cp -a "$HERE/overlay/." "$ROOTFS/"
chown -R root:root "$ROOTFS/etc/mailkeep" "$ROOTFS/usr/lib/mailkeep"

# The appliance under /opt/mailkeep, read-only for the service user; /opt/mailkeep/bin/mailkeep starts it.
rm -rf "$ROOTFS/opt/mailkeep"
mkdir -p "$ROOTFS/opt/mailkeep/bin"
if [ -d "$APP" ]; then
  cp -a "$APP" "$ROOTFS/opt/mailkeep/quarkus-app"
  cat > "$ROOTFS/opt/mailkeep/bin/mailkeep" <<'EOT'
#!/bin/sh
# MailKeep on the JVM, sized for a Raspberry Pi with 1 GB: a bounded heap, the serial collector (one
# small heap, no GC threads), no hsperfdata file (/tmp writes), and exit on OutOfMemoryError so that
# systemd restarts a clean process. Override with MAILKEEP_JAVA_OPTS in /etc/mailkeep/mailkeep.env.
exec /usr/bin/java ${MAILKEEP_JAVA_OPTS:--XX:+UseSerialGC -Xms32m -Xmx256m -XX:MaxMetaspaceSize=128m -XX:ReservedCodeCacheSize=64m -Xss512k -XX:-UsePerfData -XX:+ExitOnOutOfMemoryError} \
  -jar /opt/mailkeep/quarkus-app/quarkus-run.jar "$@"
EOT
else
  # A native executable (Mandrel/GraalVM, README.md "Native"): no JVM on the card.
  install -m 755 "$APP" "$ROOTFS/opt/mailkeep/mailkeep-native"
  cat > "$ROOTFS/opt/mailkeep/bin/mailkeep" <<'EOT'
#!/bin/sh
# MailKeep as a native executable (serial GC built in); the heap bound suits a Pi with 1 GB.
exec /opt/mailkeep/mailkeep-native ${MAILKEEP_NATIVE_OPTS:--Xmx192m} "$@"
EOT
  chroot "$ROOTFS" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq --autoremove 'openjdk-*-jre-headless' ca-certificates-java java-common >/dev/null
fi
chmod 755 "$ROOTFS/opt/mailkeep/bin/mailkeep"
chown -R root:root "$ROOTFS/opt/mailkeep"

# The service user (also created at boot by systemd-sysusers if missing).
systemd-sysusers --root="$ROOTFS"

# Units: the appliance and its helpers, network, firewall; SSH installed but off (README.md, "SSH").
systemctl --root="$ROOTFS" -q enable mailkeep.service mailkeep-firstboot.service mailkeep-antivirus.service mailkeep-setup-token.path mailkeep-stick-request.path \
  mailkeep-firewall.path mailkeep-watchdog.timer nftables.service systemd-networkd.service \
  systemd-resolved.service systemd-timesyncd.service avahi-daemon.service
systemctl --root="$ROOTFS" -q disable ssh.service ssh.socket 2>/dev/null || true
# systemd-firstboot asks on the console for locale, time zone and root password when the machine id is
# "uninitialized" (below): a box without keyboard or screen would wait there forever, before udev even
# starts. The appliance has nothing to ask a console: the wizard in the browser is the first boot.
systemctl --root="$ROOTFS" -q mask systemd-firstboot.service
ln -sf ../run/systemd/resolve/stub-resolv.conf "$ROOTFS/etc/resolv.conf"

# Nothing that identifies one box may be baked in: host keys, machine id, random seed are made at first boot.
rm -f "$ROOTFS"/etc/ssh/ssh_host_* "$ROOTFS/var/lib/systemd/random-seed" "$ROOTFS/var/lib/systemd/credential.secret" \
  "$ROOTFS/var/lib/dbus/machine-id"
echo uninitialized > "$ROOTFS/etc/machine-id"
# root stays without a usable password (no console or SSH login); check rather than assume.
if ! awk -F: '$1=="root" { exit !($2 ~ /^[*!]/) }' "$ROOTFS/etc/shadow"; then
  echo "configure: root has a usable password in the base image; locking it" >&2
  chroot "$ROOTFS" passwd -l root >/dev/null
fi
# package lists are fetched again by apt-daily on the box; the build leaves no logs or temp files behind
rm -rf "$ROOTFS/var/cache/apt/"*.bin "$ROOTFS/var/lib/apt/lists/"* "$ROOTFS/var/log/"*.log "$ROOTFS/tmp/"*
mkdir -p "$ROOTFS/var/lib/apt/lists/partial"
