#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Data-plane benchmark (make bench-vm), run inside the test VM. It
# compares, side by side in one VM and in interleaved time slices, the
# ways a MAAR can select traffic into per-prefix IPv6-in-IPv6 tunnels:
#
#   A  plain IPv6 forwarding, no tunnel (the limit)
#   T  a stock ip6tnl device and one plain route, no per-prefix state
#   B  ip6tnl + one policy rule per prefix        (MAD-PMIPv6)
#   C  ip6tnl + one source/destination route per prefix   (OPMIP)
#   D  dlif: one table entry per prefix
#   G  the generator alone (frames dropped at the first router)
#
# for the serving MAAR's uplink (selection by source prefix, serving
# entries) and the anchor's downlink (selection by destination prefix,
# anchor entries), with N prefixes and traffic spread over all of them.
# Every set-up has its own router and the same kind of decapsulating peer
# (a stock ip6tnl), so that only the selection and encapsulation differ.
# The method follows ../shared/notes/perf-baseline.md.
#
# Environment: NS="1 100 1000 10000 100000" (prefix counts), SLICE=0.5,
# CYCLES=16, DIRS="uplink downlink", B_MAX=10000 (rules beyond are too slow
# to be worth measuring), C_MAX=100000; PROFILE="T D" (set-ups to profile
# with perf, none by default) at PROFILE_NS="1 100000" prefixes for
# PROFILE_SECONDS=4 each.

set -u
source "$(dirname "$0")/../lib.sh"

NS=${NS:-"1 100 1000 10000 100000"}
SLICE=${SLICE:-0.5}
CYCLES=${CYCLES:-16}
DIRS=${DIRS:-"uplink downlink"}
B_MAX=${B_MAX:-10000}
C_MAX=${C_MAX:-100000}
PROFILE=${PROFILE:-}
PROFILE_NS=${PROFILE_NS:-"1 100000"}
PROFILE_SECONDS=${PROFILE_SECONDS:-4}
PROFILE_INSTALL=${PROFILE_INSTALL:-}
GEN6=${GEN6:-$DLIF_BUILD/userspace/userspace/tools/gen6}
RAW=$(mktemp)

SETUPS=(A T B C D G)
declare -A IDX=([A]=0 [T]=1 [B]=2 [C]=3 [D]=4 [G]=5)
GEN_MN_MAC=02:aa:00:00:00:04
GEN_MN_LL=fe80::aa:ff:fe00:4	# its modified EUI-64 link-local address
DLIF_MAC=02:dd:00:00:00:01

prefix_of() {	# i -> the i-th /64, as gen6 numbers them
	printf '2001:db8:%x:%x::/64' $(($1 >> 16)) $(($1 & 0xffff))
}

# lines FROM TO FORMAT: FORMAT with %s replaced by each prefix FROM..TO-1
lines() {
	awk -v from="$1" -v to="$2" -v fmt="$3" 'BEGIN {
		for (i = from; i < to; i++) {
			# printf, not gsub: mawk recompiles a dynamic regex per
			# call, which made this generator the slowest part of
			# installing 100,000 entries.
			printf(fmt "\n", sprintf("2001:db8:%x:%x::/64", int(i / 65536), i % 65536))
		}
	}'
}

mac_of() {	# ns dev
	ip netns exec "$1" cat "/sys/class/net/$2/address"
}

# target_mac DIR SETUP NS: where the generator sends. Uplink traffic comes
# from the node on the access device r0, so D's goes to the node's DLIF.
# Downlink traffic comes from the core, as at a real anchor: it enters
# every router through a core device c0, not the access device the DLIF
# sits on (which would cost D the access device's receive handler for
# traffic no node sent).
target_mac() {
	if [ "$1" = uplink ] && [ "$2" = D ]; then echo $DLIF_MAC
	elif [ "$1" = uplink ]; then mac_of "$3" r0
	else mac_of "$3" c0; fi
}

# ---------------------------------------------------------------- topology

# One direction: a generator namespace, one router per set-up, a peer
# that decapsulates every tunnel, a sink that blackholes everything.
#   dir uplink:   routers s<X>, peer amaar, traffic to fd00:9::1 from prefixes
#   dir downlink: routers x<X>, peer speer, traffic to prefixes from fd00:8::1
build() {
	local dir=$1 r peer sinkdst net x i ns
	if [ "$dir" = uplink ]; then r=s; peer=PEER_U; sinkdst=fd00:9::/64; net=2
	else r=x; peer=PEER_D; sinkdst=2001:db8::/32; net=4; fi
	setup_ns GEN_$dir "$peer" SINK_$dir || return 1
	local gen=GEN_$dir; gen=${!gen}
	local pns=${!peer}
	local sink=SINK_$dir; sink=${!sink}
	ip netns exec "$pns" sysctl -qw net.ipv6.conf.all.forwarding=1
	ip link add k0 netns "$sink" type veth peer name k0 netns "$pns"
	ip -n "$pns" addr add fd00:3::1/64 dev k0 nodad && ip -n "$pns" link set k0 up
	ip -n "$sink" addr add fd00:3::2/64 dev k0 nodad && ip -n "$sink" link set k0 up
	ip -n "$sink" route add blackhole $sinkdst
	ip -n "$pns" route add $sinkdst via fd00:3::2

	local in=r0
	[ "$dir" = downlink ] && in=c0
	for x in "${SETUPS[@]}"; do
		i=${IDX[$x]}
		setup_ns R || return 1
		ns=$R
		printf -v "ROUTER_${dir}_$x" '%s' "$ns"
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.forwarding=1
		if [ "$x" = D ] && [ "$dir" = uplink ]; then
			ip link add g$x netns "$gen" address $GEN_MN_MAC type veth peer name $in netns "$ns"
		else
			ip link add g$x netns "$gen" type veth peer name $in netns "$ns"
		fi
		ip -n "$gen" link set g$x up
		[ "$x" = G ] && ip netns exec "$ns" sysctl -qw net.ipv6.conf.$in.disable_ipv6=1
		ip -n "$ns" link set $in up
		# The anchor's access device, where the node's DLIF sits; the
		# node itself has moved on.
		[ "$x" = D ] && [ "$dir" = downlink ] && { ip -n "$ns" link add r0 type dummy; ip -n "$ns" link set r0 up; }
		ip link add r1 netns "$ns" type veth peer name p$i netns "$pns"
		ip -n "$ns" addr add fd00:$net:$i::1/64 dev r1 nodad && ip -n "$ns" link set r1 up
		ip -n "$pns" addr add fd00:$net:$i::2/64 dev p$i nodad && ip -n "$pns" link set p$i up
		case $x in
		T|B|C|D)
			ip -n "$pns" -6 tunnel add t$i mode ip6ip6 local fd00:$net:$i::2 remote fd00:$net:$i::1 dev p$i
			ip -n "$pns" link set t$i up
			;;
		esac
		case $x in
		T|B|C)
			ip -n "$ns" -6 tunnel add tnl mode ip6ip6 local fd00:$net:$i::1 remote fd00:$net:$i::2 dev r1
			ip -n "$ns" link set tnl up
			;;
		esac
		case $dir-$x in
		uplink-A)   ip -n "$ns" route add fd00:9::/64 via fd00:$net:$i::2 ;;
		uplink-T)   ip -n "$ns" route add fd00:9::/64 dev tnl ;;
		uplink-B)   ip -n "$ns" -6 route add default dev tnl table 100 ;;
		downlink-A) ip -n "$ns" route add 2001:db8::/32 via fd00:$net:$i::2 ;;
		downlink-T) ip -n "$ns" route add 2001:db8::/32 dev tnl ;;
		downlink-B) ip -n "$ns" -6 route add default dev tnl table 100 ;;
		*-D)
			# The node's DLIF on the access device r0.
			ip -n "$ns" link add link r0 name d0 address $DLIF_MAC broadcast $GEN_MN_MAC type dlif
			ip -n "$ns" link set d0 up
			# As dlifd routes a node's prefixes: by way of the node's
			# EUI-64 link-local address, a permanent neighbour (one
			# entry, whatever the number of destinations).
			if [ "$dir" = downlink ]; then
				ip -n "$ns" neigh replace $GEN_MN_LL lladdr $GEN_MN_MAC nud permanent dev d0
				ip -n "$ns" route add 2001:db8::/32 via $GEN_MN_LL dev d0
			fi
			;;
		esac
		# Prime the neighbour caches toward the peer.
		ip netns exec "$ns" ping -c 1 -W 2 fd00:$net:$i::2 >/dev/null 2>&1
	done
	ip netns exec "$pns" ping -c 1 -W 2 fd00:3::2 >/dev/null 2>&1
}

# grow DIR FROM TO: per-prefix state for prefixes FROM..TO-1 in B, C, D.
grow() {
	local dir=$1 from=$2 to=$3 x ns t0 role sel
	if [ "$dir" = uplink ]; then role=serving; sel=from; else role=anchor; sel=to; fi
	for x in D B C; do
		ns=ROUTER_${dir}_$x; ns=${!ns}
		[ "$x" = B ] && [ "$to" -gt "$B_MAX" ] && continue
		[ "$x" = C ] && [ "$to" -gt "$C_MAX" ] && continue
		t0=$(date +%s%N)
		case $x in
		B) lines "$from" "$to" "rule add $sel %s lookup 100" | ip -n "$ns" -6 -batch - ;;
		C) if [ "$dir" = uplink ]; then
			lines "$from" "$to" "route add default from %s dev tnl" | ip -n "$ns" -6 -batch -
		   else
			lines "$from" "$to" "route add %s dev tnl" | ip -n "$ns" -6 -batch -
		   fi ;;
		D) local i=${IDX[D]} net=2 record=()
		   [ "$dir" = downlink ] && net=4
		   [ -n "$PROFILE_INSTALL" ] && [ "$to" -gt 10000 ] &&
			record=(perf record -q -e cpu-clock -F 999 -a -g -o /tmp/install.data --)
		   lines "$from" "$to" "route add %s role $role peer fd00:$net:$i::2 local fd00:$net:$i::1 dev d0" |
			"${record[@]}" ip netns exec "$ns" "$DLIFCTL" -batch - ;;
		esac || { echo "# grow $dir $x to $to failed"; return 1; }
		echo "install $dir $x $from $to $(( ($(date +%s%N) - t0) / 1000000 ))" >>"$RAW"
		if [ "$x" = D ] && [ -f /tmp/install.data ]; then
			echo "# $dir D install $from..$to: profile"
			perf report -i /tmp/install.data --no-children --sort dso,sym --stdio -q -g none 2>/dev/null | head -25
			rm -f /tmp/install.data
		fi
	done
}

measure() {	# dir n
	local dir=$1 n=$2 gen x ns targets=() mac vary fixed
	gen=GEN_$dir; gen=${!gen}
	for x in "${SETUPS[@]}"; do
		[ "$x" = B ] && [ "$n" -gt "$B_MAX" ] && continue
		[ "$x" = C ] && [ "$n" -gt "$C_MAX" ] && continue
		ns=ROUTER_${dir}_$x; ns=${!ns}
		mac=$(target_mac "$dir" "$x" "$ns")
		targets+=("g$x=$mac")
	done
	if [ "$dir" = uplink ]; then vary=src; fixed=fd00:9::1; else vary=dst; fixed=fd00:8::1; fi
	ip netns exec "$gen" "$GEN6" --vary $vary --prefixes "$n" --fixed $fixed \
		--slice "$SLICE" --cycles "$CYCLES" "${targets[@]}" |
		sed "s/^slice /slice $dir $n /" >>"$RAW"
}

# Every set-up must have forwarded what was sent (the sink-side and the
# router-side counters), or the send rate would not be the forwarding rate.
check_paths() {	# dir
	local dir=$1 x ns dev
	for x in T B C D; do
		ns=ROUTER_${dir}_$x; ns=${!ns}
		dev=tnl; [ "$x" = D ] && dev=r1
		echo "# $dir $x: $(ip netns exec "$ns" cat /sys/class/net/$dev/statistics/tx_packets) packets out of $dev"
	done
	# Neighbour entries the routers made for the destinations (NOARP ones
	# included, which ip hides by default): T's one per address, D's one.
	for x in T D; do
		ns=ROUTER_${dir}_$x; ns=${!ns}
		dev=tnl; [ "$x" = D ] && dev=d0
		echo "# $dir $x: $(ip -n "$ns" -6 neigh show nud all dev $dev | grep -c .) neighbour entries on $dev"
	done
}

# profile DIR N: for each set-up in PROFILE, a CPU profile of the VM while
# the generator sends to that set-up alone, then profile.py's table of
# nanoseconds per packet per kernel function, side by side.
profile() {
	local dir=$1 n=$2 gen x ns mac vary fixed out
	gen=GEN_$dir; gen=${!gen}
	if [ "$dir" = uplink ]; then vary=src; fixed=fd00:9::1; else vary=dst; fixed=fd00:8::1; fi
	out=$(mktemp -d)
	for x in $PROFILE; do
		ns=ROUTER_${dir}_$x; ns=${!ns}
		mac=$(target_mac "$dir" "$x" "$ns")
		perf record -q -e cpu-clock -F 1999 -a -o "$out/$x.data" -- \
			ip netns exec "$gen" "$GEN6" --vary $vary --prefixes "$n" --fixed $fixed \
			--slice "$PROFILE_SECONDS" --cycles 1 "g$x=$mac" >"$out/$x.gen" 2>/dev/null
		awk '$1 == "slice" { print $4, $5 }' "$out/$x.gen" >"$out/$x.rate"
		perf report -i "$out/$x.data" --sort sym --stdio -q 2>/dev/null >"$out/$x.report"
	done
	echo "# $dir N=$n profile"
	python3 "$(dirname "$0")/profile.py" "$out"
	rm -rf "$out"
}

[ -x "$GEN6" ] || { echo "dataplane.sh: $GEN6 missing (make userspace)"; exit 1; }
if [ -n "$PROFILE" ] && ! command -v perf >/dev/null; then
	echo "dataplane.sh: PROFILE needs perf (Debian package linux-perf)"; exit 1
fi
modprobe dlif || exit 1
# Routes without a gateway into the stock tunnels (T, B and C) create a
# neighbour entry per destination address, and the default limits
# (gc_thresh3 = 1024) would thrash at 100,000 destinations. D routes by
# way of one permanent neighbour, as dlifd does, and needs none of this.
# The limits are global (they exist in the initial namespace only) and
# count every namespace's entries: up to 100,000 in each of T and C.
sysctl -qw net.ipv6.neigh.default.gc_thresh1=400000 \
	net.ipv6.neigh.default.gc_thresh2=800000 \
	net.ipv6.neigh.default.gc_thresh3=1000000 || exit 1
sysctl -qw kernel.kptr_restrict=0 kernel.perf_event_paranoid=-1
trap cleanup_all EXIT
echo "# data-plane benchmark: $(uname -r), $(nproc) vCPU, NS=[$NS] SLICE=$SLICE CYCLES=$CYCLES"
for dir in $DIRS; do
	build "$dir" || exit 1
	prev=0
	for n in $NS; do
		grow "$dir" "$prev" "$n" || exit 1
		prev=$n
		echo "# $dir N=$n: measuring"
		measure "$dir" "$n"
		if [ -n "$PROFILE" ] && [[ " $PROFILE_NS " == *" $n "* ]]; then
			profile "$dir" "$n"
		fi
	done
	check_paths "$dir"
done
python3 "$(dirname "$0")/analyze.py" "$RAW"
