#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The control path when memory runs out: every allocation that adding an
# entry, replacing one, rebinding a DLIF, binding another node to it or
# creating a DLIF reaches is made to fail in
# turn (fail-nth, on a kernel with fault injection: the debug kernel; the
# Debian kernels have none and the cases are skipped). Each failure must
# come back as an error (with the module's extack message where the
# module's own allocation failed) and change nothing; the next attempt
# succeeds. Leaks are kmemleak's to find at the end of the run (qemu/
# guest.sh), as are any WARN or KASAN report.

source "$(dirname "$0")/lib.sh"

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

# request_attempts MODE D0: in one Python process (a process per attempt
# is minutes on the debug kernel), request MODE (add: ENTRY_NEW of
# 2001:db8:a::/64 to peer ::1; replace: ENTRY_SET of it to peer ::9;
# rebind: DEV_SET of D0 from node ...:01 to node ...:02; bind:
# BINDING_NEW of node ...:03 to D0) with its 1st, 2nd, ... allocation
# failing, until an attempt reaches no fault. After each attempt the
# entry, DLIF or binding is read back and the state restored. One line
# per attempt: N OUTCOME STATE REACHED [MESSAGE], STATE being absent,
# peer1 or peer9 (entries), mn1, mn2 or unbound (the DLIF's node),
# unbound or mn3 (the DLIF's bindings other than its node's).
request_attempts() {
	ip netns exec "$NS" python3 - "$SELFTESTS" "$1" "$2" <<-'PY'
	import errno, os, socket, struct, sys
	sys.path.insert(0, sys.argv[1])
	import nlraw
	mode, ifindex = sys.argv[2], int(sys.argv[3])
	def entry(peer_last):
	    a = nlraw.nla(2, socket.inet_pton(socket.AF_INET6, "2001:db8:a::"))
	    a += nlraw.nla(3, b"\x40")
	    if peer_last is not None:
	        a += nlraw.nla(4, b"\x02")
	        a += nlraw.nla(5, socket.inet_pton(socket.AF_INET6, "2001:db8:ff::%x" % peer_last))
	        a += nlraw.nla(7, struct.pack("I", ifindex))
	    return nlraw.nla(1 | nlraw.NLA_F_NESTED, a)
	def dev(mn_last):
	    a = nlraw.nla(1, struct.pack("I", ifindex))
	    if mn_last is not None:
	        a += nlraw.nla(5, bytes([2, 0, 0, 0, 0, mn_last]))
	    return nlraw.nla(2 | nlraw.NLA_F_NESTED, a)
	def binding(mn_last, router=True):
	    a = nlraw.nla(1, struct.pack("I", ifindex))
	    if mn_last is not None:
	        a += nlraw.nla(2, bytes([2, 0, 0, 0, 0, mn_last]))
	    if mn_last is not None and router:
	        a += nlraw.nla(3, bytes([2, 0xaa, 0, 0, 0, mn_last]))
	    return nlraw.nla(3 | nlraw.NLA_F_NESTED, a)
	def call(cmd, attrs, seq, flags=nlraw.NLM_F_REQUEST | nlraw.NLM_F_ACK):
	    nlraw.request(s, fid, flags, cmd, attrs, seq)
	    err, msg, peer = 0, "", None
	    for mtype, flags, body in nlraw.receive(s, seq):
	        if mtype == nlraw.NLMSG_DONE:
	            break
	        if mtype == nlraw.NLMSG_ERROR:
	            err = -struct.unpack_from("=i", body)[0]
	            if err and flags & nlraw.NLM_F_ACK_TLVS:
	                orig = struct.unpack_from("=I", body, 4)[0]
	                off = 4 + (16 if flags & nlraw.NLM_F_CAPPED else (orig + 3) & ~3)
	                for t, v in nlraw.attributes(body[off:]):
	                    if t == nlraw.NLMSGERR_ATTR_MSG:
	                        msg = v.rstrip(b"\0").decode()
	        else:
	            nest = dict(nlraw.attributes(body[4:]))
	            inner = dict(nlraw.attributes(next(iter(nest.values()))))
	            peer = inner.get(2 if mode == "bind" else 5)
	    return err, msg, peer
	s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
	s.setsockopt(270, nlraw.NETLINK_EXT_ACK, 1)
	s.bind((0, 0))
	fid = nlraw.family_id(s)
	fd = os.open("/proc/thread-self/fail-nth", os.O_RDWR)
	# The request, the read-back (ENTRY_GET, DEV_GET: attribute 5 of
	# the reply is the entry's peer, the DLIF's node) and what undoes it.
	if mode == "add":
	    attempt, get, undo = (1, entry(1)), (4, entry(None)), (3, entry(None))
	elif mode == "replace":
	    attempt, get, undo = (2, entry(9)), (4, entry(None)), (2, entry(1))
	elif mode == "rebind":
	    attempt, get, undo = (7, dev(2)), (6, dev(None)), (7, dev(1))
	else:
	    attempt, get, undo = (8, binding(3)), (10, binding(None)), (9, binding(3, router=False))
	    get_flags = nlraw.NLM_F_REQUEST | nlraw.NLM_F_DUMP
	if mode != "bind":
	    get_flags = nlraw.NLM_F_REQUEST | nlraw.NLM_F_ACK
	seq = 10
	for n in range(1, 1000):
	    os.write(fd, str(n).encode())
	    try:
	        err, msg, _ = call(*attempt, seq)
	    except OSError as e:
	        err, msg = e.errno, ""
	    left = int(os.pread(fd, 32, 0).split()[0] or b"0")
	    os.pwrite(fd, b"0", 0)
	    seq += 1
	    gerr, _, value = call(*get, seq, get_flags)
	    seq += 1
	    if mode in ("rebind", "bind"):
	        state = "mn%x" % value[-1] if value else "unbound"
	    else:
	        state = "absent" if gerr else "peer%x" % value[-1]
	    print(n, errno.errorcode.get(err, "ok") if err else "ok", state,
	          "reached" if left == 0 else "not-reached", msg, flush=True)
	    # Back to the state before the attempt.
	    if mode == "bind" and not value:
	        pass
	    elif mode != "add" or not gerr:
	        call(*undo, seq)
	    seq += 1
	    if left:
	        break
	PY
}

# judge_attempts DESCRIPTION ATTEMPTS BEFORE AFTER: every refused attempt
# (ENOMEM from the module) left the state BEFORE; ENOBUFS (from the
# socket layer, which is also what a request that succeeded reports when
# its acknowledgement could not be allocated) left BEFORE or AFTER; every
# success, and the attempt that reached no fault, gave AFTER.
judge_attempts() {
	local desc=$1 out=$2 before=$3 after=$4 bad
	check_match "$(printf '%s\n' "$out" | tail -1)" " ok $after not-reached" \
		"$desc: the attempt that reaches no fault succeeds" || return 1
	bad=$(printf '%s\n' "$out" | awk -v b="$before" -v a="$after" '
		$2 == "ok" && $3 != a { print }
		$2 == "ENOMEM" && $3 != b { print }
		$2 == "ENOBUFS" && $3 != b && $3 != a { print }
		$2 != "ok" && $2 != "ENOMEM" && $2 != "ENOBUFS" { print }')
	check_eq "$bad" "" "$desc: each failed allocation failed the request cleanly"
	ktap_diag "$desc: $(( $(printf '%s\n' "$out" | wc -l) - 1 )) allocations failed in turn;" \
		"$(printf '%s\n' "$out" | awk '$2 == "ENOMEM"' | wc -l) refused with ENOMEM," \
		"$(printf '%s\n' "$out" | awk '$2 == "ENOMEM" && NF > 4' | wc -l) of them with the module's message"
}

test_entry_add_with_each_allocation_failing() {
	dlif_load || return 1
	fault_injection_on || { ktap_diag "no fault injection in this kernel"; return $ksft_skip; }
	setup || return 1
	judge_attempts "add an entry" "$(request_attempts add "$D0")" absent peer1
}

test_entry_replace_with_each_allocation_failing() {
	dlif_load || return 1
	fault_injection_on || { ktap_diag "no fault injection in this kernel"; return $ksft_skip; }
	setup || return 1
	ip netns exec "$NS" "$DLIFCTL" route add 2001:db8:a::/64 role serving peer 2001:db8:ff::1 dev d0 ||
		return 1
	judge_attempts "replace an entry" "$(request_attempts replace "$D0")" peer1 peer9
}

# Rebinding a DLIF to another node (DEV_SET, as dlifd does): a binding
# that cannot be made leaves the DLIF bound to its node as before.
test_dlif_rebind_with_each_allocation_failing() {
	dlif_load || return 1
	fault_injection_on || { ktap_diag "no fault injection in this kernel"; return $ksft_skip; }
	setup || return 1
	ip netns exec "$NS" "$DLIFCTL" dev set d0 mn 02:00:00:00:00:01 || return 1
	judge_attempts "rebind a DLIF" "$(request_attempts rebind "$D0")" mn1 mn2
	check_match "$("$DLIFCTL" -n "$NS" dev show d0)" " mn 02:00:00:00:00:01" \
		"and it is bound to its node after the sweep"
	check_match "$(ip -n "$NS" link show d0)" "peer 02:00:00:00:00:01" "which ip link shows as its peer"
}

# Binding another node to a DLIF (BINDING_NEW): a binding that cannot be
# made leaves none behind, nor its router MAC in the lower device's
# filter (d0 up, so that the sweep fails that addition too).
test_binding_with_each_allocation_failing() {
	dlif_load || return 1
	fault_injection_on || { ktap_diag "no fault injection in this kernel"; return $ksft_skip; }
	setup || return 1
	ip -n "$NS" link set acc up && ip -n "$NS" link set d0 up || return 1
	judge_attempts "bind another node" "$(request_attempts bind "$D0")" unbound mn3
	check_eq "$("$DLIFCTL" -n "$NS" binding show | grep -c .)" 0 "no binding is left after the sweep"
	check_no_match "$(bridge -n "$NS" fdb show dev acc)" "02:aa:00:00:00:03" \
		"nor its router MAC in the lower device's unicast filter"
}

# Creating a DLIF (rtnetlink) with its first DLIF_FAULT_ATTEMPTS (60)
# allocations failing in turn (all of them with 0): no half-made device,
# and the lower device's port stays usable. Registering a netdevice
# allocates a few hundred times, and each failed attempt costs seconds
# of RCU grace periods on the debug kernel: make check covers the first
# 60 (DLIF_FAULT_ATTEMPTS=0 sweeps them all, for a quarter of an hour or
# more). One Python process runs every attempt and prints one line per
# attempt: N OUTCOME EXISTS REACHED.
dlif_creation_attempts() {
	ip netns exec "$NS" python3 - "${DLIF_FAULT_ATTEMPTS:-60}" <<-'PY'
	import errno, os, socket, struct, sys
	limit = int(sys.argv[1]) or 100000
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
	for n in range(1, limit + 1):
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
	case $last in
	*not-reached) check_match "$last" " ok exists not-reached$" \
		"the attempt that reaches no fault creates the DLIF" || return 1 ;;
	*) check_eq "$(printf '%s\n' "$out" | wc -l)" "${DLIF_FAULT_ATTEMPTS:-60}" \
		"every attempt of the budget ran" || return 1 ;;
	esac
	# A DLIF exists after success, or after ENOBUFS (its acknowledgement
	# lost); never after any other error, and never missing after success.
	# Which error the core returns for a failed allocation is its own
	# business (ENOMEM mostly, EINVAL from some helpers).
	bad=$(printf '%s\n' "$out" | awk '
		$2 == "ok" && $3 != "exists" { print }
		$2 != "ok" && $2 != "ENOBUFS" && $3 == "exists" { print }')
	check_eq "$bad" "" "each failed allocation failed the creation cleanly"
	ktap_diag "DLIF creation: the first $(printf '%s\n' "$out" | awk '$4 == "reached"' | wc -l)" \
		"allocations failed in turn, $(printf '%s\n' "$out" | awk '$2 != "ok"' | wc -l) refused" \
		"($(printf '%s\n' "$out" | awk '$2 != "ok" { n[$2]++ } END { for (e in n) printf "%s %d ", e, n[e] }'))" \
		"(the sweep $(case $last in *not-reached) echo "covered them all" ;; *) echo "stopped at its budget" ;; esac))"
	check "the lower device still takes DLIFs" \
		ip -n "$NS" link add link acc name d2 address 02:11:22:33:02:02 type dlif
	check "and the existing one still works" ip netns exec "$NS" "$DLIFCTL" route add \
		2001:db8:b::/64 role serving peer 2001:db8:ff::1 dev d0
}

run_tests \
	test_entry_add_with_each_allocation_failing \
	test_entry_replace_with_each_allocation_failing \
	test_dlif_rebind_with_each_allocation_failing \
	test_binding_with_each_allocation_failing \
	test_dlif_creation_with_each_allocation_failing
