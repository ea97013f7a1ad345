#!/usr/bin/env bash
# Regenerates Sources/lvc/function-order.txt: the functions a release build of lvc runs for its
# common commands, which the release link places side by side (decision 0019).
#
# Usage: Benchmarks/function-order.sh
#
# Builds lvc (release, with a link map), runs `add` under valgrind's callgrind on the small
# benchmark tree, then each command once on 1,500 of its files plus the bundled example, and lists
# every function callgrind saw executed, by its mangled symbol name. Functions are grouped by the
# commands that run them, the commands ranked as in RANK below (`add` first: its peak memory is
# benchmarked): first every function `add` runs, those that `status` runs too before the others, and
# so on, so that each of the first commands finds most of its code in one stretch. Functions in
# sections that hold many functions (the standard library's main one is 1.5 MB) come after all the
# others, so that such sections do not split the compact part. A name that several local symbols
# share (merged helpers such as `objectdestroyTm`) is listed only when every copy has a section of
# its own: the linker moves every section defining the name. Run it after large changes to the code:
# names that no longer exist are ignored by the linker, and functions missing from the list only lie
# elsewhere in the binary (slower start, more memory; never a wrong result). Needs valgrind; takes
# about two minutes.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
command -v valgrind >/dev/null || { echo "function-order.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash "$repo/fixtures/build-release.sh" -Xlinker "-Map=$work/lvc.map"
lvc="$repo/.build/release/lvc"

export LVC_DATE=1700000000 LVC_AUTHOR_NAME=order LVC_AUTHOR_EMAIL=order@example.invalid LC_ALL=C

python3 "$repo/Benchmarks/make-tree.py" small "$work/full" >/dev/null
mkdir -p "$work/function" "$work/profiles"
(cd "$work/full" && find . -type f | sort | sed -n '1,1500p' | tar -cf - -T -) | tar -xf - -C "$work/function"
cp -R "$repo/fixtures/hello-node/." "$work/function/"

n=0
profile() { # lvc ARGUMENTS...; a refused command is profiled too (its error path is code lvc runs)
	n=$((n + 1))
	echo "$n $1" >>"$work/profiles/commands.txt"
	valgrind --tool=callgrind --demangle=no --compress-strings=no --dump-instr=no \
		--callgrind-out-file="$work/profiles/$n.out" "$lvc" "$@" >/dev/null 2>&1 || true
}
# A fresh add of the whole small tree first, as the benchmark's row g measures it: with 20,000
# files it runs code that 1,500 do not (threads that finish and exit, glibc's trimming of the
# heap), and each such function left out of the list maps 64 KiB of code on its own.
cd "$work/full"
profile init
profile add
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

# glibc picks its string functions for the CPU when lvc starts (ifuncs): valgrind's emulated CPU
# gets other variants than this machine does (AVX2 instead of EVEX), so callgrind never sees the
# ones lvc runs here. The variants this machine resolves are read from the binary's GOT with gdb,
# each with the ifunc it implements: "memmove __memmove_avx512_unaligned_erms".
if command -v gdb >/dev/null; then
	nm "$lvc" | awk '$2 == "i" { print $1, $3 }' >"$work/ifunc-names.txt"
	{
		echo "set pagination off"
		echo "break lvc_main"
		echo "run --version"
		readelf -rW "$lvc" | awk '/IRELATIVE/ { printf "printf \"%s \"\ninfo symbol *(void **) 0x%s\n", $4, $1 }'
		echo "kill"
	} >"$work/ifuncs.gdb"
	gdb -q -batch -x "$work/ifuncs.gdb" "$lvc" 2>/dev/null |
		awk '$3 == "in" && $4 == "section" { print $1, $2 }' >"$work/ifunc-targets.txt"
else
	echo "function-order.sh: no gdb: glibc's string functions for this CPU are not placed" >&2
	: >"$work/ifunc-names.txt"
	: >"$work/ifunc-targets.txt"
fi

# Function names, per command: "fn=" and "cfn=" lines (callers and callees); callgrind marks
# recursion levels with a suffix ('2): removed. Functions callgrind names by address only (local
# symbols such as crtbeginT.o's) are named from the link map below. Then ordered and filtered with
# the link map (input sections at one indent below their output section, symbols one further).
while read -r number _; do
	sed -n 's/^c\{0,1\}fn=//p' "$work/profiles/$number.out" | sed "s/'[0-9]*\$//" |
		sort -u >"$work/profiles/$number.names"
done <"$work/profiles/commands.txt"
nm --defined-only "$lvc" | awk '{print $3}' >"$work/symbols.txt"
python3 - "$work/lvc.map" "$work/symbols.txt" "$work/profiles" "$repo/Sources/lvc/function-order.txt" \
	"$work/ifunc-names.txt" "$work/ifunc-targets.txt" <<'PYTHON'
import collections, sys
map_path, symbols_path, profiles_path, out_path, ifunc_names_path, ifunc_targets_path = sys.argv[1:7]
definitions = collections.Counter(line.strip() for line in open(symbols_path))
# Commands whose code should lie together, most important first; the others follow in the order run.
RANK = ["add", "status", "publish", "checkout", "diff", "export", "log", "show", "versions"]
# Per symbol name: the size of its (largest) input section, whether every definition has a
# section of its own (`.text.NAME`), and the names at each address.
section_size, own_sections, at_address = {}, collections.defaultdict(lambda: True), {}
section, column = None, None
for line in open(map_path):
    fields = line.split()
    if len(fields) != 5 or fields[0] == "VMA":
        continue
    indent = line.index(fields[4])
    column = indent if column is None else column
    level = (indent - column) // 8
    if level == 1:
        section = (int(fields[2], 16), fields[4])
    elif level == 2 and section is not None:
        name = fields[4]
        section_size[name] = max(section_size.get(name, 0), section[0])
        own_sections[name] &= section[1].endswith(f"(.text.{name})")
        at_address.setdefault(int(fields[0], 16), name)
def named(name):
    return at_address.get(int(name, 16), "") if name.startswith("0x") else name
commands = [line.split() for line in open(f"{profiles_path}/commands.txt")]
rank = lambda command: (RANK.index(command[1]) if command[1] in RANK else len(RANK), int(command[0]))
runs = [set(named(line.strip()) for line in open(f"{profiles_path}/{number}.names")) for number, _ in sorted(commands, key=rank)]
# This machine's variant of a glibc function counts as run by every command that ran the
# variant valgrind chose (`__memmove_avx_unaligned_erms` is a `memmove`).
resolver_name = dict(line.split() for line in open(ifunc_names_path))
for line in open(ifunc_targets_path):
    resolver, target = line.split()
    family = resolver_name.get(resolver.removeprefix("0x").rjust(16, "0"), "").lstrip("_")
    for run in runs:
        if family and any(name.startswith(f"__{family}_") for name in run):
            run.add(target)
executed = sorted(set().union(*runs) - {""})
# A name several local symbols share (merged helpers such as `...Tm`, `block_copy_helper`) is
# listed when every copy has a section of its own: the linker then moves only those small copies.
unique = [name for name in executed if definitions[name] == 1 or (definitions[name] > 1 and own_sections[name])]
large = lambda name: section_size.get(name, 0) > 32 << 10
# Sorting by "not run by command 1, not run by command 2, ..." puts each command's functions in
# few stretches: all of command 1's in one, command 2's in two, and so on.
ordered = sorted(unique, key=lambda name: (large(name), tuple(name not in run for run in runs), name))
open(out_path, "w").write("".join(name + "\n" for name in ordered))
print(f"function-order.sh: {len(ordered)} names, {sum(map(large, ordered))} of them in sections of many "
      f"functions; {len(executed) - len(unique)} executed names left out (not in the binary's symbol "
      f"table, or defined more than once in sections of several functions)", file=sys.stderr)
PYTHON
