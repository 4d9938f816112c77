#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages (make deb: dlif-dkms, dlifd, dlif-wireshark) as an
# administrator uses them: installed with dpkg into an overlay of the VM's
# root, DKMS builds dlif.ko for the running kernel from the installed
# source, the kernel's on-demand load (modprobe rtnl-link-dlif, what
# "ip link add ... type dlif" runs) finds that module, and a roaming
# scenario (dlifd_roaming.sh's relay case) runs with the installed
# dlifd, dlifctl and Wireshark dissector only. Purging removes the module
# from the kernel's tree.

source "$(dirname "$0")/lib.sh"

DEBS=${DLIF_DEBS:-$DLIF_BUILD/deb}
# The overlay: the VM's root (the host's, read-only) below, a tmpfs above.
OVL=/tmp/pkgroot
ROOT=$OVL/root
KREL=$(uname -r)
KREL_RE=$(printf '%s' "$KREL" | sed 's/[].+*?^$()[{}|\\]/\\&/g')	# as an ERE

# When the VM has a directory that outlives the run (qemu/run-selftests.sh,
# CACHE_TESTS), DKMS's build compiles through ccache there: Kbuild runs
# the compiler by name, and /usr/lib/ccache comes first in the PATH. Under
# emulation compiling the module takes minutes; what the cache cannot
# answer (a changed source file or kernel) is compiled as before, and the
# rest of the build (modpost, linking, BTF) runs every time.
ROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CCACHE_ENV=()
if mountpoint -q /mnt/cache && [ -x /usr/bin/ccache ]; then
	CCACHE_ENV=(PATH=/usr/lib/ccache:$ROOT_PATH
		CCACHE_DIR=/mnt/cache/ccache-$KREL CCACHE_MAXSIZE=200M)
fi

in_root() {
	chroot "$ROOT" /usr/bin/env -i PATH=$ROOT_PATH \
		HOME=/root LC_ALL=C.UTF-8 TMPDIR=/tmp DEBIAN_FRONTEND=noninteractive \
		"${CCACHE_ENV[@]+"${CCACHE_ENV[@]}"}" "$@"
}

# Where the VM runner put this kernel's modules (qemu/vm.sh: modprobe -d).
host_modroot() {
	sed -n 's/^exec .* -d \([^ ]*\) .*/\1/p' "$(command -v modprobe)"
}

# The overlay root, once for the whole file: the kernel's own modules and
# headers where DKMS and modprobe look (/lib/modules/$KREL), none of
# this run's freshly built dlif.ko.
pkgroot_up() {
	local modroot headers
	mountpoint -q "$ROOT" && return 0
	modroot=$(host_modroot)
	[ -d "$modroot/lib/modules/$KREL/kernel" ] || { fail "no module tree for $KREL ($modroot)"; return 1; }
	headers=$DLIF_BUILD/kernels/$KREL/root/usr/src/linux-headers-$KREL
	[ -d "$headers" ] || { fail "no headers for $KREL at $headers"; return 1; }
	mkdir -p "$OVL/upper" "$OVL/work" "$ROOT"
	mount -t overlay overlay -o "lowerdir=/,upperdir=$OVL/upper,workdir=$OVL/work" "$ROOT" ||
		{ fail "overlay over the root"; return 1; }
	mkdir -p "$ROOT$DLIF_SRC" "$ROOT/lib/modules/$KREL/kernel"
	{ mount -t proc proc "$ROOT/proc" &&
	  mount -t sysfs sysfs "$ROOT/sys" &&
	  mount --rbind /dev "$ROOT/dev" &&
	  mount -t tmpfs -o mode=1777 tmpfs "$ROOT/tmp" &&
	  mount -t tmpfs tmpfs "$ROOT/run" &&
	  mount --bind "$DLIF_SRC" "$ROOT$DLIF_SRC" &&
	  { [ ${#CCACHE_ENV[@]} -eq 0 ] || { mkdir -p "$ROOT/mnt/cache" && mount --bind /mnt/cache "$ROOT/mnt/cache"; }; } &&
	  mount --bind "$modroot/lib/modules/$KREL/kernel" "$ROOT/lib/modules/$KREL/kernel"; } ||
		{ fail "the overlay root's mounts"; return 1; }
	cp "$modroot/lib/modules/$KREL"/modules.{builtin,builtin.modinfo,order} "$ROOT/lib/modules/$KREL/"
	ln -s "$headers" "$ROOT/lib/modules/$KREL/build"
	# man-db's trigger would index every manual page of the host's root,
	# minutes under emulation; the pages' presence is checked instead.
	rm -f "$ROOT/var/lib/man-db/auto-update"
}

pkgroot_down() {
	mountpoint -q "$ROOT" || return 0
	umount -R "$ROOT" 2>/dev/null || umount -lR "$ROOT"
	rm -rf "$OVL"
}

# The module DKMS installed for this kernel (maybe compressed).
dkms_module() {
	find "$ROOT/lib/modules/$KREL/updates/dkms" -name 'dlif.ko*' 2>/dev/null | head -1
}

module_file_build_id() {	# FILE
	local ko=$1 tmp
	tmp=$(mktemp)
	case $ko in
	*.xz) xz -dc "$ko" >"$tmp" ;;
	*.zst) zstd -qdc "$ko" >"$tmp" ;;
	*) cp "$ko" "$tmp" ;;
	esac
	readelf -n "$tmp" | sed -n 's/.*Build ID: //p'
	rm -f "$tmp"
}

test_packages_install_and_dkms_builds_the_module() {
	local debs=() out ko id status log
	require_cmd dpkg dkms readelf || return
	for p in dlif-dkms dlifd dlif-wireshark; do
		debs+=("$(ls "$DEBS/${p}"_*.deb 2>/dev/null | head -1)")
		[ -f "${debs[-1]}" ] || { fail "no $p package in $DEBS (make deb)"; return 1; }
	done
	modprobe -r dlif 2>/dev/null
	pkgroot_up || return 1

	[ ${#CCACHE_ENV[@]} -eq 0 ] || in_root ccache --zero-stats >/dev/null
	out=$(in_root dpkg -i "${debs[@]}" 2>&1)
	status=$?
	# What the cache answered, for the record (a miss is no failure).
	[ ${#CCACHE_ENV[@]} -eq 0 ] ||
		ktap_diag "DKMS's compiles through ccache: $(in_root ccache --print-stats |
			awk '$1 ~ /^(direct|preprocessed)_cache_hit$/ { hit += $2 } $1 == "cache_miss" { miss = $2 }
			     END { printf "%d answered from the cache, %d compiled", hit, miss }')"
	check_eq "$status" 0 "dpkg -i dlif-dkms dlifd dlif-wireshark"
	if [ "$status" != 0 ]; then
		echo "$out" | tail -30 | sed 's/^/#   /'
		# DKMS's own log of a failed build says why.
		for log in "$ROOT"/var/lib/dkms/dlif/*/build/make.log; do
			[ -f "$log" ] || continue
			ktap_diag "${log#"$ROOT"}:"
			tail -40 "$log" | sed 's/^/#   /'
		done
		return 1
	fi
	# (dkms status runs readelf on the kernel's modules, which warns about
	# their missing .comment sections on stderr.)
	check_match "$(in_root dkms status dlif 2>/dev/null)" "^dlif/[^,]+, $KREL_RE, [^:]+: installed" \
		"DKMS built and installed dlif for $KREL"
	ko=$(dkms_module)
	[ -n "$ko" ] || { fail "no dlif.ko under /lib/modules/$KREL/updates/dkms"; return 1; }
	check_match "$(in_root modinfo -F vermagic "${ko#"$ROOT"}")" "^$KREL_RE " "the module is built for $KREL"

	# What the kernel runs on "ip link add ... type dlif" and on the first
	# request to the family: the aliases resolve to DKMS's module.
	check_match "$(in_root modprobe --show-depends rtnl-link-dlif)" "updates/dkms/dlif\.ko" \
		"rtnl-link-dlif resolves to DKMS's module"
	check_match "$(in_root modprobe --show-depends net-pf-16-proto-16-family-dlif)" "updates/dkms/dlif\.ko" \
		"the genetlink family alias resolves to DKMS's module"
	in_root modprobe rtnl-link-dlif || { fail "modprobe rtnl-link-dlif"; return 1; }
	id=$(module_file_build_id "$ko")
	check_eq "$(dlif_loaded_build_id)" "$id" "the loaded dlif is the module DKMS built"

	check_eq "$(in_root getent passwd dlifd | cut -d: -f1)" dlifd "systemd-sysusers made the dlifd user"
	for f in /usr/sbin/dlifd /usr/sbin/dlifctl /lib/systemd/system/dlifd.service \
		/usr/share/man/man8/dlifd.8.gz /usr/share/man/man8/dlifctl.8.gz \
		/usr/share/man/man5/dlifd.toml.5.gz /usr/share/bash-completion/completions/dlifctl \
		/usr/share/doc/dlifd/examples/maar.toml \
		"/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)/wireshark/plugins/dlif-rfc8885.lua"; do
		[ -e "$ROOT$f" ] || fail "installed: $f"
	done
	check_match "$(in_root systemctl is-enabled dlifd.service 2>&1)" "disabled" \
		"dlifd.service is installed, not enabled before it has a configuration"
	check_match "$(in_root tshark -G protocols 2>/dev/null | cut -f3)" "^rfc8885$" \
		"tshark loads the installed dissector"
}

test_installed_dlifd_roams() {
	local out status
	mountpoint -q "$ROOT" && [ -n "$(dkms_module)" ] || { fail "the packages are not installed"; return 1; }
	# dlifd_roaming.sh's relay case in the overlay, with the installed
	# programs and dissector (LUA_PLUGIN empty: tshark's own plugin
	# directory) and the module DKMS built.
	out=$(in_root env DLIF_SRC="$DLIF_SRC" DLIF_BUILD="$DLIF_BUILD" \
		DLIFD=/usr/sbin/dlifd DLIFCTL=/usr/sbin/dlifctl LUA_PLUGIN= \
		DLIF_BUILD_ID="$(module_file_build_id "$(dkms_module)")" DLIF_CASES=relay \
		bash "$DLIF_SRC/selftests/dlifd_roaming.sh" 2>&1)
	status=$?
	echo "$out" | sed 's/^/#   /'
	check_eq "$status" 0 "dlifd_roaming.sh relay with the installed files"
	check_match "$out" "^ok 1 relay" "the relay roam passed"
}

test_purge_removes_the_module() {
	local out
	mountpoint -q "$ROOT" || { fail "the packages are not installed"; return 1; }
	modprobe -r dlif 2>/dev/null
	out=$(in_root dpkg --purge dlif-wireshark dlifd dlif-dkms 2>&1) ||
		{ echo "$out" | tail -20 | sed 's/^/#   /'; fail "dpkg --purge"; }
	check_eq "$(dkms_module)" "" "purging dlif-dkms removed the module from $KREL's tree"
	check_eq "$(in_root modprobe --show-depends rtnl-link-dlif 2>/dev/null)" "" \
		"nothing answers rtnl-link-dlif any more"
	in_root dpkg -s dlifd >/dev/null 2>&1 && fail "dlifd is still installed after the purge"
	pkgroot_down
}

run_tests test_packages_install_and_dkms_builds_the_module test_installed_dlifd_roams \
	test_purge_removes_the_module
