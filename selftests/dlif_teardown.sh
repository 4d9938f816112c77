#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Teardown with live state: the module removed, or the namespaces
# deleted, while DLIFs, table entries and tunnelled traffic are up. The
# VM runner fails the run on any WARN, oops or leak report the kernel
# logs meanwhile (kmem_cache_destroy reports leaked entries).

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dmm_topo.sh"

live_state() {
	dmm_topo_base || return 1
	dmm_anchor_dlif || return 1
	dmm_serving_dlif || return 1
	ip netns exec "$MN" ping -c 2 -W 3 $CN_ADDR >/dev/null 2>&1 || return 1
	# Traffic both ways while the state is torn down.
	ip netns exec "$MN" ping -q -i 0.01 $CN_ADDR >/dev/null 2>&1 &
	defer kill $!
	ip netns exec "$CN" ping -q -i 0.01 -s 1200 $MN_ADDR >/dev/null 2>&1 &
	defer kill $!
	# More entries and DLIFs than the two in use, in both roles.
	local i
	for i in $(seq 1 20); do
		ip -n "$MAAR1" link add link acc name x$i broadcast 02:00:00:00:10:$(printf %02x $i) type dlif
		ip netns exec "$MAAR1" "$DLIFCTL" route add 2001:db8:1:$i::/64 role anchor \
			peer $MAAR2_CORE dev x$i
	done
	ip netns exec "$MAAR2" "$DLIFCTL" route add 2001:db8:20::/48 role local-net peer $MAAR1_CORE
	ip netns exec "$MAAR1" "$DLIFCTL" route add 2001:db8:30::/48 role local-export
	sleep 1
}

test_module_removed_with_live_state() {
	dlif_load || return 1
	live_state || return 1
	check "the module unloads with DLIFs, entries and traffic up" modprobe -r dlif
	check_fails "module gone" test -d /sys/module/dlif
	check_fails "its devices are gone (MAAR1)" ip -n "$MAAR1" link show m1
	check_fails "its devices are gone (MAAR2)" ip -n "$MAAR2" link show m1
	check_eq "$(ip -n "$MAAR1" -o link show type dlif | wc -l)" 0 "no dlif left"
	check "the underlying devices survive" ip -n "$MAAR2" link show acc
	check "and it loads again" modprobe dlif
	check_module_fresh
	check "and works again" dmm_serving_dlif
}

test_namespaces_deleted_with_live_state() {
	dlif_load || return 1
	live_state || return 1
	check "delete MAAR1 with its state" ip netns del "$MAAR1"
	check "delete MAAR2 with its state" ip netns del "$MAAR2"
	cleanup_all
	sleep 1
	check "then the module unloads" modprobe -r dlif
}

test_lower_device_deleted_with_live_state() {
	dlif_load || return 1
	live_state || return 1
	check "delete MAAR1's access device under its DLIFs" ip -n "$MAAR1" link del acc
	check_eq "$(ip -n "$MAAR1" -o link show type dlif | wc -l)" 0 "its DLIFs are gone"
	check_eq "$(ip netns exec "$MAAR1" "$DLIFCTL" route show | grep -c .)" 1 \
		"only the entry without a DLIF stays"
}

run_tests \
	test_module_removed_with_live_state \
	test_namespaces_deleted_with_live_state \
	test_lower_device_deleted_with_live_state
