#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the Debian packages (debian/: dlif-dkms, dlifd, dlif-wireshark)
# with dpkg-buildpackage from a copy of the tree, and judge them with
# lintian: every tag, info included, fails the build unless
# debian/<package>.lintian-overrides says why it does not apply.
#
# A build takes minutes (the daemon compiled with Debian's hardening
# flags), so the packages are cached outside the work tree, keyed by the
# content of every file of the tree that goes into them: a fresh clone of
# a tree already packaged here reuses them.
#
# usage: scripts/build-deb.sh   (prints the directory holding the .debs)
#   DLIF_CACHE   cache directory (default: /var/cache/dlif)

set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
CACHE=${DLIF_CACHE:-/var/cache/dlif}
OUT=$BUILD/deb

die() { echo "build-deb.sh: $*" >&2; exit 1; }

cd "$TOP"
# What the packages are made of: the tree without the tests' own files.
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- \
	Kbuild kmod uapi CMakeLists.txt userspace Documentation contrib debian |
	grep -v -e '^userspace/tests/' -e '^userspace/fuzz/' -e '^userspace/bench/' | sort -u)
[ ${#files[@]} -gt 0 ] || die "no sources found (not a git checkout?)"
key=$( (printf '%s\n' "${files[@]}"; cat "${files[@]}"; dpkg-query -W debhelper dh-dkms cmake g++ 2>/dev/null) |
	sha256sum | cut -c1-16)
version=$(dpkg-parsechangelog -l debian/changelog -SVersion)
cached=$CACHE/deb/$version-$key

if [ ! -f "$cached/stamp" ]; then
	mkdir -p "$CACHE/deb"
	exec 9>"$CACHE/deb/.lock"
	flock 9
fi
if [ ! -f "$cached/stamp" ]; then
	work=$(mktemp -d "$CACHE/deb/.build.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	src=$work/dlif-$version
	mkdir -p "$src"
	# userspace/CMakeLists.txt skips the test directories in a package
	# build, so the copy leaves them out.
	cp --parents -a "${files[@]}" "$src/"
	echo "build-deb.sh: building dlif $version (key $key) in $work" >&2
	log=$work/build.log
	if ! (cd "$src" && DLIF_CCACHE_DIR=$CACHE/ccache DEB_BUILD_OPTIONS="parallel=$(nproc) nocheck" \
		dpkg-buildpackage -b -us -uc) >"$log" 2>&1; then
		tail -40 "$log" >&2
		die "dpkg-buildpackage failed (log above)"
	fi
	# lintian judges the packages; a tag it emits fails the build unless
	# an override in debian/ says why it does not apply.
	if ! lintian --display-info --fail-on error,warning,info --tag-display-limit 0 \
		"$work"/dlif_"$version"_*.changes >"$work/lintian.log" 2>&1; then
		cat "$work/lintian.log" >&2
		die "lintian found problems (above)"
	fi
	mkdir -p "$work/out"
	cp "$work"/*.deb "$log" "$work/lintian.log" "$work/out/"
	touch "$work/out/stamp"
	rm -rf "$cached"
	mv "$work/out" "$cached"
fi
mkdir -p "$OUT"
rm -f "$OUT"/*.deb
cp "$cached"/*.deb "$OUT/"
cp "$cached/lintian.log" "$OUT/"
echo "$OUT"
