#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# contrib/bash-completion/dlifctl: what Tab offers after each kind of
# command line, the way bash calls it (COMP_WORDS, COMP_CWORD).
#
# usage: completion_test.sh COMPLETION_FILE

set -u
# shellcheck source=/dev/null
source "$1" || exit 1
complete -p dlifctl >/dev/null || { echo "no completion registered for dlifctl"; exit 1; }

failed=0
offers() {	# EXPECTED WORD... (the last word is the one being completed)
	local expected=$1
	shift
	COMP_WORDS=(dlifctl "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_dlifctl
	local got="${COMPREPLY[*]}"
	if [ "$got" != "$expected" ]; then
		echo "FAIL: dlifctl $* -> '$got', expected '$expected'"
		failed=1
	fi
}

offers "route dev binding monitor help status mn counters attach detach metrics" ""
offers "monitor mn metrics" m
offers "-j -json" -j
offers "-t -timestamp" -t
offers "monitor" -t mon
offers "route" -j ro
offers "add replace del get show flush" route ""
offers "show" r sh
offers "role peer local dev mn hoplimit" route add 2001:db8::/64 ""
offers "" route add ""
offers "anchor serving local-net local-export attached" route add 2001:db8::/64 role ""
offers "local-net local-export" route replace 2001:db8::/64 role lo
offers "lo" route add 2001:db8::/64 dev lo
offers "" route add 2001:db8::/64 peer ""
offers "role peer dev mn" -S /run/x.sock route show ""
offers "role peer dev mn" -n maar1 route show ""
offers "peer dev" route flush ""
offers "default" route del d
offers "show set" dev ""
offers "lo" dev set l
offers "mn maar" dev set lo ""
offers "add del show" binding ""
offers "dev mn router router-ll" binding add ""
offers "lo" binding add dev l
offers "" binding add dev lo mn ""
offers "dev mn" binding del dev lo ""
offers "dev mn" binding show ""
offers "list show" mn ""
offers "lo" attach l
offers "" detach ""

[ "$failed" = 0 ] && echo "every completion as expected"
exit $failed
