#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM, chrooted into the host's root file system (see
# qemu/init.sh). /mnt/share is this run's writable exchange directory with
# the host, /mnt/src the source tree (read-only). It runs the command the
# host put in /mnt/share/cmd and leaves its exit status in /mnt/share/rc,
# its output in /mnt/share/output.log and the kernel log in
# /mnt/share/dmesg. The host (qemu/vm.sh) judges the kernel log.

SHARE=/mnt/share
# The boot got this far: a guest that stops from now on is the run's
# result (vm.sh boots once more only when this is missing).
: >"$SHARE/started"
# shellcheck source=/dev/null
. "$SHARE/env"

export HOME=/root TMPDIR=/tmp LC_ALL=C.UTF-8 TERM=${TERM:-dumb}
# modprobe/modinfo wrappers that look in this run's module tree, ahead of
# the host's tools (the host has no /lib/modules of its own).
export PATH=$SHARE/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export DLIF_SRC=/mnt/src DLIF_BUILD=/mnt/src/${DLIF_BUILD_REL:-build}

hostname dlif-vm
ip link set lo up
sysctl -qw kernel.panic_on_oops=1 kernel.printk_ratelimit=0 kernel.dmesg_restrict=0
# The tests' namespaces start with IPv6 DAD off, inherited from this one
# (selftests/lib.sh setup_ns): one process less per namespace.
sysctl -qw net.core.devconf_inherit_init_net=1 net.ipv6.conf.all.accept_dad=0 \
	net.ipv6.conf.default.accept_dad=0
# Everything the kernel logs after this marker is judged by the host.
echo "dlif-vm: test start" >/dev/kmsg
# On a kernel with kmemleak (the debug kernel), what boot left behind is
# not this run's; what the run leaves is reported at its end. Its own
# scans (a minute after boot, then every ten) are off: each walks all of
# memory, slow under emulation, in the middle of a test, and the two at
# the end find the same leaks.
KMEMLEAK=/sys/kernel/debug/kmemleak
[ -w "$KMEMLEAK" ] && echo clear >"$KMEMLEAK" && echo scan=off >"$KMEMLEAK"

cd "$DLIF_SRC" || exit 1
if [ "${DLIF_VM_SHELL:-0}" = 1 ]; then
	echo "dlif-vm: shell on $(uname -r); dlif.ko: $DLIF_MODULE; exit or Ctrl-D powers off"
	setsid --ctty --wait bash -i </dev/ttyS0 >/dev/ttyS0 2>&1
	rc=$?
else
	set -o pipefail
	bash "$SHARE/cmd" 2>&1 | tee "$SHARE/output.log" >/dev/console
	rc=$?
fi
# Unloading dlif.ko destroys its slab caches, and the slab allocator
# reports in the kernel log, which the host judges, any of the module's
# objects still allocated: the leak check of every run on every kernel.
if [ -d /sys/module/dlif ]; then
	modprobe -r dlif_kunit 2>/dev/null
	modprobe -r dlif 2>/dev/null ||
		echo "dlif-vm: dlif.ko is in use at the end of the run: its caches were not checked for leaks" >/dev/kmsg
fi
if [ -w "$KMEMLEAK" ]; then
	# Two scans: an object is reported once it was unreferenced in both.
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	cat "$KMEMLEAK" >"$SHARE/kmemleak"
	if [ -s "$SHARE/kmemleak" ]; then
		echo "dlif-vm: kmemleak: suspected leaks after the run:" >/dev/kmsg
		head -60 "$SHARE/kmemleak" | while IFS= read -r line; do
			echo "dlif-vm: kmemleak: $line" >/dev/kmsg
		done
	fi
fi
echo "dlif-vm: test end" >/dev/kmsg
dmesg >"$SHARE/dmesg"
echo "$rc" >"$SHARE/rc"
sync
exit "$rc"
