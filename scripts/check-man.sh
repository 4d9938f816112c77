#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The rendered man pages as man-db reads them: each has the NAME line
# whatis and apropos index (lexgrog), renders without an error, and has
# the sections its kind needs.
#
# usage: scripts/check-man.sh PAGE...

set -uo pipefail

failed=0
for page in "$@"; do
	name=$(basename "$page")
	whatis=$(lexgrog "$page" 2>&1) || { echo "$name: no NAME line: $whatis"; failed=1; continue; }
	case "$whatis" in
	*": \"${name%.*} - "?*) ;;
	*) echo "$name: unexpected NAME line: $whatis"; failed=1 ;;
	esac
	text=$(MANWIDTH=80 man -l "$page" 2>/dev/null) || { echo "$name: man -l failed"; failed=1; continue; }
	case "$name" in
	*.8) sections="NAME DESCRIPTION SEE.ALSO" ;;
	*.5) sections="NAME CONFIGURATION SEE.ALSO" ;;
	esac
	for section in $sections; do
		grep -q "^$section\$" <<<"$text" || { echo "$name: no $section section"; failed=1; }
	done
	echo "$name: $(wc -l <<<"$text") lines, $whatis"
done
exit $failed
