#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Each VM benchmark of `make bench-vm` once, tiny, so that they keep
# working (no timing is judged): the data-plane harness on a few slices,
# ctlbench on a few hundred entries, the handover benchmark on a couple of
# handovers and a handful of nodes (the CMD on SQLite, then on etcd).

source "$(dirname "$0")/lib.sh"

test_dataplane_benchmark_runs() {
	local out
	out=$(NS="1 10" CYCLES=1 SLICE=0.05 "$SELFTESTS/bench/dataplane.sh" 2>&1)
	check_match "$out" "uplink: packets per second" "the uplink table"
	check_match "$out" "downlink: packets per second" "the downlink table"
	check_match "$out" "# uplink D: [1-9][0-9]* packets out" "dlif forwarded uplink packets"
	check_match "$out" "# downlink D: [1-9][0-9]* packets out" "dlif forwarded downlink packets"
}

test_control_benchmark_runs() {
	local out
	dlif_load || return 1
	setup_ns NS || return 1
	ip -n "$NS" link add veth0 type veth peer name veth1
	ip -n "$NS" link add link veth0 name d0 type dlif
	out=$(ip netns exec "$NS" "$DLIF_BUILD/userspace/userspace/tools/ctlbench" d0 300 1 16 2>&1)
	check_match "$out" "^ctl 300 1 install [0-9.]+ remove [0-9.]+" "one entry per request"
	check_match "$out" "^ctl 300 16 install [0-9.]+ remove [0-9.]+" "bulk requests"
}

test_handover_benchmark_runs() {
	local out
	# Shared DLIFs only: the selftests walk both layouts.
	out=$(HANDOVERS=2 MODES=locator NODES=5 LAYOUTS=shared "$SELFTESTS/bench/handover.sh" 2>&1)
	check_match "$out" "^latency locator shared handovers 2 median [0-9]+ worst [0-9]+" "the latency part"
	check_match "$out" "^latency locator shared phases, median/worst ms from the layer-2 move \\(handovers\\): l2 [0-9.]+/[0-9.]+" \
		"its phases"
	check_match "$out" "^load proxy sqlite shared round 3 to MAAR1 nodes 5 .* on_new_maar 5 bindings 5 refused_attach 0" \
		"the load part"
	check_match "$out" "^load proxy etcd shared round 3 to MAAR1 nodes 5 .* on_new_maar 5 bindings 5 refused_attach 0" \
		"the load part with the CMD on etcd"
}

run_tests \
	test_dataplane_benchmark_runs \
	test_control_benchmark_runs \
	test_handover_benchmark_runs
