#!/usr/bin/env python3
"""Writes the boundaries example's fixtures, with the shape of Statistics Canada's files (numbers and shapes made up,
CC0-1.0): census subdivisions (a GeoPackage layer, one bow-tie polygon that is invalid), the dissemination
geographies relationship file (Latin-1 CSV, one row per dissemination area, so each subdivision repeats) and a CSV
of points with longitude/latitude columns. Run from this folder: python3 make_fixture.py (needs ogr2ogr)."""
import csv, io, json, os, random, subprocess

rng = random.Random(92150)
CDS = [("2466", "Montréal", "24", "Quebec", "Québec", "462", "Montréal"),
       ("2423", "Québec", "24", "Quebec", "Québec", "421", "Québec"),
       ("3520", "Toronto", "35", "Ontario", "Ontario", "535", "Toronto")]
CSD_NAMES = {"2466": ["Montréal", "Westmount", "Côte-Saint-Luc", "Dorval"],
             "2423": ["Québec", "Lévis", "L'Ancienne-Lorette"],
             "3520": ["Toronto", "Mississauga-Est", "Île-de-Toronto"]}
features, rel, csds = [], [], []
x0 = -80.0
for cd in CDS:
    for i, name in enumerate(CSD_NAMES[cd[0]]):
        csduid = f"{cd[0]}{i + 1:03d}"
        x, y = x0 + i * 1.0, 45.0
        ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
        if cd[0] == "2423" and i == 2:
            ring = [[x, y], [x + 1, y + 1], [x + 1, y], [x, y + 1], [x, y]]  # a bow-tie: invalid, repaired by the build
        features.append({"type": "Feature", "properties": {"CSDUID": csduid, "DGUID": "2021A0005" + csduid,
                         "CSDNAME": name, "LANDAREA": round(rng.uniform(10, 500), 4)},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
        for da in range(rng.randint(2, 4)):
            rel.append([f"{csduid}{da:04d}", "2021S0512" + f"{csduid}{da:04d}", csduid, "2021A0005" + csduid, name,
                        cd[0], "2021A0003" + cd[0], cd[1], cd[5], cd[6], cd[2], cd[3], cd[4], str(rng.randint(300, 3000))])
        csds.append((csduid, x, y))
    x0 += 5.0
if os.path.exists("census_subdivisions.gpkg"):
    os.remove("census_subdivisions.gpkg")
with open("/tmp/csd.geojson", "w", encoding="utf-8") as f:
    json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False)
subprocess.run(["ogr2ogr", "-f", "GPKG", "census_subdivisions.gpkg", "/tmp/csd.geojson", "-nln", "census_subdivisions",
                "-a_srs", "EPSG:4326"], check=True, env={**os.environ, "OGR_CURRENT_DATE": "2022-02-09T08:30:00Z"})
buf = io.StringIO()
w = csv.writer(buf, lineterminator="\r\n")
w.writerow(["DAUID", "DADGUID", "CSDUID", "CSDDGUID", "CSDNAME", "CDUID", "CDDGUID", "CDNAME", "CMAUID", "CMANAME",
            "PRUID", "PRENAME", "PRFNAME", "DAPOP_2021"])
for r in sorted(rel):
    w.writerow(r)
open("2021_92-150-X_eng_sample.csv", "wb").write(buf.getvalue().encode("latin-1"))
buf = io.StringIO()
w = csv.writer(buf, lineterminator="\n")
w.writerow(["id", "name", "kind", "lon", "lat"])
n = 0
for csduid, x, y in csds:
    for k in range(3):
        n += 1
        w.writerow([n, f"Établissement {n}", rng.choice(["hospital", "clinic", "closed"]),
                    f"{x + rng.uniform(0.05, 0.95):.5f}", f"{y + rng.uniform(0.05, 0.95):.5f}"])
w.writerow([n + 1, "Au large", "clinic", "-60.00000", "40.00000"])  # outside every subdivision: kept, with nulls
open("places.csv", "wb").write(buf.getvalue().encode("utf-8"))
