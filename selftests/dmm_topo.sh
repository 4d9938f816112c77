#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The data-plane test topology of one handover, built from network
# namespaces (source it after lib.sh):
#
#   MN --- access --- MAAR2 ===core=== MAAR1 --- CN
#                                 |
#                               ROGUE   (a third node on the core)
#
# Prefix A (2001:db8:a::/64) is anchored at MAAR1 and the mobile node is
# served at MAAR2, which shows it a DLIF mirroring MAAR1's (same MAC and
# addresses). The functions below set up each end either with dlif or
# with stock Linux pieces (ip6tnl and routes) for interoperability.

PREFIX_A=2001:db8:a::/64
MN_ADDR=2001:db8:a::100
MN_MAC=02:00:00:00:00:01
MAAR1_DLIF_MAC=02:11:22:33:01:01
MAAR1_DLIF_LL=fe80::11:22ff:fe33:101
MAAR1_CORE=2001:db8:ff::1
MAAR2_CORE=2001:db8:ff::2
ROGUE_CORE=2001:db8:ff::66
CN_ADDR=2001:db8:c::100

# Namespaces, links and addresses; no tunnelling yet.
dmm_topo_base() {
	setup_ns MN MAAR1 MAAR2 CN CORE ROGUE || return 1
	# One process per namespace where it can (nsbatch): the debug kernel
	# pays about half a second for each.
	ip netns exec "$MAAR1" sysctl -qw net.ipv6.conf.all.forwarding=1 || return 1
	ip netns exec "$MAAR2" sysctl -qw net.ipv6.conf.all.forwarding=1 || return 1
	ip netns exec "$MN" sysctl -qw net.ipv6.conf.default.router_solicitations=0 || return 1
	ip netns exec "$CORE" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 || return 1

	# The core (a bridge joining MAAR1, MAAR2 and ROGUE), the CN behind
	# MAAR1, and the access links: MN on MAAR2's; MAAR1's has nobody on
	# it now.
	ip -batch - <<-EOF || return 1
		link add core0 netns $MAAR1 type veth peer name c1 netns $CORE
		link add core0 netns $MAAR2 type veth peer name c2 netns $CORE
		link add core0 netns $ROGUE type veth peer name c3 netns $CORE
		link add eth0 netns $CN type veth peer name cn0 netns $MAAR1
		link add eth0 netns $MN address $MN_MAC type veth peer name acc netns $MAAR2
	EOF
	nsbatch "$CORE" <<-EOF || return 1
		link add br0 type bridge
		link set br0 up
		link set c1 master br0 up
		link set c2 master br0 up
		link set c3 master br0 up
	EOF
	nsbatch "$MAAR1" <<-EOF || return 1
		addr add $MAAR1_CORE/64 dev core0 nodad
		link set core0 up
		addr add 2001:db8:c::1/64 dev cn0 nodad
		link set cn0 up
		link add acc type veth peer name acc-peer
		link set acc-peer up
		link set acc up
	EOF
	nsbatch "$MAAR2" <<-EOF || return 1
		addr add $MAAR2_CORE/64 dev core0 nodad
		link set core0 up
		link set acc up
	EOF
	nsbatch "$ROGUE" <<-EOF || return 1
		addr add $ROGUE_CORE/64 dev core0 nodad
		link set core0 up
	EOF
	nsbatch "$CN" <<-EOF || return 1
		addr add $CN_ADDR/64 dev eth0 nodad
		link set eth0 up
		route add default via 2001:db8:c::1
	EOF
	nsbatch "$MN" <<-EOF
		link set eth0 up
		addr add $MN_ADDR/64 dev eth0 nodad
	EOF
}

# MAAR1 anchors A for the node, away: its DLIF keeps the route, the
# anchor entry sends what is routed into it to MAAR2.
dmm_anchor_dlif() {	# [extra dlifctl route args]
	nsbatch "$MAAR1" <<-EOF || return 1
		link add link acc name m1 address $MAAR1_DLIF_MAC broadcast $MN_MAC type dlif
		link set m1 up
		addr add 2001:db8:a::1/64 dev m1 nodad
	EOF
	ip netns exec "$MAAR1" "$DLIFCTL" route add $PREFIX_A role anchor \
		peer $MAAR2_CORE local $MAAR1_CORE dev m1 "$@"
}

# MAAR2 serves the node with a DLIF mirroring MAAR1's, named
# $SERVING_DLIF (m1 unless set).
dmm_serving_dlif() {	# [extra dlifctl route args]
	local dev=${SERVING_DLIF:-m1}
	nsbatch "$MAAR2" <<-EOF || return 1
		link add link acc name $dev address $MAAR1_DLIF_MAC broadcast $MN_MAC type dlif
		link set $dev up
		addr add 2001:db8:a::1/64 dev $dev nodad
	EOF
	ip netns exec "$MAAR2" "$DLIFCTL" route add $PREFIX_A role serving \
		peer $MAAR1_CORE local $MAAR2_CORE dev $dev "$@" || return 1
	ip -n "$MN" route replace default via $MAAR1_DLIF_LL dev eth0
}

# Stock Linux at MAAR1: ip6tnl and a plain route for A.
dmm_anchor_ip6tnl() {
	ip -n "$MAAR1" -6 tunnel add t0 mode ip6ip6 local $MAAR1_CORE \
		remote $MAAR2_CORE dev core0 || return 1
	ip -n "$MAAR1" link set t0 up
	ip -n "$MAAR1" route add $PREFIX_A dev t0
}

# Stock Linux at MAAR2: ip6tnl, a source-specific default route for A
# (the OPMIP way) and A on the plain access link.
dmm_serving_ip6tnl() {
	ip -n "$MAAR2" -6 tunnel add t0 mode ip6ip6 local $MAAR2_CORE \
		remote $MAAR1_CORE dev core0 || return 1
	ip -n "$MAAR2" link set t0 up
	ip -n "$MAAR2" route add default from $PREFIX_A dev t0
	ip -n "$MAAR2" route add $PREFIX_A dev acc
	ip -n "$MN" route replace default via "$(ip -n "$MAAR2" -6 -br addr show acc scope link |
		awk '{ sub("/.*", "", $3); print $3 }')" dev eth0
}

ping_ok() {	# ns destination [ping args]
	local ns=$1 dst=$2
	shift 2
	ip netns exec "$ns" ping -c 3 -i 0.2 -W 3 "$@" "$dst" >/dev/null 2>&1 ||
		ip netns exec "$ns" ping -c 3 -i 0.5 -W 3 "$@" "$dst" >/dev/null 2>&1
}

# entry_stat NS PREFIX COUNTER: one counter of an entry (dlifctl -j -s).
entry_stat() {
	ip netns exec "$1" "$DLIFCTL" -j -s route get "$2" |
		python3 -c 'import json,sys; d=json.load(sys.stdin); d=d[0] if isinstance(d,list) else d; print(d["stats"][sys.argv[1]])' "$3"
}
