#!/usr/bin/env bash
# Catalog benchmark: a generated catalog of N items (default 100,000 in 1,000 collections), then
#   - the time to add one more item (in process, and as a `d4c catalog add` command with its JVM start),
#   - the warm latency of bbox, text, datetime and collection searches (median and p95 of 50 queries),
#   - a `d4c catalog search` command end to end.
# Figures go to bench/results/catalog-<N>.txt; docs/benchmarks.md ("Catalog") records a run.
#
#   bench/catalog-bench.sh [N] [COLLECTIONS] [WORKDIR]
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

{
  echo "# d4c catalog benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(java -version 2>&1 | head -1)"
  echo "items $N"
  echo "collections $COLLECTIONS"
  java -cp "$CP" org.d4c.catalog.CatalogBench "$WORK" "$N" "$COLLECTIONS"

  # The same through the command line: a fresh JVM each time, as a user runs it.
  VERSION="9$(date +%s).0.0"
  BUILD="$WORK/builds/cli-$VERSION"
  java -cp "$CP" org.d4c.catalog.CatalogBench --fixture "$BUILD" ds-0001 "$VERSION"
  t0=$(date +%s.%N)
  "$ROOT/d4c" catalog add "$BUILD" --catalog "$WORK/catalog" >/dev/null
  t1=$(date +%s.%N)
  echo "cli_catalog_add_s $(echo "$t1 - $t0" | bc)"
  t0=$(date +%s.%N)
  "$ROOT/d4c" catalog search --catalog "$WORK/catalog" --bbox -80,40,-79,41 --q roads >/dev/null
  t1=$(date +%s.%N)
  echo "cli_catalog_search_s $(echo "$t1 - $t0" | bc)"
  echo "catalog_folder_bytes $(du -sb "$WORK/catalog" | cut -f1)"
} | tee "$OUT"
echo "results: $OUT (work folder $WORK)"
