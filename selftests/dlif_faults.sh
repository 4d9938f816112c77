#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The control path when memory runs out: every allocation that adding an
# entry, replacing one, or creating a DLIF reaches is made to fail in
# turn (fail-nth, on a kernel with fault injection: the debug kernel; the
# Debian kernels have none and the cases are skipped). Each failure must
# come back as an error (with the module's extack message where the
# module's own allocation failed) and change nothing; the next attempt
# succeeds. Leaks are kmemleak's to find at the end of the run (qemu/
# guest.sh), as are any WARN or KASAN report.

source "$(dirname "$0")/lib.sh"

NLRAW="python3 $SELFTESTS/nlraw.py"
FI=/sys/kernel/debug

fault_injection_on() {
	[ -w /proc/self/fail-nth ] && [ -d $FI/failslab ] || return 1
	local f
	for f in $FI/failslab $FI/fail_page_alloc; do
		echo N >"$f/ignore-gfp-wait"
		defer sh -c "echo Y >$f/ignore-gfp-wait"
	done
	echo N >$FI/fail_page_alloc/ignore-gfp-highmem
	echo 0 >$FI/fail_page_alloc/min-order
}

setup() {
	setup_ns NS || return 1
	ip -n "$NS" link add acc type veth peer name acc-peer || return 1
	ip -n "$NS" link add link acc name d0 address 02:11:22:33:01:01 type dlif || return 1
	D0=$(ip netns exec "$NS" cat /sys/class/net/d0/ifindex)
}

raw() { ip netns exec "$NS" $NLRAW "$@"; }
count_entries() { ip netns exec "$NS" "$DLIFCTL" route show | grep -c .; }

# inject_each DESCRIPTION CHECK_FN REQUEST...: run the request with its
# 1st, 2nd, ... allocation failing until one runs without reaching the
# fault; CHECK_FN OUTCOME judges each run and restores the state. OUTCOME
# is "ok", "failed" (the request was refused: nothing may have changed)
# or "unknown": ENOBUFS from the socket layer, which is also what a
# request that succeeded reports when its acknowledgement could not be
# allocated.
inject_each() {
	local desc=$1 check_fn=$2 n out failures=0 messages=0
	shift 2
	for n in $(seq 1 200); do
		out=$(NLRAW_FAIL_NTH=$n raw "$@" 2>&1)
		if [[ "$out" == *"fault not reached"* ]]; then
			check_match "$out" "^ok" "$desc: succeeds once no allocation fails" || return 1
			$check_fn ok || return 1
			ktap_diag "$desc: $((n - 1)) allocations failed in turn, $failures refused" \
				"($messages with the module's message), the rest absorbed"
			return 0
		fi
		if [[ "$out" == *"error "* ]]; then
			failures=$((failures + 1))
			check_match "$out" "^error (ENOMEM|ENOBUFS|EAGAIN)" "$desc: allocation $n fails cleanly" ||
				return 1
			[[ "$out" =~ error\ ENOMEM:\ .+ ]] && messages=$((messages + 1))
			if [[ "$out" == "error ENOBUFS"* ]]; then
				$check_fn unknown || { fail "$desc: allocation $n left a broken state"; return 1; }
			else
				$check_fn failed ||
					{ fail "$desc: allocation $n failed and left a change behind"; return 1; }
			fi
		else
			$check_fn ok || { fail "$desc: allocation $n was absorbed, wrongly"; return 1; }
		fi
	done
	fail "$desc: the request still reaches a fault after 200 allocations"
	return 1
}

# After an add: the entry is there (then removed again) or it is not.
entry_added() {
	case $1 in
	ok) [ "$(count_entries)" = 1 ] || return 1 ;;
	failed) [ "$(count_entries)" = 0 ] || return 1 ;;
	esac
	ip netns exec "$NS" "$DLIFCTL" route del 2001:db8:a::/64 >/dev/null 2>&1
	[ "$(count_entries)" = 0 ]
}

test_entry_add_with_each_allocation_failing() {
	dlif_load || return 1
	fault_injection_on || { ktap_diag "no fault injection in this kernel"; return $ksft_skip; }
	setup || return 1
	inject_each "add an entry" entry_added entry-new entry prefix=in6:2001:db8:a:: \
		prefix_len=u8:64 role=u8:2 peer=in6:2001:db8:ff::1 ifindex=u32:$D0
}

# After a replace: the entry points at the new peer or still the old one.
entry_replaced() {
	local out
	out=$(ip netns exec "$NS" "$DLIFCTL" route show)
	[ "$(printf '%s\n' "$out" | grep -c .)" = 1 ] || return 1
	case $1 in
	ok) printf '%s\n' "$out" | grep -q "peer 2001:db8:ff::9 " || return 1 ;;
	failed) printf '%s\n' "$out" | grep -q "peer 2001:db8:ff::1 " || return 1 ;;
	*) printf '%s\n' "$out" | grep -qE "peer 2001:db8:ff::[19] " || return 1 ;;
	esac
	ip netns exec "$NS" "$DLIFCTL" route replace 2001:db8:a::/64 role serving \
		peer 2001:db8:ff::1 dev d0
}

test_entry_replace_with_each_allocation_failing() {
	dlif_load || return 1
	fault_injection_on || { ktap_diag "no fault injection in this kernel"; return $ksft_skip; }
	setup || return 1
	ip netns exec "$NS" "$DLIFCTL" route add 2001:db8:a::/64 role serving peer 2001:db8:ff::1 dev d0 ||
		return 1
	inject_each "replace an entry" entry_replaced entry-set entry prefix=in6:2001:db8:a:: \
		prefix_len=u8:64 role=u8:2 peer=in6:2001:db8:ff::9 ifindex=u32:$D0
}

# Creating a DLIF (rtnetlink) with each allocation failing: no half-made
# device, and the lower device's port stays usable. One Python process
# runs every attempt (a process per attempt is minutes on the debug
# kernel) and prints one line per attempt: N OUTCOME EXISTS REACHED.
dlif_creation_attempts() {
	ip netns exec "$NS" python3 - <<-'PY'
	import errno, os, socket, struct
	def nla(t, p):
	    return struct.pack("HH", 4 + len(p), t) + p + b"\0" * (-len(p) % 4)
	def request(s, msg_type, flags, body):
	    s.send(struct.pack("IHHII", 16 + len(body), msg_type, flags, 1, 0) + body)
	    data = s.recv(65536)
	    return -struct.unpack_from("i", data, 16)[0]
	link = socket.if_nametoindex("acc")
	info = nla(1, b"dlif\0")                                # IFLA_INFO_KIND
	attrs = nla(3, b"d1\0") + nla(5, struct.pack("I", link)) + nla(18 | 0x8000, info)
	create = struct.pack("BxHiII", 0, 0, 0, 0, 0) + attrs    # ifinfomsg
	s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
	s.bind((0, 0))
	fd = os.open("/proc/thread-self/fail-nth", os.O_RDWR)
	for n in range(1, 1000):
	    os.write(fd, str(n).encode())
	    try:
	        err = request(s, 16, 0x1 | 0x4 | 0x400 | 0x200, create)   # RTM_NEWLINK
	    except OSError as e:
	        err = e.errno
	    left = int(os.pread(fd, 32, 0).split()[0] or b"0")
	    os.pwrite(fd, b"0", 0)
	    try:
	        index = socket.if_nametoindex("d1")
	    except OSError:
	        index = 0
	    print(n, errno.errorcode.get(err, "ok") if err else "ok", "exists" if index else "absent",
	          "reached" if left == 0 else "not-reached", flush=True)
	    if index:
	        request(s, 17, 0x1 | 0x4, struct.pack("BxHiII", 0, 0, index, 0, 0))  # RTM_DELLINK
	    if left:
	        break
	PY
}

test_dlif_creation_with_each_allocation_failing() {
	local out bad last
	dlif_load || return 1
	fault_injection_on || { ktap_diag "no fault injection in this kernel"; return $ksft_skip; }
	setup || return 1
	out=$(dlif_creation_attempts)
	last=$(printf '%s\n' "$out" | tail -1)
	check_match "$last" " ok exists not-reached$" \
		"the attempt that reaches no fault creates the DLIF" || return 1
	# A DLIF exists after success, or after ENOBUFS (its acknowledgement
	# lost); never after any other error, and never missing after success.
	bad=$(printf '%s\n' "$out" | awk '
		$2 == "ok" && $3 != "exists" { print }
		$2 != "ok" && $2 != "ENOBUFS" && $3 == "exists" { print }
		$2 != "ok" && $2 != "ENOBUFS" && $2 != "ENOMEM" { print }')
	check_eq "$bad" "" "each failed allocation failed the creation cleanly"
	ktap_diag "DLIF creation: $(( $(printf '%s\n' "$out" | wc -l) - 1 )) allocations failed in turn," \
		"$(printf '%s\n' "$out" | awk '$2 != "ok"' | wc -l) refused"
	check "the lower device still takes DLIFs" \
		ip -n "$NS" link add link acc name d2 address 02:11:22:33:02:02 type dlif
	check "and the existing one still works" ip netns exec "$NS" "$DLIFCTL" route add \
		2001:db8:b::/64 role serving peer 2001:db8:ff::1 dev d0
}

run_tests \
	test_entry_add_with_each_allocation_failing \
	test_entry_replace_with_each_allocation_failing \
	test_dlif_creation_with_each_allocation_failing
