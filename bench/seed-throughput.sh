#!/usr/bin/env bash
# Seeder benchmarks (results: docs/benchmarks.md, "## Seeder"; this run's figures also in bench/results/seed-SIZE_MIB.txt).
#   1. Planner cost: re-plan 1,000 torrents x 4,000 pieces, smart mode (target < 1 s): median of 7 runs after one
#      warm-up plan (PlannerBench).
#   2. Seeding throughput on loopback to ONE python3-libtorrent client (seeder/src/test/resources/lt_peer.py `time`),
#      SIZE_MIB MiB dataset (default 1024): from the d4c seeder jar (own JVM, --mode full, dataset complete, web seeds
#      removed; the client connects over TCP) vs through a range-capable HTTP web seed only (FolderServer, the server
#      of `d4c serve`, own JVM). MB/s (10^6 bytes) of each side from the first payload byte to the last verified piece,
#      and over the whole download; median of ROUNDS rounds (default 3, the order rotating, after one untimed warm-up
#      download from each side), ratios, 1-minute load (SeedBench). Set-up (dataset, torrent, catalog, the seeder's
#      own fetch) is not timed. UTP=1 adds a third side: the seeder over uTP (libtorrent's default transport; slow on
#      loopback, about a minute per GiB).
# Usage, from anywhere (builds the seeder jar and test classes offline first; needs python3-libtorrent):
#   bench/seed-throughput.sh [SIZE_MIB] [ROUNDS] [WORKDIR]   both parts; WORKDIR (default a new /tmp folder) is removed after
#   bench/seed-throughput.sh planner                         the planner only
# Disk: about 3 x SIZE_MIB under WORKDIR (web seed folder, the seeder's copy, the client's copy).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
cd "$ROOT"
ONLY_PLANNER=false
if [ "${1:-}" = planner ]; then ONLY_PLANNER=true; shift; fi
SIZE=${1:-1024}
ROUNDS=${2:-3}
WORK=${3:-}
GDAL=${D4C_GDAL_DIR:-$HOME/.cache/d4c/gdal/3.6.2}

build_log=$(mktemp)
mvn -B -q -o -Dstyle.color=never -pl seeder -am package -DskipTests -Dd4c.gdal.dir="$GDAL" >"$build_log" 2>&1 \
  || { cat "$build_log" >&2; echo "building the seeder failed" >&2; exit 1; }
rm -f "$build_log"
CP="seeder/target/test-classes:seeder/target/classes:$(cat seeder/target/test-classpath.txt)"
java -Xmx4g -cp "$CP" org.d4c.seeder.plan.PlannerBench 1000 4000 7
$ONLY_PLANNER && exit 0

if [ -z "$WORK" ]; then
  WORK=$(mktemp -d /tmp/d4c-seed-bench-XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$HERE/results"
OUT="$HERE/results/seed-$SIZE.txt"
{
  echo "# d4c seeding throughput, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg),"
  echo "# $(java -version 2>&1 | head -1), python3-libtorrent $(/usr/bin/python3 -c 'import libtorrent; print(libtorrent.__version__)')"
  java -Xmx3g -Dd4c.home="$ROOT" -Dseedbench.utp="${UTP:+true}" -Dseeder.jar="$ROOT/seeder/target/d4c-seeder.jar" \
    -Dlibtorrent4j.jni.path="$ROOT/seeder/target/native/lib/x86_64/libtorrent4j.so" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" org.d4c.seeder.bench.SeedBench "$SIZE" "$ROUNDS" "$WORK"
} | tee "$OUT"
echo "written to $OUT"
