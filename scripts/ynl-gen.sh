#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Render the "dlif" family's C code from its spec with the kernel's own
# generator (tools/net/ynl/ynl-gen-c.py of Debian's linux-source-6.12, as
# scripts/ynl-tree.sh extracts it), as upstream drivers do:
#
#   Documentation/netlink/specs/dlif.yaml
#     -> uapi/linux/dlif.h                      (--mode uapi)
#     -> kmod/netlink-gen.h, kmod/netlink-gen.c (--mode kernel: policies, split ops)
#
# The generated files are committed. `make ynl-gen` rewrites them;
# `scripts/ynl-gen.sh --check` (run by `make check`) fails when they are
# not what the spec renders to.
#
# ynl-gen-c.py finds a spec's schema at ../<protocol>.yaml and names the
# spec by its path below the directory holding MAINTAINERS, so the spec is
# rendered from a staging copy laid out like a kernel tree.
#
# usage: scripts/ynl-gen.sh [--check]

set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
SPEC=Documentation/netlink/specs/dlif.yaml
OUTPUTS=(uapi/linux/dlif.h kmod/netlink-gen.h kmod/netlink-gen.c)

die() { echo "ynl-gen.sh: $*" >&2; exit 1; }

check=
case "${1:-}" in
--check) check=1 ;;
"") ;;
*) die "usage: scripts/ynl-gen.sh [--check]" ;;
esac

ynl=$("$TOP/scripts/ynl-tree.sh")
gen=$ynl/tools/net/ynl/ynl-gen-c.py
[ -f "$gen" ] || die "$gen missing (run: make deps)"
protocol=$(sed -n 's/^protocol:[[:space:]]*//p' "$TOP/$SPEC")
[ -n "$protocol" ] || die "$SPEC names no protocol"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/Documentation/netlink/specs" "$stage/out/uapi/linux" "$stage/out/kmod"
touch "$stage/MAINTAINERS"
cp "$ynl/Documentation/netlink/$protocol.yaml" "$stage/Documentation/netlink/"
cp "$TOP/$SPEC" "$stage/$SPEC"

render() { # mode header|source output
	python3 "$gen" --mode "$1" "--$2" --spec "$stage/$SPEC" -o "$stage/out/$3" ||
		die "ynl-gen-c.py --mode $1 --$2 failed on $SPEC"
}
render uapi header uapi/linux/dlif.h
render kernel header kmod/netlink-gen.h
render kernel source kmod/netlink-gen.c

status=0
for f in "${OUTPUTS[@]}"; do
	if [ -n "$check" ]; then
		if ! diff -u "$TOP/$f" "$stage/out/$f" >&2; then
			echo "ynl-gen.sh: $f is not what $SPEC renders to (run: make ynl-gen)" >&2
			status=1
		fi
	elif ! cmp -s "$stage/out/$f" "$TOP/$f"; then
		cp "$stage/out/$f" "$TOP/$f"
		echo "ynl-gen.sh: wrote $f"
	fi
done
[ -z "$check" ] || [ $status -ne 0 ] || echo "ynl-gen.sh: ${OUTPUTS[*]} are what $SPEC renders to"
exit $status
