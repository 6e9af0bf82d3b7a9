#!/bin/bash
# A bootable raw disk from a root directory, kernel and initrd, without loop
# mounts: MBR with syslinux's boot code, p1 FAT (syslinux, kernel, initrd) and
# p2 ext4 filled from the directory by mke2fs -d.
# Usage: make-disk.sh ROOT_DIR VMLINUZ INITRD OUT.raw CMDLINE
set -euo pipefail
ROOT=$1 VMLINUZ=$2 INITRD=$3 OUT=$4 CMDLINE=$5
BOOT_START=2048    # sectors: 1 MiB
BOOT_SECTORS=32768 # 16 MiB
ROOT_START=$((BOOT_START + BOOT_SECTORS))
# Room for the files plus a third (logs, keys, whatever the user adds first).
USED_MIB=$(du -sm "$ROOT" | cut -f1)
ROOT_MIB=$(((USED_MIB * 4 / 3 + 128 + 63) / 64 * 64))
truncate -s $(((ROOT_START / 2048 + ROOT_MIB) * 1048576)) "$OUT"
printf 'label: dos\nstart=%d, size=%d, type=c, bootable\nstart=%d, type=83\n' \
  "$BOOT_START" "$BOOT_SECTORS" "$ROOT_START" | sfdisk -q "$OUT"
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$OUT" bs=440 count=1 conv=notrunc status=none

mkfs.vfat -F 16 -n NUBOBOOT --offset "$BOOT_START" "$OUT" $((BOOT_SECTORS / 2)) >/dev/null
syslinux --install --offset $((BOOT_START * 512)) "$OUT"
CFG=$(mktemp)
trap 'rm -f "$CFG"' EXIT
printf 'DEFAULT nubo\nPROMPT 0\nTIMEOUT 0\nLABEL nubo\n  KERNEL vmlinuz\n  INITRD initrd.gz\n  APPEND %s\n' "$CMDLINE" >"$CFG"
IMG="$OUT@@$((BOOT_START * 512))"
mcopy -i "$IMG" "$VMLINUZ" ::vmlinuz
mcopy -i "$IMG" "$INITRD" ::initrd.gz
mcopy -i "$IMG" "$CFG" ::syslinux.cfg

mke2fs -q -t ext4 -L nubo-root -E offset=$((ROOT_START * 512)) -d "$ROOT" "$OUT" "${ROOT_MIB}M"
