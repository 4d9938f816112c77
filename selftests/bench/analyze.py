#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Tables of the data-plane benchmark (selftests/bench/dataplane.sh).

Input lines:
  slice DIR N CYCLE IFACE PACKETS NANOSECONDS
  install DIR SETUP FROM TO MILLISECONDS

Per direction and prefix count: the median packets per second of each
set-up over the cycles, and the paired ratios D/T, D/C, D/B, D/A (the
ratio within each cycle, whose slices are adjacent in time, then the
median over cycles: host drift cancels out).
"""

import collections
import statistics
import sys


def main(path):
    pps = collections.defaultdict(dict)        # (dir, n, cycle) -> setup -> pps
    installs = collections.defaultdict(float)  # (dir, setup, to) -> ms
    for line in open(path):
        f = line.split()
        if not f:
            continue
        if f[0] == "slice":
            _, d, n, cycle, iface, packets, ns = f
            pps[(d, int(n), int(cycle))][iface[1:]] = int(packets) / (int(ns) / 1e9)
        elif f[0] == "install":
            _, d, setup, start, end, ms = f
            installs[(d, setup, int(end))] = (float(ms), int(end) - int(start))

    dirs = sorted({k[0] for k in pps}, key=lambda d: ["uplink", "downlink"].index(d))
    for d in dirs:
        ns = sorted({k[1] for k in pps if k[0] == d})
        print(f"\n{d}: packets per second (median of cycles) and paired ratios")
        header = ["N", "A", "T", "B", "C", "D", "G", "D/T", "D/C", "D/B", "D/A"]
        print(" ".join(f"{h:>9}" for h in header))
        dt_at_1 = None
        for n in ns:
            cycles = [pps[k] for k in sorted(pps) if k[0] == d and k[1] == n]
            row = [f"{n:>9}"]
            for s in "ATBCDG":
                values = [c[s] for c in cycles if s in c]
                row.append(f"{statistics.median(values):>9.0f}" if values else f"{'-':>9}")
            for other in "TCBA":
                ratios = [c["D"] / c[other] for c in cycles if "D" in c and c.get(other)]
                row.append(f"{statistics.median(ratios):>9.3f}" if ratios else f"{'-':>9}")
            print(" ".join(row))
            dt = [c["D"] / c["T"] for c in cycles if "D" in c and c.get("T")]
            if dt and dt_at_1 is None:
                dt_at_1 = (n, statistics.median(dt))
            elif dt:
                print(f"{'':>9} D(N)/D({dt_at_1[0]}), normalised by T: "
                      f"{statistics.median(dt) / dt_at_1[1]:.3f}")
        if any(k[0] == d for k in installs):
            print(f"\n{d}: time to install the per-prefix state (ms; microseconds per entry)")
            for (dd, setup, end), (ms, count) in sorted(installs.items()):
                if dd == d and count:
                    print(f"  {setup} up to {end:>6}: {ms:>9.0f} ms for {count:>6} "
                          f"({1000 * ms / count:8.1f} us/entry)")


if __name__ == "__main__":
    main(sys.argv[1])
