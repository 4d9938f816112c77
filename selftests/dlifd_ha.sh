#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A highly available CMD: two dlifd CMD instances share a real etcd
# (Debian's etcd-server, one member, on the correspondent node's host)
# with [store] backend = "etcd", the three MAARs run dlifd unchanged, and
# an unmodified Linux host roams with a TCP flow and a ping. The leading
# CMD is killed with SIGKILL between two handovers: the standby takes
# over from etcd and the next handover goes through it, the MAARs'
# retransmissions carrying them across; the flows survive.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dmm_net.sh"
source "$(dirname "$0")/dlifd_lib.sh"

ETCD=/usr/bin/etcd
ETCD_URL="http://[$CN_ADDR]:2379"

# The CMD's address moves with the leadership: each instance has an
# address of its own on the core for etcd, and the leader adds CMD_ADDR.
ha_net() {
	dmm_net || return 1
	setup_ns CMD2 || return 1
	ip netns exec "$CMD2" sysctl -qw net.ipv6.conf.default.router_solicitations=0
	ip link add core0 netns "$CMD2" type veth peer name p-cmd2 netns "$CORE"
	ip -n "$CORE" link set p-cmd2 master br0 up
	ip -n "$CMD" addr del $CMD_ADDR/64 dev core0
	ip -n "$CMD" addr add 2001:db8:ff::a/64 dev core0 nodad
	ip -n "$CMD2" addr add 2001:db8:ff::b/64 dev core0 nodad
	ip -n "$CMD2" link set core0 up
	ip -n "$CMD2" link set lo up
}

etcd_start() {
	ip netns exec "$CN" "$ETCD" --name ha --data-dir "$RUN/etcd" \
		--listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
		--listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
		--initial-cluster ha=http://127.0.0.1:2380 >"$RUN/etcd.log" 2>&1 &
	defer kill $!
	ip -n "$CN" link set lo up
	busywait 30000 ip netns exec "$CN" env ETCDCTL_API=3 etcdctl --endpoints "$ETCD_URL" endpoint health ||
		{ fail "etcd did not start"; tail -5 "$RUN/etcd.log" | sed 's/^/#   /'; return 1; }
}

leads() {	# NODE: its dlifd is the leader
	ctl_node "$1" -j status | grep -q '"this_instance":"leader"'
}
holds_cmd_address() {	# NODE
	ip -n "$(node_ns "$1")" -6 addr show dev core0 | grep -q "inet6 $CMD_ADDR/128"
}

test_cmd_killed_standby_takes_over() {
	[ -x "$ETCD" ] || { ktap_diag "no etcd (scripts/deps.sh installs etcd-server)"; return $ksft_skip; }
	dlif_load || return 1
	ha_net || return 1
	dlifd_configure proxy store.backend='"etcd"' store.endpoints="[\"$ETCD_URL\"]" \
		store.name='"a"' store.lease_ttl=2 store.request_timeout=0.5 store.service_interface='"core0"'
	sed -e 's/^name = "a"$/name = "b"/' -e "s|$RUN/cmd\.sock|$RUN/cmd2.sock|" \
		-e "s|$RUN/cmd-state|$RUN/cmd2-state|" "$RUN/cmd.toml" >"$RUN/cmd2.toml"
	etcd_start || return 1
	dlifd_start cmd || return 1
	check "the first CMD leads" busywait 10000 leads cmd
	dlifd_start cmd2 || return 1
	check_fails "the second stands by" leads cmd2
	check "the leader holds the CMD's address" holds_cmd_address cmd
	local node
	for node in maar1 maar2 maar3; do
		dlifd_start "$node" || return 1
	done
	walk 2 || return 1
	flows_start "$(mn_address_in 1)" || return 1
	check_eq "$(mn_field cmd serving_maar)" "${MAAR_ADDR[2]}" "the leader has the node at MAAR2"

	# The node moves on at once: MAAR3's PBU reaches a dead CMD or a
	# standby until the lease runs out, and its retransmissions carry it
	# to the new leader.
	kill -KILL "$PID_cmd"
	wait "$PID_cmd" 2>/dev/null
	PID_cmd=
	mn_move 3
	ctl_node maar3 attach acc $MN_MAC >/dev/null
	check "the standby takes over" busywait 15000 leads cmd2
	check "and holds the CMD's address" holds_cmd_address cmd2
	check "the handover begun during the failover completes" busywait 30000 has_address_in 3
	check_eq "$(mn_field cmd2 serving_maar)" "${MAAR_ADDR[3]}" "the new leader has the node at MAAR3"
	check_eq "$(mn_field cmd2 previous_maars | grep -o '2001:db8:ff::[12]' | sort -u | tr '\n' ' ')" \
		"2001:db8:ff::1 2001:db8:ff::2 " "and its earlier MAARs, known from etcd"
	check_match "$(entries_of maar3)" "serving 2001:db8:ff::1$" "MAAR3 learnt MAAR1's prefix"
	check_match "$(entries_of maar3)" "serving 2001:db8:ff::2$" "and MAAR2's"
	check "the TCP connection from the first address survives" flow_survives
	check "the ping too" ping_recovers
	ktap_diag "the standby dropped $(counter cmd2 mh_rx_standby_dropped) MH before it led;" \
		"MAAR3 retransmitted $(counter maar3 retransmissions) times"
}

run_tests \
	test_cmd_killed_standby_takes_over
