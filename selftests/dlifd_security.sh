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
# shown as such. Then the same domain with ESP between the CMD and the
# MAARs (manual keying, [security] require_ipsec): the spoof that worked
# is dropped by the kernel, and so is a replayed ESP packet. All in proxy
# mode.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dmm_net.sh"
source "$(dirname "$0")/dlifd_lib.sh"

SPOOF=${SPOOF:-$SELFTESTS/tools/mh_spoof.py}
MN_NAI=${MN_MAC//:/-}@dlif.example

# Bring the node to MAAR1 and then to each MAAR given.
walk() {
	local k
	mn_move 1
	busywait 30000 has_address_in 1 || { fail "no address at MAAR1"; return 1; }
	for k in "$@"; do
		mn_move "$k"
		ctl_node "maar$k" attach acc $MN_MAC >/dev/null
		busywait 30000 has_address_in "$k" || { fail "no address at MAAR$k"; return 1; }
	done
}

spoof() {	# mh_spoof.py arguments, from the rogue's namespace
	ip netns exec "$ROGUE" /usr/bin/python3 "$SPOOF" "$@"
}

counter() {	# NODE NAME: a counter of the node's dlifd (core or daemon)
	ctl_node "$1" -j counters | python3 -c '
import json, sys
name = sys.argv[1]
print(sum(group.get(name, 0) for group in json.load(sys.stdin).values() if isinstance(group, dict)))' "$2"
}
counter_at_least() { test "$(counter "$1" "$2")" -ge "$3"; }	# NODE NAME N

mn_field() {	# NODE FIELD: a field of the node's binding (CMD) or session (MAAR)
	ctl_node "$1" -j mn show $MN_MAC | python3 -c '
import json, sys
value = json.load(sys.stdin).get(sys.argv[1])
print(value if isinstance(value, str) else json.dumps(value))' "$2"
}

# The sequence number of the last PBU a MAAR sent.
last_pbu_seq() {	# NODE
	grep 'event=mh.sent type=PBU' "$RUN/$1.log" | tail -1 | sed -n 's/.* seq=\([0-9]*\).*/\1/p'
}

prefix64() {	# ADDRESS: its /64
	python3 -c 'import ipaddress, sys; print(ipaddress.ip_network(sys.argv[1] + "/64", strict=False))' "$1"
}

# Refused as a replay: older than the last number, or that very number
# again (answered at most, never acted on twice).
replays_refused() {	# NODE N
	test $(( $(counter "$1" drop_stale_sequence) + $(counter "$1" duplicate_pbus) )) -ge "$2"
}

pings_cn() { ip netns exec "$MN" ping -c 1 -W 2 "$CN_ADDR" >/dev/null; }

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

bindings_are() { test "$(bindings "$1")" = "$2"; }

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
	check "it holds at most 20 sessions" test "$(ctl_node maar1 -j mn list | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" -le 20
	check "the CMD holds at most 20 bindings" test "$(bindings_total cmd)" -le 20
	after=$(rss_kib "$PID_maar1")
	ktap_diag "MAAR1's dlifd: VmRSS ${before} KiB before the flood, ${after} KiB after"
	check "its memory grew by less than 16 MiB" test $((after - before)) -lt 16384
	check "the node already attached keeps its address" has_address_in 1
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
	check_eq "$(ctl_node maar1 -j mn list | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" 1 \
		"and no session but the node's"
}

# ESP in transport mode for the Mobility Header between the CMD and MAARk
# (manual keying, Documentation/security.rst), with a replay window.
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

xfrm_stat() {	# NS NAME: a counter of /proc/net/xfrm_stat (0 if absent)
	ip netns exec "$1" awk -v name="$2" '$1 == name { print $2; found = 1 } END { if (!found) print 0 }' \
		/proc/net/xfrm_stat 2>/dev/null || echo 0
}
xfrm_stat_above() { test "$(xfrm_stat "$1" "$2")" -gt "$3"; }	# NS NAME N

esp_captured() {	# packets of the ESP capture
	tcpdump -r "$RUN/esp.pcap" 2>/dev/null | wc -l
}

test_with_ipsec_spoofs_and_replays_are_dropped() {
	local k esp_pid mismatch replayed here
	dlif_load || return 1
	dmm_net || return 1
	for k in 1 2 3; do
		ipsec_pair "$k" || { fail "cannot set up ESP between the CMD and MAAR$k"; return 1; }
	done
	dlifd_configure proxy sec.require_ipsec=true
	dlifd_start_all || return 1
	check "the CMD found ESP required with every MAAR" grep -q 'event=security.ipsec.checked peers=3' "$RUN/cmd.log"
	capture_start || return 1
	ip netns exec "$CORE" tcpdump -n -U -i any -Q in -w "$RUN/esp.pcap" 'ip6 proto 50' 2>/dev/null &
	esp_pid=$!
	defer kill $esp_pid
	sleep 1
	walk 2 || return 1
	check "the node roams as before" has_address_in 2
	here=$(prefix64 "$(mn_address_in 2)")
	sleep 1
	kill -INT $esp_pid 2>/dev/null
	wait $esp_pid 2>/dev/null
	capture_stop
	check_eq "$(tcpdump -r "$CAPTURE" 2>/dev/null | wc -l)" 0 "no Mobility Header crosses the core in the clear"
	check "the signalling crossed it in ESP" test "$(esp_captured)" -gt 0

	# The de-registration in the serving MAAR's name that is believed
	# without IPsec: now the CMD's inbound policy drops it.
	mismatch=$(xfrm_stat "$CMD" XfrmInTmplMismatch)
	spoof pbu "${MAAR_ADDR[2]}" "$CMD_ADDR" --dmm --seq $(( ($(last_pbu_seq maar2) + 100) % 65536 )) \
		--lifetime 0 --mn "$MN_NAI" --hnp "$here"
	check "the kernel drops the spoofed PBU (XfrmInTmplMismatch)" \
		busywait 10000 xfrm_stat_above "$CMD" XfrmInTmplMismatch "$mismatch"
	check_eq "$(bindings cmd)" 1 "the node's binding stands"
	check_eq "$(mn_field cmd serving_maar)" "${MAAR_ADDR[2]}" "still served by MAAR2"

	# A captured ESP packet of MAAR2's, sent again from the rogue: the
	# replay window drops it.
	replayed=$(xfrm_stat "$CMD" XfrmInStateSeqError)
	check_match "$(spoof replay "$RUN/esp.pcap" "${MAAR_ADDR[2]}" "$CMD_ADDR" esp)" "^replayed esp" \
		"the rogue replays a captured ESP packet"
	check "the kernel drops it (XfrmInStateSeqError)" \
		busywait 10000 xfrm_stat_above "$CMD" XfrmInStateSeqError "$replayed"
	check "the node still reaches the CN" pings_cn
}

run_tests \
	test_claims_in_spoofed_signalling_are_refused \
	test_replayed_pbu_does_not_move_the_node \
	test_binding_errors_only_to_peers \
	test_rs_flood_stays_bounded \
	test_only_listed_nodes_attach \
	test_with_ipsec_spoofs_and_replays_are_dropped
