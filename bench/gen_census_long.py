#!/usr/bin/env python3
"""Census-profile-like long CSV files for the pivot benchmark: N geographies x C characteristics, one row each,
split over K Latin-1 files (geographies dealt out in order), with suppression markers and the national row repeated
in every file. Deterministic (fixed seed). Usage: gen_census_long.py OUT_DIR N C K"""
import os, random, sys

out, n, c, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
os.makedirs(out, exist_ok=True)
rng = random.Random(98401)
vals = [str(v) for v in range(0, 20000)]
markers = ["x", "..", "...", "F", ""]
header = "DGUID,GEO_NAME,CHARACTERISTIC_ID,C1_COUNT_TOTAL,SYMBOL,C2_COUNT_MEN+,SYMBOL,C3_COUNT_WOMEN+,SYMBOL\n"
per = (n + k - 1) // k
for f in range(k):
    with open(os.path.join(out, f"98-401-X2021006_English_CSV_data_{f:02d}.csv"), "w", encoding="latin-1",
              newline="") as w:
        w.write(header)
        geos = [("2021A000011124", "Canada")] + [(f"2021A0005{g:07d}", f"Municipalité {g}")
                                                  for g in range(f * per, min(n, (f + 1) * per))]
        buf = []
        for dguid, name in geos:
            for ch in range(1, c + 1):
                a = rng.random()
                t = vals[rng.randrange(20000)] if a > 0.03 else markers[rng.randrange(5)]
                buf.append(f"{dguid},{name},{ch},{t},,{vals[rng.randrange(10000)]},,{vals[rng.randrange(10000)]},\n")
            if len(buf) > 200000:
                w.write("".join(buf)); buf = []
        w.write("".join(buf))
