#!/usr/bin/python3
"""Writes N deterministic synthetic features as CSV (WKT geometry) for bench/build-vs-ogr2ogr.sh.

Standard library only. Half the features are points, half small regular polygons (squares and pentagons of
seeded random size and rotation), scattered over Canada's bounding box in EPSG:4326 (lon/lat). Attributes: an
integer id, a real, a short accented string and a date. Same N and seed give the same bytes.

usage: gen_features.py N OUT.csv [SEED]   (also writes OUT.csvt, the column types for GDAL's CSV driver)
"""
import datetime
import math
import random
import sys

LON_MIN, LON_MAX = -141.0, -52.6
LAT_MIN, LAT_MAX = 41.7, 83.1
PLACES = ["Montréal", "Québec", "Trois-Rivières", "Gaspé", "Sept-Îles", "Lévis", "Chibougamau", "Témiscaming",
          "Saint-Jérôme", "Baie-Comeau", "Rimouski", "Saguenay", "Îles-de-la-Madeleine", "Val-d'Or", "Mégantic"]
DAY0 = datetime.date(2000, 1, 1).toordinal()


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.strip().splitlines()[-1])
    n = int(sys.argv[1])
    out = sys.argv[2]
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) == 4 else 20240601)
    with open(out + "t", "w", encoding="ascii") as t:
        t.write("Integer,Real,String(32),Date,WKT\n")
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("id,value,place,day,wkt\n")
        for i in range(1, n + 1):
            x = rnd.uniform(LON_MIN, LON_MAX)
            y = rnd.uniform(LAT_MIN, LAT_MAX)
            value = round(rnd.uniform(-1000.0, 1000.0), 3)
            place = "%s %d" % (PLACES[rnd.randrange(len(PLACES))], rnd.randrange(1000))
            day = datetime.date.fromordinal(DAY0 + rnd.randrange(9131)).isoformat()  # 2000-01-01 .. 2024-12-31
            if i % 2:
                wkt = "POINT (%.6f %.6f)" % (x, y)
            else:
                sides = 4 if rnd.random() < 0.5 else 5
                r = rnd.uniform(0.001, 0.05)  # degrees: roughly 100 m to 5 km
                a0 = rnd.uniform(0.0, 2.0 * math.pi)
                ring = ["%.6f %.6f" % (x + r * math.cos(a0 + 2.0 * math.pi * k / sides),
                                       y + r * math.sin(a0 + 2.0 * math.pi * k / sides)) for k in range(sides)]
                ring.append(ring[0])
                wkt = "POLYGON ((%s))" % ", ".join(ring)
            f.write('%d,%s,"%s",%s,"%s"\n' % (i, repr(value), place.replace('"', '""'), day, wkt))


if __name__ == "__main__":
    main()
