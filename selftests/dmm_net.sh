#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The end-to-end DMM testbed of RFC 8885 Appendix B (requirements §5.2),
# from network namespaces (source it after lib.sh):
#
#                 CN       CMD
#                  |        |
#   core  ====+====+===+====+====+====   (bridge, 2001:db8:ff::/64)
#             |        |         |
#           MAAR1    MAAR2     MAAR3 --- LN (a local network behind MAAR1)
#             |        |         |
#   access  acc1     acc2      acc3      (bridges in the SW namespace)
#             \        |        /
#              '-- MN (one interface, moved between the access bridges)
#
# The mobile node is an unmodified Linux host: SLAAC, RFC 4191 routes
# accepted. A layer-2 handover moves its switch port to another access
# bridge and blips its carrier, as an access point change would: Linux
# then solicits routers again, which is how the new MAAR detects it.

CMD_ADDR=2001:db8:ff::100
MAAR_ADDR=("" 2001:db8:ff::1 2001:db8:ff::2 2001:db8:ff::3)
MAAR_POOL=("" 2001:db8:1000::/48 2001:db8:2000::/48 2001:db8:3000::/48)
MAAR_POOL_RE=("" "^2001:db8:1000:" "^2001:db8:2000:" "^2001:db8:3000:")
CN_ADDR=2001:db8:ff::200
ROGUE_ADDR=2001:db8:ff::66
LN_PREFIX=2001:db8:10::/48
LN_ADDR=2001:db8:10::100
MN_MAC=02:00:00:00:00:01
MN_MACS=()	# every mobile node of the testbed (mn_add)

dmm_net() {
	setup_ns CMD MAAR1 MAAR2 MAAR3 CN SW MN LN CORE ROGUE || return 1
	MAAR_NS=("" "$MAAR1" "$MAAR2" "$MAAR3")
	local i ns

	# Only mobile nodes solicit routers. The hosts of the core (CMD, CN,
	# ROGUE, LN) would otherwise send Router Solicitations whenever their
	# links come up; none may look like a node to a MAAR.
	for ns in "$CMD" "$CN" "$ROGUE" "$LN" "$MAAR1" "$MAAR2" "$MAAR3"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.router_solicitations=0
	done
	ip netns exec "$SW" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip netns exec "$CORE" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip -n "$CORE" link add br0 type bridge && ip -n "$CORE" link set br0 up

	# The core: CMD, MAARs and CN on one bridge.
	ip link add core0 netns "$CMD" type veth peer name p-cmd netns "$CORE"
	ip link add core0 netns "$CN" type veth peer name p-cn netns "$CORE"
	ip link add core0 netns "$ROGUE" type veth peer name p-rogue netns "$CORE"
	for i in 1 2 3; do
		ip link add core0 netns "${MAAR_NS[$i]}" type veth peer name p-maar$i netns "$CORE"
	done
	for p in p-cmd p-cn p-rogue p-maar1 p-maar2 p-maar3; do
		ip -n "$CORE" link set $p master br0 up
	done
	ip -n "$CMD" addr add $CMD_ADDR/64 dev core0 nodad
	ip -n "$CN" addr add $CN_ADDR/64 dev core0 nodad
	ip -n "$ROGUE" addr add $ROGUE_ADDR/64 dev core0 nodad
	for ns in "$CMD" "$CN" "$ROGUE"; do ip -n "$ns" link set core0 up; done
	for i in 1 2 3; do
		ns=${MAAR_NS[$i]}
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.forwarding=1
		ip -n "$ns" addr add ${MAAR_ADDR[$i]}/64 dev core0 nodad
		ip -n "$ns" link set core0 up
		ip -n "$CN" route add ${MAAR_POOL[$i]} via ${MAAR_ADDR[$i]}
	done
	# Each MAAR routes the other MAARs' pools to them (natively routed
	# prefixes must be reachable from everywhere, R13).
	for i in 1 2 3; do
		for j in 1 2 3; do
			[ "$i" = "$j" ] || ip -n "${MAAR_NS[$i]}" route add ${MAAR_POOL[$j]} via ${MAAR_ADDR[$j]}
		done
	done

	# The access links: one bridge per MAAR in SW.
	for i in 1 2 3; do
		ip -n "$SW" link add acc$i type bridge && ip -n "$SW" link set acc$i up
		ip link add acc netns "${MAAR_NS[$i]}" type veth peer name p-acc$i netns "$SW"
		ip -n "$SW" link set p-acc$i master acc$i up
		ip -n "${MAAR_NS[$i]}" link set acc up
	done

	# The local network behind MAAR1.
	ip link add eth0 netns "$LN" type veth peer name ln0 netns "$MAAR1"
	ip -n "$LN" addr add $LN_ADDR/64 dev eth0 nodad && ip -n "$LN" link set eth0 up
	ip -n "$MAAR1" addr add 2001:db8:10::1/64 dev ln0 nodad && ip -n "$MAAR1" link set ln0 up
	ip -n "$LN" route add default via 2001:db8:10::1

	mn_add MN $MN_MAC p-mn
}

# mn_add VAR MAC PORT: a mobile node (namespace in VAR): a plain Linux
# host that accepts RAs and RFC 4191 route information, on a link to the
# switch (port PORT there), not attached to any access link yet.
mn_add() {
	local var=$1 mac=$2 port=$3 ns
	[ -n "${!var:-}" ] || setup_ns "$var" || return 1
	ns=${!var}
	MN_MACS+=("$mac")
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_ra=1 \
		net.ipv6.conf.default.autoconf=1 \
		net.ipv6.conf.default.accept_ra_rtr_pref=1 \
		net.ipv6.conf.default.accept_ra_rt_info_max_plen=64 \
		net.ipv6.conf.default.accept_dad=0
	ip link add eth0 netns "$ns" address "$mac" type veth peer name "$port" netns "$SW"
	ip -n "$ns" link set eth0 up
}

# mn_move N [PORT]: a layer-2 handover of a node (its switch port, p-mn by
# default) to MAAR N's access link (0: out of every access link).
mn_move() {
	local port=${2:-p-mn}
	ip -n "$SW" link set "$port" down
	ip -n "$SW" link set "$port" nomaster
	[ "$1" = 0 ] && return 0
	ip -n "$SW" link set "$port" master acc$1
	ip -n "$SW" link set "$port" up
}

# The node's global addresses, one per line: "ADDRESS FLAGS" where FLAGS
# has "deprecated" for a deprecated address.
mn_addresses() {	# [NS]
	ip -n "${1:-$MN}" -6 -o addr show dev eth0 scope global |
		awk '{ a = $4; sub("/.*", "", a); f = ""; for (i = 5; i <= NF; i++) if ($i == "deprecated") f = "deprecated"; print a, f }'
}

# mn_address_in N [NS]: the node's address in MAAR N's pool (empty if none).
mn_address_in() {
	mn_addresses "${2:-}" | awk -v re="${MAAR_POOL_RE[$1]}" '$1 ~ re { print $1; exit }'
}

mn_address_state() {	# address: "preferred", "deprecated" or "absent"
	local line
	line=$(mn_addresses | awk -v a="$1" '$1 == a')
	if [ -z "$line" ]; then echo absent
	elif [[ "$line" == *deprecated* ]]; then echo deprecated
	else echo preferred
	fi
}

# Predicates for busywait.
has_address_in() { test -n "$(mn_address_in "$1" "${2:-}")"; }	# N [NS]
address_state_is() { test "$(mn_address_state "$1")" = "$2"; }	# ADDRESS STATE
