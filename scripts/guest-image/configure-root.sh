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
# No PAM: with keys only it adds nothing here but a session stack that runs
# the motd scripts at every login (processes that cost about a second under
# emulation); sshd still checks the account itself. No lastlog, no X11.
cat >"$R/etc/ssh/sshd_config.d/nubo.conf" <<'CONF'
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UseDNS no
UsePAM no
PrintLastLog no
X11Forwarding no
HostKey /etc/ssh/ssh_host_ed25519_key
CONF
rm -f "$R"/etc/ssh/ssh_host_*

# The agent, and a V8 startup snapshot of it made by the guest's own Node
# (Debian builds Node 18 without its own snapshot or code cache, so every start
# compiles Node's bootstrap from source: seconds under emulation). V8 accepts a
# snapshot only where its version tag matches: a hash of V8's version, every V8
# flag, and the CPU features V8 found. FEATURES turns off every feature that has
# a flag, but one has none (CET shadow stacks, which this host's CPU reports and
# QEMU's TCG CPU does not), so a snapshot made on the host never loads in a TCG
# guest. It is therefore made by the guest's Node under qemu-user's TCG
# (`qemu-x86_64 -cpu qemu64`, -L maps the guest's libraries): the same tag as
# the guest's on every TCG CPU model. V8X: no JIT (`--jitless`; wasm needs a
# JIT, so off too): under emulation every piece of JIT code is translated
# again, and a run-once agent starts faster interpreted (measured in a TCG
# boot: agent 6.6 s from the bundle, 4.5 s from the snapshot, 3.9 s jitless).
# Flags are part of the tag: build and start use exactly the same ones. Should
# V8 refuse the snapshot (a KVM guest on a CET host), the wrapper deletes it and
# starts from the plain bundle, without flags, then and on every later boot.
FEATURES="--no-enable-sse3 --no-enable-ssse3 --no-enable-sse4-1 --no-enable-sse4-2 --no-enable-sahf \
--no-enable-avx --no-enable-avx2 --no-enable-fma3 --no-enable-bmi1 --no-enable-bmi2 --no-enable-lzcnt --no-enable-popcnt"
V8X="--jitless --no-expose-wasm"
QEMU_USER=/usr/bin/qemu-x86_64
if [ -f "$AGENT" ]; then
  A=/usr/lib/nubo/$(basename "$AGENT")
  B=/usr/lib/nubo/nubo-init.blob
  install -D -m 644 "$AGENT" "$R$A"
  # The blob's path is the host's ($R$B): qemu-user maps paths into -L only where they exist there.
  # shellcheck disable=SC2086 # FEATURES and V8X are lists of flags
  if [ ! -x "$QEMU_USER" ]; then
    echo "configure-root: no $QEMU_USER (apt-get install -y qemu-user): the agent starts from the bundle" >&2
  elif ! "$QEMU_USER" -cpu qemu64 -L "$R" "$R/usr/bin/node" $FEATURES $V8X \
    --snapshot-blob "$R$B" --build-snapshot "$A" >/dev/null 2>&1; then
    echo "configure-root: no startup snapshot of the agent; it starts from the bundle" >&2
    rm -f "$R$B"
  fi
  cat >"$R/usr/lib/nubo/nubo-init" <<WRAPPER
#!/bin/sh
if [ -f $B ]; then
  /usr/bin/node --no-warnings $FEATURES $V8X --snapshot-blob $B $A "\$@" 2>/run/nubo-init.err
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
