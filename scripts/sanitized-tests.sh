#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the userspace tests with AddressSanitizer and
# UndefinedBehaviorSanitizer (build/userspace-asan) and run them.

set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
dir=$BUILD/userspace-asan

# Debug keeps the assertions; -O1, as the ASan documentation advises,
# because at -O0 the header-only JSON and container code runs the
# simulator's replays some twenty times slower than the plain build.
cmake -S "$TOP" -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
	-DDLIF_SANITIZE=ON -DDLIF_BENCH=OFF \
	>"$BUILD/cmake-asan.log" 2>&1 || { cat "$BUILD/cmake-asan.log"; exit 1; }
cmake --build "$dir" -j "$(nproc)" || exit 1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
exec "$TOP/scripts/run-unit-tests.sh" "$dir" unit-tests-asan
