#!/bin/bash
# Builds Nubo's guest image from Debian packages only: a debootstrap minbase
# bookworm root with Node, OpenSSH, iproute2, busybox and the bundled Nubo init
# agent, booted by syslinux with Debian's cloud kernel and a tiny initramfs of
# its own modules. busybox init runs /etc/nubo/rc.sh (SLAAC, init agent, sshd).
#
# Disk layout (MBR): p1 FAT (syslinux, vmlinuz, initrd.gz), p2 ext4 root. Made
# without loop mounts (mtools, mke2fs -d), so it builds in any container.
#
# Output in $CACHE/<hash of the inputs>/: disk.qcow2 (what the image store
# imports), vmlinux (uncompressed) + initrd.gz (direct kernel boot: the launcher puts them
# beside the disk in the file store with a .boot.json), manifest.json.
# A directory whose hash matches is reused; the debootstrap root is cached on
# its own (keyed by the package list), so changing the agent or the boot script
# rebuilds in seconds. Prints the image directory on its last line.
# Usage: scripts/guest-image/build.sh   (env: NUBO_GUEST_IMAGE_CACHE, NUBO_INIT_AGENT)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${NUBO_GUEST_IMAGE_CACHE:-/var/cache/nubo/guest-image}
MIRROR=${NUBO_DEBIAN_MIRROR:-http://deb.debian.org/debian}
PACKAGES=nodejs,openssh-server,iproute2,busybox,ca-certificates
AGENT=${NUBO_INIT_AGENT:-$REPO/packages/init/dist/nubo-init.cjs}
# The kernel command line, for syslinux and for direct kernel boot alike. Besides
# the root and the serial console: no boot messages on the (slow, emulated)
# serial port; no crypto self-tests (0.5 s under TCG); trust the TSC and skip
# the timer check (no clocksource watchdog, no IRQ0 test); no i8042 AUX probe.
CMDLINE="root=/dev/vda2 console=ttyS0 quiet cryptomgr.notests tsc=reliable no_timer_check i8042.noaux"
log() { echo "guest-image: $*" >&2; }

for tool in debootstrap apt-get dpkg sfdisk mkfs.vfat syslinux mcopy mke2fs qemu-img; do
  command -v "$tool" >/dev/null || {
    log "missing $tool: apt-get install -y debootstrap fdisk dosfstools syslinux mtools e2fsprogs qemu-utils"
    exit 1
  }
done
[ "$(id -u)" = 0 ] || { log "needs root (debootstrap chroot)"; exit 1; }

kernel_package() { apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}'; }
KPKG=$(kernel_package)
# A fresh machine may have empty apt lists: fetch them once.
[ -n "$KPKG" ] || { apt-get update -qq >/dev/null 2>&1 || true; KPKG=$(kernel_package); }
[ -n "$KPKG" ] || { log "no linux-image-cloud-amd64 in apt's lists: run apt-get update"; exit 1; }
KVERSION=$(apt-cache policy "$KPKG" | awk '/Candidate:/{print $2}')
[ -f "$AGENT" ] || log "no init agent at $AGENT: the image boots without one (build packages/init first)"

ROOT_KEY=$(echo "bookworm $MIRROR $PACKAGES" | sha256sum | cut -c1-16)
STAMP=$( (cat "$HERE"/*.sh "$HERE"/inittab
  echo "$ROOT_KEY $KPKG $KVERSION $CMDLINE"
  if [ -f "$AGENT" ]; then cat "$AGENT"; fi) | sha256sum | cut -c1-16)
OUT=$CACHE/$STAMP
if [ -f "$OUT/manifest.json" ]; then log "cached"; echo "$OUT"; exit 0; fi

mkdir -p "$CACHE/debs"
WORK=$(mktemp -d "$CACHE/work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# 1. The root filesystem (cached as a tarball keyed by the package list).
BASE=$CACHE/rootfs-$ROOT_KEY.tar
if [ ! -f "$BASE" ]; then
  log "debootstrap bookworm (minbase + $PACKAGES)"
  debootstrap --variant=minbase --include="$PACKAGES" --cache-dir="$CACHE/debs" \
    bookworm "$WORK/base" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
  rm -rf base/var/cache/apt/*.bin base/var/lib/apt/lists/* base/usr/share/doc/* base/usr/share/man/* \
    base/usr/share/locale/* base/usr/share/info/* base/etc/ssh/ssh_host_*
  tar -C base -cf "$BASE.tmp" . && mv "$BASE.tmp" "$BASE"
  rm -rf base
fi
mkdir root && tar -C root -xf "$BASE"
"$HERE/configure-root.sh" "$WORK/root" "$AGENT"

# 2. The kernel and an initramfs of its modules.
(cd "$CACHE/debs" && [ -n "$(ls "${KPKG}"_*.deb 2>/dev/null)" ] || apt-get -o APT::Sandbox::User=root download "$KPKG" >/dev/null)
(cd "$CACHE/debs" && [ -n "$(ls busybox-static_*.deb 2>/dev/null)" ] || apt-get -o APT::Sandbox::User=root download busybox-static >/dev/null)
dpkg -x "$(ls "$CACHE/debs/${KPKG}"_*.deb | tail -1)" kernel
dpkg -x "$(ls "$CACHE"/debs/busybox-static_*.deb | tail -1)" bb
"$HERE/make-initramfs.sh" "$WORK/kernel" "$WORK/bb/bin/busybox" "$HERE/initramfs-init.sh" "$WORK/initrd.gz"
KVER=$(ls kernel/lib/modules)
cp "kernel/boot/vmlinuz-$KVER" vmlinuz
# Direct kernel boot takes the uncompressed kernel (PVH entry); the disk keeps the bzImage for syslinux.
"$HERE/extract-vmlinux.sh" vmlinuz vmlinux

# 3. The disk: MBR, p1 FAT with syslinux (16 MiB at 1 MiB), p2 ext4 root.
"$HERE/make-disk.sh" "$WORK/root" vmlinuz initrd.gz "$WORK/disk.raw" "$CMDLINE"
mkdir -p "$OUT.tmp"
qemu-img convert -O qcow2 disk.raw "$OUT.tmp/disk.qcow2"
mv vmlinux initrd.gz "$OUT.tmp/"
SHA=$(sha256sum "$OUT.tmp/disk.qcow2" | cut -d' ' -f1)
SIZE=$(stat -c %s "$OUT.tmp/disk.qcow2")
KSHA=$(sha256sum "$OUT.tmp/vmlinux" | cut -d' ' -f1)
ISHA=$(sha256sum "$OUT.tmp/initrd.gz" | cut -d' ' -f1)
cat >"$OUT.tmp/manifest.json" <<JSON
{"name":"debian-12-nubo","format":"qcow2","file":"disk.qcow2","sha256":"$SHA","sizeBytes":$SIZE,
 "kernel":"$KVER","cmdline":"$CMDLINE","kernelFile":"vmlinux","kernelSha256":"$KSHA",
 "initrd":"initrd.gz","initrdSha256":"$ISHA","agent":$([ -f "$AGENT" ] && echo true || echo false),
 "builtAt":"$(date -u +%FT%TZ)"}
JSON
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
log "built $OUT ($((SIZE / 1048576)) MiB)"
echo "$OUT"
