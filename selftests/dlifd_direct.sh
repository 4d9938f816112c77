#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Direct mode: three MAARs and no CMD (seeds 002 and 004). Each MAAR
# keeps its record of the node in a session database, a one-member etcd
# (Debian's etcd-server) on the core, and signals the node's anchors
# itself.
#
# - session_database_walk: seed 002's walk MAAR1 -> MAAR2 -> MAAR3 ->
#   MAAR1 of an unmodified Linux host with a TCP connection and a ping on
#   its first address. At each step the new local prefix is preferred, the
#   old ones deprecated, the flows survive; after MAAR3 the MAAR1-MAAR2
#   tunnel is MAAR1-MAAR3. No CMD process runs, and tshark (with the
#   project's dissector) sees PBUs and PBAs only between MAARs, every one
#   with the D flag, each anchor's PBA with the options of 004 §4.2 step 7
#   (anchored prefix, DLIF link-local and link-layer addresses, Local
#   Prefix). etcd holds one record per MAAR for the node. Then MAAR2's
#   dlifd is killed (SIGKILL): its record goes with its lease (3 s), and
#   comes back when dlifd restarts from its state.
# - query_discovery_walk: the same walk with distributed discovery (003
#   §4) instead of the database: the MAAR where the node attaches sends a
#   PBU to every other MAAR, and those holding nothing answer 153 (Not LMA for this mobile node).
#   The MAARs share their DLIFs ([maar] shared_dlifs): back at MAAR1 the
#   node is a binding on one DLIF per anchoring MAAR; MAAR3 keeps the two
#   it no longer needs, idle ([maar] shared_dlif_linger).
# - anchor_without_d_flag: the legacy fallback (004 App A.5, R111). MAAR3
#   runs no dlifd; an operator's record in etcd names it as an anchor of
#   the node, and it answers MAAR1's PBU as a plain RFC 5213 LMA would
#   (mh_spoof.py from MAAR3's own address: no D flag, no RFC 8885
#   option). MAAR1 tunnels MAAR3's prefix all the same, under a DLIF
#   with the derived identity, and tshark sees the PBA without D.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dmm_net.sh"
source "$(dirname "$0")/dlifd_lib.sh"

ETCDCTL=(env ETCDCTL_API=3 etcdctl --endpoints "$ETCD_URL")

# The captured Mobility Headers, one per line:
#   SRC DST TYPE D STATUS hnp=.. ll=.. lla=.. local=..
direct_signalling() {
	tshark -r "$CAPTURE" ${LUA_PLUGIN:+-X lua_script:"$LUA_PLUGIN"} -T fields -E separator='|' \
		-E occurrence=a -e ipv6.src -e ipv6.dst -e mip6.mhtype -e rfc8885.bu.d_flag \
		-e rfc8885.ba.d_flag -e mip6.ba.status -e mip6.nemo.mnp.mnp -e rfc8885.dlif.link_local \
		-e rfc8885.dlif.link_layer -e rfc8885.local_prefix 2>/dev/null |
	awk -F'|' '{
		type = $3 == 5 ? "PBU" : $3 == 6 ? "PBA" : "MH" $3
		d = ($4 == "True" || $4 == "1" || $5 == "True" || $5 == "1") ? "D" : "-"
		printf "%s %s %s %s %s hnp=%s ll=%s lla=%s local=%s\n", $1, $2, type, d,
			$6 == "" ? "-" : $6, $7 == "" ? "-" : $7, $8 == "" ? "-" : $8,
			$9 == "" ? "-" : $9, $10 == "" ? "-" : $10
	}'
}

# Problems with the decoded signalling: anything to or from the CMD's
# address or a non-MAAR, a message without the D flag, an accepting PBA
# without the options of 004 §4.2 step 7, or a step whose PBUs are not
# from the new MAAR to each earlier one.
signalling_problems() {
	python3 - "$CMD_ADDR" "$M1" "$M2" "$M3" "$LN_PREFIX" "$RUN/direct-signalling.txt" "$DISCOVERY" <<-'EOF'
	import sys
	cmd, m1, m2, m3, local, path, discovery = sys.argv[1:]
	query = discovery == "query"
	maars = {m1, m2, m3}
	pairs = set()
	for line in open(path):
	    f = line.split()
	    src, dst, kind, d, status = f[:5]
	    kv = dict(x.split("=", 1) for x in f[5:])
	    if src == cmd or dst == cmd:
	        print("a message to or from the CMD's address:", line.strip())
	    if src not in maars or dst not in maars:
	        print("a message not between MAARs:", line.strip())
	    if d != "D":
	        print("no D flag:", line.strip())
	    if kind == "PBU":
	        pairs.add((src, dst))
	    if kind == "PBA" and status == "0":
	        for key in ("hnp", "ll", "lla"):
	            if kv[key] == "-":
	                print("an anchor's PBA without", key + ":", line.strip())
	        if src == m1 and local.split("/")[0] not in kv["local"]:
	            print("MAAR1's PBA without its Local Prefix:", line.strip())
	want = {(m2, m1), (m3, m1), (m3, m2), (m1, m2), (m1, m3)}
	if query:
	    want.add((m2, m3))
	for pair in sorted(want - pairs):
	    print("no PBU %s -> %s" % pair)
	for pair in sorted(pairs - want):
	    print("an unexpected PBU %s -> %s" % pair)
	EOF
}

records_of_node() {	# the MAARs with a record of the node in etcd
	ip netns exec "$CN" "${ETCDCTL[@]}" get --prefix --keys-only "/dlif/sessions/$MN_NAI/" |
		sed -n "s|^/dlif/sessions/$MN_NAI/||p" | sort | tr '\n' ' '
}

has_record() { [[ " $(records_of_node)" == *" $1 "* ]]; }	# MAAR address
has_no_record() { ! has_record "$1"; }

direct_walk() {	# database | query
	DISCOVERY=$1
	declare -gA ADDR=()
	local k
	dlif_load || return 1
	dmm_net || return 1
	# The query walk puts the node on shared DLIFs ([maar] shared_dlifs),
	# the database walk on DLIFs of its own.
	if [ "$DISCOVERY" = query ]; then
		# Idle shared netdevices kept for longer than the walk.
		dlifd_configure_direct maar.shared_dlifs=true maar.shared_dlif_linger=600
	else
		dlifd_configure_direct
	fi
	if [ "$DISCOVERY" = database ]; then
		for k in 1 2 3; do
			echo "lease_ttl = 3" >>"$RUN/maar$k.toml"
		done
		etcd_start || return 1
	fi
	for k in 1 2 3; do
		dlifd_start "maar$k" || return 1
	done
	check_eq "$(pgrep -f "$RUN/cmd.toml")" "" "no CMD runs"
	capture_start

	mn_move 1
	check "at MAAR1: the node got an address in MAAR1's prefix" busywait 30000 has_address_in 1
	ADDR[1]=$(mn_address_in 1)
	[ -n "${ADDR[1]}" ] || return 1
	if [ "$DISCOVERY" = database ]; then
		check_eq "$(records_of_node)" "$M1 " "at MAAR1: etcd holds MAAR1's record of the node"
		check_eq "$(counter maar1 tx_pbu)" 0 "at MAAR1: a first attachment sends no PBU"
	else
		check "at MAAR1: MAAR2 and MAAR3 answered that they anchor nothing" \
			busywait 10000 counter_at_least maar1 discovery_misses 2
	fi
	flows_start "${ADDR[1]}" || { fail "the flows did not start"; return 1; }

	arrive 2
	direct_arrival 2 1
	check_match "$(entries_of maar2)" "^$(prefix64 "${ADDR[1]}") serving $M1$" "MAAR2 serves A from MAAR1"
	check_match "$(entries_of maar1)" "anchor $M2$" "MAAR1 anchors A toward MAAR2"

	arrive 3
	direct_arrival 3 1 2
	check_match "$(entries_of maar1)" "anchor $M3$" "the MAAR1-MAAR2 tunnel is now MAAR1-MAAR3"
	check_match "$(entries_of maar2)" "anchor $M3$" "MAAR2 anchors B toward MAAR3"
	check_no_match "$(entries_of maar1; entries_of maar2)" "serving|anchor 2001:db8:ff::[12]$" \
		"no tunnel left between MAAR1 and MAAR2"

	arrive 1
	direct_arrival 1 2 3
	check_match "$(entries_of maar2)" "anchor $M1$" "MAAR2 anchors B toward MAAR1"
	check_match "$(entries_of maar3)" "anchor $M1$" "MAAR3 anchors C toward MAAR1"
	check_no_match "$(entries_of maar1)" "anchor" "MAAR1 routes A natively again"
	if [ "$DISCOVERY" = query ]; then
		check_node_on_shared_dlifs 1 3
		# MAAR3 shows the node MAAR1 and MAAR2 no more, and keeps their
		# netdevices idle for the linger time; its own has the node.
		check_eq "$(shared_netdevices 3 | grep -c '^dls')" 3 "MAAR3: the shared DLIFs the node left are kept"
		check_eq "$(node_bindings 3)" 1 "MAAR3: the node bound to its own only"
	fi
	if [ "$DISCOVERY" = database ]; then
		check_eq "$(records_of_node)" "$M1 $M2 $M3 " "etcd holds each MAAR's record of the node"
		check_eq "$(counter maar1 session_lookups)" 2 "MAAR1 read the database at each attachment"
		check_match "$(ctl_node maar1 -j status)" '"session_database":\{[^}]*"lease":[1-9][0-9]*,"unwritten_records":0\}' \
			"dlifctl status: MAAR1's records are all written, on a lease"
	fi
	check_eq "$(counter maar1 anchor_failures)" 0 "no anchor failed MAAR1"

	capture_stop
	direct_signalling >"$RUN/direct-signalling.txt"
	local problems
	problems=$(signalling_problems)
	check_eq "$problems" "" "PBUs and PBAs only between MAARs, with the options of 004 §4.2 step 7"
	ktap_diag "captured: $(grep -c ' PBU ' "$RUN/direct-signalling.txt") PBUs," \
		"$(grep -c ' PBA ' "$RUN/direct-signalling.txt") PBAs, all between MAARs"
	[ -z "$problems" ] || sed 's/^/#   /' "$RUN/direct-signalling.txt"

	[ "$DISCOVERY" = database ] || return 0
	kill -KILL "$PID_maar2"
	wait "$PID_maar2" 2>/dev/null
	PID_maar2=
	check "MAAR2's record goes with its lease when its dlifd is killed" busywait 15000 has_no_record "$M2"
	check_eq "$(records_of_node)" "$M1 $M3 " "the other records stay"
	dlifd_start maar2 || return 1
	check "MAAR2's dlifd writes its record again from its state" busywait 10000 has_record "$M2"
	check_eq "$(counter maar2 session_db_writes)" 1 "MAAR2 wrote one record at its start"
}

# The checks of each arrival at MAAR k, having visited the MAARs in
# VISITED: the local prefix preferred, the others deprecated, the flows
# alive, each address reachable.
direct_arrival() {
	local k=$1 where="at MAAR$1" j
	shift
	check "$where: the node has an address in MAAR$k's prefix" busywait 30000 has_address_in "$k"
	[ -n "${ADDR[$k]:-}" ] || ADDR[$k]=$(mn_address_in "$k")
	check "$where: the local prefix is preferred" busywait 20000 address_state_is "${ADDR[$k]}" preferred
	for j in "$@"; do
		check "$where: MAAR$j's address is deprecated" \
			busywait 20000 address_state_is "${ADDR[$j]}" deprecated
	done
	check "$where: the TCP connection on the first address survives" flow_survives
	check "$where: the ping on the first address recovers" ping_recovers
	check_match "$(new_connection_source)" "${MAAR_POOL_RE[$k]}" "$where: a new connection uses the local prefix"
	for j in "$k" "$@"; do
		check "$where: the CN reaches the node at MAAR$j's address" \
			ip netns exec "$CN" ping -c 2 -i 0.3 -W 3 "${ADDR[$j]}"
	done
}

test_session_database_walk() {
	[ -x "$ETCD" ] || { ktap_diag "no etcd (scripts/deps.sh installs etcd-server)"; return $ksft_skip; }
	direct_walk database
}

test_query_discovery_walk() {
	direct_walk query
}

# The sequence number of the last PBU from $1 to $2 in capture $3 ("" if none).
last_pbu_seq_in() {
	tshark -r "$3" -Y "ipv6.src == $1 and ipv6.dst == $2 and mip6.mhtype == 5" -T fields \
		-e mip6.bu.seqnr 2>/dev/null | tail -1
}

pbu_to_maar3_captured() { [ -n "$(last_pbu_seq_in "$M1" "$M3" "$RUN/maar3.pcap")" ]; }
maar1_serves() { entries_of maar1 | grep -q "^$1 serving $2$"; }	# PREFIX ANCHOR

test_anchor_without_d_flag() {
	[ -x "$ETCD" ] || { ktap_diag "no etcd (scripts/deps.sh installs etcd-server)"; return $ksft_skip; }
	local p3=${MAAR_POOL[3]%%::*}::/64 seq record
	DISCOVERY=database
	dlif_load || return 1
	dmm_net || return 1
	dlifd_configure_direct
	etcd_start || return 1
	# Put in by an operator: a legacy anchor writes no record.
	record="{\"maar\":\"$M3\",\"prefixes\":[\"$p3\"],\"identity\":{\"mac\":\"02:00:00:00:03:01\","
	record+="\"link_local\":\"fe80::3:1\"},\"local_prefixes\":[]}"
	ip netns exec "$CN" "${ETCDCTL[@]}" put "/dlif/sessions/$MN_NAI/$M3" "$record" >/dev/null ||
		{ fail "etcdctl put"; return 1; }
	dlifd_start maar1 || return 1
	capture_start
	ip netns exec "${MAAR_NS[3]}" tcpdump -n -U -i core0 -w "$RUN/maar3.pcap" 'ip6 proto 135' \
		2>"$RUN/tcpdump3.log" &
	defer kill $!
	busywait 20000 grep -q "listening on" "$RUN/tcpdump3.log"

	mn_move 1
	check "the node got an address in MAAR1's prefix" busywait 30000 has_address_in 1
	check "MAAR1 sent MAAR3 a PBU" busywait 20000 pbu_to_maar3_captured
	seq=$(last_pbu_seq_in "$M1" "$M3" "$RUN/maar3.pcap")
	[ -n "$seq" ] || { fail "no PBU from MAAR1 to MAAR3 captured"; return 1; }
	ip netns exec "${MAAR_NS[3]}" /usr/bin/python3 "$SPOOF" pba "$M3" "$M1" --seq "$seq" --mn "$MN_NAI" \
		--hnp "$p3" >/dev/null || { fail "mh_spoof.py pba"; return 1; }
	check "MAAR1 tunnels MAAR3's prefix to MAAR3" busywait 10000 maar1_serves "$p3" "$M3"
	check_eq "$(counter maar1 legacy_anchors)" 1 "MAAR1 counted an anchor without the D flag"
	check_eq "$(counter maar1 anchor_failures)" 0 "and no failed anchor"
	check_match "$(dlifs_of maar1)" "mar3" "MAAR1 shows the node a DLIF for MAAR3"
	capture_stop
	check_match "$(tshark -r "$CAPTURE" -Y "ipv6.src == $M3 and mip6.mhtype == 6" -T fields \
		-e mip6.ba.status 2>/dev/null | head -1)" "^0$" "tshark: MAAR3's PBA accepts"
	check_eq "$(tshark -r "$CAPTURE" -Y "ipv6.src == $M3 and mip6.mhtype == 6 and mipv6[7] & 0x02" \
		2>/dev/null | wc -l)" 0 "tshark: MAAR3's PBA has no D flag"
}

run_tests test_session_database_walk test_query_discovery_walk test_anchor_without_d_flag
