#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the libFuzzer targets (mh_fuzz: the codec; cores_fuzz: the CMD and
# MAAR cores fed arbitrary MH) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer in their own tree ($BUILD/fuzz) and run them
# on the seed corpus in userspace/fuzz/corpus. New inputs go to
# $BUILD/fuzz/corpus (the repository is never written), a crashing input to
# $BUILD/fuzz/artifacts. Leaves "PASSED FAILED SKIPPED" in
# $BUILD/results/fuzz.counts: "1 0 0" when the run found nothing, "0 1 0"
# on a finding or a build failure, "0 0 1" without clang.
#
# usage: scripts/fuzz.sh --smoke           20 s per target, side by side (make check)
#        scripts/fuzz.sh [LIBFUZZER_ARG...] default -max_total_time=600;
#                                           e.g. -runs=10000000 or -jobs=2
#        scripts/fuzz.sh --campaign [LIBFUZZER_ARG...]
#            a long run: the targets built with UBSan only ($BUILD/fuzz-ubsan;
#            ASan's allocator is two thirds of cores_fuzz's time, so this
#            runs about three times faster), then every input the run kept
#            replayed once under ASan+UBSan. FUZZ_TARGETS="cores" limits the
#            targets (default "mh cores").

set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
dir=$BUILD/fuzz
results=$BUILD/results
counts=$results/fuzz.counts
mkdir -p "$results"

mode=normal
case "${1:-}" in
--smoke) mode=smoke; shift ;;
--campaign) mode=campaign; shift ;;
esac
targets=${FUZZ_TARGETS:-mh cores}

fail() {
	echo "fuzz.sh: $*" >&2
	echo "0 1 0" >"$counts"
	exit 1
}

if ! command -v clang++ >/dev/null; then
	echo "fuzz.sh: clang++ is not installed (scripts/deps.sh); skipped" >&2
	echo "0 0 1" >"$counts"
	exit 0
fi

build_tree() {	# DIR SANITIZERS
	local tree=$1 name
	name=$(basename "$tree")
	CC=clang CXX=clang++ cmake -S "$TOP" -B "$tree" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DDLIF_FUZZ=ON -DDLIF_SANITIZE=ON -DDLIF_SANITIZERS="$2" -DDLIF_BENCH=OFF \
		>"$BUILD/cmake-$name.log" 2>&1 ||
		{ cat "$BUILD/cmake-$name.log" >&2; fail "configuring $tree failed"; }
	# shellcheck disable=SC2046,SC2086 # the target list is split on purpose
	cmake --build "$tree" --target $(printf '%s_fuzz ' $targets) -j "$(nproc)" \
		>"$BUILD/build-$name.log" 2>&1 ||
		{ tail -50 "$BUILD/build-$name.log" >&2; fail "building the fuzzers in $tree failed"; }
}

build_tree "$dir" address,undefined
run_dir=$dir
if [ "$mode" = campaign ]; then
	run_dir=$BUILD/fuzz-ubsan
	build_tree "$run_dir" undefined
fi

# A bounded run by default; arguments of the caller come last and win.
if [ "$mode" = smoke ]; then
	defaults=(-max_total_time=20)
elif printf '%s\n' "$@" | grep -qE '^-(runs|max_total_time)='; then
	defaults=()
else
	defaults=(-max_total_time=600)
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
finding() {	# TARGET LOG RC ARTIFACTS
	failed=1
	tail -40 "$2" >&2
	echo "fuzz.sh: $1_fuzz FAILED (exit $3); input in $4;" \
		"fix it, then add the input to userspace/fuzz/regressions/$1/" >&2
}
run_fuzzer() {	# TARGET ARG...: one run, its output in its log
	local target=$1
	shift
	mkdir -p "$dir/corpus/$target" "$dir/artifacts/$target/"
	echo "fuzz.sh: ${target}_fuzz ${defaults[*]} $* (in $(basename "$run_dir"))"
	"$run_dir/userspace/fuzz/${target}_fuzz" -artifact_prefix="$dir/artifacts/$target/" -print_final_stats=1 \
		"${defaults[@]}" "$@" "$dir/corpus/$target" "$TOP/userspace/fuzz/corpus/$target" \
		>"$run_dir/$target-fuzz.log" 2>&1
}

# The smoke runs side by side, one per core: they are short and fixed in
# time, so make check waits for one instead of each.
declare -A running=()
if [ "$mode" = smoke ]; then
	for target in $targets; do
		run_fuzzer "$target" "$@" &
		running[$target]=$!
	done
fi
for target in $targets; do
	work=$dir/corpus/$target
	artifacts=$dir/artifacts/$target/
	log=$run_dir/$target-fuzz.log
	if [ -n "${running[$target]:-}" ]; then
		wait "${running[$target]}"
	else
		run_fuzzer "$target" "$@"
	fi
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	if [ "$rc" -ne 0 ] && grep -q 'libFuzzer: run interrupted' "$log"; then
		# Stopped by a signal (Ctrl-C): no finding, but not a full run.
		failed=1
		echo "fuzz.sh: ${target}_fuzz interrupted after ${runs:-?} executions (${secs:-?}/s), no finding" >&2
		continue
	elif [ "$rc" -ne 0 ]; then
		finding "$target" "$log" "$rc" "$artifacts"
		continue
	fi
	echo "fuzz.sh: ${target}_fuzz: ${runs:-?} executions (${secs:-?}/s), no finding"
	[ "$mode" = campaign ] || continue
	# What the fast run kept, once more where ASan watches the memory.
	log=$dir/$target-replay.log
	"$dir/userspace/fuzz/${target}_fuzz" -artifact_prefix="$artifacts" -runs=0 \
		"$work" "$TOP/userspace/fuzz/corpus/$target" >"$log" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ]; then
		finding "$target" "$log" "$rc" "$artifacts"
		continue
	fi
	echo "fuzz.sh: ${target}_fuzz: its $(find "$work" -type f | wc -l) kept inputs replayed under ASan+UBSan, no finding"
done

if [ "$failed" = 0 ]; then
	echo "1 0 0" >"$counts"
else
	echo "0 1 0" >"$counts"
	exit 1
fi
