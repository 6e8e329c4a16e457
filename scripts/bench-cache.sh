#!/usr/bin/env bash
# bench-cache.sh: what the result cache of "migrate check" saves, on a large
# generated module (internal/benchgen, as in scripts/bench.sh). It times
#
#   scan     "migrate check" with a rule set whose old path no file imports:
#            the go list and the import scan alone, which every check pays
#   first    "migrate check --rules ioutil" with an empty result cache (it
#            loads and type-checks the packages that use io/ioutil, and
#            fills the cache)
#   second   the same check again on the unchanged tree (from the cache)
#   edited   the same check after an edit to one file that uses io/ioutil
#            (its package, and the module's packages importing it, again)
#   leaf     the same check after an edit to a package every affected
#            package imports, directly or not (all of them again)
#
# and prints second/first and second/scan, with the load average before and
# after: wall-clock ratios measured while other work runs are not worth
# quoting. With GNU time it also prints the CPU time (user + system, of
# migrate and the go commands it waits for) and its ratios, which a loaded
# machine disturbs less. Each output is compared with "check --no-cache" on
# the same tree.
#
#   bash scripts/bench-cache.sh            (or: make bench-cache)
#
# Environment: BENCH_PKGS (300), BENCH_FILES (6), BENCH_AFFECTED (12),
# BENCH_LINES (80), BENCH_SEED (1), BENCH_RUNS (5, best of which counts for
# scan and second), BENCH_KEEP=1 keeps the temporary directory.
set -euo pipefail

PKGS=${BENCH_PKGS:-300}
FILES=${BENCH_FILES:-6}
AFFECTED=${BENCH_AFFECTED:-12}
LINES=${BENCH_LINES:-80}
SEED=${BENCH_SEED:-1}
RUNS=${BENCH_RUNS:-5}
KEEP=${BENCH_KEEP:-}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/migrate-bench-cache.XXXXXX")
cleanup() {
	if [ -n "$KEEP" ]; then
		echo "bench-cache: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT

proj=$tmp/proj
export GOWORK=off
export MIGRATE_CACHE=$tmp/cache MIGRATE_CACHE_DEBUG=1

say() { echo "bench-cache: $*" >&2; }
die() {
	echo "bench-cache: FAIL: $*" >&2
	exit 1
}
now() {
	if [ -n "${EPOCHREALTIME:-}" ]; then
		echo "${EPOCHREALTIME/,/.}"
	else
		date +%s.%N
	fi
}
loadavg() { uptime | sed 's/.*load average[s]*: *//'; }

gnutime=
if /usr/bin/time -f %U -o /dev/null true 2>/dev/null; then
	gnutime=/usr/bin/time
fi

# check NAME ARGS...: runs migrate check (exit 0 or 1 are answers), sets
# SECS and CPU (user + system seconds, "-" without GNU time), keeps stdout
# in $tmp/NAME.out and stderr in $tmp/NAME.err.
check() {
	local name=$1 start end status=0
	shift
	start=$(now)
	if [ -n "$gnutime" ]; then
		"$gnutime" -f '%U %S' -o "$tmp/$name.cpu" "$tmp/migrate" -C "$proj" check "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || status=$?
	else
		"$tmp/migrate" -C "$proj" check "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || status=$?
	fi
	end=$(now)
	if [ "$status" -gt 1 ]; then
		cat "$tmp/$name.err" >&2
		die "migrate check $* exited with status $status"
	fi
	SECS=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
	CPU=-
	if [ -n "$gnutime" ]; then
		CPU=$(tail -n 1 "$tmp/$name.cpu" | awk '{ printf "%.2f", $1 + $2 }')
	fi
}

# best NAME ARGS...: the best of RUNS checks, wall and CPU each, in BEST
# and BEST_CPU.
best() {
	local name=$1 i
	shift
	BEST= BEST_CPU=
	for i in $(seq 1 "$RUNS"); do
		check "$name" "$@"
		if [ -z "$BEST" ] || awk -v a="$SECS" -v b="$BEST" 'BEGIN { exit !(a < b) }'; then
			BEST=$SECS
		fi
		if [ -z "$BEST_CPU" ] || [ "$CPU" = - ] || awk -v a="$CPU" -v b="$BEST_CPU" 'BEGIN { exit !(a < b) }'; then
			BEST_CPU=$CPU
		fi
	done
}

# same NAME: the output of NAME is what check --no-cache prints.
same() {
	check "$1-nocache" --rules ioutil --no-cache
	cmp -s "$tmp/$1.out" "$tmp/$1-nocache.out" || {
		diff "$tmp/$1-nocache.out" "$tmp/$1.out" >&2 || true
		die "$1: the output differs from check --no-cache"
	}
}

cache_line() { grep '^migrate: cache:' "$tmp/$1.err" || echo "(no cache line)"; }

say "building migrate and benchgen"
(cd "$repo" && go build -o "$tmp/migrate" ./cmd/migrate && go build -o "$tmp/benchgen" ./internal/benchgen)
module="example.com/benchcache/r$(date +%s)x$$"
say "generating $PKGS packages x $FILES files (~$LINES lines a file), $AFFECTED using io/ioutil"
"$tmp/benchgen" -out "$proj" -module "$module" -pkgs "$PKGS" -files "$FILES" -affected "$AFFECTED" \
	-lines "$LINES" -seed "$SEED" -manifest "$tmp/affected.txt" 2>"$tmp/gen.log" || {
	cat "$tmp/gen.log" >&2
	die "benchgen failed"
}
ngo=$(find "$proj" -name '*.go' | wc -l | tr -d ' ')
nlines=$(find "$proj" -name '*.go' -exec cat {} + | wc -l | tr -d ' ')

cat >"$tmp/none.yaml" <<'EOF'
name: none
packages:
  old: example.com/nothing/imports/this
  new: example.com/nothing/imports/that
rules:
  - id: get
    call: old.Get($k)
    to: new.Get($k)
EOF

say "warming the build cache (go build ./..., and one check --no-cache for the test variants' export data)"
(cd "$proj" && go build ./...)
check warm --rules ioutil --no-cache
[ -s "$tmp/warm.out" ] || die "check found no old use"

load_before=$(loadavg)
say "timing the import scan alone (best of $RUNS)"
best scan --rules "$tmp/none.yaml"
scan=$BEST scan_cpu=$BEST_CPU
say "timing the first check (empty result cache)"
check first --rules ioutil
first=$SECS first_cpu=$CPU
first_line=$(cache_line first)
say "timing the second check (best of $RUNS)"
best second --rules ioutil
second=$BEST second_cpu=$BEST_CPU
second_line=$(cache_line second)
case $second_line in
*" 0 checked"*) ;;
*) die "second check: not every package from the cache: $second_line" ;;
esac
cmp -s "$tmp/first.out" "$tmp/second.out" || die "the second check's output differs from the first's"
cmp -s "$tmp/first.out" "$tmp/warm.out" || die "the first check's output differs from check --no-cache"

say "editing one file that uses io/ioutil, in a package no other affected package imports"
# The affected packages, and those the affected packages import.
xargs -n 1 dirname <"$tmp/affected.txt" | sort -u | sed "s|^|$module/|" >"$tmp/affected-pkgs.txt"
(cd "$proj" && xargs go list -f '{{.ImportPath}}{{range .Deps}} {{.}}{{end}}' <"$tmp/affected-pkgs.txt") |
	awk '{ for (i = 2; i <= NF; i++) dep[$i] = 1; pkgs[NR] = $1 } END { for (i = 1; i <= NR; i++) if (!(pkgs[i] in dep)) { print pkgs[i]; exit } }' >"$tmp/top.txt"
top=$(cat "$tmp/top.txt")
[ -n "$top" ] || die "no affected package outside the others' dependencies"
one=$proj/$(grep "^${top#"$module/"}/[^/]*$" "$tmp/affected.txt" | head -n 1)
printf '\n// edited by bench-cache\n' >>"$one"
check edited --rules ioutil
edited=$SECS edited_cpu=$CPU
edited_line=$(cache_line edited)
same edited

say "editing the package every package imports, directly or not"
# The module's package that most of its packages depend on.
leaf=$(cd "$proj" && go list -f '{{join .Deps "\n"}}' ./... | grep "^$module/" | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }')
leafdir=$(cd "$proj" && go list -f '{{.Dir}}' "$leaf")
leaffile=$(find "$leafdir" -maxdepth 1 -name '*.go' ! -name '*_test.go' | head -n 1)
printf '\n// edited by bench-cache\n' >>"$leaffile"
check leaf --rules ioutil
leaf=$SECS leaf_cpu=$CPU
leaf_line=$(cache_line leaf)
same leaf
load_after=$(loadavg)

r() {
	if [ "$1" = - ] || [ "$2" = - ]; then
		echo -
	else
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
	fi
}
echo
echo "project: $PKGS packages x $FILES files, $ngo .go files, $nlines lines; $AFFECTED packages use io/ioutil"
echo "machine: $(nproc 2>/dev/null || echo '?') CPUs, $(go version | cut -d' ' -f3-)"
echo "load average before: $load_before; after: $load_after"
printf '%-58s %8s %8s\n' "migrate check" "wall" "CPU"
printf '%-58s %7ss %7ss\n' "scan alone (no file imports the set's path), best of $RUNS" "$scan" "$scan_cpu"
printf '%-58s %7ss %7ss   %s\n' "first (empty result cache)" "$first" "$first_cpu" "$first_line"
printf '%-58s %7ss %7ss   %s\n' "second, unchanged tree, best of $RUNS" "$second" "$second_cpu" "$second_line"
printf '%-58s %7ss %7ss   %s\n' "after an edit to one file using io/ioutil" "$edited" "$edited_cpu" "$edited_line"
printf '%-58s %7ss %7ss   %s\n' "after an edit to the package all others import" "$leaf" "$leaf_cpu" "$leaf_line"
echo "ratio second/first: $(r "$second" "$first") wall, $(r "$second_cpu" "$first_cpu") CPU; second/scan: $(r "$second" "$scan") wall, $(r "$second_cpu" "$scan_cpu") CPU; edited/first: $(r "$edited" "$first") wall, $(r "$edited_cpu" "$first_cpu") CPU"
