#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two dlifd CMD instances sharing a real etcd ([store] backend = "etcd"),
# no kernel module needed. One LAN (a bridge in its own namespace, with
# etcd on it); instances a and b and a fake MAAR (fake_maar.py) each in a
# namespace of their own. Checks that one instance leads and holds the
# CMD's address, the other stands by; that a binding is in etcd (etcdctl
# reads it) once its PBA has left; that after the leader is killed the
# other takes over within the lease, from etcd, announces the address
# with an unsolicited Neighbour Advertisement that moves the MAAR's
# neighbour cache, and answers the MAAR; that the address the killed
# leader left behind expires with its lease; that a restarted instance
# stands by; that a leader stopped with SIGTERM hands over at once.
#
# usage: ha_smoke.sh DLIFD DLIFCTL FAKE_MAAR
# Exit 77 (skipped) without root, network namespaces or etcd.
set -u

DLIFD=$1
DLIFCTL=$2
FAKE_MAAR=$3
PY=/usr/bin/python3
ETCD=/usr/bin/etcd
MN=mn1@dlif.example

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$ETCD" ] && command -v etcdctl >/dev/null ||
	{ echo "SKIP: no etcd (scripts/deps.sh installs etcd-server and etcd-client)"; exit 77; }
tag=$$
lan=dlifd-ha-lan-$tag
declare -A ns=([a]=dlifd-ha-a-$tag [b]=dlifd-ha-b-$tag [maar]=dlifd-ha-maar-$tag)
dir=$(mktemp -d /tmp/dlifd-ha-XXXXXX)
declare -A pid=()
etcd_pid=

cleanup() {
	local p
	for p in "${pid[@]}" $etcd_pid; do kill -9 "$p" 2>/dev/null; done
	for p in "${ns[@]}" "$lan"; do ip netns del "$p" 2>/dev/null; done
	[ -n "${DLIFD_SMOKE_KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT

ip netns add "$lan" 2>/dev/null || { echo "SKIP: cannot create network namespaces"; exit 77; }
ip -n "$lan" link add br0 type bridge
ip -n "$lan" link set lo up
ip -n "$lan" addr add 2001:db8::e/64 dev br0 nodad
ip -n "$lan" link set br0 up
i=0
for who in a b maar; do
	i=$((i + 1))
	ip netns add "${ns[$who]}"
	ip link add "h$i-$tag" type veth peer name core || { echo "SKIP: no veth"; exit 77; }
	ip link set core netns "${ns[$who]}"
	ip link set "h$i-$tag" netns "$lan"
	ip -n "$lan" link set "h$i-$tag" master br0 up
	ip -n "${ns[$who]}" link set lo up
	ip -n "${ns[$who]}" link set core address "02:00:00:00:00:0$i" up
done
ip -n "${ns[a]}" addr add 2001:db8::a/64 dev core nodad
ip -n "${ns[b]}" addr add 2001:db8::b/64 dev core nodad
ip -n "${ns[maar]}" addr add 2001:db8::1/64 dev core nodad

endpoint="http://[2001:db8::e]:2379"
ip netns exec "$lan" "$ETCD" --name ha --data-dir "$dir/etcd" \
	--listen-client-urls "$endpoint" --advertise-client-urls "$endpoint" \
	--listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
	--initial-cluster ha=http://127.0.0.1:2380 >"$dir/etcd.log" 2>&1 &
etcd_pid=$!
etcdctl_() { ip netns exec "$lan" env ETCDCTL_API=3 etcdctl --endpoints "$endpoint" "$@"; }

for who in a b; do
	cat >"$dir/$who.toml" <<CONF
[daemon]
role = "cmd"
log_level = "debug"
control_socket = "$dir/$who.sock"
state_dir = "$dir/$who-state"

[domain]
maars = ["2001:db8::1", "2001:db8::2"]

[cmd]
address = "2001:db8::100"

[store]
backend = "etcd"
endpoints = ["$endpoint"]
name = "$who"
lease_ttl = 2
request_timeout = 0.5
service_interface = "core"
CONF
done

source "$(dirname "$0")/smoke_lib.sh"
start() {
	ip netns exec "${ns[$1]}" "$DLIFD" -c "$dir/$1.toml" -p "$dir/$1.pid" 2>>"$dir/$1.log" || return 1
	pid[$1]=$(cat "$dir/$1.pid")
}
status() { "$DLIFCTL" -S "$dir/$1.sock" -j status; }
# is WHO ROLE [LEADER]: the instance's view of the leadership.
is() {
	local out
	out=$(status "$1") || return 1
	grep -q "\"this_instance\":\"$2\"" <<<"$out" && { [ -z "${3:-}" ] || grep -q "\"leader\":\"$3\"" <<<"$out"; }
}
holds() { ip -n "${ns[$1]}" -6 addr show dev core | grep -q "inet6 2001:db8::100/128"; }
register() {	# SOURCE: a PBU for MN, retransmitted as a MAAR does
	local try
	for try in 1 2 3 4; do
		ip netns exec "${ns[maar]}" $PY "$FAKE_MAAR" register "$1" 2001:db8::100 $MN 2001:db8:1:1::/64 && return 0
	done
	return 1
}

check "etcd answers" until_ 30 etcdctl_ endpoint health
check "a starts" start a
check "a leads" until_ 10 is a leader a
check "b starts" start b
check "b stands by, with a as the leader" until_ 10 is b standby a
check "a holds the CMD's address" holds a
check "b does not" bash -c "! ip -n '${ns[b]}' -6 addr show dev core | grep -q 2001:db8::100"
check "the MAAR's PBU gets an accepting PBA from a" register 2001:db8::1
# Read at once: the PBA left only after the etcd transaction.
check "the binding is in etcd (etcdctl)" \
	bash -c "ip netns exec '$lan' env ETCDCTL_API=3 etcdctl --endpoints '$endpoint' get --print-value-only /dlif/cmd/nodes/$MN |
		 grep -q '\"serving\":\"2001:db8::1\"'"
check "the MAAR reaches the CMD's address through a" \
	bash -c "ip -n '${ns[maar]}' neigh show 2001:db8::100 | grep -q 02:00:00:00:00:01"

kill -9 "${pid[a]}"
unset "pid[a]"
check "b takes over once a's lease has expired" until_ 10 is b leader b
check "b holds the CMD's address" holds b
check "its unsolicited NA moved the MAAR's neighbour entry to b" \
	until_ 5 bash -c "ip -n '${ns[maar]}' neigh show 2001:db8::100 | grep -q 02:00:00:00:00:02"
check "b knows the binding from etcd" \
	bash -c "'$DLIFCTL' -S '$dir/b.sock' -j mn show $MN | grep -q '\"serving_maar\":\"2001:db8::1\"'"
# a's namespace still has the address: only b's NA sends the MAAR to b.
check "the MAAR's retransmitted PBU is answered by b" register 2001:db8::1
check "b says it took over" grep -q "store.leader.*name=b" "$dir/b.log"
check "the address a left behind expires with its lease" until_ 5 bash -c "! ip -n '${ns[a]}' -6 addr show dev core | grep -q 2001:db8::100"
check "while b renews its own" holds b

check "a restarts" start a
check "a stands by, with b as the leader" until_ 10 is a standby b
check "a does not hold the address" bash -c "! ip -n '${ns[a]}' -6 addr show dev core | grep -q 2001:db8::100"

kill -TERM "${pid[b]}"
t0=$SECONDS
check "b, stopped, hands over to a at once" until_ 5 is a leader a
echo "# handover after SIGTERM: $((SECONDS - t0)) s"
check "a holds the address" holds a
check "a knows the binding" \
	bash -c "'$DLIFCTL' -S '$dir/a.sock' -j mn show $MN | grep -q '\"serving_maar\":\"2001:db8::1\"'"
check "b said it resigned" grep -q "store.resigned" "$dir/b.log"

if [ "$failures" -gt 0 ]; then
	for f in "$dir"/*.log; do echo "== $f"; tail -30 "$f"; done
	echo "$failures check(s) failed"
	exit 1
fi
echo "all checks passed"
