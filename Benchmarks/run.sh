#!/usr/bin/env bash
# run.sh: benchmark lvc against git on the same generated trees, in one run.
#
# Absolute times on this kind of machine drift 10-20% between runs, and 2-7x for anything that
# creates many files on ext4 (see /work/shared/reference/performance.md). So every operation is
# measured for lvc and for git in the same run, on identical copies of the same tree, on the same
# file system, and only the ratio lvc/git is judged. See Benchmarks/README.md.
#
# The report (tables and summary) goes to stdout; progress goes to stderr; hyperfine's own output
# and every setup command's output go to a log file in the results folder.

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)

MEM_TARGET_MIB=100 # peak RSS target for `lvc add` on the python tree
MEM_TARGET_TREE=python

QUICK=0
BUILD=0
CLEAN=0
LVC=""
WORKDIR="$BENCH_DIR/work"
TREES=""

declare -A RES=()  # "<tree>.<op>.<lvc|git>" -> median seconds (or MiB for op g, or n/a)
SUMMARY=()         # tab-separated summary rows, printed at the end

usage() {
	cat <<'EOF'
usage: Benchmarks/run.sh [options]

Runs lvc and git side by side on generated trees and prints, per tree, the median time of each
operation for both tools and the ratio lvc/git, then a PASS/FAIL summary against the targets.

options:
  --quick          fewer runs, small tree only (unless --trees is given)
  --lvc PATH       the lvc binary (default: .build/release/lvc under the repository root)
  --build          build the default lvc as fixtures/demo.sh does, if it is missing
  --workdir DIR    where trees, copies and results go (default: Benchmarks/work)
  --trees LIST     comma-separated: small, python (default: small,python; --quick: small)
  --clean          delete the generated trees at the end (they are reused otherwise)
  -h, --help       this text

Exit status: 0 when every command ran, even if targets fail (this is a report);
non-zero when a command itself failed or the tools are missing.
EOF
}

log() { echo "$*" >&2; }
die() {
	log "run.sh: $*"
	exit 1
}

parse_args() {
	while (($#)); do
		case $1 in
		--quick) QUICK=1 ;;
		--build) BUILD=1 ;;
		--clean) CLEAN=1 ;;
		--lvc) LVC=${2:?--lvc needs a path}; shift ;;
		--lvc=*) LVC=${1#*=} ;;
		--workdir) WORKDIR=${2:?--workdir needs a folder}; shift ;;
		--workdir=*) WORKDIR=${1#*=} ;;
		--trees) TREES=${2:?--trees needs a list}; shift ;;
		--trees=*) TREES=${1#*=} ;;
		-h | --help) usage; exit 0 ;;
		*) die "unknown option '$1' (see --help)" ;;
		esac
		shift
	done

	if ((QUICK)); then
		RUNS_FRESH=3 RUNS_FAST=10 WARMUP=2 MEM_RUNS=1 ROUNDS=2
		TREES=${TREES:-small}
	else
		RUNS_FRESH=5 RUNS_FAST=30 WARMUP=3 MEM_RUNS=3 ROUNDS=3
		TREES=${TREES:-small,python}
	fi
	TREES=${TREES//,/ }
	local kind
	for kind in $TREES; do
		[[ $kind == small || $kind == python ]] || die "unknown tree '$kind' (small or python)"
	done
}

# Install a missing tool through apt (we run as root); refresh the package lists only if needed.
ensure_tool() { # COMMAND PACKAGE
	command -v "$1" >/dev/null 2>&1 && return 0
	log "installing $2 (apt-get)..."
	apt-get install -y "$2" >/dev/null 2>&1 ||
		{ apt-get update >/dev/null && apt-get install -y "$2" >/dev/null; } ||
		die "could not install $2; install it and run again"
}

check_tools() {
	ensure_tool hyperfine hyperfine
	ensure_tool /usr/bin/time time # `time -v` reports the peak RSS
	ensure_tool zip zip             # row h: the tree as a deployment package
	ensure_tool unzip unzip
	command -v git >/dev/null || die "git is missing"
	command -v python3 >/dev/null || die "python3 is missing"
}

resolve_lvc() {
	if [[ -z $LVC ]]; then
		LVC="$REPO_ROOT/.build/release/lvc"
		if [[ ! -x $LVC ]]; then
			((BUILD)) || die "no lvc at $LVC: pass --build to build it, or --lvc PATH"
			log "building lvc (fixtures/build-release.sh)..."
			bash "$REPO_ROOT/fixtures/build-release.sh"
		fi
	fi
	[[ -x $LVC ]] || die "lvc is not an executable file: $LVC"
	# Absolute, because every command runs inside a tree folder.
	LVC="$(cd "$(dirname "$LVC")" && pwd)/$(basename "$LVC")"
	Q_LVC=$(printf %q "$LVC")
}

# Fixed dates and identities make stores reproducible; ignoring ~/.gitconfig and /etc/gitconfig
# keeps someone's fsmonitor, untracked cache or hooks from tilting the comparison.
setup_env() {
	export LVC_DATE=1700000000 LVC_AUTHOR_NAME=bench LVC_AUTHOR_EMAIL=bench@example.invalid
	export GIT_AUTHOR_DATE="1700000000 +0000" GIT_COMMITTER_DATE="1700000000 +0000"
	export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
	export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
	export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
	export LC_ALL=C

	# The command strings below run under bash, in a tree folder, both in hyperfine and in setup.
	# gc.auto 0: a default repository starts a background `gc --auto` after the first commit of a
	# tree this size, which would land in later measurements.
	GIT_INIT="git init -q -b main --object-format=sha256 && git config gc.auto 0"
	LVC_STAGE="$Q_LVC init && $Q_LVC add"
	GIT_STAGE="$GIT_INIT && git add -A"
}

setup_workdir() {
	mkdir -p "$WORKDIR/trees" "$WORKDIR/results"
	WORKDIR=$(cd "$WORKDIR" && pwd)
	RESULTS="$WORKDIR/results/$(date +%Y%m%d-%H%M%S)"
	mkdir -p "$RESULTS"
	LOG="$RESULTS/run.log"
	: >"$LOG"
}

# Generate the pristine tree once and reuse it while make-tree.py is unchanged; the stamp is written
# last, so an interrupted generation is redone.
ensure_tree() { # KIND
	local kind=$1 dir="$WORKDIR/trees/$1" stamp="$WORKDIR/trees/$1.stamp" want
	want=$(sha256sum "$BENCH_DIR/make-tree.py" | cut -d' ' -f1)
	if [[ -d $dir && -f $stamp && $(head -n1 "$stamp") == "$want" ]]; then
		log "reusing $dir"
		return 0
	fi
	log "generating the $kind tree in $dir..."
	rm -rf "$dir" "$stamp"
	local info
	info=$(python3 "$BENCH_DIR/make-tree.py" "$kind" "$dir")
	printf '%s\n%s\n' "$want" "$info" >"$stamp"
}

tree_info() { sed -n 2p "$WORKDIR/trees/$1.stamp"; }

# Choose the files the operations change, deterministically from the sorted file list: text-sized
# files (< 100 KiB) spread over the tree, so no row depends on hitting one 30 MiB binary.
pick_files() { # TREE_DIR -> sets TOUCH_FILE, APPEND_FILE, CHANGED_FILES
	local -a files
	mapfile -t files < <(cd "$1" && find . -type f -size -100k | LC_ALL=C sort)
	local n=${#files[@]} i
	((n >= 20)) || die "too few files in $1"
	TOUCH_FILE=${files[n / 3]}
	APPEND_FILE=${files[2 * n / 3]}
	CHANGED_FILES=()
	for ((i = 0; i < 10; i++)); do
		CHANGED_FILES+=("${files[(2 * i + 1) * n / 20]}")
	done
}

# Run a setup command string in a tree folder (not timed); its output goes to the log.
in_dir() { # DIR COMMAND_STRING
	echo "+ (cd $1 && $2)" >>"$LOG"
	(cd "$1" && bash -c "$2") >>"$LOG" 2>&1 || die "setup failed in $1: $2 (log: $LOG)"
}

# Time COMMAND in DIR with hyperfine and print its median in seconds. PREPARE runs before every run
# (warm-ups included) and is not timed.
bench() { # ID DIR COMMAND PREPARE WARMUP RUNS
	local id=$1 dir=$2 cmd=$3 prepare=$4 warmup=$5 runs=$6
	local json="$RESULTS/$id.json" qdir
	qdir=$(printf %q "$dir")
	local -a args=(--shell=bash --style=basic --warmup "$warmup" --runs "$runs"
		--export-json "$json" --command-name "$id")
	[[ -n $prepare ]] && args+=(--prepare "cd $qdir && $prepare")
	log "  $id: $cmd${prepare:+   [prepare: $prepare]}"
	if ! hyperfine "${args[@]}" "cd $qdir && $cmd" >>"$LOG" 2>&1; then
		# hyperfine discards the command's output: run it once more to show why it failed.
		echo "+ once more, with its output: (cd $dir && ${prepare:+$prepare; }$cmd)" >>"$LOG"
		(cd "$dir" && { [[ -z $prepare ]] || bash -c "$prepare"; } && bash -c "$cmd") >>"$LOG" 2>&1 || true
		tail -n 8 "$LOG" >&2
		die "hyperfine failed on $id (log: $LOG)"
	fi
	median_of "$json"
}

# Median of all run times in one or more hyperfine JSON exports, in seconds.
median_of() { # JSON...
	python3 -c '
import json, statistics, sys
times = [t for f in sys.argv[1:] for t in json.load(open(f))["results"][0]["times"]]
print(statistics.median(times))' "$@"
}

# Measure one operation for both tools and store the medians. The runs are split into ROUNDS
# rounds and the tools take turns (lvc git, git lvc, lvc git): this machine's speed drifts by
# 10-20% within a run, and when all lvc runs came before all git runs the drift went into the
# ratio. Each round has its own warm-up; the median is over all runs of all rounds.
measure() { # TREE OP LVC_DIR GIT_DIR LVC_CMD GIT_CMD LVC_PREPARE GIT_PREPARE WARMUP RUNS
	local r per=$(( (${10} + ROUNDS - 1) / ROUNDS ))
	for ((r = 0; r < ROUNDS; r++)); do
		if ((r % 2 == 0)); then
			bench "$1-$2-lvc-r$r" "$3" "$5" "$7" "$9" "$per" >/dev/null
			bench "$1-$2-git-r$r" "$4" "$6" "$8" "$9" "$per" >/dev/null
		else
			bench "$1-$2-git-r$r" "$4" "$6" "$8" "$9" "$per" >/dev/null
			bench "$1-$2-lvc-r$r" "$3" "$5" "$7" "$9" "$per" >/dev/null
		fi
	done
	RES[$1.$2.lvc]=$(median_of "$RESULTS/$1-$2-lvc-r"*.json)
	RES[$1.$2.git]=$(median_of "$RESULTS/$1-$2-git-r"*.json)
}

# Like measure, for operations that take seconds per run: ext4's costs drift within a run, so the
# tools take turns (lvc git, git lvc, lvc git, ...) instead of all lvc runs before all git runs,
# and neither tool gets the quieter half of the run. One hyperfine call per run.
measure_alternating() { # TREE OP LVC_DIR GIT_DIR LVC_CMD GIT_CMD LVC_PREPARE GIT_PREPARE RUNS
	local kind=$1 op=$2 i t
	for ((i = 0; i < $9; i++)); do
		if ((i % 2 == 0)); then
			bench "$kind-$op-lvc-$i" "$3" "$5" "$7" 0 1 >/dev/null
			bench "$kind-$op-git-$i" "$4" "$6" "$8" 0 1 >/dev/null
		else
			bench "$kind-$op-git-$i" "$4" "$6" "$8" 0 1 >/dev/null
			bench "$kind-$op-lvc-$i" "$3" "$5" "$7" 0 1 >/dev/null
		fi
	done
	t=$(median_of "$RESULTS/$kind-$op-lvc-"*.json)
	RES[$kind.$op.lvc]=$t
	t=$(median_of "$RESULTS/$kind-$op-git-"*.json)
	RES[$kind.$op.git]=$t
}

# Peak RSS of a command on a fresh store: PREPARE (a command string) runs first each time, then
# /usr/bin/time -v runs the command directly (not through a shell), so the figure is the tool's
# own. The maximum over MEM_RUNS runs is kept.
peak_rss_of() { # DIR PREPARE COMMAND... -> MiB
	local dir=$1 prepare=$2 best=0 kib i out="$RESULTS/time-v.txt"
	shift 2
	for ((i = 0; i < MEM_RUNS; i++)); do
		in_dir "$dir" "$prepare"
		echo "+ (cd $dir && /usr/bin/time -v $*)" >>"$LOG"
		(cd "$dir" && /usr/bin/time -v -o "$out" "$@") >>"$LOG" 2>&1 ||
			die "failed: $* in $dir (log: $LOG)"
		kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out")
		[[ -n $kib ]] || die "no 'Maximum resident set size' in $out"
		((kib > best)) && best=$kib
	done
	awk -v k="$best" 'BEGIN { printf "%.1f\n", k / 1024 }'
}

# Peak RSS of `add` on a fresh store (row g).
peak_rss() { # TOOL DIR -> MiB
	if [[ $1 == lvc ]]; then
		peak_rss_of "$2" "rm -rf .lambda && $Q_LVC init && sync" "$LVC" add
	else
		peak_rss_of "$2" "rm -rf .git && $GIT_INIT && sync" git add -A
	fi
}

# Peak RSS of `lvc import` of the tree's zip into a fresh store (row h's memory, line i).
peak_rss_import() { # DIR ZIP -> MiB
	peak_rss_of "$1" "rm -rf .lambda && $Q_LVC init && sync" "$LVC" import "$2"
}

# `lvc diff` exists if its help succeeds and is the help of diff, not lvc's top-level help (an
# argument parser may print that for an unknown subcommand followed by --help).
lvc_has_diff() { # DIR
	local out
	out=$(cd "$1" && "$LVC" diff --help 2>&1) || return 1
	grep -qiE 'usage:.*diff' <<<"$out"
}

# All operations on one tree. Order matters: each step leaves the store in the state the next one
# needs (a, g: staged; then v1; b, c; then v2; e, f; d last because it publishes more versions).
run_tree() { # KIND
	local kind=$1 src="$WORKDIR/trees/$1" base="$WORKDIR/run/$1"
	local L="$base/lvc" G="$base/git" f c1 c2 rss t
	ensure_tree "$kind"
	log "== $kind: $(tree_info "$kind")"
	log "copying the tree for lvc and for git (not timed)..."
	rm -rf "$base"
	mkdir -p "$base"
	cp -a "$src" "$L" # -a keeps modes, symlinks and mtimes: both copies start identical
	cp -a "$src" "$G"
	pick_files "$src"

	log "a. staging a fresh tree"
	# The tree copy is reused: only the store is removed before each run. sync keeps the previous
	# run's write-back out of this run's time.
	measure_alternating "$kind" a "$L" "$G" "$LVC_STAGE" "$GIT_STAGE" \
		"rm -rf .lambda && sync" "rm -rf .git && sync" "$RUNS_FRESH"

	log "g. peak memory of add on a fresh store"
	rss=$(peak_rss lvc "$L")
	RES[$kind.g.lvc]=$rss
	rss=$(peak_rss git "$G")
	RES[$kind.g.git]=$rss

	log "h. importing the tree as a zip (reference: unzip into a folder, then lvc init + add)"
	# The zip is made once (not timed) with Info-ZIP, symlinks kept as links. Both sides start
	# from the same zip in an empty folder; the reference pays for writing the files, import for
	# the canonical zip's CodeSha256 (level-6 deflate of every file, once).
	local Z="$base/tree.zip" I="$base/import" U="$base/unzip"
	in_dir "$src" "zip -q -r -y $(printf %q "$Z") ."
	mkdir -p "$I" "$U"
	measure_alternating "$kind" h "$I" "$U" "$Q_LVC init && $Q_LVC import ../tree.zip" \
		"unzip -q ../tree.zip -d t && cd t && $Q_LVC init && $Q_LVC add" \
		"rm -rf .lambda && sync" "rm -rf t && sync" "$RUNS_FRESH"
	rss=$(peak_rss_import "$I" "$Z")
	RES[$kind.i.lvc]=$rss
	rm -rf "$I" "$U" "$Z"

	log "publishing version 1"
	in_dir "$L" "$Q_LVC publish"
	in_dir "$G" "git commit -q -m v1"
	c1=$(git -C "$G" rev-parse HEAD)

	log "b. status of an unchanged tree"
	measure "$kind" b "$L" "$G" "$Q_LVC status" "git status" "" "" "$WARMUP" "$RUNS_FAST"

	log "c. status after touching one file ($TOUCH_FILE)"
	local touch_cmd="touch $(printf %q "$TOUCH_FILE")"
	measure "$kind" c "$L" "$G" "$Q_LVC status" "git status" "$touch_cmd" "$touch_cmd" "$WARMUP" "$RUNS_FAST"

	log "changing 10 files and publishing version 2"
	local change_cmd=""
	for f in "${CHANGED_FILES[@]}"; do
		change_cmd+="echo 'changed in version 2' >> $(printf %q "$f") && "
	done
	in_dir "$L" "$change_cmd $Q_LVC add && $Q_LVC publish"
	in_dir "$G" "$change_cmd git add -A && git commit -q -m v2"
	c2=$(git -C "$G" rev-parse HEAD)

	log "e. checkout of the older version (prepare: back to the newer one)"
	measure "$kind" e "$L" "$G" "$Q_LVC checkout 1 --force" "git checkout -q -f $c1" \
		"$Q_LVC checkout 2 --force" "git checkout -q -f main" 1 "$RUNS_FAST"
	in_dir "$L" "$Q_LVC checkout 2 --force"
	in_dir "$G" "git checkout -q -f main"

	log "f. diff of two versions 10 files apart"
	if lvc_has_diff "$L"; then
		# A few milliseconds per run, where one jittery round moved the ratio by 0.2: five
		# times the runs (they cost under a second per round).
		measure "$kind" f "$L" "$G" "$Q_LVC diff 1 2" "git diff $c1 $c2" "" "" "$WARMUP" "$((RUNS_FAST * 5))"
	else
		log "  lvc has no diff yet: measuring git only"
		RES[$kind.f.lvc]="n/a"
		t=$(bench "$kind-f-git" "$G" "git diff $c1 $c2" "" "$WARMUP" "$RUNS_FAST")
		RES[$kind.f.git]=$t
	fi

	log "d. add + publish after changing one file ($APPEND_FILE)"
	# A new line each run (nanosecond clock), so every run stores a new blob and a new version.
	local append_cmd="date +%s%N >> $(printf %q "$APPEND_FILE")"
	measure "$kind" d "$L" "$G" "$Q_LVC add && $Q_LVC publish" "git add -A && git commit -q -m x" \
		"$append_cmd" "$append_cmd" "$WARMUP" "$RUNS_FAST"

	log "removing the copies of $kind"
	rm -rf "$base"
}

OPS=(a b c d e f g h)
declare -A LABEL=(
	[a]="a. stage fresh tree (init + add)"
	[b]="b. status, unchanged tree"
	[c]="c. status, 1 file touched"
	[d]="d. add + publish, 1 file changed"
	[e]="e. checkout older version (10 files)"
	[f]="f. diff two versions (10 files)"
	[g]="g. peak RSS of add, fresh store"
	[h]="h. import zip (vs unzip + init + add)"
)

fmt_time() { # SECONDS -> "8.31 s" / "26.4 ms"
	awk -v t="$1" 'BEGIN { if (t >= 1) printf "%.2f s", t; else printf "%.1f ms", t * 1000 }'
}

ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
verdict() { awk -v r="$1" 'BEGIN { print (r <= 1.0) ? "PASS" : "FAIL" }'; }

print_table() { # KIND
	local kind=$1 op lvc git lv gv ratio
	echo
	echo "Tree: $(tree_info "$kind")"
	printf '%-38s %12s %12s   %s\n' "operation" "lvc median" "git median" "lvc/git"
	for op in "${OPS[@]}"; do
		lvc=${RES[$kind.$op.lvc]} git=${RES[$kind.$op.git]}
		if [[ $op == g ]]; then
			lv="$lvc MiB" gv="$git MiB"
		else
			gv=$(fmt_time "$git")
			[[ $lvc == n/a ]] || lv=$(fmt_time "$lvc")
		fi
		if [[ $lvc == n/a ]]; then
			printf '%-38s %12s %12s   %s\n' "${LABEL[$op]}" "n/a" "$gv" "n/a (lvc has no diff yet)"
			SUMMARY+=("$kind"$'\t'"${LABEL[$op]} (lvc/git)"$'\t'"n/a"$'\t'"<= 1.00"$'\t'"n/a")
			continue
		fi
		ratio=$(ratio_of "$lvc" "$git")
		printf '%-38s %12s %12s   %7s\n' "${LABEL[$op]}" "$lv" "$gv" "$ratio"
		SUMMARY+=("$kind"$'\t'"${LABEL[$op]} (lvc/git)"$'\t'"$ratio"$'\t'"<= 1.00"$'\t'"$(verdict "$ratio")")
	done
	echo "i. peak RSS of lvc import of the zip: ${RES[$kind.i.lvc]} MiB (target: under $MEM_TARGET_MIB MiB on the $MEM_TARGET_TREE tree)"
	if [[ $kind == "$MEM_TARGET_TREE" ]]; then
		lvc=${RES[$kind.g.lvc]}
		SUMMARY+=("$kind"$'\t'"g. lvc add peak RSS"$'\t'"$lvc MiB"$'\t'"< $MEM_TARGET_MIB MiB"$'\t'"$(
			awk -v m="$lvc" -v t="$MEM_TARGET_MIB" 'BEGIN { print (m < t) ? "PASS" : "FAIL" }'
		)")
		lvc=${RES[$kind.i.lvc]}
		SUMMARY+=("$kind"$'\t'"i. lvc import peak RSS"$'\t'"$lvc MiB"$'\t'"< $MEM_TARGET_MIB MiB"$'\t'"$(
			awk -v m="$lvc" -v t="$MEM_TARGET_MIB" 'BEGIN { print (m < t) ? "PASS" : "FAIL" }'
		)")
	fi
}

print_summary() {
	local row fails=0 tree what value target result
	echo
	echo "Summary: targets are lvc/git <= 1.00 on every row (row h: lvc import against unzip + lvc init + add), and lvc add and lvc import under $MEM_TARGET_MIB MiB on the $MEM_TARGET_TREE tree"
	printf '%-7s %-46s %10s %11s  %s\n' "tree" "row" "measured" "target" "result"
	printf '%s\n' "tree"$'\t'"row"$'\t'"measured"$'\t'"target"$'\t'"result" >"$RESULTS/summary.tsv"
	for row in "${SUMMARY[@]}"; do
		IFS=$'\t' read -r tree what value target result <<<"$row"
		printf '%-7s %-46s %10s %11s  %s\n' "$tree" "$what" "$value" "$target" "$result"
		printf '%s\n' "$row" >>"$RESULTS/summary.tsv"
		[[ $result == FAIL ]] && fails=$((fails + 1))
	done
	echo
	echo "$fails row(s) miss their target. Raw hyperfine JSON, summary.tsv and the log: $RESULTS"
}

print_header() {
	local fs cpu lvc_version
	fs=$(df -T "$WORKDIR" | awk 'NR == 2 { print $2 }')
	cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
	lvc_version=$("$LVC" --version 2>/dev/null | head -n1) || lvc_version="no --version"
	echo "lvc vs git benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: $(nproc) cores ($cpu); work folder on $fs: $WORKDIR"
	echo "tools: $(git --version), $(hyperfine --version), lvc $LVC ($lvc_version)"
	echo "runs: fresh staging $RUNS_FRESH (tools alternating), other timings $RUNS_FAST in $ROUNDS alternating rounds, each after $WARMUP warm-up(s) (checkout: 1), memory $MEM_RUNS"
	echo "Medians from hyperfine. Only ratios from the same run are meaningful (ext4 file creation varies 2-7x)."
}

main() {
	parse_args "$@"
	check_tools
	resolve_lvc
	setup_env
	setup_workdir
	trap 'status=$?; ((status == 0)) || log "run.sh: stopped (status $status); log: $LOG"' EXIT

	print_header
	local kind
	for kind in $TREES; do
		run_tree "$kind"
		print_table "$kind"
	done
	print_summary

	if ((CLEAN)); then
		log "removing the generated trees (--clean)"
		rm -rf "$WORKDIR/trees" "$WORKDIR/run"
	fi
}

main "$@"
