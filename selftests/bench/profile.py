#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Where the time goes: turns the perf profiles that dataplane.sh takes with
# PROFILE set (one per set-up, each while the generator sends to that
# set-up alone) into nanoseconds per packet per function, side by side.
#
# The VM has one vCPU and the generator keeps it busy, so every sample is
# spent on the packets of that set-up (or in the generator that sends
# them): a function's share of the samples times the nanoseconds per
# packet is its cost per packet.
#
# usage: profile.py DIR   (DIR holds <setup>.report and <setup>.rate)

import os
import re
import sys

LINE = re.compile(r"^\s*([0-9.]+)%\s+\[([k.])\]\s+(\S+)")
TOP = 28


def load(directory, setup):
    with open(os.path.join(directory, setup + ".rate")) as f:
        packets, nanoseconds = (int(v) for v in f.read().split())
    shares = {}
    with open(os.path.join(directory, setup + ".report")) as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            name = m.group(3) if m.group(2) == "k" else "(userspace)"
            shares[name] = shares.get(name, 0.0) + float(m.group(1)) / 100
    return nanoseconds / packets, shares


def main():
    directory = sys.argv[1]
    setups = sorted(f[:-5] for f in os.listdir(directory) if f.endswith(".rate"))
    if not setups:
        sys.exit("profile.py: no profiles in " + directory)
    data = {s: load(directory, s) for s in setups}
    print("# where the time goes: nanoseconds per packet per function")
    print("# (perf record -e cpu-clock -a in the VM, one set-up at a time)")
    header = "%-36s" % "function" + "".join("%10s" % s for s in setups)
    print(header)
    print("%-36s" % "total ns/packet" + "".join("%10.0f" % data[s][0] for s in setups))
    names = {}
    for s in setups:
        per_packet, shares = data[s]
        for name, share in shares.items():
            names[name] = max(names.get(name, 0.0), share * per_packet)
    for name in sorted(names, key=names.get, reverse=True)[:TOP]:
        row = "%-36s" % name[:36]
        for s in setups:
            per_packet, shares = data[s]
            share = shares.get(name)
            row += "%10.0f" % (share * per_packet) if share is not None else "%10s" % "-"
        print(row)
    if "T" in data and "D" in data:
        difference("T", "D", data)


def difference(reference, ours, data):
    """The functions whose cost differs most between two set-ups."""
    costs = {}
    for s in (reference, ours):
        per_packet, shares = data[s]
        for name, share in shares.items():
            costs.setdefault(name, {})[s] = share * per_packet
    delta = {n: c.get(reference, 0.0) - c.get(ours, 0.0) for n, c in costs.items()}
    total = data[reference][0] - data[ours][0]
    print(f"# {reference} - {ours}: {total:.0f} ns/packet; the largest differences:")
    for name in sorted(delta, key=lambda n: abs(delta[n]), reverse=True)[:16]:
        print("%-36s%+10.0f" % (name[:36], delta[name]))


if __name__ == "__main__":
    main()
