#!/usr/bin/env bash
# Publish benchmark: a SIZE_MIB file (default 2048) of random bytes, ROUNDS rounds (default 3) of
#   - upload to one s3proxy on loopback: `rclone copy` vs d4c's S3 mirror (SHA-256 per part and object, checked back),
#   - torrent creation with the same piece size: `mktorrent -t 2` vs d4c's TorrentMaker on 2 threads.
# Figures go to bench/results/publish-<SIZE_MIB>.txt; docs/benchmarks.md ("Publish") records a run.
#
#   bench/publish-bench.sh [SIZE_MIB] [ROUNDS] [WORKDIR]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
SIZE=${1:-2048}
ROUNDS=${2:-3}
WORK=${3:-$(mktemp -d /tmp/d4c-publish-bench-XXXXXX)}
OUT="$HERE/results/publish-$SIZE.txt"
mkdir -p "$HERE/results" "$WORK"
for tool in rclone mktorrent; do
  command -v $tool >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q rclone mktorrent >/dev/null; }
done

cd "$ROOT"
GDAL=${D4C_GDAL_DIR:-$HOME/.cache/d4c/gdal/3.6.2}
# Built by the reactor into target/ folders only (never installed into ~/.m2); the class path written last is the
# publisher module's, as the reactor builds it after everything it depends on.
mvn -B -q -o -Dstyle.color=never -Dd4c.gdal.dir="$GDAL" -pl publisher -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
CP="publisher/target/test-classes:publisher/target/classes:$(cat "$WORK/cp.txt")"
[ -f "$WORK/big.bin" ] || head -c "$((SIZE * 1024 * 1024))" /dev/urandom > "$WORK/big.bin"
cat "$WORK/big.bin" > /dev/null # in the page cache for every contender

{
  echo "# d4c publish benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg),"
  echo "# $(java -version 2>&1 | head -1), $(rclone version 2>/dev/null | head -1), $(mktorrent -h 2>&1 | head -1)"
  java -Xmx1g -Dlibtorrent4j.jni.path="$ROOT/publisher/target/native/lib/x86_64/libtorrent4j.so" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" org.d4c.publisher.publish.PublishBench "$WORK/big.bin" "$WORK" "$ROUNDS"
} | tee "$OUT"
echo "written to $OUT (work folder $WORK)"
