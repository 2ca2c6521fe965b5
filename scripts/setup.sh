#!/usr/bin/env bash
# Installs what LedgerLink needs to build, run and test on Debian or Ubuntu:
# the C libraries Fyne builds against, Xvfb and xdotool for a window without a
# screen, GNOME Keyring and D-Bus for the system keyring, and the Go modules.
# Only what is missing is installed; sudo is used when not root.
set -euo pipefail

cd "$(dirname "$0")/.."

packages=(
  gcc pkg-config
  libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev
  libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev
  xvfb xauth xdotool imagemagick x11-utils
  gnome-keyring dbus dbus-x11
  ca-certificates git
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ! command -v go >/dev/null 2>&1 && [ ! -x /usr/local/go/bin/go ]; then
  # Debian's Go is older than go.mod asks for; Go 1.21 and later fetch the
  # toolchain go.mod names through the Go module proxy by themselves.
  missing+=(golang-go)
fi

if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v go >/dev/null 2>&1; then
  export PATH="/usr/local/go/bin:$PATH"
fi
# Go 1.21 and later fetch the Go that go.mod names by themselves; an older Go
# (Debian 12's is 1.19) cannot, so say what to do instead of failing oddly.
minor=$(go env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if [ -z "$minor" ] || [ "$minor" -lt 21 ]; then
  echo "LedgerLink needs Go 1.21 or newer to build (it then fetches Go $(sed -n 's/^go //p' go.mod) itself)." >&2
  echo "Install a current Go from the Go website (or your distribution's backports) and run this again." >&2
  exit 1
fi
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
go mod download
