#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job of `make demo`, run inside the test VM: the RFC 8885
# testbed (a CMD, three MAARs running dlifd, a correspondent node and an
# unmodified Linux mobile node) and a roam MAAR1 -> MAAR2 -> MAAR3 -> MAAR1
# with a TCP connection and a ping running from the node's first address.
# MODE=direct: no CMD; the MAARs signal each other and keep their
# records in a session database (a one-member etcd on the core).
# MODE=inter-domain: MAAR3 belongs to a partner operator; the node keeps
# its home prefixes there through its home domain's CMD as home LMA,
# which relays them between two tunnels (seed 004 §5).
# A live timeline shows where the node is, its addresses and their state,
# whether its flows are alive, and the signalling the nodes exchange; a
# summary ends it.

cd "$(dirname "$0")/.." || exit 1
DLIF_SRC=$PWD
source selftests/lib.sh
source selftests/dmm_net.sh
source selftests/dlifd_lib.sh

T0=$(date +%s.%N)
BOLD=$'\033[1m' DIM=$'\033[2m' OFF=$'\033[0m'

say() {	# a timeline line
	printf '%s[%6.1fs]%s %s\n' "$DIM" "$(echo "$(date +%s.%N) - $T0" | bc)" "$OFF" "$*"
}

headline() {
	printf '\n%s== %s%s\n' "$BOLD" "$*" "$OFF"
}

# The node as it sees itself: addresses with their state, default routers.
show_node() {
	mn_addresses | while read -r addr state; do
		say "   node address $addr ${state:-preferred}"
	done
	ip -n "$MN" -6 route show default | grep -o 'via [^ ]*' | while read -r _ ll; do
		say "   default router $ll (MAC $(ip -n "$MN" -6 neigh show "$ll" dev eth0 | awk '{ print $3 }'))"
	done
}

show_flows() {
	say "   TCP connection from ${ADDR1}: $(flow_field echoed) lines echoed, error: $(flow_field error);" \
		"ping: $(ping_replies) replies"
}

# The signalling as the daemons log it, since the last call.
SEEN=0
show_signalling() {
	local names="s/${CMD_ADDR}/CMD/g"
	local i
	for i in 1 2 3; do names+="; s/${MAAR_ADDR[$i]}/MAAR$i/g"; done
	cat "$RUN"/cmd.log "$RUN"/maar[123].log 2>/dev/null | grep 'event=mh.sent' | sort |
		sed -n "$((SEEN + 1)),\$p" |
		sed -E 's/.*type=([A-Z]+) src=([^ ]+) dst=([^ ]+) seq=([0-9]+).* flags=([A-Z]*).*/\2 -> \3: \1 seq \4 flags \5/' |
		sed -e "$names" | while read -r line; do say "   signalling: $line"; done
	SEEN=$(cat "$RUN"/cmd.log "$RUN"/maar[123].log 2>/dev/null | grep -c 'event=mh.sent')
}

wait_address() {	# MAAR number
	busywait 30000 has_address_in "$1"
}

visit() {	# MAAR number, how
	local k=$1
	headline "The node moves to MAAR$k"
	mn_move "$k"
	if [ "${2:-}" = rs ]; then
		say "layer-2 attachment to MAAR$k's access link; the node solicits routers"
	else
		ctl_node "maar$k" attach acc $MN_MAC >/dev/null
		say "layer-2 handover to MAAR$k; the access point notifies MAAR$k (dlifctl attach)"
	fi
	wait_address "$k"
	sleep 2
	show_signalling
	show_node
	[ -n "${ADDR1:-}" ] && show_flows
	say "   MAAR$k's tunnels: $(entries_of "maar$k" | grep -v local-export | awk '{ printf "%s %s via %s; ", $1, $2, $3 }')"
	if [ "${MODE:-proxy}" = inter-domain ]; then
		ip -n "$CMD" -6 rule show | grep 'iif dlr' | while read -r rule; do say "   home LMA rule: $rule"; done
		ip -n "$CMD" -6 route show | grep 'dev dlr' | while read -r route; do say "   home LMA route: $route"; done
	fi
}

trap cleanup_all EXIT
modprobe dlif || exit 1
headline "dlif demo on Linux $(uname -r): RFC 8885 distributed mobility management"
say "building the testbed: CMD, MAAR1-3 and CN on a core bridge, an access bridge per MAAR, the mobile node"
dmm_net || exit 1
RUN=$(mktemp -d /tmp/dlifd-demo-XXXXXX)
if [ "${MODE:-proxy}" = direct ]; then
	etcd_start || exit 1
	dlifd_configure_direct
	for k in 1 2 3; do
		dlifd_start "maar$k" || exit 1
	done
	say "direct mode: no CMD; dlifd runs on each MAAR, with the session database on etcd at $ETCD_URL"
elif [ "${MODE:-proxy}" = inter-domain ]; then
	dlifd_configure_two_domains
	dlifd_start_all || exit 1
	say "two operators: the home domain (CMD = home LMA, MAAR1, MAAR2) and a partner's (MAAR3, direct mode)"
else
	dlifd_configure "${MODE:-proxy}"
	dlifd_start_all || exit 1
	say "dlifd runs on the CMD (${MODE:-proxy} mode) and on each MAAR"
fi

visit 1 rs
ADDR1=$(mn_address_in 1)
headline "Flows from the node's first address ${ADDR1}"
flows_start "$ADDR1"
show_flows
sleep 3
visit 2
sleep 3
show_flows
visit 3
sleep 3
show_flows
visit 1
sleep 3
show_flows

headline "Summary"
say "the node visited MAAR1, MAAR2, MAAR3 and came back to MAAR1"
[ "${MODE:-proxy}" = inter-domain ] &&
	say "MAAR3 is a partner operator's; relay rules left at the home LMA: $(ip -n "$CMD" -6 rule show | grep -c 'iif dlr')"
show_node
if [ "$(flow_field error)" = None ]; then
	say "the TCP connection from ${ADDR1} survived every move: $(flow_field echoed) lines echoed"
else
	say "the TCP connection from ${ADDR1} broke: $(flow_field error)"
fi
say "the ping from ${ADDR1}: $(ping_replies) replies, $(grep -c 'Destination unreachable\|no answer' "$RUN/ping.log") errors"
for k in 1 2 3; do
	say "MAAR$k: $(ctl_node "maar$k" dev show | grep -c .) DLIFs;" \
		"tunnels: $(entries_of "maar$k" | grep -v local-export | awk '{ printf "%s %s via %s; ", $1, $2, $3 }')"
done
if [ "${MODE:-proxy}" = direct ]; then
	ip netns exec "$CN" env ETCDCTL_API=3 etcdctl --endpoints "$ETCD_URL" get --prefix /dlif/sessions/ |
		paste - - | while read -r key value; do say "session database: $key $value"; done
	[ "$(flow_field error)" = None ]
	exit
fi
say "CMD binding: $(ctl_node cmd -j mn list | python3 -c '
import json, sys
for b in json.load(sys.stdin):
    prev = ", ".join(p["maar"] + " (" + " ".join(p["prefixes"]) + ")" for p in b.get("previous_maars", []))
    print(b["mn"], "served by", b["serving_maar"] + ", previous MAARs:", prev or "none")
')"
[ "$(flow_field error)" = None ]
