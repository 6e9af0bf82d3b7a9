#!/bin/sh
### BEGIN INIT INFO
# Provides:          nubo-init
# Required-Start:    $network $remote_fs
# Required-Stop:
# X-Start-Before:    ssh
# Default-Start:     2 3 4 5
# Default-Stop:
# Short-Description: Nubo init agent (SSH keys, host name, user-data)
### END INIT INFO
# A plain init script for guests without systemd (sysvinit, OpenRC, busybox
# init). The agent bounds its own run time (its budget); `timeout` is a second
# guard so the boot never hangs here.
AGENT=/usr/lib/nubo/nubo-init.cjs
case "$1" in
  start|"")
    if command -v timeout >/dev/null 2>&1; then
      timeout 90 node "$AGENT" || echo "nubo-init: failed (exit $?)" >&2
    else
      node "$AGENT" || echo "nubo-init: failed (exit $?)" >&2
    fi
    ;;
  stop|status|restart|reload|force-reload) ;;
  *) echo "usage: $0 start" >&2; exit 3 ;;
esac
exit 0
