#!/bin/sh
# Runs every native Go fuzz target of the module (func FuzzXxx in a
# _test.go file outside testdata/) for FUZZTIME each, one after the other.
# Targets are found by name, so a new one needs no change here. Their seed
# corpora (testdata/fuzz/FuzzXxx/) run with every go test ./... (make test).
# A failing input is written to testdata/fuzz/FuzzXxx/ and the script stops.
set -eu
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-30s}
cd "$(dirname "$0")/.."
targets=$(grep -rn --include='*_test.go' --exclude-dir=testdata --exclude-dir=.git '^func Fuzz[A-Za-z0-9_]*(' . || true)
if [ -z "$targets" ]; then
	echo "fuzz: no fuzz targets found" >&2
	exit 1
fi
echo "$targets" | while IFS=: read -r file _ decl; do
	name=${decl#func }
	name=${name%%(*}
	pkg=$(dirname "$file")
	echo "fuzz: $name in $pkg for $FUZZTIME"
	"$GO" test -run='^$' -fuzz="^$name\$" -fuzztime="$FUZZTIME" "$pkg"
done
