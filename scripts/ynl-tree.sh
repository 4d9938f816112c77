#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own YNL tooling (tools/net/ynl: cli.py, ynl-gen-c.py) and
# its spec schemas (Documentation/netlink/*.yaml), from Debian's
# linux-source-6.12 (/usr/src/linux-source-6.12.tar.xz, installed by
# scripts/deps.sh). Only those two directories are extracted, once per
# source version, into a cache outside the work tree, and linked into the
# build tree as $BUILD/ynl, where scripts/check-spec.py and the selftests
# (selftests/dlif_ynl.sh, in the VM, which sees the host's root) find it.
# Idempotent; called by scripts/deps.sh.
#
# usage: scripts/ynl-tree.sh   (prints the directory)
#   DLIF_CACHE        cache directory (default: /var/cache/dlif)
#   DLIF_YNL_TARBALL  the source tarball (default: /usr/src/linux-source-6.12.tar.xz)
#
# Layout: $DLIF_CACHE/ynl/<linux-source-6.12 version>/{tools/net/ynl,Documentation/netlink}

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

if [ -f "$dir/stamp" ]; then
	link_into_build
	exit 0
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
[ -f "$dir/stamp" ] && { link_into_build; exit 0; }

echo "ynl-tree.sh: extracting tools/net/ynl and Documentation/netlink of $PACKAGE $version into $dir" >&2
tmp=$(mktemp -d "$CACHE/.extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xJf "$TARBALL" -C "$tmp" --strip-components=1 --wildcards \
	'*/tools/net/ynl/*' '*/Documentation/netlink/*' ||
	die "could not extract YNL from $TARBALL"
if [ ! -f "$tmp/tools/net/ynl/cli.py" ] || [ ! -f "$tmp/Documentation/netlink/genetlink.yaml" ]; then
	die "$TARBALL has no tools/net/ynl/cli.py or Documentation/netlink/genetlink.yaml"
fi
touch "$tmp/stamp"
rm -rf "$dir"
mv "$tmp" "$dir"
chmod 755 "$dir"
trap - EXIT
link_into_build
