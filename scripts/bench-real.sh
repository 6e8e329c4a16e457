#!/usr/bin/env bash
# bench-real.sh: the cases of the performance issue, on public snapshots,
# each as a ratio to a floor measured side by side in the same run.
#
#   bash scripts/bench-real.sh            (or: make bench-real)
#
# The snapshots are not downloaded by this script: fetch each once into
# BENCH_REAL_DIR (default ${XDG_CACHE_HOME:-~/.cache}/migrate-bench-real),
# at the commit named here, then "go mod tidy" in it (go-git's go.sum misses
# entries its tests need, and migrate reads go.mod and go.sum as they are);
# a case whose snapshot is missing is skipped with the commands that fetch
# it.
#
#   go-git   github.com/src-d/go-git  8b0c2116cea2bbcc8d0075e762b887200a1898e1
#            (70k lines, 52 files on io/ioutil)
#   cortex   github.com/cortexproject/cortex  a1beb80dfebca9b0d2249d31e1aadd0e0725bb5c
#            (280k lines outside vendor/, 3 files on go-redis v8; of
#            2026-07-23: every module its go.mod needs is served by this
#            project's module proxy, which refuses the thanos version the
#            next go.mod change requires, and the dry run's go get with it)
#
# Cases (the table of the issue):
#   1. go-git, ioutil dry run, warm build cache   / gofmt -l -r over the tree
#   2. cortex, go-redis-v9 dry run, warm          / gofmt -l -r over the same code
#   3. cortex, first run on a fresh build cache: time and peak RSS
#   4. go-git, ioutil dry run, empty build cache  / go build ./..., empty build cache
# Each migrate run also prints its stage breakdown (--timings): listing,
# scanning, listing dependencies and the import graph (when they are not
# cached), type-checking, rewriting, the check of the rewrite.
#
# Environment:
#   BENCH_REAL_DIR   where the snapshots are (see above)
#   BENCH_RUNS       timed runs of the warm cases, best one counts (3)
#   BENCH_COLD=0     skip the empty-cache cases (3 and 4: several minutes)
set -euo pipefail

DIR=${BENCH_REAL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/migrate-bench-real}
RUNS=${BENCH_RUNS:-3}
COLD=${BENCH_COLD:-1}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/migrate-bench-real.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export GOWORK=off GOFLAGS=
# migrate's own caches (dependencies' types, check results) live here, not
# in the user's: the warm cases fill it first, the cold ones start empty.
export MIGRATE_CACHE=$tmp/migrate-cache

say() { echo "bench-real: $*" >&2; }

now() {
	if [ -n "${EPOCHREALTIME:-}" ]; then echo "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi
}

# timed CMD...: runs CMD, its output to $tmp/out, and prints its wall time.
timed() {
	local t0 t1
	t0=$(now)
	"$@" >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; return 1; }
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}

# best N CMD...: the best wall time of N runs.
best() {
	local n=$1 b="" t
	shift
	for _ in $(seq "$n"); do
		t=$(timed "$@")
		if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b=$t; fi
	done
	echo "$b"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

# snapshot NAME URL COMMIT: the checkout's path, or "" (with how to get it).
snapshot() {
	local dir=$DIR/$1
	if [ -d "$dir/.git" ] && [ "$(git -C "$dir" rev-parse HEAD)" = "$3" ]; then
		echo "$dir"
		return
	fi
	say "skip $1: no checkout of $3 in $dir; fetch it with:"
	say "  git clone $2 $dir && git -C $dir checkout $3 && (cd $dir && go mod tidy)"
	echo ""
}

go build -o "$tmp/migrate" "$repo/cmd/migrate"
mig=$tmp/migrate
gnutime=$(command -v /usr/bin/time || true)
rows=()
skipped=() # cases whose dry run fails on this machine (a module the proxy refuses)

# warm NAME DIR RULES GOFMT-RULE: cases 1 and 2.
warm() {
	local name=$1 dir=$2 rules=$3 rule=$4 files m g
	files=$(cd "$dir" && git ls-files '*.go' | grep -v '^vendor/' | grep -v '/testdata/')
	say "$name: warming the build cache (one dry run)"
	if ! (cd "$dir" && "$mig" run --rules "$rules" --dry-run >/dev/null 2>"$tmp/warm.err"); then
		say "skip $name: the dry run fails here: $(tail -1 "$tmp/warm.err")"
		skipped+=("$name")
		return 0
	fi
	m=$(best "$RUNS" sh -c "cd '$dir' && '$mig' run --rules '$rules' --dry-run --timings >/dev/null")
	grep '^migrate: timings:' "$tmp/out" | sed "s/^/bench-real: $name: /" >&2 || true
	# shellcheck disable=SC2086
	g=$(best "$RUNS" sh -c "cd '$dir' && gofmt -l -r '$rule' $(echo $files) >/dev/null")
	rows+=("$name, $rules dry run, warm | ${m}s | gofmt -l -r ${g}s | $(ratio "$m" "$g")")
}

# cold NAME DIR RULES: case 4 (and 3 with peak RSS): an empty GOCACHE for
# migrate and for go build, the module cache shared; migrate's types cache
# empty too.
cold() {
	local name=$1 dir=$2 rules=$3 m b rss=""
	say "$name: empty build cache: migrate dry run"
	if [ -n "$gnutime" ]; then
		m=$(timed env GOCACHE="$tmp/cache-m" MIGRATE_CACHE="$tmp/migrate-cache-cold" "$gnutime" -f 'maxrss %M' sh -c "cd '$dir' && '$mig' run --rules '$rules' --dry-run --timings >/dev/null")
		rss=$(awk '/^maxrss/ { printf "%d MB", $2 / 1024 }' "$tmp/out")
	else
		m=$(timed env GOCACHE="$tmp/cache-m" MIGRATE_CACHE="$tmp/migrate-cache-cold" sh -c "cd '$dir' && '$mig' run --rules '$rules' --dry-run --timings >/dev/null")
	fi
	grep '^migrate: timings:' "$tmp/out" | sed "s/^/bench-real: $name cold: /" >&2 || true
	rm -rf "$tmp/cache-m" "$tmp/migrate-cache-cold"
	say "$name: empty build cache: go build ./..."
	b=$(timed env GOCACHE="$tmp/cache-b" sh -c "cd '$dir' && go build ./...")
	rm -rf "$tmp/cache-b"
	rows+=("$name, $rules dry run, empty cache | ${m}s${rss:+, peak RSS $rss} | go build ${b}s | $(ratio "$m" "$b")")
}

gogit=$(snapshot go-git https://github.com/src-d/go-git 8b0c2116cea2bbcc8d0075e762b887200a1898e1)
cortex=$(snapshot cortex https://github.com/cortexproject/cortex a1beb80dfebca9b0d2249d31e1aadd0e0725bb5c)

# Plain ifs, not &&: errexit must stop the script when a case fails.
if [ -n "$gogit" ]; then warm go-git "$gogit" ioutil 'ioutil.ReadAll(a) -> io.ReadAll(a)'; fi
if [ -n "$cortex" ]; then warm cortex "$cortex" go-redis-v9 'redis.NewClient(a) -> redis.NewClient(a)'; fi
if [ "$COLD" = 1 ] && [ -n "$cortex" ] && [[ " ${skipped[*]} " != *" cortex "* ]]; then cold cortex "$cortex" go-redis-v9; fi
if [ "$COLD" = 1 ] && [ -n "$gogit" ] && [[ " ${skipped[*]} " != *" go-git "* ]]; then cold go-git "$gogit" ioutil; fi

echo
echo "| case | migrate | floor | ratio |"
echo "|---|---|---|---|"
for r in "${rows[@]}"; do echo "| $r |"; done
for n in "${skipped[@]}"; do echo "| $n | skipped: its dry run fails on this machine (see above) | | |"; done
