#!/usr/bin/env bash
# Clicks through the real LedgerLink window on the current X display and
# saves a screenshot of each screen:
#
#   module list → Configure (each tab) → Export → Upload Data → after upload
#   → Import → a business file in the inbox → Sync now with its progress bar
#   → Run history
#
# Usage: scripts/clickthrough.sh BINARY DATA_DIR OUT_DIR
#
# BINARY is a built ledgerlink, DATA_DIR a data folder for the Sandbox (it is
# created and filled with the sample business when empty), OUT_DIR where the
# screenshots and the app's log go. It drives the window with LedgerLink's
# keyboard shortcuts (Alt+C Configure, Alt+1…5 tabs, Alt+E Export, Alt+U
# Upload Data, Enter/Escape on dialogs), so nothing depends on pixels, and
# waits for the line the app writes on each screen change when started with
# LEDGERLINK_UI_TRACE=1. It fails when the window, a screen or an expected
# change does not appear in time.
#
# Needs xdotool and ImageMagick's import. Without a screen, run it inside
# xvfb-run -a -s "-screen 0 1280x800x24".
set -euo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 BINARY DATA_DIR OUT_DIR" >&2
  exit 2
fi
bin=$1
data=$2
out=$3
timeout=${CLICKTHROUGH_TIMEOUT:-30}

if [ -z "${DISPLAY:-}" ]; then
  echo "No X display: run this inside xvfb-run or a desktop session." >&2
  exit 2
fi
for tool in xdotool import; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (scripts/setup.sh installs it)." >&2; exit 2; }
done
[ -x "$bin" ] || { echo "$bin is not an executable." >&2; exit 2; }

mkdir -p "$out" "$data"
log="$out/app.log"
: >"$log"

LEDGERLINK_UI_TRACE=1 "$bin" --sandbox --data-dir "$data" >"$log" 2>&1 &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
trap cleanup EXIT

fail() {
  echo "FAILED: $*" >&2
  echo "--- last lines of $log:" >&2
  tail -n 30 "$log" >&2
  import -window root "$out/failure.png" 2>/dev/null && echo "screen at failure: $out/failure.png" >&2
  exit 1
}

# lines counts the log's lines, so a wait only looks at what comes after.
lines() { wc -l <"$log"; }

# wait_trace FROM PATTERN waits for a trace line matching PATTERN (an
# extended regular expression) after line FROM, and prints it.
wait_trace() {
  local from=$1 pattern=$2 end=$((SECONDS + timeout)) line
  while [ $SECONDS -lt $end ]; do
    line=$(tail -n +"$((from + 1))" "$log" | grep -E "LEDGERLINK-UI $pattern" | head -n1 || true)
    if [ -n "$line" ]; then
      echo "$line"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || fail "LedgerLink exited while waiting for '$pattern'"
    sleep 0.1
  done
  fail "no '$pattern' within ${timeout}s"
}

# key SHORTCUT… types keys into the window.
key() {
  xdotool key --clearmodifiers "$@"
  sleep 0.2
}

n=0
shot() {
  n=$((n + 1))
  sleep 0.6 # let the frame after the change be drawn
  local file
  file=$(printf '%s/%02d-%s.png' "$out" "$n" "$1")
  import -window root "$file"
  echo "saved $file"
}

# step KEYS PATTERN NAME: press KEYS, wait for PATTERN, screenshot as NAME.
step() {
  local keys=$1 pattern=$2 name=$3 from
  from=$(lines)
  # shellcheck disable=SC2086
  key $keys
  wait_trace "$from" "$pattern" >/dev/null
  shot "$name"
}

# The window.
win=""
end=$((SECONDS + timeout))
while [ -z "$win" ] && [ $SECONDS -lt $end ]; do
  win=$(xdotool search --onlyvisible --name '^LedgerLink$' 2>/dev/null | head -n1 || true)
  kill -0 "$pid" 2>/dev/null || fail "LedgerLink exited before showing its window"
  [ -n "$win" ] || sleep 0.2
done
[ -n "$win" ] || fail "no LedgerLink window within ${timeout}s"
# Without a window manager, keyboard focus follows the pointer.
xdotool windowactivate --sync "$win" 2>/dev/null || true
eval "$(xdotool getwindowgeometry --shell "$win")"
xdotool mousemove $((X + WIDTH - 20)) $((Y + HEIGHT - 10))
xdotool windowfocus --sync "$win" 2>/dev/null || true

shown=$(wait_trace 0 'modules shown count=[0-9]+ installed=[1-9]')
echo "module list: ${shown#*LEDGERLINK-UI }"
shot modules

step "alt+c" 'screen=configure module=' configure-account
module=$(grep -E 'LEDGERLINK-UI screen=configure module=' "$log" | tail -n1 | sed 's/.*module=//')
step "alt+2" "tab=Synchronisation module=$module" configure-synchronisation
step "alt+3" "tab=Timing module=$module" configure-timing
from=$(lines)
key alt+4
wait_trace "$from" "tab=Mapping module=$module" >/dev/null
grep -qE "LEDGERLINK-UI mapping loaded module=$module" "$log" || wait_trace 0 "mapping loaded module=$module" >/dev/null
shot configure-mapping
step "alt+5" "tab=Options module=$module" configure-options
step "Escape" 'screen=modules' back-to-modules

step "alt+e" "export loaded module=$module" export
loaded=$(grep -E "LEDGERLINK-UI export loaded module=$module" "$log" | tail -n1)
pending=$(echo "$loaded" | sed -E 's/.*pending=([0-9]+).*/\1/')
[ "$pending" -gt 0 ] || fail "Pending Export is empty; the Sandbox should have sample records waiting"
echo "pending export: $pending records"

step "alt+u" "confirm=upload-all module=$module" upload-confirm
from=$(lines)
key Return
wait_trace "$from" "upload started module=$module" >/dev/null
done_line=$(wait_trace "$from" "upload finished module=$module")
echo "upload: ${done_line#*LEDGERLINK-UI }"
echo "$done_line" | grep -q 'err=false' || fail "the upload did not finish: $done_line"
moved=$(echo "$done_line" | sed -E 's/.*moved=([0-9]+).*/\1/')
[ "$moved" -gt 0 ] || fail "the upload sent nothing"
wait_trace "$from" "export loaded module=$module" >/dev/null
shot after-upload

step "alt+i" "import loaded module=$module" import
step "alt+m" 'modules shown count=' modules-after-upload

# The shop's system drops a file of 2,000 new web customers in the inbox;
# LedgerLink imports it while it runs (written aside first, then moved in,
# as a business system should).
inbox="$data/sandbox/inbox"
mkdir -p "$inbox"
staged=$(mktemp "$out/customers.XXXXXX")
{
  echo "Customer Code,Name,Email"
  for i in $(seq 1 2000); do printf 'W%04d,Web Customer %04d,web%04d@example.com\n' "$i" "$i" "$i"; done
} >"$staged"
mv "$staged" "$inbox/customers.csv"
end=$((SECONDS + timeout))
until [ -n "$(ls -A "$inbox/processed" 2>/dev/null)" ]; do
  [ -e "$inbox/failed/customers.csv" ] && fail "the inbox refused the customers file: $(cat "$inbox"/failed/*.errors.txt)"
  [ $SECONDS -lt $end ] || fail "the inbox did not import the customers file within ${timeout}s"
  kill -0 "$pid" 2>/dev/null || fail "LedgerLink exited while importing the inbox"
  sleep 0.2
done
echo "inbox: imported $(ls "$inbox/processed")"

# Sync now from the keyboard on the module's screen: the engine's states
# reach the window as they happen, so the screen shows a progress bar with
# the counts while the 2,000 customers go.
step "alt+e" "export loaded module=$module" export-before-sync
from=$(lines)
key alt+s
wait_trace "$from" "sync started module=$module" >/dev/null
wait_trace "$from" "progress module=$module step=\"engine.step.sending\" done=[0-9]+ total=2000" >/dev/null
shot sync-progress
finished=$(wait_trace "$from" "run finished module=$module")
echo "sync now: ${finished#*LEDGERLINK-UI }"
echo "$finished" | grep -q 'ok=true' || fail "the sync did not finish cleanly: $finished"
step "alt+m" 'modules shown count=' modules-after-sync
step "alt+h" "history loaded module=$module runs=[1-9]" run-history

echo "Clicked through $n screens; screenshots in $out"
