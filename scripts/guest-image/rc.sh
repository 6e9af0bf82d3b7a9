#!/bin/sh
# The boot script of Nubo's guest image (run once by busybox init). Lighter
# than systemd, which takes tens of seconds under QEMU's TCG: mount the kernel
# filesystems, bring eth0 up with SLAAC, run the Nubo init agent (it asks the
# metadata service for the owner's keys and installs them), then start sshd.
# Each step prints a NUBO-IMAGE line with the uptime, read by the benchmark.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
say() { echo "NUBO-IMAGE: $* at $(cut -d' ' -f1 /proc/uptime)s"; }

mount -t proc proc /proc
mount -t sysfs sys /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620 devpts /dev/pts
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /run
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
say "rc started"

# The region guarantees each MAC, hence each EUI-64 address, is unique, so
# duplicate address detection (one second per address) is skipped.
ip link set lo up
sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 2>/dev/null
for n in /sys/class/net/e*; do
  [ -e "$n" ] || continue
  nic=$(basename "$n")
  sysctl -qw "net.ipv6.conf.$nic.accept_ra=1" "net.ipv6.conf.$nic.autoconf=1" "net.ipv6.conf.$nic.accept_dad=0"
  ip link set "$nic" up
  say "$nic $(cat "$n/address") up"
done

# The host key is made on the VM's first boot (so no two VMs share one), in
# the background while the network comes up and the agent runs.
if [ ! -f /etc/ssh/ssh_host_ed25519_key ]; then
  (ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key && say "host key made") &
  keygen=$!
fi

# The power button (virsh shutdown) powers the guest off cleanly.
/bin/busybox acpid -c /etc/acpi

i=0
while [ $i -lt 300 ]; do
  addr=$(ip -6 -o addr show scope global 2>/dev/null | awk '{print $4; exit}')
  [ -n "$addr" ] && break
  sleep 0.1
  i=$((i + 1))
done
say "address ${addr:-none}"

if [ -x /usr/lib/nubo/nubo-init ]; then
  say "init agent starting"
  /usr/lib/nubo/nubo-init && say "init agent done" || say "init agent failed ($?)"
else
  say "no init agent in this image"
fi

[ -n "${keygen:-}" ] && wait "$keygen"
mkdir -p /run/sshd
/usr/sbin/sshd && say "sshd started"
