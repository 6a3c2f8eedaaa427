#!/bin/sh
# Installs what the build needs (Debian 12, as root), builds dualjac and
# prints the Jacobian of the bundled example model with jacdump. Safe to run
# again.
set -eu
cd "$(dirname "$0")"

need=""
for pkg in build-essential autoconf automake libtool pkg-config check libopenblas-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
done
if [ -n "$need" ]; then
    echo "quickstart: installing$need"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi

mkdir -p m4
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure --quiet
make -j"$(nproc)" >/dev/null
./jacdump -f examples/model.txt --at r=2,p=0.5,t=0.25 --check
