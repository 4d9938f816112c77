#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module's KUnit suites (kmod/table_kunit.c: the prefix table against
# a reference model), where the kernel has KUnit (the debug kernel; the
# Debian kernels have none, and the case is skipped there). Loading
# dlif_kunit.ko runs them; their KTAP results are read back from debugfs
# and repeated here.

source "$(dirname "$0")/lib.sh"

test_table_kunit_suite() {
	local results=/sys/kernel/debug/kunit/dlif_table/results out
	[ -d /sys/kernel/debug/kunit ] || { ktap_diag "this kernel has no KUnit"; return $ksft_skip; }
	dlif_load || return 1
	check "the KUnit module loads (and runs its suites)" modprobe dlif_kunit || return 1
	out=$(cat "$results" 2>/dev/null)
	printf '%s\n' "$out" | sed 's/^/# /'
	check_match "$out" "^[[:space:]]*ok [0-9]+ dlif_table$" "the dlif_table suite passed"
	check_no_match "$out" "not ok" "no case failed"
	check_match "$out" "ok [0-9]+ table_matches_model_under_random_operations" "the model test ran"
	check "unload it" modprobe -r dlif_kunit
}

run_tests test_table_kunit_suite
