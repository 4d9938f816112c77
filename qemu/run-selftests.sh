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
#   -j JOBS   kernels tested in parallel (default: 2; one VM per kernel)
#
# Each test file prints KTAP; its results count one by one. A test file
# that fails without a "not ok" line, a guest panic or hang, or a kernel
# WARN/BUG/oops during the run counts as one more failure.

set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
RESULTS=$BUILD/results
KVERS=()
TESTS=()
JOBS=${SELFTEST_JOBS:-2}
TIMEOUT=${SELFTEST_TIMEOUT:-900}

while getopts k:t:j: opt; do
	case $opt in
	k) KVERS+=("$OPTARG") ;;
	t) TESTS+=("${OPTARG%.sh}.sh") ;;
	j) JOBS=$OPTARG ;;
	*) sed -n '4,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
[ ${#KVERS[@]} -gt 0 ] || read -r -a KVERS <<<"$("$TOP/qemu/kernels.sh" list)"
if [ ${#TESTS[@]} -eq 0 ]; then
	read -r -a TESTS <<<"$(make -s -C "$TOP/selftests" list)"
fi
for t in "${TESTS[@]}"; do
	[ -f "$TOP/selftests/$t" ] || { echo "run-selftests.sh: no test selftests/$t" >&2; exit 2; }
done

# The VMs share two host cores: give each one vCPU when several run at once.
smp=2
[ "$JOBS" -gt 1 ] && [ ${#KVERS[@]} -gt 1 ] && smp=1
stream=0
[ ${#KVERS[@]} -eq 1 ] && [ ${#TESTS[@]} -eq 1 ] && stream=1

run_kernel() {
	local kver=$1 krel dir t log out rc p f s start secs
	krel=$("$TOP/qemu/kernels.sh" release "$kver") || return 1
	dir=$RESULTS/selftests/$krel
	rm -rf "$dir"
	mkdir -p "$dir"
	for t in "${TESTS[@]}"; do
		log=$dir/${t%.sh}.log
		out=$dir/${t%.sh}.ktap
		start=$(date +%s)
		if [ "$stream" = 1 ]; then
			"$TOP/qemu/vm.sh" -k "$kver" --smp "$smp" -t "$TIMEOUT" --output "$out" \
				-- "selftests/$t" 2>&1 | tee "$log"
			rc=${PIPESTATUS[0]}
		else
			"$TOP/qemu/vm.sh" -k "$kver" --smp "$smp" -t "$TIMEOUT" --output "$out" --quiet \
				-- "selftests/$t" >"$log" 2>&1
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
	done
}

pids=()
for k in "${KVERS[@]}"; do
	if [ "$JOBS" -gt 1 ]; then
		run_kernel "$k" &
		pids+=($!)
	else
		run_kernel "$k"
	fi
done
for pid in "${pids[@]+"${pids[@]}"}"; do
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
