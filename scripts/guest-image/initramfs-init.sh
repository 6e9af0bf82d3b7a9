#!/bin/busybox sh
# /init of the guest image's initramfs: load the virtio, ext4 and ACPI-button
# modules of Debian's cloud kernel (it builds them as modules), mount the root
# partition and hand over to busybox init on it. Everything the root needs from
# the kernel is loaded here, so the root filesystem carries no modules at all.
/bin/busybox mount -t devtmpfs dev /dev
exec >/dev/console 2>&1 </dev/console
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
for m in $(cat /etc/modules); do insmod "/lib/modules/$m.ko" 2>/dev/null; done
root=/dev/vda2
for w in $(cat /proc/cmdline); do case "$w" in root=*) root=${w#root=} ;; esac; done
i=0
while [ ! -b "$root" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
mkdir -p /newroot
if ! mount -t ext4 -o rw,noatime "$root" /newroot; then
  echo "NUBO-IMAGE: cannot mount $root"; exec sh
fi
mount --move /dev /newroot/dev
umount /proc /sys
exec switch_root /newroot /bin/busybox init
