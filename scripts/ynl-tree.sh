#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own YNL tooling (tools/net/ynl: cli.py, ynl-gen-c.py), its
# spec schemas (Documentation/netlink/*.yaml), checkpatch (with the two
# files it reads beside it) and kernel-doc, from Debian's linux-source-6.12
# (/usr/src/linux-source-6.12.tar.xz, installed by scripts/deps.sh). Only
# those are extracted, once per source version, into a cache outside the
# work tree, and linked into the build tree as $BUILD/ynl, where
# scripts/check-spec.py, scripts/check-kernel-style.sh and the selftests
# (selftests/dlif_ynl.sh, in the VM, which sees the host's root) find
# them. Idempotent; called by scripts/deps.sh.
#
# usage: scripts/ynl-tree.sh   (prints the directory)
#   DLIF_CACHE        cache directory (default: /var/cache/dlif)
#   DLIF_YNL_TARBALL  the source tarball (default: /usr/src/linux-source-6.12.tar.xz)
#
# Layout: $DLIF_CACHE/ynl/<linux-source-6.12 version>/{tools/net/ynl,Documentation/netlink,scripts}

set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
CACHE=${DLIF_CACHE:-/var/cache/dlif}/ynl
PACKAGE=linux-source-6.12
TARBALL=${DLIF_YNL_TARBALL:-/usr/src/$PACKAGE.tar.xz}

die() { echo "ynl-tree.sh: $*" >&2; exit 1; }

[ -r "$TARBALL" ] || die "$TARBALL missing (package $PACKAGE; run: make deps)"
version=$(dpkg-query -W -f='${Version}' "$PACKAGE" 2>/dev/null) ||
	version=$(stat -c %Y "$TARBALL")
dir=$CACHE/$version

link_into_build() {
	mkdir -p "$BUILD"
	ln -sfn "$dir" "$BUILD/ynl"
	echo "$dir"
}

# What the users above run: an extraction without them failed, and a
# cache extracted before one of them was part of it is extracted again.
NEEDED=(tools/net/ynl/cli.py Documentation/netlink/genetlink.yaml scripts/checkpatch.pl scripts/kernel-doc)

has_needed() {	# DIR
	local f
	for f in "${NEEDED[@]}"; do
		[ -f "$1/$f" ] || return 1
	done
}

complete() { [ -f "$dir/stamp" ] && has_needed "$dir"; }

if complete; then
	link_into_build
	exit 0
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
complete && { link_into_build; exit 0; }

echo "ynl-tree.sh: extracting tools/net/ynl, Documentation/netlink, checkpatch and kernel-doc of $PACKAGE $version into $dir" >&2
tmp=$(mktemp -d "$CACHE/.extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xJf "$TARBALL" -C "$tmp" --strip-components=1 --wildcards \
	'*/tools/net/ynl/*' '*/Documentation/netlink/*' '*/scripts/checkpatch.pl' \
	'*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch' '*/scripts/kernel-doc' ||
	die "could not extract YNL and checkpatch from $TARBALL"
has_needed "$tmp" || die "$TARBALL lacks one of: ${NEEDED[*]}"
touch "$tmp/stamp"
rm -rf "$dir"
mv "$tmp" "$dir"
chmod 755 "$dir"
trap - EXIT
link_into_build
