#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The "dlif" generic netlink family: every operation through dlifctl, the
# entry notifications, bad requests (sent raw with nlraw.py, since
# dlifctl refuses to build them) rejected with a message and without
# side effects, permissions, and a 100,000-entry table installed, dumped
# exactly once per entry and flushed.

source "$(dirname "$0")/lib.sh"

NLRAW="python3 $SELFTESTS/nlraw.py"
P=2001:db8:a::/64

setup_one() {
	setup_ns NS || return 1
	ip -n "$NS" link add acc type veth peer name acc-peer || return 1
	ip -n "$NS" link add link acc name d0 address 02:11:22:33:01:01 type dlif || return 1
	ip -n "$NS" link add link acc name d1 address 02:11:22:33:02:01 type dlif || return 1
	ip -n "$NS" link add dummy0 type dummy
	# The namespace's own core address, for entries' local addresses.
	ip -n "$NS" link set dummy0 up
	ip -n "$NS" addr add 2001:db8:ff::2/64 dev dummy0 nodad
}

ctl() {
	ip netns exec "$NS" "$DLIFCTL" "$@"
}

raw() {
	ip netns exec "$NS" $NLRAW "$@"
}

# expect_refusals < LINES: each line "ERRNO: MESSAGE-REGEX|REQUEST" (the
# request in nlraw.py's words); all go in one batch, one Python start
# instead of dozens (seconds each on the debug kernel), and each must be
# refused as expected.
expect_refusals() {
	local expects=() requests=() answers=() expect args i
	while IFS='|' read -r expect args; do
		[ -n "$expect" ] || continue
		expects+=("$expect")
		requests+=("$args")
	done
	mapfile -t answers < <(printf '%s\n' "${requests[@]}" | raw --batch 2>&1)
	check_eq "${#answers[@]}" "${#requests[@]}" "one answer for each request"
	for i in "${!requests[@]}"; do
		check_match "${answers[$i]-}" "^error ${expects[$i]}" "refused: ${requests[$i]}"
	done
}

count_entries() {
	ctl route show | grep -c .
}

test_entry_operations() {
	local out
	dlif_load || return 1
	setup_one || return 1
	check "add an entry" ctl route add $P role serving peer 2001:db8:ff::1 local 2001:db8:ff::2 dev d0
	out=$(ctl route show)
	check_match "$out" "^2001:db8:a::/64 role serving peer 2001:db8:ff::1 local 2001:db8:ff::2 dev d0 hoplimit 64$" \
		"show lists it"
	check_error "add the same prefix again" "already has an entry" \
		ctl route add $P role anchor peer 2001:db8:ff::3 dev d0
	check "host bits are ignored" ctl route get 2001:db8:a::1234/64
	check "replace re-points it" ctl route replace $P role serving peer 2001:db8:ff::9 dev d1 hoplimit 12
	out=$(ctl route get $P)
	check_match "$out" "peer 2001:db8:ff::9 dev d1 hoplimit 12" "get shows the replacement"
	check "replace may also create" ctl route replace 2001:db8:b::/64 role anchor peer 2001:db8:ff::9 dev d0
	check "local-net entry without a DLIF" ctl route add 2001:db8:10::/48 role local-net peer 2001:db8:ff::1
	check "local-export entry without a peer" ctl route add 2001:db8:20::/48 role local-export
	check "a /128 host entry" ctl route add 2001:db8:c::5/128 role serving peer 2001:db8:ff::1 dev d0
	check "a /0 entry" ctl route add ::/0 role local-net peer 2001:db8:ff::1
	check_eq "$(count_entries)" 6 "six entries"
	check_eq "$(ctl route show role serving | grep -c .)" 2 "filter by role"
	check_eq "$(ctl route show peer 2001:db8:ff::9 | grep -c .)" 2 "filter by peer"
	check_eq "$(ctl route show dev d0 | grep -c .)" 2 "filter by DLIF"
	check_match "$(ctl -s route get $P)" "encap 0 pkts 0 bytes decap 0 pkts 0 bytes" "statistics shown"
	# -n NAME works in the namespace as ip netns exec does, without it.
	check_eq "$("$DLIFCTL" -n "$NS" route show)" "$(ctl route show)" "-n shows the namespace's table"
	check "-n changes it there" "$DLIFCTL" -n "$NS" route add 2001:db8:d::/64 role local-export
	check_fails "not in the caller's" "$DLIFCTL" route get 2001:db8:d::/64
	check "but there" ctl route del 2001:db8:d::/64
	check_error "-n with no such namespace" 'cannot open network namespace "dlif-none"' \
		"$DLIFCTL" -n dlif-none route show
	check "delete" ctl route del $P
	check_error "delete it again" "no entry for this prefix" ctl route del $P
	check_error "get a missing entry" "no entry for this prefix" ctl route get $P
	check "flush by peer" ctl route flush peer 2001:db8:ff::9
	check_eq "$(count_entries)" 4 "flush by peer removed one"
	check "flush by DLIF" ctl route flush dev d0
	check_eq "$(count_entries)" 3 "flush by DLIF removed one"
	check "flush all" ctl route flush
	check_eq "$(count_entries)" 0 "table empty"
}

test_entries_follow_their_dlif() {
	dlif_load || return 1
	setup_one || return 1
	ctl route add $P role serving peer 2001:db8:ff::1 dev d0 || return 1
	ctl route add 2001:db8:b::/64 role anchor peer 2001:db8:ff::1 dev d1 || return 1
	ctl route add 2001:db8:10::/48 role local-net peer 2001:db8:ff::1 || return 1
	check "delete a DLIF" ip -n "$NS" link del d0
	check_fails "its entry went with it" ctl route get $P
	check_eq "$(count_entries)" 2 "the others stay"
	check "delete the lower device" ip -n "$NS" link del acc
	check_eq "$(count_entries)" 1 "the entry of the other DLIF went too"
}

# Entries that name a node of a DLIF by MAC go with that node's binding,
# and only they: the node's among other nodes' on the same DLIF, those
# naming the DLIF's primary node by MAC when it is rebound, none of those
# naming the primary node without a MAC.
test_entries_go_with_their_binding() {
	local mac
	dlif_load || return 1
	setup_one || return 1
	ctl dev set d0 mn $MN1 || return 1
	for mac in $MN2 $MN3; do
		ctl binding add dev d0 mn $mac router 02:aa:${mac#02:00:} || return 1
	done
	ctl -batch - <<-EOF || return 1
		route add 2001:db8:21::/64 role attached dev d0 mn $MN2
		route add 2001:db8:22::/64 role attached dev d0 mn $MN2
		route add 2001:db8:31::/64 role attached dev d0 mn $MN3
		route add 2001:db8:11::/64 role attached dev d0 mn $MN1
		route add 2001:db8:12::/64 role attached dev d0
		route add 2001:db8:41::/64 role attached dev d1
	EOF
	check "MN2's binding deleted" ctl binding del dev d0 mn $MN2
	check_eq "$(ctl route show mn $MN2)" "" "its two entries went with it"
	check_eq "$(ctl route show dev d0 | grep -c .)" 3 "MN3's and the primary node's stay"
	check_error "none can name MN2 on d0 now" "no binding for this mobile node" \
		ctl route add 2001:db8:21::/64 role attached dev d0 mn $MN2
	check "MN2 bound again" ctl binding add dev d0 mn $MN2 router 02:aa:00:00:00:02
	check "and named again" ctl route add 2001:db8:21::/64 role attached dev d0 mn $MN2
	check "replaced to name MN3" ctl route replace 2001:db8:21::/64 role attached dev d0 mn $MN3
	check "MN3's binding deleted" ctl binding del dev d0 mn $MN3
	check_eq "$(ctl route show dev d0 | sort | tr '\n' ';')" \
		"2001:db8:11::/64 role attached dev d0 mn $MN1 hoplimit 64;2001:db8:12::/64 role attached dev d0 hoplimit 64;" \
		"MN3's entries went, the one replaced to name it too"
	check "d0 rebound to another node" ctl dev set d0 mn 02:00:00:00:00:04
	check_eq "$(ctl route show dev d0)" "2001:db8:12::/64 role attached dev d0 hoplimit 64" \
		"the entry naming the old node by MAC went; the one naming none follows the new node"
	check_eq "$(count_entries)" 2 "d1's entry stays"
}

test_dev_operations() {
	local out
	dlif_load || return 1
	setup_one || return 1
	out=$(ctl dev show)
	check_match "$out" "^d0: link acc address 02:11:22:33:01:01" "dev show lists d0"
	check_match "$out" "^d1: link acc address 02:11:22:33:02:01" "dev show lists d1"
	check "bind a mobile node and a MAAR" ctl dev set d0 mn 02:00:00:00:00:01 maar 2001:db8:ff::1
	out=$(ctl dev show d0)
	check_match "$out" "mn 02:00:00:00:00:01 maar 2001:db8:ff::1" "dev show reads them back"
	check_match "$(ip -n "$NS" link show d0)" "peer 02:00:00:00:00:01" "ip link shows the node as the peer"
	ip -n "$NS" link set d1 address 02:11:22:33:01:01
	check_error "the same (node, DLIF MAC) pair twice" "same MAC for this mobile node" \
		ctl dev set d1 mn 02:00:00:00:00:01
	ip -n "$NS" link set d1 address 02:11:22:33:02:01
	check "the same node behind another DLIF MAC is fine" ctl dev set d1 mn 02:00:00:00:00:01
	check_error "multicast MAC as the node" "unicast" ctl dev set d1 mn 01:00:5e:00:00:01
	check_error "dev set on a non-dlif device" "not a dlif device" ctl dev set dummy0 mn 02:00:00:00:00:03
	check "unbind" ctl dev set d0 mn 00:00:00:00:00:00
	check_no_match "$(ctl dev show d0)" " mn " "unbound"
}

# BINDING_NEW/DEL/GET: a DLIF receives the frames of nodes other than its
# own (the primary binding, dev set), each at the router MAC it names.
# Every refusal names its reason and changes nothing.
MN1=02:00:00:00:00:01
MN2=02:00:00:00:00:02
MN3=02:00:00:00:00:03
R2=02:aa:00:00:00:02
test_binding_operations() {
	local d0 d1 out
	dlif_load || return 1
	setup_one || return 1
	d0=$(ip netns exec "$NS" cat /sys/class/net/d0/ifindex)
	d1=$(ip netns exec "$NS" cat /sys/class/net/d1/ifindex)
	ctl dev set d0 mn $MN1 || return 1
	# Up, so that their bindings' router MACs are in acc's filter.
	ip -n "$NS" link set acc up && ip -n "$NS" link set d0 up && ip -n "$NS" link set d1 up || return 1
	check "a second node on d0, at its own router MAC" ctl binding add dev d0 mn $MN2 router $R2
	out=$(ctl binding show)
	check_match "$out" "^d0 mn $MN1 router 02:11:22:33:01:01 primary$" "the primary binding, at d0's MAC"
	check_match "$out" "^d0 mn $MN2 router $R2 rx-packets 0$" "and the added one, which has received nothing"
	check_eq "$(ctl binding show dev d0 mn $MN2)" "d0 mn $MN2 router $R2 rx-packets 0" \
		"one node's binding, looked up by node"
	check_eq "$(ctl binding show dev d0 mn $MN1)" "d0 mn $MN1 router 02:11:22:33:01:01 primary" \
		"the primary one too"
	check_eq "$(ctl binding show dev d1 mn $MN2)" "" "none for a node not bound there"
	check_error "a node's binding looked up on a device that is not a dlif" "not a dlif device" \
		ctl binding show dev dummy0 mn $MN2
	check_eq "$(grep -c . <<<"$out")" 2 "two bindings in the namespace"
	check_eq "$(ctl binding show dev d1 | grep -c .)" 0 "none on d1"
	check_eq "$(ctl -j binding show dev d0 | python3 -c '
import json, sys
print(sorted((b["mn"], b["router"], b["primary"]) for b in json.load(sys.stdin)))')" \
		"[('$MN1', '02:11:22:33:01:01', True), ('$MN2', '$R2', False)]" "the JSON view"
	check_match "$(ip -n "$NS" link show d0)" "peer $MN1" "ip link still shows the primary node"
	check_match "$(bridge -n "$NS" fdb show dev acc)" "^$R2 self permanent" \
		"the router MAC is in the lower device's unicast filter"
	check_no_match "$(bridge -n "$NS" fdb show dev d0)" "$R2" \
		"directly: d0's own filter does not hold it"
	ip -n "$NS" link set d0 down
	check_no_match "$(bridge -n "$NS" fdb show dev acc)" "$R2" "out of it while d0 is down"
	ip -n "$NS" link set d0 up
	check_match "$(bridge -n "$NS" fdb show dev acc)" "^$R2 self permanent" "back when d0 is up"

	expect_refusals <<-EOF
	EEXIST: the dlif already has a binding for this mobile node|binding-new binding ifindex=u32:$d0 mn_addr=mac:$MN2 router_addr=mac:02:aa:00:00:00:09
	EEXIST: the dlif already has a binding for this mobile node|binding-new binding ifindex=u32:$d0 mn_addr=mac:$MN1 router_addr=mac:02:aa:00:00:00:09
	EADDRINUSE: another binding on this lower device has this router MAC|binding-new binding ifindex=u32:$d1 mn_addr=mac:$MN2 router_addr=mac:$R2
	EADDRINUSE: another binding on this lower device has this router MAC|binding-new binding ifindex=u32:$d1 mn_addr=mac:$MN1 router_addr=mac:02:11:22:33:01:01
	EINVAL: router address must be a unicast MAC|binding-new binding ifindex=u32:$d1 mn_addr=mac:$MN3 router_addr=mac:33:33:00:00:00:01
	EINVAL: router address must be a unicast MAC|binding-new binding ifindex=u32:$d1 mn_addr=mac:$MN3 router_addr=mac:00:00:00:00:00:00
	EINVAL: mobile node address must be a unicast MAC|binding-new binding ifindex=u32:$d1 mn_addr=mac:ff:ff:ff:ff:ff:ff router_addr=mac:$R2
	EINVAL: missing router address|binding-new binding ifindex=u32:$d1 mn_addr=mac:$MN3
	EINVAL: missing mobile node address|binding-new binding ifindex=u32:$d1 router_addr=mac:$R2
	EINVAL: missing ifindex|binding-new binding mn_addr=mac:$MN3 router_addr=mac:$R2
	EINVAL: missing the request's attribute nest|binding-new none
	ERANGE: binary attribute size out of range|binding-new binding ifindex=u32:$d1 mn_addr=hex:0200000000 router_addr=mac:$R2
	EINVAL: read-only attribute|binding-new binding ifindex=u32:$d1 mn_addr=mac:$MN3 router_addr=mac:02:aa:00:00:00:03 primary=hex:
	EINVAL: read-only attribute|binding-new binding ifindex=u32:$d1 mn_addr=mac:$MN3 router_addr=mac:02:aa:00:00:00:03 7=hex:0100000000000000
	ENODEV: no such device|binding-new binding ifindex=u32:9999 mn_addr=mac:$MN3 router_addr=mac:$R2
	EINVAL: device is not a dlif device|binding-new binding ifindex=u32:1 mn_addr=mac:$MN3 router_addr=mac:$R2
	EINVAL: this is the dlif's primary binding|binding-del binding ifindex=u32:$d0 mn_addr=mac:$MN1
	ENOENT: the dlif has no binding for this mobile node|binding-del binding ifindex=u32:$d1 mn_addr=mac:$MN2
	EINVAL: a binding is deleted by ifindex and mobile node address only|binding-del binding ifindex=u32:$d0 mn_addr=mac:$MN2 router_addr=mac:$R2
	EEXIST: the dlif has another binding for this mobile node|dev-set dev ifindex=u32:$d0 mn_addr=mac:$MN2
	EINVAL: router link-local address must be a unicast fe80::/10|binding-new binding ifindex=u32:$d1 mn_addr=mac:$MN3 router_addr=mac:02:aa:00:00:00:03 router_ll=in6:2001:db8::1
	EINVAL: router link-local address must be a unicast fe80::/10|binding-new binding ifindex=u32:$d1 mn_addr=mac:$MN3 router_addr=mac:02:aa:00:00:00:03 router_ll=in6:ff02::1
	ERANGE: binary attribute size out of range|binding-new binding ifindex=u32:$d1 mn_addr=mac:$MN3 router_addr=mac:02:aa:00:00:00:03 router_ll=hex:fe80
	EINVAL: a binding is deleted by ifindex and mobile node address only|binding-del binding ifindex=u32:$d0 mn_addr=mac:$MN2 router_ll=in6:fe80::1
	EOF
	check_eq "$(ctl binding show | grep -c .)" 2 "the refused requests changed nothing"

	# A node's router MAC on one DLIF cannot be another DLIF's own MAC
	# for it either, whichever comes first.
	check "MN3 on d1 at d0's MAC" ctl binding add dev d1 mn $MN3 router 02:11:22:33:01:01
	check_error "then d0 bound to MN3" "same MAC for this mobile node" ctl dev set d0 mn $MN3
	check "the bulk form: two nodes on d1 in one request" \
		raw binding-new binding ifindex=u32:$d1 mn_addr=mac:$MN1 router_addr=mac:02:aa:00:00:00:11 \
		-- ifindex=u32:$d1 mn_addr=mac:$MN2 router_addr=mac:02:aa:00:00:00:12
	check_eq "$(ctl binding show dev d1 | grep -c .)" 3 "d1 has three"
	# MN2 is bound to d0 and to d1 now: each DLIF finds its own binding.
	check "MN2's binding on d1 deleted" ctl binding del dev d1 mn $MN2
	check_eq "$(ctl binding show dev d0 mn $MN2)" "d0 mn $MN2 router $R2 rx-packets 0" "its binding on d0 stays"
	check_error "then d1 has none for it" "no binding for this mobile node" ctl binding del dev d1 mn $MN2
	check "MN2 back on d1" ctl binding add dev d1 mn $MN2 router 02:aa:00:00:00:12
	check "one deleted" ctl binding del dev d1 mn $MN1
	out=$(bridge -n "$NS" fdb show dev acc)
	check_no_match "$out" "02:aa:00:00:00:11" "its router MAC left the lower device's filter"
	check_match "$out" "^02:aa:00:00:00:12 self permanent" "the other's stays"
	ip -n "$NS" link del d0
	check_no_match "$(ctl binding show)" "mn $MN2 router $R2" "d0's bindings went with it"
	check_no_match "$(bridge -n "$NS" fdb show dev acc)" "$R2" "and their router MACs with them"
	check "MN2 leaves d1" ctl binding del dev d1 mn $MN2
	check "and comes back at d0's old pair, which is free again" \
		ctl binding add dev d1 mn $MN2 router $R2
}

# A DEV_SET is announced as a link change (RTM_NEWLINK) whether the DLIF
# is up or down; dlif.ko raises NETDEV_CHANGEINFODATA for it, not the
# NETDEV_CHANGE on which IPv6 walks every route of the namespace.
test_dev_set_is_announced() {
	local log
	dlif_load || return 1
	setup_one || return 1
	ip -n "$NS" link set acc up
	ip -n "$NS" link set d0 up
	sleep 2	# the link watch's events for those, before the monitor
	log=$(mktemp)
	defer rm -f "$log"
	ip -n "$NS" monitor link >"$log" 2>&1 &
	local mon=$!
	defer kill $mon
	sleep 1
	ctl dev set d0 mn 02:00:00:00:00:01
	ctl dev set d1 mn 02:00:00:00:00:07
	check "binding an up DLIF is announced" busywait 5000 grep -q "peer 02:00:00:00:00:01" "$log"
	check "binding a down one too" busywait 5000 grep -q "peer 02:00:00:00:00:07" "$log"
	# iproute2 names the event NETDEV_CHANGEINFODATA sends after its
	# first user, bonding.
	check_no_match "$(grep '^[0-9]*: d[01]@acc:' "$log" | grep -v 'event BONDING OPTION')" . \
		"each as NETDEV_CHANGEINFODATA, no NETDEV_CHANGE"
}

test_notifications() {
	local log
	dlif_load || return 1
	setup_one || return 1
	log=$(mktemp)
	ip netns exec "$NS" "$DLIFCTL" monitor >"$log" 2>&1 &
	local mon=$!
	defer kill $mon
	sleep 1
	ctl route add $P role serving peer 2001:db8:ff::1 dev d0
	ctl route replace $P role serving peer 2001:db8:ff::2 dev d0
	ctl route del $P
	ctl route add 2001:db8:b::/64 role anchor peer 2001:db8:ff::1 dev d1
	# Bindings: added, deleted, and gone with their DLIF; the primary
	# binding's changes are rtnetlink's, not these.
	ctl dev set d0 mn $MN1
	ctl binding add dev d0 mn $MN2 router $R2 router-ll fe80::2
	ctl binding del dev d0 mn $MN2
	ctl binding add dev d1 mn $MN3 router $R2
	ip -n "$NS" link del d1
	busywait 3000 test "$(grep -c . "$log")" -ge 8
	kill $mon
	check_match "$(cat "$log")" "^added 2001:db8:a::/64 role serving peer 2001:db8:ff::1" "add notified"
	check_match "$(cat "$log")" "^replaced 2001:db8:a::/64 role serving peer 2001:db8:ff::2" "replace notified"
	check_match "$(cat "$log")" "^deleted 2001:db8:a::/64 role serving peer 2001:db8:ff::2" "delete notified"
	check_match "$(cat "$log")" "^deleted 2001:db8:b::/64 role anchor" "removal with its DLIF notified"
	check_match "$(cat "$log")" "^added binding d0 mn $MN2 router $R2 router-ll fe80::2$" "a binding's addition notified"
	check_match "$(cat "$log")" "^deleted binding d0 mn $MN2 router $R2 router-ll fe80::2$" "its deletion notified"
	check_match "$(cat "$log")" "^deleted binding [^ ]+ mn $MN3 router $R2$" "a binding gone with its DLIF notified"
	check_no_match "$(cat "$log")" "binding .* mn $MN1" "the primary binding's changes are not"
	check_eq "$(grep -c binding "$log")" 4 "four binding events"
}

test_bad_requests_are_refused_with_a_message() {
	local d0 e out
	dlif_load || return 1
	setup_one || return 1
	ctl route add 2001:db8:f::/64 role anchor peer 2001:db8:ff::1 dev d0 || return 1
	d0=$(ip netns exec "$NS" cat /sys/class/net/d0/ifindex)
	local ok_key=(prefix=in6:2001:db8:a:: prefix_len=u8:64)
	local ok=("${ok_key[@]}" role=u8:2 peer=in6:2001:db8:ff::1 ifindex=u32:$d0)

	check "a well-formed raw request is accepted" raw entry-new entry "${ok[@]}"
	check "and removed" raw entry-del entry "${ok_key[@]}"
	# Each case: expected errno and message, then the request.
	expect_refusals <<-EOF
	EINVAL: missing prefix$|entry-new entry prefix_len=u8:64 role=u8:2 peer=in6:2001:db8:ff::1 ifindex=u32:$d0
	EINVAL: missing prefix length|entry-new entry prefix=in6:2001:db8:a:: role=u8:2 peer=in6:2001:db8:ff::1 ifindex=u32:$d0
	EINVAL: missing role|entry-new entry ${ok_key[*]} peer=in6:2001:db8:ff::1 ifindex=u32:$d0
	EINVAL: missing the request's attribute nest|entry-new none
	ERANGE: .+|entry-new entry ${ok_key[0]} prefix_len=u8:129 role=u8:2 peer=in6:2001:db8:ff::1 ifindex=u32:$d0
	ERANGE: .+|entry-new entry ${ok_key[*]} role=u8:9 peer=in6:2001:db8:ff::1 ifindex=u32:$d0
	ERANGE: .+|entry-new entry ${ok_key[*]} role=u8:0 peer=in6:2001:db8:ff::1 ifindex=u32:$d0
	ERANGE: .+|entry-new entry ${ok_key[*]} role=u8:2 peer=in6:2001:db8:ff::1 ifindex=u32:$d0 hop_limit=u8:0
	ERANGE: binary attribute size out of range|entry-new entry prefix=hex:20010db8000a00000000000000000000ff prefix_len=u8:64 role=u8:2 peer=in6:2001:db8:ff::1 ifindex=u32:$d0
	ERANGE: binary attribute size out of range|entry-new entry prefix=hex:20010db8000a000000000000000000 prefix_len=u8:64 role=u8:2 peer=in6:2001:db8:ff::1 ifindex=u32:$d0
	ERANGE: binary attribute size out of range|entry-new entry ${ok_key[*]} role=u8:2 peer=hex:20010db8 ifindex=u32:$d0
	EINVAL: .+|entry-new entry ${ok_key[*]} role=u16:2 peer=in6:2001:db8:ff::1 ifindex=u32:$d0
	EINVAL: .+|entry-new entry ${ok_key[*]} role=u8:2 peer=in6:2001:db8:ff::1 ifindex=u32:$d0 stats=hex:00000000
	EINVAL: .+|entry-new entry ${ok_key[*]} role=u8:2 peer=in6:2001:db8:ff::1 ifindex=u32:$d0 42=u32:1
	EINVAL: .+|entry-new 7
	EOPNOTSUPP|99 entry ${ok_key[*]}
	ENODEV: no such device|entry-new entry ${ok_key[*]} role=u8:2 peer=in6:2001:db8:ff::1 ifindex=u32:9999
	EINVAL: device is not a dlif device|entry-new entry ${ok_key[*]} role=u8:2 peer=in6:2001:db8:ff::1 ifindex=u32:1
	EINVAL: peer must be a global unicast|entry-new entry ${ok_key[*]} role=u8:2 peer=in6:fe80::1 ifindex=u32:$d0
	EINVAL: peer must be a global unicast|entry-new entry ${ok_key[*]} role=u8:2 peer=in6:ff02::1 ifindex=u32:$d0
	EINVAL: peer must be a global unicast|entry-new entry ${ok_key[*]} role=u8:2 peer=in6::: ifindex=u32:$d0
	EINVAL: local address must be|entry-new entry ${ok_key[*]} role=u8:2 peer=in6:2001:db8:ff::1 local=in6:ff02::1 ifindex=u32:$d0
	EADDRNOTAVAIL: local address is not an address of this network namespace|entry-new entry ${ok_key[*]} role=u8:2 peer=in6:2001:db8:ff::1 local=in6:2001:db8:ff::77 ifindex=u32:$d0
	EINVAL: this role needs a peer|entry-new entry ${ok_key[*]} role=u8:2 ifindex=u32:$d0
	EINVAL: the anchor, serving and attached roles need|entry-new entry ${ok_key[*]} role=u8:1 peer=in6:2001:db8:ff::1
	EINVAL: the anchor, serving and attached roles need|entry-new entry ${ok_key[*]} role=u8:5
	EINVAL: the attached role has no peer|entry-new entry ${ok_key[*]} role=u8:5 peer=in6:2001:db8:ff::1 ifindex=u32:$d0
	ERANGE: .+|entry-new entry ${ok_key[*]} role=u8:6 ifindex=u32:$d0
	EINVAL: mn-addr names a binding of the entry's dlif|entry-new entry ${ok_key[*]} role=u8:4 mn_addr=mac:$MN1
	EINVAL: mobile node address must be a unicast|entry-new entry ${ok_key[*]} role=u8:5 ifindex=u32:$d0 mn_addr=mac:01:00:5e:00:00:01
	ERANGE: binary attribute size out of range|entry-new entry ${ok_key[*]} role=u8:5 ifindex=u32:$d0 mn_addr=hex:0200000000
	ENOENT: the dlif has no binding for this mobile node|entry-new entry ${ok_key[*]} role=u8:5 ifindex=u32:$d0 mn_addr=mac:02:00:00:00:00:77
	EEXIST: the prefix already has an entry|entry-new entry prefix=in6:2001:db8:f:: prefix_len=u8:64 role=u8:1 peer=in6:2001:db8:ff::1 ifindex=u32:$d0
	ENOENT: no entry for this prefix|entry-del entry ${ok_key[*]}
	EINVAL: missing prefix length|entry-del entry prefix=in6:2001:db8:a::
	ENOENT: no entry for this prefix|entry-get entry ${ok_key[*]}
	EINVAL: missing ifindex|dev-get dev
	EINVAL: device is not a dlif device|dev-get dev ifindex=u32:1
	ENODEV: no such device|dev-get dev ifindex=u32:9999
	EINVAL: nothing to set|dev-set dev ifindex=u32:$d0
	ERANGE: binary attribute size out of range|dev-set dev ifindex=u32:$d0 mn_addr=hex:0200000000
	EINVAL: .+|dev-set dev ifindex=u32:$d0 ifname=str:x
	EINVAL: mobile node address must be a unicast|dev-set dev ifindex=u32:$d0 mn_addr=mac:01:00:5e:00:00:01
	EOF
	check_eq "$(count_entries)" 1 "the refused requests changed nothing"
	check "the first entry is untouched" ctl route get 2001:db8:f::/64
}

# ENTRY_NEW/SET/DEL take many entry nests in one request, applied in
# order up to the first refused one.
test_bulk_requests() {
	local d0 out
	dlif_load || return 1
	setup_one || return 1
	d0=$(ip netns exec "$NS" cat /sys/class/net/d0/ifindex)
	local common=(prefix_len=u8:64 role=u8:2 peer=in6:2001:db8:ff::1 ifindex=u32:$d0)
	check "three entries in one request" raw entry-new entry prefix=in6:2001:db8:1:: "${common[@]}" \
		-- prefix=in6:2001:db8:2:: "${common[@]}" -- prefix=in6:2001:db8:3:: "${common[@]}"
	check_eq "$(count_entries)" 3 "all three installed"
	out=$(raw entry-new entry prefix=in6:2001:db8:4:: "${common[@]}" \
		-- prefix=in6:2001:db8:1:: "${common[@]}" -- prefix=in6:2001:db8:5:: "${common[@]}")
	check_match "$out" "^error EEXIST: the prefix already has an entry" "the second nest is refused"
	check "the entry before the refused one stays" ctl route get 2001:db8:4::/64
	check_fails "the one after it was not applied" ctl route get 2001:db8:5::/64
	check "three replacements in one request" raw entry-set entry prefix=in6:2001:db8:1:: prefix_len=u8:64 \
		role=u8:2 peer=in6:2001:db8:ff::9 ifindex=u32:$d0 -- prefix=in6:2001:db8:2:: prefix_len=u8:64 \
		role=u8:2 peer=in6:2001:db8:ff::9 ifindex=u32:$d0 -- prefix=in6:2001:db8:3:: prefix_len=u8:64 \
		role=u8:2 peer=in6:2001:db8:ff::9 ifindex=u32:$d0
	check_eq "$(ctl route show peer 2001:db8:ff::9 | grep -c .)" 3 "all three replaced"
	check "four deletions in one request" raw entry-del entry prefix=in6:2001:db8:1:: prefix_len=u8:64 \
		-- prefix=in6:2001:db8:2:: prefix_len=u8:64 -- prefix=in6:2001:db8:3:: prefix_len=u8:64 \
		-- prefix=in6:2001:db8:4:: prefix_len=u8:64
	check_eq "$(count_entries)" 0 "all deleted"
}

test_unprivileged_callers() {
	local nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
	dlif_load || return 1
	setup_one || return 1
	ctl route add $P role serving peer 2001:db8:ff::1 dev d0 || return 1
	check_error "unprivileged add" "Operation not permitted|EPERM" \
		ip netns exec "$NS" "${nobody[@]}" "$DLIFCTL" route add 2001:db8:b::/64 role serving peer 2001:db8:ff::1 dev d0
	check_error "unprivileged delete" "Operation not permitted|EPERM" \
		ip netns exec "$NS" "${nobody[@]}" "$DLIFCTL" route del $P
	check_error "unprivileged flush" "Operation not permitted|EPERM" \
		ip netns exec "$NS" "${nobody[@]}" "$DLIFCTL" route flush
	check_error "unprivileged dev set" "Operation not permitted|EPERM" \
		ip netns exec "$NS" "${nobody[@]}" "$DLIFCTL" dev set d0 mn 02:00:00:00:00:09
	# Reads too: the table tells where every node is.
	check_error "unprivileged dump of the table" "Operation not permitted|EPERM" \
		ip netns exec "$NS" "${nobody[@]}" "$DLIFCTL" route show
	check_error "unprivileged get of an entry" "Operation not permitted|EPERM" \
		ip netns exec "$NS" "${nobody[@]}" "$DLIFCTL" route get $P
	check_error "unprivileged dump of the DLIFs" "Operation not permitted|EPERM" \
		ip netns exec "$NS" "${nobody[@]}" "$DLIFCTL" dev show
	check_error "unprivileged subscription to the entries group" "EPERM" \
		ip netns exec "$NS" "${nobody[@]}" python3 -c '
import socket, struct, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
s.bind((0, 0))
# CTRL_CMD_GETFAMILY "dlif": the multicast group id of "entries".
name = b"dlif\0"
attr = struct.pack("HH", 4 + len(name), 2) + name + b"\0" * (-len(name) % 4)
msg = struct.pack("BBH", 3, 1, 0) + attr
s.send(struct.pack("IHHII", 16 + len(msg), 0x10, 1, 1, 0) + msg)
data = s.recv(65536)
off, gid = 20, None
while off < len(data):
    alen, atype = struct.unpack_from("HH", data, off)
    if atype == 7:	# CTRL_ATTR_MCAST_GROUPS
        inner = off + 4
        while inner < off + alen:
            glen, _ = struct.unpack_from("HH", data, inner)
            g = inner + 4
            vals = {}
            while g < inner + glen:
                l, t = struct.unpack_from("HH", data, g)
                vals[t] = data[g + 4:g + l]
                g += (l + 3) & ~3
            if vals.get(1, b"").rstrip(b"\0") == b"entries":
                gid = struct.unpack("I", vals[2])[0]
            inner += (glen + 3) & ~3
    off += (alen + 3) & ~3
try:
    s.setsockopt(270, 1, gid)	# SOL_NETLINK, NETLINK_ADD_MEMBERSHIP
except PermissionError:
    print("EPERM"); sys.exit(1)
print("subscribed"); sys.exit(0)'
	check_eq "$(count_entries)" 1 "nothing changed"
}

# 100,000 entries (20,000 on the debug kernel, whose KASAN makes this
# the slowest case by far): installed through the batch path, dumped
# (every entry exactly once), flushed. The timings are reported, not
# asserted.
test_hundred_thousand_entries() {
	local n=100000 batch dump t0 t1 t2 t3 t4
	debug_kernel && n=20000
	dlif_load || return 1
	setup_one || return 1
	batch=$(mktemp); dump=$(mktemp)
	python3 -c '
import sys
n = int(sys.argv[1])
for i in range(n):
    print(f"route add 2001:db8:{i >> 16:x}:{i & 0xffff:x}::/64 role serving peer 2001:db8:ff::{i % 7 + 1:x} dev d{i % 2}")
' $n >"$batch"
	t0=$(date +%s%N)
	check "install $n entries" ctl -batch "$batch"
	t1=$(date +%s%N)
	ctl route show >"$dump"
	t2=$(date +%s%N)
	check_eq "$(wc -l <"$dump")" $n "the dump returned $n lines"
	check_eq "$(sort -u "$dump" | wc -l)" $n "each entry exactly once"
	check_eq "$(awk '{print $1}' "$dump" | sort -u | wc -l)" $n "$n distinct prefixes"
	ctl -j route show >"$dump"
	check_eq "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$dump")" $n \
		"the JSON dump has $n entries"
	t3=$(date +%s%N)
	check "flush them" ctl route flush
	t4=$(date +%s%N)
	check_eq "$(count_entries)" 0 "table empty"
	ktap_diag "$n entries: install $(( (t1 - t0) / 1000000 )) ms" \
		"($(( n * 1000000000 / (t1 - t0 + 1) )) entries/s, dlifctl -batch)," \
		"text dump $(( (t2 - t1) / 1000000 )) ms, flush $(( (t4 - t3) / 1000000 )) ms" \
		"(TCG, $(nproc) vCPU)"
}

# The debug kernel: every operation on entries, the notifications, every
# refused request (the parsing paths) and the table at scale. Bindings'
# additions, deletions and dump run there in dlif_link and dlif_faults.
DEBUG_CASES=(
	test_entry_operations
	test_entries_go_with_their_binding
	test_notifications
	test_bad_requests_are_refused_with_a_message
	test_bulk_requests
	test_hundred_thousand_entries
)

run_tests \
	test_entry_operations \
	test_entries_follow_their_dlif \
	test_entries_go_with_their_binding \
	test_dev_operations \
	test_dev_set_is_announced \
	test_binding_operations \
	test_notifications \
	test_bad_requests_are_refused_with_a_message \
	test_bulk_requests \
	test_unprivileged_callers \
	test_hundred_thousand_entries
