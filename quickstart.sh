#!/bin/sh
# Installs what the build needs (Debian 12, as root), builds dualjac and
# prints the Jacobian of the bundled example model with jacdump. Safe to run
# again. With --solvers it also installs the solvers the optional adapters
# use (SUNDIALS, GSL, Ipopt, PETSc with Open MPI: about 270 packages, 300 MB
# to download), so that `make check` runs the adapters' tests and examples
# too; without, those are skipped, each saying why. Any further arguments
# go to ./configure (CI passes --enable-werror).
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

# --- the solvers of the optional adapters (--solvers) ---
solvers=""
with_solvers=""
if [ "${1:-}" = --solvers ]; then
    with_solvers=yes
    shift
fi
if [ -n "$with_solvers" ]; then
    for pkg in libsundials-dev libgsl-dev coinor-libipopt-dev petsc-dev libopenmpi-dev openmpi-bin; do
        dpkg -s "$pkg" >/dev/null 2>&1 || solvers="$solvers $pkg"
    done
    if [ -n "$solvers" ]; then
        echo "quickstart: installing$solvers"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            $solvers >/dev/null
    fi
fi

mkdir -p m4
[ -x configure ] || autoreconf -fi
# configure again when solvers were just installed (it looks for them) or
# when asked for options
if [ ! -f Makefile ] || [ -n "$solvers" ] || [ $# -gt 0 ]; then ./configure --quiet "$@"; fi
make -j"$(nproc)" >/dev/null
./jacdump -f examples/model.txt --at r=2,p=0.5,t=0.25 --check
