#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what dlif needs from Debian 12's archive, only what is missing,
# then fetch the supported kernels into the build tree and extract the
# kernel's YNL tooling from linux-source-6.12 (scripts/ynl-tree.sh, cached
# outside the work tree). Idempotent: a
# second run makes no network access when everything is present (the
# private kernel package lists refresh at most once a day).
#
# usage: scripts/deps.sh [KVER...]   (default: every supported kernel)

set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)

PACKAGES=(
	# userspace build and tests
	build-essential cmake pkg-config libmnl-dev libgtest-dev libgmock-dev
	libbenchmark-dev libtomlplusplus-dev nlohmann-json3-dev libsystemd-dev libsqlite3-dev sqlite3
	libcurl4-openssl-dev etcd-server etcd-client openssl
	clang libclang-rt-14-dev ccache
	# kernel module build (headers come from qemu/kernels.sh)
	gcc-12 make bc kmod xz-utils zstd dwarves libelf-dev
	# the kernel's semantic checker, run on every module build, and
	# Coccinelle for the kernel's rules (scripts/check-coccinelle.sh)
	sparse coccinelle
	debian-archive-keyring
	# the debug kernel, built from linux-source-6.12 (qemu/debug-kernel.sh)
	flex bison libssl-dev
	# the test VM
	qemu-system-x86 busybox-static cpio
	# tools the tests run inside the VM and on the host
	iproute2 iputils-ping procps tcpdump tshark python3 python3-scapy python3-yaml socat
	# rdisc6 judges the DLIFs' Router Advertisements
	ndisc6
	# bulk TCP through the tunnels, and a core that filters ICMPv6
	iperf3 nftables
	ethtool util-linux
	# the kernel's YNL tools and spec schemas (scripts/ynl-tree.sh): the
	# spec check and selftests/dlif_ynl.sh
	linux-source-6.12 python3-jsonschema
	# make bench-vm: profiles of the data plane in the VM
	linux-perf
	# make deb: the Debian packages (debhelper, DKMS) and lintian
	debhelper dh-dkms dkms lintian fakeroot
	# man pages from the rst documentation (rst2man); man-db checks them
	python3-docutils man-db
	# systemd-analyze judges the units offline (scripts/check-units.sh)
	systemd
	# IKEv2 between the mobility entities (selftests/dlifd_ipsec.sh)
	charon-systemd strongswan-swanctl
	# promtool, which judges dlifctl metrics (the package's server is
	# not used)
	prometheus
)

missing=()
for p in "${PACKAGES[@]}"; do
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps.sh: missing packages: ${missing[*]}" >&2
		echo "deps.sh: run as root (or: sudo apt-get install ${missing[*]})" >&2
		exit 1
	fi
	echo "deps.sh: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -q update >/dev/null
	apt-get -q install -y --no-install-recommends "${missing[@]}" >/dev/null
fi

kvers=("$@")
[ ${#kvers[@]} -gt 0 ] || read -r -a kvers <<<"$("$TOP/qemu/kernels.sh" list)"
for k in "${kvers[@]}"; do
	"$TOP/qemu/kernels.sh" fetch "$k" >/dev/null
done
"$TOP/scripts/ynl-tree.sh" >/dev/null
