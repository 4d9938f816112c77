#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's cost of a node arriving at and leaving a MAAR, as nodes
# accumulate (make bench-vm, part "attach"), run inside the test VM. Each
# arrival is what a MAAR's kernel does for one anchoring MAAR of the node:
#
#   netdev  one DLIF per (node, anchoring MAAR), as dlifd does today: the
#           DLIF created, brought up without a kernel-made link-local, given
#           its router link-local address, and the node's prefix routed
#           into it; leaving deletes the DLIF
#   shared  one DLIF for every node of that anchoring MAAR (performance.rst,
#           steps 2-4): a binding with the node's router MAC and link-local
#           address, an attached entry naming it, and the route; leaving
#           deletes the route and the binding (its entry goes with it)
#
# For each fill level in LEVELS (default "1000 5000"), the namespace is
# filled to that many nodes, then BATCH (default 200) nodes arrive and
# leave, timed; it prints the cost per node at each level and the ratio
# of the largest level to the smallest (goal for the load run: within
# 1.5). The requests go through ip -batch and dlifctl -batch, one process
# each, as dlifd sends its requests on one socket.

set -u
source "$(dirname "$0")/../lib.sh"

LEVELS=${LEVELS:-"1000 5000"}
BATCH=${BATCH:-200}
MODES=${MODES:-"netdev shared"}

mac() {	# kind index: 02:KK:00:XX:XX:XX
	printf '02:%02x:00:%02x:%02x:%02x' "$1" $(($2 >> 16 & 255)) $(($2 >> 8 & 255)) $(($2 & 255))
}

prefix() {	# index: a /64 per node
	printf '2001:db8:%x:%x::/64' $(($1 >> 16)) $(($1 & 65535))
}

router_ll() {	# index
	printf 'fe80::1:%x:%x' $(($1 >> 16)) $(($1 & 65535))
}

# The requests of nodes FIRST..LAST arriving (add) or leaving (del), one
# file for ip -batch and one for dlifctl -batch.
requests() {	# mode add|del first last ipfile ctlfile
	local mode=$1 op=$2 i
	: >"$5"
	: >"$6"
	for i in $(seq "$3" "$4"); do
		case $mode/$op in
		netdev/add)
			printf 'link add link acc name n%d address %s broadcast %s type dlif\n' \
				"$i" "$(mac 1 "$i")" "$(mac 2 "$i")" >>"$5"
			# As dlifd: no kernel-made link-local, the router's own.
			printf 'link set n%d addrgenmode none up\naddr add %s/64 dev n%d nodad\nroute add %s dev n%d\n' \
				"$i" "$(router_ll "$i")" "$i" "$(prefix "$i")" "$i" >>"$5" ;;
		netdev/del)
			printf 'link del n%d\n' "$i" >>"$5" ;;
		shared/add)
			printf 'binding add dev s0 mn %s router %s router-ll %s\n' \
				"$(mac 2 "$i")" "$(mac 1 "$i")" "$(router_ll "$i")" >>"$6"
			printf 'route add %s role attached dev s0 mn %s\n' "$(prefix "$i")" "$(mac 2 "$i")" >>"$6"
			printf 'route add %s dev s0\n' "$(prefix "$i")" >>"$5" ;;
		shared/del)
			printf 'route del %s dev s0\n' "$(prefix "$i")" >>"$5"
			printf 'binding del dev s0 mn %s\n' "$(mac 2 "$i")" >>"$6" ;;
		esac
	done
}

# Run a prepared step; print its duration in ms.
apply() {	# ipfile ctlfile
	local t0 t1
	t0=$(date +%s%N)
	if [ -s "$1" ]; then
		ip -n "$NS" -batch "$1" || return 1
	fi
	if [ -s "$2" ]; then
		dlifctl -n "$NS" -batch "$2" || return 1
	fi
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

run_mode() {	# mode
	local mode=$1 filled=0 level ms_add ms_del first ipf ctlf result=()
	setup_ns NS || return 1
	ip -n "$NS" link add acc type veth peer name acc-peer || return 1
	ip -n "$NS" link set acc up
	ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.forwarding=1
	if [ "$mode" = shared ]; then
		ip -n "$NS" link add link acc name s0 address 02:01:ff:ff:ff:ff type dlif || return 1
		ip -n "$NS" link set s0 up
	fi
	ipf=$(mktemp); ctlf=$(mktemp)
	defer rm -f "$ipf" "$ctlf"
	for level in $LEVELS; do
		if [ "$level" -gt "$filled" ]; then
			requests "$mode" add $((filled + 1)) "$level" "$ipf" "$ctlf"
			apply "$ipf" "$ctlf" >/dev/null || { fail "$mode: cannot fill to $level"; return 1; }
			filled=$level
		fi
		# The batch gets indices above any level: they never collide.
		first=$((1000000 + level))
		requests "$mode" add "$first" $((first + BATCH - 1)) "$ipf" "$ctlf"
		ms_add=$(apply "$ipf" "$ctlf") || { fail "$mode: arrivals at $level failed"; return 1; }
		requests "$mode" del "$first" $((first + BATCH - 1)) "$ipf" "$ctlf"
		ms_del=$(apply "$ipf" "$ctlf") || { fail "$mode: departures at $level failed"; return 1; }
		ktap_diag "$mode: $level nodes: arrival $((ms_add * 1000 / BATCH)) us/node," \
			"departure $((ms_del * 1000 / BATCH)) us/node ($BATCH nodes)"
		result+=("$level:$ms_add:$ms_del")
	done
	python3 - "$mode" "${result[@]}" <<-'EOF' | while read -r line; do ktap_diag "$line"; done
	import sys
	mode, rows = sys.argv[1], [tuple(map(int, r.split(":"))) for r in sys.argv[2:]]
	(l0, a0, d0), (l1, a1, d1) = rows[0], rows[-1]
	print("%s: cost at %d nodes / at %d: arrival %.2f, departure %.2f" %
	      (mode, l1, l0, a1 / max(a0, 1), d1 / max(d0, 1)))
	EOF
	# The next mode starts in a namespace of its own, without these.
	ip netns del "$NS"
}

test_attach_cost_as_nodes_accumulate() {
	local mode
	dlif_load || return 1
	for mode in $MODES; do
		run_mode "$mode" || return 1
	done
}

run_tests test_attach_cost_as_nodes_accumulate
