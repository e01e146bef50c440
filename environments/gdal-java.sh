#!/usr/bin/env bash
# Builds GDAL's Java bindings (libgdalalljni.so + gdal-VERSION.jar) from Debian's own GDAL source package,
# against the installed libgdal, and caches them by GDAL version. Debian 12 ships GDAL but no Java bindings.
#
#   environments/gdal-java.sh            build if missing, print the cache folder
#   D4C_CACHE=/some/dir environments/gdal-java.sh
#
# Needs root for apt-get when packages are missing. Idempotent: a second run only prints the folder.
set -euo pipefail

log() { echo "[gdal-java] $*" >&2; }

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    if [ "$(id -u)" != 0 ]; then log "need root to install ${missing[*]}"; exit 1; fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

apt_install gdal-bin libgdal-dev swig g++ dpkg-dev

version=$(gdal-config --version)
cache=${D4C_CACHE:-$HOME/.cache/d4c}/gdal/$version
if [ -f "$cache/libgdalalljni.so" ] && [ -f "$cache/gdal-$version.jar" ]; then
  echo "$cache"
  exit 0
fi

java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# Debian's deb-src entry mirrors the machine's own deb entry (same URIs and suites).
if ! ls /var/lib/apt/lists/*_source_Sources* >/dev/null 2>&1 || ! apt-cache showsrc gdal >/dev/null 2>&1; then
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed -e 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > /etc/apt/sources.list.d/d4c-deb-src.sources
  else
    grep -h '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' > /etc/apt/sources.list.d/d4c-deb-src.list
  fi
  apt-get update -qq
fi
log "fetching Debian's GDAL $version source"
deb_version=$(dpkg-query -W -f='${Version}' libgdal-dev)
apt-get source -qq --download-only "gdal=${deb_version%+b*}" >/dev/null 2>&1 \
  || apt-get source -qq --download-only gdal >/dev/null
tar xf gdal_*.orig.tar.* 
src=$(find . -maxdepth 1 -type d -name 'gdal-*' | head -n1)
[ -n "$src" ] || { log "GDAL source not found after apt-get source"; exit 1; }

log "generating bindings with swig"
mkdir -p java cpp
for t in gdalconst gdal ogr osr; do
  mkdir -p "java/org/gdal/$t"
  lang=-c++; [ "$t" = gdalconst ] && lang=
  swig $lang -java -package "org.gdal.$t" -outdir "java/org/gdal/$t" \
    -I"$src/swig/include" -I"$src/swig/include/java" -I/usr/include/gdal \
    -o "cpp/${t}_wrap.cpp" "$src/swig/include/$t.i" 2>>swig.log
done
# Support classes the SWIG interfaces expect (ProgressCallback and friends) ship as plain Java in the source tree.
if [ -d "$src/swig/java/org" ]; then cp -rn "$src/swig/java/org/." java/org/; fi

log "compiling libgdalalljni.so"
objs=()
for t in gdalconst gdal ogr osr; do
  cc=g++; [ "$t" = gdalconst ] && cc=gcc && mv "cpp/${t}_wrap.cpp" "cpp/${t}_wrap.c"
  f=cpp/${t}_wrap.c; [ "$t" = gdalconst ] || f=cpp/${t}_wrap.cpp
  $cc -c -O2 -fPIC -fno-strict-aliasing -I"$java_home/include" -I"$java_home/include/linux" -I/usr/include/gdal "$f" -o "cpp/$t.o" 2>>cc.log &
  objs+=("cpp/$t.o")
done
wait
for o in "${objs[@]}"; do [ -f "$o" ] || { cat cc.log >&2; log "compiling $o failed"; exit 1; }; done
g++ -shared -o libgdalalljni.so "${objs[@]}" -lgdal

log "compiling Java classes"
mkdir -p classes
find java -name '*.java' > sources.txt
"$java_home/bin/javac" -nowarn -encoding UTF-8 --release 17 -d classes @sources.txt 2>&1 | grep -v '^Note:' >&2 || true
[ -f classes/org/gdal/ogr/ogr.class ] || { log "javac failed"; exit 1; }
# Fixed timestamps keep the jar the same bytes on every build.
find classes -exec touch -d '2020-01-01T00:00:00Z' {} +
(cd classes && find . -type f | LC_ALL=C sort | "$java_home/bin/jar" --create --file "../gdal-$version.jar" --date=2020-01-01T00:00:00Z @/dev/stdin 2>/dev/null \
  || (cd "$work/classes" && "$java_home/bin/jar" --create --file "../gdal-$version.jar" .))

mkdir -p "$cache.tmp"
cp libgdalalljni.so "gdal-$version.jar" "$cache.tmp/"
rm -rf "$cache"; mv "$cache.tmp" "$cache"
log "built into $cache"
echo "$cache"
