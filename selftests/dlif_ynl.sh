#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The "dlif" generic netlink family driven by the kernel's own YNL CLI
# (tools/net/ynl/cli.py of Debian's linux-source-6.12, extracted by
# scripts/ynl-tree.sh) from Documentation/netlink/specs/dlif.yaml, which
# must validate against that tree's schema (checked once: jsonschema
# takes half of each call's time under emulation, and
# scripts/check-spec.py checks it too): every do and dump, a --subscribe
# to the "entries" group decoding each notification the kernel sends
# (added, replaced, deleted), bad requests refused with the extack YNL
# shows, and callers without CAP_NET_ADMIN.

source "$(dirname "$0")/lib.sh"

YNL_DIR=${DLIF_YNL:-$DLIF_BUILD/ynl}
CLI=$YNL_DIR/tools/net/ynl/cli.py
SPEC=$DLIF_SRC/Documentation/netlink/specs/dlif.yaml
SCHEMA=$YNL_DIR/Documentation/netlink/$(sed -n 's/^protocol: *//p' "$SPEC").yaml

# Addresses as YNL takes binary attributes on input: hex.
HEX_A=20010db8000a00000000000000000000		# 2001:db8:a::
HEX_B=20010db8000b00000000000000000000		# 2001:db8:b::
HEX_C=20010db8000c00000000000000000000		# 2001:db8:c::
HEX_PEER1=20010db800ff00000000000000000001	# 2001:db8:ff::1
HEX_PEER2=20010db800ff00000000000000000002	# 2001:db8:ff::2
HEX_PEER9=20010db800ff00000000000000000009	# 2001:db8:ff::9
HEX_LL=fe800000000000000000000000000001		# fe80::1

setup_one() {
	setup_ns NS || return 1
	ip -n "$NS" link add acc type veth peer name acc-peer || return 1
	ip -n "$NS" link add link acc name d0 address 02:11:22:33:01:01 type dlif || return 1
	ip -n "$NS" link add link acc name d1 address 02:11:22:33:02:01 type dlif || return 1
	ip -n "$NS" link add dummy0 type dummy
	D0=$(ip netns exec "$NS" cat /sys/class/net/d0/ifindex)
	D1=$(ip netns exec "$NS" cat /sys/class/net/d1/ifindex)
}

# ynl ARGS...: cli.py in the test namespace, one JSON document per output.
ynl() {
	ip netns exec "$NS" python3 "$CLI" --spec "$SPEC" --no-schema --output-json "$@"
}

# The same with the spec validated against the schema of its protocol.
ynl_validated() {
	ip netns exec "$NS" python3 "$CLI" --spec "$SPEC" --schema "$SCHEMA" "$@"
}

# entry JSON...: the request attributes of one or more entry nests.
entry() {
	local IFS=,
	echo "{\"entry\": [$*]}"
}

# Every case needs the YNL tree, the Python modules it imports and the
# module; the tree and the modules come from `make deps`.
require_ynl() {
	if [ ! -f "$CLI" ] || [ ! -f "$SCHEMA" ]; then
		ktap_diag "SKIP: no YNL tree at $YNL_DIR (run: make deps)"
		return "$ksft_skip"
	fi
	python3 -c 'import yaml, jsonschema' 2>/dev/null ||
		{ ktap_diag "SKIP: python3-yaml or python3-jsonschema missing"; return "$ksft_skip"; }
	dlif_load || return 1
	setup_one
}

count() {	# text regex: how many times the regex matches in the text
	printf '%s\n' "$1" | grep -Eo -- "$2" | grep -c .
}

test_spec_validates_and_lists_the_family() {
	local out
	require_ynl || return
	out=$(ynl_validated --list-ops 2>&1)
	check_eq "$?" 0 "the spec validates against $(basename "$SCHEMA") of the kernel's tree"
	check_match "$out" "^entry-new +\[ do \]" "entry-new is a do"
	check_match "$out" "^entry-get +\[ (do, dump|dump, do) \]" "entry-get is a do and a dump"
	check_match "$out" "^dev-get +\[ (do, dump|dump, do) \]" "dev-get is a do and a dump"
	check_match "$out" "^binding-get +\[ dump \]" "binding-get is a dump"
	check_eq "$(printf '%s\n' "$out" | grep -c .)" 10 "ten operations"
	out=$(ynl --list-msgs 2>&1)
	check_match "$out" "^entry-new-ntf +\[ notify \]" "the added notification"
	check_match "$out" "^entry-set-ntf +\[ notify \]" "the replaced notification"
	check_match "$out" "^entry-del-ntf +\[ notify \]" "the deleted notification"
}

test_entry_operations() {
	local out
	require_ynl || return
	check "entry-new" ynl --do entry-new --json "$(entry \
		"{\"prefix\": \"$HEX_A\", \"prefix-len\": 64, \"role\": \"serving\", \"peer\": \"$HEX_PEER1\", \"ifindex\": $D0}")"
	check "entry-new of two entries in one request" ynl --do entry-new --json "$(entry \
		"{\"prefix\": \"$HEX_B\", \"prefix-len\": 64, \"role\": \"anchor\", \"peer\": \"$HEX_PEER1\", \"ifindex\": $D1, \"hop-limit\": 12}" \
		"{\"prefix\": \"$HEX_C\", \"prefix-len\": 48, \"role\": \"local-net\", \"peer\": \"$HEX_PEER2\"}")"

	out=$(ynl --do entry-get --json "$(entry "{\"prefix\": \"$HEX_A\", \"prefix-len\": 64}")" 2>&1)
	check_match "$out" '"prefix": "2001:db8:a::", "prefix-len": 64, "role": "serving", "hop-limit": 64, "peer": "2001:db8:ff::1"' \
		"entry-get (do) decodes the entry, with the default hop limit"
	check_match "$out" "\"peer\": \"2001:db8:ff::1\", \"ifindex\": $D0, \"stats\"" "with its DLIF"
	check_match "$out" '"stats": \{"encap-packets": 0, "encap-bytes": 0, "decap-packets": 0' \
		"and its counters"

	out=$(ynl --dump entry-get 2>&1)
	check_eq "$(count "$out" '"prefix": ')" 3 "entry-get (dump) returns the three entries"
	check_match "$out" '"prefix": "2001:db8:b::", "prefix-len": 64, "role": "anchor", "hop-limit": 12' \
		"the anchor entry with its hop limit"
	check_match "$out" '"prefix": "2001:db8:c::", "prefix-len": 48, "role": "local-net", "hop-limit": 64, "peer": "2001:db8:ff::2"' \
		"the local-net entry"
	out=$(ynl --dump entry-get --json "$(entry "{\"role\": \"anchor\"}")" 2>&1)
	check_eq "$(count "$out" '"prefix": ')" 1 "a dump filtered by role"
	out=$(ynl --dump entry-get --json "$(entry "{\"peer\": \"$HEX_PEER1\"}")" 2>&1)
	check_eq "$(count "$out" '"prefix": ')" 2 "a dump filtered by peer"

	check "entry-set replaces" ynl --do entry-set --json "$(entry \
		"{\"prefix\": \"$HEX_A\", \"prefix-len\": 64, \"role\": \"serving\", \"peer\": \"$HEX_PEER9\", \"ifindex\": $D1}")"
	out=$(ynl --do entry-get --json "$(entry "{\"prefix\": \"$HEX_A\", \"prefix-len\": 64}")" 2>&1)
	check_match "$out" "\"peer\": \"2001:db8:ff::9\", \"ifindex\": $D1" "entry-get shows the replacement"

	check "entry-del" ynl --do entry-del --json "$(entry "{\"prefix\": \"$HEX_A\", \"prefix-len\": 64}")"
	check_error "entry-get of the deleted entry" "no entry for this prefix" \
		ynl --do entry-get --json "$(entry "{\"prefix\": \"$HEX_A\", \"prefix-len\": 64}")"
	check "entry-flush by DLIF" ynl --do entry-flush --json "$(entry "{\"ifindex\": $D1}")"
	out=$(ynl --dump entry-get 2>&1)
	check_eq "$(count "$out" '"prefix": ')" 1 "the flush by DLIF removed one"
	check "entry-flush of everything" ynl --do entry-flush
	out=$(ynl --dump entry-get 2>&1)
	check_eq "$out" "[]" "the table is empty"
}

test_dev_operations() {
	local out
	require_ynl || return
	out=$(ynl --dump dev-get 2>&1)
	check_eq "$(count "$out" '"ifname": ')" 2 "dev-get (dump) lists the two DLIFs"
	check_match "$out" "\"dev\": \\{\"ifindex\": $D0, \"ifname\": \"d0\", \"link\": [0-9]+, \"address\": \"02:11:22:33:01:01\"" \
		"d0 with its lower device and MAC"
	check "dev-set binds a mobile node and a MAAR" ynl --do dev-set --json \
		"{\"dev\": {\"ifindex\": $D0, \"mn-addr\": \"020000000001\", \"maar-addr\": \"$HEX_PEER1\"}}"
	out=$(ynl --do dev-get --json "{\"dev\": {\"ifindex\": $D0}}" 2>&1)
	check_match "$out" '"mn-addr": "02:00:00:00:00:01", "maar-addr": "2001:db8:ff::1"' \
		"dev-get (do) reads them back"
	check "dev-set unbinds" ynl --do dev-set --json "{\"dev\": {\"ifindex\": $D0, \"mn-addr\": \"000000000000\"}}"
	out=$(ynl --do dev-get --json "{\"dev\": {\"ifindex\": $D0}}" 2>&1)
	check_no_match "$out" '"mn-addr": "02:00:00:00:00:01"' "unbound"
}

# The bindings of a second node to a DLIF, through the spec's binding-*
# operations (the kernel's YNL library encodes and decodes them).
test_binding_operations() {
	local out
	require_ynl || return
	check "binding-new binds two more nodes, one to each DLIF" ynl --do binding-new --json \
		"{\"binding\": [{\"ifindex\": $D0, \"mn-addr\": \"020000000002\", \"router-addr\": \"02aa00000002\"},
		               {\"ifindex\": $D1, \"mn-addr\": \"020000000003\", \"router-addr\": \"02aa00000003\"}]}"
	out=$(ynl --dump binding-get 2>&1)
	check_eq "$(count "$out" '"mn-addr": ')" 2 "binding-get (dump) lists both"
	out=$(ynl --dump binding-get --json "{\"binding\": [{\"ifindex\": $D0}]}" 2>&1)
	check_match "$out" "\"ifindex\": $D0, \"mn-addr\": \"02:00:00:00:00:02\", \"router-addr\": \"02:aa:00:00:00:02\"" \
		"binding-get of d0 reads its binding back"
	check_eq "$(count "$out" '"mn-addr": ')" 1 "and only d0's"
	out=$(ynl --dump binding-get --json "{\"binding\": [{\"ifindex\": $D1, \"mn-addr\": \"020000000003\"}]}" 2>&1)
	check_match "$out" "\"mn-addr\": \"02:00:00:00:00:03\", .*\"rx-packets\": 0" \
		"binding-get of one node on d1 (ifindex and mn-addr), with its frames"
	check_eq "$(count "$out" '"mn-addr": ')" 1 "that one only"
	out=$(ynl --dump binding-get --json "{\"binding\": [{\"mn-addr\": \"020000000003\"}]}" 2>&1)
	check_match "$out" "give its ifindex" "a node's binding without its DLIF: the kernel's message"
	check "an attached entry names the new node of d0" ynl --do entry-new --json \
		"$(entry "{\"prefix\": \"$HEX_A\", \"prefix-len\": 64, \"role\": \"attached\", \"ifindex\": $D0, \"mn-addr\": \"020000000002\"}")"
	out=$(ynl --dump entry-get --json "$(entry "{\"mn-addr\": \"020000000002\"}")" 2>&1)
	check_match "$out" "\"role\": \"attached\", .*\"mn-addr\": \"02:00:00:00:00:02\"" \
		"entry-get (dump, by node) reads it back"
	check "binding-del" ynl --do binding-del --json \
		"{\"binding\": [{\"ifindex\": $D0, \"mn-addr\": \"020000000002\"}]}"
	out=$(ynl --dump binding-get 2>&1)
	check_eq "$(count "$out" '"mn-addr": ')" 1 "one binding left"
	out=$(ynl --dump entry-get 2>&1)
	check_no_match "$out" "attached" "the entry went with its binding"
}

# A subscriber (cli.py --subscribe entries --sleep S) collects what the
# kernel multicasts while another cli.py and ip change the table; it
# prints the notifications, decoded, when its sleep ends.
test_subscribe_decodes_every_notification() {
	local log pid t0 t1 secs nr out
	require_ynl || return
	# How long one cli.py call takes here (TCG): the subscriber must
	# outlast the changes below (two calls and an ip command).
	t0=$(date +%s)
	ynl --dump dev-get >/dev/null 2>&1
	t1=$(date +%s)
	secs=$(( (t1 - t0) * 4 + 5 ))
	log=$(mktemp)
	ip netns exec "$NS" python3 "$CLI" --spec "$SPEC" --no-schema --output-json \
		--subscribe entries --sleep "$secs" >"$log" 2>&1 &
	pid=$!
	defer kill "$pid"
	# Subscribed once it sleeps (clock_nanosleep or nanosleep).
	busywait $((secs * 1000)) sh -c "read -r nr _ </proc/$pid/syscall && [ \"\$nr\" = 230 -o \"\$nr\" = 35 ]" ||
		{ fail "the subscriber did not get to its sleep"; sed 's/^/#   /' "$log"; return 1; }

	check "four changes in one request (--multi)" ynl \
		--multi entry-new "$(entry "{\"prefix\": \"$HEX_A\", \"prefix-len\": 64, \"role\": \"serving\", \"peer\": \"$HEX_PEER1\", \"ifindex\": $D0}")" \
		--multi entry-set "$(entry "{\"prefix\": \"$HEX_A\", \"prefix-len\": 64, \"role\": \"serving\", \"peer\": \"$HEX_PEER2\", \"ifindex\": $D0}")" \
		--multi entry-set "$(entry "{\"prefix\": \"$HEX_B\", \"prefix-len\": 64, \"role\": \"anchor\", \"peer\": \"$HEX_PEER1\", \"ifindex\": $D1}")" \
		--multi entry-del "$(entry "{\"prefix\": \"$HEX_A\", \"prefix-len\": 64}")"
	check "deleting a DLIF deletes its entry" ip -n "$NS" link del d1
	nr=$(cut -d' ' -f1 "/proc/$pid/syscall" 2>/dev/null)
	[ "$nr" = 230 ] || [ "$nr" = 35 ] ||
		fail "the subscriber's ${secs}s were over before the changes were done"
	wait "$pid"
	check_eq "$?" 0 "the subscriber exits cleanly"
	out=$(cat "$log")
	check_no_match "$out" "Unexpected|Traceback|rror" "every message decoded"
	check_eq "$(count "$out" '"name": "entry-[a-z]+-ntf"')" 5 "five notifications"
	check_match "$out" '"name": "entry-new-ntf", "msg": \{"entry": \[\{"prefix": "2001:db8:a::", "prefix-len": 64, "role": "serving"[^}]*"peer": "2001:db8:ff::1"' \
		"added (entry-new)"
	check_match "$out" '"name": "entry-set-ntf", "msg": \{"entry": \[\{"prefix": "2001:db8:a::", "prefix-len": 64, "role": "serving"[^}]*"peer": "2001:db8:ff::2"' \
		"replaced (entry-set of an existing prefix)"
	check_match "$out" '"name": "entry-new-ntf", "msg": \{"entry": \[\{"prefix": "2001:db8:b::", "prefix-len": 64, "role": "anchor"' \
		"added (entry-set of a new prefix)"
	check_match "$out" '"name": "entry-del-ntf", "msg": \{"entry": \[\{"prefix": "2001:db8:a::", "prefix-len": 64, "role": "serving"[^}]*"peer": "2001:db8:ff::2"' \
		"deleted (entry-del)"
	check_match "$out" '"name": "entry-del-ntf", "msg": \{"entry": \[\{"prefix": "2001:db8:b::", "prefix-len": 64, "role": "anchor"' \
		"deleted with its DLIF"
	printf '%s\n' "$out" | sed 's/^/#   /'
}

# bad ARGS...: cli.py with a request the kernel must refuse; what it
# printed in $out, its error and extack lines in the log.
bad() {
	out=$(ynl "$@" 2>&1) && fail "unexpectedly accepted: $*"
	printf '%s\n' "$out" | grep -E "^Netlink error|extack:" | sed 's/^[[:space:]]*/#   /'
}

# Each bad request: refused, with the errno, the kernel's message and,
# where the policy or the handler names one, the attribute (YNL turns the
# offset into a path) or the policy it broke.
test_bad_inputs_show_the_extack() {
	local ok_key ok out
	require_ynl || return
	ok_key="\"prefix\": \"$HEX_A\", \"prefix-len\": 64"
	ok="$ok_key, \"role\": \"serving\", \"peer\": \"$HEX_PEER1\", \"ifindex\": $D0"

	bad --do entry-new --json "$(entry "{\"prefix\": \"$HEX_A\", \"prefix-len\": 129, \"role\": \"serving\", \"peer\": \"$HEX_PEER1\", \"ifindex\": $D0}")"
	check_match "$out" "Netlink error: Numerical result out of range" "prefix length 129: ERANGE"
	check_match "$out" "'bad-attr': '.entry.prefix-len'" "prefix length 129: the attribute named"
	check_match "$out" "'policy': \{[^}]*'max-value': 128" "prefix length 129: the policy's maximum"

	bad --do entry-new --json "$(entry "{$ok_key, \"role\": \"serving\", \"peer\": \"20010db8\", \"ifindex\": $D0}")"
	check_match "$out" "Netlink error: Numerical result out of range" "a 4-byte peer: ERANGE"
	check_match "$out" "'bad-attr': '.entry.peer'" "a 4-byte peer: the attribute named"
	check_match "$out" "'(min|max)-length': 16" "a 4-byte peer: the exact length"

	bad --do entry-new --json "$(entry "{$ok_key, \"role\": \"serving\", \"peer\": \"$HEX_LL\", \"ifindex\": $D0}")"
	check_match "$out" "Netlink error: Invalid argument" "a link-local peer: EINVAL"
	check_match "$out" "'msg': 'peer must be a global unicast" "a link-local peer: the message"
	check_match "$out" "'bad-attr': '.entry.peer'" "a link-local peer: the attribute named"

	bad --do entry-new --json "$(entry "{\"prefix-len\": 64, \"role\": \"serving\", \"peer\": \"$HEX_PEER1\", \"ifindex\": $D0}")"
	check_match "$out" "'msg': 'missing prefix'" "no prefix: the message"
	check_match "$out" "'miss-type': " "no prefix: the missing attribute's type"

	bad --do entry-new --json "$(entry "{$ok, \"stats\": {\"encap-packets\": 1}}")"
	check_match "$out" "Netlink error: Invalid argument" "counters in a request: EINVAL"
	check_match "$out" "'bad-attr': '.entry.stats'" "counters in a request: the attribute named"

	bad --do entry-new --json "$(entry "{$ok_key, \"role\": \"anchor\", \"peer\": \"$HEX_PEER1\"}")"
	check_match "$out" "'msg': .the anchor, serving and attached roles need the mobile node's dlif" \
		"an anchor without a DLIF: the message"
	check_match "$out" "'miss-type': 7, 'miss-nest': " "an anchor without a DLIF: the missing attribute (ifindex, 7)"

	bad --do entry-new --json "$(entry "{$ok_key, \"role\": \"serving\", \"peer\": \"$HEX_PEER1\", \"ifindex\": 1}")"
	check_match "$out" "'msg': '(device is )?not a dlif device" "lo as the DLIF: the message"
	check_match "$out" "'bad-attr': '.entry.ifindex'" "lo as the DLIF: the attribute named"

	check "a good entry" ynl --do entry-new --json "$(entry "{$ok}")"
	bad --do entry-new --json "$(entry "{$ok}")"
	check_match "$out" "Netlink error: File exists" "the same prefix again: EEXIST"
	check_match "$out" "'msg': 'the prefix already has an entry'" "the same prefix again: the message"

	bad --do entry-del --json "$(entry "{\"prefix\": \"$HEX_B\", \"prefix-len\": 64}")"
	check_match "$out" "Netlink error: No such file or directory" "deleting a missing entry: ENOENT"
	check_match "$out" "'msg': 'no entry for this prefix'" "deleting a missing entry: the message"

	bad --do dev-get --json '{"dev": {"ifindex": 9999}}'
	check_match "$out" "Netlink error: No such device" "dev-get of a missing device: ENODEV"
	check_match "$out" "'bad-attr': '.dev.ifindex'" "dev-get of a missing device: the attribute named"

	bad --do dev-set --json "{\"dev\": {\"ifindex\": $D0, \"mn-addr\": \"01005e000001\"}}"
	check_match "$out" "'msg': 'mobile node address must be a unicast" "a multicast mobile node: the message"

	bad --do dev-set --json "{\"dev\": {\"ifindex\": $D0, \"ifname\": \"x\"}}"
	check_match "$out" "Netlink error: Invalid argument" "a read-only attribute: EINVAL"
	check_match "$out" "'bad-attr': '.dev.ifname'" "a read-only attribute: the attribute named"

	out=$(ynl --dump entry-get 2>&1)
	check_eq "$(count "$out" '"prefix": ')" 1 "the refused requests changed nothing"
}

test_unprivileged_callers() {
	local nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
	local py=(python3 "$CLI" --spec "$SPEC" --no-schema --output-json)
	require_ynl || return
	check "an entry" ynl --do entry-new --json "$(entry \
		"{\"prefix\": \"$HEX_A\", \"prefix-len\": 64, \"role\": \"serving\", \"peer\": \"$HEX_PEER1\", \"ifindex\": $D0}")"
	check_error "unprivileged entry-del" "Netlink error: Operation not permitted" \
		ip netns exec "$NS" "${nobody[@]}" "${py[@]}" --do entry-del --json "$(entry "{\"prefix\": \"$HEX_A\", \"prefix-len\": 64}")"
	check_error "unprivileged entry-get dump" "Netlink error: Operation not permitted" \
		ip netns exec "$NS" "${nobody[@]}" "${py[@]}" --dump entry-get
	check_error "unprivileged dev-get dump" "Netlink error: Operation not permitted" \
		ip netns exec "$NS" "${nobody[@]}" "${py[@]}" --dump dev-get
	check_error "unprivileged subscription to entries" "PermissionError|Operation not permitted" \
		ip netns exec "$NS" "${nobody[@]}" "${py[@]}" --subscribe entries
	check_match "$(ynl --dump entry-get 2>&1)" '"prefix": "2001:db8:a::"' "the entry is still there"
}

run_tests \
	test_spec_validates_and_lists_the_family \
	test_entry_operations \
	test_dev_operations \
	test_binding_operations \
	test_subscribe_decodes_every_notification \
	test_bad_inputs_show_the_extack \
	test_unprivileged_callers
