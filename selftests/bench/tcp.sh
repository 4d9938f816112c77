#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bulk TCP benchmark (make bench-vm, part "tcp"), run inside the test VM:
# iperf3 between the mobile node and the correspondent of dmm_topo.sh
# (the node served at MAAR2, its prefix A anchored at MAAR1), through
#
#   D  dlif: a serving entry and DLIF at MAAR2, an anchor entry and DLIF
#      at MAAR1 (the anchor's decapsulation goes through GRO cells)
#   T  stock Linux: an ip6tnl device at each end, a source-specific
#      default route at MAAR2 and a plain route at MAAR1 (OPMIP's way)
#
# with one and eight streams, the node sending (uplink) and receiving
# (downlink). The same namespaces carry both: the set-up is switched
# between D and T before each measurement, and D and T alternate within
# each cycle, so that each cycle's D/T ratio compares adjacent runs (the
# host's drift cancels out). The node's MTU is the access MTU less the
# tunnel header, as dlifd advertises it, so neither depends on a Packet
# Too Big.
#
# Environment: CYCLES=5, SECONDS_PER_RUN=4, STREAMS="1 8",
# DIRS="uplink downlink".

set -u
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../dmm_topo.sh"

CYCLES=${CYCLES:-5}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-4}
STREAMS=${STREAMS:-"1 8"}
DIRS=${DIRS:-"uplink downlink"}
RAW=$(mktemp)

# Either set-up from whatever the previous run left (D, T or the same),
# with dmm_topo.sh's own helpers for each.
teardown() {
	local ns
	for ns in "$MAAR1" "$MAAR2"; do
		ip -n "$ns" link del m1 2>/dev/null
		ip -n "$ns" link del t0 2>/dev/null
	done
	ip -n "$MAAR2" route del $PREFIX_A dev acc 2>/dev/null
	return 0
}

use_dlif() {
	teardown
	dmm_anchor_dlif >/dev/null && dmm_serving_dlif >/dev/null
}

use_ip6tnl() {
	teardown
	dmm_anchor_ip6tnl && dmm_serving_ip6tnl
}

cn_listens() { ip netns exec "$CN" ss -Hltn 'sport = :5201' | grep -q .; }

setup() {
	dmm_topo_base || return 1
	ip -n "$MN" link set eth0 mtu 1460
	ip netns exec "$CN" iperf3 -s -p 5201 >/dev/null 2>&1 &
	defer kill $!
	busywait 10000 cn_listens
}

# run SETUP DIR STREAMS CYCLE: one iperf3 run; appends "SETUP DIR STREAMS
# CYCLE bits/s" to RAW (0 if it failed).
run() {
	local x=$1 dir=$2 streams=$3 cycle=$4 reverse=() bps
	[ "$dir" = downlink ] && reverse=(-R)
	if [ "$x" = D ]; then use_dlif; else use_ip6tnl; fi || { echo "# set-up $x failed"; return 1; }
	ping_ok "$MN" $CN_ADDR || { echo "# $x: no connectivity"; return 1; }
	bps=$(timeout $((SECONDS_PER_RUN + 30)) ip netns exec "$MN" iperf3 -c $CN_ADDR -B $MN_ADDR \
		-t "$SECONDS_PER_RUN" -P "$streams" "${reverse[@]}" -J 2>/dev/null |
		python3 -c 'import json, sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))' \
		2>/dev/null) || bps=0
	echo "$x $dir $streams $cycle $bps" >>"$RAW"
}

require_cmd iperf3 || exit 1
modprobe dlif || exit 1
trap cleanup_all EXIT
echo "# bulk TCP benchmark: $(uname -r), $(nproc) vCPU, CYCLES=$CYCLES SECONDS_PER_RUN=$SECONDS_PER_RUN"
setup || { echo "# set-up failed"; exit 1; }
for cycle in $(seq 1 "$CYCLES"); do
	for dir in $DIRS; do
		for streams in $STREAMS; do
			# Alternate which set-up goes first.
			if [ $((cycle % 2)) -eq 1 ]; then order="D T"; else order="T D"; fi
			for x in $order; do
				run "$x" "$dir" "$streams" "$cycle" || exit 1
			done
		done
	done
done

python3 - "$RAW" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    x, direction, streams, cycle, bps = line.split()
    runs[(x, direction, int(streams), int(cycle))] = int(bps)
print("direction  streams     D Mbit/s     T Mbit/s     D/T   (medians over cycles; D/T within each cycle)")
failed = 0
for direction in ("uplink", "downlink"):
    for streams in sorted({k[2] for k in runs}):
        cycles = sorted({k[3] for k in runs if k[1] == direction and k[2] == streams})
        if not cycles:
            continue
        d = [runs[("D", direction, streams, c)] for c in cycles]
        t = [runs[("T", direction, streams, c)] for c in cycles]
        failed += sum(1 for v in d + t if v == 0)
        ratios = [a / b for a, b in zip(d, t) if b]
        print(f"{direction:9}  {streams:7}  {statistics.median(d) / 1e6:11.0f}  {statistics.median(t) / 1e6:11.0f}"
              f"  {statistics.median(ratios) if ratios else 0:6.2f}   D/T per cycle: "
              + " ".join(f"{r:.2f}" for r in ratios))
if failed:
    print(f"# {failed} runs moved nothing")
    sys.exit(1)
EOF
