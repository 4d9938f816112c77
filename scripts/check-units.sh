#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The systemd units of contrib/systemd as systemd itself judges them,
# offline (no running systemd needed): `systemd-analyze verify` on each
# (with the programs they run pointed at the build), and dlifd.service's
# exposure as `systemd-analyze security` scores it, at most 4.0 ("OK").
#
# usage: scripts/check-units.sh DLIFD DLIFCTL

set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
dlifd=$1 dlifctl=$2

if ! command -v systemd-analyze >/dev/null; then
	echo "check-units.sh: systemd-analyze is missing (Debian systemd)" >&2
	exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for unit in "$TOP"/contrib/systemd/*.service "$TOP"/contrib/systemd/*.timer; do
	sed -e "s#/usr/sbin/dlifd\\b#$dlifd#g" -e "s#/usr/sbin/dlifctl\\b#$dlifctl#g" "$unit" >"$work/$(basename "$unit")"
done
failed=0
for unit in "$work"/*; do
	if out=$(cd "$work" && systemd-analyze verify "$unit" 2>&1) && [ -z "$out" ]; then
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
