#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Teardown with live state: the module removed, the namespaces deleted,
# the lower device deleted or moved to another namespace, while DLIFs,
# table entries and tunnelled traffic are up; the same at scale (1,000
# DLIFs, 10,000 entries). The VM runner fails the run on any WARN, oops
# or leak report the kernel logs meanwhile (kmem_cache_destroy reports
# leaked entries; kmemleak on the debug kernel).

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
		printf 'link add link acc name x%d broadcast 02:00:00:00:10:%02x type dlif\n' $i $i
	done | nsbatch "$MAAR1" || return 1
	for i in $(seq 1 20); do
		printf 'route add 2001:db8:1:%d::/64 role anchor peer %s dev x%d\n' $i $MAAR2_CORE $i
	done | ip netns exec "$MAAR1" "$DLIFCTL" -batch - || return 1
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

# A DLIF belongs with its lower device: when the lower device moves to
# another namespace, its DLIFs and their entries are deleted (they could
# neither follow it nor stay on a device that left). Then back, and the
# namespace deleted.
test_lower_device_moved_to_another_namespace() {
	dlif_load || return 1
	live_state || return 1
	setup_ns ELSEWHERE || return 1
	check "move MAAR1's access device to another namespace" \
		ip -n "$MAAR1" link set acc netns "$ELSEWHERE"
	check_eq "$(ip -n "$MAAR1" -o link show type dlif | wc -l)" 0 "its DLIFs are gone"
	check_eq "$(ip -n "$ELSEWHERE" -o link show type dlif | wc -l)" 0 "and did not follow it"
	check_eq "$(ip netns exec "$MAAR1" "$DLIFCTL" route show | grep -c .)" 1 \
		"only the entry without a DLIF stays"
	check "the device can carry DLIFs where it is now" \
		ip -n "$ELSEWHERE" link add link acc name n1 broadcast 02:00:00:00:00:09 type dlif
	check "and move back with them gone again" ip -n "$ELSEWHERE" link set acc netns "$MAAR1"
	check_eq "$(ip -n "$ELSEWHERE" -o link show type dlif | wc -l)" 0 "no DLIF left behind"
	check "new DLIFs on it in its first namespace" \
		ip -n "$MAAR1" link add link acc name n2 broadcast 02:00:00:00:00:0a type dlif
	check "delete that namespace with them" ip netns del "$MAAR1"
	check "and the other" ip netns del "$ELSEWHERE"
	cleanup_all
	sleep 1
	check "then the module unloads" modprobe -r dlif
}

# Scale: 1,000 DLIFs and 10,000 entries under traffic (50 and 500 on
# the debug kernel, where the full size takes a quarter of an hour), torn
# down by deleting the namespace, then again by unloading the module.
BIG_DLIFS=1000
BIG_ENTRIES=10000
if debug_kernel; then
	BIG_DLIFS=50
	BIG_ENTRIES=500
fi

big_state() {
	local dir i
	dir=$(mktemp -d)
	for i in $(seq 1 $BIG_DLIFS); do
		printf 'link add link acc name b%d address 02:aa:00:00:%02x:%02x broadcast 02:bb:00:00:%02x:%02x type dlif\n' \
			$i $((i / 256)) $((i % 256)) $((i / 256)) $((i % 256))
	done >"$dir/links"
	ip -n "$MAAR1" -batch "$dir/links" || return 1
	for i in $(seq 0 $((BIG_ENTRIES - 1))); do
		printf 'route add 2001:db8:%x:%x::/64 role anchor peer %s dev b%d\n' \
			$((0x100 + i / 4096)) $((i % 4096)) $MAAR2_CORE $((i % BIG_DLIFS + 1))
	done >"$dir/routes"
	ip netns exec "$MAAR1" "$DLIFCTL" -batch "$dir/routes" || return 1
	rm -rf "$dir"
}

test_namespace_deleted_with_thousands_of_dlifs_under_traffic() {
	dlif_load || return 1
	live_state || return 1
	big_state || { fail "could not build $BIG_DLIFS DLIFs and $BIG_ENTRIES entries"; return 1; }
	check_eq "$(ip -n "$MAAR1" -o link show type dlif | wc -l)" $((BIG_DLIFS + 21)) \
		"$BIG_DLIFS DLIFs and the 21 of the live state"
	check_eq "$(ip netns exec "$MAAR1" "$DLIFCTL" route show | grep -c .)" $((BIG_ENTRIES + 22)) \
		"$BIG_ENTRIES entries and the 22 of the live state"
	check "delete MAAR1 with all of it" ip netns del "$MAAR1"
	check "delete MAAR2" ip netns del "$MAAR2"
	cleanup_all
	sleep 1
	check "then the module unloads" modprobe -r dlif
}

test_module_removed_with_thousands_of_dlifs_under_traffic() {
	dlif_load || return 1
	live_state || return 1
	big_state || { fail "could not build $BIG_DLIFS DLIFs and $BIG_ENTRIES entries"; return 1; }
	check "the module unloads with all of it" modprobe -r dlif
	check_eq "$(ip -n "$MAAR1" -o link show type dlif | wc -l)" 0 "no dlif left"
	check "the underlying devices survive" ip -n "$MAAR1" link show acc
}

# The debug kernel runs the namespace and the module going with the larger
# state, under traffic: the namespace's end unregisters the lower devices
# under their DLIFs as well. The small-state cases and the lower device
# deleted or moved away run on the Debian kernels (moving it cost two
# minutes of the debug run for a path the namespace's end takes too).
DEBUG_CASES=(
	test_namespace_deleted_with_thousands_of_dlifs_under_traffic
	test_module_removed_with_thousands_of_dlifs_under_traffic
)

run_tests \
	test_module_removed_with_live_state \
	test_namespaces_deleted_with_live_state \
	test_lower_device_deleted_with_live_state \
	test_lower_device_moved_to_another_namespace \
	test_namespace_deleted_with_thousands_of_dlifs_under_traffic \
	test_module_removed_with_thousands_of_dlifs_under_traffic
