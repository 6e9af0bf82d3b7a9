#!/bin/bash
# The guest image's initramfs: static busybox, the kernel modules the guest
# needs (Debian's cloud kernel builds ext4 in, virtio and the ACPI button as
# modules), and initramfs-init.sh as /init.
# Usage: make-initramfs.sh KERNEL_DIR BUSYBOX INIT OUT.gz
set -euo pipefail
KDIR=$1 BUSYBOX=$2 INIT=$3 OUT=$4
KVER=$(ls "$KDIR/lib/modules")
M=$KDIR/lib/modules/$KVER/kernel
R=$(mktemp -d)
trap 'rm -rf "$R"' EXIT
mkdir -p "$R"/{bin,dev,proc,sys,etc,lib/modules}
cp "$BUSYBOX" "$R/bin/busybox"
# In load order: each module after the ones it depends on.
MODULES="drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_modern_dev
  drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci net/core/failover drivers/net/net_failover
  drivers/net/virtio_net drivers/block/virtio_blk drivers/char/hw_random/virtio-rng drivers/input/evdev
  drivers/acpi/button"
for m in $MODULES; do
  cp "$M/$m.ko" "$R/lib/modules/"
  basename "$m" >>"$R/etc/modules"
done
install -m 755 "$INIT" "$R/init"
(cd "$R" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null | gzip -1 >"$OUT")
