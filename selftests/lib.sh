#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for the dlif selftests, in the kselftest style: network
# namespace set-up with guaranteed cleanup, waiting helpers, assertions
# and KTAP output. A test file lists its cases and calls run_tests:
#
#	source "$(dirname "$0")/lib.sh"
#	test_something() { ...; check_eq "$a" "$b" "a equals b"; }
#	run_tests test_something ...
#
# Each case runs in a subshell; it fails when it returns non-zero or when
# an assertion failed, and is skipped when it returns $ksft_skip (4).

set -u

ksft_pass=0
ksft_fail=1
ksft_skip=4

SELFTESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DLIF_SRC=${DLIF_SRC:-$(cd "$SELFTESTS/.." && pwd)}
DLIF_BUILD=${DLIF_BUILD:-$DLIF_SRC/build}
DLIFCTL=${DLIFCTL:-$DLIF_BUILD/userspace/userspace/cli/dlifctl}

NS_LIST=()
CLEANUP_CMDS=()

# ---------------------------------------------------------------- KTAP

ktap_diag() { echo "# $*"; }

_ktap_count=0
_ktap_failed=0

_ktap_result() {	# status name [directive]
	_ktap_count=$((_ktap_count + 1))
	case $1 in
	pass) echo "ok $_ktap_count $2" ;;
	skip) echo "ok $_ktap_count $2 # SKIP ${3:-}" ;;
	*)    echo "not ok $_ktap_count $2"; _ktap_failed=$((_ktap_failed + 1)) ;;
	esac
}

# ---------------------------------------------------------- assertions
# Assertions report and record a failure but let the case go on, so one
# run shows every broken expectation of a case.

_case_failed=0

fail() {
	ktap_diag "FAIL: $*"
	_case_failed=1
}

# Where a slow case's time goes: a check reached SLOW_CHECK_S or more
# after the one before it (or the case's start) says how long that was.
SLOW_CHECK_S=${SLOW_CHECK_S:-15}
_last_check=$SECONDS
check() {	# description command...
	local desc=$1 rc=0
	shift
	"$@" >/dev/null 2>&1 || rc=$?
	[ $((SECONDS - _last_check)) -ge "$SLOW_CHECK_S" ] &&
		ktap_diag "$((SECONDS - _last_check)) s up to: $desc"
	_last_check=$SECONDS
	if [ "$rc" != 0 ]; then
		fail "$desc (command: $*)"
		return 1
	fi
}

check_fails() {	# description command...: the command must fail
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		fail "$desc (unexpectedly succeeded: $*)"
		return 1
	fi
}

check_eq() {	# actual expected description
	if [ "$1" != "$2" ]; then
		fail "$3: got '$1', expected '$2'"
		return 1
	fi
}

check_match() {	# text extended-regex description
	if ! printf '%s\n' "$1" | grep -Eq -- "$2"; then
		fail "$3: '$2' not found in:"
		printf '%s\n' "$1" | sed 's/^/#   /'
		return 1
	fi
}

check_no_match() {	# text extended-regex description
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		fail "$3: '$2' unexpectedly found in:"
		printf '%s\n' "$1" | sed 's/^/#   /'
		return 1
	fi
}

# check_error "description" "expected message regex" command...: the
# command must fail and print the expected error (e.g. a kernel extack).
check_error() {
	local desc=$1 re=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		fail "$desc (unexpectedly succeeded: $*)"
		return 1
	fi
	check_match "$out" "$re" "$desc: error message"
}

# ------------------------------------------------------------- waiting

# nap SECONDS: sleep without a process. Under emulation starting one
# costs 40 ms of the VM's only CPU (/bin/true, measured); read's timeout
# on a pipe that nobody writes to costs nothing while it waits.
exec {_NAP_FD}<> <(:)
nap() { read -r -t "$1" -u "$_NAP_FD" _ || :; }

# busywait TIMEOUT_MS command...: retry until the command succeeds.
# Under emulation a check costs 0.1 s of CPU (dlifctl) to 2 s (dlifctl
# and python3 over hundreds of bindings), and the VM has one CPU: the
# pause between checks grows from 0.1 s to 0.5 s, and is at least twice
# what the last check took, so that polling never takes more than a
# third of the CPU from the daemons it waits for.
busywait() {
	local timeout_us=$(($1 * 1000)) start before now pause=100 nap_ms nap_s
	shift
	start=${EPOCHREALTIME/./}
	while true; do
		before=${EPOCHREALTIME/./}
		"$@" >/dev/null 2>&1 && return 0
		now=${EPOCHREALTIME/./}
		[ $((now - start)) -ge "$timeout_us" ] && return 1
		nap_ms=$(( (now - before) / 500 ))	# twice the check
		[ "$nap_ms" -ge "$pause" ] || nap_ms=$pause
		printf -v nap_s '%d.%03d' $((nap_ms / 1000)) $((nap_ms % 1000))
		nap "$nap_s"
		pause=$((pause * 3 / 2 > 500 ? 500 : pause * 3 / 2))
	done
}

# ------------------------------------------------ namespaces and cleanup

# A diagnostic that reaches the KTAP output even from inside check and
# busywait, which silence their commands' output.
exec {KTAP_FD}>&1
ktap_diag_always() { ktap_diag "$@" >&"$KTAP_FD"; }

# The chain of callers, "function:line ...", for a diagnostic.
callers() {
	local i where=""
	for ((i = 2; i < ${#FUNCNAME[@]}; i++)); do
		where+="${where:+ }${FUNCNAME[$i]}:${BASH_LINENO[$((i - 1))]}"
	done
	echo "$where"
}

# setup_ns VAR...: create one network namespace per VAR (unique name,
# loopback up, IPv6 DAD off) and store its name in VAR. Few processes:
# on the debug kernel under emulation each exec costs about half a second.
setup_ns() {
	local var name names=() inherit=0
	# qemu/guest.sh lets new namespaces inherit DAD off from the VM's own.
	[ "$(</proc/sys/net/core/devconf_inherit_init_net)" = 1 ] &&
		[ "$(</proc/sys/net/ipv6/conf/all/accept_dad)" = 0 ] &&
		[ "$(</proc/sys/net/ipv6/conf/default/accept_dad)" = 0 ] && inherit=1
	for var in "$@"; do
		printf -v name '%s-%08x' "$var" "$SRANDOM"
		names+=("$name")
		NS_LIST+=("$name")
		printf -v "$var" '%s' "$name"
	done
	printf 'netns add %s\n' "${names[@]}" | ip -batch - || return 1
	for name in "${names[@]}"; do
		ip -n "$name" link set lo up || return 1
		[ "$inherit" = 1 ] && continue
		ip netns exec "$name" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0
	done
}

# nsbatch NS: the ip commands on stdin, one per line, in namespace NS with
# one process; stops at the first that fails (and fails).
nsbatch() {
	ip -n "$1" -batch -
}

# defer command...: run at cleanup, in reverse order.
defer() {
	CLEANUP_CMDS+=("$(printf '%q ' "$@")")
}

cleanup_all() {
	local i ns left
	for ((i = ${#CLEANUP_CMDS[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUP_CMDS[$i]}" >/dev/null 2>&1
	done
	CLEANUP_CMDS=()
	# What the case started in the background and is still running goes
	# now, stopped or not by the commands above (an etcd member in its
	# graceful shutdown, say): each holds KTAP_FD, a copy of the output,
	# and the VM's tee (qemu/guest.sh) waits for every writer to close it
	# before the run can end. Disowned first, so that bash does not
	# report each as "Killed" on the test's output.
	left=$(jobs -p)
	if [ -n "$left" ]; then
		disown -a
		kill -KILL $left >/dev/null 2>&1
	fi
	for ns in "${NS_LIST[@]+"${NS_LIST[@]}"}"; do
		ip netns del "$ns" >/dev/null 2>&1
	done
	NS_LIST=()
}

# ------------------------------------------------------------- modules

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || { ktap_diag "SKIP: $c not installed"; return $ksft_skip; }
	done
}

# The build ID of the loaded dlif module (from its ELF note in sysfs).
dlif_loaded_build_id() {
	local note=/sys/module/dlif/notes/.note.gnu.build-id
	[ -r "$note" ] || return 1
	# Note header: namesz, descsz, type (4 bytes each), then "GNU\0".
	od -An -v -tx1 -j16 "$note" | tr -d ' \n'
}

# The module loaded must be the one this run was built with: the VM runner
# exports the build ID of the dlif.ko it installed.
check_module_fresh() {
	local loaded
	loaded=$(dlif_loaded_build_id)
	if [ -z "${DLIF_BUILD_ID:-}" ] || [ "$loaded" != "$DLIF_BUILD_ID" ]; then
		fail "loaded dlif build ID '$loaded' is not the freshly built '${DLIF_BUILD_ID:-}'"
		return 1
	fi
}

dlif_load() {
	modprobe dlif || { fail "modprobe dlif"; return 1; }
	check_module_fresh
}

# The selftests' debug kernel (qemu/debug-kernel.sh: KASAN, lockdep, ...),
# several times slower than the Debian kernels under emulation.
debug_kernel() {
	[[ "$(uname -r)" == *-dlif-* ]]
}

# udp_flood NS DST PORT: send small datagrams as fast as possible, until
# stop_floods or the end of the case.
FLOOD_PIDS=()
udp_flood() {
	ip netns exec "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
dst = (sys.argv[1], int(sys.argv[2]))
payload = bytes(18)
while True:
    try:
        s.sendto(payload, dst)
    except OSError:
        pass
' "$2" "$3" &
	FLOOD_PIDS+=($!)
	defer kill $!
}

stop_floods() {
	kill "${FLOOD_PIDS[@]}" 2>/dev/null
	FLOOD_PIDS=()
}

dlif_unload() {
	modprobe -r dlif
}

dlifctl() {
	"$DLIFCTL" "$@"
}

# -------------------------------------------------------------- runner

# A file may name, in DEBUG_CASES, the cases the debug kernel runs: under
# emulation it is about ten times slower, so it runs the cases whose paths
# its checkers (KASAN, lockdep, RCU, kmemleak) must see, and the Debian
# kernels run every case. DEBUG_ALL_CASES=1 runs them all on it.
debug_skips() {	# CASE: true when the debug kernel leaves it to the others
	[ -n "${DEBUG_CASES+set}" ] && [ "${DEBUG_ALL_CASES:-0}" != 1 ] && debug_kernel &&
		[[ " ${DEBUG_CASES[*]} " != *" $1 "* ]]
}

# DLIF_DEBUG_LANE_RUNS=1 says that the same run boots the debug kernel,
# built from the same kernel version as this one, and that it runs this
# file's DEBUG_CASES: this kernel runs the other cases (qemu/run-selftests.sh).
debug_lane_runs() {	# CASE: true when the debug kernel runs it in this run
	[ "${DLIF_DEBUG_LANE_RUNS:-0}" = 1 ] && ! debug_kernel &&
		[ -n "${DEBUG_CASES+set}" ] && [[ " ${DEBUG_CASES[*]} " == *" $1 "* ]]
}

run_tests() {
	local t rc
	echo "KTAP version 1"
	echo "1..$#"
	for t in "$@"; do
		local start=$SECONDS
		if [ -n "${DLIF_CASES:-}" ] && [[ " $DLIF_CASES " != *" ${t#test_} "* ]]; then
			_ktap_result skip "${t#test_}" "not selected (DLIF_CASES)"
			continue
		fi
		if debug_skips "$t"; then
			_ktap_result skip "${t#test_}" "not on the debug kernel (DEBUG_CASES)"
			continue
		fi
		if debug_lane_runs "$t"; then
			_ktap_result skip "${t#test_}" "on the debug kernel of this version (DEBUG_CASES)"
			continue
		fi
		(
			_case_failed=0
			_last_check=$SECONDS
			KTAP_CASE=${t#test_}
			trap cleanup_all EXIT
			"$t"
			rc=$?
			[ "$rc" = "$ksft_skip" ] && exit "$ksft_skip"
			[ "$rc" = 0 ] && [ "$_case_failed" = 0 ] && exit 0
			exit 1
		)
		rc=$?
		case $rc in
		0) _ktap_result pass "${t#test_}" ;;
		"$ksft_skip") _ktap_result skip "${t#test_}" ;;
		*) _ktap_result fail "${t#test_}" ;;
		esac
		# Where a file's time goes (the debug kernel's budget is set by it).
		ktap_diag "${t#test_}: $((SECONDS - start)) s"
	done
	ktap_diag "totals: $_ktap_count cases, $_ktap_failed failed"
	[ "$_ktap_failed" = 0 ]
	exit $?
}
