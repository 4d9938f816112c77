#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The data plane while the control plane changes it: what every handover
# does at the anchor and at the serving MAAR. Entries are re-pointed
# (ENTRY_SET), deleted and re-added in a tight loop for STRESS_SECONDS
# (default 30) while UDP floods both ways and a TCP transfer run through
# them; afterwards the traffic recovers. The VM runner fails the run on
# any WARN, oops, KASAN, lockdep or RCU report (the debug kernel has
# them all). Before the RCU lifetime fix of the entries' peers this test
# panicked the kernel within seconds (NULL dereference in
# dlif_tunnel_xmit). The races need two CPUs, one in the packet path
# while the other changes the table: on one vCPU a peer freed without a
# grace period went unseen, on two the stock kernels oopsed in seconds
# (qemu/run-selftests.sh gives this file two).

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dmm_topo.sh"

STRESS_SECONDS=${STRESS_SECONDS:-30}
OTHER_PEER=$ROGUE_CORE	# a real node of the core that is no MAAR

# udp_sink NS PORT FILE: count datagrams received (FILE holds the count).
udp_sink() {
	ip netns exec "$1" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", int(sys.argv[1])))
s.settimeout(0.5)
n, last = 0, 0.0
while True:
    try:
        s.recv(2048)
        n += 1
    except socket.timeout:
        pass
    now = time.monotonic()
    if now - last > 0.2:
        open(sys.argv[2] + ".tmp", "w").write(str(n))
        import os; os.replace(sys.argv[2] + ".tmp", sys.argv[2])
        last = now
' "$2" "$3" &
	defer kill $!
}

# tcp_stream FROM_NS TO_NS TO_ADDR FILE: a TCP transfer that keeps going;
# FILE holds the bytes received so far.
tcp_stream() {
	ip netns exec "$2" python3 -c '
import os, socket, sys, time
srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("::", 5201)); srv.listen(4)
total, last = 0, 0.0
while True:
    c, _ = srv.accept()
    c.settimeout(1.0)
    while True:
        try:
            b = c.recv(65536)
        except socket.timeout:
            b = b"-"
        except OSError:
            break
        if not b:
            break
        if b != b"-":
            total += len(b)
        now = time.monotonic()
        if now - last > 0.2:
            open(sys.argv[1] + ".tmp", "w").write(str(total))
            os.replace(sys.argv[1] + ".tmp", sys.argv[1])
            last = now
' "$4" &
	defer kill $!
	sleep 1
	ip netns exec "$1" python3 -c '
import socket, sys, time
buf = bytes(16384)
while True:
    try:
        c = socket.create_connection((sys.argv[1], 5201), timeout=5)
        c.settimeout(None)
        while True:
            c.sendall(buf)
    except OSError:
        time.sleep(0.2)
' "$3" &
	defer kill $!
}

count_of() { cat "$1" 2>/dev/null || echo 0; }
grows() {	# FILE [SECONDS]: the count grows within SECONDS (default 20)
	local before
	before=$(count_of "$1")
	busywait $(( ${2:-20} * 1000 )) count_above "$1" "$before"
}
count_above() { [ "$(count_of "$1")" -gt "$2" ]; }

# churn NS FILE: run the batch FILE of dlifctl commands until the time is up.
churn() {
	local ns=$1 file=$2 end=$(( $(date +%s) + STRESS_SECONDS )) rounds=0
	while [ "$(date +%s)" -lt "$end" ]; do
		ip netns exec "$ns" "$DLIFCTL" -batch "$file" >/dev/null 2>&1
		rounds=$((rounds + 1))
	done
	echo "$rounds"
}

# A batch that moves PREFIX between the right peer and another, deletes
# and re-adds it, BATCH_ROUNDS times over: one dlifctl per batch. On the
# debug kernel a change beside the floods takes about 25 ms, but starting
# a process takes seconds (200 changes in 16 s with dlifctl's start, its
# start alone 11 s: one vCPU, 2026-12-07), so the batch is as long there.
BATCH_ROUNDS=100
churn_batch() {	# FILE ROLE RIGHT_PEER LOCAL DEV
	local i
	for i in $(seq 1 $BATCH_ROUNDS); do
		echo "route replace $PREFIX_A role $2 peer $OTHER_PEER dev $5"
		echo "route replace $PREFIX_A role $2 peer $3 local $4 dev $5"
		echo "route del $PREFIX_A"
		echo "route add $PREFIX_A role $2 peer $3 local $4 dev $5"
	done >"$1"
}

test_handover_under_traffic_both_roles() {
	local dir anchor_rounds serving_rounds batch=$((BATCH_ROUNDS * 4))
	dlif_load || return 1
	dmm_topo_base || return 1
	dmm_anchor_dlif || return 1
	dmm_serving_dlif || return 1
	ping_ok "$MN" $CN_ADDR || { fail "no connectivity before the stress"; return 1; }
	dir=$(mktemp -d)
	defer rm -rf "$dir"	# last: after the flows writing into it stop

	# TCP first: under emulation the two floods take most of the VM's
	# CPU, and a connection opened behind them can take longer than any
	# fixed wait to get going. Once it flows, it only has to keep moving.
	tcp_stream "$MN" "$CN" $CN_ADDR "$dir/tcp"
	check "the TCP transfer flows" busywait 30000 count_above "$dir/tcp" 100000
	udp_sink "$CN" 9000 "$dir/up"
	udp_sink "$MN" 9000 "$dir/down"
	udp_flood "$MN" $CN_ADDR 9000
	udp_flood "$CN" $MN_ADDR 9000
	check "the uplink flood flows" busywait 60000 count_above "$dir/up" 100
	check "the downlink flood flows" busywait 60000 count_above "$dir/down" 100
	check "the TCP transfer flows beside the floods" grows "$dir/tcp" 60

	churn_batch "$dir/anchor.batch" anchor $MAAR2_CORE $MAAR1_CORE m1
	churn_batch "$dir/serving.batch" serving $MAAR1_CORE $MAAR2_CORE m1
	churn "$MAAR1" "$dir/anchor.batch" >"$dir/anchor.rounds" &
	local churn_pid=$!
	serving_rounds=$(churn "$MAAR2" "$dir/serving.batch")
	wait $churn_pid
	anchor_rounds=$(cat "$dir/anchor.rounds")
	ktap_diag "$STRESS_SECONDS s: $anchor_rounds x $batch anchor and $serving_rounds x $batch serving changes" \
		"under traffic; datagrams up $(count_of "$dir/up"), down $(count_of "$dir/down")," \
		"TCP $(count_of "$dir/tcp") bytes"
	check "the anchor entry was changed under traffic" test "$anchor_rounds" -ge 1
	check "the serving entry was changed under traffic" test "$serving_rounds" -ge 1

	# Each batch ends with the right entry in place: traffic recovers.
	check_eq "$(ip netns exec "$MAAR2" "$DLIFCTL" route get $PREFIX_A | grep -c "peer $MAAR1_CORE")" 1 \
		"the serving entry ends on the anchor"
	check "the uplink flood recovers" grows "$dir/up"
	check "the downlink flood recovers" grows "$dir/down"
	# The churn cost the TCP sender losses, and its retransmission timer
	# has backed off (up to two minutes). Behind floods that take the
	# emulated CPU, each retransmission may be dropped again; without
	# them the next one gets through. (The client also reconnects after
	# an error of its own.)
	stop_floods
	check "the TCP transfer recovers" grows "$dir/tcp" 150
	check "a ping goes through" busywait 20000 ping_ok "$MN" $CN_ADDR
}

# The DLIF itself goes and comes back under traffic (a node leaving and
# returning), with its entries: the paths must never follow a freed DLIF.
# Both ends of a handover with UDP floods both ways through them.
topology_under_floods() {
	dlif_load || return 1
	dmm_topo_base || return 1
	dmm_anchor_dlif || return 1
	dmm_serving_dlif || return 1
	udp_flood "$MN" $CN_ADDR 9000
	udp_flood "$CN" $MN_ADDR 9000
}

# At least MIN_ROUNDS of the two cases below, however long they take: on
# the debug kernel one deletion under KASAN and lockdep takes seconds, and
# a third of STRESS_SECONDS allowed only two.
MIN_ROUNDS=5
more_rounds() {	# END N
	[ "$(date +%s)" -lt "$1" ] || [ "$2" -lt "$MIN_ROUNDS" ]
}

test_dlif_recreated_under_traffic() {
	local end n=0
	topology_under_floods || return 1
	end=$(( $(date +%s) + STRESS_SECONDS / 3 ))
	while more_rounds "$end" "$n"; do
		ip -n "$MAAR2" link del m1
		ip -n "$MAAR1" link del m1
		dmm_anchor_dlif >/dev/null 2>&1
		dmm_serving_dlif >/dev/null 2>&1
		n=$((n + 1))
	done
	ktap_diag "$n DLIF deletions and re-creations on each side under traffic"
	check "DLIFs were re-created under traffic" test "$n" -ge "$MIN_ROUNDS"
	check "a ping goes through afterwards" busywait 10000 ping_ok "$MN" $CN_ADDR
}

# A DLIF rebound to another node and back under traffic both ways: the
# paths read the node's MAC without RTNL and must never see half of one.
test_dlif_rebound_under_traffic() {
	local end n=0 batch
	topology_under_floods || return 1
	# A process per side and round: starting one takes seconds on the
	# debug kernel beside the floods.
	batch=$(mktemp)
	defer rm -f "$batch"
	printf 'dev set m1 mn %s\n' 02:00:00:00:00:99 $MN_MAC >"$batch"
	end=$(( $(date +%s) + STRESS_SECONDS / 3 ))
	while more_rounds "$end" "$n"; do
		ip netns exec "$MAAR2" "$DLIFCTL" -batch "$batch" &&
			ip netns exec "$MAAR1" "$DLIFCTL" -batch "$batch" ||
			{ fail "a rebind was refused"; break; }
		n=$((n + 1))
	done
	ktap_diag "$n rebinds and back on each side under traffic"
	check "DLIFs were rebound under traffic" test "$n" -ge "$MIN_ROUNDS"
	check "a ping goes through afterwards" busywait 10000 ping_ok "$MN" $CN_ADDR
}

run_tests \
	test_handover_under_traffic_both_roles \
	test_dlif_recreated_under_traffic \
	test_dlif_rebound_under_traffic
