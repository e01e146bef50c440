#!/usr/bin/env bash
# d4c get vs aria2c -x 3 -s 3 over the same three loopback mirrors, side by side in one run (results: docs/benchmarks.md,
# "## Getting data"; this run's figures also in bench/results/get-SIZE_MIB.txt). See GetBench for what is timed.
# Usage: bench/get-vs-aria2c.sh [SIZE_MIB (default 2048)] [ROUNDS (default 3)] [WORKDIR (default a new /tmp folder, removed)]
# GET_ARGS="--connections 1" adds arguments to d4c get; D4C_CDS=0 runs it without the class-data sharing archive.
# Disk: about 4 x SIZE_MIB under WORKDIR.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
cd "$ROOT"
SIZE=${1:-2048}
ROUNDS=${2:-3}
WORK=${3:-}
GDAL=${D4C_GDAL_DIR:-$HOME/.cache/d4c/gdal/3.6.2}
command -v aria2c >/dev/null || { echo "aria2c is missing: apt-get install aria2" >&2; exit 1; }
build_log=$(mktemp)
mvn -B -q -o -Dstyle.color=never -pl fetch,cli -am package -DskipTests -Dd4c.gdal.dir="$GDAL" >"$build_log" 2>&1 \
  || { cat "$build_log" >&2; echo "building the fetch and cli modules failed" >&2; exit 1; }
rm -f "$build_log"
CP="$ROOT/fetch/target/test-classes:$ROOT/fetch/target/classes:$(cat fetch/target/test-classpath.txt)"
# d4c get runs as ./d4c runs it: the cli jar on its class path (jars only, so class-data sharing can map them).
CLI_CP="$(ls "$ROOT"/cli/target/d4c-cli-*.jar | head -n 1):$(cat cli/target/classpath.txt)"
if [ -z "$WORK" ]; then
  WORK=$(mktemp -d /tmp/d4c-get-bench-XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$HERE/results"
OUT="$HERE/results/get-$SIZE.txt"
{
  echo "# d4c get vs aria2c, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(aria2c --version | head -1)"
  java -Xmx2g -Dgetbench.cli.cp="$CLI_CP" -Dgetbench.args="${GET_ARGS:-}" -Dlibtorrent4j.jni.path="$ROOT/fetch/target/native/lib/x86_64/libtorrent4j.so" -cp "$CP" org.d4c.fetch.GetBench \
    "$SIZE" "$ROUNDS" "$WORK" "$CP"
} | tee "$OUT"
echo "written to $OUT"
