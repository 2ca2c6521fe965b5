#!/usr/bin/env bash
# Installs what is missing, builds LedgerLink and opens it. With no module
# configured yet it starts in the Sandbox (sample data, no account needed).
# Extra arguments are passed to ledgerlink, e.g. --data-dir DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="/usr/local/go/bin:$PATH"
mkdir -p bin
go build -tags migrated_fynedo -o bin/ledgerlink .

run() {
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    "$@"
  else
    echo "No screen found: starting LedgerLink in a virtual screen (Xvfb)."
    xvfb-run -a -s "-screen 0 1280x800x24" "$@"
  fi
}

# The keyring needs a D-Bus session; a desktop session already has one.
if [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  run ./bin/ledgerlink --sandbox-if-new "$@"
else
  export -f run
  dbus-run-session -- bash -c 'gnome-keyring-daemon --start --components=secrets >/dev/null 2>&1 || true; run ./bin/ledgerlink --sandbox-if-new "$@"' ledgerlink "$@"
fi
