# SPDX-License-Identifier: GPL-2.0
#
# What the host smoke tests share (sourced).

# check WHAT COMMAND...: "ok: WHAT" or "FAIL: WHAT", the failures counted
# in $failures.
failures=0
check() {
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		echo "FAIL: $what"
		failures=$((failures + 1))
	fi
}

# until_ SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds.
until_() {
	local end=$((SECONDS + $1))
	shift
	while ! "$@" 2>/dev/null; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.1
	done
}
