#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The systemd units of contrib/systemd as systemd itself judges them,
# offline (no running systemd needed): `systemd-analyze verify` on each
# (with the programs they run pointed at the build), and dlifd.service's
# exposure as `systemd-analyze security` scores it, at most 4.0 ("OK").
# The pages their Documentation= keys name must exist: MANDIR holds the
# rendered dlifd.8, dlifctl.8 and dlifd.toml.5 (the build's, not
# installed here); without it that check is left out.
#
# usage: scripts/check-units.sh DLIFD DLIFCTL [MANDIR]

set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
dlifd=$1 dlifctl=$2 mandir=${3:-}

if ! command -v systemd-analyze >/dev/null; then
	echo "check-units.sh: systemd-analyze is missing (Debian systemd)" >&2
	exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for unit in "$TOP"/contrib/systemd/*.service "$TOP"/contrib/systemd/*.timer; do
	sed -e "s#/usr/sbin/dlifd\\b#$dlifd#g" -e "s#/usr/sbin/dlifctl\\b#$dlifctl#g" "$unit" >"$work/$(basename "$unit")"
done
man=(--man=no)
if [ -n "$mandir" ]; then
	for page in "$mandir"/*.[0-9]; do
		[ -f "$page" ] || continue
		mkdir -p "$work/man/man${page##*.}"
		ln -s "$page" "$work/man/man${page##*.}/"
	done
	export MANPATH=$work/man
	man=()
fi
failed=0
for unit in "$work"/*.service "$work"/*.timer; do
	if out=$(cd "$work" && systemd-analyze verify "${man[@]}" "$unit" 2>&1) && [ -z "$out" ]; then
		echo "$(basename "$unit"): verified"
	else
		echo "$(basename "$unit"): systemd-analyze verify: ${out:-failed}"
		failed=1
	fi
done
score=$(systemd-analyze security --offline=true "$work/dlifd.service" 2>&1 | sed -n 's/.*Overall exposure level for dlifd.service: \([0-9.]*\).*/\1/p')
if [ -z "$score" ]; then
	echo "dlifd.service: no exposure score"; failed=1
elif awk -v s="$score" 'BEGIN { exit !(s <= 4.0) }'; then
	echo "dlifd.service: exposure $score (at most 4.0)"
else
	echo "dlifd.service: exposure $score, more than 4.0"; failed=1
fi
exit $failed
