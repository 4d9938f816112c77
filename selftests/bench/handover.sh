#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Control-plane benchmarks of dlifd in the test VM (make bench-vm):
#
# 1. Handover latency per CMD mode: an unmodified Linux node moves around
#    MAAR1 -> MAAR2 -> MAAR3 -> MAAR1 ... HANDOVERS times per mode; each
#    latency runs from the new MAAR's attachment of the node (its log) to
#    the last tunnel end installed for that handover (the table
#    notifications of every MAAR). Median and worst per mode. Then each
#    handover's phases, in ms from the layer-2 move: the switch port
#    moved, the node's first RS, the new MAAR's attachment and
#    registration (its log), the first RA of the new prefix, the new
#    address usable (preferred), the node's first ping reply after the
#    move (a ping every 20 ms from its first address, which MAAR1
#    anchors), and the last tunnel end installed at any MAAR; the node's
#    capture and address monitor give the node's view.
# 2. Load: NODES mobile nodes (no hosts: the access point notifications
#    alone, over the control socket) attach at MAAR1 and roam together to
#    MAAR2, MAAR3, back to MAAR1 and on around the ring for LOAD_ROUNDS
#    rounds in all (the attachment is round 0); for each round, the handovers per
#    second until the CMD has every binding on the new MAAR, and whether
#    any binding failed. Once per CMD store: SQLite (the default) and
#    etcd (a one-member etcd on the core, the CMD its leader).
# Both parts run once per DLIF layout of the MAARs: "shared" ([maar]
# shared_dlifs, one DLIF per anchoring MAAR on the access link) and "own"
# (a DLIF per node and anchoring MAAR, the default), or "shared0" (shared,
# each netdevice deleted with its last node: [maar] shared_dlif_linger =
# 0); their lines say which ("latency MODE LAYOUT ...", "load MODE STORE
# LAYOUT ...").
#
# Environment: HANDOVERS=20, MODES="relay locator proxy", NODES=1000,
# PARTS="latency load", STORES="sqlite etcd", LAYOUTS="shared own",
# LOAD_MODES="proxy" (the CMD modes of the load part),
# LOAD_ROUNDS=4 (rounds of the load part, the attachment included; from
# round 2 on, every round is a node arriving with two previous MAARs),
# LATENCY_TRACE=0 (1: after each handover of the latency part, every
# MAAR's table notifications and every daemon's log lines, at debug
# level, around it: trace()),
# LOAD_RA_INTERVAL=10 (the
# MAARs' RA interval in the load part, seconds; the testbed's),
# LOAD_PROFILE=0 (1: a perf profile of the whole VM during each load
# round, printed per process and per symbol; needs linux-perf).

set -u
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../dmm_net.sh"
source "$(dirname "$0")/../dlifd_lib.sh"

HANDOVERS=${HANDOVERS:-20}
MODES=${MODES:-"relay locator proxy"}
NODES=${NODES:-1000}
PARTS=${PARTS:-"latency load"}
STORES=${STORES:-"sqlite etcd"}
LAYOUTS=${LAYOUTS:-"shared own"}
LOAD_MODES=${LOAD_MODES:-proxy}
LOAD_RA_INTERVAL=${LOAD_RA_INTERVAL:-10}
LOAD_PROFILE=${LOAD_PROFILE:-0}
LOAD_ROUNDS=${LOAD_ROUNDS:-4}
LATENCY_TRACE=${LATENCY_TRACE:-0}

# preferred_address_in N: the node has an address in MAAR N's prefix, and
# it is preferred. Asked afresh each time: the address may not exist yet
# when busywait starts.
preferred_address_in() {
	local address
	address=$(mn_address_in "$1")
	[ -n "$address" ] && address_state_is "$address" preferred
}

# latency NEW: milliseconds from NEW's last attachment to the last tunnel
# end installed at any MAAR within 10 s of it: an entry with a peer added
# or replaced. Not any notification: bindings, attached entries and
# deletions are the old paths' clean-up, and differ with the DLIF layout.
latency() {
	local new=$1 attach
	attach=$(epoch "$(attach_time "maar$new")")
	TZ=UTC awk -v a="$attach" "$AWK_EPOCH_OF"' { t = epoch_of($1) }
		t >= a && t <= a + 10 && ($2 == "added" || $2 == "replaced") && / peer / {
			if (t > last) last = t
		} END { printf "%d\n", (last - a) * 1000 }' "$RUN"/monitor-maar[123]
}

# trace NEW: what happened in the handover to NEW, for finding where its
# time goes (LATENCY_TRACE=1): every MAAR's table notifications from 1 s
# before NEW's attachment of the node to 10 s after, each in ms from the
# attachment, then every daemon's log lines from the attachment on (at
# debug level: LATENCY_TRACE keeps it).
trace() {
	local new=$1 attach at node
	attach=$(attach_time "maar$new")
	at=$(epoch "$attach")
	for node in maar1 maar2 maar3; do
		TZ=UTC awk -v a="$at" -v tag="trace to MAAR$new $node notification" "$AWK_EPOCH_OF"'
			{ t = epoch_of($1) }
			t >= a - 1 && t <= a + 10 { $1 = sprintf("%+d ms", (t - a) * 1000); print tag, $0 }' \
			"$RUN/monitor-$node"
	done
	# The logs' ts are RFC 3339 in UTC, all of one format: they compare
	# as strings.
	for node in cmd maar1 maar2 maar3; do
		awk -v a="$attach" -v tag="trace to MAAR$new $node log" '
			match($0, /ts=[^ ]*/) && substr($0, RSTART + 3, RLENGTH - 3) >= a { print tag, $0 }' \
			"$RUN/$node.log"
	done
}

# log_time NODE EVENT AFTER: the epoch of the node's first log line of
# EVENT at or after AFTER (epoch seconds), empty if none. The log's ts has
# millisecond resolution.
log_time() {
	local ts
	for ts in $(grep "event=$2 " "$RUN/$1.log" | grep -o 'ts=[^ ]*' | cut -d= -f2); do
		ts=$(epoch "$ts")
		awk -v t="$ts" -v a="$3" 'BEGIN { exit !(t >= a - 0.001) }' && { echo "$ts"; return; }
	done
}

# The node's own view of a handover, from its capture (decoded by tshark
# into mn-icmp6.txt: epoch, ICMPv6 type, echo sequence, prefixes) and its
# address monitor: "PHASE EPOCH" lines for the handover to MAAR NEW whose
# layer-2 move ended at LINKED (epoch): its first Router Solicitation, the
# first Router Advertisement of the new MAAR's prefix, the new address
# preferred (or preferred again), and the first ping reply to a request
# sent after LINKED (through the new MAAR: the node is on no other link).
node_times() {
	local linked=$1 new=$2
	awk -F'\t' -v re="${MAAR_POOL_RE[$new]}" -v linked="$linked" '
			$1 < linked { next }
			$2 == 133 && !rs { print "rs", $1; rs = 1 }
			$2 == 134 && !ra { n = split($4, p, ","); for (i = 1; i <= n; i++) if (p[i] ~ re) { print "ra", $1; ra = 1; break } }
			$2 == 128 && first == "" { first = $3 }
			$2 == 129 && first != "" && $3 >= first && !reply { print "first_packet", $1; reply = 1 }' \
		"$RUN/mn-icmp6.txt"
	# "ip -ts monitor": each event after "[YYYY-MM-DDTHH:MM:SS.US]" (the
	# VM's time zone is UTC); the first one showing the new address
	# preferred.
	local ts address t
	while read -r ts address; do
		[[ "$address" =~ ${MAAR_POOL_RE[$new]} ]] || continue
		t=$(date -u -d "${ts//[][]/}" +%s.%N)
		awk -v t="$t" -v m="$linked" 'BEGIN { exit !(t >= m) }' && { echo "address $t"; return; }
	done < <(grep inet6 "$RUN/mn-addresses.log" | grep -v -e tentative -e Deleted -e deprecated |
		awk '{ for (i = 1; i < NF; i++) if ($i == "inet6") { split($(i + 1), a, "/"); print $1, a[1] } }')
}

PHASES="l2 rs attach registered ra address first_packet tunnels"

# One handover's phases, in ms from the start of the layer-2 move (MOVED,
# epoch) to MAAR NEW, "-" for what was not seen: l2 (the switch port moved,
# LINKED), rs, ra, address and first_packet (the node's view), attach and
# registered (the new MAAR's log), tunnels (the last tunnel end installed
# at any MAAR, TUNNELS ms after the attachment: latency()).
phases() {
	local moved=$1 linked=$2 new=$3 tunnels=$4 attach registered
	attach=$(log_time "maar$new" mn.attached "$moved")
	registered=$(log_time "maar$new" registered "$moved")
	[ -n "$registered" ] || registered=$(log_time "maar$new" registered-returned "$moved")
	{
		echo "l2 $linked"
		node_times "$linked" "$new"
		[ -n "$attach" ] && echo "attach $attach"
		[ -n "$registered" ] && echo "registered $registered"
		[ -n "$attach" ] && echo "tunnels $(awk -v a="$attach" -v k="$tunnels" 'BEGIN { printf "%.6f", a + k / 1000 }')"
	} | awk -v m="$moved" -v names="$PHASES" '{ v[$1] = ($2 - m) * 1000 } END {
		n = split(names, name, " ")
		for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? " " : ""), (name[i] in v ? sprintf("%d", v[name[i]]) : "-")
		printf "\n"
	}'
}

# The median and worst of each column of phases' lines ("-" left out),
# with how many handovers showed it: "NAME MEDIAN/WORST (N)".
phase_medians() {
	awk -v names="$PHASES" '{ for (i = 1; i <= NF; i++) if ($i != "-") v[i, ++n[i]] = $i }
	END {
		k = split(names, name, " ")
		for (i = 1; i <= k; i++) {
			c = n[i]; for (a = 1; a <= c; a++) s[a] = v[i, a]
			for (a = 1; a <= c; a++) for (b = a + 1; b <= c; b++) if (s[b] < s[a]) { x = s[a]; s[a] = s[b]; s[b] = x }
			m = c ? ((c % 2) ? s[(c + 1) / 2] : (s[c / 2] + s[c / 2 + 1]) / 2) "/" s[c] : "-"
			printf "%s%s %s (%d)", (i > 1 ? " " : ""), name[i], m, c + 0
		}
		printf "\n"
	}'
}

latency_part() {
	local mode layout
	for mode in $MODES; do
		for layout in $LAYOUTS; do
			latency_run "$mode" "$layout"
		done
	done
}

# layout_config LAYOUT: dlifd_configure's settings for a DLIF layout.
layout_config() {
	case $1 in
	shared) echo maar.shared_dlifs=true ;;
	shared0) echo maar.shared_dlifs=true maar.shared_dlif_linger=0 ;;
	*) echo maar.shared_dlifs=false ;;
	esac
}

# latency_run MODE LAYOUT: the latency part for one CMD mode and DLIF layout.
latency_run() {
	local mode=$1 layout=$2 k new lats moved linked
	(
		trap cleanup_all EXIT
		RUN=""
		dmm_net || exit 1
		# shellcheck disable=SC2046 # one word per setting
		dlifd_configure "$mode" $(layout_config "$layout")
		[ "$LATENCY_TRACE" = 1 ] ||
			sed -i 's/log_level = "debug"/log_level = "info"/' "$RUN"/*.toml
		dlifd_start_all || exit 1
		monitors_start
		mn_move 1
		busywait 30000 has_address_in 1 || { echo "# $mode $layout: no first registration"; exit 1; }
		# The node's view: its ICMPv6 (RS, RA, the ping), its
		# addresses, and a ping from its first address, which
		# MAAR1 anchors throughout, every 20 ms.
		ip netns exec "$MN" tcpdump -n -U -i eth0 -w "$RUN/mn.pcap" icmp6 2>"$RUN/mn-tcpdump.log" &
		defer kill $!
		busywait 20000 grep -q "listening on" "$RUN/mn-tcpdump.log"
		ip netns exec "$MN" ip -ts monitor address >"$RUN/mn-addresses.log" 2>&1 &
		defer kill $!
		ip netns exec "$MN" ping -q -i 0.02 -I "$(mn_address_in 1)" "$CN_ADDR" >/dev/null 2>&1 &
		defer kill $!
		lats=()
		: >"$RUN/phases"
		for k in $(seq 1 "$HANDOVERS"); do
			new=$(( k % 3 + 1 ))
			moved=$EPOCHREALTIME
			mn_move "$new"
			linked=$EPOCHREALTIME
			ctl_node "maar$new" attach acc $MN_MAC >/dev/null
			busywait 30000 preferred_address_in "$new" ||
				{ echo "# $mode $layout: handover $k to MAAR$new did not complete"; exit 1; }
			sleep 2	# quiet: every tunnel end is in place
			lats+=("$(latency "$new")")
			[ "$LATENCY_TRACE" = 1 ] && trace "$new"
			echo "$moved $linked $new ${lats[-1]}" >>"$RUN/phases"
		done
		printf '%s\n' "${lats[@]}" | sort -n | awk -v mode="$mode $layout" '
			{ v[NR] = $1 } END {
				m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
				printf "latency %s handovers %d median %d worst %d best %d\n", mode, NR, m, v[NR], v[1]
			}'
		sleep 1
		# One decoding of the node's capture (tshark starts slowly
		# under emulation), read once per handover.
		tshark -r "$RUN/mn.pcap" -T fields -e frame.time_epoch -e icmpv6.type \
			-e icmpv6.echo.sequence_number -e icmpv6.opt.prefix >"$RUN/mn-icmp6.txt" 2>/dev/null
		echo "latency $mode $layout phases, ms from the layer-2 move: $PHASES"
		while read -r moved linked new tunnels; do
			echo "latency $mode $layout phases $(phases "$moved" "$linked" "$new" "$tunnels")"
		done <"$RUN/phases" >"$RUN/phase-lines"
		cat "$RUN/phase-lines"
		echo "latency $mode $layout phases, median/worst ms from the layer-2 move (handovers):" \
			"$(sed 's/^latency [a-z]* [a-z0-9]* phases //' "$RUN/phase-lines" | phase_medians)"
	)
}

# A profile of the whole VM (every CPU, kernel and daemons) from
# profile_start to profile_report: where a round's time goes, per process
# (the daemons named) and per symbol, and the daemons' call chains.
profile_start() {
	PERF_DATA=$RUN/perf-$1.data
	perf record -q -e cpu-clock -F 49 -a -g -o "$PERF_DATA" 2>/dev/null &
	PERF_PID=$!
	sleep 1
}

profile_report() {
	local store=$1 round=$2 node pids=()
	kill -INT "$PERF_PID"; wait "$PERF_PID" 2>/dev/null
	for node in cmd maar1 maar2 maar3; do
		pids+=("$node=$(eval echo "\$PID_$node")")
	done
	echo "load $mode $store $layout round $round profile: ${pids[*]}"
	perf report -i "$PERF_DATA" --no-children --sort pid --stdio -q -g none 2>/dev/null | head -12 |
		sed "s/^/load $mode $store $layout round $round by-process /"
	perf report -i "$PERF_DATA" --no-children --sort comm,dso,sym --stdio -q -g none 2>/dev/null | head -40 |
		sed "s/^/load $mode $store $layout round $round by-symbol /"
	perf report -i "$PERF_DATA" --children --comm dlifd --sort sym --stdio -q -g none 2>/dev/null | head -40 |
		sed "s/^/load $mode $store $layout round $round dlifd-inclusive /"
	rm -f "$PERF_DATA"
}

# round_latency BEFORE AFTER: the percentiles of what the new MAAR timed
# during one round (dlifctl counters' "latency", its histograms before and
# after, subtracted): a line per phase, "PHASE count N p50_ms X p99_ms Y"
# (each an upper estimate within one bucket, 19 %).
round_latency() {
	python3 - "$1" "$2" <<-'EOF'
	import json, math, sys
	before, after = (json.load(open(f))["latency"] for f in sys.argv[1:3])
	for phase, histogram in after.items():
	    counts = {bound: n for bound, n in histogram["buckets"]}
	    for bound, n in before.get(phase, {}).get("buckets", []):
	        counts[bound] = counts.get(bound, 0) - n
	    bounds = sorted(b for b in counts if counts[b] > 0)
	    total = sum(counts[b] for b in bounds)
	    def percentile(q):
	        wanted, seen = math.ceil(q * total), 0
	        for b in bounds:
	            seen += counts[b]
	            if seen >= wanted:
	                return b / 1000.0
	        return 0.0
	    print("%s count %d p50_ms %.1f p99_ms %.1f" % (phase, total, percentile(0.5), percentile(0.99)))
	EOF
}

load_part() {
	local mode store layout
	for mode in $LOAD_MODES; do
		for store in $STORES; do
			for layout in $LAYOUTS; do
				load_run "$store" "$layout" "$mode"
			done
		done
	done
}

load_run() {
	local store=$1 layout=$2 mode=$3
	(
		trap cleanup_all EXIT
		RUN=""
		local macs=() i round new t0 t1 failed on total store_config=()
		dmm_net || exit 1
		if [ "$store" = etcd ]; then
			[ -x "$ETCD" ] || { echo "# load etcd: no etcd (scripts/deps.sh installs etcd-server)"; exit 0; }
			cmd_address_for_leader
			store_config=(store.backend='"etcd"' store.endpoints="[\"$ETCD_URL\"]" store.name='"a"'
				      store.service_interface='"core0"')
		fi
		# The load attaches made-up nodes: no allow-list, and no
		# liveness (they send nothing and answer no probe).
		# shellcheck disable=SC2046 # one word per setting
		DLIFD_ANY_NODE=1 dlifd_configure "$mode" maar.detach_after=0 $(layout_config "$layout") \
			"${store_config[@]}"
		if [ "$store" = etcd ]; then
			etcd_start || exit 1	# in $RUN, which dlifd_configure made
		fi
		sed -i -e 's/log_level = "debug"/log_level = "notice"/' \
			-e "s/^\([[:space:]]*\)interval = 10\$/\1interval = $LOAD_RA_INTERVAL/" "$RUN"/*.toml
		dlifd_start_all || exit 1
		if [ "$store" = etcd ]; then
			busywait 30000 leads cmd || { echo "# load etcd: the CMD did not lead"; exit 1; }
		fi
		for i in $(seq 1 "$NODES"); do
			macs+=("$(printf '02:10:%02x:%02x:%02x:%02x' $((i >> 24 & 255)) $((i >> 16 & 255)) $((i >> 8 & 255)) $((i & 255)))")
		done
		for round in $(seq 0 $((LOAD_ROUNDS - 1))); do
			new=$(( round % 3 + 1 ))
			[ "$LOAD_PROFILE" = 1 ] && profile_start "$round"
			ctl_node "maar$new" -j counters >"$RUN/latency-before.json"
			t0=$(date +%s.%N)
			failed=$(control_batch "$RUN/maar$new.sock" attach "${macs[@]}")
			busywait 600000 all_served_by "${MAAR_ADDR[$new]}" "$NODES"
			t1=$(date +%s.%N)
			[ "$LOAD_PROFILE" = 1 ] && profile_report "$store" "$round"
			read -r on total <<<"$(served_by "${MAAR_ADDR[$new]}")"
			echo "load $mode $store $layout round $round to MAAR$new nodes $NODES seconds $(echo "$t1 - $t0" | bc)" \
				"per_second $(echo "$NODES / ($t1 - $t0)" | bc)" \
				"on_new_maar $on bindings $total refused_attach $failed"
			ctl_node "maar$new" -j counters >"$RUN/latency-after.json"
			round_latency "$RUN/latency-before.json" "$RUN/latency-after.json" |
				sed "s/^/load $mode $store $layout round $round latency /"
		done
		# The counters that are not zero, and why previous MAARs failed.
		for node in maar1 maar2 maar3 cmd; do
			echo "load $mode $store $layout $node counters: $(ctl_node "$node" -j counters | python3 -c '
import json, sys
def flat(prefix, value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from flat(prefix + k + ".", v)
    elif value:
        yield prefix[:-1] + "=" + str(value)
counters = json.load(sys.stdin)
print(" ".join(flat("", {k: counters[k] for k in ("core", "daemon") if k in counters})))')"
		done
		# Messages the kernel dropped at a full raw socket (last column
		# of /proc/net/raw6), per node.
		echo "load $mode $store $layout raw socket drops: cmd $(ip netns exec "$CMD" awk 'NR > 1 { d += $NF } END { print d + 0 }' /proc/net/raw6)" \
			"$(for i in 1 2 3; do echo -n "maar$i $(ip netns exec "${MAAR_NS[$i]}" awk 'NR > 1 { d += $NF } END { print d + 0 }' /proc/net/raw6) "; done)"
		echo "load $mode $store $layout CMD previous-MAAR failures by status:" \
			"$(grep -o 'event=previous-maar-failed.*' "$RUN/cmd.log" | grep -o 'status=[^ ]*' | sort | uniq -c | tr '\n' ' ')"
	)
}

modprobe dlif || exit 1
if [ "$LOAD_PROFILE" = 1 ]; then
	command -v perf >/dev/null || { echo "handover.sh: LOAD_PROFILE needs perf (Debian package linux-perf)"; exit 1; }
	sysctl -qw kernel.kptr_restrict=0 kernel.perf_event_paranoid=-1
fi
echo "# dlifd control-plane benchmark: $(uname -r), $(nproc) vCPU"
for part in $PARTS; do
	"${part}_part"
done
