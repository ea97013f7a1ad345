#!/usr/bin/env bash
# Regenerates Sources/lvc/function-order.txt: the functions a release build of lvc runs for its
# common commands, which the release link places side by side (decision 0019).
#
# Usage: Benchmarks/function-order.sh [--lvc PATH]
#
# Each command runs once under valgrind's callgrind on 1,500 files of the small benchmark tree plus
# the bundled example; every function callgrind saw executed is listed once, by its mangled
# symbol name, sorted. Run it after large changes to the code: names that no longer exist are
# ignored by the linker, and functions missing from the list only lie elsewhere in the binary
# (slower start, more memory; never a wrong result). Takes about a minute.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
lvc="$repo/.build/release/lvc"
if [[ ${1:-} == --lvc ]]; then lvc=$2; fi
command -v valgrind >/dev/null || { echo "function-order.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
[[ -x $lvc ]] || { echo "function-order.sh: no lvc at $lvc (swift build -c release -Xswiftc -static-executable)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LVC_DATE=1700000000 LVC_AUTHOR_NAME=order LVC_AUTHOR_EMAIL=order@example.invalid LC_ALL=C

python3 "$repo/Benchmarks/make-tree.py" small "$work/full" >/dev/null
mkdir -p "$work/function" "$work/profiles"
(cd "$work/full" && find . -type f | sort | sed -n '1,1500p' | tar -cf - -T -) | tar -xf - -C "$work/function"
cp -R "$repo/fixtures/hello-node/." "$work/function/"

n=0
profile() { # lvc ARGUMENTS...; a refused command is profiled too (its error path is code lvc runs)
	n=$((n + 1))
	valgrind --tool=callgrind --demangle=no --compress-strings=no --dump-instr=no \
		--callgrind-out-file="$work/profiles/$n.out" "$lvc" "$@" >/dev/null 2>&1 || true
}
cd "$work/function"
first_py=$(find . -name '*.py' | sort | sed -n '1s|^\./||p')
profile init --runtime nodejs20.x --handler index.handler
profile add
profile status
profile publish -d first
echo "# changed" >>"$first_py"
profile status --short
profile diff
profile add
profile publish --json
profile versions
profile versions --json
profile show 1
profile log --stat
profile checkout 1 --force
profile checkout 2
profile config memory 256
profile export 2 -o "$work/function.zip"
profile alias create PROD 2
profile ls 2
profile cat "2:$first_py"
profile diff 1 2 --stat
profile fsck
profile --help

# Function names: "fn=" and "cfn=" lines (callers and callees), without callgrind's unnamed
# addresses.
cat "$work"/profiles/*.out | sed -n 's/^c\{0,1\}fn=//p' | grep -v '^0x' | sort -u >"$repo/Sources/lvc/function-order.txt"
echo "wrote $(wc -l <"$repo/Sources/lvc/function-order.txt") names to Sources/lvc/function-order.txt" >&2
