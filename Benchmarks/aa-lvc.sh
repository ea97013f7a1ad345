#!/usr/bin/env bash
# aa-lvc.sh: a stand-in "lvc" that is git itself, for an A/A run of the benchmark:
#
#   bash Benchmarks/run.sh --lvc Benchmarks/aa-lvc.sh [--trees small]
#
# Every row then compares git with git (plus this script's bash start-up, ~1 ms, which shows in
# the rows of a few milliseconds: f most). How far the ratios stray from 1.00 is the noise of the
# machine and of the method. The repository lives in .lambda (so run.sh's clean-ups work);
# published versions are tags vN written directly, and the commands are the git side's own.
set -e
GD=.lambda
g() { git --git-dir="$GD" --work-tree=. "$@"; }
tag() { local c; read -r c <"$GD/refs/tags/v$1"; printf %s "$c"; }

case $1 in
--version) echo "aa-lvc (git $(git --version | cut -d' ' -f3))" ;;
init)
	git init -q -b main --object-format=sha256 --bare "$GD"
	git --git-dir="$GD" config core.bare false
	git --git-dir="$GD" config gc.auto 0
	echo "/$GD/" >>"$GD/info/exclude"
	;;
add) g add -A ;;
status) g status ;;
publish)
	g commit -q -m x
	n=0
	[[ -f $GD/aa-count ]] && read -r n <"$GD/aa-count"
	n=$((n + 1))
	echo "$n" >"$GD/aa-count"
	read -r head <"$GD/HEAD"  # no extra process: git's side does not run one either
	if [[ $head == ref:* ]]; then read -r head <"$GD/${head#ref: }"; fi
	echo "$head" >"$GD/refs/tags/v$n"
	;;
checkout)
	read -r n <"$GD/aa-count"
	if [[ $2 == "$n" ]]; then g checkout -q -f main; else g checkout -q -f "$(tag "$2")"; fi
	;;
diff)
	if [[ $2 == --help ]]; then echo "usage: lvc diff"; exit 0; fi
	g diff "$(tag "$2")" "$(tag "$3")"
	;;
import) unzip -o -q "$2" -d . && g add -A ;;  # -o: later runs find the files of the first
*) echo "aa-lvc: no stand-in for '$1'" >&2; exit 2 ;;
esac
