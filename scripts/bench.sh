#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every userspace benchmark: each executable in
# $BUILD/userspace/userspace/bench/ (Google Benchmark 1.7 programs; `make
# userspace` builds them). Adding a benchmark means adding a binary there.
#
# usage: scripts/bench.sh [--smoke] [BENCHMARK_ARG...]
#   default   REPS repetitions (default 10) of each benchmark; prints a table
#             of medians and the coefficient of variation; the JSON reports
#             stay in $BUILD/results/bench/.
#   --smoke   each benchmark but the million-node sizes once with a tiny
#             minimum time, to prove the programs still run; leaves "PASSED FAILED SKIPPED" (one
#             "passed" per program) in $BUILD/results/bench-smoke.counts.

set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
dir=$BUILD/userspace/userspace/bench
results=$BUILD/results
REPS=${REPS:-10}
mkdir -p "$results"

smoke=0
if [ "${1:-}" = --smoke ]; then
	smoke=1
	shift
fi

mapfile -t programs < <(find "$dir" -maxdepth 1 -type f -executable 2>/dev/null | sort)
if [ ${#programs[@]} -eq 0 ]; then
	echo "bench.sh: no benchmark programs in $dir (make userspace builds them)" >&2
	[ "$smoke" = 1 ] && echo "0 1 0" >"$results/bench-smoke.counts"
	exit 1
fi

if [ "$smoke" = 1 ]; then
	passed=0 failed=0
	for program in "${programs[@]}"; do
		name=$(basename "$program")
		# 1.7 syntax: a plain number of seconds. The million-node sizes
		# only repeat the smaller ones' code, and filling their state took
		# two of the smoke run's three minutes.
		if "$program" --benchmark_min_time=0.001 --benchmark_filter='-/1000000' "$@" \
			>"$results/bench-smoke-$name.log" 2>&1; then
			echo "bench.sh: $name ran"
			passed=$((passed + 1))
		else
			echo "bench.sh: $name FAILED:" >&2
			tail -20 "$results/bench-smoke-$name.log" >&2
			failed=$((failed + 1))
		fi
	done
	echo "$passed $failed 0" >"$results/bench-smoke.counts"
	[ "$failed" -eq 0 ]
	exit
fi

echo "bench.sh: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
	"$(uname -r), $REPS repetitions"
mkdir -p "$results/bench"
rc=0
for program in "${programs[@]}"; do
	name=$(basename "$program")
	# The console report goes to stdout, the context (CPU, caches, load,
	# warnings) to stderr: keep it with the JSON.
	"$program" --benchmark_repetitions="$REPS" --benchmark_report_aggregates_only=true \
		--benchmark_out="$results/bench/$name.json" --benchmark_out_format=json "$@" \
		>/dev/null 2>"$results/bench/$name.context" || { rc=1; cat "$results/bench/$name.context" >&2; }
done

# One table for all programs: medians over the repetitions (the machine is
# noisy; the median resists outliers) and the spread of real time.
python3 - "$results"/bench/*.json <<'PY'
import json, sys

rows = []
for path in sys.argv[1:]:
    report = json.load(open(path))
    program = path.rsplit("/", 1)[-1].removesuffix(".json")
    stats = {}
    for b in report["benchmarks"]:
        stats.setdefault(b["run_name"], {})[b.get("aggregate_name", "")] = b
    for run, agg in stats.items():
        median = agg.get("median") or agg.get("")
        cv = agg.get("cv")
        unit = median.get("time_unit", "ns")
        rows.append((program, run, f'{median["real_time"]:.1f} {unit}', f'{median["cpu_time"]:.1f} {unit}',
                     f'{100 * cv["real_time"]:.1f}%' if cv else "-"))

head = ("program", "benchmark", "median real", "median CPU", "CV real")
width = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
for r in [head] + rows:
    print("  ".join(c.ljust(w) for c, w in zip(r, width)).rstrip())
PY
grep -h -E '^(Load Average|\*\*\*WARNING)' "$results"/bench/*.context | sort -u
exit $rc
