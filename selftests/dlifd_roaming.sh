#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end DMM with dlifd, once per CMD mode (relay, locator with shared
# DLIFs, proxy as an unprivileged user): an
# unmodified Linux node roams MAAR1 -> MAAR2 -> MAAR3 with a long-lived
# TCP connection and a ping on its first address. At each step: the new
# local prefix is preferred and the old ones deprecated but valid, the
# TCP connection survives, the ping recovers, a new connection uses the
# new prefix, the CN reaches every address, the node's routers keep their
# link-local and MAC addresses, the tunnel ends are where RFC 8885 puts
# them (no chaining), rdisc6 hears each router's RA, and the captured
# signalling, decoded by tshark, follows requirements §4.1-4.4 for the
# mode. The handover latency (the
# new MAAR's attachment to both tunnel ends installed) is reported.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dmm_net.sh"
source "$(dirname "$0")/dlifd_lib.sh"

# The node's link-layer address for a router link-local, from its
# neighbour table ("" if unknown).
router_mac() {
	ip -n "$MN" -6 neigh show dev eth0 | awk -v ll="$1" '$1 == ll { for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'
}

default_routers() {
	ip -n "$MN" -6 route show default | grep -o 'via [^ ]*' | awk '{ print $2 }' | sort
}

# handover_latency NEW OLD...: from NEW's attachment of the node (its log)
# to the last of the tunnel ends installed (NEW's serving entries, the
# P-MAARs' anchor entries toward NEW), from the entry monitors.
handover_latency() {
	local new=$1 attach
	shift
	attach=$(attach_time "$new")
	[ -n "$attach" ] || return 1
	attach=$(epoch "$attach")
	TZ=UTC awk -v a="$attach" -v own="$RUN/monitor-$new" -v new="${MAAR_ADDR[${new#maar}]}" "$AWK_EPOCH_OF"'
		($2 == "added" || $2 == "replaced") && (FILENAME == own || $0 ~ "role anchor peer " new) {
			t = epoch_of($1)
			if (t > last) last = t
		}
		END { if (last) printf "%d\n", (last - a) * 1000; else exit 1 }' \
		"$RUN/monitor-$new" "${@/#/$RUN/monitor-}"
}

# answered_before_departure NODE DLIF: NODE, a previous MAAR now, sent its
# first PBA before DLIF (the node's, left behind) went: its netdevice or,
# on a shared one, its binding (Executor::defer_departures).
answered_before_departure() {
	local pba gone
	pba=$(grep -n 'event=mh.sent type=PBA' "$RUN/$1.log" | head -1 | cut -d: -f1)
	gone=$(grep -nE "event=dlif\.(removed|unbound) dlif=$2( |\$)" "$RUN/$1.log" | tail -1 | cut -d: -f1)
	[ -n "$pba" ] && [ -n "$gone" ] && [ "$pba" -lt "$gone" ]
}

# rdisc6 (ndisc6) judges the RAs: the node solicits, and each of its
# routers must answer with hop limit 255 (rdisc6 ignores any other), from
# the link-local the node already knows, with the MAC it already knows,
# and with the MTU the node took from the RAs.
ras_judged() {	# where routers
	local where=$1 routers=$2 heard ll mtu
	heard=$(ip netns exec "$MN" rdisc6 -m -r 1 -w 3000 eth0 2>/dev/null | awk '
		/Source link-layer address/ { mac = tolower($NF) }
		/^ MTU / { mtu = $(NF - 2) }
		/^ from / { print $2, mac, mtu; mac = mtu = "" }' | sort -u)
	check_eq "$(grep -c . <<<"$heard")" "$routers" "$where: rdisc6 hears an RA from each router"
	mtu=$(ip netns exec "$MN" sysctl -n net.ipv6.conf.eth0.mtu)
	for ll in $(default_routers); do
		check_eq "$(awk -v ll="$ll" '$1 == ll { print $2, $3 }' <<<"$heard")" "${ROUTER_MAC[$ll]} $mtu" \
			"$where: rdisc6: router $ll with its MAC and MTU $mtu"
	done
}

# Checks after the node arrived at MAAR k, having visited the MAARs in
# VISITED (addresses ADDR[visit] kept).
check_arrival() {
	local k=$1 where="at MAAR$1" a j src mac
	shift
	check "$where: the node got an address in MAAR$k's prefix" busywait 30000 has_address_in "$k"
	ADDR[$k]=$(mn_address_in "$k")
	check_eq "$(mn_address_state "${ADDR[$k]}")" preferred "$where: the local prefix is preferred"
	for j in "$@"; do
		check "$where: MAAR$j's address is deprecated" \
			busywait 20000 address_state_is "${ADDR[$j]}" deprecated
	done
	if [ -n "${FLOW_PID:-}" ]; then
		check "$where: the TCP connection on the first address survives" flow_survives
		check "$where: the ping on the first address recovers" ping_recovers
	fi
	if [ -n "${FLOW_PID:-}" ]; then
		src=$(new_connection_source)
		check_match "$src" "${MAAR_POOL_RE[$k]}" "$where: a new connection uses the local prefix"
	fi
	for j in "$k" "$@"; do
		check "$where: the CN reaches the node at MAAR$j's address" \
			ip netns exec "$CN" ping -c 2 -i 0.3 -W 3 "${ADDR[$j]}"
	done
	# The routers the node sees: one per anchoring MAAR, each with the same
	# link-local and MAC wherever the node is.
	check_eq "$(default_routers | wc -l)" $(($# + 1)) "$where: one default router per anchoring MAAR"
	for ll in $(default_routers); do
		mac=$(router_mac "$ll")
		if [ -n "${ROUTER_MAC[$ll]:-}" ]; then
			check_eq "$mac" "${ROUTER_MAC[$ll]}" "$where: router $ll kept its MAC"
		else
			ROUTER_MAC[$ll]=$mac
		fi
	done
}

# MAAR's metrics time its registrations (dlifctl counters' "latency"),
# in a form Prometheus's own checker accepts.
registration_timed() {	# NODE
	local metrics phase
	metrics=$(ctl_node "$1" metrics 2>/dev/null)
	for phase in attach_to_registered pbu_to_pba attach_to_kernel_applied pba_to_kernel_applied; do
		check_match "$metrics" "^dlifd_latency_seconds_count\\{phase=\"$phase\"\\} [1-9]" \
			"${1^^} timed its registrations: $phase"
	done
	if command -v promtool >/dev/null; then
		check "promtool accepts ${1^^}'s metrics" bash -c 'promtool check metrics <<<"$1"' _ "$metrics"
	fi
	ktap_diag "${1^^}: attach to registered: $(ctl_node "$1" -j counters | python3 -c '
import json, sys
h = json.load(sys.stdin)["latency"]["attach_to_registered"]
print("%d registrations, p50 %.1f ms, p99 %.1f ms" % (h["count"], h["p50_ms"], h["p99_ms"]))')"
}

# roam MODE [KEY=VALUE...]: the walk, dlifd configured with the settings.
roam() {
	local mode=$1 lat
	shift
	declare -gA ADDR=() ROUTER_MAC=()
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure "$mode" "$@"
	dlifd_start_all || return 1
	capture_start
	monitors_start

	# The first attachment: the node's own Router Solicitation, from a MAC
	# without DLIFs, reaches MAAR1's dlifd.
	mn_move 1
	check_arrival 1
	[ -n "${ADDR[1]}" ] || return 1
	check_eq "$(entries_of maar1 | grep -v -e local-export -e attached)" "" "at MAAR1: no tunnel for a node at home"
	flows_start "${ADDR[1]}" || { fail "the flows did not start"; return 1; }

	# A layer-2 handover: the access point tells the new MAAR (dlifctl
	# attach), as it would over its integration; Linux does not solicit
	# routers again after a carrier change.
	mn_move 2
	ctl_node maar2 attach acc $MN_MAC
	check_arrival 2 1
	check_match "$(entries_of maar2)" "^$(prefix64 "${ADDR[1]}") serving $M1$" "MAAR2 serves A from MAAR1"
	check_match "$(entries_of maar1)" "anchor $M2$" "MAAR1 anchors A toward MAAR2"
	lat=$(handover_latency maar2 maar1) && ktap_diag "$mode: handover MAAR1 -> MAAR2: ${lat} ms"

	mn_move 3
	ctl_node maar3 attach acc $MN_MAC
	check_arrival 3 1 2
	check_match "$(entries_of maar3)" "serving $M1$" "MAAR3 serves A from MAAR1"
	check_match "$(entries_of maar3)" "serving $M2$" "MAAR3 serves B from MAAR2"
	check_match "$(entries_of maar1)" "anchor $M3$" "MAAR1 re-pointed A to MAAR3"
	check_match "$(entries_of maar2)" "anchor $M3$" "MAAR2 anchors B toward MAAR3"
	check_no_match "$(entries_of maar1; entries_of maar2)" "serving|(anchor|local-net) 2001:db8:ff::[12]$" \
		"no tunnel left between MAAR1 and MAAR2 (no chaining)"
	lat=$(handover_latency maar3 maar1 maar2) && ktap_diag "$mode: handover MAAR2 -> MAAR3: ${lat} ms"
	check "MAAR2 answered before it deleted the node's DLIF of MAAR1" answered_before_departure maar2 mn1mar1
	ras_judged "at MAAR3" 3
	registration_timed maar3

	capture_stop
	signalling >"$RUN/signalling.txt"
	local problems
	problems=$(python3 "$SELFTESTS/tools/check_signalling.py" "$mode" "$CMD_ADDR" "$M1" "$M2" "$M3" \
		<"$RUN/signalling.txt")
	check_eq "$problems" "" "the signalling follows RFC 8885 §3 ($mode)"
	[ -z "$problems" ] || sed 's/^/#   /' "$RUN/signalling.txt"
}

test_relay() { roam relay; }

shared_netdevices_are() { test "$(shared_netdevices "$1" | grep -c '^dls')" = "$2"; }	# MAAR N

# Locator mode with the MAARs' [maar] shared_dlifs (relay and proxy give
# each node DLIFs of its own): the same walk, each MAAR holding one DLIF
# per anchoring MAAR on its access link (the node a binding on it), none
# of the node's own, and every prefix's entry naming the node.
test_locator() {
	roam locator maar.shared_dlifs=true maar.shared_dlif_linger=1 || return 1
	local i
	for i in 1 2; do
		check_no_match "$(shared_netdevices "$i")" "^mn" "MAAR$i: no DLIF of the node's own"
		check "MAAR$i: the node is a binding on a shared DLIF" test "$(node_bindings "$i")" -ge 1
	done
	# MAAR2 no longer shows the node MAAR1: that netdevice, idle, is
	# deleted after the linger time ([maar] shared_dlif_linger = 1); the
	# one of MAAR2's own prefix, still the node's, stays.
	check "MAAR2: the shared DLIF the node left is deleted once idle" \
		busywait 10000 shared_netdevices_are 2 1
	check_eq "$(node_bindings 2)" 1 "MAAR2: the node bound to the other"
	# MAAR3 serves the node with prefixes of all three MAARs: one
	# netdevice each, the node bound to each with its router's identity.
	check_node_on_shared_dlifs 3 3
	check_match "$(ctl_node maar3 route show)" "attached .*mn $MN_MAC" \
		"MAAR3: the local prefix's entry names the node"
	check_match "$(ctl_node maar3 -j mn show "$MN_MAC")" '"device": *"dls[0-9]+"' \
		"MAAR3: mn show names the shared netdevices"
	# A previous prefix's entry is set once where the node arrives (the
	# core's, not an attached one first) and goes with the node's binding
	# where it leaves (not handed back to the DLIF first).
	local a1 a2
	a1=$(prefix64 "${ADDR[1]}")
	a2=$(prefix64 "${ADDR[2]}")
	check_no_match "$(cat "$RUN/monitor-maar2")" "$a1 role attached" \
		"MAAR2: MAAR1's prefix never attached, arriving or leaving"
	check_no_match "$(cat "$RUN/monitor-maar3")" "($a1|$a2) role attached" \
		"MAAR3: MAAR1's and MAAR2's prefixes never attached"
	check_match "$(cat "$RUN/monitor-maar3")" "$(prefix64 "${ADDR[3]}") role attached" \
		"MAAR3: its own prefix attached to the node's DLIF"
}

# Proxy mode with every dlifd as an unprivileged user holding only
# CAP_NET_ADMIN and CAP_NET_RAW, as the systemd unit runs it.
test_proxy() {
	DLIFD_USER=nobody roam proxy || return 1
	local node user
	for node in cmd maar1 maar2 maar3; do
		user=PID_$node
		user=$(ps -o user= -p "${!user}")
		check_eq "$user" nobody "dlifd $node ran as nobody"
	done
}

run_tests test_relay test_locator test_proxy
