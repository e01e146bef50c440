#!/usr/bin/python3
"""Markdown summary of a bench/build-vs-ogr2ogr.sh TSV: medians per tool, ratios to d4c, peak RSS by size.

usage: summarize_build.py RESULTS.tsv N [MEM_N ...]
"""
import csv
import statistics
import sys

LABELS = {
    "d4c": "`./d4c build` (GeoParquet, Hilbert-sorted)",
    "fgb": "`ogr2ogr -f FlatGeobuf` (default SPATIAL_INDEX=YES: Hilbert-sorted + R-tree)",
    "fgb-noindex": "`ogr2ogr -f FlatGeobuf -lco SPATIAL_INDEX=NO` (source order)",
}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    with open(sys.argv[1], newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    n = sys.argv[2]
    mem_ns = sys.argv[3:]
    main_rows = [r for r in rows if r["n"] == n]

    def vals(tool, col):
        return [float(r[col]) for r in main_rows if r["tool"] == tool and r[col] != ""]

    def med(tool, col):
        v = vals(tool, col)
        return statistics.median(v) if v else None

    reps = max((int(r["rep"]) for r in main_rows), default=0)
    d4c_wall = med("d4c", "wall_s")
    d4c_pipe = med("d4c", "pipeline_s")
    print(f"N = {int(n):,} features, median of {reps} alternating runs each (features/s and ratios from the medians)")
    print()
    print("| tool | wall s | fastest s | peak RSS MB | features/s | d4c wall / this | d4c in-pipeline / this |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for tool in ("d4c", "fgb", "fgb-noindex"):
        wall = med(tool, "wall_s")
        if wall is None:
            continue
        rss = med(tool, "peak_rss_kb") / 1024
        fps = int(n) / wall if wall > 0 else 0
        ratio = f"{d4c_wall / wall:.2f}" if tool != "d4c" else "1.00"
        pratio = f"{d4c_pipe / wall:.2f}" if tool != "d4c" and d4c_pipe else "–"
        fastest = min(vals(tool, "wall_s"))
        print(f"| {LABELS[tool]} | {wall:.2f} | {fastest:.2f} | {rss:,.0f} | {fps:,.0f} | {ratio} | {pratio} |")
    if d4c_pipe is not None:
        print()
        print(f"d4c in-pipeline time (run.json `seconds`, i.e. without JVM start-up and CLI set-up): "
              f"median {d4c_pipe:.2f} s, so start-up and set-up take about {d4c_wall - d4c_pipe:.1f} s of the "
              f"{d4c_wall:.2f} s wall time.")
    loads = [float(r["load1"]) for r in rows]
    if loads:
        print()
        print(f"1-minute load average at the start of the runs: {min(loads):.2f} to {max(loads):.2f} "
              f"(median {statistics.median(loads):.2f}).")
    if mem_ns:
        print()
        print("d4c peak RSS by input size (one run each; at the main size, the median of the runs above):")
        print()
        print("| features | wall s | peak RSS MB |")
        print("|---:|---:|---:|")
        for m in mem_ns:
            sel = [r for r in rows if r["tool"] == "d4c" and r["n"] == m]
            if not sel:
                continue
            wall = statistics.median(float(r["wall_s"]) for r in sel)
            rss = statistics.median(float(r["peak_rss_kb"]) for r in sel) / 1024
            print(f"| {int(m):,} | {wall:.2f} | {rss:,.0f} |")


if __name__ == "__main__":
    main()
