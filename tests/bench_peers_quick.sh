#!/bin/sh
# The smoke run of `make bench-peers`, dualjac's side: peer_dualjac --quick
# must build every case, agree with finite differences on each, write its
# CSVs, and peers_table must summarize them. The C++ peers are left to
# `make bench-peers` (their programs take a minute to compile); no speed
# is asserted. Run by `make check`.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 ./bench/peers/peer_dualjac --quick --out "$tmp" \
    >"$tmp/out.txt" 2>&1 || { cat "$tmp/out.txt"; exit 1; }
for f in peers-dualjac.csv peers-FD.csv; do
    [ -s "$tmp/$f" ] || { echo "peer_dualjac --quick did not write $f"; exit 1; }
done
grep -q 'dualjac: sparse' "$tmp/peers-dualjac.csv" || { echo "no sparse rows"; exit 1; }
for m in 'dualjac: hvp' 'dualjac: sparse hessian' 'FD: central; 2 gradients'; do
    grep -q "$m" "$tmp"/peers-*.csv || { echo "no hessian rows ($m)"; exit 1; }
done
./bench/peers/peers_table --out "$tmp" "$tmp"/peers-*.csv >"$tmp/table.txt" 2>&1 ||
    { cat "$tmp/table.txt"; exit 1; }
for f in peers-table.md peers.csv peers-chain.dat peers-mgh.dat peers-gradient.dat peers-sparse.dat \
    peers-hessian.dat; do
    [ -s "$tmp/$f" ] || { echo "peers_table did not write $f"; exit 1; }
done
grep -q '^| chain | chain 8-64-8 |' "$tmp/peers-table.md" || { echo "the table lacks a chain row"; exit 1; }
# two of the six tools ran here, dualjac (column 2) and FD (7): the charts
# plot only the columns with rows, so gnuplot has no all-NaN column to
# warn about
for fam in chain mgh gradient sparse hessian; do
    grep -qx 'cols = "2 7"' "$tmp/peers-$fam.cols" || { echo "peers-$fam.cols is wrong"; exit 1; }
done
if command -v gnuplot >/dev/null 2>&1; then
    plot=$(cd "${srcdir:-.}" && pwd)/bench/peers/peers.gp
    for fam in chain mgh gradient sparse hessian; do
        (cd "$tmp" && gnuplot -e "family='$fam'" "$plot") >"$tmp/gp.txt" 2>&1 || { cat "$tmp/gp.txt"; exit 1; }
        [ ! -s "$tmp/gp.txt" ] || { echo "gnuplot on $fam:"; cat "$tmp/gp.txt"; exit 1; }
        [ -s "$tmp/peers-$fam.png" ] && [ -s "$tmp/peers-$fam.svg" ] || { echo "no $fam chart"; exit 1; }
    done
fi
# the second run of dualjac's dense layers that `make bench-peers` makes
# when OPENBLAS_CORETYPE is set: its own CSV, its methods named so
mkdir "$tmp/own"
OPENBLAS_NUM_THREADS=1 ./bench/peers/peer_dualjac --quick --only chain --blas-own --out "$tmp/own" \
    >"$tmp/own.txt" 2>&1 || { cat "$tmp/own.txt"; exit 1; }
[ "$(ls "$tmp/own")" = peers-dualjac-blas-own.csv ] || { echo "--blas-own wrote $(ls "$tmp/own")"; exit 1; }
grep -q "^chain,chain 8-64-8,dualjac: jacobian fwd k=8 (auto); OpenBLAS's own kernels (" \
    "$tmp/own/peers-dualjac-blas-own.csv" || { echo "--blas-own rows are misnamed"; exit 1; }
if grep -qv '^family\|^chain,' "$tmp/own/peers-dualjac-blas-own.csv"; then
    echo "--blas-own ran more than the chains"; exit 1
fi
echo "peer_dualjac --quick and peers_table: every case agreed with finite differences, files written"
