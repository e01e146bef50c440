#!/usr/bin/env bash
# Probe cost of the status monitor (ProbeBench): N datasets (default 1,000) published on L loopback locations
# (default 4; one folder served by L FaultServers), one monitor; prints the catalog load time, the time of R rounds
# (default 3; median) and, per location, the bytes and requests of a round as a share of the catalog's size.
# Figures go to bench/results/monitor-probe-<N>x<L>.txt; docs/benchmarks.md ("Status monitor: probe cost") records a run.
#
#   bench/monitor-probe.sh [N] [L] [R] [BLOB_BYTES] [WORKDIR]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
N=${1:-1000}
L=${2:-4}
R=${3:-3}
BLOB=${4:-200000}
WORK=${5:-$(mktemp -d /tmp/d4c-monitor-probe-XXXXXX)}
OUT="$HERE/results/monitor-probe-${N}x${L}.txt"
mkdir -p "$HERE/results" "$WORK"
cd "$ROOT"
GDAL=${D4C_GDAL_DIR:-$HOME/.cache/d4c/gdal/3.6.2}
# Built by the reactor into target/ folders only (never installed into ~/.m2).
mvn -B -q -o -Dstyle.color=never -Dd4c.gdal.dir="$GDAL" -pl monitor -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
CP="monitor/target/test-classes:monitor/target/classes:$(cat "$WORK/cp.txt")"
{
  echo "# d4c monitor probe cost, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(java -version 2>&1 | head -1)"
  echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  java -Xmx1g -Dlibtorrent4j.jni.path="$ROOT/monitor/target/native/lib/x86_64/libtorrent4j.so" -cp "$CP" org.d4c.monitor.ProbeBench "$N" "$L" "$R" "$BLOB" "$WORK" 2>/dev/null
  echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT"
