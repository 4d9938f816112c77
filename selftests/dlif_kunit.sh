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

# check_suite NAME CASE...: the suite's KTAP from debugfs, repeated here;
# the suite passed, none of its cases failed or was skipped, and each
# CASE ran.
check_suite() {
	local suite=$1 out name
	shift
	out=$(cat "/sys/kernel/debug/kunit/$suite/results" 2>/dev/null)
	printf '%s\n' "$out" | sed 's/^/# /'
	check_match "$out" "^[[:space:]]*ok [0-9]+ $suite$" "the $suite suite passed"
	check_no_match "$out" "not ok|SKIP" "no $suite case failed or was skipped ($(nproc) CPUs)"
	for name in "$@"; do
		check_match "$out" "ok [0-9]+ $name" "$name ran"
	done
}

test_kunit_suites() {
	[ -d /sys/kernel/debug/kunit ] || { ktap_diag "this kernel has no KUnit"; return $ksft_skip; }
	dlif_load || return 1
	check "the KUnit module loads (and runs its suites)" modprobe dlif_kunit || return 1
	check_suite dlif_table table_matches_model_under_random_operations
	check_suite dlif_lifetime peer_outlives_a_repoint_until_readers_leave \
		entry_outlives_its_deletion_until_readers_leave
	check_suite dlif_binding_lifetime binding_outlives_its_deletion_until_readers_leave \
		primary_binding_outlives_a_rebind_until_readers_leave
	check "its devices went with it" bash -c '! ip -o link show | grep -q dlifk'
	check "unload it" modprobe -r dlif_kunit
}

run_tests test_kunit_suites
