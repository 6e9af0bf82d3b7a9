#!/bin/bash
# Builds Nubo's tiny test guest from Debian packages only: the Debian cloud
# kernel and busybox in an initramfs, on a FAT disk made bootable by syslinux
# (so it boots like any disk image: BIOS -> syslinux -> kernel). Output:
#   $OUT/guest.raw   the bootable disk (raw)
#   $OUT/stamp       the hash of the inputs; a matching stamp means "cached"
# Usage: scripts/guest/build.sh [OUT]   (default /var/cache/nubo/guest)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-${NUBO_GUEST_DIR:-/var/cache/nubo/guest}}
STAMP=$(cat "$HERE/build.sh" "$HERE/init.sh" | sha256sum | cut -c1-16)
if [ -f "$OUT/guest.raw" ] && [ "$(cat "$OUT/stamp" 2>/dev/null)" = "$STAMP" ]; then
  echo "$OUT/guest.raw"; exit 0
fi
for tool in apt-get dpkg syslinux mcopy mkfs.vfat; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y syslinux mtools dosfstools" >&2; exit 1; }
done
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
KPKG=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-/{print $2; exit}')
apt-get download "$KPKG" busybox-static >/dev/null
dpkg -x linux-image-*.deb k
dpkg -x busybox-static_*.deb bb
KVER=$(ls k/lib/modules); M=k/lib/modules/$KVER/kernel
R=initramfs; mkdir -p $R/{bin,sbin,proc,sys,dev,tmp,etc/acpi/PWRF,lib/modules}
cp bb/bin/busybox $R/bin/busybox
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_modern_dev \
         drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci net/core/failover \
         drivers/net/net_failover drivers/net/virtio_net drivers/block/virtio_blk \
         drivers/input/evdev drivers/acpi/button; do
  cp "$M/$m.ko" $R/lib/modules/
done
install -m 755 "$HERE/init.sh" $R/init
printf '#!/bin/sh\necho "NUBO-GUEST: ACPI power button, powering off"\npoweroff -f\n' > $R/etc/acpi/PWRF/00000080
chmod 755 $R/etc/acpi/PWRF/00000080
(cd $R && find . | ../bb/bin/busybox cpio -o -H newc 2>/dev/null | gzip -1 > ../initrd.gz)
printf 'DEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n  KERNEL vmlinuz\n  INITRD initrd.gz\n  APPEND console=ttyS0 quiet\n' > syslinux.cfg
truncate -s 48M disk.raw
mkfs.vfat -n NUBOGUEST disk.raw >/dev/null
syslinux --install disk.raw
mcopy -i disk.raw "k/boot/vmlinuz-$KVER" ::vmlinuz
mcopy -i disk.raw initrd.gz ::initrd.gz
mcopy -i disk.raw syslinux.cfg ::syslinux.cfg
mkdir -p "$OUT"
mv disk.raw "$OUT/guest.raw.tmp" && mv "$OUT/guest.raw.tmp" "$OUT/guest.raw"
echo "$STAMP" > "$OUT/stamp"
echo "$OUT/guest.raw"
