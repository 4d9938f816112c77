#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module's KUnit suites, where the kernel has KUnit (the debug kernel;
# the Debian kernels have none, and the case is skipped there):
# kmod/table_kunit.c tests the prefix table against a reference model;
# kmod/lifetime_kunit.c holds what a packet path found (a table entry and
# its peer, a node's binding) while a writer on another CPU re-points or
# deletes it. Loading dlif_kunit.ko runs them; their KTAP results are read
# back from debugfs and repeated here. The lifetime suites need two CPUs:
# on one they are skipped, and this file fails (qemu/run-selftests.sh
# gives it two).

source "$(dirname "$0")/lib.sh"

# suite_results NAME: the suite's KTAP from debugfs.
suite_results() { cat "/sys/kernel/debug/kunit/$1/results" 2>/dev/null; }

test_kunit_suites() {
	local out
	[ -d /sys/kernel/debug/kunit ] || { ktap_diag "this kernel has no KUnit"; return $ksft_skip; }
	dlif_load || return 1
	check "the KUnit module loads (and runs its suites)" modprobe dlif_kunit || return 1
	out=$(suite_results dlif_table)
	printf '%s\n' "$out" | sed 's/^/# /'
	check_match "$out" "^[[:space:]]*ok [0-9]+ dlif_table$" "the dlif_table suite passed"
	check_no_match "$out" "not ok" "no case failed"
	check_match "$out" "ok [0-9]+ table_matches_model_under_random_operations" "the model test ran"
	out=$(suite_results dlif_lifetime)
	printf '%s\n' "$out" | sed 's/^/# /'
	check_match "$out" "^[[:space:]]*ok [0-9]+ dlif_lifetime$" "the dlif_lifetime suite passed"
	check_no_match "$out" "not ok|SKIP" "no lifetime case failed or was skipped ($(nproc) CPUs)"
	check_match "$out" "ok [0-9]+ peer_outlives_a_repoint_until_readers_leave" "the re-point probe ran"
	check_match "$out" "ok [0-9]+ entry_outlives_its_deletion_until_readers_leave" "the deletion probe ran"
	out=$(suite_results dlif_binding_lifetime)
	printf '%s\n' "$out" | sed 's/^/# /'
	check_match "$out" "^[[:space:]]*ok [0-9]+ dlif_binding_lifetime$" "the dlif_binding_lifetime suite passed"
	check_no_match "$out" "not ok|SKIP" "no binding lifetime case failed or was skipped"
	check_match "$out" "ok [0-9]+ binding_outlives_its_deletion_until_readers_leave" \
		"the binding deletion probe ran"
	check_match "$out" "ok [0-9]+ primary_binding_outlives_a_rebind_until_readers_leave" \
		"the rebind probe ran"
	check "its devices went with it" bash -c '! ip -o link show | grep -q dlifk'
	check "unload it" modprobe -r dlif_kunit
}

run_tests test_kunit_suites
