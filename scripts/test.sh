#!/usr/bin/env bash
# Installs what is missing, then runs every check: gofmt, go vet, the tests
# (with the race detector, a virtual screen and a real unlocked keyring), the
# benchmarks briefly, and a start of the real app whose screenshots land in
# screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="/usr/local/go/bin:$PATH"
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
tags=migrated_fynedo

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files -co --exclude-standard '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*'))
if [ -n "$unformatted" ]; then
  echo "These files need gofmt:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet -tags "$tags" ./...

echo "== build"
mkdir -p bin
go build -tags "$tags" -o bin/ledgerlink .

# Every test run gets its own D-Bus session with an unlocked GNOME Keyring in
# a throw-away folder, and its own virtual screen: nothing is left behind.
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
in_session() {
  XDG_DATA_HOME="$keyring_home" dbus-run-session -- sh -c \
    'echo -n ci-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null && "$@"' sh "$@"
}

echo "== the real app in a virtual screen (screenshots in screenshots/)"
rm -rf screenshots
in_session xvfb-run -a -s "-screen 0 1280x800x24" ./scripts/screens.sh bin/ledgerlink screenshots/first-start
# The click-through in each language LedgerLink speaks: screenshots/en,
# screenshots/nl, screenshots/da.
for lang in en nl da; do
  sandbox_data=$(mktemp -d)
  LEDGERLINK_LANG=$lang in_session xvfb-run -a -s "-screen 0 1280x800x24" ./scripts/clickthrough.sh bin/ledgerlink "$sandbox_data" "screenshots/$lang"
  rm -rf "$sandbox_data"
done

echo "== benchmarks (short)"
in_session xvfb-run -a -s "-screen 0 1280x800x24" \
  go test -tags "$tags" -run '^$' -bench . -benchtime 100ms -benchmem ./... 2>&1 | grep -E '^(Benchmark|ok|FAIL|---)' || true

echo "== tests"
in_session xvfb-run -a -s "-screen 0 1280x800x24" go test -race -tags "$tags" -count=1 -timeout 20m ./...
