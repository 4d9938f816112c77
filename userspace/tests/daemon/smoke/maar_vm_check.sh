#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dlifd end to end with the real dlif.ko, for the test VM:
#
#   make module KVER=6.1 && make userspace &&
#   qemu/vm.sh -k 6.1 -- userspace/tests/daemon/smoke/maar_vm_check.sh
#
# A CMD and a MAAR (each a dlifd in its own network namespace) and an
# unmodified Linux node on the MAAR's access link. The node's Router
# Solicitation makes the MAAR register it with the CMD, create its DLIF
# and advertise a prefix; the node configures an address from it and
# reaches its router. Then the MAAR's dlifd is stopped (SIGTERM) and
# started again: the DLIF stays, traffic goes on, the restarted daemon
# adopts it. Not one of the selftests (those are in selftests/); a check
# of the daemon's kernel side. Exit 0 when everything held.
set -u

SRC=$(cd "$(dirname "$0")/../../../.." && pwd)
BUILD=${DLIF_USERSPACE_BUILD:-$SRC/build/userspace}
DLIFD=${DLIFD:-$BUILD/userspace/daemon/dlifd}
DLIFCTL=${DLIFCTL:-$BUILD/userspace/cli/dlifctl}
dir=$(mktemp -d /tmp/dlifd-vm-XXXXXX)
failures=0

step() { echo "== $*"; }
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }
wait_for() {	# tries what command...
	local tries=$1
	shift
	for _ in $(seq "$tries"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

modprobe dlif || { echo "cannot load dlif.ko"; exit 1; }
for ns in cmd maar mn; do ip netns add $ns; ip -n $ns link set lo up; done
ip link add core0 netns cmd type veth peer name core0 netns maar
ip link add eth0 netns mn address 02:00:00:00:00:01 type veth peer name acc0 netns maar
ip -n cmd addr add 2001:db8:ff::100/64 dev core0 nodad
ip -n maar addr add 2001:db8:ff::1/64 dev core0 nodad
ip -n cmd link set core0 up
ip -n maar link set core0 up
ip -n maar link set acc0 up
ip netns exec maar sysctl -qw net.ipv6.conf.all.forwarding=1
ip netns exec mn sysctl -qw net.ipv6.conf.eth0.accept_ra=1

cat >"$dir/cmd.toml" <<CONF
[daemon]
role = "cmd"
log_level = "debug"
control_socket = "$dir/cmd.sock"
state_dir = "$dir/cmd-state"
[domain]
maars = ["2001:db8:ff::1", "2001:db8:ff::2"]
[cmd]
address = "2001:db8:ff::100"
CONF
cat >"$dir/maar.toml" <<CONF
[daemon]
role = "maar"
log_level = "debug"
control_socket = "$dir/maar.sock"
state_dir = "$dir/maar-state"
[domain]
maars = ["2001:db8:ff::1", "2001:db8:ff::2"]
[signalling]
lifetime = 120
[maar]
address = "2001:db8:ff::1"
cmd = "2001:db8:ff::100"
access_interfaces = ["acc0"]
prefix_pool = "2001:db8:1000::/48"
[maar.ra]
interval = 10
router_lifetime = 60
CONF

start() {	# ns config log
	ip netns exec "$1" "$DLIFD" -c "$2" -p "$dir/$1.pid" 2>>"$3"
}

step "start the CMD and the MAAR"
check "CMD dlifd starts" start cmd "$dir/cmd.toml" "$dir/cmd.log"
check "MAAR dlifd starts" start maar "$dir/maar.toml" "$dir/maar.log"

step "the node comes up and solicits"
ip -n mn link set eth0 up
global() { ip -n mn -6 addr show dev eth0 scope global | grep -q 'inet6 2001:db8:1000:'; }
check "the node configures an address from the MAAR's pool" wait_for 100 global
check "the node has a default route through the DLIF's link-local" \
	bash -c "ip -n mn -6 route show default | grep -q 'via fe80::'"
dlif=$(ip -n maar -o link show type dlif | awk -F': ' '{print $2}' | cut -d@ -f1 | head -1)
check "the MAAR has a DLIF ($dlif)" test -n "$dlif"
check "the DLIF has no kernel-generated link-local (addr_gen_mode none)" \
	bash -c "[ \$(ip -n maar -6 addr show dev $dlif scope link | grep -c inet6) = 1 ]"
check "the DLIF does not accept RAs and forwards" \
	bash -c "[ \$(ip netns exec maar cat /proc/sys/net/ipv6/conf/$dlif/accept_ra) = 0 ] && [ \$(ip netns exec maar cat /proc/sys/net/ipv6/conf/$dlif/forwarding) = 1 ]"
router=$(ip -n maar -6 addr show dev "$dlif" scope global | awk '/inet6/ {print $2}' | cut -d/ -f1 | head -1)
check "the node reaches its router address $router" ip netns exec mn ping -c 2 -W 2 "$router"
check "dlifctl mn list on the MAAR shows the node" \
	bash -c "ip netns exec maar '$DLIFCTL' -S '$dir/maar.sock' mn list | grep -q 02:00:00:00:00:01"
check "dlifctl mn list on the CMD shows the binding" \
	bash -c "ip netns exec cmd '$DLIFCTL' -S '$dir/cmd.sock' mn list | grep -q 'serving_maar 2001:db8:ff::1'"
check "RAs were sent" bash -c "grep -q 'event=ra.sent dlif=$dlif' '$dir/maar.log'"
# A solicitation from the registered node reaches its DLIF (not the access
# interface's attachment path) and is answered at once.
attachments=$(grep -c 'event=mn.attached' "$dir/maar.log")
ip netns exec mn /usr/bin/python3 -c "
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
s.sendto(bytes([133, 0, 0, 0, 0, 0, 0, 0]), ('ff02::2', 0, 0, socket.if_nametoindex('eth0')))"
answered() { ip netns exec maar "$DLIFCTL" -S "$dir/maar.sock" -j counters | grep -q '"rs_answered":[1-9]'; }
check "an RS on the DLIF is answered" wait_for 25 answered
check "it was not taken for a new attachment" \
	bash -c "[ \$(grep -c 'event=mn.attached' '$dir/maar.log') = $attachments ]"

step "SIGTERM the MAAR: the kernel state stays"
ifindex=$(ip -n maar -o link show dev "$dlif" | cut -d: -f1)
ip netns exec mn ping -i 0.2 -c 60 -W 1 "$router" >"$dir/ping.txt" 2>&1 &
pinger=$!
kill -TERM "$(cat "$dir/maar.pid")"
check "the MAAR dlifd stops" wait_for 50 bash -c "! kill -0 $(cat "$dir/maar.pid") 2>/dev/null"
check "the DLIF is still there" ip -n maar link show dev "$dlif"
check "the MAAR dlifd starts again" start maar "$dir/maar.toml" "$dir/maar.log"
check "it adopted the DLIF (same ifindex $ifindex)" \
	bash -c "[ \$(ip -n maar -o link show dev $dlif | cut -d: -f1) = $ifindex ]"
check "reconciliation kept it" bash -c "grep -q 'event=reconcile.done dlifs_kept=1 dlifs_created=0 dlifs_removed=0' '$dir/maar.log'"
check "the state was restored" bash -c "grep -q 'event=state.restored' '$dir/maar.log'"
wait "$pinger"
check "pings went on through the restart (at most 2 lost)" \
	bash -c "awk '/packets transmitted/ {exit !(\$1 - \$4 <= 2)}' '$dir/ping.txt'"

step "SIGHUP with a new RA interval"
sed -i 's/^interval = 10/interval = 5/' "$dir/maar.toml"
kill -HUP "$(cat "$dir/maar.pid")"
check "the reload applied it" wait_for 25 grep -q 'event=config.reloaded changed=maar.ra.interval' "$dir/maar.log"

for ns in cmd maar; do kill "$(cat "$dir/$ns.pid")" 2>/dev/null; done
sleep 0.5
if [ "$failures" -ne 0 ] || [ -n "${VERBOSE:-}" ]; then
	echo "--- MAAR log"; cat "$dir/maar.log"
	echo "--- CMD log"; cat "$dir/cmd.log"
	echo "--- ping"; cat "$dir/ping.txt"
fi
echo "$failures failure(s)"
[ "$failures" -eq 0 ]
