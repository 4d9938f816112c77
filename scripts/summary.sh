#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Count test results. Each test step of `make check` leaves a .counts file
# ("PASSED FAILED SKIPPED") in build/results; `total` adds them up into
# the closing line.
#
#   scripts/summary.sh junit FILE      counts of a ctest JUnit report
#   scripts/summary.sh ktap FILE...    counts of KTAP/TAP test lines
#   scripts/summary.sh total DIR       ["N skipped" line] "N passed, N failed"
#                                      (exit status 1 if anything failed)

set -euo pipefail

junit() {
	local head tests failures skipped disabled
	# ctest writes the element's attributes one per line.
	head=$(tr '\n\t' '  ' <"$1" | grep -m1 -o '<testsuite [^>]*>') || { echo "0 1 0"; return; }
	attr() { echo "$head" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
	tests=$(attr tests); failures=$(attr failures)
	skipped=$(attr skipped); disabled=$(attr disabled)
	tests=${tests:-0}; failures=${failures:-0}
	skipped=$(( ${skipped:-0} + ${disabled:-0} ))
	echo "$((tests - failures - skipped)) $failures $skipped"
}

# Top-level KTAP result lines only ("ok N ..." / "not ok N ..."), with
# "# SKIP" directives counted as skipped.
ktap() {
	cat "$@" | awk '
		/^not ok [0-9]+/ { if ($0 ~ /# *SKIP/) s++; else f++; next }
		/^ok [0-9]+/     { if ($0 ~ /# *SKIP/) s++; else p++; next }
		END { printf "%d %d %d\n", p, f, s }'
}

total() {
	local p=0 f=0 s=0 a b c file
	for file in "$1"/*.counts; do
		[ -e "$file" ] || continue
		read -r a b c <"$file"
		p=$((p + a)); f=$((f + b)); s=$((s + c))
	done
	# The count CI reads is the last line, "N passed, N failed".
	[ "$s" -gt 0 ] && echo "$s skipped"
	echo "$p passed, $f failed"
	[ "$f" -eq 0 ] && [ "$p" -gt 0 ]
}

case "${1:-}" in
junit) junit "$2" ;;
ktap)  shift; ktap "$@" ;;
total) total "$2" ;;
*)     echo "usage: $0 junit FILE | ktap FILE... | total DIR" >&2; exit 2 ;;
esac
