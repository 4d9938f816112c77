#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The domain of dlifd_security.sh with ESP in transport mode for the
# Mobility Header between the CMD and every MAAR (RFC 5213 §4, RFC 4877;
# Documentation/security.rst), set up the two ways the guide describes:
# by hand with ip xfrm, and by strongSwan's IKEv2 daemon (one charon per
# node, in the node's namespace, with the guide's swanctl.conf). dlifd
# runs with [security] require_ipsec and checks the policies at start.
# Each way: the node roams as before, no Mobility Header crosses the core
# in the clear, and the rogue's spoofed de-registration in the serving
# MAAR's name (believed without IPsec) is dropped by the kernel. With
# manual keying, a replayed ESP packet is dropped by the replay window;
# with IKEv2, roaming goes on across a rekey. dlifd watches the policies:
# when one is deleted under it, it drops what arrives unprotected from
# that peer itself, and says so. All in proxy mode.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dmm_net.sh"
source "$(dirname "$0")/dlifd_lib.sh"

xfrm_stat() {	# NS NAME: a counter of /proc/net/xfrm_stat (0 if absent)
	ip netns exec "$1" awk -v name="$2" '$1 == name { print $2; found = 1 } END { if (!found) print 0 }' \
		/proc/net/xfrm_stat 2>/dev/null || echo 0
}
xfrm_stat_above() { test "$(xfrm_stat "$1" "$2")" -gt "$3"; }	# NS NAME N

# ESP packets arriving on the core, captured to $RUN/esp.pcap.
esp_capture_start() {
	ip netns exec "$CORE" tcpdump -n -U -i any -Q in -w "$RUN/esp.pcap" 'ip6 proto 50' 2>/dev/null &
	ESP_PID=$!
	defer kill $ESP_PID
}
esp_capture_stop() {
	kill -INT $ESP_PID 2>/dev/null
	wait $ESP_PID 2>/dev/null
}
esp_captured() { tcpdump -r "$RUN/esp.pcap" 2>/dev/null | wc -l; }

# The node roams from MAAR1 to the MAARs given with the signalling in
# ESP only; its /64 at the last one is left in $HERE.
roam_protected() {	# K...
	local last=${*: -1}
	capture_start || return 1
	esp_capture_start
	sleep 1
	walk "$@" || return 1
	check "the node roams as before" has_address_in "$last"
	HERE=$(prefix64 "$(mn_address_in "$last")")
	sleep 1
	esp_capture_stop
	capture_stop
	check_eq "$(tcpdump -r "$CAPTURE" 2>/dev/null | wc -l)" 0 "no Mobility Header crosses the core in the clear"
	check "the signalling crossed it in ESP" test "$(esp_captured)" -gt 0
}

# The de-registration in the serving MAAR's name that is believed without
# IPsec: the CMD's inbound policy drops it.
spoofed_deregistration_is_dropped() {	# K: the serving MAAR
	local k=$1 mismatch
	mismatch=$(xfrm_stat "$CMD" XfrmInTmplMismatch)
	spoof pbu "${MAAR_ADDR[$k]}" "$CMD_ADDR" --dmm --seq $(( ($(last_pbu_seq "maar$k") + 100) % 65536 )) \
		--lifetime 0 --mn "$MN_NAI" --hnp "$HERE"
	check "the kernel drops the spoofed PBU (XfrmInTmplMismatch)" \
		busywait 10000 xfrm_stat_above "$CMD" XfrmInTmplMismatch "$mismatch"
	check_eq "$(bindings cmd)" 1 "the node's binding stands"
	check_eq "$(mn_field cmd serving_maar)" "${MAAR_ADDR[$k]}" "still served by MAAR$k"
}

# ------------------------------------------------------- manual keying

# ESP in transport mode for the Mobility Header between the CMD and MAARk,
# with a replay window.
ipsec_pair() {	# K
	local k=$1 ns key_to key_from
	key_to=0x$(printf '%02x' "$k")$(printf 'a%.0s' $(seq 38))
	key_from=0x$(printf '%02x' "$k")$(printf 'b%.0s' $(seq 38))
	for ns in "$CMD" "${MAAR_NS[$k]}"; do
		ip -n "$ns" xfrm state add src "$CMD_ADDR" dst "${MAAR_ADDR[$k]}" proto esp spi $((0x1000 + k)) \
			mode transport replay-window 32 aead 'rfc4106(gcm(aes))' "$key_to" 128 || return 1
		ip -n "$ns" xfrm state add src "${MAAR_ADDR[$k]}" dst "$CMD_ADDR" proto esp spi $((0x2000 + k)) \
			mode transport replay-window 32 aead 'rfc4106(gcm(aes))' "$key_from" 128 || return 1
	done
	esp_policy "$CMD" out "$CMD_ADDR" "${MAAR_ADDR[$k]}" && esp_policy "$CMD" in "${MAAR_ADDR[$k]}" "$CMD_ADDR" &&
		esp_policy "${MAAR_NS[$k]}" out "${MAAR_ADDR[$k]}" "$CMD_ADDR" &&
		esp_policy "${MAAR_NS[$k]}" in "$CMD_ADDR" "${MAAR_ADDR[$k]}"
}

esp_policy() {	# NS DIR SRC DST
	ip -n "$1" xfrm policy add src "$3/128" dst "$4/128" proto 135 dir "$2" \
		tmpl src "$3" dst "$4" proto esp mode transport
}

test_manual_keying_drops_spoofs_and_replays() {
	local k replayed
	dlif_load || return 1
	dmm_net || return 1
	for k in 1 2 3; do
		ipsec_pair "$k" || { fail "cannot set up ESP between the CMD and MAAR$k"; return 1; }
	done
	dlifd_configure proxy sec.require_ipsec=true
	dlifd_start_all || return 1
	check "the CMD found ESP required with every MAAR" grep -q 'event=security.ipsec.checked peers=3' "$RUN/cmd.log"
	roam_protected 2 || return 1
	spoofed_deregistration_is_dropped 2

	# A captured ESP packet of MAAR2's, sent again from the rogue: the
	# replay window drops it.
	replayed=$(xfrm_stat "$CMD" XfrmInStateSeqError)
	check_match "$(spoof replay "$RUN/esp.pcap" "${MAAR_ADDR[2]}" "$CMD_ADDR" esp)" "^replayed esp" \
		"the rogue replays a captured ESP packet"
	check "the kernel drops it (XfrmInStateSeqError)" \
		busywait 10000 xfrm_stat_above "$CMD" XfrmInStateSeqError "$replayed"
	check "the node still reaches the CN" pings_cn

	# The operator deletes the CMD's inbound policy for MAAR2: the kernel
	# lets the rogue's spoof in now, and dlifd, watching the policies,
	# drops it itself.
	ip -n "$CMD" xfrm policy delete src "${MAAR_ADDR[2]}/128" dst "$CMD_ADDR/128" proto 135 dir in
	check "the CMD sees MAAR2's signalling is no longer protected" \
		busywait 10000 grep -q "event=security.ipsec.lost peer=${MAAR_ADDR[2]} dir=in" "$RUN/cmd.log"
	spoof pbu "${MAAR_ADDR[2]}" "$CMD_ADDR" --dmm --seq $(( ($(last_pbu_seq maar2) + 200) % 65536 )) \
		--lifetime 0 --mn "$MN_NAI" --hnp "$HERE"
	check "and drops the spoofed PBU that now reaches it" busywait 10000 counter_at_least cmd mh_rx_unprotected 1
	check_eq "$(bindings cmd)" 1 "the node's binding stands"
	esp_policy "$CMD" in "${MAAR_ADDR[2]}" "$CMD_ADDR"
	check "the policy back, the CMD says so" \
		busywait 10000 grep -q "event=security.ipsec.restored peer=${MAAR_ADDR[2]} dir=in" "$RUN/cmd.log"
	mn_move 3
	ctl_node maar3 attach acc $MN_MAC >/dev/null
	check "and the node roams on" busywait 30000 has_address_in 3
}

# ------------------------------------------------------- IKEv2 (strongSwan)

CHARON=${CHARON:-/usr/sbin/charon-systemd}
IKE_PSK=${IKE_PSK:-dlif-selftest-psk-0123456789abcdef}

ike_dir() { echo "$RUN/ike/$1"; }	# NODE
swanctl_at() {	# NODE COMMAND ARGS...: swanctl against the node's charon
	local node=$1 command=$2 dir
	shift 2
	dir=$(ike_dir "$node")
	STRONGSWAN_CONF=$dir/strongswan.conf ip netns exec "$(node_ns "$node")" \
		swanctl "$command" --uri "unix://$dir/charon.vici" "$@" 2>>"$dir/swanctl.err"
}

# A node's swanctl.conf, as Documentation/security.rst gives it: one IKEv2
# connection per peer, whose CHILD_SA covers the Mobility Header (protocol
# 135) between the two addresses in transport mode. PSK here; certificates
# work the same with auth = pubkey.
swanctl_conf() {	# LOCAL NAME=REMOTE...
	local local_addr=$1 peer name remote
	shift
	echo "connections {"
	for peer in "$@"; do
		name=${peer%%=*} remote=${peer#*=}
		cat <<-CONF
		    $name {
		        version = 2
		        local_addrs = $local_addr
		        remote_addrs = $remote
		        proposals = aes128-sha256-modp3072
		        local { auth = psk
		                id = $local_addr }
		        remote { auth = psk
		                 id = $remote }
		        children {
		            mh {
		                mode = transport
		                local_ts = $local_addr/128[135]
		                remote_ts = $remote/128[135]
		                esp_proposals = aes128gcm16
		                replay_window = 32
		                start_action = trap
		            }
		        }
		    }
		CONF
	done
	echo "}"
	echo "secrets {"
	for peer in "$@"; do
		name=${peer%%=*} remote=${peer#*=}
		echo "    ike-$name { id-local = $local_addr"
		echo "                id-remote = $remote"
		echo "                secret = \"$IKE_PSK\" }"
	done
	echo "}"
}

# One charon per node, in its namespace, with its own configuration and
# control socket (charon-systemd keeps no pid file, so several can run
# from one file system), and the connections loaded.
charon_start() {	# NODE CONNECTION-FILE
	local node=$1 dir
	dir=$(ike_dir "$node")
	mkdir -p "$dir"
	# Debian's settings and plugins first (its default plugin set has no
	# GCM for IKE, hence the IKE proposal; ESP's GCM is the kernel's).
	cat >"$dir/strongswan.conf" <<-CONF
	include /etc/strongswan.conf
	charon-systemd {
	    install_routes = no
	    retransmit_timeout = 2.0
	    journal { default = -1 }
	    filelog { log { path = $dir/charon.log
	                    default = 1
	                    flush_line = yes
	                    ike = 2
	                    cfg = 2 } }
	    plugins {
	        vici { socket = unix://$dir/charon.vici }
	        bypass-lan { load = no }
	    }
	}
	CONF
	cp "$2" "$dir/swanctl.conf"
	STRONGSWAN_CONF=$dir/strongswan.conf ip netns exec "$(node_ns "$node")" "$CHARON" \
		>"$dir/charon.out" 2>&1 &
	defer kill $!
	busywait 20000 test -S "$dir/charon.vici" || { fail "charon of $node did not start"; return 1; }
	swanctl_at "$node" --load-all --file "$dir/swanctl.conf" >"$dir/load.out" ||
		{ fail "swanctl cannot load $node's connections: $(tail -3 "$dir/load.out")"; return 1; }
}

established_children() {	# NODE: CHILD_SAs named mh that are INSTALLED
	swanctl_at "$1" --list-sas | grep -c 'mh: #[0-9]*, reqid [0-9]*, INSTALLED, TRANSPORT'
}

child_spis() {	# NODE: the SPIs of its CHILD_SAs ("in c1a2b3c4, ..." lines)
	swanctl_at "$1" --list-sas | grep -oE '^ +(in|out) +[0-9a-f]{8}' | sort | tr -s ' ' ' ' 
}

test_ikev2_protects_signalling_and_rekeys() {
	local k dir spis
	require_cmd swanctl || return $ksft_skip
	[ -x "$CHARON" ] || { ktap_diag "SKIP: $CHARON not installed"; return $ksft_skip; }
	dlif_load || return 1
	dmm_net || return 1
	RUN=$(mktemp -d /tmp/dlifd-XXXXXX)	# dlifd_configure's too
	dir=$RUN/ike
	mkdir -p "$dir"
	swanctl_conf "$CMD_ADDR" "maar1=${MAAR_ADDR[1]}" "maar2=${MAAR_ADDR[2]}" "maar3=${MAAR_ADDR[3]}" >"$dir/cmd.conf"
	charon_start cmd "$dir/cmd.conf" || return 1
	for k in 1 2 3; do
		swanctl_conf "${MAAR_ADDR[$k]}" "cmd=$CMD_ADDR" >"$dir/maar$k.conf"
		charon_start "maar$k" "$dir/maar$k.conf" || return 1
	done
	# Trap policies are in place now; bring the SAs up before dlifd
	# starts so that its first PBU does not wait for IKE.
	for k in 1 2 3; do
		swanctl_at "maar$k" --initiate --child mh --timeout 30 >"$dir/initiate$k.out" ||
			{ fail "IKE between MAAR$k and the CMD: $(tail -3 "$dir/initiate$k.out")"; return 1; }
	done
	check_eq "$(established_children cmd)" 3 "the CMD has a CHILD_SA in transport mode with each MAAR"

	dlifd_configure proxy sec.require_ipsec=true
	dlifd_start_all || return 1
	check "the CMD found strongSwan's policies cover every MAAR" \
		grep -q 'event=security.ipsec.checked peers=3' "$RUN/cmd.log"
	roam_protected 2 || return 1
	spoofed_deregistration_is_dropped 2

	# New keys for every CHILD_SA, then the node moves on.
	spis=$(child_spis cmd)
	for k in 1 2 3; do
		swanctl_at "maar$k" --rekey --child mh >/dev/null || { fail "rekey MAAR$k"; return 1; }
	done
	check "the CHILD_SAs were rekeyed" busywait 20000 test "$(child_spis cmd)" != "$spis"
	check "and are all up" busywait 20000 test "$(established_children cmd)" = 3
	mn_move 3
	ctl_node maar3 attach acc $MN_MAC >/dev/null
	check "the node roams after the rekey" busywait 30000 has_address_in 3
	check "the node still reaches the CN" pings_cn
}

run_tests \
	test_manual_keying_drops_spoofs_and_replays \
	test_ikev2_protects_signalling_and_rekeys
