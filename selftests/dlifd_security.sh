#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The rogue node of the testbed (ROGUE, a host on the core) attacks the
# domain's signalling without IPsec (Documentation/security.rst): it uses
# the CMD's and the MAARs' addresses to claim prefixes, networks and
# identities they may not claim, replays a captured PBU, and sends what
# would make dlifd answer a stranger. A flood of Router Solicitations from
# made-up MACs hits a MAAR. Each attack must change nothing (and be
# counted); what the protocol lets an address-spoofing node do by design is
# shown as such (dlifd_ipsec.sh shows the same domain with IPsec). All in
# proxy mode.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dmm_net.sh"
source "$(dirname "$0")/dlifd_lib.sh"

test_claims_in_spoofed_signalling_are_refused() {
	local binding seq entries here there
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy
	dlifd_start_all || return 1
	walk 2 || return 1
	binding=$(mn_field cmd prefixes)
	entries=$(entries_of maar2)
	here=$(prefix64 "$(mn_address_in 2)")
	there=$(prefix64 "$(mn_address_in 1)")

	# In the serving MAAR's name: another MAAR's prefix, ::/0, a /48.
	spoof pbu "${MAAR_ADDR[2]}" "$CMD_ADDR" --dmm --seq 60000 --mn "$MN_NAI" --hnp 2001:db8:3000:99::/64
	spoof pbu "${MAAR_ADDR[2]}" "$CMD_ADDR" --dmm --seq 60001 --mn "$MN_NAI" --hnp ::/0
	spoof pbu "${MAAR_ADDR[1]}" "$CMD_ADDR" --dmm --seq 60002 --mn "$MN_NAI" --hnp 2001:db8:1000::/48
	check "the CMD refuses the three claims (status 155)" busywait 10000 counter_at_least cmd rejected_prefix 3
	check_eq "$(mn_field cmd prefixes)" "$binding" "and the node's binding is unchanged"
	check_eq "$(mn_field cmd serving_maar)" "${MAAR_ADDR[2]}" "it is still served by MAAR2"

	# In the CMD's name, a late PBA of MAAR2's registration (its number,
	# read off the wire) claiming ::/0 at MAAR1, a prefix of MAAR3's pool
	# in MAAR1's name, a global address as DLIF link-local and ::/0 as a
	# local network (which would divert every node's uplink traffic); the
	# node's real prefix at MAAR1 and MAAR1's real local network with them
	# (leaving it out would remove it: a PBA's list replaces the last one,
	# which an address-spoofing node may do by design).
	seq=$(last_pbu_seq maar2)
	spoof pba "$CMD_ADDR" "${MAAR_ADDR[2]}" --dmm --seq "$seq" --mn "$MN_NAI" --hnp "$here" \
		--pmaar "${MAAR_ADDR[1]}=$there" \
		--pmaar "${MAAR_ADDR[1]}=::/0" --pmaar "${MAAR_ADDR[1]}=2001:db8:3000:7::/64" \
		--dlif "2001:db8:ffff::1=02:66:66:66:66:66" --local "$LN_PREFIX" --local ::/0
	check "MAAR2 refuses the four claims" busywait 10000 counter_at_least maar2 refused_claims 4
	check_eq "$(entries_of maar2)" "$entries" "and its tunnel table is unchanged"
	check_no_match "$(ip -n "${MAAR_NS[2]}" -6 addr show)" "2001:db8:ffff::1" "no spoofed address on a DLIF"
	check "the node still reaches the CN" pings_cn

	# A PBA in MAAR3's name: only the CMD answers a MAAR in proxy mode.
	spoof pba "${MAAR_ADDR[3]}" "${MAAR_ADDR[2]}" --dmm --seq "$seq" --mn "$MN_NAI" \
		--hnp 2001:db8:3000:5::/64
	check "MAAR2 drops a PBA from MAAR3's address" busywait 10000 counter_at_least maar2 drop_pba_not_expected 1
	check_eq "$(entries_of maar2)" "$entries" "and installs nothing"

	# What the protocol allows without IPsec: a lifetime-0 PBU in the
	# serving MAAR's name ends the binding (Documentation/security.rst).
	spoof pbu "${MAAR_ADDR[2]}" "$CMD_ADDR" --dmm --seq $(( ($(last_pbu_seq maar2) + 100) % 65536 )) \
		--lifetime 0 --mn "$MN_NAI" --hnp "$here"
	check "without IPsec, a de-registration in the serving MAAR's name is believed (by design)" \
		busywait 10000 bindings_are cmd 0
}

test_replayed_pbu_does_not_move_the_node() {
	local out
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy
	dlifd_start_all || return 1
	capture_start || return 1
	walk 2 || return 1
	# Back to MAAR1, which serves the node again.
	mn_move 1
	ctl_node maar1 attach acc $MN_MAC >/dev/null
	check "the node is back at MAAR1" busywait 30000 mn_state_is maar1 serving
	capture_stop
	# The CMD's PBU that once told MAAR1 the node was at MAAR2, replayed
	# from the rogue as captured (the CMD's address, its checksum).
	out=$(spoof replay "$CAPTURE" "$CMD_ADDR" "${MAAR_ADDR[1]}" pbu)
	check_match "$out" "^replayed seq=" "the rogue replays the captured PBU"
	check "MAAR1 refuses the stale number" busywait 10000 replays_refused maar1 1
	check_eq "$(mn_field maar1 state)" serving "MAAR1 still serves the node"
	check "the node still reaches the CN" pings_cn
}

mn_state_is() { test "$(mn_field "$1" state)" = "$2"; }

test_binding_errors_only_to_peers() {
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy
	dlifd_start_all || return 1
	# Type 1 (HoTI): a type the kernel passes up (it drops types past 8
	# itself) and dlifd does not serve.
	spoof mh-type "$ROGUE_ADDR" "$CMD_ADDR" 1
	check "an unknown MH type from a stranger gets no Binding Error" \
		busywait 10000 counter_at_least cmd binding_errors_not_to_strangers 1
	check_eq "$(counter cmd binding_errors_sent)" 0 "none was sent"
	spoof mh-type "${MAAR_ADDR[3]}" "$CMD_ADDR" 1
	check "a peer's address gets one (RFC 6275 §9.2)" busywait 10000 counter_at_least cmd binding_errors_sent 1
}

# COUNT Router Solicitations from made-up MACs on MAAR1's access link
# (through the node's port of the switch), built as raw frames: scapy
# would take minutes for ten thousand under emulation.
rs_flood() {	# COUNT
	ip netns exec "$MN" /usr/bin/python3 -c '
import random, socket, struct, sys

def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff

rng = random.Random(7)
dst = socket.inet_pton(socket.AF_INET6, "ff02::2")
out = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
out.bind(("eth0", 0))
for _ in range(int(sys.argv[1])):
    mac = bytes([0x0a] + [rng.randrange(256) for _ in range(5)])
    src = socket.inet_pton(socket.AF_INET6, "fe80::1:%x" % rng.randrange(1 << 16))
    icmp = struct.pack("!BBHI", 133, 0, 0, 0) + bytes([1, 1]) + mac
    pseudo = src + dst + struct.pack("!IxxxB", len(icmp), 58)
    icmp = icmp[:2] + struct.pack("!H", checksum(pseudo + icmp)) + icmp[4:]
    ip6 = struct.pack("!IHBB", 6 << 28, len(icmp), 58, 255) + src + dst
    out.send(bytes.fromhex("333300000002") + mac + b"\x86\xdd" + ip6 + icmp)' "$1"
}

rss_kib() { awk '/^VmRSS/ { print $2 }' /proc/"$1"/status; }

test_rs_flood_stays_bounded() {
	local before after
	dlif_load || return 1
	dmm_net || return 1
	# Any node may attach, at most 20 sessions, 5 new ones a second.
	DLIFD_ANY_NODE=1 dlifd_configure proxy adm.max_sessions=20 adm.new_sessions_per_second=5 adm.burst=10
	dlifd_start_all || return 1
	mn_move 1
	busywait 30000 has_address_in 1 || { fail "no address at MAAR1"; return 1; }
	before=$(rss_kib "$PID_maar1")
	rs_flood 2000
	check "MAAR1 refuses most of the flood" busywait 30000 counter_at_least maar1 refused_rate_limit 1
	check "it holds at most 20 sessions" test "$(bindings_total maar1)" -le 20
	check "the CMD holds at most 20 bindings" test "$(bindings_total cmd)" -le 20
	after=$(rss_kib "$PID_maar1")
	ktap_diag "MAAR1's dlifd: VmRSS ${before} KiB before the flood, ${after} KiB after"
	check "its memory grew by less than 16 MiB" test $((after - before)) -lt 16384
	check "the node already attached keeps its address" has_address_in 1
}

sessions_are() { test "$(bindings_total "$1")" = "$2"; }
detached_by_probes() { grep -q "event=mn.detached mac=$MN_MAC how=no-answer" "$RUN/maar1.log"; }

test_nodes_gone_without_a_detach_event_are_found() {
	local flood
	dlif_load || return 1
	dmm_net || return 1
	# Probing after 5 s of silence; bindings of 20 s, so that a node
	# found gone frees its prefix soon.
	DLIFD_ANY_NODE=1 dlifd_configure proxy maar.detach_after=5 lifetime=20 \
		adm.new_sessions_per_second=50 adm.burst=50
	dlifd_start_all || return 1
	mn_move 1
	busywait 30000 has_address_in 1 || { fail "no address at MAAR1"; return 1; }

	# Made-up nodes: one RS each, never an answer.
	rs_flood 20
	check "the made-up nodes got sessions" busywait 30000 counter_at_least maar1 attachments 21
	flood=$(( $(bindings_total maar1) - 1 ))
	check "they answer no probe and are detached" \
		busywait 30000 counter_at_least maar1 detachments_unanswered "$flood"
	check "their sessions end with their lifetime, the pool is theirs no more" \
		busywait 60000 sessions_are maar1 1
	check_eq "$(bindings_total cmd)" 1 "the CMD keeps only the real node's binding"
	check "the real node was probed" counter_at_least maar1 nud_probes $((flood * 3 + 1))
	check_no_match "$(grep 'event=mn.detached' "$RUN/maar1.log")" "mac=$MN_MAC" \
		"and, answering, stays attached"
	check_eq "$(mn_field maar1 attached)" true "its session says so"
	check "it still reaches the CN" pings_cn

	# Now the real node goes without a word (its port taken off the
	# access link), and comes back.
	mn_move 0
	check "the MAAR finds it gone" busywait 30000 detached_by_probes
	check_eq "$(mn_field maar1 attached)" false "its session is no longer attached"
	# Back before its lifetime ends (Linux sends no RS when only the
	# carrier came back: the access point's notification says it).
	mn_move 1
	ctl_node maar1 attach acc $MN_MAC >/dev/null
	check "back, it is attached again" busywait 30000 attached_at_maar1 true
	check "and it reaches the CN" busywait 30000 pings_cn
}

attached_at_maar1() { test "$(mn_field maar1 attached)" = "$1"; }

detached_at_maar2() { grep -q "event=mn.detached mac=$MN_MAC how=no-answer" "$RUN/maar2.log"; }

# The node at MAAR1, then made to send no Neighbor Discovery of its own:
# its router there (ROUTER) a permanent neighbour and its only default
# route, no RS.
nd_silent_node_at_maar1() {
	local mac
	mn_move 1
	busywait 30000 has_address_in 1 || { fail "no address at MAAR1"; return 1; }
	ROUTER=$(ip -n "$MN" -6 route show default | awk '$2 == "via" { print $3; exit }')
	mac=$(ip -n "$MN" -6 neigh show "$ROUTER" dev eth0 | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }')
	[ -n "$ROUTER" ] && [ -n "$mac" ] || { fail "no router at MAAR1 ($ROUTER, $mac)"; return 1; }
	ip netns exec "$MN" sysctl -qw net.ipv6.conf.eth0.accept_ra_defrtr=0 \
		net.ipv6.conf.eth0.router_solicitations=0
	ip -n "$MN" -6 neigh replace "$ROUTER" lladdr "$mac" dev eth0 nud permanent
	ip -n "$MN" -6 route flush default
	ip -n "$MN" -6 route add default via "$ROUTER" dev eth0 proto static
}

# A host whose router is confirmed by its TCP acknowledgements sends no
# Neighbor Discovery while it talks, and the MAAR never solicits it (a
# DLIF's neighbour is NOARP). Here made certain: the node's router is a
# permanent neighbour and its only default route, and it sends no RS;
# it comes to MAAR2 by the access point's notification, so MAAR2 never
# learns a link-local address of it and has nothing to probe. All MAAR2
# gets from it is its traffic, and that must keep it attached.
test_a_node_that_talks_without_neighbor_discovery_stays_attached() {
	local src
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy maar.detach_after=5
	dlifd_start_all || return 1
	nd_silent_node_at_maar1 || return 1
	src=$(mn_address_in 1)
	flows_start "$src" || return 1

	arrive 2
	check "MAAR2 serves it" busywait 30000 has_address_in 2
	check "MAAR2 checks it three times and finds it sending" \
		busywait 60000 counter_at_least maar2 liveness_frames_seen 3
	check_no_match "$(grep 'event=mn.detached' "$RUN/maar2.log")" "mac=$MN_MAC" \
		"so it is never taken as gone"
	check_eq "$(mn_field maar2 attached)" true "its session says it is attached"
	check "the TCP connection goes on" flow_survives

	# Silent, it is found gone: nothing to probe, nothing received.
	flows_stop
	check "silent, it is found gone" busywait 30000 detached_at_maar2
	check_eq "$(mn_field maar2 attached)" false "its session is no longer attached"
}

# A node MAAR2 has heard Neighbor Discovery from only at its global
# address (ndisc6 sends its NS, as Linux's unreachability detection does
# for a router it reached from that address) is probed there when it falls
# silent: it answers and stays; gone, it is found gone.
test_a_node_heard_only_at_its_global_address_is_probed_there() {
	local src pcap capture
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy maar.detach_after=5
	dlifd_start_all || return 1
	nd_silent_node_at_maar1 || return 1
	# Its traffic keeps it attached at MAAR2 until it has solicited.
	flows_start "$(mn_address_in 1)" || return 1

	arrive 2
	check "MAAR2 serves it" busywait 30000 has_address_in 2
	src=$(mn_address_in 2)
	pcap=$RUN/node.pcap
	ip netns exec "$MN" tcpdump -n -U -i eth0 -w "$pcap" 'icmp6 and ip6[40] == 135' 2>"$RUN/node-tcpdump.log" &
	capture=$!
	defer kill $capture
	busywait 20000 grep -q "listening on" "$RUN/node-tcpdump.log"
	# MAAR1's router, mirrored on the node's DLIF at MAAR2, solicited
	# from the node's MAAR2 address.
	check "the node solicits its router from its global address" \
		ip netns exec "$MN" ndisc6 -q -1 -w 2000 -s "$src" "$ROUTER" eth0
	flows_stop
	check "MAAR2 probes it when it falls silent" busywait 60000 counter_at_least maar2 nud_probes 2
	check_no_match "$(grep 'event=mn.detached' "$RUN/maar2.log")" "mac=$MN_MAC" \
		"it answers, and stays attached"
	sleep 0.5
	kill -INT "$capture" 2>/dev/null
	wait "$capture" 2>/dev/null
	check_match "$(tshark -r "$pcap" -T fields -e icmpv6.nd.ns.target_address 2>/dev/null | sort -u)" \
		"^$src$" "tshark: the probes asked for its global address"
	mn_move 0
	check "gone, it is found gone" busywait 30000 detached_at_maar2
}

# The same watch with [maar] shared_dlifs, where a DLIF's counters add up
# all its nodes and its raw socket does not say which node sent: quiet at
# MAAR1, the node is probed at the link-local of its RS and its answers
# (from that address, on the shared DLIF) keep it; talking without
# Neighbor Discovery at MAAR2, its binding's frame count keeps it; silent,
# it is found gone.
test_a_node_on_shared_dlifs_is_watched_like_any_other() {
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy maar.detach_after=5 maar.shared_dlifs=true
	dlifd_start_all || return 1
	nd_silent_node_at_maar1 || return 1
	# Unanswered, three probes would end it: a fourth says it answered.
	check "MAAR1 probes it on its shared DLIF, again and again" \
		busywait 60000 counter_at_least maar1 nud_probes 4
	check_no_match "$(grep 'event=mn.detached' "$RUN/maar1.log")" "mac=$MN_MAC" \
		"it answers, and stays attached"
	flows_start "$(mn_address_in 1)" || return 1

	arrive 2
	check "MAAR2 serves it" busywait 30000 has_address_in 2
	check "MAAR2 finds it sending three times (its binding's frames)" \
		busywait 60000 counter_at_least maar2 liveness_frames_seen 3
	check_no_match "$(grep 'event=mn.detached' "$RUN/maar2.log")" "mac=$MN_MAC" \
		"so it is never taken as gone"
	check "the TCP connection goes on" flow_survives
	flows_stop
	check "silent, it is found gone" busywait 30000 detached_at_maar2
}

test_only_listed_nodes_attach() {
	dlif_load || return 1
	dmm_net || return 1
	# The testbed's default: an allow-list of its mobile nodes.
	dlifd_configure proxy
	dlifd_start_all || return 1
	mn_move 1
	check "a listed node attaches" busywait 30000 has_address_in 1
	rs_flood 10000
	check "the flood is refused" busywait 30000 counter_at_least maar1 refused_not_authorised 100
	check_eq "$(bindings_total cmd)" 1 "and makes no binding but the node's"
	check_eq "$(bindings_total maar1)" 1 \
		"and no session but the node's"
}

run_tests \
	test_claims_in_spoofed_signalling_are_refused \
	test_replayed_pbu_does_not_move_the_node \
	test_binding_errors_only_to_peers \
	test_rs_flood_stays_bounded \
	test_nodes_gone_without_a_detach_event_are_found \
	test_a_node_that_talks_without_neighbor_discovery_stays_attached \
	test_a_node_heard_only_at_its_global_address_is_probed_there \
	test_a_node_on_shared_dlifs_is_watched_like_any_other \
	test_only_listed_nodes_attach
