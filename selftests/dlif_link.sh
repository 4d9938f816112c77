#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The dlif link type: autoload, create, show, delete, unload; every
# refused configuration with its message; lower-device coupling (MTU,
# deletion); receive demultiplexing by (MN MAC, DLIF MAC) and transmit
# that reaches only the DLIF's mobile node.

source "$(dirname "$0")/lib.sh"

MN1=02:00:00:00:01:01
MN2=02:00:00:00:01:02
D1=02:11:22:33:01:01
D2=02:11:22:33:02:01

test_autoload_create_show_delete_unload() {
	local ns out
	modprobe -r dlif 2>/dev/null
	check_fails "dlif not loaded before the test" test -d /sys/module/dlif
	setup_ns ns || return 1
	ip -n "$ns" link add veth0 type veth peer name veth1 || return 1

	check "ip link add ... type dlif autoloads the module and creates the device" \
		ip -n "$ns" link add link veth0 name d0 type dlif
	check "dlif module loaded" test -d /sys/module/dlif
	check_module_fresh

	out=$(ip -n "$ns" -d link show d0)
	check_match "$out" "d0@veth0" "listed on its lower device"
	check_match "$out" "dlif" "listed with kind dlif"
	check_match "$out" "POINTOPOINT" "point-to-point link"
	out=$(ip -n "$ns" -j -d link show d0)
	check_eq "$(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["linkinfo"]["info_kind"])')" \
		dlif "JSON info_kind"
	check_eq "$(ip -n "$ns" -j link show d0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["mtu"])')" \
		"$(ip -n "$ns" -j link show veth0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["mtu"])')" \
		"MTU taken from the lower device"
	out=$(ethtool -i d0 2>/dev/null || ip netns exec "$ns" ethtool -i d0)
	check_match "$out" "driver: dlif" "ethtool names the driver"

	check "ip link del" ip -n "$ns" link del d0
	check_fails "device gone after deletion" ip -n "$ns" link show d0
	ip netns del "$ns"
	check "module unloads" modprobe -r dlif
	check_fails "module gone" test -d /sys/module/dlif
}

test_refused_configurations() {
	local ns
	dlif_load || return 1
	setup_ns ns || return 1
	ip -n "$ns" link add veth0 type veth peer name veth1 || return 1
	ip -n "$ns" link add tnl0 type ip6tnl local 2001:db8::1 remote 2001:db8::2 || return 1

	check_error "no lower device" "needs a lower device" \
		ip -n "$ns" link add name d0 type dlif
	check_error "loopback as lower device" "must be an Ethernet device" \
		ip -n "$ns" link add link lo name d0 type dlif
	check_error "tunnel (not Ethernet) as lower device" "must be an Ethernet device" \
		ip -n "$ns" link add link tnl0 name d0 type dlif
	check "first dlif" ip -n "$ns" link add link veth0 name d0 address $D1 broadcast $MN1 type dlif
	check_error "dlif as lower device" "cannot be the lower device of a dlif" \
		ip -n "$ns" link add link d0 name d1 type dlif
	check_error "duplicate (MN, DLIF MAC) pair" "same MAC for this mobile node" \
		ip -n "$ns" link add link veth0 name d1 address $D1 broadcast $MN1 type dlif
	check "same DLIF MAC for another mobile node is fine" \
		ip -n "$ns" link add link veth0 name d2 address $D1 broadcast $MN2 type dlif
	check "another DLIF MAC for the same mobile node is fine" \
		ip -n "$ns" link add link veth0 name d3 address $D2 broadcast $MN1 type dlif
	check_fails "MTU above the lower device's" ip -n "$ns" link set d0 mtu 9000
	check_fails "rebinding into a taken pair is refused (MAC change)" \
		ip -n "$ns" link set d3 address $D1
	check_eq "$(ip -n "$ns" -br link show d3 | awk '{print $3}')" "$D2" "refused MAC change left the MAC alone"
	check_error "MTU above the lower device's at creation" \
		"mtu greater than device maximum|exceeds the lower device" \
		ip -n "$ns" link add link veth0 name d4 mtu 9000 type dlif
	check_fails "no partially created device left behind" ip -n "$ns" link show d4
	check_fails "no partially created device left behind (d1)" ip -n "$ns" link show d1
}

mtu_of() {	# ns dev
	ip -n "$1" -j link show "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["mtu"])'
}

test_peer_shown_and_lower_coupling() {
	local ns out
	dlif_load || return 1
	setup_ns ns || return 1
	ip -n "$ns" link add veth0 type veth peer name veth1 || return 1
	ip -n "$ns" link add link veth0 name d0 address $D1 broadcast $MN1 type dlif || return 1
	ip -n "$ns" link add link veth0 name d1 type dlif || return 1

	out=$(ip -n "$ns" link show d0)
	check_match "$out" "link/ether $D1 peer $MN1" "the mobile node is shown as the link's peer"
	check "rebind to another node with ip link set broadcast" \
		ip -n "$ns" link set d0 broadcast $MN2
	check_match "$(ip -n "$ns" link show d0)" "peer $MN2" "rebound"

	ip -n "$ns" link set veth0 mtu 1400
	check_eq "$(mtu_of "$ns" d0)" 1400 "MTU follows the lower device down"
	ip -n "$ns" link set veth0 mtu 1500
	check_eq "$(mtu_of "$ns" d1)" 1400 "a lower device's larger MTU raises no DLIF's"
	check "the administrator may raise it again" ip -n "$ns" link set d1 mtu 1500
	check "and lower one" ip -n "$ns" link set d0 mtu 1280
	ip -n "$ns" link set veth0 mtu 1450
	check_eq "$(mtu_of "$ns" d0)" 1280 "an MTU the administrator lowered stays when the lower device changes"
	check_eq "$(mtu_of "$ns" d1)" 1450 "a larger one comes down to the lower device's"
	ip -n "$ns" link set veth0 mtu 9000
	check "a jumbo MTU at creation, as the lower device has" \
		ip -n "$ns" link add link veth0 name d5 mtu 9000 type dlif
	check_eq "$(mtu_of "$ns" d5)" 9000 "created with it"

	check "deleting the lower device" ip -n "$ns" link del veth0
	check_fails "deletes its first dlif" ip -n "$ns" link show d0
	check_fails "deletes its second dlif" ip -n "$ns" link show d1
}

# maar: lower "acc" with DLIFs; sw: a bridge (the shared medium);
# mn1, mn2: mobile nodes with one interface eth0 each.
setup_medium() {
	setup_ns MAAR SW NS_MN1 NS_MN2 || return 1
	# The MAAR is a router (it joins ff02::2); the nodes send no RS of
	# their own, so that the tests count only the ones they send.
	ip netns exec "$MAAR" sysctl -qw net.ipv6.conf.all.forwarding=1
	ip netns exec "$NS_MN1" sysctl -qw net.ipv6.conf.default.router_solicitations=0
	ip netns exec "$NS_MN2" sysctl -qw net.ipv6.conf.default.router_solicitations=0
	ip netns exec "$SW" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip -n "$SW" link add br0 type bridge || return 1
	ip -n "$SW" link set br0 up
	ip link add acc netns "$MAAR" type veth peer name p0 netns "$SW"
	ip link add eth0 netns "$NS_MN1" address $MN1 type veth peer name p1 netns "$SW"
	ip link add eth0 netns "$NS_MN2" address $MN2 type veth peer name p2 netns "$SW"
	for p in p0 p1 p2; do
		ip -n "$SW" link set $p master br0 up
	done
	ip -n "$MAAR" link set acc up
	ip -n "$NS_MN1" link set eth0 up
	ip -n "$NS_MN2" link set eth0 up
	ip -n "$MAAR" link add link acc name d1 address $D1 broadcast $MN1 type dlif || return 1
	ip -n "$MAAR" link add link acc name d2 address $D2 broadcast $MN1 type dlif || return 1
	ip -n "$MAAR" link set d1 up
	ip -n "$MAAR" link set d2 up
	ip -n "$MAAR" addr add 2001:db8:1::1/64 dev d1 nodad
	ip -n "$MAAR" addr add 2001:db8:2::1/64 dev d2 nodad
	ip -n "$NS_MN1" addr add 2001:db8:1::100/64 dev eth0 nodad
	ip -n "$NS_MN2" addr add 2001:db8:1::200/64 dev eth0 nodad
}

dev_counter() {	# ns dev file
	cat "/sys/class/net/$2/statistics/$3" 2>/dev/null ||
		ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

snmp6() {	# ns dev counter
	ip netns exec "$1" awk -v c="$3" '$1 == c { print $2 }' "/proc/net/dev_snmp6/$2"
}

send_rs() {	# ns dev: one Router Solicitation to ff02::2 (the kernel adds the checksum)
	ip netns exec "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s.sendto(bytes([133, 0, 0, 0, 0, 0, 0, 0]), ("ff02::2", 0, 0, socket.if_nametoindex(sys.argv[1])))
' "$2"
}

test_demux_unicast_to_dlif_mac() {
	local before after
	dlif_load || return 1
	setup_medium || return 1
	ip -n "$NS_MN1" neigh add 2001:db8:1::1 lladdr $D1 dev eth0 nud permanent
	check "MN reaches the DLIF's address through the DLIF's MAC" \
		ip netns exec "$NS_MN1" ping -c 2 -W 2 -i 0.2 2001:db8:1::1
	check_eq "$(snmp6 "$MAAR" d1 Icmp6InEchos)" 2 "the echo requests were received on the DLIF"
	check_eq "$(snmp6 "$MAAR" d2 Icmp6InEchos)" 0 "none reached the node's other DLIF"
	check_eq "$(snmp6 "$MAAR" acc Icmp6InEchos)" 0 "none reached the lower device"
}

test_demux_multicast_to_every_dlif() {
	local rs1 rs2 rsacc
	dlif_load || return 1
	setup_medium || return 1
	send_rs "$NS_MN1" eth0
	send_rs "$NS_MN2" eth0
	busywait 3000 test "$(snmp6 "$MAAR" acc Icmp6InRouterSolicits)" -ge 1
	rs1=$(snmp6 "$MAAR" d1 Icmp6InRouterSolicits)
	rs2=$(snmp6 "$MAAR" d2 Icmp6InRouterSolicits)
	rsacc=$(snmp6 "$MAAR" acc Icmp6InRouterSolicits)
	check_eq "$rs1" 1 "the known node's RS reached its first DLIF"
	check_eq "$rs2" 1 "the known node's RS reached its second DLIF"
	check_eq "$rsacc" 1 "only the unknown node's RS reached the lower device"
}

test_dlif_frames_reach_only_their_node() {
	local cap2 capacc
	dlif_load || return 1
	setup_medium || return 1
	# Let the bridge learn both nodes.
	ip netns exec "$NS_MN1" ping -c 1 -W 1 ff02::1%eth0 >/dev/null 2>&1
	ip netns exec "$NS_MN2" ping -c 1 -W 1 ff02::1%eth0 >/dev/null 2>&1
	cap2=$(mktemp); capacc=$(mktemp)
	ip netns exec "$NS_MN2" tcpdump -p -n -U -i eth0 -w "$cap2" "ether src $D1" 2>"$cap2.log" &
	local t2=$!
	ip netns exec "$MAAR" tcpdump -n -U -i acc -w "$capacc" "ether src $D1" 2>"$capacc.log" &
	local tacc=$!
	defer kill $t2 $tacc
	busywait 20000 grep -q "listening on" "$cap2.log"
	busywait 20000 grep -q "listening on" "$capacc.log"
	check "multicast ping from the DLIF is answered by its node" \
		ip netns exec "$MAAR" ping -c 2 -i 0.3 -W 2 ff02::1%d1
	ip netns exec "$MAAR" ping -c 1 -W 1 2001:db8:1::100 >/dev/null 2>&1
	sleep 1
	kill -INT $t2 $tacc; wait $t2 $tacc 2>/dev/null
	check_eq "$(tcpdump -r "$cap2" 2>/dev/null | wc -l)" 0 "the other node saw no frame from the DLIF"
	check_match "$(tcpdump -n -e -r "$capacc" 2>/dev/null)" "$D1 > $MN1" "frames leave to the node's MAC"
	check_no_match "$(tcpdump -n -e -r "$capacc" 2>/dev/null)" "$D1 > 33:33" \
		"no multicast destination MAC leaves the DLIF"
}

# Bindings (dlifctl binding): d1, MN1's DLIF, also receives MN2's frames
# sent to the router MAC of MN2's binding, and MN2's RS; MN2's frames to
# d1's own MAC (MN1's router) stay on the lower device.
R2=02:aa:00:00:01:02
R3=02:aa:00:00:02:02
test_one_dlif_receives_several_nodes() {
	dlif_load || return 1
	setup_medium || return 1
	ip -n "$NS_MN1" neigh add 2001:db8:1::1 lladdr $D1 dev eth0 nud permanent
	ip -n "$NS_MN2" neigh add 2001:db8:1::1 lladdr $R2 dev eth0 nud permanent
	check "MN2 bound to d1 at its own router MAC" \
		dlifctl -n "$MAAR" binding add dev d1 mn $MN2 router $R2
	ip netns exec "$NS_MN2" ping -c 2 -W 1 -i 0.2 2001:db8:1::1 >/dev/null 2>&1
	check_eq "$(snmp6 "$MAAR" d1 Icmp6InEchos)" 2 "MN2's echoes to its router MAC arrived on d1"
	check_eq "$(snmp6 "$MAAR" acc Icmp6InEchos)" 0 "none on the lower device"
	send_rs "$NS_MN2" eth0
	check "MN2's RS reached d1" \
		busywait 3000 test "$(snmp6 "$MAAR" d1 Icmp6InRouterSolicits)" = 1
	check_eq "$(snmp6 "$MAAR" d2 Icmp6InRouterSolicits)" 0 "not d2, which has no binding for MN2"
	check_eq "$(snmp6 "$MAAR" acc Icmp6InRouterSolicits)" 0 "nor the lower device"

	# (The lower device drops what it gets for another MAC.)
	ip -n "$NS_MN2" neigh replace 2001:db8:1::1 lladdr $D1 dev eth0 nud permanent
	ip netns exec "$NS_MN2" ping -c 1 -W 1 2001:db8:1::1 >/dev/null 2>&1
	check_eq "$(snmp6 "$MAAR" d1 Icmp6InEchos)" 2 "MN2's echo to d1's own MAC did not reach d1"
	check "MN1 still reaches d1 at d1's MAC" ip netns exec "$NS_MN1" ping -c 1 -W 2 2001:db8:1::1
	check_eq "$(snmp6 "$MAAR" d1 Icmp6InEchos)" 3 "on d1"

	check "the binding deleted" dlifctl -n "$MAAR" binding del dev d1 mn $MN2
	ip -n "$NS_MN2" neigh replace 2001:db8:1::1 lladdr $R2 dev eth0 nud permanent
	ip netns exec "$NS_MN2" ping -c 1 -W 1 2001:db8:1::1 >/dev/null 2>&1
	check_eq "$(snmp6 "$MAAR" d1 Icmp6InEchos)" 3 "then MN2's echo to that MAC no longer reaches d1"
}

# MN2 bound to d1 with a router link-local address that is no address of
# d1: the kernel answers MN2's solicitations for it from the binding's
# router MAC - ndisc6's, MN2's own kernel resolving its default router,
# a unicast probe (NUD) and a DAD probe (scapy) - and nobody else's; and
# no longer once the binding is gone.
ROUTER_LL=fe80::2:1
probe_router_ll() {	# ns: a unicast NS and a DAD NS for ROUTER_LL, the NAs printed
	ip netns exec "$1" python3 - "$ROUTER_LL" "$R2" <<-'EOF' 2>&1
	import socket, sys, time
	from scapy.all import (AsyncSniffer, Ether, IPv6, ICMPv6ND_NA, ICMPv6ND_NS,
	                       ICMPv6NDOptSrcLLAddr, get_if_hwaddr, in6_getnsma, in6_getnsmac, sendp)
	target, router = sys.argv[1], sys.argv[2]
	me = get_if_hwaddr("eth0")
	sniffer = AsyncSniffer(iface="eth0", lfilter=lambda p: ICMPv6ND_NA in p)
	sniffer.start()
	time.sleep(1)
	unicast = (Ether(src=me, dst=router) / IPv6(src="fe80::ff:fe00:102", dst=target, hlim=255) /
	           ICMPv6ND_NS(tgt=target) / ICMPv6NDOptSrcLLAddr(lladdr=me))
	snma = in6_getnsma(socket.inet_pton(socket.AF_INET6, target))
	dad = (Ether(src=me, dst=in6_getnsmac(snma)) /
	       IPv6(src="::", dst=socket.inet_ntop(socket.AF_INET6, snma), hlim=255) /
	       ICMPv6ND_NS(tgt=target))
	sendp(unicast, iface="eth0", verbose=0)
	sendp(dad, iface="eth0", verbose=0)
	time.sleep(2)
	for p in sniffer.stop():
	    na = p[ICMPv6ND_NA]
	    print("NA %s > %s %s > %s tgt %s R=%d S=%d O=%d" % (p[Ether].src, p[Ether].dst, p[IPv6].src,
	          p[IPv6].dst, na.tgt, na.R, na.S, na.O))
	EOF
}

ns_flood() {	# ns: Neighbor Solicitations for ROUTER_LL from eth0, until killed
	ip netns exec "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
target = socket.inet_pton(socket.AF_INET6, sys.argv[1])
snma = socket.inet_ntop(socket.AF_INET6, bytes.fromhex("ff0200000000000000000001ff") + target[13:])
ns = bytes([135, 0, 0, 0, 0, 0, 0, 0]) + target
where = (snma, 0, 0, socket.if_nametoindex("eth0"))
while True:
    try:
        s.sendto(ns, where)
    except OSError:
        pass
' "$ROUTER_LL" &
	FLOOD_PIDS+=($!)
	defer kill $!
}

test_binding_answers_solicitations_for_its_router_link_local() {
	local out tx0
	dlif_load || return 1
	setup_medium || return 1
	check "MN2 bound to d1 with a router link-local" \
		dlifctl -n "$MAAR" binding add dev d1 mn $MN2 router $R2 router-ll $ROUTER_LL
	check_eq "$(dlifctl -n "$MAAR" binding show dev d1 | grep -c "mn $MN2 router $R2 router-ll $ROUTER_LL rx-packets [0-9]*$")" 1 \
		"binding show lists it"
	check_no_match "$(ip -n "$MAAR" -6 addr show dev d1)" "$ROUTER_LL" "it is no address of d1"
	check_error "the same router link-local for MN2 on d2" "another binding of the node has this router link-local" \
		dlifctl -n "$MAAR" binding add dev d2 mn $MN2 router $R3 router-ll $ROUTER_LL
	tx0=$(dev_counter "$MAAR" d1 tx_packets)
	out=$(ip netns exec "$NS_MN2" ndisc6 -q -1 -r 3 -w 1000 $ROUTER_LL eth0 2>&1)
	check_eq "${out,,}" "$R2" "ndisc6 on MN2 resolves it to the router MAC"
	check "the answer left through d1" test "$(dev_counter "$MAAR" d1 tx_packets)" -gt "$tx0"
	check_fails "not for MN1, which has no such binding" \
		ip netns exec "$NS_MN1" ndisc6 -q -1 -r 2 -w 500 $ROUTER_LL eth0

	ip -n "$NS_MN2" route add default via $ROUTER_LL dev eth0
	ip netns exec "$NS_MN2" ping -c 1 -W 1 2001:db8:99::1 >/dev/null 2>&1
	check_match "$(ip -n "$NS_MN2" neigh show $ROUTER_LL dev eth0)" "lladdr $R2 router" \
		"MN2's own kernel resolved its default router"

	out=$(probe_router_ll "$NS_MN2")
	check_match "$out" "NA $R2 > $MN2 $ROUTER_LL > fe80::ff:fe00:102 tgt $ROUTER_LL R=1 S=1 O=1" \
		"a unicast probe is answered, solicited"
	check_match "$out" "NA $R2 > $MN2 $ROUTER_LL > ff02::1 tgt $ROUTER_LL R=1 S=0 O=1" \
		"a DAD probe is answered to all nodes, unsolicited, unicast at layer 2"

	check "the binding deleted" dlifctl -n "$MAAR" binding del dev d1 mn $MN2
	check_fails "then nothing answers" ip netns exec "$NS_MN2" ndisc6 -q -1 -r 2 -w 500 $ROUTER_LL eth0
}

# One DLIF, two nodes: what the MAAR routes into d1 goes to the node whose
# binding the table names for the destination's prefix (an attached entry
# for MN2's prefix; MN1, the primary node, takes the rest), from the
# router MAC that node sees; multicast goes to each node. A serving entry
# naming MN2's binding carries MN2's traffic both ways through a stock
# ip6tnl device at the anchor (CORE), and MN1 may not send from MN2's
# prefix. Deleting the binding takes its entries with it.
link_local() {	# ns dev
	ip -n "$1" -6 -br addr show dev "$2" scope link | awk '{ sub("/.*", "", $3); print $3 }'
}

setup_shared_dlif() {
	setup_medium || return 1
	setup_ns CORE || return 1
	ip link add core netns "$MAAR" type veth peer name core netns "$CORE"
	ip -n "$MAAR" link set core up
	ip -n "$CORE" link set core up
	ip -n "$MAAR" addr add 2001:db8:ff::1/64 dev core nodad
	ip -n "$CORE" addr add 2001:db8:ff::2/64 dev core nodad
	# CORE anchors 2001:db8:7::/64 with a stock ip6tnl device; its own
	# address 2001:db8:9::9 is behind it.
	ip -n "$CORE" addr add 2001:db8:9::9/128 dev lo
	ip -n "$CORE" link add t0 type ip6tnl mode ip6ip6 local 2001:db8:ff::2 remote 2001:db8:ff::1 || return 1
	ip -n "$CORE" link set t0 up
	ip -n "$CORE" route add 2001:db8:7::/64 dev t0
	# MN2: 2001:db8:5::200 from the MAAR's attached prefix and
	# 2001:db8:7::5 from CORE's; its router on d1 is R2.
	ip -n "$NS_MN2" addr add 2001:db8:5::200/64 dev eth0 nodad
	ip -n "$NS_MN2" addr add 2001:db8:7::5/64 dev eth0 nodad
	ip -n "$NS_MN2" route add default via fe80::1 dev eth0
	ip -n "$NS_MN2" neigh add fe80::1 lladdr $R2 dev eth0 nud permanent
	ip -n "$NS_MN1" route add default via fe80::1 dev eth0
	ip -n "$NS_MN1" neigh add fe80::1 lladdr $D1 dev eth0 nud permanent
	ip -n "$NS_MN1" addr add 2001:db8:7::6/64 dev eth0 nodad
	ip -n "$MAAR" route add 2001:db8:5::/64 dev d1
	ip -n "$MAAR" route add 2001:db8:7::/64 dev d1
	# The stack's link-local unicast on d1 goes to its primary node (its
	# neighbours resolve to the point-to-point peer): MN2 knows d1's
	# addresses statically, as it would once ND is answered per binding.
	ip -n "$NS_MN2" neigh add 2001:db8:1::1 lladdr $R2 dev eth0 nud permanent
	ip -n "$NS_MN2" neigh add "$(link_local "$MAAR" d1)" lladdr $R2 dev eth0 nud permanent
	# The bridge learns where each node is (no flooded unicast later).
	ip netns exec "$NS_MN1" ping -c 1 -W 1 ff02::1%eth0 >/dev/null 2>&1
	ip netns exec "$NS_MN2" ping -c 1 -W 1 ff02::1%eth0 >/dev/null 2>&1
	dlifctl -n "$MAAR" binding add dev d1 mn $MN2 router $R2 || return 1
}

entry_counter() {	# ns prefix counter: one of an entry's counters
	dlifctl -n "$1" -j -s route get "$2" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["stats"][sys.argv[1]])' "$3"
}

# binding_frames DLIF MAC: rx-packets of the node's binding on the DLIF,
# looked up by node.
binding_frames() {
	dlifctl -n "$MAAR" binding show dev "$1" mn "$2" | awk '{ for (i = 1; i < NF; i++) if ($i == "rx-packets") print $(i + 1) }'
}

test_one_dlif_transmits_to_each_node() {
	local cap out
	dlif_load || return 1
	setup_shared_dlif || { fail "cannot set up the shared DLIF"; return 1; }
	check_fails "without an entry, MN2's prefix goes to the primary node" \
		ip netns exec "$MAAR" ping -c 1 -W 1 2001:db8:5::200
	check_fails "an entry cannot name a node without a binding on the DLIF" \
		dlifctl -n "$MAAR" route add 2001:db8:5::/64 role attached dev d2 mn $MN2
	check_fails "the attached role takes no peer" \
		dlifctl -n "$MAAR" route add 2001:db8:5::/64 role attached peer 2001:db8:ff::2 dev d1 mn $MN2
	check "an attached entry names MN2's binding" \
		dlifctl -n "$MAAR" route add 2001:db8:5::/64 role attached dev d1 mn $MN2
	check_eq "$(dlifctl -n "$MAAR" route show mn $MN2)" \
		"2001:db8:5::/64 role attached dev d1 mn $MN2 hoplimit 64" "route show filters by node"

	cap=$(mktemp)
	ip netns exec "$NS_MN2" tcpdump -p -n -e -U -i eth0 -w "$cap" "ether src $R2 or ether src $D1" 2>"$cap.log" &
	local tcap=$!
	defer kill $tcap
	busywait 20000 grep -q "listening on" "$cap.log"
	check "the MAAR reaches MN2 through d1" ip netns exec "$MAAR" ping -c 2 -i 0.3 -W 2 2001:db8:5::200
	check "and MN1, the primary node, still" ip netns exec "$MAAR" ping -c 1 -W 2 2001:db8:1::100
	out=$(ip netns exec "$MAAR" ping -c 2 -i 0.5 -W 2 ff02::1%d1 2>&1)
	check_match "$out" "from $(link_local "$NS_MN1" eth0)%d1" "MN1 answers a multicast ping on d1"
	check_match "$out" "from $(link_local "$NS_MN2" eth0)%d1" "and so does MN2"

	# MN2's traffic from CORE's prefix is tunnelled to CORE, and CORE's
	# to it is delivered from MN2's router MAC.
	check "a serving entry names MN2's binding" \
		dlifctl -n "$MAAR" route add 2001:db8:7::/64 role serving peer 2001:db8:ff::2 dev d1 mn $MN2
	check "CORE reaches MN2 through its stock ip6tnl and d1" \
		ip netns exec "$CORE" ping -c 2 -i 0.3 -W 2 -I 2001:db8:9::9 2001:db8:7::5
	local frames0 frames1
	frames0=$(binding_frames d1 $MN2)
	check "MN2 sends from CORE's prefix, tunnelled" \
		ip netns exec "$NS_MN2" ping -c 1 -W 2 -I 2001:db8:7::5 2001:db8:9::9
	frames1=$(binding_frames d1 $MN2)
	check "MN2's binding counts the frames it sent (rx-packets $frames0 -> $frames1)" \
		test "$frames1" -gt "$frames0"
	local spoof0
	spoof0=$(entry_counter "$MAAR" 2001:db8:7::/64 encap_packets)
	ip netns exec "$NS_MN1" ping -c 2 -i 0.2 -W 1 -I 2001:db8:7::6 2001:db8:9::9 >/dev/null 2>&1
	check_eq "$(entry_counter "$MAAR" 2001:db8:7::/64 encap_packets)" "$spoof0" \
		"MN1 sending from MN2's prefix is not tunnelled"
	sleep 0.5
	kill -INT $tcap; wait $tcap 2>/dev/null
	out=$(tcpdump -n -e -r "$cap" 2>/dev/null)
	check_match "$out" "$R2 > $MN2, ethertype IPv6 .* 2001:db8:1::1 > 2001:db8:5::200: ICMP6, echo request" \
		"MN2's echo requests come from its router MAC"
	check_match "$out" "$R2 > $MN2, ethertype IPv6 .* 2001:db8:9::9 > 2001:db8:7::5: ICMP6, echo request" \
		"and CORE's, decapsulated"
	check_match "$out" "$R2 > $MN2, ethertype IPv6 .* > ff02::1: ICMP6, echo request" \
		"the multicast ping, unicast at layer 2"
	check_no_match "$out" "$D1 >" "MN2 never sees MN1's router MAC"

	check "the binding deleted" dlifctl -n "$MAAR" binding del dev d1 mn $MN2
	check_eq "$(dlifctl -n "$MAAR" route show mn $MN2)" "" "its entries went with it"
	check_fails "MN2's prefix no longer reaches it" \
		ip netns exec "$MAAR" ping -c 1 -W 1 2001:db8:5::200
}

# d2, holding MN2's binding at R3, deleted and created again.
recreate_d2() {
	nsbatch "$MAAR" <<-EOF || return 1
		link del d2
		link add link acc name d2 address $D2 broadcast $MN1 type dlif
		link set d2 up
		addr add 2001:db8:2::1/64 dev d2 nodad
	EOF
	dlifctl -n "$MAAR" binding add dev d2 mn $MN2 router $R3
}

# What the MAAR routes into a shared DLIF, unicast to either node and
# multicast, and what MN2 sends to it, while MN2's binding and its entries
# come and go, d1's primary node changes and d2, holding another binding
# of MN2, is deleted and created again (SHARED_SECONDS, default 20, at
# least 3 rounds), and MN2 solicits its router link-local there, with a
# monitor listening and MN2's binding looked up by node all along: the
# transmit path, the receive demux (which counts MN2's frames on its
# binding), nd.c and BINDING_GET read bindings and entries under RCU,
# and each change is notified. On the debug kernel this case stands for
# bindings_change_under_traffic too (same receive side, fewer rounds).
SHARED_SECONDS=${SHARED_SECONDS:-20}
test_shared_dlif_changes_under_traffic() {
	local batch end rounds=0 rx0 rx1 up0 up1 i
	dlif_load || return 1
	setup_shared_dlif || { fail "cannot set up the shared DLIF"; return 1; }
	dlifctl -n "$MAAR" route add 2001:db8:5::/64 role attached dev d1 mn $MN2 ||
		{ fail "cannot add the attached entry"; return 1; }
	batch=$(mktemp)
	defer rm -f "$batch"
	for i in $(seq 1 25); do
		echo "binding del dev d1 mn $MN2"
		echo "binding add dev d1 mn $MN2 router $R2 router-ll $ROUTER_LL"
		echo "route add 2001:db8:5::/64 role attached dev d1 mn $MN2"
		echo "route replace 2001:db8:5::/64 role attached dev d1 mn $MN2"
	done >"$batch"
	dlifctl -n "$MAAR" binding add dev d2 mn $MN2 router $R3 || { fail "cannot bind MN2 to d2"; return 1; }
	rx0=$(dev_counter "$NS_MN2" eth0 rx_packets)
	up0=$(dev_counter "$MAAR" d1 rx_packets)
	udp_flood "$MAAR" 2001:db8:5::200 9
	udp_flood "$MAAR" 2001:db8:1::100 9
	udp_flood "$MAAR" ff02::1%d1 9
	udp_flood "$NS_MN2" 2001:db8:1::1 9
	ns_flood "$NS_MN2"
	# A listener, so that every change is also notified, and a reader
	# looking MN2's binding up by node (its frame count) all along.
	ip netns exec "$MAAR" "$DLIFCTL" monitor >/dev/null 2>&1 &
	defer kill $!
	# (Once a second: each lookup is a process, costly on the debug kernel.)
	while :; do dlifctl -n "$MAAR" binding show dev d1 mn $MN2 >/dev/null 2>&1; nap 1; done &
	defer kill $!
	end=$((SECONDS + SHARED_SECONDS))
	while [ "$SECONDS" -lt "$end" ] || [ "$rounds" -lt 3 ]; do
		dlifctl -n "$MAAR" -batch "$batch" || { fail "round $rounds: a request failed"; break; }
		# An entry naming d1's node by MAC goes with each rebind.
		dlifctl -n "$MAAR" route add 2001:db8:6::/64 role attached dev d1 mn $MN1 &&
			dlifctl -n "$MAAR" dev set d1 mn 02:00:00:00:01:03 && dlifctl -n "$MAAR" dev set d1 mn $MN1 ||
			{ fail "round $rounds: cannot rebind d1"; break; }
		recreate_d2 || { fail "round $rounds: cannot re-create d2 with MN2's binding"; break; }
		rounds=$((rounds + 1))
	done
	check_match "$(dlifctl -n "$MAAR" binding show dev d1 mn $MN2)" "^d1 mn $MN2 .* rx-packets [1-9]" \
		"MN2's last binding on d1, looked up by node, counts its flood"
	stop_floods
	rx1=$(dev_counter "$NS_MN2" eth0 rx_packets)
	up1=$(dev_counter "$MAAR" d1 rx_packets)
	ktap_diag "$rounds rounds of 25 binding and entry changes, a rebind and d2 re-created;" \
		"MN2 received $((rx1 - rx0)) packets, d1 $((up1 - up0))"
	check "MN2 kept receiving" test "$rx1" -gt "$rx0"
	check "d1 kept receiving" test "$up1" -gt "$up0"
	check_eq "$(dlifctl -n "$MAAR" binding show | sed 's/ rx-packets [0-9]*$//' | sort | tr '\n' ';')" \
		"d1 mn $MN1 router $D1 primary;d1 mn $MN2 router $R2 router-ll $ROUTER_LL;d2 mn $MN1 router $D2 primary;d2 mn $MN2 router $R3;" \
		"the bindings are where the last requests left them"
	check "MN2 is still reached through d1" ip netns exec "$MAAR" ping -c 1 -W 2 2001:db8:5::200
	check_eq "$(dlifctl -n "$MAAR" route show mn $MN1)" "" "the entry naming d1's old node went with it"
}

# Bindings added and deleted, and a DLIF holding one deleted and created
# again, for BINDING_SECONDS (default 20, at least 3 rounds) while both
# nodes flood d1 and MN2 floods d2 through its binding there: the receive
# demux reads the bindings under RCU as they come and go. The VM judges
# the kernel log (KASAN, lockdep, RCU on the debug kernel).
BINDING_SECONDS=${BINDING_SECONDS:-20}
test_bindings_change_under_traffic() {
	local batch end rounds=0 rx0 rx1 i
	dlif_load || return 1
	setup_medium || return 1
	ip -n "$NS_MN1" neigh add 2001:db8:1::1 lladdr $D1 dev eth0 nud permanent
	ip -n "$NS_MN2" neigh add 2001:db8:1::1 lladdr $R2 dev eth0 nud permanent
	ip -n "$NS_MN2" route add 2001:db8:2::/64 dev eth0
	ip -n "$NS_MN2" neigh add 2001:db8:2::1 lladdr $R3 dev eth0 nud permanent
	dlifctl -n "$MAAR" binding add dev d2 mn $MN2 router $R3 || { fail "cannot bind MN2 to d2"; return 1; }
	batch=$(mktemp)
	defer rm -f "$batch"
	for i in $(seq 1 50); do
		echo "binding add dev d1 mn $MN2 router $R2"
		echo "binding del dev d1 mn $MN2"
	done >"$batch"
	rx0=$(dev_counter "$MAAR" d1 rx_packets)
	udp_flood "$NS_MN1" 2001:db8:1::1 9
	udp_flood "$NS_MN2" 2001:db8:1::1 9
	udp_flood "$NS_MN2" 2001:db8:2::1 9
	end=$((SECONDS + BINDING_SECONDS))
	while [ "$SECONDS" -lt "$end" ] || [ "$rounds" -lt 3 ]; do
		dlifctl -n "$MAAR" -batch "$batch" || { fail "round $rounds: a binding request failed"; break; }
		recreate_d2 || { fail "round $rounds: cannot re-create d2 with MN2's binding"; break; }
		rounds=$((rounds + 1))
	done
	stop_floods
	rx1=$(dev_counter "$MAAR" d1 rx_packets)
	ktap_diag "$rounds rounds of 50 binding additions and deletions and a DLIF re-created;" \
		"d1 received $((rx1 - rx0)) packets"
	check "d1 kept receiving" test "$rx1" -gt "$rx0"
	check_eq "$(dlifctl -n "$MAAR" binding show | sed 's/ rx-packets [0-9]*$//' | sort | tr '\n' ';')" \
		"d1 mn $MN1 router $D1 primary;d2 mn $MN1 router $D2 primary;d2 mn $MN2 router $R3;" \
		"the bindings are where the last requests left them"
	ip netns exec "$NS_MN2" ping -c 1 -W 1 2001:db8:2::1 >/dev/null 2>&1
	check_eq "$(snmp6 "$MAAR" d2 Icmp6InEchos)" 1 "MN2's echo reaches the last d2 through its binding"
}

# The port's index of nodes (an rhltable with a random seed) grows and
# shrinks with them: among 512 other nodes with a DLIF each, the known
# node's RS still reaches its two DLIFs only and its unicast the one
# addressed; and again once the others are gone.
many_dlifs() {	# add|del: 512 DLIFs on acc, each bound to its own node
	local i
	for i in $(seq 1 512); do
		if [ "$1" = add ]; then
			printf 'link add link acc name x%d address 02:bb:00:00:%02x:%02x broadcast 02:aa:00:00:%02x:%02x type dlif\n' \
				"$i" $((i >> 8)) $((i & 255)) $((i >> 8)) $((i & 255))
		else
			printf 'link del x%d\n' "$i"
		fi
	done | ip -n "$MAAR" -batch -
}

demux_still_right() {	# round: RSs and echoes so far
	send_rs "$NS_MN1" eth0
	check "round $1: the RS reached the node's first DLIF" \
		busywait 3000 test "$(snmp6 "$MAAR" d1 Icmp6InRouterSolicits)" = "$1"
	check_eq "$(snmp6 "$MAAR" d2 Icmp6InRouterSolicits)" "$1" "round $1: and its second"
	check_eq "$(snmp6 "$MAAR" acc Icmp6InRouterSolicits)" 0 "round $1: not the lower device"
	check "round $1: the node reaches the DLIF's address" \
		ip netns exec "$NS_MN1" ping -c 1 -W 2 2001:db8:1::1
	check_eq "$(snmp6 "$MAAR" d1 Icmp6InEchos)" "$1" "round $1: the echo arrived on the DLIF addressed"
	check_eq "$(snmp6 "$MAAR" d2 Icmp6InEchos)" 0 "round $1: not on the other"
}

test_demux_among_many_nodes() {
	dlif_load || return 1
	setup_medium || return 1
	ip -n "$NS_MN1" neigh add 2001:db8:1::1 lladdr $D1 dev eth0 nud permanent
	check "512 more nodes' DLIFs on the port" many_dlifs add
	check_eq "$(ip -n "$MAAR" -o link show type dlif | wc -l)" 514 "514 DLIFs"
	demux_still_right 1
	check "the 512 removed" many_dlifs del
	demux_still_right 2
}

# The debug kernel: the configuration paths (refused attributes, the
# lower device's events), bindings and entries changing under traffic in
# both directions on a shared DLIF, and the receive demux once, with the port's index growing to 514 DLIFs and
# shrinking back (multicast and unicast).
DEBUG_CASES=(
	test_refused_configurations
	test_peer_shown_and_lower_coupling
	test_shared_dlif_changes_under_traffic
	test_demux_among_many_nodes
)

run_tests \
	test_autoload_create_show_delete_unload \
	test_refused_configurations \
	test_peer_shown_and_lower_coupling \
	test_demux_unicast_to_dlif_mac \
	test_demux_multicast_to_every_dlif \
	test_dlif_frames_reach_only_their_node \
	test_one_dlif_receives_several_nodes \
	test_bindings_change_under_traffic \
	test_binding_answers_solicitations_for_its_router_link_local \
	test_one_dlif_transmits_to_each_node \
	test_shared_dlif_changes_under_traffic \
	test_demux_among_many_nodes
