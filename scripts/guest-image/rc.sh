#!/bin/sh
# The boot script of Nubo's guest image (run once by busybox init). Lighter
# than systemd, which takes tens of seconds under QEMU's TCG. Everything that
# can overlap does: the NIC comes up first (its router solicitation goes out at
# once), then the host key + sshd, the Nubo init agent (Node starts while SLAAC
# is still under way) and the address wait run side by side.
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
# duplicate address detection (one second per address) is skipped. Without
# DAD the link-local address is usable at link-up, and the kernel sends its
# router solicitation right then (radvd answers a solicitation at once, its
# unsolicited adverts only every few seconds); one per second after that.
ip link set lo up
sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 2>/dev/null
for n in /sys/class/net/e*; do
  [ -e "$n" ] || continue
  nic=$(basename "$n")
  sysctl -qw "net.ipv6.conf.$nic.accept_ra=1" "net.ipv6.conf.$nic.autoconf=1" "net.ipv6.conf.$nic.accept_dad=0" \
    "net.ipv6.conf.$nic.router_solicitation_delay=0" "net.ipv6.conf.$nic.router_solicitation_interval=1" \
    "net.ipv6.conf.$nic.router_solicitations=30" 2>/dev/null
  ip link set "$nic" up
  say "$nic $(cat "$n/address") up"
done

# sshd: the host key is made on the VM's first boot (no two VMs share one).
# On a first boot there is no authorized_keys yet, so sshd may start as soon
# as it has its key: nobody can log in until the agent writes the owner's
# keys. On later boots it waits for the agent, so a key revoked since the
# last boot is gone before anyone can use it.
first_boot=yes
[ -s /root/.ssh/authorized_keys ] && first_boot=no
start_sshd() {
  [ -f /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
  mkdir -p /run/sshd
  /usr/sbin/sshd && say "sshd started"
}
if [ "$first_boot" = yes ]; then
  start_sshd &
  sshd_job=$!
else
  [ -f /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key &
  keygen_job=$!
fi

# The power button (virsh shutdown) powers the guest off cleanly.
/bin/busybox acpid -c /etc/acpi

# The agent waits (≤ 30 s) for the SLAAC address itself, so Node's start-up
# under emulation overlaps the router's answer.
if [ -x /usr/lib/nubo/nubo-init ]; then
  say "init agent starting"
  (/usr/lib/nubo/nubo-init --wait-address 30 && say "init agent done" || say "init agent failed ($?)") &
  agent_job=$!
else
  say "no init agent in this image"
fi

# Polled from /proc without a process per try: under emulation every fork
# takes CPU from the agent starting beside it.
addr=
i=0
while [ -z "$addr" ] && [ $i -lt 150 ]; do
  while read -r hex _ _ scope _ _; do
    [ "$scope" = 00 ] && addr=$hex && break
  done </proc/net/if_inet6
  [ -n "$addr" ] || sleep 0.2
  i=$((i + 1))
done
[ -n "$addr" ] && addr=$(echo "$addr" | sed 's/..../&:/g; s/:$//')
say "address ${addr:-none}"

[ -n "${agent_job:-}" ] && wait "$agent_job"
if [ "$first_boot" = yes ]; then
  wait "$sshd_job"
else
  wait "$keygen_job"
  start_sshd
fi
