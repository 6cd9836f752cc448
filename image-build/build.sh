#!/bin/bash
# ./mailkeep image [--boot-test]: the Raspberry Pi SD-card image (README.md in this directory).
# Needs root (mmdebstrap in root mode, binfmt_misc, chown in the root file system).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BOOT_TEST=
for a in "$@"; do
  case $a in
    --boot-test) BOOT_TEST=1 ;;
    *) echo "image: unknown option $a (only --boot-test)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "image: the image build needs root (mmdebstrap root mode, binfmt_misc, file ownership); run it with sudo" >&2; exit 1; }

SUITE=${MAILKEEP_IMAGE_SUITE:-bookworm}
case $SUITE in
  bookworm) JRE=openjdk-17-jre-headless ;;
  trixie) JRE=openjdk-21-jre-headless ;;
  *) echo "image: MAILKEEP_IMAGE_SUITE must be bookworm or trixie" >&2; exit 2 ;;
esac
SIZE_MB=${MAILKEEP_IMAGE_MB:-2048}   # a power of two, so that QEMU's raspi3b takes it as an SD card
VERSION=$(grep -m1 -o '<version>[^<]*' "$ROOT/pom.xml" | sed 's/<version>//')
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct)}
OUT=$HERE/out; CACHE=$HERE/cache; WORK=$HERE/work
NAME=mailkeep-$VERSION-arm64
t0=$(date +%s)
step() { echo "== image: $* ($(( $(date +%s) - t0 )) s)"; }

step "host tools and arm64 emulation"
"$HERE/host-tools.sh"

# The appliance: a supplied native executable, or the JVM fast-jar (built when missing).
if [ -n "${MAILKEEP_NATIVE_BINARY:-}" ]; then
  APP=$(readlink -f "$MAILKEEP_NATIVE_BINARY")
  # ELF, 64-bit, e_machine 183 (AArch64): bytes 4 and 18-19
  if [ "$(od -An -tx1 -j0 -N5 "$APP" | tr -d ' \n')" != 7f454c4602 ] || [ "$(od -An -tu2 -j18 -N2 "$APP" | tr -d ' ')" != 183 ]; then
    echo "image: $APP is not an arm64 (aarch64) ELF executable; build it on an arm64 machine (README.md, Native)" >&2; exit 1
  fi
  step "appliance: native executable $APP"
else
  APP=$ROOT/appliance/target/quarkus-app
  if [ ! -f "$APP/quarkus-run.jar" ]; then
    step "building the appliance (./mvnw package)"
    (cd "$ROOT" && ./mvnw -B -q -ntp package -DskipTests)
  fi
  step "appliance: JVM fast-jar $APP"
fi

# The base root file system is cached: its key is the package recipe (rootfs.sh), the suite and the JRE.
KEY=$(cat "$HERE/rootfs.sh" | sha256sum | cut -c1-12)
BASE=$CACHE/rootfs-$SUITE-$KEY
if [ ! -d "$BASE" ]; then
  step "base root file system ($SUITE, mmdebstrap under qemu-user; about 10 min on an idle 2-core machine)"
  mkdir -p "$CACHE"; rm -rf "$BASE.tmp"
  "$HERE/rootfs.sh" "$SUITE" "$JRE" "$BASE.tmp"
  mv "$BASE.tmp" "$BASE"
  # older bases of other recipes are not reused
  find "$CACHE" -maxdepth 1 -name "rootfs-*" ! -name "rootfs-$SUITE-$KEY" -exec rm -rf {} +
else
  step "base root file system: cached $BASE"
fi

rm -rf "$WORK"; mkdir -p "$WORK" "$OUT"
trap 'rm -rf "$WORK"' EXIT; trap 'exit 143' INT TERM
step "MailKeep root file system"
cp -a --reflink=auto "$BASE" "$WORK/rootfs"
"$HERE/configure.sh" "$WORK/rootfs" "$APP"
dpkg-query --admindir="$WORK/rootfs/var/lib/dpkg" -W -f '${Package}\t${Version}\t${Architecture}\n' | sort > "$WORK/$NAME.packages"

step "assembling the card (${SIZE_MB} MiB)"
"$HERE/assemble.sh" "$WORK/rootfs" "$WORK/$NAME.img" "$SIZE_MB"

step "compressing (xz)"
xz -T0 "-${MAILKEEP_IMAGE_XZ_LEVEL:-3}" -c "$WORK/$NAME.img" > "$WORK/$NAME.img.xz"
(cd "$WORK" && sha256sum "$NAME.img.xz" > "$NAME.img.xz.sha256")
mv -f "$WORK/$NAME.img.xz" "$WORK/$NAME.img.xz.sha256" "$WORK/$NAME.packages" "$OUT/"
raw=$(stat -c %s "$WORK/$NAME.img"); xzs=$(stat -c %s "$OUT/$NAME.img.xz")
used=$(du -sm "$WORK/rootfs" | cut -f1)
step "done: $OUT/$NAME.img.xz ($((xzs / 1048576)) MiB xz, $((raw / 1048576)) MiB raw, $used MiB root file system)"
printf 'build_seconds=%s\nraw_bytes=%s\nxz_bytes=%s\nrootfs_mib=%s\nsuite=%s\n' "$(( $(date +%s) - t0 ))" "$raw" "$xzs" "$used" "$SUITE" > "$OUT/$NAME.build-info"
rm -rf "$WORK"

if [ -n "$BOOT_TEST" ]; then
  "$HERE/boot-test.sh" "$OUT/$NAME.img.xz"
fi
