#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's Coccinelle rules (scripts/coccinelle: API misuse, needless
# NULL checks before free and put, iterator and locking mistakes) over
# kmod/, through the kernel's own `make coccicheck MODE=report` in the
# debug kernel's source tree (qemu/debug-kernel.sh). One result: clean,
# or the findings. About 80-110 s of both cores here, so a clean verdict
# is cached outside the work tree, keyed by the contents of Kbuild, kmod/
# and uapi/, the kernel release and spatch's version: make check runs the
# rules again only when one of those changes.
#
# usage: scripts/check-coccinelle.sh
#   Writes "PASSED FAILED SKIPPED" to $BUILD/results/coccinelle.counts.
#   DLIF_CACHE   cache directory (default: /var/cache/dlif)

set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
RESULTS=$BUILD/results
CACHE=${DLIF_CACHE:-/var/cache/dlif}/coccinelle

mkdir -p "$RESULTS"
counts=$RESULTS/coccinelle.counts

if ! command -v spatch >/dev/null; then
	echo "check-coccinelle.sh: spatch missing (run: make deps)" >&2
	echo "0 1 0" >"$counts"
	exit 1
fi
# The rules and the build files that run them come with a whole kernel
# tree: the debug kernel's. A run without it (KVER without 6.12-debug
# and no earlier build) has nothing to judge with, and says so.
krel=$("$TOP/qemu/kernels.sh" release 6.12-debug 2>/dev/null)
kobj=$BUILD/kernels/$krel/obj
ksrc=$BUILD/kernels/$krel/src
if [ -z "$krel" ] || [ ! -f "$ksrc/scripts/coccicheck" ] || [ ! -d "$kobj" ]; then
	echo "check-coccinelle.sh: skipped: no debug kernel tree (make module KVER=6.12-debug builds it)"
	echo "0 0 1" >"$counts"
	exit 0
fi

cd "$TOP" || exit 1
mapfile -t files < <(printf '%s\n' Kbuild kmod/* uapi/linux/*.h | sort)
key=$( (printf '%s\n' "$krel" "${files[@]}"; cat "${files[@]}"; spatch --version 2>&1) |
	sha256sum | cut -c1-16)
verdict=$CACHE/$key
if [ -f "$verdict" ]; then
	echo "coccinelle: clean (the verdict of $(date -r "$verdict" +%F) for these sources)"
	echo "1 0 0" >"$counts"
	exit 0
fi

# coccicheck walks M= itself; a copy, as the build tree's symlink farm
# would be walked through its links.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r Kbuild kmod uapi "$tmp/"
log=$tmp/coccicheck.log
make -C "$kobj" coccicheck MODE=report M="$tmp" J="$(nproc)" >"$log" 2>&1
rc=$?
# Reports name a file of M= and a line: "FILE:LINE:COL-COL: MESSAGE".
mapfile -t findings < <(grep -E "^$tmp/[^:]+:[0-9]+:" "$log" | sed "s|^$tmp/||")
if [ "$rc" -ne 0 ]; then
	tail -20 "$log" >&2
	echo "coccinelle: make coccicheck failed (exit status $rc)"
	echo "0 1 0" >"$counts"
	exit 1
fi
if [ ${#findings[@]} -gt 0 ]; then
	printf '%s\n' "${findings[@]}"
	echo "coccinelle: ${#findings[@]} findings"
	echo "0 1 0" >"$counts"
	exit 1
fi
mkdir -p "$CACHE"
date -u +%FT%TZ >"$verdict"
echo "coccinelle: clean"
echo "1 0 0" >"$counts"
