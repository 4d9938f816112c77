#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dlifd beyond one roam: the node returning to its first MAAR, a local
# network behind MAAR1 reached after a move, two nodes roaming at once,
# refresh and de-registration by lifetime expiry, lost signalling
# recovered by retransmission, a PBU from a node that is no peer, a MAAR
# on shared DLIFs restarted and killed while the node's flows run (its
# entries kept as they are, counters and all), the CMD restarted,
# killed, and away for longer than the retransmissions (at a handover and
# when a refresh is due), the kernel changed behind dlifd's back,
# refusing, or out of memory, the wall clock stepped both ways in
# timestamp ordering, and bulk TCP through a core that filters ICMPv6, one
# neighbour entry per node at the anchor, an idle previous MAAR released.
# All in proxy mode (the default; the three modes are compared in
# dlifd_roaming.sh).

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dmm_net.sh"
source "$(dirname "$0")/dlifd_lib.sh"


tunnel_count() {	# node: entries other than its local-export ones
	entries_of "$1" | grep -vc local-export
}

# entry_stats NODE PREFIX FIELD...: those statistics of the node's entry
# for PREFIX (encap_packets, decap_bytes, ...), space-separated.
entry_stats() {
	local node=$1 prefix=$2
	shift 2
	ctl_node "$node" -j -s route get "$prefix" | python3 -c '
import json, sys
d = json.load(sys.stdin); d = d[0] if isinstance(d, list) else d
print(" ".join(str(d["stats"][field]) for field in sys.argv[1:]))' "$@"
}

# Predicates for busywait (it runs a command, so each is a function).
tunnels_are() { test "$(tunnel_count "$1")" = "$2"; }
dlifs_are() { test "$(dlif_count "$1")" = "$2"; }
has_route_via() { ip -n "$MN" -6 route show "$1" | grep -q via; }

# The node returns to MAAR1, then to MAAR2 again, on shared DLIFs ([maar]
# shared_dlifs): MAAR2 keeps the netdevice that showed it MAAR1 idle
# ([maar] shared_dlif_linger) and binds the node to it again.
test_return_to_the_first_maar() {
	local a b idle
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy maar.shared_dlifs=true maar.shared_dlif_linger=600
	dlifd_start_all || return 1
	walk 2 || return 1
	a=$(mn_address_in 1); b=$(mn_address_in 2)
	flows_start "$a" || return 1
	mn_move 1
	ctl_node maar1 attach acc $MN_MAC >/dev/null
	check "back at MAAR1, its prefix is preferred again" busywait 30000 address_state_is "$a" preferred
	check "MAAR2's prefix is deprecated" busywait 20000 address_state_is "$b" deprecated
	check "the TCP connection survives the return" flow_survives
	check_no_match "$(entries_of maar1)" "anchor" "MAAR1 no longer tunnels its own prefix"
	check_match "$(entries_of maar1)" "serving 2001:db8:ff::2$" "MAAR1 serves MAAR2's prefix"
	check_match "$(entries_of maar2)" "anchor 2001:db8:ff::1$" "MAAR2 anchors its prefix toward MAAR1"
	check "the CN reaches the node at both addresses" \
		ip netns exec "$CN" ping -c 2 -W 3 "$a"
	check "... and the second" ip netns exec "$CN" ping -c 2 -W 3 "$b"

	idle=$(shared_netdevices 2 | awk -v maar="${MAAR_ADDR[1]}" '$NF == maar { sub(/:$/, "", $1); print $1 }')
	check "MAAR2 keeps the netdevice that showed the node MAAR1 ($idle)" test -n "$idle"
	check_eq "$(ip netns exec "${MAAR_NS[2]}" "$DLIFCTL" binding show dev "$idle" 2>&1 | grep -c "mn $MN_MAC")" 0 \
		"with no binding of the node"
	mn_move 2
	ctl_node maar2 attach acc $MN_MAC >/dev/null
	check "back at MAAR2, its prefix is preferred again" busywait 30000 address_state_is "$b" preferred
	check "the TCP connection survives that too" flow_survives
	check_eq "$(ip netns exec "${MAAR_NS[2]}" "$DLIFCTL" binding show dev "$idle" 2>&1 | grep -c "mn $MN_MAC")" 1 \
		"MAAR2 binds the node to the netdevice it kept"
	check_eq "$(counter maar2 shared_dlifs_reused)" 1 "which it took again, not made anew"
	check_node_on_shared_dlifs 2 2
	check "the CN reaches the node at its first address through MAAR2" \
		ip netns exec "$CN" ping -c 2 -W 3 "$a"
}

test_local_network_after_a_move() {
	local a
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy
	dlifd_start_all || return 1
	walk || return 1
	a=$(mn_address_in 1)
	check "at MAAR1 the node reaches the local network" ip netns exec "$MN" ping -c 2 -W 3 $LN_ADDR
	# A session with the local network, opened at MAAR1, across the move.
	ip netns exec "$LN" python3 "$FLOW" server 5002 "$RUN/ln-server.json" &
	defer kill $!
	busywait 20000 test -s "$RUN/ln-server.json"
	ip netns exec "$MN" python3 "$FLOW" client $LN_ADDR 5002 "$RUN/flow-client.json" --source "$a" &
	FLOW_PID=$!
	defer kill $FLOW_PID
	busywait 10000 flow_echoed_at_least 3
	mn_move 2
	ctl_node maar2 attach acc $MN_MAC >/dev/null
	busywait 30000 has_address_in 2 || { fail "no address at MAAR2"; return 1; }
	check "the node learnt a route to the local network (RFC 4191 RIO)" \
		busywait 20000 has_route_via $LN_PREFIX
	check_match "$(ip -n "$MN" -6 route show $LN_PREFIX)" "via fe80::" \
		"the route goes through the logical router of MAAR1"
	check "the session with the local network survives the move" flow_survives
	check "a new session reaches the local network from MAAR2" ip netns exec "$MN" ping -c 2 -W 3 $LN_ADDR
	check_match "$(entries_of maar2)" "$LN_PREFIX local-net 2001:db8:ff::1" \
		"MAAR2 tunnels the local network to MAAR1"
}

test_two_nodes_roam_at_once() {
	local a2 b2
	dlif_load || return 1
	dmm_net || return 1
	mn_add MN2 02:00:00:00:00:02 p-mn2 || return 1
	dlifd_configure proxy
	dlifd_start_all || return 1
	mn_move 1 && mn_move 1 p-mn2
	check "node 1 registered at MAAR1" busywait 30000 has_address_in 1
	check "node 2 registered at MAAR1" busywait 30000 has_address_in 1 "$MN2"
	a2=$(mn_address_in 1 "$MN2")
	mn_move 2 && mn_move 2 p-mn2
	ctl_node maar2 attach acc $MN_MAC >/dev/null
	ctl_node maar2 attach acc 02:00:00:00:00:02 >/dev/null
	check "node 1 got MAAR2's prefix" busywait 30000 has_address_in 2
	check "node 2 got MAAR2's prefix" busywait 30000 has_address_in 2 "$MN2"
	b2=$(mn_address_in 2 "$MN2")
	check_eq "$(bindings maar2)" 2 "MAAR2 serves both"
	check_eq "$(bindings cmd)" 2 "the CMD has both bindings"
	check_eq "$(dlif_count maar2)" 4 "two DLIFs per node at MAAR2"
	check_eq "$(dlifs_of maar2 | awk '{ print $5 }' | sort -u | wc -l)" 4 \
		"every DLIF has its own MAC"
	check "the CN reaches node 2 at its first address" ip netns exec "$CN" ping -c 2 -W 3 "$a2"
	check "the CN reaches node 2 at its second address" ip netns exec "$CN" ping -c 2 -W 3 "$b2"
	check "node 1 sees none of node 2's routers" \
		test "$(ip -n "$MN" -6 route show default | grep -c via)" -eq 2
}

test_refresh_then_deregistration_by_expiry() {
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy lifetime=8
	dlifd_start_all || return 1
	walk 2 || return 1
	sleep 20	# two and a half lifetimes: kept alive by refreshes
	check_eq "$(bindings cmd)" 1 "the binding is refreshed beyond its lifetime"
	check_eq "$(tunnel_count maar2)" 2 "MAAR2 keeps its tunnels"
	check_match "$(grep -c 'event=mh.sent type=PBU' "$RUN/maar2.log")" "^([3-9]|[0-9]{2,})$" \
		"MAAR2 refreshed its binding"
	# The node leaves the domain: no de-registration on the layer-2 event
	# itself (RFC 8885 §3.5), only when the lifetime runs out.
	ctl_node maar2 detach $MN_MAC >/dev/null
	check_eq "$(bindings cmd)" 1 "no de-registration on the detach itself"
	check "the binding expires at the CMD" busywait 30000 bindings_are cmd 0
	for node in maar1 maar2; do
		check "$node removed the node's tunnels" busywait 15000 tunnels_are $node 0
		check "$node removed the node's DLIFs" busywait 15000 dlifs_are $node 0
		check_eq "$(bindings $node)" 0 "$node forgot the node"
	done
}

test_lost_signalling_is_retransmitted() {
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy
	dlifd_start_all || return 1
	capture_start
	# Everything the CMD sends is lost for a while (its neighbours are
	# resolved first, so the MAAR's PBUs do reach the wire).
	ip netns exec "${MAAR_NS[1]}" ping -c 1 -W 2 $CMD_ADDR >/dev/null
	ip netns exec "$CMD" tc qdisc add dev core0 root netem loss 100%
	defer ip netns exec "$CMD" tc qdisc del dev core0 root
	mn_move 1
	sleep 2
	ip netns exec "$CMD" tc qdisc del dev core0 root
	check "the node registers once the loss stops" busywait 30000 has_address_in 1
	capture_stop
	signalling >"$RUN/signalling.txt"
	check_match "$(awk '$4 == "PBU" && $2 == "2001:db8:ff::1" { n++ } END { print n + 0 }' "$RUN/signalling.txt")" \
		"^([2-9]|[0-9]{2,})$" "MAAR1 retransmitted its PBU"
	check_match "$(grep -c 'event=mh.sent type=PBU' "$RUN/maar1.log")" "^([2-9]|[0-9]{2,})$" \
		"MAAR1's log shows the retransmissions"
}

test_pbu_from_an_unconfigured_node_is_ignored() {
	local pbu before
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy
	dlifd_start_all || return 1
	# A well-formed PBU (the codec's example) from ROGUE, not a MAAR of the
	# domain: counted and logged, never acted on.
	pbu=$("$DLIF_BUILD/userspace/userspace/mh/mhtool" example pbu)
	ip netns exec "$ROGUE" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 135)
s.sendto(bytes.fromhex(sys.argv[1]), (sys.argv[2], 0))
' "$pbu" $CMD_ADDR
	check "the CMD logs the stranger's PBU" \
		busywait 10000 grep -q "src=$ROGUE_ADDR" "$RUN/cmd.log"
	check_eq "$(bindings_total cmd)" 0 "and makes no binding (for any node)"
	check_match "$(ctl_node cmd counters)" "unknown_peer[^0-9]*[1-9]" "and counts it"
	check "the domain still works" walk
}

# The node at MAAR2 after MAAR1 in proxy mode (dlifd_configure arguments
# added), with a TCP flow and a ping from its first address.
at_maar2_with_flows() {
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy "$@"
	dlifd_start_all || return 1
	walk 2 || return 1
	flows_start "$(mn_address_in 1)"
}

# entry_packets NODE PREFIX: the packets the node's entry for PREFIX has
# carried, both ways ("" without the entry).
entry_packets() {
	local encap decap
	read -r encap decap <<<"$(entry_stats "$1" "$2" encap_packets decap_packets)"
	[ -n "$encap" ] && echo $((encap + decap))
}

# On shared DLIFs ([maar] shared_dlifs): the restart keeps the node's
# binding, and its entries as they are (setting one again would reset
# its counters).
test_maar_restart_keeps_flows() {
	at_maar2_with_flows maar.shared_dlifs=true || return 1
	local ifindex_before first carried
	ifindex_before=$(ctl_node maar2 dev show | sort)
	first=$(prefix64 "$(mn_address_in 1)")
	# Not through ctl_node: $! must be dlifctl itself, for the kill.
	"$DLIFCTL" -n "$(node_ns maar2)" monitor >"$RUN/monitor-restart" 2>&1 &
	defer kill $!
	dlifd_stop maar2
	check "the flow goes on while MAAR2's dlifd is down" flow_survives
	carried=$(entry_packets maar2 "$first")
	dlifd_start maar2 || return 1
	check_eq "$(ctl_node maar2 dev show | sort)" "$ifindex_before" \
		"the restarted dlifd kept the DLIFs as they were"
	check_eq "$(bindings maar2)" 1 "and the node's session"
	check_eq "$(grep -c "$first" "$RUN/monitor-restart")" 0 \
		"and its entry for the node's first prefix, not set again"
	check "whose counters go on from the $carried packets it had carried" \
		test "$(entry_packets maar2 "$first")" -ge "${carried:-1}"
	check "the flow survives the restart" flow_survives
	check "the ping too" ping_recovers
	# Killed, not stopped: nothing saved on the way out, the state database
	# as the last commit left it.
	kill -KILL "$PID_maar2"
	wait "$PID_maar2" 2>/dev/null
	PID_maar2=
	check "the flow goes on while MAAR2's dlifd is dead" flow_survives
	dlifd_start maar2 || return 1
	check_eq "$(ctl_node maar2 dev show | sort)" "$ifindex_before" \
		"after kill -9 too, the restarted dlifd kept the DLIFs as they were"
	check_eq "$(bindings maar2)" 1 "and the node's session"
	check "the flow survives the kill" flow_survives
	check "the ping too" ping_recovers
	# The restarted MAAR serves the node's next move as usual.
	mn_move 3
	ctl_node maar3 attach acc $MN_MAC >/dev/null
	check "the node moves on after the restart" busywait 30000 has_address_in 3
	check "the flow survives that move too" flow_survives
}

test_cmd_restart_keeps_bindings() {
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy
	dlifd_start_all || return 1
	walk 2 || return 1
	dlifd_stop cmd
	dlifd_start cmd || return 1
	check_eq "$(bindings cmd)" 1 "the restarted CMD has the binding"
	mn_move 3
	ctl_node maar3 attach acc $MN_MAC >/dev/null
	check "the next handover uses the persisted binding" busywait 30000 has_address_in 3
	check_match "$(entries_of maar3)" "serving 2001:db8:ff::1$" "MAAR3 learnt MAAR1's prefix"
	check_match "$(entries_of maar3)" "serving 2001:db8:ff::2$" "and MAAR2's"
}

# The CMD is killed (SIGKILL: no clean stop) right after a handover: it
# sent MAAR2 the PBA only once the binding was committed, so the restarted
# CMD has the node at MAAR2, and the next handover knows both earlier
# prefixes.
test_cmd_killed_keeps_what_it_acknowledged() {
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure relay
	dlifd_start_all || return 1
	walk 2 || return 1
	kill -KILL "$PID_cmd"
	wait "$PID_cmd" 2>/dev/null
	PID_cmd=
	check "the killed CMD left its write-ahead log" test -s "$RUN/cmd-state/cmd.state.db-wal"
	dlifd_start cmd || return 1
	check_eq "$(mn_field cmd serving_maar)" "${MAAR_ADDR[2]}" "the restarted CMD has the node at MAAR2"
	mn_move 3
	ctl_node maar3 attach acc $MN_MAC >/dev/null
	check "the next handover is accepted" busywait 30000 has_address_in 3
	check_match "$(entries_of maar3)" "serving 2001:db8:ff::1$" "MAAR3 learnt MAAR1's prefix"
	check_match "$(entries_of maar3)" "serving 2001:db8:ff::2$" "and MAAR2's"
}

# The CMD stops answering (SIGSTOP: its host is wedged, or it fails over)
# for longer than the retransmissions last while the node moves to MAAR3,
# which learns of it only from the access point (the node sends no RS). MAAR3
# does not give up the registration of a node still attached: once the CMD
# answers, the node is registered there with both earlier prefixes.
test_cmd_away_longer_than_the_retransmissions() {
	dlif_load || return 1
	dmm_net || return 1
	# The retransmissions last 0.5 + 1 + 2 s, then go on every 2 s.
	dlifd_configure proxy initial_retransmission=0.5 max_retransmission=2 max_retransmissions=2
	dlifd_start_all || return 1
	walk 2 || return 1
	flows_start "$(mn_address_in 1)" || return 1
	ip netns exec "$MN" sysctl -qw net.ipv6.conf.eth0.router_solicitations=0
	kill -STOP "$PID_cmd"
	defer kill -CONT "$PID_cmd"
	arrive 3
	check "MAAR3's retransmissions ran out and went on" busywait 30000 counter_at_least maar3 registration_retries 1
	check_eq "$(counter maar3 registration_failures)" 0 "MAAR3 did not give the registration up"
	check_fails "the node has no MAAR3 address while the CMD is away" has_address_in 3
	check "MAAR3 says so" grep -q "event=registration-unanswered mn=$MN_NAI" "$RUN/maar3.log"
	kill -CONT "$PID_cmd"
	check "the node registers at MAAR3 once the CMD answers" busywait 30000 has_address_in 3
	check_eq "$(mn_field cmd serving_maar)" "${MAAR_ADDR[3]}" "the CMD has the node at MAAR3"
	check_match "$(entries_of maar3)" "serving 2001:db8:ff::1$" "MAAR3 learnt MAAR1's prefix"
	check_match "$(entries_of maar3)" "serving 2001:db8:ff::2$" "and MAAR2's"
	check "the TCP connection from the first address survives" flow_survives
}

# The CMD stops answering when the node's refresh is due, for longer than
# the retransmissions last but not the binding's lifetime: MAAR1 goes on
# refreshing, and once the CMD answers the session outlives its first
# lifetime (before, it ended then, with the node there).
test_cmd_away_when_a_refresh_is_due() {
	local registered
	dlif_load || return 1
	dmm_net || return 1
	# Bindings of 60 s, refreshed at 48 s; a refresh's retransmissions
	# last 0.5 + 1 s, then go on every second.
	dlifd_configure proxy lifetime=60 initial_retransmission=0.5 max_retransmission=1 max_retransmissions=1
	dlifd_start_all || return 1
	mn_move 1
	busywait 30000 has_address_in 1 || { fail "no address at MAAR1"; return 1; }
	registered=$(date +%s)
	kill -STOP "$PID_cmd"
	defer kill -CONT "$PID_cmd"
	check "MAAR1's refresh went unanswered and went on" \
		busywait 90000 counter_at_least maar1 refresh_retries 1
	check_eq "$(counter maar1 refresh_failures)" 0 "MAAR1 did not give the refresh up"
	check "MAAR1 says so" grep -q "event=refresh-unanswered mn=$MN_NAI" "$RUN/maar1.log"
	kill -CONT "$PID_cmd"
	check "the CMD's answer renews the binding" busywait 30000 counter_at_least maar1 refreshes 1
	# Past the end of the first lifetime.
	sleep $((registered + 65 - $(date +%s))) 2>/dev/null
	check_eq "$(counter maar1 expirations)" 0 "the session did not expire"
	check_eq "$(mn_field maar1 state)" serving "MAAR1 still serves the node"
	check "and it reaches the CN" busywait 10000 pings_cn
}

# A MAAR's state database is damaged while its dlifd is down (truncated,
# then of a later version): the daemon refuses to start and leaves the
# kernel as it is, so the node's flows go on; with the database back it
# starts and adopts everything.
test_unusable_state_leaves_the_kernel_alone() {
	local db devices
	at_maar2_with_flows || return 1
	dlifd_stop maar2
	db=$RUN/maar2-state/maar.state.db
	devices=$(ctl_node maar2 dev show | sort)
	cp "$db" "$RUN/maar2-good.db"
	head -c 3000 "$RUN/maar2-good.db" >"$db"
	check "a truncated database: MAAR2's dlifd refuses to start" \
		bash -c "! timeout 30 ip netns exec '$(node_ns maar2)' '$DLIFD' -c '$RUN/maar2.toml' -f >>'$RUN/maar2.log' 2>&1"
	check "and says why" grep -q 'event=dlifd.start.failed reason=state.load.failed' "$RUN/maar2.log"
	cp "$RUN/maar2-good.db" "$db"
	sqlite3 "$db" 'PRAGMA user_version = 9'
	check "a database of a later version: refused too" \
		bash -c "! timeout 30 ip netns exec '$(node_ns maar2)' '$DLIFD' -c '$RUN/maar2.toml' -f >>'$RUN/maar2.log' 2>&1 &&
			 grep -q 'state database version 9 is not supported' '$RUN/maar2.log'"
	check_eq "$(ctl_node maar2 dev show | sort)" "$devices" "the DLIFs are as they were"
	check "the flow went on" flow_survives
	cp "$RUN/maar2-good.db" "$db"
	dlifd_start maar2 || return 1
	check_eq "$(ctl_node maar2 dev show | sort)" "$devices" "with its database back, MAAR2 adopts its DLIFs"
	check_eq "$(bindings maar2)" 1 "and the node's session"
	check "the flow survives" flow_survives
}

# What changes in the kernel behind dlifd's back ([daemon]
# reconcile_interval): an operator deletes the DLIF that shows MAAR1 to
# the node at MAAR2, and MAAR1's anchor entry for the node's first prefix.
# Both come back, the flow from the first address recovers, and nothing is
# touched while nothing changes.
test_kernel_drift_is_repaired() {
	local dlif prefix
	at_maar2_with_flows daemon.reconcile_interval=2 || return 1
	check "MAAR2 compares its kernel with what it installed" busywait 15000 counter_at_least maar2 repair_runs 2
	check_eq "$(counter maar2 repairs)$(counter maar1 repairs)" 00 "and repairs nothing while nothing changed"
	dlif=$(dlifs_of maar2 | awk '/ maar 2001:db8:ff::1$/ { sub(":", "", $1); print $1 }')
	prefix=$(entries_of maar1 | awk '$2 == "anchor" { print $1 }')
	check "the node has a DLIF for MAAR1 at MAAR2 and an anchor entry at MAAR1" test -n "$dlif" -a -n "$prefix"
	ip -n "$(node_ns maar2)" link del "$dlif"
	ctl_node maar1 route del "$prefix" >/dev/null
	check "MAAR2 puts the DLIF and its entry back" busywait 15000 counter_at_least maar2 repairs 2
	check "MAAR1 puts the anchor entry back" busywait 15000 counter_at_least maar1 repairs 1
	check_match "$(dlifs_of maar2)" "^$dlif: .* maar 2001:db8:ff::1$" "MAAR2's DLIF for MAAR1 is there again"
	check_match "$(entries_of maar1)" "^$prefix anchor 2001:db8:ff::2$" "MAAR1's anchor entry points at MAAR2 again"
	check "the flow from the first address survives" flow_survives
	check "the ping too" ping_recovers
	check "each says what it repaired" grep -q "event=repair.dlif dlif=$dlif found=missing" "$RUN/maar2.log"
	check "  (MAAR1)" grep -q "event=repair.entry prefix=$prefix found=missing" "$RUN/maar1.log"
}

# The kernel refuses what dlifd asks (here a dummy link holds the name of
# the DLIF that MAAR2 must make for MAAR1's prefix): dlifd tries again
# with backoff, serves the node meanwhile, and once the name is free the
# DLIF and its entries are made and the ping from the first address
# recovers.
entry_names() { ctl_node maar2 route show | grep -qw "$1"; }	# DLIF: an entry of MAAR2 names it

test_refused_kernel_objects_are_retried() {
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy
	dlifd_start_all || return 1
	walk || return 1
	flows_start "$(mn_address_in 1)" || return 1
	# The node is MAAR2's first session: its DLIF for MAAR1 is mn1mar1.
	ip -n "$(node_ns maar2)" link add mn1mar1 type dummy
	mn_move 2
	ctl_node maar2 attach acc $MN_MAC >/dev/null
	check "MAAR2 cannot make the DLIF for MAAR1, and says so" \
		busywait 20000 grep -q 'event=dlif.install.refused dlif=mn1mar1' "$RUN/maar2.log"
	check "it tries again" busywait 20000 counter_at_least maar2 kernel_retries 2
	check "the node is served at MAAR2 meanwhile" busywait 30000 has_address_in 2
	ip -n "$(node_ns maar2)" link del mn1mar1
	check "once the name is free, a retry makes the DLIF" \
		busywait 90000 counter_at_least maar2 kernel_retries_succeeded 2
	check_match "$(dlifs_of maar2)" "^mn1mar1: .* maar 2001:db8:ff::1$" "MAAR2 shows MAAR1 to the node"
	check "its entry is there too" busywait 90000 entry_names mn1mar1
	check "the ping from the first address recovers" ping_recovers
	check_eq "$(ctl_node maar2 -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["kernel_retries_pending"])')" \
		0 "nothing waits for a retry any more"
}

# The kernel runs out of memory while dlifd changes it: on a kernel with
# fault injection (the debug kernel; the Debian kernels have none and the
# case is skipped), failslab makes the slab allocations that dlif.ko
# makes for MAAR1's and MAAR2's dlifd fail (task filter, and a stack
# filter on the module's range in /proc/modules: allocations of the
# rest of the kernel, those of the netlink request itself included, go
# on), the next FAULTS of them. The handover needs the module to
# allocate at both MAARs (MAAR2's DLIF for MAAR1 and its entries, MAAR1's
# anchor entry): each refusal comes back as ENOMEM, dlifd tries again
# with backoff, and the node ends served with its flows.
FI=/sys/kernel/debug
FAULTS=4

failslab_in_dlif() {	# NODE...: arm failslab for the nodes' dlifd
	local base size pid task node end
	[ -d $FI/failslab ] && [ -w $FI/failslab/require-start ] || return 1
	read -r size base < <(awk '$1 == "dlif" { print $2, $6 }' /proc/modules)
	[ -n "$base" ] || return 1
	end=$(printf '0x%x' $((base + size)))
	echo "$base" >$FI/failslab/require-start
	echo "$end" >$FI/failslab/require-end
	echo N >$FI/failslab/ignore-gfp-wait
	echo Y >$FI/failslab/task-filter
	echo 1 >$FI/failslab/interval
	echo 0 >$FI/failslab/verbose
	for node in "$@"; do
		pid=PID_$node
		pid=${!pid}
		for task in /proc/"$pid"/task/*; do
			echo 1 >"$task/make-it-fail"
		done
	done
	echo $FAULTS >$FI/failslab/times
	echo 100 >$FI/failslab/probability
	defer failslab_off
}

failslab_off() {
	echo 0 >$FI/failslab/probability
	echo 0 >$FI/failslab/require-start
	echo 0 >$FI/failslab/require-end
	echo N >$FI/failslab/task-filter
	echo Y >$FI/failslab/ignore-gfp-wait
}

refused_with_enomem() {	# NODES: log lines of a kernel request refused with ENOMEM
	cat "${@/#/$RUN/}" 2>/dev/null | grep -c 'errno=12'
}

maar2_shows_maar1() { dlifs_of maar2 | grep -q ' maar 2001:db8:ff::1$'; }

test_kernel_out_of_memory_is_retried() {
	local node
	dlif_load || return 1
	[ -w $FI/failslab/require-start ] ||
		{ ktap_diag "no fault injection with a stack filter in this kernel"; return $ksft_skip; }
	dmm_net || return 1
	dlifd_configure proxy
	dlifd_start_all || return 1
	walk || return 1
	flows_start "$(mn_address_in 1)" || return 1
	failslab_in_dlif maar1 maar2 || { fail "cannot arm failslab"; return 1; }
	mn_move 2
	ctl_node maar2 attach acc $MN_MAC >/dev/null
	check "every fault armed was injected" busywait 30000 test "$(cat $FI/failslab/times)" = 0
	check "the refusals came back to dlifd as ENOMEM" \
		test "$(refused_with_enomem maar1.log maar2.log)" -ge 1
	check "the node is served at MAAR2" busywait 30000 has_address_in 2
	check "dlifd tried again until the kernel took them" busywait 90000 \
		test $(( $(counter maar1 kernel_retries_succeeded) + $(counter maar2 kernel_retries_succeeded) )) -ge 1
	check "MAAR2 shows MAAR1 to the node" busywait 30000 maar2_shows_maar1
	check_match "$(entries_of maar1)" "anchor 2001:db8:ff::2$" "MAAR1 anchors the first prefix toward MAAR2"
	check_match "$(entries_of maar2)" "serving 2001:db8:ff::1$" "MAAR2 serves MAAR1's prefix"
	check "the flow from the first address survives" flow_survives
	check "the ping too" ping_recovers
	for node in maar1 maar2; do
		check_eq "$(ctl_node $node -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["kernel_retries_pending"])')" \
			0 "nothing waits for a retry at ${node^^}"
	done
}

# The wall clock is stepped (an NTP step) in timestamp ordering: every
# dlifd maps its steady clock to the new time at once, so the CMD started
# afterwards (a peer whose clock was always right) accepts the MAARs'
# timestamps, and the CMD's saved deadlines follow the step. Then it is
# set back two hours: the timestamps accepted before are in the future
# and no longer order (dmm::check_timestamp), so the next handover goes
# through instead of being refused (157) until the clock catches up.
test_wall_clock_step_in_timestamp_mode() {
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy 'ordering="timestamp"'
	dlifd_start_all || return 1
	walk || return 1
	date -s "+1 hour" >/dev/null || { fail "cannot set the VM's clock"; return 1; }
	defer date -s "-1 hour"
	check "MAAR1 saw the step" busywait 10000 counter_at_least maar1 wall_clock_steps 1
	check "and the CMD" busywait 10000 counter_at_least cmd wall_clock_steps 1
	check "both say so" grep -q 'event=clock.stepped' "$RUN/maar1.log"
	dlifd_stop cmd
	dlifd_start cmd || return 1
	check_eq "$(bindings cmd)" 1 "the restarted CMD keeps the binding (deadlines saved in the new time)"
	mn_move 2
	ctl_node maar2 attach acc $MN_MAC >/dev/null
	check "a handover after the step is accepted" busywait 30000 has_address_in 2
	check_eq "$(counter cmd drop_stale_timestamp)" 0 "the CMD refused no timestamp"
	check_match "$(entries_of maar2)" "serving 2001:db8:ff::1$" "MAAR2 serves MAAR1's prefix"
	# Back by two hours, one behind the true time: the timestamps the CMD
	# last accepted for the node now lie an hour in its future.
	date -s "-2 hour" >/dev/null || { fail "cannot set the VM's clock back"; return 1; }
	defer date -s "+2 hour"
	check "MAAR1 saw the step back" busywait 10000 counter_at_least maar1 wall_clock_steps 2
	check "and the restarted CMD" busywait 10000 counter_at_least cmd wall_clock_steps 1
	mn_move 3
	ctl_node maar3 attach acc $MN_MAC >/dev/null
	check "a handover after the step back is accepted" busywait 30000 has_address_in 3
	check_eq "$(counter cmd drop_stale_timestamp)" 0 "the CMD refused no timestamp"
	check_match "$(entries_of maar3)" "serving 2001:db8:ff::1$" "MAAR3 serves MAAR1's prefix"
	check_match "$(entries_of maar1)" "anchor 2001:db8:ff::3$" "MAAR1 anchors it toward MAAR3"
}

# A core that filters ICMPv6 (many do) never lets a Packet Too Big reach
# a correspondent: a full-size packet to a node's tunnelled address is
# then lost for good. dlifd advertises the access MTU less the tunnel
# header (ra.mtu.derived), so the node's TCP asks for segments that fit
# once tunnelled, in both directions.
tcp_transfer() {	# FROM-NS TO-ADDRESS [iperf3 options]: 4 MiB through iperf3
	local from=$1 to=$2
	shift 2
	timeout 120 ip netns exec "$from" iperf3 -c "$to" -n 4M --connect-timeout 5000 "$@" >/dev/null
}
core_ptb_drops() {
	ip netns exec "$CORE" nft list chain bridge core_filter forward |
		awk '/packet-too-big/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}
iperf3_listens() { ip netns exec "$MN" ss -Hltn 'sport = :5201' | grep -q .; }

test_bulk_tcp_needs_no_packet_too_big() {
	local a encap decap
	require_cmd iperf3 nft || return $?
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy
	dlifd_start_all || return 1
	ip netns exec "$CORE" nft -f - <<-EOF || { fail "cannot filter ICMPv6 on the core"; return 1; }
		table bridge core_filter {
			chain forward {
				type filter hook forward priority 0;
				icmpv6 type packet-too-big counter drop
			}
		}
	EOF
	walk 2 || return 1
	a=$(mn_address_in 1)
	check_match "$(grep 'event=ra.mtu.derived' "$RUN/maar2.log")" "access_mtu=1500 advertised=1460" \
		"MAAR2 derives the RA MTU from its access link"
	check_eq "$(ip netns exec "$MN" sysctl -n net.ipv6.conf.eth0.mtu)" 1460 \
		"the node takes the MTU from the RA"
	# The control: a 1500-octet packet to the tunnelled address is too
	# big for the tunnel, and the core drops MAAR1's Packet Too Big.
	check_fails "a 1500-octet ping to the tunnelled address is lost" \
		ip netns exec "$CN" ping -c 2 -W 2 -s 1452 "$a"
	check "the core dropped the Packet Too Big" busywait 5000 test "$(core_ptb_drops)" -ge 1
	ip netns exec "$MN" iperf3 -s -p 5201 >/dev/null 2>&1 &
	defer kill $!
	busywait 10000 iperf3_listens || { fail "iperf3 does not listen on the node"; return 1; }
	check "4 MiB from the CN to the node's tunnelled address" tcp_transfer "$CN" "$a"
	check "4 MiB from the node's tunnelled address to the CN" tcp_transfer "$CN" "$a" -R
	# Both directions, each with its own figure in a failure's message.
	read -r encap decap <<<"$(entry_stats maar1 "$a/64" encap_bytes decap_bytes)"
	ktap_diag "MAAR1's anchor entry: $encap octets encapsulated, $decap decapsulated"
	check "the CN's 4 MiB went through MAAR1's tunnel" test "${encap:-0}" -ge 4000000
	check "the node's 4 MiB came back through it" test "${decap:-0}" -ge 4000000
}

# At the anchor, what MAAR1 decapsulates for its node and routes on goes
# through the node's DLIF's GRO cells: the segments of a TCP flow are
# merged before routing and filtering, which then run once per merged
# packet. The node sends MTU-sized segments (its offloads are off, as a
# real NIC's wire is), so any packet over 1500 octets that MAAR1 forwards
# from the node's address was merged there; with GRO off on MAAR1's
# DLIFs (the control), none is.
merged_from_node() {	# how many packets over 1500 octets MAAR1 forwarded from the node
	ip netns exec "${MAAR_NS[1]}" nft list chain inet decap_gro forward |
		awk '/length/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}
maar1_dlifs_gro() {	# on|off
	local dev
	for dev in $(ip -n "${MAAR_NS[1]}" -o link show type dlif | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
		ip netns exec "${MAAR_NS[1]}" ethtool -K "$dev" gro "$1" || return 1
	done
}

test_decapsulated_tcp_is_merged_before_routing() {
	local a
	require_cmd iperf3 nft ethtool || return $?
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy
	dlifd_start_all || return 1
	walk 2 || return 1
	a=$(mn_address_in 1)
	ip netns exec "$MN" ethtool -K eth0 tso off gso off ||
		{ fail "cannot turn the node's offloads off"; return 1; }
	ip netns exec "${MAAR_NS[1]}" nft -f - <<-EOF || { fail "cannot count at MAAR1"; return 1; }
		table inet decap_gro {
			chain forward {
				type filter hook forward priority 0;
				ip6 saddr $a meta length > 1500 counter
			}
		}
	EOF
	ip netns exec "$MN" iperf3 -s -p 5201 >/dev/null 2>&1 &
	defer kill $!
	busywait 10000 iperf3_listens || { fail "iperf3 does not listen on the node"; return 1; }

	maar1_dlifs_gro off || { fail "cannot turn GRO off on MAAR1's DLIFs"; return 1; }
	check "4 MiB from the node's tunnelled address, GRO off" tcp_transfer "$CN" "$a" -R
	check_eq "$(merged_from_node)" 0 "without GRO, MAAR1 forwards the node's segments one by one"

	maar1_dlifs_gro on || { fail "cannot turn GRO on on MAAR1's DLIFs"; return 1; }
	check "4 MiB from the node's tunnelled address, GRO on" tcp_transfer "$CN" "$a" -R
	check "MAAR1 merged the node's segments before forwarding them" \
		test "$(merged_from_node)" -ge 1
	ktap_diag_always "merged packets forwarded from the node: $(merged_from_node)"
}

# At the anchor, dlifd routes the node's prefix by way of one gateway (the
# node's EUI-64 link-local address) with a permanent neighbour entry,
# instead of the kernel's connected route, which makes one neighbour entry
# per destination address. Packets from the CN to 3,000 addresses of the
# node's first prefix (three times the default gc_thresh3 of 1,024) all
# enter MAAR1's tunnel, and the DLIF keeps its one neighbour.
encapsulated_for() {	# ADDRESS: packets MAAR1's entry for its /64 has encapsulated
	entry_stats maar1 "$1/64" encap_packets
}

neighbours_in() {	# DLIF PREFIX: MAAR1's neighbour entries on DLIF for addresses in PREFIX
	# (NOARP ones included, which ip hides by default)
	ip -n "$(node_ns maar1)" -6 neigh show nud all dev "$1" | python3 -c '
import ipaddress, sys
net = ipaddress.IPv6Network(sys.argv[1])
print(sum(1 for line in sys.stdin if line.split() and ipaddress.IPv6Address(line.split()[0]) in net))' "$2"
}

test_anchor_keeps_one_neighbour_per_node() {
	local a prefix route dlif gateway before after
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy
	dlifd_start_all || return 1
	walk 2 || return 1
	a=$(mn_address_in 1)
	prefix=$(entries_of maar1 | awk '$2 == "anchor" { print $1 }')
	route=$(ip -n "$(node_ns maar1)" -6 route show "$prefix")
	dlif=$(awk '{ for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1) }' <<<"$route")
	gateway=$(awk '{ for (i = 1; i < NF; i++) if ($i == "via") print $(i + 1) }' <<<"$route")
	check_match "$route" "^$prefix via fe80::ff:fe00:1 dev $dlif proto static metric 1024" \
		"MAAR1 routes the node's first prefix by way of the node's EUI-64 link-local address"
	check_no_match "$route" "proto kernel" "and has no connected route to it"
	check_match "$(ip -n "$(node_ns maar1)" -6 addr show dev "$dlif")" "inet6 ${prefix%::/64}::1/64 .*noprefixroute" \
		"MAAR1's router address in the prefix comes without one"
	check_match "$(ip -n "$(node_ns maar1)" -6 neigh show dev "$dlif" "$gateway")" "lladdr $MN_MAC PERMANENT" \
		"the gateway is a permanent neighbour: the node's MAC"
	before=$(encapsulated_for "$a")
	ip netns exec "$CN" python3 -c '
import ipaddress, socket, sys
net = ipaddress.IPv6Network(sys.argv[1])
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for i in range(3000):
    s.sendto(b"x", (str(net[0x10000 + i]), 9))' "$prefix"
	check "3,000 packets to as many addresses of the prefix entered MAAR1's tunnel" \
		busywait 10000 test "$(( $(encapsulated_for "$a") - before ))" -ge 3000
	check_eq "$(neighbours_in "$dlif" "$prefix")" 0 "MAAR1 made no neighbour entry per destination"
	check "the CN still reaches the node at its first address" ip netns exec "$CN" ping -c 2 -W 3 "$a"
	ktap_diag_always "neighbour entries on MAAR1's DLIF: $(ip -n "$(node_ns maar1)" -6 neigh show nud all dev "$dlif" | grep -c .)"
}

tunnels_prefix_of_maar1() { entries_of maar2 | grep -q "serving $M1$"; }
released_prefix_of_maar1() { ! tunnels_prefix_of_maar1; }
default_routers_are() { test "$(ip -n "$MN" -6 route show default | grep -o 'via [^ ]*' | sort -u | grep -c .)" = "$1"; }

# [maar] release_idle_after (A14): MAAR1's prefix stays at MAAR2 while a
# flow uses it; once no packet of it crosses MAAR2 for the idle time,
# MAAR2 names MAAR1 in a refresh (a Previous MAAR option in its PBU),
# the CMD drops MAAR1 from the binding and ends that part of the session
# there with a lifetime-0 PBU, and MAAR2 removes MAAR1's DLIF and entry.
test_idle_previous_maar_is_released() {
	local b
	dlif_load || return 1
	dmm_net || return 1
	# No liveness probing: on the debug kernel the case outlasts
	# detach_after, and a node taken as gone is not released from.
	dlifd_configure proxy maar.release_idle_after=6 maar.detach_after=0
	dlifd_start_all || return 1
	# The flows start at MAAR1, before the move: MAAR2's idle clock
	# starts with traffic already on the prefix, however slowly the
	# flows' processes start (the debug kernel).
	walk || return 1
	flows_start "$(mn_address_in 1)" || return 1
	capture_start || return 1
	arrive 2
	check "the node has an address at MAAR2" busywait 30000 has_address_in 2 || return 1
	b=$(mn_address_in 2)
	check "the flow survives the move" flow_survives
	sleep 15
	check "with the flow on MAAR1's prefix for 2.5 more idle periods, it goes on" flow_survives
	check "and MAAR2 still tunnels MAAR1's prefix" tunnels_prefix_of_maar1
	check_eq "$(counter maar2 idle_releases)" 0 "MAAR2 released nothing"
	flows_stop
	check "with no more traffic, MAAR2 lets MAAR1's prefix go" \
		busywait 40000 released_prefix_of_maar1
	check_eq "$(counter maar2 idle_releases)" 1 "MAAR2 counts one release"
	check_eq "$(counter cmd previous_maars_released)" 1 "the CMD counts one"
	check_eq "$(mn_field cmd previous_maars)" "[]" "the CMD's binding has no previous MAAR left"
	check "MAAR1 ends its part of the session" busywait 20000 bindings_are maar1 0
	check_eq "$(entries_of maar1 | grep -c anchor)" 0 "and tunnels nothing for the node"
	check_eq "$(dlif_count maar2)" 1 "MAAR2 shows the node one DLIF, its own"
	# RFC 4861 §6.2.5: the DLIF's last RA had a Router Lifetime of 0.
	check "the node drops MAAR1's DLIF as a default router at once" busywait 5000 default_routers_are 1
	check_eq "$(counter maar2 ra_final_tx)" 1 "MAAR2 sent one final RA"
	check_eq "$(bindings maar2)" 1 "the node stays registered at MAAR2"
	local t0=$EPOCHREALTIME
	check "the node reaches the CN from its MAAR2 address" \
		busywait 30000 ip netns exec "$MN" ping -c 1 -W 2 -I "$b" "$CN_ADDR"
	ktap_diag_always "after the release, the node's first ping from its MAAR2 address answered in" \
		"$(python3 -c "print(f'{$EPOCHREALTIME - $t0:.1f} s')")"
	ktap_diag_always "the node's default routers: $(ip -n "$MN" -6 route show default | tr '\n' ';')"
	capture_stop
	local decoded
	decoded=$(signalling)
	check_match "$(grep " $M2 $CMD_ADDR PBU " <<<"$decoded")" "pmaar=$M1/" \
		"tshark: MAAR2's refresh names MAAR1 in a Previous MAAR option"
	check_match "$(grep " $CMD_ADDR $M1 PBU " <<<"$decoded")" " 0 hnp=" \
		"tshark: the CMD's PBU to MAAR1 has lifetime 0"
}

# The debug kernel runs the case that needs its fault injection. The GRO
# cells' path under a real TCP flow (an anchor decapsulating a node's
# segments and routing them on) is dlif_forwarding's tcp_transfers_both_ways
# there, without the four daemons' start that took 120 s of this file's
# case on the debug kernel.
DEBUG_CASES=(test_kernel_out_of_memory_is_retried)

run_tests \
	test_return_to_the_first_maar \
	test_local_network_after_a_move \
	test_two_nodes_roam_at_once \
	test_refresh_then_deregistration_by_expiry \
	test_lost_signalling_is_retransmitted \
	test_pbu_from_an_unconfigured_node_is_ignored \
	test_maar_restart_keeps_flows \
	test_cmd_restart_keeps_bindings \
	test_cmd_killed_keeps_what_it_acknowledged \
	test_cmd_away_longer_than_the_retransmissions \
	test_cmd_away_when_a_refresh_is_due \
	test_kernel_drift_is_repaired \
	test_unusable_state_leaves_the_kernel_alone \
	test_refused_kernel_objects_are_retried \
	test_kernel_out_of_memory_is_retried \
	test_wall_clock_step_in_timestamp_mode \
	test_bulk_tcp_needs_no_packet_too_big \
	test_decapsulated_tcp_is_merged_before_routing \
	test_anchor_keeps_one_neighbour_per_node \
	test_idle_previous_maar_is_released
