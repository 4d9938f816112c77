# SPDX-License-Identifier: GPL-2.0
#
# dlif: network-based Distributed Mobility Management (RFC 8885) for Linux.
# `make help` lists the targets. Everything is built under build/.

TOP      := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD    ?= $(TOP)/build
KVERS    := $(shell $(TOP)/qemu/kernels.sh list)
KVER     ?= $(KVERS)
TEST     ?=
JOBS     ?= $(shell nproc)
USERSPACE_BUILD := $(BUILD)/userspace

export BUILD

.PHONY: all help deps module userspace unit-tests selftests check demo bench \
	bench-vm vm-shell ynl-gen deb kernel-style coccicheck clean distclean

all: module userspace

help:
	@echo 'dlif make targets:'
	@echo '  make demo        install what is missing, build, boot a VM and run the main job'
	@echo '  make check       install, build everything, run every test; ends with "N passed, N failed"'
	@echo '  make deps        install Debian packages, fetch the supported kernels ($(KVERS)),'
	@echo '                   extract the kernel'"'"'s YNL tools (scripts/ynl-tree.sh)'
	@echo '  make module      build dlif.ko for KVER (default: every supported kernel), W=1 and sparse clean'
	@echo '  make kernel-style  checkpatch --strict and kernel-doc on kmod/ and the UAPI headers (part of make check)'
	@echo '  make coccicheck  the kernel'"'"'s Coccinelle rules over kmod/ (part of make check; needs the debug kernel)'
	@echo '  make ynl-gen     regenerate uapi/linux/dlif.h and kmod/netlink-gen.[ch] from the spec'
	@echo '                   with the kernel'"'"'s ynl-gen-c.py (make check fails when they differ)'
	@echo '  make deb         build the Debian packages (dlif-dkms, dlifd, dlif-wireshark) into build/deb,'
	@echo '                   lintian clean (scripts/build-deb.sh; cached by content)'
	@echo '  make userspace   build the C++ codec, daemon, dlifctl and tests (CMake, build/userspace)'
	@echo '  make unit-tests  run the userspace tests (ctest)'
	@echo '  make selftests   run the kernel selftests in QEMU [KVER=6.1|6.12|6.12-debug] [TEST=name]'
	@echo '  make vm-shell    interactive shell in the test VM with dlif.ko [KVER=6.1]'
	@echo '  make bench       run the userspace benchmarks (Google Benchmark)'
	@echo '  make bench-vm    run the VM benchmarks (data plane, table control, handovers, bulk TCP, attach cost) [KVER=6.1] [PARTS="attach ..."]'
	@echo '  make clean       remove build products (keeps the kernel cache)'
	@echo '  make distclean   remove build/ entirely'

deps:
	@$(TOP)/scripts/deps.sh $(KVER)

# The family's C code from Documentation/netlink/specs/dlif.yaml.
ynl-gen: deps
	@$(TOP)/scripts/ynl-gen.sh

# The Debian packages, judged by lintian; selftests/dlif_packages.sh
# installs them in the VM.
deb: deps
	@$(TOP)/scripts/build-deb.sh >/dev/null

# dlif.ko for each kernel in KVER, each in its own tree under build/module.
module: deps
	@set -e; for k in $(KVER); do $(TOP)/scripts/build-module.sh "$$k"; done

kernel-style: deps
	@$(TOP)/scripts/check-kernel-style.sh

coccicheck: KVER = 6.12-debug
coccicheck: module
	@$(TOP)/scripts/check-coccinelle.sh

userspace: deps
	@cmake -S $(TOP) -B $(USERSPACE_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >$(BUILD)/cmake.log 2>&1 || \
		{ cat $(BUILD)/cmake.log; exit 1; }
	@cmake --build $(USERSPACE_BUILD) -j $(JOBS)

unit-tests: userspace
	@$(TOP)/scripts/run-unit-tests.sh

selftests: module userspace deb
	@$(TOP)/qemu/run-selftests.sh $(foreach k,$(KVER),-k $(k)) $(if $(TEST),-t $(TEST))

check: module userspace deb
	@$(TOP)/scripts/check.sh $(KVER)

# One kernel for these (the first; KVER= on the command line overrides):
# a demo must not wait for the debug kernel's first build.
demo bench-vm vm-shell: KVER = $(firstword $(KVERS))
# make demo MODE=relay|locator|proxy|direct|inter-domain (direct: no CMD,
# the MAARs on a session database; inter-domain: MAAR3 a partner
# operator's, the node's home prefixes relayed by the CMD as home LMA).
MODE ?= proxy

demo: module userspace
	@$(TOP)/qemu/vm.sh -k $(firstword $(KVER)) -t 300 -e MODE=$(MODE) -- scripts/demo.sh

bench: userspace
	@$(TOP)/scripts/bench.sh

bench-vm: module userspace
	@$(TOP)/scripts/bench-vm.sh $(firstword $(KVER)) $(PARTS)

vm-shell: module userspace
	@$(TOP)/qemu/vm.sh -k $(firstword $(KVER)) --shell

clean:
	rm -rf $(BUILD)/module $(BUILD)/userspace $(BUILD)/vm $(BUILD)/results

distclean:
	rm -rf $(BUILD)
