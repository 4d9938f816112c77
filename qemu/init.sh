#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the test VM (busybox sh, inside the initramfs). It mounts the
# host's root file system read-only over virtio-9p, gives it writable
# tmpfs scratch space, and runs qemu/guest.sh chrooted into it. PID 1
# itself stays in the initramfs so that the kernel's module autoload
# helper (/sbin/dlif-modprobe, set below) is found relative to it.

export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

fatal() {
	echo "dlif-vm: init: $*" >/dev/console
	poweroff -f
}

while read -r mod; do
	insmod "/modules/$mod" || fatal "insmod $mod failed"
done </modules/order

opts=trans=virtio,version=9p2000.L,msize=262144,cache=loose
R=/newroot
mount -t 9p -o "$opts,ro" hostroot $R || fatal "cannot mount the host root"
for d in tmp run var/tmp mnt root; do
	mount -t tmpfs -o mode=1777 tmpfs $R/$d || fatal "cannot mount tmpfs on /$d"
done
mkdir -p $R/mnt/share $R/mnt/src
mount -t 9p -o "$opts" share $R/mnt/share || fatal "cannot mount the share"
mount -t 9p -o "$opts,ro" src $R/mnt/src || fatal "cannot mount the source tree"
# A cache kept between runs, when the host gives one (vm.sh --cache).
mkdir -p $R/mnt/cache
mount -t 9p -o "$opts" cache $R/mnt/cache 2>/dev/null
mount -t proc proc $R/proc
mount -t sysfs sysfs $R/sys
mount -t devtmpfs devtmpfs $R/dev
# What udev would add: bash's process substitution needs /dev/fd.
ln -sf /proc/self/fd $R/dev/fd
ln -sf /proc/self/fd/0 $R/dev/stdin
ln -sf /proc/self/fd/1 $R/dev/stdout
ln -sf /proc/self/fd/2 $R/dev/stderr
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts devpts $R/dev/pts
mount -t tmpfs tmpfs $R/dev/shm
mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null
mount -t bpf bpf $R/sys/fs/bpf 2>/dev/null

echo /sbin/dlif-modprobe >/proc/sys/kernel/modprobe

chroot $R /bin/bash /mnt/src/qemu/guest.sh
echo "dlif-vm: guest exit status $?" >/dev/console
sync
poweroff -f
