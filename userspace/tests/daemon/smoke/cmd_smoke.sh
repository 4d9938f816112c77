#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side smoke test of dlifd as a CMD (no kernel module needed): two
# network namespaces over a veth pair, dlifd in one, a fake MAAR
# (fake_maar.py) in the other. Checks a PBU/PBA exchange, the Binding
# Error for an unknown MH type, silence towards an unconfigured peer, the
# control socket (dlifctl), the state database (committed before the PBA
# leaves, read by sqlite3, migrated from the JSON file of earlier dlifds,
# refused when damaged) and that the binding survives a restart.
#
# usage: cmd_smoke.sh DLIFD DLIFCTL FAKE_MAAR
# Exit 77 (skipped) when network namespaces cannot be made here.
set -u

DLIFD=$1
DLIFCTL=$2
FAKE_MAAR=$3
PY=/usr/bin/python3

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
ns_cmd=dlifd-smoke-cmd-$$
ns_maar=dlifd-smoke-maar-$$
dir=$(mktemp -d /tmp/dlifd-smoke-XXXXXX)
pid=

cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	ip netns del "$ns_cmd" 2>/dev/null
	ip netns del "$ns_maar" 2>/dev/null
	[ -n "${DLIFD_SMOKE_KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT

ip netns add "$ns_cmd" 2>/dev/null || { echo "SKIP: cannot create network namespaces"; exit 77; }
ip netns add "$ns_maar" || exit 77
ip link add v0-$$ type veth peer name v1-$$ || { echo "SKIP: no veth"; exit 77; }
ip link set v0-$$ netns "$ns_cmd"
ip link set v1-$$ netns "$ns_maar"
ip -n "$ns_cmd" addr add 2001:db8::100/64 dev v0-$$ nodad
ip -n "$ns_maar" addr add 2001:db8::1/64 dev v1-$$ nodad
ip -n "$ns_maar" addr add 2001:db8::99/64 dev v1-$$ nodad
for ns in "$ns_cmd" "$ns_maar"; do
	ip -n "$ns" link set lo up
done
ip -n "$ns_cmd" link set v0-$$ up
ip -n "$ns_maar" link set v1-$$ up

cat >"$dir/cmd.toml" <<CONF
[daemon]
role = "cmd"
log_level = "debug"
control_socket = "$dir/dlifd.sock"
state_dir = "$dir/state"

[domain]
maars = ["2001:db8::1", "2001:db8::2"]

[cmd]
address = "2001:db8::100"
CONF

source "$(dirname "$0")/smoke_lib.sh"

# SIGTERM to the running dlifd, and wait (5 s at most) for it to exit.
stop_daemon() {
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	pid=
}

start() {
	# Without -f: dlifd returns once it is running (or failed to start).
	ip netns exec "$ns_cmd" "$DLIFD" -c "$dir/cmd.toml" -p "$dir/dlifd.pid" 2>>"$dir/dlifd.log" || return 1
	pid=$(cat "$dir/dlifd.pid")
}

check "dlifd --check accepts the configuration" bash -c "'$DLIFD' -c '$dir/cmd.toml' --check >/dev/null"
check "dlifd starts" start
check "PBU from a MAAR of the domain gets an accepting PBA" \
	ip netns exec "$ns_maar" $PY "$FAKE_MAAR" register 2001:db8::1 2001:db8::100 mn1@dlif.example 2001:db8:1:1::/64
# Read at once, without waiting: the PBA leaves only after the commit.
check "the binding was committed before its PBA left (sqlite3 reads it)" \
	bash -c "sqlite3 '$dir/state/cmd.state.db' \"SELECT json_extract(record, '\$.serving') FROM nodes WHERE mn = 'mn1@dlif.example'\" |
		 grep -qx 2001:db8::1"
check "an unknown MH type gets a Binding Error (status 2)" \
	ip netns exec "$ns_maar" $PY "$FAKE_MAAR" unknown-type 2001:db8::1 2001:db8::100
check "a PBU from outside the domain is not answered" \
	ip netns exec "$ns_maar" $PY "$FAKE_MAAR" silent 2001:db8::99 2001:db8::100 mn9@dlif.example 2001:db8:9::/64
check "dlifctl mn list shows the binding" \
	bash -c "'$DLIFCTL' -S '$dir/dlifd.sock' mn list | grep -q mn1@dlif.example"
check "dlifctl -j mn show gives its serving MAAR" \
	bash -c "'$DLIFCTL' -S '$dir/dlifd.sock' -j mn show mn1@dlif.example | grep -q '\"serving_maar\":\"2001:db8::1\"'"
check "dlifctl status counts the binding at its serving MAAR" \
	bash -c "'$DLIFCTL' -S '$dir/dlifd.sock' status | grep -qx 'serving_maars {\"2001:db8::1\":{\"bindings\":1,\"registered\":1}}'"
check "the counters count the unknown peer" \
	bash -c "'$DLIFCTL' -S '$dir/dlifd.sock' -j counters | grep -q '\"mh_rx_unknown_peer\":1'"
check "every MH message is logged" \
	bash -c "grep -q 'event=mh.received type=PBU src=2001:db8::1 dst=2001:db8::100 seq=7 flags=APD' '$dir/dlifd.log' &&
		 grep -q 'event=mh.sent type=PBA' '$dir/dlifd.log'"

# dlifctl metrics: the daemon's counters in the Prometheus text format, as
# promtool (Debian's prometheus package) reads them; this host has no dlif
# family, which the output says instead of failing.
"$DLIFCTL" -S "$dir/dlifd.sock" metrics >"$dir/metrics.prom" 2>"$dir/metrics.err"
check "dlifctl metrics: the daemon is up, with its role" \
	grep -q '^dlifd_info{version="[^"]*",role="cmd",address="2001:db8::100"} 1$' "$dir/metrics.prom"
check "dlifctl metrics: the unknown peer's counter" \
	grep -q '^dlifd_daemon_mh_rx_unknown_peer_total 1$' "$dir/metrics.prom"
check "dlifctl metrics: one mobile node" grep -q '^dlifd_mobile_nodes 1$' "$dir/metrics.prom"
check "dlifctl metrics: that binding, registered at MAAR 2001:db8::1" \
	grep -q '^dlifd_cmd_bindings{maar="2001:db8::1",state="registered"} 1$' "$dir/metrics.prom"
check "dlifctl metrics: no dlif family here, said" \
	bash -c "grep -q '^dlif_kernel_up 0$' '$dir/metrics.prom' && grep -q 'the kernel' '$dir/metrics.err'"
if command -v promtool >/dev/null; then
	check "promtool accepts the metrics" bash -c "promtool check metrics <'$dir/metrics.prom'"
else
	echo "SKIP: promtool (Debian package prometheus) is not installed"
fi
check "dlifctl metrics without a daemon: dlifd_up 0" \
	bash -c "'$DLIFCTL' -S '$dir/none.sock' metrics 2>/dev/null | grep -q '^dlifd_up 0$'"

# The disk refuses (here another writer holds the database): nothing that is
# not committed is acknowledged; once it can write, the MAAR's
# retransmission is.
$PY - "$dir/state/cmd.state.db" "$dir/lock.held" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
while os.path.exists(sys.argv[2]):
    time.sleep(0.05)
db.execute("ROLLBACK")
PY
locker=$!
for _ in $(seq 50); do [ -e "$dir/lock.held" ] && break; sleep 0.1; done
check "while the state cannot be committed, a registration is not acknowledged" \
	ip netns exec "$ns_maar" $PY "$FAKE_MAAR" silent 2001:db8::1 2001:db8::100 mn2@dlif.example 2001:db8:1:2::/64
check "and the failed commits and dropped messages are counted and logged" \
	bash -c "'$DLIFCTL' -S '$dir/dlifd.sock' -j counters | grep -q '\"mh_tx_uncommitted_dropped\":[1-9]' &&
		 '$DLIFCTL' -S '$dir/dlifd.sock' -j counters | grep -q '\"state_save_errors\":[1-9]' &&
		 grep -q 'event=state.save.failed' '$dir/dlifd.log'"
check "dlifctl status shows the pending record and how long commits have failed" \
	bash -c "'$DLIFCTL' -S '$dir/dlifd.sock' -j status | grep -q '\"state_pending_records\":1' &&
		 '$DLIFCTL' -S '$dir/dlifd.sock' -j status | grep -q '\"state_commit_failing_s\":[0-9]'"
# A handover meanwhile (mn1 now at MAAR 2001:db8::2): the update of its
# previous MAAR, 2001:db8::1, cannot leave, and the core's timers wait
# with it rather than spend its retransmissions unsent and then fail it
# (which would cost the node its first prefix for an outage of the disk).
counter() {	# NAME: a counter of the daemon or its core
	"$DLIFCTL" -S "$dir/dlifd.sock" -j counters | $PY -c '
import json, sys
print(sum(g.get(sys.argv[1], 0) for g in json.load(sys.stdin).values() if isinstance(g, dict)))' "$1"
}
ip -n "$ns_maar" addr add 2001:db8::2/64 dev v1-$$ nodad
check "a handover while the state cannot be committed is not acknowledged either" \
	ip netns exec "$ns_maar" $PY "$FAKE_MAAR" silent 2001:db8::2 2001:db8::100 mn1@dlif.example 2001:db8:2:1::/64
sleep 2	# 5 s after it: three retransmission timeouts (1.5 s) have passed
check "the CMD knows of the handover" \
	bash -c "'$DLIFCTL' -S '$dir/dlifd.sock' -j mn show mn1@dlif.example | grep -q '\"serving_maar\":\"2001:db8::2\"'"
check "while its update of the previous MAAR waits: nothing retransmitted, nothing failed" \
	test "$(counter retransmissions) $(counter previous_maar_failures)" = "0 0"
rm -f "$dir/lock.held"
wait "$locker"
retransmitted() { [ "$(counter retransmissions)" -ge 1 ]; }
check "once the state is committed, the update goes out and is retransmitted" until_ 5 retransmitted
check "once it can, the retransmitted PBU is acknowledged and the binding is on disk" \
	bash -c "ip netns exec '$ns_maar' $PY '$FAKE_MAAR' register 2001:db8::1 2001:db8::100 mn2@dlif.example 2001:db8:1:2::/64 &&
		 sqlite3 '$dir/state/cmd.state.db' 'SELECT mn FROM nodes' | grep -qx mn2@dlif.example"
check "and nothing is pending any more" \
	bash -c "'$DLIFCTL' -S '$dir/dlifd.sock' -j status | grep -q '\"state_pending_records\":0' &&
		 '$DLIFCTL' -S '$dir/dlifd.sock' -j status | grep -q '\"state_commit_failing_s\":0'"

kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
check "SIGTERM stops it cleanly" bash -c "! kill -0 $pid 2>/dev/null && grep -q 'event=dlifd.stopped' '$dir/dlifd.log'"
check "the state database holds the binding" \
	bash -c "sqlite3 '$dir/state/cmd.state.db' 'SELECT mn FROM nodes' | grep -qx mn1@dlif.example"
pid=
check "dlifd restarts" start
check "the binding survived the restart" \
	bash -c "'$DLIFCTL' -S '$dir/dlifd.sock' mn show mn1@dlif.example >/dev/null"
check "dlifctl says when no daemon answers" \
	bash -c "'$DLIFCTL' -S '$dir/none.sock' status 2>&1 | grep -q 'cannot reach dlifd at $dir/none.sock: No such file or directory'"

# A saved state that cannot be used stops the start (an empty CMD would
# forget every binding); --discard-state moves it aside and starts empty.
stop_daemon
check "a clean stop leaves no write-ahead log behind" test ! -s "$dir/state/cmd.state.db-wal"
cp "$dir/state/cmd.state.db" "$dir/good.state.db"
printf 'this is not an SQLite database, whatever its name says...........................................................' \
	>"$dir/state/cmd.state.db"
cp "$dir/state/cmd.state.db" "$dir/bad.state.db"
check "an unusable state database: dlifd refuses to start" \
	bash -c "! ip netns exec '$ns_cmd' '$DLIFD' -c '$dir/cmd.toml' -f 2>'$dir/state.err'"
check "and says which file, why and what to do" \
	bash -c "grep -q 'event=dlifd.start.failed reason=state.load.failed' '$dir/state.err' &&
		 grep -q 'file is not a database' '$dir/state.err' &&
		 grep -q 'file=$dir/state/cmd.state.db' '$dir/state.err' && grep -q 'discard-state' '$dir/state.err'"
check "and leaves the file as it was" cmp "$dir/bad.state.db" "$dir/state/cmd.state.db"
start_discarding() {
	ip netns exec "$ns_cmd" "$DLIFD" -c "$dir/cmd.toml" -p "$dir/dlifd.pid" --discard-state \
		2>>"$dir/dlifd.log" || return 1
	pid=$(cat "$dir/dlifd.pid")
}
check "with --discard-state it starts empty" start_discarding
check "and moved the file aside" bash -c "grep -q 'event=state.quarantined' '$dir/dlifd.log' &&
	cmp '$dir/bad.state.db' \$(ls -d '$dir'/state/cmd.state.db.bad-* | head -1)"
check "and has no binding" bash -c "! '$DLIFCTL' -S '$dir/dlifd.sock' mn show mn1@dlif.example >/dev/null 2>&1"
stop_daemon

# A database that opens but cannot be written (immutable: not even root
# may write it) is refused at start, not at the first PBA.
cp "$dir/good.state.db" "$dir/state/cmd.state.db"
if chattr +i "$dir/state/cmd.state.db" 2>/dev/null; then
	check "a database that cannot be written: dlifd refuses to start, and says so" \
		bash -c "! timeout 20 ip netns exec '$ns_cmd' '$DLIFD' -c '$dir/cmd.toml' -f 2>'$dir/state.err' &&
			 grep -q 'event=dlifd.start.failed reason=state.commit.failed' '$dir/state.err' &&
			 grep -q 'readonly database' '$dir/state.err'"
	chattr -i "$dir/state/cmd.state.db"
else
	echo "SKIP: chattr +i does not work on $dir"
fi

# A database of a later dlifd (another schema version) is refused too.
cp "$dir/good.state.db" "$dir/state/cmd.state.db"
sqlite3 "$dir/state/cmd.state.db" 'PRAGMA user_version = 2'
check "a state database of a later version: refused, named" \
	bash -c "! ip netns exec '$ns_cmd' '$DLIFD' -c '$dir/cmd.toml' -f 2>'$dir/state.err' &&
		 grep -q 'state database version 2 is not supported' '$dir/state.err'"

# The JSON state file of an earlier dlifd, made here from the good
# database: migrated at the first start, then kept aside.
rm -f "$dir"/state/cmd.state.db*
$PY - "$dir/good.state.db" "$dir/state/cmd.state.json" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
meta = dict(db.execute("SELECT name, value FROM meta"))
core = json.loads(meta["header"])
core["bindings"] = [json.loads(r) for (r,) in db.execute("SELECT record FROM nodes")]
json.dump({"format": "dlifd-state", "version": 1, "role": meta["role"], "address": meta["address"],
	   "saved_at_ms": int(meta["saved_at_ms"]), "core": core}, open(sys.argv[2], "w"))
PY
check "a JSON state file of an earlier dlifd: migrated at start, with its binding" \
	bash -c "ip netns exec '$ns_cmd' '$DLIFD' -c '$dir/cmd.toml' -p '$dir/dlifd.pid' 2>>'$dir/dlifd.log' &&
		 '$DLIFCTL' -S '$dir/dlifd.sock' mn show mn1@dlif.example >/dev/null &&
		 grep -q 'event=state.migrated' '$dir/dlifd.log'"
pid=$(cat "$dir/dlifd.pid")
check "the binding is in the database, the JSON file kept as .migrated" \
	bash -c "sqlite3 '$dir/state/cmd.state.db' 'SELECT mn FROM nodes' | grep -qx mn1@dlif.example &&
		 test -f '$dir/state/cmd.state.json.migrated' && test ! -e '$dir/state/cmd.state.json'"

# Under systemd (Type=notify, WatchdogSec=): what dlifd tells the service
# manager through libsystemd, read from a notification socket of our own.
stop_daemon
$PY -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "a", buffering=1)
while True:
    out.write(s.recv(4096).decode().replace("\n", " ") + "\n")
' "$dir/notify.sock" "$dir/notify.log" &
listener=$!
for _ in $(seq 50); do [ -S "$dir/notify.sock" ] && break; sleep 0.1; done
NOTIFY_SOCKET=$dir/notify.sock WATCHDOG_USEC=1000000 \
	ip netns exec "$ns_cmd" "$DLIFD" -c "$dir/cmd.toml" -f 2>>"$dir/dlifd.log" &
pid=$!
notified() {	# PATTERN [COUNT]: COUNT lines (default 1) match within 5 s
	for _ in $(seq 50); do
		[ "$(grep -c -- "$1" "$dir/notify.log" 2>/dev/null)" -ge "${2:-1}" ] && return 0
		sleep 0.1
	done
	return 1
}
check "systemd: READY=1 with a status once it serves" notified '^READY=1 STATUS=serving as cmd at 2001:db8::100'
check "systemd: the watchdog is fed every half interval" notified '^WATCHDOG=1$' 4
kill -HUP "$pid"
check "systemd: RELOADING=1 on SIGHUP" notified '^RELOADING=1 MONOTONIC_USEC=[0-9]*$'
check "systemd: READY=1 again once reloaded" notified '^READY=1 STATUS=reloaded' 1
kill -TERM "$pid"
check "systemd: STOPPING=1 on SIGTERM" notified '^STOPPING=1$'
wait "$pid"
check "systemd: nothing but these" bash -c "test -s '$dir/notify.log' && ! grep -v -e '^READY=1 STATUS=' -e '^WATCHDOG=1\$' -e '^RELOADING=1 ' -e '^STOPPING=1\$' '$dir/notify.log'"
pid=
kill "$listener"
# Without NOTIFY_SOCKET (the fork-and-pid-file start above) nothing is sent.

# With stderr the journal (JOURNAL_STREAM names it, as systemd sets it),
# every event goes to journald's native socket as structured fields. The
# socket is a listener of our own in a mount namespace whose /run is a
# fresh tmpfs, so that the host's /run is never touched.
journal_run() {
	ip netns exec "$ns_cmd" unshare -m --propagation private bash -c '
		mount -t tmpfs none /run && mkdir -p /run/systemd/journal || exit 1
		"$0" /run/systemd/journal/socket "$1" &
		for _ in $(seq 50); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
		listener=$!
		: >"$2"
		JOURNAL_STREAM=$(stat -c %d:%i "$2") "$3" -c "$4" -f 2>>"$2" &
		daemon=$!
		trap "kill -TERM $daemon" TERM
		wait $daemon
		wait $daemon
		kill $listener
	' "$(dirname "$0")/journal_listener.py" "$dir/journal.json" "$dir/journal-stderr.log" "$DLIFD" "$dir/cmd.toml" &
	pid=$!
}
journal_has() {	# PYTHON-CONDITION on an entry e: one entry matches within 5 s
	for _ in $(seq 50); do
		$PY -c 'import json, sys
sys.exit(0 if any((lambda e: eval(sys.argv[2]))(json.loads(l)) for l in open(sys.argv[1])) else 1)' \
			"$dir/journal.json" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
journal_run
check "journal: the start as structured fields" journal_has \
	'e.get("DLIF_EVENT") == "dlifd.started" and e.get("PRIORITY") == "5" and e.get("SYSLOG_IDENTIFIER") == "dlifd" and e.get("DLIF_ROLE") == "cmd" and e["MESSAGE"].startswith("level=notice event=dlifd.started ")'
ip netns exec "$ns_maar" $PY "$FAKE_MAAR" register 2001:db8::1 2001:db8::100 mn-journal@dlif.example \
	2001:db8:1:7::/64 >/dev/null 2>&1
check "journal: a node's events carry DLIF_MN" journal_has 'e.get("DLIF_MN") == "mn-journal@dlif.example"'
kill -TERM "$pid"
wait "$pid"
pid=
check "journal: nothing went to stderr" test ! -s "$dir/journal-stderr.log"

# [security] require_ipsec against the kernel's own IPsec policies: the
# CMD refuses to start, naming a peer, until ESP is required for MH both
# ways with every MAAR (a policy for a single MH type does not count).
stop_daemon
sed -i 's/^\[cmd\]$/[security]\nrequire_ipsec = true\n\n[cmd]/' "$dir/cmd.toml"
esp() {	# DIR SRC DST [selector extra...]
	local dir=$1 src=$2 dst=$3
	shift 3
	ip -n "$ns_cmd" xfrm policy add src "$src/128" dst "$dst/128" proto 135 "$@" dir "$dir" \
		tmpl src "$src" dst "$dst" proto esp mode transport
}
check "without IPsec policies the CMD refuses to start" bash -c "! ip netns exec '$ns_cmd' '$DLIFD' -c '$dir/cmd.toml' -f 2>'$dir/ipsec.err'"
check "and names the first peer and direction" \
	grep -q 'security.require_ipsec: no IPsec policy requires ESP for Mobility Headers from 2001:db8::100 to 2001:db8::1 (dir out)' "$dir/ipsec.err"
esp out 2001:db8::100 2001:db8::1
esp in 2001:db8::1 2001:db8::100
esp out 2001:db8::100 2001:db8::2
esp in 2001:db8::2 2001:db8::100 type 5	# PBUs only: PBAs would go in the clear
check "a policy for one MH type does not cover the Mobility Header" \
	bash -c "! ip netns exec '$ns_cmd' '$DLIFD' -c '$dir/cmd.toml' -f 2>'$dir/ipsec.err' &&
		 grep -q 'from 2001:db8::2 to 2001:db8::100 (dir in)' '$dir/ipsec.err'"
ip -n "$ns_cmd" xfrm policy flush
esp out 2001:db8::100 2001:db8::1
esp in 2001:db8::1 2001:db8::100
esp out 2001:db8::100 2001:db8::2
esp in 2001:db8::2 2001:db8::100
check "with ESP required both ways with both MAARs it starts" start
check "and says it checked" grep -q 'event=security.ipsec.checked peers=2 policies=4' "$dir/dlifd.log"

# A home LMA for partner domains (seed 004 §5) relays with stock ip6tnl:
# it starts without dlif.ko (this host has none) and answers a visited
# MAAR; a visitor the domain does not know is refused with status 153.
stop_daemon
ip -n "$ns_cmd" xfrm policy flush
sed -i '/^require_ipsec = true$/d' "$dir/cmd.toml"
printf '[cmd.roaming]\nvisited = ["2001:db8::99"]\n' >>"$dir/cmd.toml"
check "as a home LMA it starts without dlif.ko" start
check "a visited MAAR's PBU for a node unknown here is refused with 153" \
	ip netns exec "$ns_maar" $PY "$FAKE_MAAR" refused 2001:db8::99 2001:db8::100 mn9@dlif.example 2001:db8:9::/64 153
check "and counted" bash -c "'$DLIFCTL' -S '$dir/dlifd.sock' -j counters | grep -q '\"visited_unknown_node\":1'"
stop_daemon

if [ "$failures" -ne 0 ]; then
	echo "--- dlifd log"
	cat "$dir/dlifd.log"
	exit 1
fi
exit 0
