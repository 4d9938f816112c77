#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's coding style, judged by the kernel's own checkpatch (from
# Debian's linux-source-6.12, scripts/ynl-tree.sh) in the strict mode that
# netdev's maintainers apply, and the kernel-doc comments by kernel-doc:
# every source of kmod/ and every UAPI header, one result per file. A
# checkpatch finding fails its file unless it is one of the exceptions
# below, each with its reason; any kernel-doc warning fails it.
#
# usage: scripts/check-kernel-style.sh [FILE...]   (default: kmod/*.[ch] uapi/linux/*.h)
#   Writes "PASSED FAILED SKIPPED" to $BUILD/results/kernel-style.counts.

set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
RESULTS=$BUILD/results
CHECKPATCH=${DLIF_CHECKPATCH:-$BUILD/ynl/scripts/checkpatch.pl}
KERNEL_DOC=$(dirname "$CHECKPATCH")/kernel-doc

# FILE:TYPE of findings that stand, and why. checkpatch runs without the
# kernel tree here (--no-tree), so it cannot know the tree's own names.
EXCEPTIONS=(
	# struct Qdisc is the kernel's name; with the tree, checkpatch learns
	# it from include/ and says nothing.
	"kmod/tx.c:CAMELCASE"
	# The fallback EXPORT_SYMBOL_IF_KUNIT(symbol) of a kernel without
	# <kunit/visibility.h> expands to nothing, as the kernel's own does.
	"kmod/compat.h:MACRO_ARG_UNUSED"
)

mkdir -p "$RESULTS"
counts=$RESULTS/kernel-style.counts
if [ ! -f "$CHECKPATCH" ] || [ ! -f "$KERNEL_DOC" ]; then
	echo "check-kernel-style.sh: $CHECKPATCH or kernel-doc missing (run: make deps)" >&2
	echo "0 1 0" >"$counts"
	exit 1
fi

cd "$TOP" || exit 1
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(kmod/*.[ch] uapi/linux/*.h)

excepted() {	# FILE TYPE
	local e
	for e in "${EXCEPTIONS[@]}"; do
		[ "$e" = "$1:$2" ] && return 0
	done
	return 1
}

passed=0 failed=0
for f in "${files[@]}"; do
	out=$(perl "$CHECKPATCH" --no-tree --strict --terse --show-types -f "$f" 2>&1)
	rc=$?
	bad=()
	# It exits non-zero for findings (then it sums them up) and when it
	# fails itself, having judged nothing.
	[ "$rc" -eq 0 ] || [[ $out == *"lines checked"* ]] ||
		bad+=("checkpatch failed (exit status $rc): $out")
	# --terse: "FILE:LINE: LEVEL:TYPE: message"
	while IFS= read -r line; do
		[[ $line =~ ^[^:]+:[0-9]+:\ (ERROR|WARNING|CHECK):([A-Z0-9_]+): ]] || continue
		excepted "$f" "${BASH_REMATCH[2]}" || bad+=("$line")
	done <<<"$out"
	out=$(perl "$KERNEL_DOC" -Wall -none "$f" 2>&1) ||
		bad+=("kernel-doc failed (exit status $?)")
	while IFS= read -r line; do
		[ -n "$line" ] && bad+=("kernel-doc: $line")
	done <<<"$out"
	if [ ${#bad[@]} -eq 0 ]; then
		echo "ok $f"
		passed=$((passed + 1))
	else
		echo "not ok $f"
		printf '  %s\n' "${bad[@]}"
		failed=$((failed + 1))
	fi
done
echo "kernel-style: $passed passed, $failed failed"
echo "$passed $failed 0" >"$counts"
[ "$failed" -eq 0 ]
