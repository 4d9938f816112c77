#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dlifd with many nodes roaming at once (the access point notifications of
# made-up nodes over the control socket, as `make bench-vm`'s load part
# does, at a size make check can afford), and with a daemon killed
# (SIGKILL) in the middle of it:
#
# - roaming_load_loses_nothing: LOAD_NODES nodes attach at MAAR1 and roam
#   to MAAR2 and MAAR3 together. After each round every node is registered
#   at its new MAAR with every earlier MAAR listed, confirmed and holding
#   a prefix; no previous-MAAR update failed.
# - cmd_killed_under_load: the CMD is killed while the nodes move to
#   MAAR2 and started again. No binding it had acknowledged is missing
#   after the restart (its PBAs leave only after their commit), and the
#   MAARs' retransmissions complete the rest.
# - maar_killed_under_load: MAAR1, the anchor of every node's first
#   prefix, is killed while they move to MAAR2 and started again two
#   seconds later: the CMD's retransmissions reach the restarted MAAR1,
#   which answers from its state database; nothing fails. Its MAARs have
#   [maar] shared_dlifs: the restarted MAAR1 adopts its one shared DLIF
#   with every node's binding.
#
# No timing assertion: the counts are checked when the domain is quiet.
set -u
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dmm_net.sh"
source "$(dirname "$0")/dlifd_lib.sh"


# The domain with the nodes attached at MAAR1 (proxy mode, any node
# admitted, the logs at notice: debug lines for every message would be
# the VM's main work). Arguments: more settings.
load_start() {
	dlif_load || return 1
	dmm_net || return 1
	# The made-up nodes answer no Neighbor Solicitation: never detach.
	DLIFD_ANY_NODE=1 dlifd_configure proxy maar.detach_after=0 "$@"
	sed -i -e 's/log_level = "debug"/log_level = "notice"/' "$RUN"/*.toml
	dlifd_start_all || return 1
	load_macs
	check_eq "$(control_batch "$RUN/maar1.sock" attach "${MACS[@]}")" 0 "$LOAD_NODES nodes attach at MAAR1"
	check "the CMD has every node at MAAR1" busywait 300000 all_served_by "${MAAR_ADDR[1]}" "$LOAD_NODES"
}

test_roaming_load_loses_nothing() {
	load_start || return 1
	round 2
	check_bindings "each node at MAAR2, MAAR1 its previous MAAR" "${MAAR_ADDR[2]}" "${MAAR_ADDR[1]}"
	round 3
	check_bindings "each node at MAAR3, MAAR1 and MAAR2 its previous MAARs" \
		"${MAAR_ADDR[3]}" "${MAAR_ADDR[1]}" "${MAAR_ADDR[2]}"
	check_eq "$(counter cmd previous_maar_failures)" 0 "no previous-MAAR update failed"
	check_eq "$(counter cmd internal_errors)" 0 "no internal error"
}

test_cmd_killed_under_load() {
	local before after total
	load_start || return 1
	move_until $((LOAD_NODES / 4))
	before=$MOVED
	kill -KILL "$PID_cmd"
	wait "$PID_cmd" 2>/dev/null
	PID_cmd=
	ktap_diag "the CMD had $before of $LOAD_NODES nodes at MAAR2 when it was killed"
	check "some, not all, had moved" test "$before" -gt 0 -a "$before" -lt "$LOAD_NODES"
	dlifd_start cmd || return 1
	read -r after total <<<"$(served_by "${MAAR_ADDR[2]}")"
	check "the restarted CMD has every binding it had acknowledged ($after >= $before)" test "$after" -ge "$before"
	check_eq "$total" "$LOAD_NODES" "and every node's binding"
	check "the MAARs' retransmissions move the others" \
		busywait 300000 all_served_by "${MAAR_ADDR[2]}" "$LOAD_NODES"
	wait "$ATTACHING"
	check_eq "$(cat "$RUN/attach2.out")" 0 "every attachment at MAAR2 was taken"
	check_bindings "each node at MAAR2, MAAR1 its previous MAAR" "${MAAR_ADDR[2]}" "${MAAR_ADDR[1]}"
	check_eq "$(counter cmd previous_maar_failures)" 0 "no previous-MAAR update failed after the restart"
}

# How long the restarted MAAR1 took from its first log line to
# dlifd.started: reading its state, reconciling the kernel's DLIFs and
# entries with it, reinstalling what is missing. A figure, not a check.
restart_figures() {	# LINES: of maar1.log before the restart
	local log started first dlifs
	log=$(tail -n +$(($1 + 1)) "$RUN/maar1.log")
	first=$(head -1 <<<"$log" | sed 's/^ts=\([^ ]*\).*/\1/')
	started=$(grep -m1 'event=dlifd.started' <<<"$log" | sed 's/^ts=\([^ ]*\).*/\1/')
	[ -n "$first" ] && [ -n "$started" ] || return 0
	dlifs=$(ctl_node maar1 dev show | grep -c .)
	ktap_diag "MAAR1's restart: $(awk -v a="$(date -d "$started" +%s.%N)" -v b="$(date -d "$first" +%s.%N)" \
		'BEGIN { printf "%.2f", a - b }') s to dlifd.started, $dlifs DLIFs"
}

# With [maar] shared_dlifs (the other cases give each node DLIFs of its
# own): the restarted MAAR1 adopts its shared DLIF and the nodes' bindings
# on it, and makes no second one.
test_maar_killed_under_load() {
	local before lines bindings0
	load_start maar.shared_dlifs=true || return 1
	move_until $((LOAD_NODES / 4))
	before=$MOVED
	bindings0=$(ctl_node maar1 binding show | grep -c ' mn ')
	kill -KILL "$PID_maar1"
	wait "$PID_maar1" 2>/dev/null
	PID_maar1=
	ktap_diag "$before of $LOAD_NODES nodes were at MAAR2 when MAAR1 was killed"
	sleep 2
	lines=$(wc -l <"$RUN/maar1.log")
	dlifd_start maar1 || return 1
	restart_figures "$lines"
	check_eq "$(bindings_total maar1)" "$LOAD_NODES" "the restarted MAAR1 has every node's session"
	check_eq "$(ctl_node maar1 dev show | grep -c .)" 1 "and its one shared DLIF, adopted"
	check_eq "$(ctl_node maar1 binding show | grep -c ' mn ')" "$bindings0" \
		"with the $bindings0 bindings it had (the primary one and each node's)"
	check "every node reaches MAAR2" busywait 300000 all_served_by "${MAAR_ADDR[2]}" "$LOAD_NODES"
	wait "$ATTACHING"
	check_bindings "each node at MAAR2, with MAAR1 confirmed as its previous MAAR" "${MAAR_ADDR[2]}" "${MAAR_ADDR[1]}"
	check_eq "$(counter cmd previous_maar_failures)" 0 "no previous-MAAR update failed"
}

run_tests test_roaming_load_loses_nothing test_cmd_killed_under_load test_maar_killed_under_load
