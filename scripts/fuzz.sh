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
# usage: scripts/fuzz.sh --smoke           40 s per target (make check)
#        scripts/fuzz.sh [LIBFUZZER_ARG...] default -max_total_time=600;
#                                           e.g. -runs=10000000 or -jobs=2

set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
dir=$BUILD/fuzz
results=$BUILD/results
counts=$results/fuzz.counts
mkdir -p "$results"

smoke=0
if [ "${1:-}" = --smoke ]; then
	smoke=1
	shift
fi

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

CC=clang CXX=clang++ cmake -S "$TOP" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DDLIF_FUZZ=ON -DDLIF_SANITIZE=ON -DDLIF_BENCH=OFF >"$BUILD/cmake-fuzz.log" 2>&1 ||
	{ cat "$BUILD/cmake-fuzz.log" >&2; fail "configuring $dir failed"; }
cmake --build "$dir" --target mh_fuzz cores_fuzz -j "$(nproc)" >"$BUILD/build-fuzz.log" 2>&1 ||
	{ tail -50 "$BUILD/build-fuzz.log" >&2; fail "building the fuzzer failed"; }

# A bounded run by default; arguments of the caller come last and win.
if [ "$smoke" = 1 ]; then
	defaults=(-max_total_time=40)
elif printf '%s\n' "$@" | grep -qE '^-(runs|max_total_time)='; then
	defaults=()
else
	defaults=(-max_total_time=600)
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
for target in mh cores; do
	work=$dir/corpus/$target
	artifacts=$dir/artifacts/$target/
	mkdir -p "$work" "$artifacts"
	log=$dir/$target-fuzz.log
	echo "fuzz.sh: ${target}_fuzz ${defaults[*]} $*"
	"$dir/userspace/fuzz/${target}_fuzz" -artifact_prefix="$artifacts" -print_final_stats=1 \
		"${defaults[@]}" "$@" "$work" "$TOP/userspace/fuzz/corpus/$target" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	if [ "$rc" -ne 0 ]; then
		failed=1
		tail -40 "$log" >&2
		echo "fuzz.sh: ${target}_fuzz FAILED (exit $rc); input in $artifacts;" \
			"fix it, then add the input to userspace/fuzz/regressions/$target/" >&2
	else
		echo "fuzz.sh: ${target}_fuzz: ${runs:-?} executions (${secs:-?}/s), no finding"
	fi
done

if [ "$failed" = 0 ]; then
	echo "1 0 0" >"$counts"
else
	echo "0 1 0" >"$counts"
	exit 1
fi
