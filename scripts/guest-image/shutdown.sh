#!/bin/sh
# Run by busybox init before it powers off: stop sshd, flush the disk.
echo "NUBO-IMAGE: shutting down at $(cut -d' ' -f1 /proc/uptime)s"
[ -f /run/sshd.pid ] && kill "$(cat /run/sshd.pid)" 2>/dev/null
/bin/busybox killall -q acpid 2>/dev/null
sync
/bin/busybox mount -o remount,ro / 2>/dev/null
exit 0
