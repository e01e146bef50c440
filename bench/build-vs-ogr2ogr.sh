#!/usr/bin/env bash
# Build benchmark: `./d4c build` (GPKG -> sorted GeoParquet, Direct runner) against `ogr2ogr -f FlatGeobuf`
# (GPKG -> FlatGeobuf, the nearest binary-to-binary conversion Debian's GDAL 3.6 can do: it has no Parquet driver)
# on the same synthetic input, alternating, R repetitions each. Wall time and peak RSS come from /usr/bin/time.
#
#   bench/build-vs-ogr2ogr.sh                    N=1,000,000 features, R=3, plus the memory check (250k and 1M)
#   N=20000 bench/build-vs-ogr2ogr.sh            a quick try (no memory check)
#   N=250000 R=5 MEM_NS="100000 250000" bench/build-vs-ogr2ogr.sh
#
# Environment:
#   N             features (default 1000000)
#   R             repetitions (default 3)
#   MEM_NS        sizes at which d4c's peak RSS is measured once more (default "250000 1000000" when N=1000000,
#                 else none; a size equal to N reuses the main runs)
#   SEED          seed of the generator (default 20240601)
#   PREPARE_ONLY  when set, generate and lock the inputs, then stop
#   D4C_JAVA_OPTS passed on to ./d4c as usual (e.g. -Xmx2g)
#   D4C_REF       when set (e.g. D4C_REF=HEAD), benchmark a clean clone of that commit, made in
#                 ${TMPDIR:-/tmp}/d4c-bench-COMMIT and built there by its own ./d4c (which, like any ./d4c build,
#                 installs its jars into ~/.m2), instead of this work tree: edits made while the benchmark runs
#                 (which make ./d4c rebuild itself) then cannot disturb it
#
# Inputs are generated once and cached under bench/data/ (git-ignored); raw results go to bench/results/ as TSV,
# and a Markdown table is printed at the end (also saved beside the TSV).
#
# Tools compared (each run removes its output first):
#   d4c          ./d4c build RECIPE --out DIR            Hilbert-sorted GeoParquet + manifest (JVM start-up included)
#   fgb          ogr2ogr -f FlatGeobuf out.fgb in.gpkg   GDAL's default for FlatGeobuf is SPATIAL_INDEX=YES, which
#                                                        sorts the features along a Hilbert curve and packs an R-tree
#   fgb-noindex  ... -lco SPATIAL_INDEX=NO               a plain copy in source order
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
N=${N:-1000000}
R=${R:-3}
SEED=${SEED:-20240601}
if [ -z "${MEM_NS+x}" ]; then
  if [ "$N" = 1000000 ]; then MEM_NS="250000 1000000"; else MEM_NS=""; fi
fi
PY=/usr/bin/python3
TIME=/usr/bin/time

say() { echo "[bench] $*" >&2; }
die() { echo "[bench] error: $*" >&2; exit 1; }

[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer, got '$N'"
[[ "$R" =~ ^[1-9][0-9]*$ ]] || die "R must be a positive integer, got '$R'"
for m in $MEM_NS; do [[ "$m" =~ ^[1-9][0-9]*$ ]] || die "MEM_NS must hold positive integers, got '$m'"; done
command -v ogr2ogr >/dev/null || die "ogr2ogr not found: install GDAL (sudo apt-get install gdal-bin)"
[ -x "$TIME" ] || die "$TIME not found: install GNU time (sudo apt-get install time)"
[ -x "$PY" ] || die "$PY not found: install Python 3 (sudo apt-get install python3)"
[ -x "$ROOT/d4c" ] || die "$ROOT/d4c not found or not executable"
D4C_DIR=$ROOT
if [ -n "${D4C_REF:-}" ]; then
  command -v git >/dev/null || die "D4C_REF needs git"
  commit=$(git -C "$ROOT" rev-parse --verify "$D4C_REF^{commit}" 2>/dev/null) || die "D4C_REF=$D4C_REF is not a commit of $ROOT"
  D4C_DIR="${TMPDIR:-/tmp}/d4c-bench-$commit"
  if [ ! -x "$D4C_DIR/d4c" ]; then
    say "cloning commit ${commit:0:12} into $D4C_DIR"
    rm -rf "$D4C_DIR"
    git clone -q --no-checkout "$ROOT" "$D4C_DIR"
    git -C "$D4C_DIR" checkout -q --detach "$commit"
  fi
fi
D4C="$D4C_DIR/d4c"
command -v ogrinfo >/dev/null || die "ogrinfo not found: install GDAL (sudo apt-get install gdal-bin)"
FORMATS=$(ogrinfo --formats)
grep -q '^ *FlatGeobuf' <<<"$FORMATS" || die "this GDAL has no FlatGeobuf driver"
grep -q '^ *CSV' <<<"$FORMATS" || die "this GDAL has no CSV driver"

DATA="$BENCH/data"
CACHE="$DATA/cache"          # d4c's source cache for the benchmark, so ~/.cache/d4c is left alone
RESULTS="$BENCH/results"
WORK="$RESULTS/work"
mkdir -p "$DATA" "$RESULTS" "$WORK"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
TSV="$RESULTS/build-n$N-$STAMP.tsv"
LOGS="$RESULTS/logs-n$N-$STAMP"
mkdir -p "$LOGS"

# --- input: N features as GPKG and a locked recipe, made once -----------------------------------------------------
# prepare SIZE: sets DIR to bench/data/nSIZE-sSEED holding features.gpkg and recipe.yaml (locked).
prepare() {
  local n=$1
  DIR="$DATA/n$n-s$SEED"
  if [ -f "$DIR/.complete" ]; then
    return 0
  fi
  say "generating $n features (seed $SEED) into ${DIR#"$ROOT"/}"
  rm -rf "$DIR"
  mkdir -p "$DIR"
  "$PY" "$BENCH/gen_features.py" "$n" "$DIR/features.csv" "$SEED"
  # OGR_CURRENT_DATE fixes the timestamp GPKG stores in gpkg_contents, so the file is the same bytes every time.
  OGR_CURRENT_DATE=2000-01-01T00:00:00Z ogr2ogr -q -f GPKG "$DIR/features.gpkg" "$DIR/features.csv" \
    -nln features -a_srs EPSG:4326 -nlt GEOMETRY -lco GEOMETRY_NAME=geom -lco FID=fid \
    -oo GEOM_POSSIBLE_NAMES=wkt -oo KEEP_GEOM_COLUMNS=NO
  rm -f "$DIR/features.csv" "$DIR/features.csvt"
  cat >"$DIR/recipe.yaml" <<EOF
# Synthetic benchmark input made by bench/build-vs-ogr2ogr.sh: $n features (half points, half small squares and
# pentagons) over Canada's bounding box, seed $SEED.
dataset: bench-synthetic
version: 1.0.0
title: Synthetic benchmark features ($n)
license: CC0-1.0
crs: OGC:CRS84
max_reject_fraction: 0
sources:
  - id: synthetic
    urls: [features.gpkg]
    layer: features
outputs:
  - name: features
    source: synthetic
EOF
  say "locking ${DIR#"$ROOT"/}/recipe.yaml"
  "$D4C" lock "$DIR/recipe.yaml" --cache "$CACHE" >"$DIR/lock.log" 2>&1 || { cat "$DIR/lock.log" >&2; die "d4c lock failed"; }
  touch "$DIR/.complete"
}

# --- one timed run ----------------------------------------------------------------------------------------------
printf 'tool\tn\trep\twall_s\tpeak_rss_kb\tfeatures_per_s\tpipeline_s\tload1\tstarted_utc\n' >"$TSV"

# run TOOL SIZE REP: times one run of TOOL on the SIZE input and appends a TSV row.
run() {
  local tool=$1 n=$2 rep=$3 dir="$DATA/n$2-s$SEED" out log tfile load started pipeline=""
  log="$LOGS/$tool-n$n-r$rep.log"
  tfile="$WORK/time.txt"
  load=$(cut -d' ' -f1 /proc/loadavg)
  started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  rm -f "$tfile"
  case "$tool" in
    d4c)
      out="$WORK/d4c-out"
      rm -rf "$out"
      # Untimed: lets ./d4c rebuild its jars now if sources changed, so that never lands inside a timed run.
      "$D4C" --version >"$log" 2>&1 || { cat "$log" >&2; die "./d4c --version failed"; }
      "$TIME" -f '%e %M' -o "$tfile" "$D4C" build "$dir/recipe.yaml" --out "$out" --cache "$CACHE" >>"$log" 2>&1 \
        || { tail -n 30 "$log" >&2; die "d4c build failed (n=$n, rep $rep): see $log"; }
      pipeline=$(sed -n 's/^ *"seconds" *: *\([0-9.]*\).*/\1/p' "$out/run.json")
      ;;
    fgb | fgb-noindex)
      out="$WORK/out.fgb"
      rm -f "$out"
      local lco=()
      [ "$tool" = fgb-noindex ] && lco=(-lco SPATIAL_INDEX=NO)
      "$TIME" -f '%e %M' -o "$tfile" ogr2ogr -f FlatGeobuf "$out" "$dir/features.gpkg" "${lco[@]}" >"$log" 2>&1 \
        || { tail -n 30 "$log" >&2; die "ogr2ogr failed (n=$n, rep $rep): see $log"; }
      ;;
    *) die "unknown tool $tool" ;;
  esac
  local wall rss fps
  read -r wall rss <"$tfile"
  fps=$(awk -v n="$n" -v t="$wall" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$n" "$rep" "$wall" "$rss" "$fps" "$pipeline" "$load" "$started" >>"$TSV"
  say "  $tool n=$n rep $rep: ${wall}s, peak RSS $((rss / 1024)) MB${pipeline:+, in-pipeline ${pipeline}s} (load $load)"
}

# --- the comparison -----------------------------------------------------------------------------------------------
prepare "$N"
MAIN_DIR=$DIR
for m in $MEM_NS; do prepare "$m"; done
if [ -n "${PREPARE_ONLY:-}" ]; then
  say "inputs ready under ${DATA#"$ROOT"/}/ (PREPARE_ONLY set: nothing timed)"
  rm -f "$TSV"; rmdir "$LOGS" 2>/dev/null || true
  exit 0
fi
say "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM; load now $(cut -d' ' -f1-3 /proc/loadavg)"
say "d4c: $D4C_DIR at $(git -C "$D4C_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$D4C_DIR" status --porcelain 2>/dev/null | grep -q . && echo ' (work tree has uncommitted changes)')"
say "input: ${MAIN_DIR#"$ROOT"/}/features.gpkg ($(du -h "$MAIN_DIR/features.gpkg" | cut -f1)); results: ${TSV#"$ROOT"/}"
cat "$MAIN_DIR/features.gpkg" >/dev/null   # the first run should not be the only one reading from disk
# Untimed: the first build after ./d4c built its jars makes the launcher's class-data archive (~10 s, once), which
# later builds map (D4C_CDS=0 benchmarks without it).
if [ "${D4C_CDS:-1}" = 1 ] && ! [ -f "$D4C_DIR/pipelines/target/d4c-pipelines.jsa" ]; then
  say "untimed warm-up build (the launcher's class-data archive)"
  "$D4C" build "$MAIN_DIR/recipe.yaml" --out "$WORK/warm-up" --cache "$CACHE" >"$LOGS/warm-up.log" 2>&1 \
    || { tail -n 30 "$LOGS/warm-up.log" >&2; die "the warm-up build failed: see $LOGS/warm-up.log"; }
  rm -rf "$WORK/warm-up"
fi

TOOLS=(d4c fgb fgb-noindex)
for ((rep = 1; rep <= R; rep++)); do
  say "repetition $rep of $R"
  # Rotate the order each repetition, so no tool always runs first (cold) or right after another's I/O.
  for ((k = 0; k < ${#TOOLS[@]}; k++)); do
    run "${TOOLS[$(((k + rep - 1) % ${#TOOLS[@]}))]}" "$N" "$rep"
  done
done

for m in $MEM_NS; do
  [ "$m" = "$N" ] && continue
  say "memory check: d4c at n=$m"
  cat "$DATA/n$m-s$SEED/features.gpkg" >/dev/null
  run d4c "$m" 1
done

rm -rf "$WORK"
MD="${TSV%.tsv}.md"
"$PY" "$BENCH/summarize_build.py" "$TSV" "$N" $MEM_NS >"$MD"
say "raw results: ${TSV#"$ROOT"/}; table: ${MD#"$ROOT"/}"
cat "$MD"
