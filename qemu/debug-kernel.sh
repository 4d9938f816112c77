#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the selftests' debug kernel (KASAN, lockdep, PROVE_RCU, DEBUG_NET,
# DEBUG_OBJECTS_RCU_HEAD, kmemleak, KUnit, fault injection) from Debian's
# own linux-source-6.12, once, into a cache outside the work tree, and
# link it into the build tree where qemu/vm.sh and scripts/build-module.sh
# find the other kernels. Called by `qemu/kernels.sh fetch 6.12-debug`.
#
# What decides the kernel is its configuration (qemu/debug.config and
# selftests/config, hashed into the "config key") and its source version.
# A cached build with the same config key is reused, the newest such if
# there are several, even when the archive has since published a newer
# linux-source-6.12: a point release of the source must not cost every
# `make check` (and CI) a twenty-minute rebuild. A change to either
# fragment builds a new kernel; so does DLIF_DEBUG_KERNEL_REFRESH=1, from
# the archive's current source (use it after changing how this script
# builds).
#
# usage: qemu/debug-kernel.sh APTOPTS_FILE   (prints the kernel release)
#   DLIF_CACHE                  cache directory (default: /var/cache/dlif)
#   DLIF_DEBUG_KERNEL_REFRESH   1: build from the current source if not cached
#
# Layout of one cached kernel, $DLIF_CACHE/kernels/<release>/:
#   obj/        the O= build tree (module builds use it as their headers)
#   root/       lib/modules/<release> (modules_install), usr/src/linux-headers-<release> -> obj
#   vmlinux     the ELF the VM boots (PVH entry)
#   config-key  the configuration's hash
#   build.log   the whole build's output; stamp once complete

set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
CACHE=${DLIF_CACHE:-/var/cache/dlif}/kernels
PACKAGE=linux-source-6.12
APT_OPTS_FILE=${1:?usage: $0 APTOPTS_FILE}

die() { echo "debug-kernel.sh: $*" >&2; exit 1; }

# shellcheck disable=SC2046
apt_opts() { cat "$APT_OPTS_FILE"; }

config_key=$(cat "$TOP/qemu/debug.config" "$TOP/selftests/config" | sha256sum | cut -c1-12)

link_into_build() {
	mkdir -p "$BUILD/kernels"
	ln -sfn "$dir" "$BUILD/kernels/$krel"
	echo "$krel"
}

# The newest complete build of this configuration, if any.
cached_build() {
	local d
	# No cache yet is not an error (pipefail would make it one).
	[ -d "$CACHE" ] || return 0
	for d in "$CACHE"/*/; do
		if [ -f "$d/stamp" ] && [ "$(cat "$d/config-key" 2>/dev/null)" = "$config_key" ]; then
			basename "$d"
		fi
	done | sort -V | tail -1
}

if [ "${DLIF_DEBUG_KERNEL_REFRESH:-0}" != 1 ]; then
	krel=$(cached_build)
	if [ -n "$krel" ]; then
		dir=$CACHE/$krel
		link_into_build
		exit 0
	fi
fi

# The newest linux-source-6.12 in the archive (the private package lists of
# qemu/kernels.sh: bookworm-security carries it).
# shellcheck disable=SC2046
version=$(apt-cache $(apt_opts) policy "$PACKAGE" | awk '/Candidate:/ { print $2 }')
[ -n "$version" ] && [ "$version" != "(none)" ] || die "no $PACKAGE in the archive"
upstream=${version%%-*}
# The release names the source and the configuration, so that modules and
# module trees built for one kernel are never taken for another's.
key=$( { echo "$version"; echo "$config_key"; } | sha256sum | cut -c1-12)
krel=$upstream-dlif-$key
dir=$CACHE/$krel
if [ -f "$dir/stamp" ]; then
	link_into_build
	exit 0
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
[ -f "$dir/stamp" ] && { link_into_build; exit 0; }

rm -rf "$dir"
mkdir -p "$dir/debs" "$dir/root"
log=$dir/build.log
start=$(date +%s)
echo "debug-kernel.sh: building the debug kernel $krel from $PACKAGE $version (cached in $dir; about 20 minutes on 2 cores, once)" >&2

# shellcheck disable=SC2046
(cd "$dir/debs" && apt-get $(apt_opts) -q download "$PACKAGE=$version" >>"$log" 2>&1) ||
	die "apt-get download $PACKAGE=$version failed (see $log)"
dpkg-deb -x "$dir"/debs/*.deb "$dir/pkg"
tarball=$(find "$dir/pkg/usr/src" -maxdepth 1 -name 'linux-source-*.tar.*' | head -1)
[ -n "$tarball" ] || die "no source tarball in $PACKAGE"
mkdir -p "$dir/src"
tar -xaf "$tarball" -C "$dir/src" --strip-components=1
rm -rf "$dir/debs" "$dir/pkg"

src=$dir/src
obj=$dir/obj
kmake() { make -C "$src" O="$obj" -j"$(nproc)" "$@" >>"$log" 2>&1; }

# Configuration: defconfig, the KVM guest fragment, ours, the selftests'
# needs (their modules stay modules, as on the Debian kernels).
kmake x86_64_defconfig || die "defconfig failed (see $log)"
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
	"$src/kernel/configs/kvm_guest.config" "$TOP/qemu/debug.config" \
	"$TOP/selftests/config" >>"$log" 2>&1 || die "merge_config failed (see $log)"
"$src/scripts/config" --file "$obj/.config" --set-str LOCALVERSION "-dlif-$key"
kmake olddefconfig || die "olddefconfig failed (see $log)"

# Every option the fragments ask for must have survived olddefconfig
# (a dependency silently dropping KASAN would make the kernel pointless).
missing=$(cat "$TOP/qemu/debug.config" "$TOP/selftests/config" |
	sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=\(.*\)$/\1=\2/p' |
	while IFS= read -r want; do
		grep -qxF "$want" "$obj/.config" || echo "$want"
	done)
[ -z "$missing" ] || die "options dropped by olddefconfig: $(echo "$missing" | tr '\n' ' ')"

kmake vmlinux modules || die "kernel build failed (see $log)"
kmake INSTALL_MOD_PATH="$dir/root" INSTALL_MOD_STRIP=1 DEPMOD=/sbin/depmod modules_install ||
	die "modules_install failed (see $log)"
built=$(cat "$obj/include/config/kernel.release")
[ "$built" = "$krel" ] || die "built $built, expected $krel"
rm -f "$dir/root/lib/modules/$krel/build" "$dir/root/lib/modules/$krel/source"
mkdir -p "$dir/root/usr/src" "$dir/root/boot"
ln -sfn "$obj" "$dir/root/usr/src/linux-headers-$krel"
ln -sfn "$obj" "$dir/root/lib/modules/$krel/build"
cp "$obj/.config" "$dir/root/boot/config-$krel"
cp "$obj/vmlinux" "$dir/vmlinux"
# The object files are not needed once built: keep what module builds
# read (headers, scripts, Module.symvers, .config).
find "$obj" -name '*.o' ! -path '*/scripts/*' ! -path '*/tools/*' -delete
echo "$(( $(date +%s) - start ))" >"$dir/build-seconds"
echo "$config_key" >"$dir/config-key"
touch "$dir/stamp"
echo "debug-kernel.sh: built $krel in $(( $(date +%s) - start ))s" >&2
link_into_build
