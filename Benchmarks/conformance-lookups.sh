#!/usr/bin/env bash
# Lists the protocol conformance lookups one lvc command makes at run time (decision 0021): each
# lookup that misses the runtime's cache reads the conformance records of the whole binary.
#
# Usage: Benchmarks/conformance-lookups.sh [--lvc PATH] ARGUMENTS...
#   runs `lvc ARGUMENTS...` in the current folder under gdb, stops at every lookup, and prints how
#   many there were and, for each, the first Swift functions on the stack (the caller to change).
# The default binary is .build/release/lvc (build it with fixtures/build-release.sh). The command
# really runs: use a scratch copy of a function. Needs gdb.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
lvc="$repo/.build/release/lvc"
if [[ ${1:-} == --lvc ]]; then
	lvc=$2
	shift 2
fi
(($#)) || { sed -n '2,9s/^# \{0,1\}//p' "$0" >&2; exit 2; }
command -v gdb >/dev/null || { echo "conformance-lookups.sh: needs gdb (apt-get install gdb)" >&2; exit 1; }
[[ -x $lvc ]] || { echo "conformance-lookups.sh: no lvc at $lvc" >&2; exit 1; }

script=$(mktemp)
trap 'rm -f "$script"' EXIT
{
	echo "set pagination off"
	echo "set breakpoint pending on"
	# The runtime's entry for a lookup that may scan the records (every other entry leads here).
	echo "break swift_conformsToProtocolMaybeInstantiateSuperclasses"
	echo "commands"
	echo "silent"
	echo 'printf "LOOKUP\n"'
	echo "bt 30"
	echo "continue"
	echo "end"
	printf 'run'
	printf ' %q' "$@"
	echo
} >"$script"
gdb -q -batch -x "$script" "$lvc" 2>/dev/null | python3 -c '
import re, sys
lookups = sys.stdin.read().split("LOOKUP\n")[1:]
print(f"{len(lookups)} conformance lookup(s)")
for text in lookups:
    names = re.findall(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(\$s\S+)", text, re.M)
    print("  " + " <- ".join(name[:100] for name in names[:3]))
'
