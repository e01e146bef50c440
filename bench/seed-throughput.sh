#!/usr/bin/env bash
# Seeder benchmarks (results: docs/benchmarks.md, "## Seeder").
#   1. Planner cost: re-plan 1,000 torrents x 4,000 pieces (target < 1 s), median of 7 runs.
#   2. Seeding throughput to one python3-libtorrent client on loopback, 1 GiB dataset (not automated yet: see docs).
# Usage: bench/seed-throughput.sh   (from the repository root; needs the seeder's test classes built:
#   mvn -B -o -pl seeder -am test-compile -Dd4c.gdal.dir=...)
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file=seeder/target/test-classpath.txt
[ -f "$cp_file" ] || { echo "build the seeder test classes first (mvn -pl seeder -am test-compile)" >&2; exit 1; }
java -Xmx4g -cp "seeder/target/test-classes:seeder/target/classes:$(cat "$cp_file")" org.d4c.seeder.plan.PlannerBench 1000 4000 7
