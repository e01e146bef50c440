#!/usr/bin/env bash
# Smart Node simulation at internet scale (method and figures: docs/swarm-simulation.md).
#   The seeder's real Planner (seeder/src/main/.../plan/Planner.java) on a ~50 TB catalog, N volunteer nodes with
#   budgets, two mirrors that fail and recover, churn, partial and delayed swarm knowledge; strategies side by side:
#   smart-agree (d4c: rarest pieces, per-node tie-break and the holders' agreement), smart-spread (the same without the
#   agreement), whole (Academic Torrents' smartnode rule), random.
# Usage, from anywhere (builds the seeder and its test classes offline first):
#   bench/swarm-sim.sh [OUTDIR]          main run (100 x 1 TB = 2x the 50 TB archive), 100 x 500 GB (1x), and a
#                                        storage sweep (1x to 3x) on a 10 TB catalog with 40 nodes; 14 simulated days
#                                        each; about an hour of CPU
#   MEMORY_HOURS=24 bench/swarm-sim.sh   nodes remember a peer that went offline for 24 h (the seeder's --swarm-memory;
#                                        its default, 5 minutes, is 0 here)
#   QUICK=1 bench/swarm-sim.sh [OUTDIR]  a small smoke run (5 TB, 20 nodes x 500 GB, 6 days)
#   PARTIAL=1 bench/swarm-sim.sh [OUTDIR] adds a run where each node sees a quarter of the swarm
#   SEEDS="2 3" bench/swarm-sim.sh       adds the sweep's 2x point (10 TB, 40 x 500 GB) with these seeds too
#                                        (tags sweep-500-seedN): how much one seed's figures move
# Writes OUTDIR/*-timeseries.csv, OUTDIR/*-summary.csv and, with python3-matplotlib, the PNG plots (bench/plot_swarm_sim.py).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
OUT=${1:-$ROOT/docs/swarm-sim}
GDAL=${D4C_GDAL_DIR:-$HOME/.cache/d4c/gdal/3.6.2}
cd "$ROOT"
build_log=$(mktemp)
mvn -B -q -o -Dstyle.color=never -pl seeder -am test-compile -Dd4c.gdal.dir="$GDAL" >"$build_log" 2>&1 \
  || { cat "$build_log" >&2; echo "building the seeder failed" >&2; exit 1; }
mvn -B -q -o -Dstyle.color=never -pl seeder dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >"$build_log" 2>&1 || true
rm -f "$build_log"
CP="seeder/target/test-classes:seeder/target/classes:$(cat seeder/target/test-classpath.txt)"
mkdir -p "$OUT"
SIM="java -Xmx3g -cp $CP org.d4c.seeder.sim.SwarmSimulator $OUT"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
COMMON="--days 14 --replan-hours 6 --memory-hours ${MEMORY_HOURS:-0}"
if [ "${QUICK:-0}" = 1 ]; then
  $SIM --tag quick --tb 5 --nodes 20 --days 6 --replan-hours 6
else
  # 100 nodes x 1 TB = twice the 50 TB archive; every node sees the whole swarm an hour late, re-plans every 6 h (the
  # seeder re-plans within minutes of a change; 6 h keeps the run's CPU time down) and at once when a mirror's health
  # changes; 14 simulated days.
  $SIM --tag main --nodes 100 --budget-gb 1000 $COMMON --strategies smart-match,smart-agree,whole,random
  # The strategy paper's example at full scale: 100 x 500 GB (1x the archive).
  $SIM --tag one --nodes 100 --budget-gb 500 $COMMON --strategies smart-match,smart-agree,whole,random
  # Storage sweep on a 10 TB catalog with 40 nodes (a run takes minutes, not half an hour): 1x to 3x the archive.
  for gb in 250 375 500 625 750; do
    $SIM --tag "sweep-$gb" --tb 10 --nodes 40 --budget-gb "$gb" $COMMON --strategies smart-match,smart-agree,random
  done
  for seed in ${SEEDS:-}; do
    $SIM --tag "sweep-500-seed$seed" --tb 10 --nodes 40 --budget-gb 500 $COMMON --strategies smart-match,smart-agree --seed "$seed"
  done
  if [ "${PARTIAL:-0}" = 1 ]; then
    # Partial knowledge: each node sees a quarter of the swarm (its connections).
    $SIM --tag partial --nodes 100 --budget-gb 1000 $COMMON --groups 4 --strategies smart-match
  fi
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  /usr/bin/python3 "$HERE/plot_swarm_sim.py" "$OUT"
else
  echo "python3-matplotlib is missing: no plots (apt-get install python3-matplotlib)" >&2
fi
