#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job of `make demo`, run inside the test VM: load the freshly
# built dlif.ko, create a DLIF on a veth for a mobile node, show it, bind
# a tunnel entry to it, and unload. (The roaming scenario with the dlifd
# daemon replaces this once the daemon exists.)

set -e
cd "$(dirname "$0")/.."
DLIFCTL=${DLIFCTL:-build/userspace/userspace/cli/dlifctl}

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; eval "$2"; }

echo "dlif demo on Linux $(uname -r)"
build_ids() {
	echo "loaded module build ID: $(od -An -v -tx1 -j16 /sys/module/dlif/notes/.note.gnu.build-id | tr -d ' \n')"
	echo "this build's build ID:  ${DLIF_BUILD_ID:-?}"
}

step "load the freshly built module" "modprobe dlif && build_ids"
step "an access link (veth0) for a mobile node" \
	"ip link add veth0 type veth peer name mn0 && ip link set veth0 up && ip link set mn0 up"
step "a DLIF: MAAR1's logical router towards the node with MAC 02:00:00:00:00:01" \
	"ip link add link veth0 name mn1mar1 address 02:11:22:33:01:01 broadcast 02:00:00:00:00:01 type dlif && ip link set mn1mar1 up"
step "ip -d link show: kind dlif, the node's MAC as the point-to-point peer" "ip -d link show mn1mar1"
step "the DLIF as the generic netlink family sees it" \
	"$DLIFCTL dev set mn1mar1 maar 2001:db8:ff::1 && $DLIFCTL dev show"
step "a serving-role tunnel entry: prefix A anchored at MAAR1, reverse-tunnelled" \
	"$DLIFCTL route add 2001:db8:a::/64 role serving peer 2001:db8:ff::1 dev mn1mar1 && $DLIFCTL -s route show"
step "delete the DLIF (its entry goes with it)" "ip link del mn1mar1 && $DLIFCTL route show | wc -l"
step "unload" "ip link del veth0 && modprobe -r dlif && ! test -d /sys/module/dlif && echo unloaded"
