#!/usr/bin/env bash
# Starts the real LedgerLink window on the current (virtual) screen with a
# fresh data folder, waits for the window, and saves screenshots into the
# folder given. Fails when no window appears within 20 seconds.
set -euo pipefail
bin=$1
out=$2
mkdir -p "$out"
data=$(mktemp -d)
log="$out/app.log"
start=$(date +%s.%N)
"$bin" --data-dir "$data" >"$log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT

win=""
for _ in $(seq 1 200); do
  win=$(xdotool search --onlyvisible --name '^LedgerLink$' 2>/dev/null | head -n1 || true)
  [ -n "$win" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "LedgerLink exited before showing its window:"; cat "$log"; exit 1
  fi
  sleep 0.1
done
if [ -z "$win" ]; then
  echo "No LedgerLink window appeared within 20 seconds."; cat "$log"; exit 1
fi
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" 'BEGIN { printf "Window appeared after %.2f s\n", b - a }'
sleep 1
import -window root "$out/01-modules.png"
echo "Saved $out/01-modules.png"
