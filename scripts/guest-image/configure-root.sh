#!/bin/bash
# Turns the debootstrap root into Nubo's guest: busybox init with rc.sh, the
# ACPI power button, sshd by key only with per-VM host keys, and the init agent.
# Usage: configure-root.sh ROOT_DIR AGENT_BUNDLE
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
R=$1 AGENT=$2

install -D -m 644 "$HERE/inittab" "$R/etc/inittab"
install -D -m 755 "$HERE/rc.sh" "$R/etc/nubo/rc.sh"
install -D -m 755 "$HERE/shutdown.sh" "$R/etc/nubo/shutdown.sh"
mkdir -p "$R/etc/acpi/PWRF"
printf '#!/bin/sh\nexec /bin/busybox poweroff\n' >"$R/etc/acpi/PWRF/00000080"
chmod 755 "$R/etc/acpi/PWRF/00000080"

echo nubo >"$R/etc/hostname"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$R/etc/hosts"
: >"$R/etc/fstab"
# Keys only; the init agent puts the owner's keys in place before sshd starts.
cat >"$R/etc/ssh/sshd_config.d/nubo.conf" <<'CONF'
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UseDNS no
HostKey /etc/ssh/ssh_host_ed25519_key
CONF
rm -f "$R"/etc/ssh/ssh_host_*

# The agent, and a V8 startup snapshot of it made by the guest's own Node
# (Debian builds Node 18 without its own snapshot or code cache, so every start
# compiles Node's bootstrap from source: seconds under emulation; the snapshot
# saves about 40% of it). V8 refuses a snapshot made on a CPU whose features
# differ from the guest's (the image is built on the host; QEMU's TCG CPU has
# fewer features): the features are part of the snapshot's version tag. So
# both the build and every start turn V8's optional x64 features off (FEATURES:
# SSE2 code runs on any x64 CPU; an init agent does not miss AVX), and the tag
# is the same on every CPU. Should V8 still refuse it, the wrapper deletes the
# snapshot and starts from the plain bundle, then and on every later boot.
FEATURES="--no-enable-sse3 --no-enable-ssse3 --no-enable-sse4-1 --no-enable-sse4-2 --no-enable-sahf \
--no-enable-avx --no-enable-avx2 --no-enable-fma3 --no-enable-bmi1 --no-enable-bmi2 --no-enable-lzcnt --no-enable-popcnt"
if [ -f "$AGENT" ]; then
  A=/usr/lib/nubo/$(basename "$AGENT")
  B=/usr/lib/nubo/nubo-init.blob
  install -D -m 644 "$AGENT" "$R$A"
  # shellcheck disable=SC2086 # FEATURES is a list of flags
  if ! chroot "$R" /usr/bin/node $FEATURES --snapshot-blob "$B" --build-snapshot "$A" >/dev/null 2>&1; then
    echo "configure-root: no startup snapshot of the agent; it starts from the bundle" >&2
    rm -f "$R$B"
  fi
  cat >"$R/usr/lib/nubo/nubo-init" <<WRAPPER
#!/bin/sh
if [ -f $B ]; then
  /usr/bin/node --no-warnings $FEATURES --snapshot-blob $B $A "\$@" 2>/run/nubo-init.err
  rc=\$?
  if [ \$rc -ne 0 ] && grep -q 'startup snapshot' /run/nubo-init.err; then
    echo "nubo-init: the startup snapshot does not fit this CPU; starting from the bundle" >&2
    rm -f $B
  else
    cat /run/nubo-init.err >&2
    exit \$rc
  fi
fi
exec /usr/bin/node $A "\$@"
WRAPPER
  chmod 755 "$R/usr/lib/nubo/nubo-init"
fi
