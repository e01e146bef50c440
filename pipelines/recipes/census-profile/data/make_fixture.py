#!/usr/bin/env python3
"""Writes the census-profile example's fixtures: small files with the shape of Statistics Canada's real ones.

98-401-X2021006_CSV.zip holds three Latin-1 CSV files in long form (one row per geography and characteristic), with
the real files' quirks: a SYMBOL column after every count, '+' in column names, suppression markers (x, .., ..., F)
and the national row repeated in every file. boundaries.gpkg holds two boundary layers (provinces, census divisions)
with DGUIDs. The numbers are made up (a fixed seed); the files are CC0-1.0. Needs only Python and ogr2ogr.

Run from this folder: python3 make_fixture.py
"""
import csv, io, json, random, subprocess, zipfile, os

rng = random.Random(2021)
HEADER = ["CENSUS_YEAR", "DGUID", "ALT_GEO_CODE", "GEO_LEVEL", "GEO_NAME", "TNR_SF", "TNR_LF", "DATA_QUALITY_FLAG",
          "CHARACTERISTIC_ID", "CHARACTERISTIC_NAME", "CHARACTERISTIC_NOTE", "C1_COUNT_TOTAL", "SYMBOL",
          "C2_COUNT_MEN+", "SYMBOL", "C3_COUNT_WOMEN+", "SYMBOL", "C10_RATE_TOTAL", "SYMBOL", "C11_RATE_MEN+", "SYMBOL",
          "C12_RATE_WOMEN+", "SYMBOL"]
CHARACTERISTICS = [(1, "Population, 2021"), (2, "Population, 2016"), (3, "Population percentage change, 2016 to 2021"),
                   (4, "Total private dwellings"), (5, "Population density per square kilometre"),
                   (6, "Land area in square kilometres"), (8, "Total - Age groups of the population - 100% data"),
                   (9, "  0 to 14 years"), (10, "    0 to 4 years"), (11, "    5 to 9 years"),
                   (12, "Average age of the population"), (13, "Knowledge of official languages:\nFrench only")]
CANADA = ("2021A000011124", "01", "Country", "Canada")
REGIONS = {
    "Atlantic": [("2021A000210", "10", "Province", "Newfoundland and Labrador"),
                 ("2021A000211", "11", "Province", "Île-du-Prince-Édouard / Prince Edward Island"),
                 ("2021A00031001", "1001", "Census division", "Division No.  1"),
                 ("2021A00031101", "1101", "Census division", "Kings")],
    "Quebec": [("2021A000224", "24", "Province", "Québec"),
               ("2021A00032466", "2466", "Census division", "Montréal"),
               ("2021A00032423", "2423", "Census division", "Québec"),
               ("2021A00032494", "2494", "Census division", "Le Saguenay-et-son-Fjord")],
    "Ontario": [("2021A000235", "35", "Province", "Ontario"),
                ("2021A00033520", "3520", "Census division", "Toronto"),
                ("2021A00033506", "3506", "Census division", "Ottawa")],
}
MARKERS = ["x", "..", "...", "F"]


def cell():
    r = rng.random()
    if r < 0.06:
        return rng.choice(MARKERS), "A"
    if r < 0.08:
        return "", ""
    return str(rng.randint(0, 40000)), ""


national = {}
for cid, _ in CHARACTERISTICS:
    national[cid] = [cell() for _ in range(3)] + [(f"{rng.uniform(0, 100):.1f}", "") for _ in range(3)]


def rows(geos, with_canada=True):
    out = []
    if with_canada:
        for cid, name in CHARACTERISTICS:
            out.append(row(CANADA, cid, name, national[cid]))
    for g in geos:
        for cid, name in CHARACTERISTICS:
            if g[2] == "Census division" and cid == 13 and g[1] == "1101":
                continue  # a characteristic missing for one geography: its cell is null
            out.append(row(g, cid, name, [cell() for _ in range(3)] + [(f"{rng.uniform(0, 100):.1f}", "") for _ in range(3)]))
    return out


def row(g, cid, name, values):
    r = ["2021", g[0], g[1], g[2], g[3], "4", "3.1", "00000", str(cid), name, "" if cid != 3 else "1"]
    for v, sym in values:
        r += [v, sym]
    return r


members = {}
for region, geos in REGIONS.items():
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    w.writerow(HEADER)
    for r in rows(geos):
        w.writerow(r)
    members[f"98-401-X2021006_English_CSV_data_{region}.csv"] = buf.getvalue().encode("latin-1")

with zipfile.ZipFile("98-401-X2021006_CSV.zip", "w", compression=zipfile.ZIP_DEFLATED) as z:
    for name in sorted(members):
        info = zipfile.ZipInfo(name, date_time=(2022, 2, 9, 8, 30, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        z.writestr(info, members[name])
    info = zipfile.ZipInfo("README.txt", date_time=(2022, 2, 9, 8, 30, 0))
    z.writestr(info, b"Census Profile sample (made-up numbers with the shape of 98-401-X2021006).\r\n")

# Boundaries: squares laid out on a grid, provinces and census divisions as two layers.
def square(x, y, s):
    return {"type": "Polygon", "coordinates": [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]]}

layers = {"provinces": [], "census_divisions": []}
px = -80.0
for region, geos in REGIONS.items():
    cy = 45.0
    for g in geos:
        if g[2] == "Province":
            layers["provinces"].append({"type": "Feature", "properties": {"DGUID": g[0], "PRUID": g[1], "PRNAME": g[3]},
                                        "geometry": square(px, 44.0, 3.0)})
        else:
            layers["census_divisions"].append({"type": "Feature", "properties": {"DGUID": g[0], "CDUID": g[1], "CDNAME": g[3]},
                                               "geometry": square(px + 0.5, cy, 0.8)})
            cy += 0.9
    px += 4.0
# A census division with no profile row: the semi-join leaves it out of nothing, the profile keeps only matches.
layers["census_divisions"].append({"type": "Feature", "properties": {"DGUID": "2021A00039999", "CDUID": "9999", "CDNAME": "Sans profil"},
                                   "geometry": square(-70.0, 50.0, 0.5)})
if os.path.exists("boundaries.gpkg"):
    os.remove("boundaries.gpkg")
for name, feats in layers.items():
    path = f"/tmp/{name}.geojson"
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "features": feats}, f, ensure_ascii=False)
    subprocess.run(["ogr2ogr", "-f", "GPKG", "boundaries.gpkg", path, "-nln", name, "-a_srs", "EPSG:4326", "-append"],
                   check=True, env={**os.environ, "OGR_CURRENT_DATE": "2022-02-09T08:30:00Z"})
