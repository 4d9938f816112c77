#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch a supported Debian kernel (image, modules and headers) into the
# build tree without installing it: `apt-get download` + `dpkg-deb -x`.
# This skips the initramfs generation of a real install (minutes under
# emulation) and leaves the system's packages and apt sources untouched:
# apt runs against a private sources list and a private state directory.
#
#   qemu/kernels.sh fetch KVER     fetch (cached) and print the kernel release
#   qemu/kernels.sh release KVER   print the release of a fetched kernel
#   qemu/kernels.sh root KVER      print the directory the packages unpack to
#   qemu/kernels.sh list           print the supported KVER names
#
# KVER is a supported series ("6.1" = Debian 12, "6.12" = bookworm-backports,
# "6.12-debug" = the debug kernel built from Debian's linux-source-6.12 by
# qemu/debug-kernel.sh) or a full release string such as 6.1.0-56-amd64.

set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
CACHE=$BUILD/kernels
APTDIR=$CACHE/apt
SUPPORTED="6.1 6.12 6.12-debug"

die() { echo "kernels.sh: $*" >&2; exit 1; }

apt_opts() {
	echo "-o Dir::Etc::sourcelist=$APTDIR/sources.list" \
	     "-o Dir::Etc::sourceparts=/nonexistent" \
	     "-o Dir::State::Lists=$APTDIR/lists" \
	     "-o Dir::State::status=$APTDIR/status" \
	     "-o Dir::Cache=$APTDIR/cache" \
	     "-o Debug::NoLocking=1" \
	     "-o APT::Sandbox::User=root"
}

# Refresh the private package lists at most once a day.
apt_update() {
	local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	[ -r "$keyring" ] || die "missing $keyring (package debian-archive-keyring)"
	mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial"
	touch "$APTDIR/status"
	cat >"$APTDIR/sources.list.new" <<-EOF
	deb [signed-by=$keyring] http://deb.debian.org/debian bookworm main
	deb [signed-by=$keyring] http://deb.debian.org/debian-security bookworm-security main
	deb [signed-by=$keyring] http://deb.debian.org/debian bookworm-backports main
	EOF
	if cmp -s "$APTDIR/sources.list.new" "$APTDIR/sources.list" &&
	   [ -n "$(find "$APTDIR/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 | head -1)" ]; then
		rm -f "$APTDIR/sources.list.new"
		return
	fi
	mv "$APTDIR/sources.list.new" "$APTDIR/sources.list"
	# shellcheck disable=SC2046
	apt-get $(apt_opts) -q update >"$APTDIR/update.log" 2>&1 ||
		{ cat "$APTDIR/update.log" >&2; die "apt-get update failed"; }
}

# The kernel release a series resolves to, from the amd64 metapackage of
# the suite that carries it.
resolve_release() {
	local kver=$1 suite version dep
	case "$kver" in
	6.1)  suite=bookworm-security ;;
	6.12) suite=bookworm-backports ;;
	*-amd64) echo "$kver"; return ;;
	*) die "unsupported kernel '$kver' (supported: $SUPPORTED)" ;;
	esac
	# shellcheck disable=SC2046
	version=$(apt-cache $(apt_opts) madison linux-image-amd64 |
		  awk -v s="$suite/main" 'index($0, s) { print $3; exit }')
	[ -n "$version" ] || die "no linux-image-amd64 in $suite"
	# shellcheck disable=SC2046
	dep=$(apt-cache $(apt_opts) show "linux-image-amd64=$version" |
	      sed -n 's/^Depends: linux-image-\([^ ,]*\).*/\1/p' | head -1)
	[ -n "$dep" ] || die "cannot resolve linux-image-amd64=$version"
	echo "$dep"
}

# Packages that make up a kernel release: the image (with modules), the
# arch headers, the common headers and the kbuild tools they point to.
packages_for() {
	local krel=$1 hdr
	hdr=linux-headers-$krel
	echo "linux-image-$krel" "$hdr"
	# shellcheck disable=SC2046
	apt-cache $(apt_opts) show "$hdr" | sed -n 's/^Depends: //p' | head -1 |
		tr ',' '\n' | sed 's/^ *//; s/ .*//' |
		grep -E '^linux-(headers-.*-common|kbuild-)' || true
}

# The headers packages refer to each other and to kbuild by absolute
# /usr/src and /usr/lib paths; point them into the private root instead.
fixup_headers() {
	local krel=$1 root=$2 hdr link target
	hdr=$root/usr/src/linux-headers-$krel
	[ -d "$hdr" ] || die "headers for $krel missing after unpack"
	# Relative paths, so that the headers work wherever the tree is seen
	# from: a clone anywhere on the host, and /mnt/src in the guest,
	# where DKMS builds against them. (make -C reads the headers'
	# Makefile with its directory as the working directory.)
	grep -rlZ --include=Makefile '/usr/src/' "$hdr" |
		xargs -0 -r sed -i "s|/usr/src/|../|g"
	find "$root/usr/src" -type l | while read -r link; do
		target=$(readlink "$link")
		case "$target" in
		/*) ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$root$target")" "$link" ;;
		esac
	done
	ln -sfnr "$hdr" "$root/lib/modules/$krel/build"
}

# Boot the ELF inside the bzImage directly (PVH entry): the compressed
# payload (XZ on 6.1, zstd on 6.12) is unpacked once here instead of by
# the decompressor on every boot.
extract_vmlinux() {
	local vmlinuz=$1 out=$2 spec pattern tool off
	for spec in '\xfd\x37\x7a\x58\x5a\x00:xz' '\x28\xb5\x2f\xfd:zstd'; do
		pattern=${spec%:*}
		tool=${spec#*:}
		for off in $(LC_ALL=C grep -obUaP "$pattern" "$vmlinuz" | cut -d: -f1 | head -3); do
			tail -c+$((off + 1)) "$vmlinuz" | $tool -dcq >"$out.tmp" 2>/dev/null || true
			if [ "$(head -c4 "$out.tmp" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; then
				mv "$out.tmp" "$out"
				return
			fi
		done
	done
	rm -f "$out.tmp"
	die "could not extract vmlinux from $vmlinuz"
}

# The debug kernel is built, not downloaded; its cache lives outside the
# work tree and is keyed by what it is built from, so it is asked every
# time (a no-op when that build exists).
fetch_debug() {
	local krel
	apt_update
	apt_opts >"$APTDIR/opts"
	krel=$("$TOP/qemu/debug-kernel.sh" "$APTDIR/opts") || die "the debug kernel build failed"
	echo "$krel" >"$CACHE/6.12-debug.release"
	echo "$krel"
}

fetch() {
	local kver=$1 krel root debs p
	if [ "$kver" = 6.12-debug ]; then
		fetch_debug
		return
	fi
	if [ -f "$CACHE/$kver.release" ] && [ -f "$CACHE/$(cat "$CACHE/$kver.release")/stamp" ]; then
		cat "$CACHE/$kver.release"
		return
	fi
	apt_update
	krel=$(resolve_release "$kver")
	root=$CACHE/$krel/root
	if [ ! -f "$CACHE/$krel/stamp" ]; then
		debs=$CACHE/$krel/debs
		rm -rf "$CACHE/$krel"
		mkdir -p "$debs" "$root"
		echo "kernels.sh: fetching Debian kernel $krel" >&2
		# shellcheck disable=SC2046
		(cd "$debs" && apt-get $(apt_opts) -q download $(packages_for "$krel") >&2) ||
			die "apt-get download failed for $krel"
		for p in "$debs"/*.deb; do
			dpkg-deb -x "$p" "$root"
		done
		rm -rf "$debs"
		fixup_headers "$krel" "$root"
		extract_vmlinux "$root/boot/vmlinuz-$krel" "$CACHE/$krel/vmlinux"
		touch "$CACHE/$krel/stamp"
	fi
	echo "$krel" >"$CACHE/$kver.release"
	echo "$krel"
}

release() {
	local kver=$1
	case "$kver" in
	*-amd64|*-dlif-*) echo "$kver" ;;
	*) [ -f "$CACHE/$kver.release" ] || die "kernel $kver not fetched (run: make deps)"
	   cat "$CACHE/$kver.release" ;;
	esac
}

case "${1:-}" in
fetch)   [ $# -eq 2 ] || die "usage: $0 fetch KVER"; fetch "$2" ;;
release) [ $# -eq 2 ] || die "usage: $0 release KVER"; release "$2" ;;
root)    [ $# -eq 2 ] || die "usage: $0 root KVER"; echo "$CACHE/$(release "$2")/root" ;;
list)    echo "$SUPPORTED" ;;
*)       die "usage: $0 fetch|release|root KVER | list" ;;
esac
