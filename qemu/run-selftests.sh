#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the kernel selftests (selftests/Makefile TEST_PROGS) inside QEMU, one
# VM boot per test file, on each requested kernel, and record the results
# for the closing "N passed, N failed" line (scripts/summary.sh).
#
# usage: qemu/run-selftests.sh [-k KVER]... [-t TEST]... [-j JOBS]
#   -k KVER   kernel to test on (repeatable; default: every supported one)
#   -t TEST   run only this test file (repeatable; name with or without .sh)
#   -j JOBS   VMs at a time (default: 2, one per host core)
#
# Each test file prints KTAP; its results count one by one. A test file
# that fails without a "not ok" line, a guest panic or hang, or a kernel
# WARN/BUG/oops (or, on the debug kernel, a KASAN, lockdep, RCU or
# kmemleak report) during the run counts as one more failure.
#
# Which files run where, unless -t names them: the debug kernel (KVER
# 6.12-debug) runs the kernel files (DEBUG_TESTS below: the device, the
# data plane, the netlink family, teardown, the stress under traffic,
# KUnit and fault injection, and dlifd's case under fault injection),
# the Debian kernels every file but those
# that need the debug kernel's facilities (DEBUG_ONLY), except that the
# files whose kernel paths the other files run on both kernels (dlifd's
# own checks and scenarios, the walk without a CMD, the partner domain,
# the YNL CLI's view of the family that dlif_netlink drives on both) run
# on one Debian kernel each (ONE_KERNEL); dlifd_roaming, the end-to-end
# path, runs on both. A file may also run a subset of its cases on the
# debug kernel (selftests/lib.sh, DEBUG_CASES). When the debug kernel is
# in the run, the Debian kernel of its version (6.12) leaves those cases
# to it and runs the others (DLIF_DEBUG_LANE_RUNS=1), and does not run a
# kernel file that the debug kernel runs whole (dlif_stress): every case
# of the kernel files still runs on 6.1 and on a 6.12. The (kernel, file)
# pairs are shared out to JOBS VMs at a time.

set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
RESULTS=$BUILD/results
KVERS=()
TESTS=()
JOBS=${SELFTEST_JOBS:-2}
TIMEOUT=${SELFTEST_TIMEOUT:-900}
DEBUG_TESTS="dlif_link.sh dlif_forwarding.sh dlif_netlink.sh dlif_teardown.sh dlif_stress.sh dlif_kunit.sh dlif_faults.sh dlifd_scenarios.sh"
DEBUG_ONLY="dlif_kunit.sh dlif_faults.sh"
# The debug kernel's files that kmemleak judges: the module's error paths
# (fault injection), its teardown and its objects' lifecycles (KUnit).
# The others boot with kmemleak=off: it doubles the cost of every
# allocation there (its own object per allocation, with KASAN's stack
# traces for both), making them 1.4 to 1.8 times slower. The module's own
# objects are checked for leaks in every run on every kernel all the same:
# the run ends by unloading dlif.ko, whose slab caches report what is left
# (qemu/guest.sh).
KMEMLEAK_TESTS="dlif_faults.sh dlif_teardown.sh dlif_kunit.sh"
# Files whose VM needs more than vm.sh's 1 GiB: dlifd_ha's three etcd
# members and five dlifds left 124 MiB available of 990, and a VM that
# pages its binaries back in over 9p on one emulated CPU is slow enough to
# trip the kernel's lockup detectors.
VM_MEM="dlifd_ha.sh=2G"
# Files whose VM needs two vCPUs even when several VMs share the host's
# cores: a packet path and a control path race only when they run at
# once. On one vCPU a reader inside its RCU section is never overtaken by
# a writer, so freeing what it holds without a grace period goes unseen:
# a module that freed an entry's peer at once passed dlif_stress on one
# vCPU, on 6.1 and on the debug kernel; on two, the stock kernels oopsed
# within seconds and dlif_kunit's lifetime probe drew a KASAN report.
# dlif_link changes a shared DLIF's bindings and entries under traffic,
# dlif_teardown removes the module and namespaces with packets in flight.
VM_SMP="dlif_kunit.sh=2 dlif_stress.sh=2 dlif_link.sh=2 dlif_teardown.sh=2"
# Files given a directory that outlives the run (vm.sh --cache, under
# DLIF_CACHE, outside the work tree): dlif_packages' DKMS build compiles
# through ccache there, so that under emulation only a changed source file
# costs a compile.
CACHE_TESTS="dlif_packages.sh"
ONE_KERNEL="dlifd_security.sh=6.1 dlifd_legacy.sh=6.1 dlifd_scenarios.sh=6.1 dlifd_inter_domain.sh=6.1 dlifd_direct.sh=6.12 dlifd_load.sh=6.12 dlifd_ha.sh=6.12 dlifd_ipsec.sh=6.12 bench_smoke.sh=6.12 dlif_ynl.sh=6.12 dlif_packages.sh=6.1"

while getopts k:t:j: opt; do
	case $opt in
	k) KVERS+=("$OPTARG") ;;
	t) TESTS+=("${OPTARG%.sh}.sh") ;;
	j) JOBS=$OPTARG ;;
	*) sed -n '4,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
[ ${#KVERS[@]} -gt 0 ] || read -r -a KVERS <<<"$("$TOP/qemu/kernels.sh" list)"
EXPLICIT=${#TESTS[@]}
if [ "$EXPLICIT" -eq 0 ]; then
	read -r -a TESTS <<<"$(make -s -C "$TOP/selftests" list)"
fi
for t in "${TESTS[@]}"; do
	[ -f "$TOP/selftests/$t" ] || { echo "run-selftests.sh: no test selftests/$t" >&2; exit 2; }
done

# FILE KVER: the file runs on another Debian kernel only (ONE_KERNEL), and
# that kernel is in this run.
one_kernel_skips() {
	local pair k
	for pair in $ONE_KERNEL; do
		[ "${pair%%=*}" = "$1" ] || continue
		[ "${pair#*=}" = "$2" ] && return 1
		for k in "${KVERS[@]}"; do
			[ "$k" = "${pair#*=}" ] && return 0
		done
	done
	return 1
}

# KVER: a Debian kernel of the version that the debug kernel in this run
# was built from (the same major and minor), so that the debug kernel's
# lane stands for it in the cases it runs.
debug_lane_covers() {
	local k debug=
	[ "$1" = 6.12-debug ] && return 1
	for k in "${KVERS[@]}"; do
		[ "$k" = 6.12-debug ] && debug=$("$TOP/qemu/kernels.sh" release "$k")
	done
	[ -n "$debug" ] || return 1
	[ "$(major_minor "$("$TOP/qemu/kernels.sh" release "$1")")" = "$(major_minor "$debug")" ]
}

major_minor() {
	local IFS=.-
	# shellcheck disable=SC2086
	set -- $1
	echo "$1.$2"
}

# FILE: names the cases that the debug kernel runs (selftests/lib.sh); a
# file of DEBUG_TESTS without them runs every case there.
has_debug_cases() {
	grep -q '^DEBUG_CASES=' "$TOP/selftests/$1"
}

# The files to run on one kernel (see the top of this file).
tests_for() {
	local kver=$1 t covered=0
	debug_lane_covers "$kver" && covered=1
	for t in "${TESTS[@]}"; do
		if [ "$kver" = 6.12-debug ]; then
			{ [ "$EXPLICIT" -gt 0 ] || [[ " $DEBUG_TESTS " == *" $t "* ]]; } && echo "$t"
		elif [ "$covered" = 1 ] && [[ " $DEBUG_TESTS " == *" $t "* ]] && ! has_debug_cases "$t"; then
			continue	# every case of it runs on the debug kernel
		elif [ "$EXPLICIT" -gt 0 ]; then
			echo "$t"
		elif [[ " $DEBUG_ONLY " != *" $t "* ]]; then
			one_kernel_skips "$t" "$kver" || echo "$t"
		fi
	done
}

# The VMs share two host cores: give each one vCPU when several run at
# once, but two to the files of VM_SMP.
njobs=0
for k in "${KVERS[@]}"; do
	njobs=$(( njobs + $(tests_for "$k" | wc -l) ))
done
[ "$JOBS" -le "$njobs" ] || JOBS=$njobs
smp=2
[ "$JOBS" -gt 1 ] && smp=1
stream=0
[ ${#KVERS[@]} -eq 1 ] && [ ${#TESTS[@]} -eq 1 ] && stream=1

# file_setting "FILE=VALUE ..." FILE DEFAULT: FILE's value in the list
# (VM_MEM, VM_SMP), or DEFAULT.
file_setting() {
	local pair
	for pair in $1; do
		[ "${pair%%=*}" = "$2" ] && { echo "${pair#*=}"; return; }
	done
	echo "$3"
}

# run_one KVER TEST: one test file in one VM; its counts in the kernel's
# results directory.
run_one() {
	local kver=$1 t=$2 krel dir log out rc p f s start secs timeout=$TIMEOUT mem cpus env=()
	mem=$(file_setting "$VM_MEM" "$t" 1G)
	cpus=$(file_setting "$VM_SMP" "$t" "$smp")
	debug_lane_covers "$kver" && [[ " $DEBUG_TESTS " == *" $t "* ]] &&
		env=(-e DLIF_DEBUG_LANE_RUNS=1)
	[ "$kver" = 6.12-debug ] && [[ " $KMEMLEAK_TESTS " != *" $t "* ]] &&
		env+=(--append kmemleak=off)
	[[ " $CACHE_TESTS " == *" $t "* ]] &&
		env+=(--cache "${DLIF_CACHE:-/var/cache/dlif}/vm/${t%.sh}")
	# The debug kernel is about eight times slower under emulation.
	[ "$kver" = 6.12-debug ] && timeout=$((TIMEOUT * 3))
	krel=$("$TOP/qemu/kernels.sh" release "$kver") || return 1
	dir=$RESULTS/selftests/$krel
	log=$dir/${t%.sh}.log
	out=$dir/${t%.sh}.ktap
	start=$(date +%s)
	if [ "$stream" = 1 ]; then
		"$TOP/qemu/vm.sh" -k "$kver" --smp "$cpus" --mem "$mem" -t "$timeout" --output "$out" \
			"${env[@]+"${env[@]}"}" -- "selftests/$t" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
	else
		"$TOP/qemu/vm.sh" -k "$kver" --smp "$cpus" --mem "$mem" -t "$timeout" --output "$out" --quiet \
			"${env[@]+"${env[@]}"}" -- "selftests/$t" >"$log" 2>&1
		rc=$?
	fi
	secs=$(( $(date +%s) - start ))
	read -r p f s <<<"$("$TOP/scripts/summary.sh" ktap "$out")"
	case $rc in
	0) ;;
	4) [ $((p + f + s)) -eq 0 ] && s=$((s + 1)) ;;
	3) f=$((f + 1)) ;;	# the VM judged the kernel log, or crashed or hung
	*) [ "$f" -eq 0 ] && f=$((f + 1)) ;;
	esac
	echo "$p $f $s" >"$dir/${t%.sh}.counts"
	if [ "$f" -gt 0 ]; then
		printf 'selftests: %s %s: FAIL (%d passed, %d failed, %d skipped; %ds) log: %s\n' \
			"$krel" "$t" "$p" "$f" "$s" "$secs" "$log"
		if [ "$stream" = 0 ]; then
			grep -E -B8 '^not ok' "$out" | grep -v '^#   ' | head -40 | sed 's/^/    /'
			grep -A30 'vm.sh: FAIL' "$log" | head -40 | sed 's/^/    /'
		fi
	else
		printf 'selftests: %s %s: ok (%d passed, %d skipped; %ds)\n' "$krel" "$t" "$p" "$s" "$secs"
	fi
}

# Every (kernel, file) pair is a job; JOBS workers take them from one
# queue, the debug kernel's first (they are the longest), so that the
# cores stay busy until the end whichever kernel is slow.
for k in "${KVERS[@]}"; do
	krel=$("$TOP/qemu/kernels.sh" release "$k") || exit 2
	rm -rf "$RESULTS/selftests/$krel"
	mkdir -p "$RESULTS/selftests/$krel"
done
QUEUE=$(mktemp -d)
trap 'rm -rf "$QUEUE"' EXIT
for k in "${KVERS[@]}"; do
	[ "$k" = 6.12-debug ] && for t in $(tests_for "$k"); do echo "$k $t"; done
done >"$QUEUE/jobs"
for k in "${KVERS[@]}"; do
	[ "$k" = 6.12-debug ] || for t in $(tests_for "$k"); do echo "$k $t"; done
done >>"$QUEUE/jobs"

next_job() {	# the first job of the queue, taken off it
	(
		flock 9
		head -n 1 "$QUEUE/jobs"
		sed -i 1d "$QUEUE/jobs"
	) 9>"$QUEUE/lock"
}

worker() {
	local job
	while job=$(next_job) && [ -n "$job" ]; do
		# shellcheck disable=SC2086
		run_one $job
	done
}

[ "$JOBS" -ge 1 ] || JOBS=1
pids=()
for ((i = 0; i < JOBS; i++)); do
	worker &
	pids+=($!)
done
for pid in "${pids[@]}"; do
	wait "$pid"
done

# One counts file per kernel for the closing line.
mkdir -p "$RESULTS"
status=0
for k in "${KVERS[@]}"; do
	krel=$("$TOP/qemu/kernels.sh" release "$k")
	cat "$RESULTS/selftests/$krel"/*.counts 2>/dev/null |
		awk '{ p += $1; f += $2; s += $3 } END { printf "%d %d %d\n", p, f, s }' \
		>"$RESULTS/selftests-$krel.counts"
	read -r p f s <"$RESULTS/selftests-$krel.counts"
	[ "$f" -eq 0 ] && [ "$p" -gt 0 ] || status=1
done
exit $status
