#!/usr/bin/env bash
# Build scaling and memory benchmark: `./d4c build` of the same generated input on the Direct runner at several
# parallelisms, on Flink's mini-cluster ([local]) at several parallelisms and, with CLUSTER=1, on a real Flink
# session cluster on loopback (a JobManager and a TaskManager with 2 slots, as FlinkClusterIT starts them). Prints
# one line per build: wall time, peak RSS, features/s, features/s per worker and the sha256 of every output file,
# which must be the same on every line.
#
#   bench/build-scaling.sh                                   N=1000000: direct 1 2 4, flink 1 2
#   N=10000000 DIRECT_PS=2 FLINK_PS= HEAP=256m MAX_ROWS_PER_FILE=2500000 bench/build-scaling.sh
#   CLUSTER=1 DIRECT_PS= FLINK_PS= bench/build-scaling.sh   the real cluster only (builds the job jar first)
#
# Environment: N (features, default 1000000), SEED (20240601), DIRECT_PS ("1 2 4"), FLINK_PS ("1 2"), CLUSTER_PS
# ("1 2"), HEAP (e.g. 256m: -Xmx for every d4c JVM; the default heap otherwise), MAX_ROWS_PER_FILE (writes a copy of
# the recipe with max_rows_per_file set, for multi-file outputs). The input is made by bench/build-vs-ogr2ogr.sh
# (PREPARE_ONLY=1) when missing. Results are appended to bench/results/scaling-nN-STAMP.tsv.
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
N=${N:-1000000}
SEED=${SEED:-20240601}
DIRECT_PS=${DIRECT_PS-1 2 4}
FLINK_PS=${FLINK_PS-1 2}
CLUSTER_PS=${CLUSTER_PS-1 2}
GDAL=${D4C_GDAL_DIR:-$HOME/.cache/d4c/gdal/3.6.2}
say() { echo "[bench] $*" >&2; }

DIR="$BENCH/data/n$N-s$SEED"
[ -f "$DIR/.complete" ] || N=$N SEED=$SEED PREPARE_ONLY=1 "$BENCH/build-vs-ogr2ogr.sh"
RECIPE="$DIR/recipe.yaml"
if [ -n "${MAX_ROWS_PER_FILE:-}" ]; then
  RECIPE="$DIR/recipe-max$MAX_ROWS_PER_FILE.yaml"
  sed "s/^max_reject_fraction: 0$/max_reject_fraction: 0\nmax_rows_per_file: $MAX_ROWS_PER_FILE/" "$DIR/recipe.yaml" >"$RECIPE"
fi
CACHE="$BENCH/data/cache"
mkdir -p "$BENCH/results"
TSV="$BENCH/results/scaling-n$N-$(date -u +%Y%m%dT%H%M%SZ).tsv"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/d4c-scaling-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export D4C_JAVA_OPTS="${D4C_JAVA_OPTS:-}${HEAP:+ -Xmx$HEAP}"
"$ROOT/d4c" --version >/dev/null
# Untimed: the first build after ./d4c built its jars makes the launcher's class-data archive (~10 s, once).
if [ "${D4C_CDS:-1}" = 1 ] && ! [ -f "$ROOT/pipelines/target/d4c-pipelines.jsa" ]; then
  "$ROOT/d4c" build "$RECIPE" --out "$WORK/warm-up" --cache "$CACHE" >"$WORK/warm-up.log" 2>&1 \
    || { tail -n 30 "$WORK/warm-up.log" >&2; exit 1; }
  rm -rf "$WORK/warm-up"
fi
say "machine: $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); heap ${HEAP:-default}; input $N features"
printf 'runner\tparallelism\twall_s\tpeak_rss_mb\tfeatures_per_s\tper_worker\tload1\tfiles\n' | tee "$TSV"

hashes() { (cd "$1" && find . -name '*.parquet' | sort | while read -r f; do echo "${f#./}=$(sha256sum "$f" | cut -c1-16)"; done | tr '\n' ' '); }

# build RUNNER P: one timed ./d4c build.
build() {
  local runner=$1 p=$2 out="$WORK/out" args=() load
  rm -rf "$out"
  [ "$runner" = flink ] && args=(--runner flink --flink-master '[local]')
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$ROOT/d4c" build "$RECIPE" --out "$out" --cache "$CACHE" \
    --parallelism "$p" "${args[@]}" >"$WORK/log" 2>&1 || { tail -n 30 "$WORK/log" >&2; exit 1; }
  local wall rss
  read -r wall rss <"$WORK/time"
  awk -v r="$runner" -v p="$p" -v w="$wall" -v m="$rss" -v n="$N" -v l="$load" -v h="$(hashes "$out")" \
    'BEGIN { printf "%s\t%d\t%.2f\t%d\t%.0f\t%.0f\t%s\t%s\n", r, p, w, m / 1024, n / w, n / w / p, l, h }' | tee -a "$TSV"
}

for p in $DIRECT_PS; do build direct "$p"; done
for p in $FLINK_PS; do build flink "$p"; done

if [ "${CLUSTER:-0}" = 1 ]; then
  say "building the job jar and the test class path (reactor, target/ only)"
  (cd "$ROOT" && mvn -B -q -o -Dstyle.color=never -Dd4c.gdal.dir="$GDAL" -Pjobjar -DskipTests -pl pipelines -am \
    package dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/cp.txt" >/dev/null)
  CP="$ROOT/pipelines/target/test-classes:$ROOT/pipelines/target/classes:$(cat "$WORK/cp.txt")"
  java ${D4C_JAVA_OPTS:-} -Djava.library.path="$GDAL" -Dd4c.gdal.dir="$GDAL" -Dd4c.home="$ROOT" -cp "$CP" \
    org.d4c.pipelines.build.FlinkClusterBench "$RECIPE" "$WORK/cluster" "$ROOT/pipelines/target/d4c-job.jar" "$N" \
    $CLUSTER_PS | tee -a "$TSV"
fi
say "results: ${TSV#"$ROOT"/}"
