#!/usr/bin/env bash
# Catalog benchmark: a generated catalog of N items (default 100,000 in 1,000 collections), then
#   - the time to add one more item (in process, and as a `d4c catalog add` command with its JVM start),
#   - the warm latency of bbox, text, datetime and collection searches (median and p95 of 50 queries),
#   - a `d4c catalog search` command end to end.
# Figures go to bench/results/catalog-<N>.txt; docs/benchmarks.md ("Catalog") records a run.
#
#   bench/catalog-bench.sh [N] [COLLECTIONS] [WORKDIR]
#   COLD_ONLY=1 R=3 bench/catalog-bench.sh N COLLECTIONS WORKDIR   the command-line part again on WORKDIR's catalog
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
N=${1:-100000}
COLLECTIONS=${2:-1000}
WORK=${3:-$(mktemp -d /tmp/d4c-catalog-bench-XXXXXX)}
OUT="$HERE/results/catalog-$N.txt"
mkdir -p "$HERE/results" "$WORK"

cd "$ROOT"
GDAL=${D4C_GDAL_DIR:-$HOME/.cache/d4c/gdal/3.6.2}
# Built by the reactor into target/ folders only (never installed into ~/.m2); the class path written last is the
# catalog module's, as the reactor builds it after everything it depends on.
"$ROOT/d4c" --version >/dev/null
mvn -B -q -o -Dstyle.color=never -Dd4c.gdal.dir="$GDAL" -pl catalog -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
CP="catalog/target/test-classes:catalog/target/classes:$(cat "$WORK/cp.txt")"

# cli_runs WORK: cold `d4c catalog add` and `d4c catalog search`, R times each with the archive off and on.
cli_runs() {
  local work=$1 r cds t0 t1 version build
  version="8$(date +%s%N | cut -c1-15).0.0"
  java -cp "$CP" org.d4c.catalog.CatalogBench --fixture "$work/builds/cli-$version" ds-0001 "$version"
  "$ROOT/d4c" catalog add "$work/builds/cli-$version" --catalog "$work/catalog" >/dev/null   # trains the archive
  for ((r = 1; r <= ${R:-3}; r++)); do
    for cds in 0 1; do
      version="9$(date +%s%N | cut -c1-15).0.0"
      build="$work/builds/cli-$version"
      java -cp "$CP" org.d4c.catalog.CatalogBench --fixture "$build" ds-0001 "$version"
      t0=$(date +%s.%N)
      D4C_CDS=$cds "$ROOT/d4c" catalog add "$build" --catalog "$work/catalog" >/dev/null
      t1=$(date +%s.%N)
      echo "cli_catalog_add_s cds=$cds $(echo "$t1 - $t0" | bc) load $(cut -d' ' -f1 /proc/loadavg)"
      t0=$(date +%s.%N)
      D4C_CDS=$cds "$ROOT/d4c" catalog search --catalog "$work/catalog" --bbox -80,40,-79,41 --q roads >/dev/null
      t1=$(date +%s.%N)
      echo "cli_catalog_search_s cds=$cds $(echo "$t1 - $t0" | bc) load $(cut -d' ' -f1 /proc/loadavg)"
    done
  done
}

if [ -n "${COLD_ONLY:-}" ]; then
  # Only the command-line part, on the catalog a previous run left in WORK.
  [ -f "$WORK/catalog/catalog.parquet" ] || { echo "no catalog in $WORK: run without COLD_ONLY first" >&2; exit 1; }
  cli_runs "$WORK" | tee "$HERE/results/catalog-cold-$N.txt"
  exit 0
fi

{
  echo "# d4c catalog benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(java -version 2>&1 | head -1)"
  echo "items $N"
  echo "collections $COLLECTIONS"
  java -cp "$CP" org.d4c.catalog.CatalogBench "$WORK" "$N" "$COLLECTIONS"

  # The same through the command line: a fresh JVM each time, as a user runs it, R times with and without the
  # class-data sharing archive (D4C_CDS=0), alternating. An untimed run first trains the archive.
  cli_runs "$WORK"
  echo "catalog_folder_bytes $(du -sb "$WORK/catalog" | cut -f1)"
} | tee "$OUT"
echo "results: $OUT (work folder $WORK)"
