#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run one command inside a VM booting a Debian kernel under QEMU (software
# emulation is fine), with the freshly built dlif.ko available to modprobe
# and to the kernel's module autoload. Exits with the command's status.
#
# usage: qemu/vm.sh [options] [--] COMMAND...
#   -k, --kernel KVER     kernel series or release (default: 6.1)
#   -m, --module FILE     dlif.ko to provide (default: build/module/<release>/dlif.ko)
#   -t, --timeout SEC     wall-clock limit for the whole VM run (default: 600)
#   -e, --env VAR=VALUE   export VAR into the command's environment (repeatable)
#       --smp N --mem SIZE  VM shape (default: 2 vCPUs, 1G)
#       --append ARGS     more kernel command line (e.g. kmemleak=off)
#       --cache DIR       a host directory the guest may write, kept between
#                         runs (at /mnt/cache; e.g. a compiler cache)
#       --shell           interactive shell in the VM instead of COMMAND
#       --keep            keep the run directory (default: only on failure)
#       --output FILE     copy the command's output (stdout and stderr) to FILE
#       --quiet           do not echo the guest console
#
# The command runs as root with bash, chrooted into the host's root file
# system (read-only; /tmp, /run, /root, /mnt are tmpfs), in the source
# tree (mounted at /mnt/src). The run fails, whatever the command returned,
# when the kernel logs a WARN, BUG, oops, KASAN/UBSAN report, RCU stall,
# lockup or refcount warning while it runs, or when the guest panics or
# hangs; the offending part of the kernel log is printed. A guest that
# dies in its boot, before the command starts, is booted once more.

set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
KVER=6.1
MODULE=
TIMEOUT=600
SMP=2
MEM=1G
SHELL_MODE=0
KEEP=0
OUTPUT=
QUIET=0
ENVS=()
APPEND=
CACHE_DIR=

die() { echo "vm.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case "$1" in
	-k|--kernel)  KVER=$2; shift 2 ;;
	-m|--module)  MODULE=$2; shift 2 ;;
	-t|--timeout) TIMEOUT=$2; shift 2 ;;
	-e|--env)     ENVS+=("$2"); shift 2 ;;
	--smp)        SMP=$2; shift 2 ;;
	--mem)        MEM=$2; shift 2 ;;
	--append)     APPEND+=" $2"; shift 2 ;;
	--cache)      CACHE_DIR=$2; shift 2 ;;
	--shell)      SHELL_MODE=1; shift ;;
	--keep)       KEEP=1; shift ;;
	--output)     OUTPUT=$2; shift 2 ;;
	--quiet)      QUIET=1; shift ;;
	--)           shift; break ;;
	-h|--help)    sed -n '4,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*)           die "unknown option $1" ;;
	*)            break ;;
	esac
done
[ $# -gt 0 ] || [ "$SHELL_MODE" = 1 ] || die "no command given (see --help)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (run: make deps)"

KREL=$("$TOP/qemu/kernels.sh" release "$KVER")
KROOT=$BUILD/kernels/$KREL/root
VMLINUX=$BUILD/kernels/$KREL/vmlinux
[ -f "$BUILD/kernels/$KREL/stamp" ] || die "kernel $KREL not fetched (run: make deps)"
MODULE=${MODULE:-$BUILD/module/$KREL/dlif.ko}
[ -f "$MODULE" ] || die "$MODULE missing (run: make module KVER=$KVER)"
KUNIT_MODULE=$(dirname "$MODULE")/dlif_kunit.ko

VMDIR=$BUILD/vm/$KREL
mkdir -p "$VMDIR"
case "$BUILD" in
"$TOP"/*) BUILD_REL=${BUILD#"$TOP"/} ;;
*) die "BUILD ($BUILD) must be inside the source tree" ;;
esac
# The guest sees the source tree (and so the build tree) at /mnt/src,
# whatever its path on the host: a host path under /tmp would be hidden by
# the guest's own /tmp.
GUEST_MODROOT=/mnt/src/$BUILD_REL/vm/$KREL/modroot

# A module tree for this kernel: hard links to the pristine modules plus
# dlif.ko under updates/. depmod (seconds on 6.12's .ko.xz files) reruns
# only when dlif.ko's dependencies or aliases change; the module file
# itself is copied fresh on every run.
prepare_modroot() {
	local mr=$VMDIR/modroot mdir meta
	mdir=$mr/lib/modules/$KREL
	if [ ! -f "$mr/stamp" ]; then
		rm -rf "$mr"
		mkdir -p "$mdir/updates"
		cp -al "$KROOT/lib/modules/$KREL/kernel" "$mdir/"
		cp "$KROOT/lib/modules/$KREL"/modules.{builtin,builtin.modinfo,order} "$mdir/"
		touch "$mr/stamp"
	fi
	cp "$MODULE" "$mdir/updates/dlif.ko.new"
	mv "$mdir/updates/dlif.ko.new" "$mdir/updates/dlif.ko"
	# The KUnit test module, built beside dlif.ko on kernels with KUnit.
	if [ -f "$KUNIT_MODULE" ]; then
		cp "$KUNIT_MODULE" "$mdir/updates/dlif_kunit.ko"
	else
		rm -f "$mdir/updates/dlif_kunit.ko"
	fi
	meta=$(modinfo "$MODULE" ${KUNIT_MODULE:+$(ls "$KUNIT_MODULE" 2>/dev/null)} |
		grep -E "^(filename|depends|alias|vermagic):" | sed 's|^filename:.*/|filename: |')
	case "$meta" in
	*"$KREL "*) ;;
	*) die "$MODULE was not built for $KREL" ;;
	esac
	if [ ! -f "$mdir/modules.dep" ] || [ "$meta" != "$(cat "$mr/dlif.meta" 2>/dev/null)" ]; then
		depmod -b "$mr" "$KREL"
		echo "$meta" >"$mr/dlif.meta"
	fi
}

# A small busybox initramfs: the virtio/9p modules needed to mount the
# host root, PID 1 (qemu/init.sh) and the autoload helper. Rebuilt when
# init.sh changes.
prepare_initramfs() {
	local out=$VMDIR/initramfs.cpio.gz dir mod f
	if [ -f "$out" ] && [ "$out" -nt "$TOP/qemu/init.sh" ] && [ "$out" -nt "$0" ] &&
	   [ "$(cat "$out.modroot" 2>/dev/null)" = "$GUEST_MODROOT" ]; then
		return
	fi
	command -v busybox >/dev/null || die "busybox missing (run: make deps)"
	dir=$(mktemp -d "$VMDIR/initramfs.XXXXXX")
	mkdir -p "$dir"/{bin,sbin,proc,sys,dev,newroot,modules}
	cp "$(command -v busybox)" "$dir/bin/busybox"
	for f in sh mount insmod mkdir poweroff chroot echo cat sync sleep; do
		ln -s busybox "$dir/bin/$f"
	done
	cp "$TOP/qemu/init.sh" "$dir/init"
	chmod +x "$dir/init"
	cat >"$dir/sbin/dlif-modprobe" <<-EOF
	#!/bin/sh
	exec /bin/chroot /newroot /sbin/modprobe -d $GUEST_MODROOT "\$@"
	EOF
	chmod +x "$dir/sbin/dlif-modprobe"
	: >"$dir/modules/order"
	modprobe -d "$VMDIR/modroot" -S "$KREL" -a --show-depends 9p 9pnet_virtio virtio_pci 2>/dev/null |
		awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++' |
	while read -r mod; do
		f=$(basename "$mod")
		case "$f" in
		*.xz)  xz -dc "$mod" >"$dir/modules/${f%.xz}"; f=${f%.xz} ;;
		*.zst) zstd -dcq "$mod" >"$dir/modules/${f%.zst}"; f=${f%.zst} ;;
		*)     cp "$mod" "$dir/modules/$f" ;;
		esac
		echo "$f" >>"$dir/modules/order"
	done
	[ -s "$dir/modules/order" ] || die "no 9p modules found for $KREL"
	(cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
	mv "$out.tmp" "$out"
	echo "$GUEST_MODROOT" >"$out.modroot"
	rm -rf "$dir"
}

# The kernel log between the test markers, filtered for the reports that
# fail a run.
kernel_splats() {
	sed -n '/dlif-vm: test start/,/dlif-vm: test end/p' "$1" |
		grep -E -A25 "$SPLAT_PATTERN" || true
}
SPLAT_PATTERN='WARNING:|BUG:|BUG |Oops|general protection fault|KASAN|UBSAN|rcu: INFO|rcu_.*stall|detected stall|refcount_t:|soft lockup|hard LOCKUP|blocked for more than|unregister_netdevice: waiting|list_(add|del) corruption|kernel BUG|Kernel panic|kmemleak|use-after-free|double-free'

# Two VMs of one kernel may start at once (run-selftests.sh's queue):
# one prepares the kernel's module tree and initramfs, the other waits.
exec 8>"$VMDIR/.prepare.lock"
flock 8
prepare_modroot
prepare_initramfs
flock -u 8
exec 8>&-

mkdir -p "$BUILD/vm/runs"
RUN=$(mktemp -d "$BUILD/vm/runs/run.XXXXXX")
mkdir -p "$RUN/bin"
cat >"$RUN/bin/modprobe" <<-EOF
#!/bin/sh
exec /sbin/modprobe -d $GUEST_MODROOT "\$@"
EOF
cat >"$RUN/bin/modinfo" <<-EOF
#!/bin/sh
exec /sbin/modinfo -b $GUEST_MODROOT "\$@"
EOF
chmod +x "$RUN/bin/modprobe" "$RUN/bin/modinfo"
{
	echo "export DLIF_KREL=$(printf %q "$KREL")"
	echo "export DLIF_MODULE=$(printf %q "$GUEST_MODROOT/lib/modules/$KREL/updates/dlif.ko")"
	# The loaded module must be this one: its ELF build ID is compared with
	# /sys/module/dlif/notes/.note.gnu.build-id in the guest.
	echo "export DLIF_BUILD_ID=$(readelf -n "$MODULE" | awk '/Build ID:/ { print $3 }')"
	echo "export DLIF_VM_SHELL=$SHELL_MODE"
	echo "export DLIF_BUILD_REL=$(printf %q "$BUILD_REL")"
	for e in "${ENVS[@]+"${ENVS[@]}"}"; do
		echo "export $(printf %q "${e%%=*}")=$(printf %q "${e#*=}")"
	done
} >"$RUN/env"
printf '%q ' "$@" >"$RUN/cmd"
echo >>"$RUN/cmd"

# RCU's stall detector and the soft-lockup detector at 60 s instead of 21
# and 20: under emulation on a busy host a VM's CPU can go unscheduled for
# tens of seconds. RCU then reported its own grace-period thread as starved
# though every CPU and task had passed a quiescent state; later a report
# (its first line cut from CI's output) showed a user process faulting a
# file page in (both on 6.12 with one vCPU, three etcd members and five
# dlifds, in a VM short of memory: see VM_MEM in run-selftests.sh). A real
# stall or lockup lasts, and is still reported.
#
# slab_nomerge: dlif.ko's slab caches stay its own rather than aliases of
# the kernel's caches of the same size, so that destroying them when the
# module unloads reports any object left, a leak (qemu/guest.sh).
EXTRA_APPEND="rcupdate.rcu_cpu_stall_timeout=60 watchdog_thresh=30 slab_nomerge$APPEND"

# The debug kernel's ACPI interpreter (KASAN and lockdep, under emulation)
# runs into its loop timeout evaluating the PCI routing table, 30 s per
# device: route PCI interrupts without ACPI there.
case "$KREL" in
*-dlif-*) EXTRA_APPEND+=" pci=noacpi" ;;
esac

qemu=(qemu-system-x86_64 -accel tcg -cpu max -smp "$SMP" -m "$MEM"
	-nographic -no-reboot -nodefaults
	-kernel "$VMLINUX" -initrd "$VMDIR/initramfs.cpio.gz"
	-append "console=ttyS0 rdinit=/init panic=-1 oops=panic quiet loglevel=4 tsc=reliable no_timer_check $EXTRA_APPEND"
	-fsdev "local,id=root,path=/,readonly=on,security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=root,mount_tag=hostroot
	-fsdev "local,id=src,path=$TOP,readonly=on,security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=src,mount_tag=src
	-fsdev "local,id=share,path=$RUN,security_model=none"
	-device virtio-9p-pci,fsdev=share,mount_tag=share
	-device virtio-rng-pci
	-device isa-debug-exit,iobase=0xf4,iosize=0x04)
if [ -n "$CACHE_DIR" ]; then
	mkdir -p "$CACHE_DIR"
	qemu+=(-fsdev "local,id=cache,path=$CACHE_DIR,security_model=none"
		-device virtio-9p-pci,fsdev=cache,mount_tag=cache)
fi

# A guest that dies before it reaches the test (guest.sh leaves "started"
# first thing) failed in the emulated boot, before dlif.ko can be loaded:
# seen once on 6.12 with two vCPUs under TCG, an oops in the timer code two
# seconds in. It boots once more, and says so; a second failure stands, and
# a hang or anything after the start is the run's result.
boot() {
	set +e
	# SeaBIOS clears the screen before the kernel starts: drop its output.
	timeout --foreground -k 5 "$TIMEOUT" "${qemu[@]}" -serial stdio </dev/null |
		tee "$RUN/console.log" |
		sed -u -e '/SeaBIOS (version/d' -e 's/^Booting from ROM\.\.//' -e 's/\r$//' -e '/^dlif-vm: guest exit status/d' |
		if [ "$QUIET" = 1 ]; then cat >/dev/null; else cat; fi
	status=${PIPESTATUS[0]}
	set -e
}
boot_failed() {
	[ ! -f "$RUN/rc" ] && [ ! -f "$RUN/started" ] && [ "$status" != 124 ] && [ "$status" != 137 ]
}

start=$(date +%s%N)
if [ "$SHELL_MODE" = 1 ]; then
	"${qemu[@]}" -serial mon:stdio || true
else
	boot
	if boot_failed; then
		echo "vm.sh: the guest stopped before the test started (a failed boot); console tail:" >&2
		tail -n 30 "$RUN/console.log" | sed 's/^/  | /' >&2
		echo "vm.sh: booting again" >&2
		mv "$RUN/console.log" "$RUN/console.failed-boot.log"
		boot
	fi
fi
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
if [ -n "$OUTPUT" ]; then
	if [ -f "$RUN/output.log" ]; then cp "$RUN/output.log" "$OUTPUT"; else : >"$OUTPUT"; fi
fi

verdict=0
if [ ! -f "$RUN/rc" ]; then
	if [ "${status:-0}" = 124 ] || [ "${status:-0}" = 137 ]; then
		echo "vm.sh: FAIL: the VM did not finish within ${TIMEOUT}s (guest hang); console tail:" >&2
	else
		echo "vm.sh: FAIL: the guest stopped without a result (kernel panic or crash); console tail:" >&2
	fi
	[ -f "$RUN/console.log" ] && tail -n 60 "$RUN/console.log" | sed 's/^/  | /' >&2
	verdict=3
else
	rc=$(cat "$RUN/rc")
	splats=$(kernel_splats "$RUN/dmesg")
	if [ -n "$splats" ]; then
		# The reports' first lines, then each in full: logs get cut.
		echo "vm.sh: FAIL: the kernel reported a problem during the run:" \
			"$(echo "$splats" | grep -v -e '^--$' -e '^\[ *[0-9.]*\]  ' |
				grep -E -m4 "$SPLAT_PATTERN" | sed 's/^\[ *[0-9.]*\] //' | paste -sd '|')" >&2
		echo "$splats" | sed 's/^/  | /' >&2
		verdict=3
	else
		verdict=$rc
	fi
fi
printf "vm.sh: %s: %d.%03ds, exit status %s\n" "$KREL" $((elapsed / 1000)) $((elapsed % 1000)) "$verdict" >&2
if [ "$KEEP" = 0 ] && [ "$verdict" = 0 ]; then
	rm -rf "$RUN"
else
	echo "vm.sh: run directory kept: $RUN" >&2
fi
exit "$verdict"
