#!/bin/busybox sh
# /init of Nubo's tiny test guest: says hello on the serial console, loads the
# virtio drivers, and powers off when the ACPI power button is pressed (which is
# what `virsh shutdown` does), so a driver's graceful stop can be tested.
/bin/busybox mount -t devtmpfs dev /dev
exec >/dev/console 2>&1 </dev/console
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "NUBO-GUEST: init started at $(cut -d' ' -f1 /proc/uptime)s"
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net virtio_blk evdev button; do
  insmod /lib/modules/$m.ko 2>/dev/null
done
for n in /sys/class/net/eth*; do [ -e "$n" ] && echo "NUBO-GUEST: nic $(basename "$n") $(cat "$n/address")"; done
# busybox acpid runs /etc/acpi/PWRF/00000080 on a power-button press (-d: in the
# foreground, logging to the console; a daemonized acpid finds no log file here).
acpid -d -c /etc/acpi &
echo "NUBO-GUEST: ready at $(cut -d' ' -f1 /proc/uptime)s"
while true; do sleep 3600; done
