#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dlifd on the end-to-end testbed (source after lib.sh and dmm_net.sh):
# configuration files, starting and stopping the daemons, the node's
# flows, the signalling capture and its decoding by tshark with the
# project's RFC 8885 Lua dissector.

DLIFD=${DLIFD:-$DLIF_BUILD/userspace/userspace/daemon/dlifd}
# The dissector tshark loads with -X; set empty, tshark relies on its own
# plugin directories (the installed dlif-wireshark: dlif_packages.sh).
LUA_PLUGIN=${LUA_PLUGIN-$DLIF_SRC/contrib/wireshark/dlif-rfc8885.lua}
FLOW=${FLOW:-$SELFTESTS/tools/flow.py}

# dlifd_configure MODE [KEY=VALUE...]: configuration files for the CMD
# and the three MAARs in $RUN. KEY=VALUE lines go into the [signalling]
# section of every node (lifetime=8, ...); cmd.KEY=VALUE into [cmd] only,
# lma.KEY=VALUE into [cmd.lma], maar.KEY=VALUE into [maar] only (maar1.KEY
# into MAAR1's only), ra.KEY=VALUE into [maar.ra], adm.KEY=VALUE into
# [maar.admission], sec.KEY=VALUE into every node's [security],
# daemon.KEY=VALUE into every node's [daemon], store.KEY=VALUE into the
# CMD's [store]. Values are TOML.
dlifd_configure() {
	local mode=$1 i kv key signalling="" cmd="" lma="" maar="" ra="" adm="" sec="" daemon="" store=""
	local -a maar_only=("" "" "" "")
	shift
	for kv in "$@"; do
		key=${kv%%=*}
		case $key in
		cmd.*)  cmd+="${kv#cmd.}"$'\n' ;;
		daemon.*) daemon+="${kv#daemon.}"$'\n' ;;
		lma.*)  lma+="${kv#lma.}"$'\n' ;;
		maar.*) maar+="${kv#maar.}"$'\n' ;;
		maar[123].*) i=${key:4:1}; maar_only[$i]+="${kv#maar?.}"$'\n' ;;
		ra.*)   ra+="${kv#ra.}"$'\n' ;;
		adm.*)  adm+="${kv#adm.}"$'\n' ;;
		sec.*)  sec+="${kv#sec.}"$'\n' ;;
		store.*) store+="${kv#store.}"$'\n' ;;
		*)      signalling+="$kv"$'\n' ;;
		esac
	done
	RUN=${RUN:-$(mktemp -d /tmp/dlifd-XXXXXX)}
	defer save_run
	# Every node is told what each MAAR may claim (Documentation/security.rst).
	local domain='maars = ["2001:db8:ff::1", "2001:db8:ff::2", "2001:db8:ff::3"]' j
	for j in 1 2 3; do
		domain+=$'\n'"[[domain.maar]]"$'\n'"address = \"${MAAR_ADDR[$j]}\""
		domain+=$'\n'"prefix_pool = \"${MAAR_POOL[$j]}\""
		[ "$j" = 1 ] && domain+=$'\n'"local_prefixes = [\"$LN_PREFIX\"]"
	done
	# Only the testbed's mobile nodes may attach (DLIFD_ANY_NODE=1: any,
	# for the load runs that attach made-up nodes), so that nothing else
	# that reaches an access link becomes a node.
	local admission="" mac
	if [ "${DLIFD_ANY_NODE:-0}" != 1 ]; then
		: >"$RUN/nodes.allow"
		for mac in "${MN_MACS[@]}"; do
			echo "$mac" >>"$RUN/nodes.allow"
		done
		admission="policy_file = \"$RUN/nodes.allow\""
	fi
	[ -n "$admission$adm" ] && admission="[maar.admission]"$'\n'"$admission"$'\n'"$adm"
	cat >"$RUN/cmd.toml" <<-EOF
	[daemon]
	role = "cmd"
	log_level = "debug"
	control_socket = "$RUN/cmd.sock"
	state_dir = "$RUN/cmd-state"
	$daemon
	[domain]
	$domain
	[security]
	$sec
	[signalling]
	$signalling
	[cmd]
	address = "$CMD_ADDR"
	mode = "$mode"
	$cmd
	EOF
	[ -n "$lma" ] && printf '[cmd.lma]\n%s' "$lma" >>"$RUN/cmd.toml"
	[ -n "$store" ] && printf '[store]\n%s' "$store" >>"$RUN/cmd.toml"
	for i in 1 2 3; do
		local locals="[]"
		[ "$i" = 1 ] && locals="[\"$LN_PREFIX\"]"
		cat >"$RUN/maar$i.toml" <<-EOF
		[daemon]
		role = "maar"
		log_level = "debug"
		control_socket = "$RUN/maar$i.sock"
		state_dir = "$RUN/maar$i-state"
		$daemon
		[domain]
		$domain
		[security]
		$sec
		[signalling]
		$signalling
		[maar]
		address = "${MAAR_ADDR[$i]}"
		cmd = "$CMD_ADDR"
		cmd_mode = "$mode"
		access_interfaces = ["acc"]
		prefix_pool = "${MAAR_POOL[$i]}"
		local_prefixes = $locals
		$maar
		${maar_only[$i]}
		$admission
		[maar.ra]
		interval = 10
		initial_interval = 0.3
		$ra
		EOF
	done
}

# dlifd_configure_direct [KEY=VALUE...]: the MAARs of dlifd_configure in
# direct mode: no CMD, the session database on etcd_start's etcd (with
# DISCOVERY=query: none, each MAAR asks the others).
dlifd_configure_direct() {
	local i
	dlifd_configure proxy "$@"
	for i in 1 2 3; do
		sed -i -e '/^cmd = /d' -e '/^cmd_mode = /d' "$RUN/maar$i.toml"
		if [ "${DISCOVERY:-database}" = query ]; then
			sed -i 's/^\[maar\]$/[maar]\ndiscovery = "query"/' "$RUN/maar$i.toml"
		else
			printf '[maar.sessions]\nendpoints = ["%s"]\n' "$ETCD_URL" >>"$RUN/maar$i.toml"
		fi
	done
}

# dlifd_configure_two_domains: two operators (seed 004 §5). The home
# domain (realm dlif.example) is dlifd_configure's CMD, MAAR1 and MAAR2 in
# proxy mode, the CMD also the home LMA ([cmd.roaming], its namespace
# forwarding); the partner domain (realm partner.example) is MAAR3 alone
# in direct mode, reaching the home prefixes of the testbed's node through
# the LMA ([[maar.home_lma]]; the node's home MN-ID from its policy file).
dlifd_configure_two_domains() {
	local f
	dlifd_configure proxy lifetime=30 "$@"
	for f in cmd maar1 maar2; do
		python3 - "$RUN/$f.toml" "$M3" <<-'EOF'
		import re, sys
		path, m3 = sys.argv[1:]
		text = open(path).read()
		text = text.replace(', "%s"]' % m3, "]")
		# Drop MAAR3's [[domain.maar]] table: it is not of this domain.
		text = re.sub(r'\[\[domain\.maar\]\]\naddress = "%s"\nprefix_pool = "[^"]*"\n' % re.escape(m3), "", text)
		open(path, "w").write(text)
		EOF
	done
	printf '[cmd.roaming]\nvisited = ["%s"]\n' "$M3" >>"$RUN/cmd.toml"
	ip netns exec "$CMD" sysctl -qw net.ipv6.conf.all.forwarding=1
	echo "$MN_MAC $MN_NAI" >"$RUN/visitors.allow"
	cat >"$RUN/maar3.toml" <<-EOF
	[daemon]
	role = "maar"
	log_level = "debug"
	control_socket = "$RUN/maar3.sock"
	state_dir = "$RUN/maar3-state"
	[domain]
	maars = ["$M3"]
	realm = "partner.example"
	[signalling]
	lifetime = 30
	[maar]
	address = "$M3"
	discovery = "query"
	access_interfaces = ["acc"]
	prefix_pool = "${MAAR_POOL[3]}"
	[[maar.home_lma]]
	realm = "dlif.example"
	address = "$CMD_ADDR"
	prefixes = ["${MAAR_POOL[1]}", "${MAAR_POOL[2]}"]
	[maar.admission]
	policy_file = "$RUN/visitors.allow"
	[maar.ra]
	interval = 10
	initial_interval = 0.3
	EOF
}

# Keep the daemons' logs, the capture and the flows' status of a case in
# the VM's exchange directory (kept by qemu/vm.sh when a run fails).
save_run() {
	[ -d /mnt/share ] && [ -n "${RUN:-}" ] && [ -d "$RUN" ] || return 0
	local dest=/mnt/share/${KTAP_CASE:-case}-$(basename "$RUN")
	mkdir -p "$dest" && cp -r "$RUN"/*.log "$RUN"/*.txt "$RUN"/*.json "$RUN"/*.toml \
		"$RUN"/*.pcap "$RUN"/monitor-* "$dest"/ 2>/dev/null
}

# An unknown node or one whose namespace is not set would make `ip
# netns exec ""`, which says only "setting the network namespace "" failed":
# fail, naming the callers.
node_ns() {	# cmd | cmd2 | cmd3 | maar1..3 -> its namespace
	local ns=""
	case $1 in
	cmd) ns=$CMD ;;
	cmd[23]) ns=CMD${1#cmd}; ns=${!ns:-} ;;	# dlifd_ha.sh's other instances
	maar[123]) ns=${MAAR_NS[${1#maar}]:-} ;;
	esac
	if [ -z "$ns" ]; then
		_case_failed=1
		ktap_diag_always "FAIL: node '$1' has no namespace (from $(callers))"
		return 1
	fi
	echo "$ns"
}

# dlifd_start NODE: run the node's dlifd in the foreground (logs in
# $RUN/NODE.log) until its control socket answers. With DLIFD_USER=USER
# it runs as that user with only CAP_NET_ADMIN and CAP_NET_RAW, ambient,
# as contrib/systemd/dlifd.service runs it.
dlifd_start() {
	local node=$1 ns
	local -a as_user=()
	ns=$(node_ns "$node")
	if [ -n "${DLIFD_USER:-}" ]; then
		chown "$DLIFD_USER" "$RUN"
		as_user=(setpriv --reuid="$DLIFD_USER" --regid="$(id -gn "$DLIFD_USER")" --clear-groups
			 --inh-caps=-all,+net_admin,+net_raw --ambient-caps=-all,+net_admin,+net_raw
			 --bounding-set=-all,+net_admin,+net_raw --no-new-privs --)
	fi
	ip netns exec "$ns" "${as_user[@]}" "$DLIFD" -c "$RUN/$node.toml" -f >>"$RUN/$node.log" 2>&1 &
	printf -v "PID_$node" '%s' $!
	defer dlifd_stop "$node"
	# Up to two minutes while it runs: on the debug kernel, with
	# another VM beside this one, a start has taken more than 20 s.
	busywait 120000 dlifd_answers_or_died "$node" "$ns" ||
		{ fail "dlifd $node did not start:"; tail -20 "$RUN/$node.log" | sed 's/^/#   /'; return 1; }
	dlifd_running "$node" ||
		{ fail "dlifd $node exited:"; tail -20 "$RUN/$node.log" | sed 's/^/#   /'; return 1; }
}

dlifd_running() {	# NODE: its process is there and not a zombie
	local pid=PID_$1 state
	[ -n "${!pid}" ] && read -r _ _ state _ 2>/dev/null <"/proc/${!pid}/stat" && [ "$state" != Z ]
}

# True when the node's dlifd answers on its control socket, or has exited
# (the caller tells which).
dlifd_answers_or_died() {	# NODE NS
	! dlifd_running "$1" || "$DLIFCTL" -n "$2" -S "$RUN/$1.sock" status
}

dlifd_stop() {	# NODE: SIGTERM, and wait for it to exit
	local pid=PID_$1
	pid=${!pid:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	printf -v "PID_$1" '%s' ""
}

dlifd_start_all() {
	local node
	for node in cmd maar1 maar2 maar3; do
		dlifd_start "$node" || return 1
	done
}

ctl_node() {	# NODE dlifctl-args...: dlifctl against the node's kernel and daemon
	local node=$1 ns
	shift
	ns=$(node_ns "$node")
	# -n, not ip netns exec: that also makes a mount namespace, 0.1 s
	# of CPU under emulation, and the checks poll this.
	"$DLIFCTL" -n "$ns" -S "$RUN/$node.sock" "$@"
}

# How many of the testbed's mobile nodes (MN_MACS) a node's dlifd knows:
# bindings at the CMD, sessions at a MAAR. Counting the test's own nodes,
# not every entry, keeps an assertion about them independent of anything
# else that might have reached the daemon.
bindings() {	# NODE
	local mac n=0
	for mac in "${MN_MACS[@]}"; do
		ctl_node "$1" mn show "$mac" >/dev/null 2>&1 && n=$((n + 1))
	done
	echo $n
}

# Nodes a dlifd knows in all, the testbed's or not (for diagnostics).
bindings_total() {	# NODE
	ctl_node "$1" -j mn list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}

# The DLIFs a MAAR has for the testbed's mobile nodes (dlifctl dev show
# lines), and how many.
dlifs_of() {	# NODE
	local re
	re=$(IFS='|'; echo "${MN_MACS[*]}")
	ctl_node "$1" dev show | grep -iE " mn ($re)( |$)"
}

dlif_count() {	# NODE
	dlifs_of "$1" | grep -c .
}

# The entries of a node's table, one per line: "PREFIX ROLE PEER".
entries_of() {
	ctl_node "$1" route show | awk '{ p = ""; for (i = 1; i < NF; i++) if ($i == "peer") p = $(i + 1); print $1, $3, p }'
}

# ------------------------------------------------------------------ flows

# flows_start: a long-lived TCP flow and a ping from the node's current
# (only) address to the CN.
flows_start() {
	local src=$1
	ip netns exec "$CN" python3 "$FLOW" server 5001 "$RUN/flow-server.json" &
	defer kill $!
	# Each Python process takes seconds to start on the debug kernel
	# under emulation beside another VM: the waits end as soon as it runs.
	busywait 60000 test -s "$RUN/flow-server.json" || { fail "the flow's server did not start"; return 1; }
	ip netns exec "$MN" python3 "$FLOW" client $CN_ADDR 5001 "$RUN/flow-client.json" \
		--source "$src" --interval 0.2 &
	FLOW_PID=$!
	defer kill $FLOW_PID
	ip netns exec "$MN" stdbuf -oL ping -i 0.2 -I "$src" $CN_ADDR >"$RUN/ping.log" 2>&1 &
	PING_PID=$!
	defer kill $PING_PID
	busywait 60000 flow_echoed_at_least 3 || { fail "the flow from $src did not start (3 echoes)"; return 1; }
}

flows_stop() {	# the node's side of both: no more packets from it
	kill "$FLOW_PID" "$PING_PID" 2>/dev/null
	wait "$FLOW_PID" "$PING_PID" 2>/dev/null
	return 0
}

# flow_field KEY: a field of the client's status, as python prints it
# (None for null). The status is one flat JSON object that flow.py
# replaces whole; the checks poll it, so it is read without starting a
# process.
flow_field() {
	local status= re="\"$1\": (\"([^\"]*)\"|([^,}]*))"
	read -r status 2>/dev/null <"$RUN/flow-client.json"
	[[ $status =~ $re ]] || { [ -z "$status" ] || echo None; return 0; }
	if [ -n "${BASH_REMATCH[2]}" ] || [ "${BASH_REMATCH[1]}" = '""' ]; then
		echo "${BASH_REMATCH[2]}"
	elif [ "${BASH_REMATCH[3]}" = null ]; then
		echo None
	else
		echo "${BASH_REMATCH[3]}"
	fi
}

flow_echoed_at_least() {
	[ "$(flow_field echoed)" -ge "$1" ] 2>/dev/null
}

# flow_survives: the flow has no error and keeps echoing (10 more lines).
flow_survives() {
	local before
	before=$(flow_field echoed)
	busywait 20000 flow_echoed_at_least $((before + 10)) && [ "$(flow_field error)" = None ]
}

ping_replies() {	# replies so far in the background ping
	grep -c 'bytes from' "$RUN/ping.log"
}

ping_replies_at_least() {
	[ "$(ping_replies)" -ge "$1" ]
}

ping_recovers() {	# 5 more replies than now
	local before
	before=$(ping_replies)
	busywait 20000 ping_replies_at_least $((before + 5))
}

# A new connection from the node, without choosing a source: which
# address does the node pick?
new_connection_source() {
	ip netns exec "$MN" python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 5001), timeout=10)
print(s.getsockname()[0])' $CN_ADDR
}

# ------------------------------------------------------ table notifications

epoch() {	# an RFC 3339 time stamp of the logs, as seconds since 1970
	date -d "$1" +%s.%N
}

attach_time() {	# NODE: the ts (RFC 3339) of its log's last attachment of a node
	grep 'event=mn.attached' "$RUN/$1.log" | tail -1 | grep -o 'ts=[^ ]*' | cut -d= -f2
}

# monitors_start: each MAAR's dlifctl monitor into $RUN/monitor-maarN, each
# line stamped by dlifctl as it reads the event (-t: "[RFC 3339 TIME] ...";
# epoch_of below reads it). Not by the shell down the pipe: under
# emulation "$(date)" took 100 ms or more per line, and a burst of
# notifications queued behind it (the latencies measured with it were up
# to a second too late).
monitors_start() {
	local i
	for i in 1 2 3; do
		"$DLIFCTL" -n "${MAAR_NS[$i]}" -t monitor >"$RUN/monitor-maar$i" 2>&1 &
		defer kill $!
	done
}

# An awk function: a dlifctl -t stamp (the first field of a monitor line)
# as seconds since 1970. Run awk with TZ=UTC: mktime takes local time.
AWK_EPOCH_OF='function epoch_of(stamp, t) {
	gsub(/[][TZ:-]/, " ", stamp)
	split(stamp, t, " ")
	return mktime(t[1] " " t[2] " " t[3] " " t[4] " " t[5] " 0") + t[6]
}'

# -------------------------------------------------------------- signalling

capture_start() {
	CAPTURE=$RUN/signalling.pcap
	ip netns exec "$CORE" tcpdump -n -U -i any -Q in -w "$CAPTURE" 'ip6 proto 135' \
		2>"$RUN/tcpdump.log" &
	CAPTURE_PID=$!
	defer kill $CAPTURE_PID
	busywait 20000 grep -q "listening on" "$RUN/tcpdump.log"
}

capture_stop() {
	sleep 0.5
	kill -INT "$CAPTURE_PID" 2>/dev/null
	wait "$CAPTURE_PID" 2>/dev/null
}

# The captured Mobility Headers decoded by tshark (with the project's
# Lua dissector for the RFC 8885 options), one per line:
#   N SRC DST TYPE SEQ FLAGS STATUS LIFETIME hnp=.. smaar=.. pmaar=ADDR/HNP,.. mn=..
# TYPE PBU or PBA; FLAGS the letters set, D found by the display filters
# mipv6[9] & 0x10 (PBU) and mipv6[7] & 0x02 (PBA).
signalling() {
	local dframes
	dframes=$(tshark -r "$CAPTURE" -T fields -e frame.number \
		-Y '(mip6.mhtype == 5 and mipv6[9] & 0x10) or (mip6.mhtype == 6 and mipv6[7] & 0x02)' \
		2>/dev/null | tr '\n' ' ')
	tshark -r "$CAPTURE" ${LUA_PLUGIN:+-X lua_script:"$LUA_PLUGIN"} -T fields -E separator='|' -E occurrence=a \
		-e frame.number -e ipv6.src -e ipv6.dst -e mip6.mhtype \
		-e mip6.bu.seqnr -e mip6.ba.seqnr -e mip6.bu.a_flag -e mip6.bu.p_flag \
		-e mip6.ba.p_flag -e mip6.ba.status -e mip6.bu.lifetime -e mip6.ba.lifetime \
		-e mip6.nemo.mnp.mnp -e rfc8885.smaar.address -e rfc8885.pmaar.address \
		-e rfc8885.pmaar.hnp -e mip6.mnid.identifier 2>/dev/null |
	python3 -c '
import sys
dframes = set(sys.argv[1].split())
for line in sys.stdin:
    (n, src, dst, mtype, buseq, baseq, a, p, bap, status, bulife, balife,
     hnp, smaar, pmaar, pmaar_hnp, mn) = line.rstrip("\n").split("|")
    d = "D" if n in dframes else ""
    if mtype == "5":
        kind, seq, flags, st, life = "PBU", buseq, ("A" if a == "1" else "") + ("P" if p == "1" else "") + d, "-", bulife
    elif mtype == "6":
        kind, seq, flags, st, life = "PBA", baseq, ("P" if bap == "1" else "") + d, status, balife
    else:
        kind, seq, flags, st, life = "MH" + mtype, "-", "", "-", "-"
    pm = ",".join(f"{x}/{y}" for x, y in zip(pmaar.split(","), pmaar_hnp.split(","))) if pmaar else "-"
    print(n, src, dst, kind, seq or "-", flags or "-", st or "-", life or "-",
          "hnp=" + (hnp or "-"), "smaar=" + (smaar or "-"), "pmaar=" + pm, "mn=" + (mn or "-"))
' "$dframes"
}

# ------------------------------------------------------------ roaming

# Bring the node to MAAR1 (its RS) and then to each MAAR given (the
# access point's notification), waiting for its address there each time.
walk() {
	local k
	mn_move 1
	busywait 30000 has_address_in 1 || { fail "no address at MAAR1"; return 1; }
	for k in "$@"; do
		mn_move "$k"
		ctl_node "maar$k" attach acc $MN_MAC >/dev/null
		busywait 30000 has_address_in "$k" || { fail "no address at MAAR$k"; return 1; }
	done
}

bindings_are() { test "$(bindings "$1")" = "$2"; }

# -------------------------------------------------- the rogue and state

SPOOF=${SPOOF:-$SELFTESTS/tools/mh_spoof.py}
MN_NAI=${MN_MAC//:/-}@dlif.example
M1=${MAAR_ADDR[1]}
M2=${MAAR_ADDR[2]}
M3=${MAAR_ADDR[3]}

arrive() {	# K: the access point tells MAAR K that the node is there
	mn_move "$1"
	ctl_node "maar$1" attach acc $MN_MAC >/dev/null
}

spoof() {	# mh_spoof.py arguments, from the rogue's namespace
	ip netns exec "$ROGUE" /usr/bin/python3 "$SPOOF" "$@"
}

# (dlifctl's text: "GROUP:" lines, then "    NAME VALUE" lines; awk, not
# python3 and json: a tenth of the CPU under emulation, and the checks
# poll it.)
counter() {	# NODE NAME: a counter of the node's dlifd (core or daemon)
	ctl_node "$1" counters | awk -v name="$2" '$1 == name && NF == 2 { n += $2 } END { print n + 0 }'
}
counter_at_least() { test "$(counter "$1" "$2")" -ge "$3"; }	# NODE NAME N

mn_field() {	# NODE FIELD: a field of the node's binding (CMD) or session (MAAR)
	ctl_node "$1" -j mn show $MN_MAC | python3 -c '
import json, sys
value = json.load(sys.stdin).get(sys.argv[1])
print(value if isinstance(value, str) else json.dumps(value))' "$2"
}

# The sequence number of the last PBU a MAAR sent.
last_pbu_seq() {	# NODE
	grep 'event=mh.sent type=PBU' "$RUN/$1.log" | tail -1 | sed -n 's/.* seq=\([0-9]*\).*/\1/p'
}

prefix64() {	# ADDRESS: its /64
	python3 -c 'import ipaddress, sys; print(ipaddress.ip_network(sys.argv[1] + "/64", strict=False))' "$1"
}

# Refused as a replay: older than the last number, or that very number
# again (answered at most, never acted on twice).
replays_refused() {	# NODE N
	test $(( $(counter "$1" drop_stale_sequence) + $(counter "$1" duplicate_pbus) )) -ge "$2"
}

pings_cn() { ip netns exec "$MN" ping -c 1 -W 2 "$CN_ADDR" >/dev/null; }

# ------------------------------------------------------------- many nodes

# A control-socket client sending many requests on one connection.
control_batch() {	# socket command mac...
	local sock=$1 command=$2
	shift 2
	python3 - "$sock" "$command" "$@" <<-'EOF'
	import json, socket, sys
	sock, command, macs = sys.argv[1], sys.argv[2], sys.argv[3:]
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.connect(sock)
	f = s.makefile("rw")
	failed = 0
	for mac in macs:
	    f.write(json.dumps({"command": command, "interface": "acc", "mac": mac}) + "\n")
	    f.flush()
	    if not json.loads(f.readline()).get("ok"):
	        failed += 1
	print(failed)
	EOF
}

# The CMD instance to ask: CMD_NODE, or in dlifd_ha.sh (which defines
# leader_of) whichever instance leads at the time: a leader starved of CPU
# may step down and another take over at any moment.
cmd_answering() {
	declare -F leader_of >/dev/null && leader_of && return 0
	echo "$CMD_NODE"
}

# served_by MAAR-address: how many of the CMD's bindings are on that MAAR
# and registered (no handover outstanding), and how many bindings in all,
# from its status (serving_maars: counted by dlifd, so that polling it
# under load costs the VM no listing and no Python).
served_by() {
	local status on total
	status=$(ctl_node "$(cmd_answering)" status) || return 1
	total=$(sed -n 's/^mobile_nodes \([0-9]*\)$/\1/p' <<<"$status")
	on=$(grep -o "\"$1\":{\"bindings\":[0-9]*,\"registered\":[0-9]*}" <<<"$status" |
		sed 's/.*"registered":\([0-9]*\)}/\1/')
	echo "${on:-0} ${total:-0}"
}

all_served_by() {	# address count
	local on total
	read -r on total <<<"$(served_by "$1")"
	[ "$on" = "$2" ]
}

# With [maar] shared_dlifs: a MAAR's DLIFs, as "name: link IF address MAC
# mn MAC maar ADDR" (dlifctl dev show), and how many of them the
# testbed's node is bound to.
shared_netdevices() {	# MAAR number
	ip netns exec "${MAAR_NS[$1]}" "$DLIFCTL" dev show 2>&1
}
node_bindings() {	# MAAR number
	ip netns exec "${MAAR_NS[$1]}" "$DLIFCTL" binding show 2>/dev/null | grep -c "mn $MN_MAC"
}

maar_bindings() {	# MAAR number: the nodes' bindings on its shared DLIFs
	ip netns exec "${MAAR_NS[$1]}" "$DLIFCTL" binding show 2>/dev/null | grep -v ' primary' | grep -c ' mn '
}
maar_bindings_are() { test "$(maar_bindings "$1")" = "$2"; }	# MAAR-number COUNT

# The node at MAAR $1 sees $2 routers, each a binding on a shared DLIF of
# its own anchoring MAAR, and no DLIF is the node's alone.
check_node_on_shared_dlifs() {	# MAAR-number ROUTERS
	check_no_match "$(shared_netdevices "$1")" "^mn" "MAAR$1: no DLIF of the node's own"
	check_eq "$(shared_netdevices "$1" | grep -c '^dls')" "$2" "MAAR$1: one shared DLIF per anchoring MAAR"
	check_eq "$(node_bindings "$1")" "$2" "MAAR$1: the node is bound to each"
}

# ------------------------------------------------------ many nodes roaming

# The CMD instance that answers (dlifd_ha.sh's leader changes).
CMD_NODE=cmd
LOAD_NODES=${LOAD_NODES:-200}

load_macs() {
	local i
	MACS=()
	for i in $(seq 1 "$LOAD_NODES"); do
		MACS+=("$(printf '02:20:00:00:%02x:%02x' $((i >> 8 & 255)) $((i & 255)))")
	done
}

# Every binding at MAAR `serving`, registered, with exactly the MAARs
# listed after it as its previous ones, each confirmed with a prefix.
# Prints what is wrong with the first bindings that are not (nothing when
# all are right).
bindings_wrong() {	# serving previous...
	local serving=$1
	shift
	ctl_node "$(cmd_answering)" -j mn list | python3 -c '
import json, sys
serving, previous, want = sys.argv[1], set(sys.argv[3:]), int(sys.argv[2])
bindings = json.load(sys.stdin)
wrong = []
if len(bindings) != want:
    wrong.append("%d bindings, not %d" % (len(bindings), want))
for b in bindings:
    got = {p["maar"] for p in b["previous_maars"]}
    bad = [p["maar"] for p in b["previous_maars"] if not p["confirmed"] or not p["prefixes"]]
    if b["serving_maar"] != serving or b["state"] != "registered" or got != previous or bad or not b["prefixes"]:
        wrong.append("%s at %s (%s) previous %s unconfirmed %s" %
                     (b["mn"], b["serving_maar"], b["state"], sorted(got), bad))
print("\n".join(wrong[:5]))' "$serving" "$LOAD_NODES" "$@"
}

check_bindings() {	# what serving previous...
	local what=$1 wrong
	shift
	wrong=$(bindings_wrong "$@")
	check_eq "$wrong" "" "$what"
}

# The nodes move to MAAR `to`; waits until the CMD has them all there.
round() {	# to previous...
	local to=$1
	check_eq "$(control_batch "$RUN/maar$to.sock" attach "${MACS[@]}")" 0 "the nodes attach at MAAR$to"
	check "the CMD has every node at MAAR$to" busywait 300000 all_served_by "${MAAR_ADDR[$to]}" "$LOAD_NODES"
}

# The nodes start moving to MAAR `to` (2 by default; a background
# client, its failures counted in $RUN/attachTO.out); returns once `part`
# of them are there, with that count in MOVED.
move_until() {	# part [to]
	local part=$1 to=${2:-2} total
	control_batch "$RUN/maar$to.sock" attach "${MACS[@]}" >"$RUN/attach$to.out" &
	ATTACHING=$!
	MOVED=0
	for _ in $(seq 600); do
		read -r MOVED total <<<"$(served_by "${MAAR_ADDR[$to]}")"
		[ "$MOVED" -ge "$part" ] && break
		nap 0.2
	done
}

# ------------------------------------------------- a CMD on etcd's store

# A CMD with [store] backend = "etcd" (Debian's etcd-server): etcd_start
# runs a one-member etcd in the correspondent's namespace, on the core;
# cmd_address_for_leader gives the CMD's host an address of its own there
# (for etcd), CMD_ADDR being the leader's to add on store.service_interface.
ETCD=/usr/bin/etcd
ETCD_URL="http://[$CN_ADDR]:2379"

etcd_start() {
	ip netns exec "$CN" "$ETCD" --name ha --data-dir "$RUN/etcd" \
		--listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
		--listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
		--initial-cluster ha=http://127.0.0.1:2380 >"$RUN/etcd.log" 2>&1 &
	defer kill $!
	ip -n "$CN" link set lo up
	busywait 30000 ip netns exec "$CN" env ETCDCTL_API=3 etcdctl --endpoints "$ETCD_URL" endpoint health ||
		{ fail "etcd did not start"; tail -5 "$RUN/etcd.log" | sed 's/^/#   /'; return 1; }
}

cmd_address_for_leader() {
	ip -n "$CMD" addr del $CMD_ADDR/64 dev core0
	ip -n "$CMD" addr add 2001:db8:ff::a/64 dev core0 nodad
}

leads() {	# NODE: its dlifd is the leader
	ctl_node "$1" -j status | grep -q '"this_instance":"leader"'
}
