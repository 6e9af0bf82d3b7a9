#!/bin/bash
# Boots the guest image once under QEMU (TCG unless KVM is asked for), on a
# throwaway overlay, and prints each serial line with the seconds since QEMU
# started; stops at "sshd started" (or after 120 s). For measuring by hand.
# Usage: try-boot.sh IMAGE_DIR [extra qemu args...]
set -euo pipefail
IMG=$1; shift
WORK=$(mktemp -d)
qemu-img create -q -f qcow2 -F qcow2 -b "$IMG/disk.qcow2" "$WORK/disk.qcow2"
START=$(date +%s%N)
qemu-system-x86_64 -accel "${ACCEL:-tcg}" -m 512 -nodefaults -no-user-config -display none -no-reboot \
  -serial "file:$WORK/serial" -drive "file=$WORK/disk.qcow2,if=virtio,format=qcow2" "$@" </dev/null &
QEMU=$!
trap 'kill $QEMU 2>/dev/null; wait $QEMU 2>/dev/null; rm -rf "$WORK"' EXIT
seen=0
for _ in $(seq 1200); do
  sleep 0.1
  total=$(wc -l <"$WORK/serial" 2>/dev/null || echo 0)
  while [ "$seen" -lt "$total" ]; do
    seen=$((seen + 1))
    line=$(sed -n "${seen}p" "$WORK/serial" | tr -d '\r\033')
    printf '%6.2fs %s\n' "$(echo "($(date +%s%N) - $START) / 1000000000" | bc -l)" "$line"
    case "$line" in *"sshd started"*) exit 0 ;; esac
  done
  kill -0 $QEMU 2>/dev/null || exit 1
done
exit 1
