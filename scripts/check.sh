#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: every test step, each leaving "PASSED FAILED SKIPPED" in
# build/results/<step>.counts, then the closing line
# "N passed, N failed[, N skipped]". Exits non-zero if anything failed.
# The Makefile has already installed the dependencies and built the
# module (for every kernel in the arguments) and the userspace tree.
#
# usage: scripts/check.sh [KVER...]

set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
RESULTS=$BUILD/results
export BUILD

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
start=$(date +%s)

# step NAME COMMAND...: run one step; a step that dies without leaving its
# counts behind counts as one failure.
step() {
	local name=$1 t0 rc
	shift
	t0=$(date +%s)
	echo "== $name"
	"$@"
	rc=$?
	if [ ! -f "$RESULTS/$name.counts" ] && ! ls "$RESULTS/$name"-*.counts >/dev/null 2>&1; then
		echo "check.sh: step '$name' left no results (exit status $rc)" >&2
		echo "0 1 0" >"$RESULTS/$name.counts"
	fi
	echo "== $name: $(( $(date +%s) - t0 ))s"
}

# The module's sources and UAPI headers in the kernel's coding style, and
# the kernel's Coccinelle rules over the module (cached by content).
step kernel-style "$TOP/scripts/check-kernel-style.sh"
step coccinelle "$TOP/scripts/check-coccinelle.sh"

# Userspace tests, then the same tests under ASan/UBSan.
step unit-tests "$TOP/scripts/run-unit-tests.sh" "$BUILD/userspace" unit-tests
step unit-tests-asan "$TOP/scripts/sanitized-tests.sh"

# Short runs of the fuzzers and benchmarks, so that they keep working.
[ -x "$TOP/scripts/fuzz.sh" ] && step fuzz "$TOP/scripts/fuzz.sh" --smoke
[ -x "$TOP/scripts/bench.sh" ] && step bench-smoke "$TOP/scripts/bench.sh" --smoke

# Kernel selftests in QEMU on every kernel.
kargs=()
for k in "$@"; do kargs+=(-k "$k"); done
step selftests "$TOP/qemu/run-selftests.sh" "${kargs[@]+"${kargs[@]}"}"

echo "check: $(( $(date +%s) - start ))s in all"
"$TOP/scripts/summary.sh" total "$RESULTS"
