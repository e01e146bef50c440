#!/usr/bin/env bash
# Census-profile pivot: d4c (read a zip of Latin-1 long CSV files, pivot to one row per geography, narrow types,
# write zstd Parquet) against DuckDB doing the same read + PIVOT + COPY with its own SQL, side by side in one run,
# alternating which goes first. Figures: wall seconds and peak RSS (GNU time), medians of R runs, to a TSV.
#
#   N=50000 C=2000 K=8 R=3 bench/census-pivot-vs-duckdb.sh     # the realistic size: 100 M long rows (~4 GB)
#   N=2000 C=2000 K=4 R=1 bench/census-pivot-vs-duckdb.sh      # quick try
#   RUNNER=flink bench/census-pivot-vs-duckdb.sh               # d4c on the Flink mini-cluster
#   PROFILE=1 ...                                                # also a JFR recording of d4c's last run, and its
#                                                                # hottest methods (bench/jfr-top.py) in the results
# Needs the jars built first (the script's `./d4c lock` builds them; offline: D4C_MAVEN_ARGS=-o).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-50000}; C=${C:-2000}; K=${K:-8}; R=${R:-3}; RUNNER=${RUNNER:-direct}
DATA=bench/data/census-$N-$C-$K
RES=bench/results; mkdir -p "$RES" "$DATA"
if [ ! -f "$DATA/done" ]; then
  python3 bench/gen_census_long.py "$DATA/csv" "$N" "$C" "$K"
  # Stored (not deflated) members: d4c reads them in place, in parallel byte ranges, as DuckDB reads the files.
  (cd "$DATA/csv" && rm -f ../profile.zip && zip -q -0 ../profile.zip ./*.csv)
  touch "$DATA/done"
fi
cat > "$DATA/recipe.yaml" <<YAML
dataset: census-bench
version: 1.0.0
title: Census pivot benchmark
license: CC0-1.0
datetime: 2022-02-09
sources:
  - id: long
    urls: [profile.zip]
    path: "98-401-X2021006_English_CSV_data_*.csv"
    encoding: ISO-8859-1
    null_values: [x, "..", "...", F]
outputs:
  - name: profile
    source: long
    geometry: none
    select: [DGUID, CHARACTERISTIC_ID, C1_COUNT_TOTAL, C2_COUNT_MEN+, C3_COUNT_WOMEN+]
    rename: {DGUID: dguid, CHARACTERISTIC_ID: characteristic_id, C1_COUNT_TOTAL: count_total,
             C2_COUNT_MEN+: count_men, C3_COUNT_WOMEN+: count_women}
    steps:
      - pivot: {key: [dguid], columns: characteristic_id, values: [count_total, count_men, count_women],
                name: "{value}_{column}", duplicates: first}
      - narrow_types: true
YAML
D4C=${D4C:-./d4c}   # or a command that runs the d4c jars already built (the timed runs must not build)
$D4C lock "$DATA/recipe.yaml" --cache "$DATA/cache" >/dev/null
DUCK_JAR=$(ls ~/.m2/repository/org/duckdb/duckdb_jdbc/*/duckdb_jdbc-*.jar | tail -1)
cat > "$DATA/DuckPivot.java" <<JAVA
import java.sql.*;
public class DuckPivot {
  public static void main(String[] a) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET preserve_insertion_order = false");
      s.execute("COPY (PIVOT (SELECT DGUID AS dguid, CHARACTERISTIC_ID AS characteristic_id, C1_COUNT_TOTAL AS count_total,"
        + " \"C2_COUNT_MEN+\" AS count_men, \"C3_COUNT_WOMEN+\" AS count_women FROM read_csv('" + a[0] + "/*.csv',"
        + " encoding='latin-1', header=true, nullstr=['x','..','...','F',''])) ON characteristic_id"
        + " USING first(count_total) AS count_total, first(count_men) AS count_men, first(count_women) AS count_women"
        + " GROUP BY dguid ORDER BY dguid) TO '" + a[1] + "' (FORMAT parquet, COMPRESSION zstd)");
    }
  }
}
JAVA
TSV=$RES/census-pivot-$N-$C-$K-$RUNNER${TAG:+-$TAG}.tsv
echo -e "run\ttool\twall_s\tcpu_s\tpeak_rss_mb\tload1" > "$TSV"
echo "before: $(uptime)" | tee "$TSV.load"
JFR_OPTS=""
[ "${PROFILE:-0}" = 1 ] && JFR_OPTS="-XX:StartFlightRecording=filename=$DATA/d4c.jfr,settings=profile"
run_d4c() { rm -rf "$DATA/out-d4c"; D4C_JAVA_OPTS="${D4C_JAVA_OPTS:-} $JFR_OPTS" /usr/bin/time -f '%e %U %S %M' -o "$DATA/t" $D4C build "$DATA/recipe.yaml" --out "$DATA/out-d4c" --cache "$DATA/cache" --runner "$RUNNER" >/dev/null 2>"$DATA/d4c.err" || { cat "$DATA/d4c.err"; exit 1; }; }
run_duck() { rm -f "$DATA/duck.parquet"; /usr/bin/time -f '%e %U %S %M' -o "$DATA/t" java -cp "$DUCK_JAR" "$DATA/DuckPivot.java" "$DATA/csv" "$DATA/duck.parquet"; }
for i in $(seq 1 "$R"); do
  order="d4c duck"; [ $((i % 2)) -eq 0 ] && order="duck d4c"
  for tool in $order; do
    "run_$tool"
    read -r wall user sys rss < "$DATA/t"
    cpu=$(python3 -c "print(round($user + $sys, 1))")
    echo -e "$i\t$tool\t$wall\t$cpu\t$((rss / 1024))\t$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$TSV"
  done
done
echo "after: $(uptime)" | tee -a "$TSV.load"
if [ "${PROFILE:-0}" = 1 ]; then
  jfr print --events jdk.ExecutionSample "$DATA/d4c.jfr" > "$DATA/samples.txt"
  python3 bench/jfr-top.py "$DATA/samples.txt" | tee "$RES/census-pivot-$N-$C-$K-$RUNNER.profile.txt"
fi
python3 - "$TSV" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
med = {t: (statistics.median(float(r["wall_s"]) for r in rows if r["tool"] == t),
           statistics.median(float(r["cpu_s"]) for r in rows if r["tool"] == t),
           statistics.median(float(r["peak_rss_mb"]) for r in rows if r["tool"] == t)) for t in ("d4c", "duck")}
for t, (w, c, m) in med.items():
    print(f"{t}\tmedian wall {w:.1f} s\tCPU {c:.1f} s\tmedian peak RSS {m:.0f} MB")
print(f"d4c / DuckDB wall: {med['d4c'][0] / med['duck'][0]:.2f}x, CPU: {med['d4c'][1] / med['duck'][1]:.2f}x")
PY
