#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench-vm`: the benchmarks that need the kernel module, each in its
# own test VM on KVER (default 6.1), with their tables:
#   dataplane  selftests/bench/dataplane.sh (1 vCPU, as the baseline), with
#              perf profiles of the set-ups in PROFILE (default "A T C D")
#   control    ctlbench: installing and removing 10,000 and 100,000 entries
#   handover   selftests/bench/handover.sh (latency per mode, 1,000 nodes)
#   tcp        selftests/bench/tcp.sh (bulk TCP with iperf3, dlif against
#              ip6tnl, 1 and 8 streams, both directions; 2 vCPUs)
#   attach     selftests/bench/attach.sh (the kernel's cost of a node
#              arriving and leaving at 1,000 and 5,000 nodes: a DLIF per
#              node against one DLIF shared through bindings)
# The raw outputs stay in build/results/bench-vm/.
#
# usage: scripts/bench-vm.sh [KVER] [dataplane|control|handover|tcp|attach...]

set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
KVER=${1:-6.1}
shift || true
PARTS=("$@")
[ ${#PARTS[@]} -gt 0 ] || PARTS=(dataplane control handover tcp attach)
out=$BUILD/results/bench-vm
mkdir -p "$out"
status=0

for part in "${PARTS[@]}"; do
	echo "== $part ($KVER)"
	case $part in
	dataplane)
		"$TOP/qemu/vm.sh" -k "$KVER" --smp 1 --mem 2G -t 5400 --quiet --output "$out/dataplane.txt" \
			-e "PROFILE=${PROFILE-A T C D}" -- selftests/bench/dataplane.sh ;;
	control)
		"$TOP/qemu/vm.sh" -k "$KVER" --smp 1 -t 1200 --quiet --output "$out/control.txt" -- bash -c '
			modprobe dlif && ip link add veth0 type veth peer name veth1 &&
			ip link add link veth0 name d0 type dlif &&
			for n in 10000 100000; do build/userspace/userspace/tools/ctlbench d0 $n 1 16 256; done' ;;
	handover)
		"$TOP/qemu/vm.sh" -k "$KVER" --mem 2G -t 5400 --quiet --output "$out/handover.txt" \
			-- selftests/bench/handover.sh ;;
	tcp)
		"$TOP/qemu/vm.sh" -k "$KVER" --smp 2 --mem 2G -t 3600 --quiet --output "$out/tcp.txt" \
			-- selftests/bench/tcp.sh ;;
	attach)
		"$TOP/qemu/vm.sh" -k "$KVER" --smp 1 --mem 4G -t 3000 --quiet --output "$out/attach.txt" \
			-- selftests/bench/attach.sh ;;
	*)
		echo "bench-vm.sh: unknown part $part" >&2; status=2; continue ;;
	esac || status=1
	cat "$out/$part.txt"
done
exit $status
