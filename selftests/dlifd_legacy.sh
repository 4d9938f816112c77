#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dlifd with peers that do not speak RFC 8885, the project's own nodes
# set to legacy behaviour on the wire:
#   - a CMD configured as a legacy LMA refuses a PBU with the D flag with
#     an error status and keeps no state (R27);
#   - a legacy LMA that, like deployed RFC 5213 LMAs, answers a D-flagged
#     PBU with status 0 and no D flag: the MAAR tells it by the missing D
#     flag and serves the node as a plain MAG (the LMA's prefix, all the
#     node's traffic tunnelled to the LMA);
#   - a plain RFC 5213 MAG (P flag only, no D, no options 65-70) served by
#     the CMD acting as an LMA (binding, prefix from its pool, tunnel).

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dmm_net.sh"
source "$(dirname "$0")/dlifd_lib.sh"

LMA_POOL=2001:db8:5000::/48

has_address_matching() { mn_addresses | grep -q "$1"; }

# The CMD as an LMA: a dummy device for its DLIFs, forwarding, and the
# CN's route to its pool.
lma_net() {
	ip -n "$CMD" link add lma0 type dummy && ip -n "$CMD" link set lma0 up
	ip netns exec "$CMD" sysctl -qw net.ipv6.conf.all.forwarding=1
	ip -n "$CN" route add $LMA_POOL via $CMD_ADDR
}

test_legacy_lma_refuses_the_d_flag() {
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure proxy cmd.rfc8885=false
	dlifd_start_all || return 1
	capture_start
	mn_move 1
	check "the legacy LMA answers the D-flagged PBU" \
		busywait 20000 grep -q 'event=mh.received type=PBA' "$RUN/maar1.log"
	sleep 2
	capture_stop
	signalling >"$RUN/signalling.txt"
	check_match "$(cat "$RUN/signalling.txt")" "^[0-9]+ $CMD_ADDR ${MAAR_ADDR[1]} PBA [0-9]+ P 128 " \
		"with status 128 and no D flag"
	check_eq "$(bindings_total cmd)" 0 "and keeps no state (for any node)"
	check_eq "$(mn_addresses)" "" "the node got no prefix"
	check_eq "$(dlif_count maar1)" 0 "MAAR1 removed the node's DLIF"
}

test_maar_serves_as_mag_behind_a_legacy_lma() {
	local addr
	dlif_load || return 1
	dmm_net || return 1
	lma_net
	dlifd_configure proxy cmd.rfc8885=false 'cmd.legacy_d_flag="ignore"' \
		"lma.pool=\"$LMA_POOL\"" 'lma.interface="lma0"'
	dlifd_start_all || return 1
	capture_start
	mn_move 1
	check "the node gets the LMA's prefix" busywait 30000 has_address_matching '^2001:db8:5000:'
	addr=$(mn_addresses | awk '/^2001:db8:5000:/ { print $1 }')
	capture_stop
	signalling >"$RUN/signalling.txt"
	check_match "$(cat "$RUN/signalling.txt")" "^[0-9]+ ${MAAR_ADDR[1]} $CMD_ADDR PBU [0-9]+ APD " \
		"MAAR1 sent a D-flagged PBU"
	check_match "$(cat "$RUN/signalling.txt")" "^[0-9]+ $CMD_ADDR ${MAAR_ADDR[1]} PBA [0-9]+ P 0 " \
		"the LMA accepted it without the D flag"
	check "MAAR1 logs the node as served by a legacy LMA" grep -q 'legacy=yes' "$RUN/maar1.log"
	check_match "$(entries_of maar1)" "serving $CMD_ADDR$" "MAAR1 tunnels the node's prefix to the LMA"
	check_match "$(entries_of cmd)" "anchor ${MAAR_ADDR[1]}$" "the LMA anchors it toward MAAR1"
	check "the node reaches the CN through the LMA" ip netns exec "$MN" ping -c 3 -W 3 $CN_ADDR
	check "the CN reaches the node through the LMA" ip netns exec "$CN" ping -c 3 -W 3 "$addr"
}

test_cmd_as_lma_serves_a_legacy_mag() {
	local addr
	dlif_load || return 1
	dmm_net || return 1
	lma_net
	dlifd_configure proxy maar1.legacy_mag=true "lma.pool=\"$LMA_POOL\"" 'lma.interface="lma0"'
	dlifd_start_all || return 1
	capture_start
	mn_move 1
	check "the node gets the LMA's prefix" busywait 30000 has_address_matching '^2001:db8:5000:'
	addr=$(mn_addresses | awk '/^2001:db8:5000:/ { print $1 }')
	capture_stop
	signalling >"$RUN/signalling.txt"
	check_match "$(cat "$RUN/signalling.txt")" "^[0-9]+ ${MAAR_ADDR[1]} $CMD_ADDR PBU [0-9]+ AP " \
		"the MAG's PBU has A and P, no D"
	check_no_match "$(tshark -r "$CAPTURE" -X lua_script:"$LUA_PLUGIN" -T fields -e rfc8885.opt.type 2>/dev/null | tr -d '\n')" \
		"[0-9]" "no RFC 8885 option on the wire"
	check_match "$(cat "$RUN/signalling.txt")" "^[0-9]+ $CMD_ADDR ${MAAR_ADDR[1]} PBA [0-9]+ P 0 " \
		"the LMA answers as RFC 5213 does (P, no D)"
	check_eq "$(bindings cmd)" 1 "the CMD keeps an LMA binding"
	check_match "$(entries_of cmd)" "anchor ${MAAR_ADDR[1]}$" "and anchors the prefix toward the MAG"
	check "the node reaches the CN through the LMA" ip netns exec "$MN" ping -c 3 -W 3 $CN_ADDR
	check "the CN reaches the node through the LMA" ip netns exec "$CN" ping -c 3 -W 3 "$addr"
}

run_tests \
	test_legacy_lma_refuses_the_d_flag \
	test_maar_serves_as_mag_behind_a_legacy_lma \
	test_cmd_as_lma_serves_a_legacy_mag
