#!/usr/bin/env bash
# Fuzz/run.sh: coverage-guided fuzzing of lvc's decoders with libFuzzer and AddressSanitizer.
#
#   bash Fuzz/run.sh [--seconds N] [--targets a,b,...] [--lvc PATH]
#
# Builds Fuzz/ (this folder's package) with -sanitize=fuzzer,address, makes seed inputs from a
# real store (fixtures/hello-node published twice, an alias, a trigger, `git gc`, an export) and
# fixtures/zips, then runs each target for N seconds (default 60). The corpora grow in
# Fuzz/work/corpus/<target> and are reused by later runs. Exit status 1 if any target found an
# input that crashes, hangs (over 10 s) or allocates over 2 GiB; the input is kept as
# Fuzz/work/findings/<target>-crash-… and `LVC_FUZZ_TARGET=<target> Fuzz/.build/release/lvc-fuzz
# FILE` replays it. Not part of CI: a useful run takes minutes per target. See Fuzz/README.md.
set -euo pipefail

FUZZ_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$FUZZ_DIR/.." && pwd)
WORK="$FUZZ_DIR/work"
SECONDS_PER_TARGET=60
TARGETS="commit,tree,index,delta,loose,pack,zip,json,config,ignore,records"
LVC=""

while (($#)); do
	case $1 in
	--seconds) SECONDS_PER_TARGET=$2; shift ;;
	--targets) TARGETS=$2; shift ;;
	--lvc) LVC=$2; shift ;;
	-h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
	esac
	shift
done

log() { echo "$*" >&2; }

log "building the fuzzer (swift build -c release, -sanitize=fuzzer,address)..."
swift build -c release --package-path "$FUZZ_DIR" \
	-Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing >&2
FUZZER="$FUZZ_DIR/.build/release/lvc-fuzz"

if [[ -z $LVC ]]; then
	LVC="$REPO_ROOT/.build/debug/lvc"
	[[ -x $LVC ]] || { log "building lvc for the seeds..."; swift build --package-path "$REPO_ROOT" --product lvc >&2; }
fi

# Seeds: every kind of file lvc reads, taken from a store that lvc and git both wrote.
make_seeds() {
	local seeds="$WORK/seeds" store fn i id kind
	rm -rf "$seeds"
	mkdir -p "$seeds"/{commit,tree,index,delta,loose,pack,zip,json,config,ignore,records}
	store=$(mktemp -d)
	fn="$store/hello-node"
	cp -R "$REPO_ROOT/fixtures/hello-node" "$fn"
	(
		cd "$fn"
		export LVC_DATE=1700000000 LVC_AUTHOR_NAME=fuzz LVC_AUTHOR_EMAIL=fuzz@example.invalid
		printf 'node_modules/\n*.log\n!keep.log\n/build/**/tmp\n[a-c]?.js\n' >.lambdaignore
		"$LVC" init --runtime nodejs20.x --handler index.handler >/dev/null
		"$LVC" add && "$LVC" publish -d one >/dev/null
		sed -i 's/Hello/Hi/' lib/greet.js
		"$LVC" config memory 256 && "$LVC" config env.STYLE friendly
		"$LVC" add && "$LVC" publish -d two >/dev/null
		"$LVC" alias create PROD 2 --weight 1=0.25 >/dev/null
		"$LVC" trigger add PROD --source arn:aws:s3:::orders-uploads >/dev/null
		"$LVC" export 2 -o "$store/v2.zip" >/dev/null 2>&1
	)
	cp "$fn/.lambdaignore" "$seeds/ignore/"
	cp "$fn/.lambda/index" "$seeds/index/"
	i=0
	for f in $(find "$fn/.lambda/objects" -type f -path '*/objects/??/*' | head -n 20); do
		cp "$f" "$seeds/loose/$((i++))"
	done
	git --git-dir="$fn/.lambda" cat-file --batch-all-objects --batch-check='%(objectname) %(objecttype)' |
		while read -r id kind; do
			case $kind in
			commit | tag) git --git-dir="$fn/.lambda" cat-file "$kind" "$id" >"$seeds/commit/$id" ;;
			tree) git --git-dir="$fn/.lambda" cat-file tree "$id" >"$seeds/tree/$id" ;;
			blob)
				git --git-dir="$fn/.lambda" cat-file blob "$id" >"$seeds/records/$id"
				if head -c1 "$seeds/records/$id" | grep -q '{'; then cp "$seeds/records/$id" "$seeds/json/$id"; cp "$seeds/records/$id" "$seeds/config/$id"; fi
				;;
			esac
		done
	find "$fn/.lambda/lvc" -maxdepth 1 -type f -size -64k -exec cp {} "$seeds/records/" \;
	git --git-dir="$fn/.lambda" gc -q --aggressive
	local idx pack
	idx=$(ls "$fn"/.lambda/objects/pack/*.idx | head -n1)
	pack=${idx%.idx}.pack
	python3 - "$idx" "$pack" "$seeds/pack/gc" <<-'EOF'
		import struct, sys
		idx, pack = (open(p, "rb").read() for p in sys.argv[1:3])
		open(sys.argv[3], "wb").write(struct.pack("<I", len(idx)) + idx + pack)
	EOF
	python3 - "$seeds/delta" <<-'EOF'
		import sys
		def varint(n):
		    out = bytearray()
		    while True:
		        b = n & 0x7F; n >>= 7
		        out.append(b | (0x80 if n else 0))
		        if not n: return bytes(out)
		base = b"exports.handler = async () => ({ statusCode: 200 });\n" * 3
		result_ops = bytes([0x90 | 0x01, 0x00, 0x20]) + bytes([5]) + b"hello"  # copy 32 bytes at 0, insert 5
		delta = varint(len(base)) + varint(37) + result_ops
		n = len(base)
		open(sys.argv[1] + "/copy-insert", "wb").write(bytes([n & 0xFF, n >> 8]) + base + delta)
	EOF
	cp "$store/v2.zip" "$seeds/zip/"
	cp "$REPO_ROOT"/fixtures/zips/*.zip "$seeds/zip/"
	printf 'lib/a.js\n*.js\n!lib/\n' >"$seeds/ignore/negation"
	rm -rf "$store"
}

log "making seed inputs..."
make_seeds
mkdir -p "$WORK/findings"

failed=()
IFS=, read -r -a targets <<<"$TARGETS"
for t in "${targets[@]}"; do
	corpus="$WORK/corpus/$t"
	mkdir -p "$corpus"
	log "fuzzing $t for ${SECONDS_PER_TARGET}s (corpus: $(ls "$corpus" | wc -l) inputs, seeds: $(ls "$WORK/seeds/$t" | wc -l))..."
	if ! LVC_FUZZ_TARGET=$t "$FUZZER" "$corpus" "$WORK/seeds/$t" \
		-max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
		-artifact_prefix="$WORK/findings/$t-" -print_final_stats=1 >"$WORK/$t.log" 2>&1; then
		failed+=("$t")
		log "  FOUND: $(grep -m1 -E 'ERROR|Fatal|deadly signal|timeout' "$WORK/$t.log" || echo 'see the log') ($WORK/$t.log)"
	else
		log "  $(grep -E '^stat::number_of_executed_units' "$WORK/$t.log" | awk '{print $2}') inputs run, $(grep -E '^stat::new_units_added' "$WORK/$t.log" | awk '{print $2}') new, no finding"
	fi
done

if ((${#failed[@]})); then
	log "findings in: ${failed[*]} (inputs in $WORK/findings)"
	exit 1
fi
log "no findings"
