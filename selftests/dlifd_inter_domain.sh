#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inter-domain session continuity through the home LMA (seed 004 §5,
# R112-R116). Two operators on the testbed's core:
# - the home domain (realm dlif.example): the CMD with MAAR1 and MAAR2,
#   proxy mode; the CMD is also the home LMA ([cmd.roaming]);
# - a partner domain (realm partner.example): MAAR3 alone, in direct
#   mode, which knows the node by its home MN-ID (its policy file) and
#   reaches its home prefixes through the LMA ([[maar.home_lma]]).
#
# - home_lma_walk: an unmodified Linux host with a TCP connection and a
#   ping on its MAAR1 address moves MAAR1 -> MAAR2 -> MAAR3 -> MAAR1. At
#   MAAR3 the flows survive; each home prefix is deprecated under a DLIF
#   with its home MAAR's identity (R116), as at home; MAAR1 and MAAR2
#   tunnel them to the LMA and MAAR3 to the LMA, never to each other; the
#   LMA relays each between stock ip6tnl devices by a route and a rule.
#   tshark sees the two exchanges (MAAR3 <-> LMA and LMA <-> MAAR1, MAAR2)
#   and the node's packets going MAAR1 -> LMA -> MAAR3 and back. After the
#   return, the flows survive, MAAR2 tunnels its prefix to MAAR1, and no
#   tunnel, route or rule remains at the LMA. The home MAARs share their
#   DLIFs ([maar] shared_dlifs), the partner's MAAR3 gives the node DLIFs
#   of its own: each layout meets the other's signalling.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dmm_net.sh"
source "$(dirname "$0")/dlifd_lib.sh"


lma_links() { ip -n "$CMD" -o link show type ip6tnl | awk -F': ' '{ print $2 }' | sed 's/@.*//' | grep '^dlr' | sort | tr '\n' ' '; }
lma_rules() { ip -n "$CMD" -6 rule show | grep -c 'iif dlr'; }
lma_has_no_relay() { [ -z "$(lma_links)" ] && [ "$(lma_rules)" = 0 ] && ! ip -n "$CMD" -6 route show | grep -q 'dev dlr'; }

# IPv6-in-IPv6 packets on the core between two addresses, whose inner
# packet is the node's (to or from address $3).
tunnelled() {	# SRC DST NODE_ADDRESS
	tshark -r "$RUN/data.pcap" -Y "ipv6.src == $1 and ipv6.dst == $2 and ipv6.nxt == 41 and ipv6.addr == $3" \
		-T fields -e frame.number 2>/dev/null | grep -c .
}

test_home_lma_walk() {
	local a1 a2 a3 p1 p2 problems
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure_two_domains maar.shared_dlifs=true
	dlifd_start cmd || return 1
	for k in 1 2 3; do
		dlifd_start "maar$k" || return 1
	done
	capture_start

	mn_move 1
	check "at MAAR1: the node got an address in MAAR1's prefix" busywait 30000 has_address_in 1
	a1=$(mn_address_in 1)
	[ -n "$a1" ] || return 1
	p1=$(prefix64 "$a1")
	flows_start "$a1" || { fail "the flows did not start"; return 1; }

	ip netns exec "$CORE" tcpdump -n -U -i any -Q in -w "$RUN/data.pcap" 'ip6 proto 41' \
		2>"$RUN/tcpdump-data.log" &
	defer kill $!
	busywait 20000 grep -q "listening on" "$RUN/tcpdump-data.log"

	arrive 2
	check "at MAAR2: the node has an address in MAAR2's prefix" busywait 30000 has_address_in 2
	a2=$(mn_address_in 2)
	p2=$(prefix64 "$a2")
	check "at MAAR2: the TCP connection on the first address survives" flow_survives
	check_match "$(entries_of maar1)" "^$p1 anchor $M2$" "at MAAR2: MAAR1 tunnels the first prefix to MAAR2"

	arrive 3
	check "at MAAR3: the node has an address in MAAR3's prefix" busywait 30000 has_address_in 3
	a3=$(mn_address_in 3)
	check "at MAAR3: MAAR3's prefix is preferred" busywait 20000 address_state_is "$a3" preferred
	check "at MAAR3: the first home address is deprecated" busywait 20000 address_state_is "$a1" deprecated
	check "at MAAR3: the second home address is deprecated" busywait 20000 address_state_is "$a2" deprecated
	check "at MAAR3: the TCP connection on the home address survives" flow_survives
	check "at MAAR3: the ping on the home address recovers" ping_recovers
	check "at MAAR3: the CN reaches the node at its first home address" ip netns exec "$CN" ping -c 2 -i 0.3 -W 3 "$a1"
	check "at MAAR3: the CN reaches the node at its second home address" ip netns exec "$CN" ping -c 2 -i 0.3 -W 3 "$a2"
	check "at MAAR3: the CN reaches the node at MAAR3's address" ip netns exec "$CN" ping -c 2 -i 0.3 -W 3 "$a3"
	check_match "$(entries_of maar1)" "^$p1 anchor $CMD_ADDR$" "MAAR1 tunnels the home prefix to the LMA"
	check_match "$(entries_of maar2)" "^$p2 anchor $CMD_ADDR$" "MAAR2 tunnels its prefix to the LMA"
	check_match "$(entries_of maar3)" "^$p1 serving $CMD_ADDR$" "MAAR3 tunnels the first home prefix to the LMA"
	check_match "$(entries_of maar3)" "^$p2 serving $CMD_ADDR$" "MAAR3 tunnels the second home prefix to the LMA"
	check_eq "$(lma_links)" "dlra1 dlra2 dlrv1 " "the LMA has an ip6tnl to MAAR1, MAAR2 and MAAR3"
	check_match "$(ip -n "$CMD" -6 route show "$p1")" "dev dlrv1" "the LMA routes the first home prefix to MAAR3"
	check_match "$(ip -n "$CMD" -6 route show "$p2")" "dev dlrv1" "the LMA routes the second home prefix to MAAR3"
	check_match "$(ip -n "$CMD" -6 rule show)" "from $p1 iif dlrv1 lookup 10001" \
		"the LMA's rule sends the first prefix's uplink to MAAR1's table"
	check_match "$(ip -n "$CMD" -6 rule show)" "from $p2 iif dlrv1 lookup 10002" \
		"the LMA's rule sends the second prefix's uplink to MAAR2's table"
	check_match "$(ip -n "$CMD" -6 route show table 10001)" "default dev dlra1" "table 10001 leads to MAAR1"
	check_match "$(ip -n "$CMD" -6 route show table 10002)" "default dev dlra2" "table 10002 leads to MAAR2"
	check_match "$(dlifs_of maar3)" "mar3: .* maar $M1( |$)" "MAAR3 shows the node a DLIF for MAAR1"
	check_match "$(dlifs_of maar3)" "mar4: .* maar $M2( |$)" "and one for MAAR2"
	check_eq "$(counter cmd visited_handovers)" 1 "the LMA counted the visit"

	sleep 1
	check "packets of the node go MAAR1 -> LMA" test "$(tunnelled "$M1" "$CMD_ADDR" "$a1")" -gt 0
	check "and LMA -> MAAR3" test "$(tunnelled "$CMD_ADDR" "$M3" "$a1")" -gt 0
	check "and back MAAR3 -> LMA" test "$(tunnelled "$M3" "$CMD_ADDR" "$a1")" -gt 0
	check "and LMA -> MAAR1" test "$(tunnelled "$CMD_ADDR" "$M1" "$a1")" -gt 0
	check_eq "$(tunnelled "$M1" "$M3" "$a1")$(tunnelled "$M3" "$M1" "$a1")$(tunnelled "$M2" "$M3" "$a2")$(tunnelled "$M3" "$M2" "$a2")" "0000" \
		"no tunnel between the two operators' MAARs"

	arrive 1
	check "back at MAAR1: the home address is preferred again" busywait 30000 address_state_is "$a1" preferred
	check "back at MAAR1: the TCP connection survives" flow_survives
	check "back at MAAR1: the ping recovers" ping_recovers
	check "back at MAAR1: the second home address is reachable" ip netns exec "$CN" ping -c 2 -i 0.3 -W 3 "$a2"
	check_no_match "$(entries_of maar1)" "^$p1 anchor" "MAAR1 routes the home prefix natively again"
	check_match "$(entries_of maar2)" "^$p2 anchor $M1$" "MAAR2 tunnels its prefix to MAAR1 again"
	check_node_on_shared_dlifs 1 2
	check "no tunnel, route or rule remains at the LMA" busywait 10000 lma_has_no_relay
	capture_stop

	signalling >"$RUN/signalling.txt"
	problems=$(python3 - "$CMD_ADDR" "$M1" "$M2" "$M3" "$RUN/signalling.txt" <<-'EOF'
	import sys
	lma, m1, m2, m3, path = sys.argv[1:]
	seen = set()
	for line in open(path):
	    f = line.split()
	    src, dst, kind = f[1], f[2], f[3]
	    seen.add((src, dst, kind))
	    if m3 in (src, dst) and lma not in (src, dst):
	        print("a message between the operators' MAARs:", line.strip())
	for want in [(m3, lma, "PBU"), (lma, m3, "PBA"), (lma, m1, "PBU"), (m1, lma, "PBA"), (lma, m2, "PBU"), (m2, lma, "PBA")]:
	    if want not in seen:
	        print("no %s %s -> %s" % (want[2], want[0], want[1]))
	EOF
	)
	check_eq "$problems" "" "tshark: PBU/PBA MAAR3 <-> LMA and LMA <-> MAAR1, MAAR2; none between the domains' MAARs"
	[ -z "$problems" ] || sed 's/^/#   /' "$RUN/signalling.txt"
}

run_tests test_home_lma_walk
