#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build dlif.ko for one kernel (series or release) with W=1 and sparse
# (C=1: endianness, address spaces such as __rcu and __user, locking
# annotations) and fail on any compiler, sparse or modpost warning. Each
# kernel gets its own object tree (build/module/<release>/, a symlink farm
# of the sources) so that builds for different kernels never share
# objects.
#
# usage: scripts/build-module.sh KVER

set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
KVER=${1:?usage: $0 KVER}

KREL=$("$TOP/qemu/kernels.sh" release "$KVER")
KDIR=$BUILD/kernels/$KREL/root/usr/src/linux-headers-$KREL
[ -d "$KDIR" ] || { echo "build-module.sh: no headers for $KREL (run: make deps)" >&2; exit 1; }

OUT=$BUILD/module/$KREL
mkdir -p "$OUT/kmod"
# Refresh the farm: new sources appear, removed ones disappear.
find "$OUT/kmod" -maxdepth 1 -type l -delete
ln -sfn "$TOP/Kbuild" "$OUT/Kbuild"
ln -sfn "$TOP/uapi" "$OUT/uapi"
for f in "$TOP"/kmod/*.[ch] "$TOP/kmod/Kbuild"; do
	ln -sfn "$f" "$OUT/kmod/$(basename "$f")"
done

log=$OUT/build.log
command -v sparse >/dev/null || { echo "build-module.sh: sparse missing (run: make deps)" >&2; exit 1; }
if ! make -C "$KDIR" M="$OUT" W=1 C=1 -j"$(nproc)" modules >"$log" 2>&1; then
	cat "$log" >&2
	echo "build-module.sh: build for $KREL failed" >&2
	exit 1
fi
# Sparse's errors do not fail the build: they count as warnings here. The
# objects go, or the next build would find them current and neither
# compile nor check them again.
if grep -E 'warning:|WARNING:|error:' "$log" >&2; then
	find "$OUT/kmod" -name '*.o' -delete
	echo "build-module.sh: the build for $KREL has warnings (W=1 and sparse must be clean)" >&2
	exit 1
fi
cp "$OUT/kmod/dlif.ko" "$OUT/dlif.ko"
# The KUnit test module, where the kernel has KUnit.
if [ -f "$OUT/kmod/dlif_kunit.ko" ]; then
	cp "$OUT/kmod/dlif_kunit.ko" "$OUT/dlif_kunit.ko"
else
	rm -f "$OUT/dlif_kunit.ko"
fi
echo "dlif.ko for $KREL: $OUT/dlif.ko"
