#!/usr/bin/env bash
# site.sh: how long `lvc site` takes on a long history of a large function, and its peak memory.
# Builds (once) a store with VERSIONS versions of the generated small tree (20,455 files), each
# version changing 10 files, then times `lvc site` from scratch and again on the existing folder.
#   usage: Benchmarks/site.sh [--versions N] [--lvc PATH] [--workdir DIR]
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
VERSIONS=500
LVC="$REPO_ROOT/.build/release/lvc"
WORKDIR="$BENCH_DIR/work"
while (($#)); do
	case $1 in
	--versions) VERSIONS=$2; shift ;;
	--lvc) LVC=$2; shift ;;
	--workdir) WORKDIR=$2; shift ;;
	*) echo "usage: $0 [--versions N] [--lvc PATH] [--workdir DIR]" >&2; exit 2 ;;
	esac
	shift
done
[ -x "$LVC" ] || { echo "site.sh: no lvc at $LVC (swift build -c release -Xswiftc -static-executable)" >&2; exit 1; }
export LVC_AUTHOR_NAME=bench LVC_AUTHOR_EMAIL=bench@example.invalid NO_COLOR=1
history="$WORKDIR/site-history-$VERSIONS"
if [ ! -f "$history/.done" ]; then
	rm -rf "$history"
	mkdir -p "$WORKDIR"
	python3 "$BENCH_DIR/make-tree.py" small "$history" >/dev/null
	cd "$history"
	"$LVC" init >/dev/null
	mapfile -t files < <(find . -path ./.lambda -prune -o -type f -name '*' -print | sort | head -2000)
	for ((v = 1; v <= VERSIONS; v++)); do
		for ((k = 0; k < 10; k++)); do echo "change $v.$k" >>"${files[$(((v * 10 + k) % ${#files[@]}))]}"; done
		"$LVC" add
		"$LVC" publish -d "version $v" >/dev/null
		if ((v % 50 == 0)); then
			"$LVC" alias create "A$v" "$v" >/dev/null
			[ $v -gt 50 ] && "$LVC" alias update A50 --version "$v" --weight "$((v - 1))=0.1" >/dev/null
			echo "  $v versions" >&2
		fi
	done
	touch .done
fi
cd "$history"
rm -rf .lambda/site site
echo "lvc site on $VERSIONS versions of $(find . -path ./.lambda -prune -o -type f -print | wc -l) files"
/usr/bin/time -f "  from scratch: %e s, peak memory %M KB" "$LVC" site >/dev/null
/usr/bin/time -f "  again (existing site): %e s, peak memory %M KB" "$LVC" site >/dev/null
echo "  pages: $(find .lambda/site -name '*.html' | wc -l), size: $(du -sh .lambda/site | cut -f1)"
