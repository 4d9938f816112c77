#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the userspace test suites (ctest) of one CMake build tree and record
# the counts for scripts/summary.sh.
#
# usage: scripts/run-unit-tests.sh [BUILD_DIR [RESULT_NAME]]

set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
dir=${1:-$BUILD/userspace}
name=${2:-unit-tests}
results=$BUILD/results
mkdir -p "$results"

junit=$results/$name.xml
rm -f "$junit"
ctest --test-dir "$dir" --output-on-failure --output-junit "$junit" -j "$(nproc)"
rc=$?
"$TOP/scripts/summary.sh" junit "$junit" >"$results/$name.counts" ||
	echo "0 1 0" >"$results/$name.counts"
exit $rc
