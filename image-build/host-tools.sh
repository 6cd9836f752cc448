#!/bin/sh
# The build host's tools and arm64 emulation (root). Idempotent: installs only what is missing and
# mounts/enables binfmt only when it is not already so.
set -eu
TOOLS="mmdebstrap qemu-user-static binfmt-support arch-test qemu-system-arm mtools dosfstools fdisk xz-utils e2fsprogs swaks curl"
missing=
for p in $TOOLS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "image: installing build tools:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# binfmt_misc is not mounted by default in this kind of container/VM; qemu-aarch64 runs arm64 maintainer scripts
[ -e /proc/sys/fs/binfmt_misc/status ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64
arch-test arm64 >/dev/null || { echo "image: arm64 emulation does not work (arch-test arm64 failed)" >&2; exit 1; }
