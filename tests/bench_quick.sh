#!/bin/sh
# The benchmark's smoke run: bench_modes, bench_sparse, bench_hessian and bench_threads --quick must run, write their files,
# and find every Jacobian it timed in agreement (it exits 1 otherwise);
# bench_parse, at a small size, only has to compile its texts. No
# speed is asserted: timings on a shared machine prove nothing. Run by
# `make check`.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 ./bench/bench_modes --quick --out "$tmp" >"$tmp/out.txt" 2>"$tmp/err.txt" || {
    cat "$tmp/out.txt" "$tmp/err.txt"
    exit 1
}
for f in modes.csv chain_inputs.dat chain_outputs.dat crossover.gp; do
    [ -s "$tmp/$f" ] || { echo "bench_modes --quick did not write $f"; exit 1; }
done
head -1 "$tmp/modes.csv" | grep -q '^family,size,measure,median,min,max,samples,unit,machine,compiler,flags,date$' ||
    { echo "modes.csv has the wrong header"; exit 1; }
grep -q 'Jacobian reverse' "$tmp/modes.csv" || { echo "modes.csv lacks the reverse rows"; exit 1; }
grep -q 'what the run shows' "$tmp/out.txt" || { echo "no summary printed"; exit 1; }
if command -v gnuplot >/dev/null 2>&1; then
    plot=$(cd "${srcdir:-.}" && pwd)/bench/plot.gp
    (cd "$tmp" && gnuplot "$plot") || exit 1
    [ -s "$tmp/forward_reverse_inputs.png" ] && [ -s "$tmp/forward_reverse_outputs.svg" ] ||
        { echo "the plots were not drawn"; exit 1; }
fi
OPENBLAS_NUM_THREADS=1 ./bench/bench_sparse --quick --out "$tmp" >"$tmp/sparse.txt" 2>"$tmp/err.txt" || {
    cat "$tmp/sparse.txt" "$tmp/err.txt"
    exit 1
}
[ -s "$tmp/sparse.csv" ] || { echo "bench_sparse --quick did not write sparse.csv"; exit 1; }
grep -q 'parallel speedup' "$tmp/sparse.csv" || { echo "sparse.csv lacks the parallel rows"; exit 1; }
OPENBLAS_NUM_THREADS=1 ./bench/bench_hessian --quick --out "$tmp" >"$tmp/hessian.txt" 2>"$tmp/err.txt" || {
    cat "$tmp/hessian.txt" "$tmp/err.txt"
    exit 1
}
grep -q 'sparse hessian' "$tmp/hessian.csv" || { echo "hessian.csv lacks the sparse rows"; exit 1; }
OPENBLAS_NUM_THREADS=1 ./bench/bench_threads --quick --out "$tmp" >"$tmp/threads.txt" 2>"$tmp/err.txt" || {
    cat "$tmp/threads.txt" "$tmp/err.txt"
    exit 1
}
for measure in 'idle: speedup on 2 threads' 'held core: serial / automatic' \
    "user's OpenMP loop: threads=1 / automatic" '4 processes: threads=1 / automatic'; do
    grep -q "$measure" "$tmp/threads.csv" || { echo "threads.csv lacks '$measure'"; exit 1; }
done
./bench/bench_parse 25000 >"$tmp/parse.txt" 2>&1 || { cat "$tmp/parse.txt"; exit 1; }
grep -q '^definitions  *25000 ' "$tmp/parse.txt" || { cat "$tmp/parse.txt"; exit 1; }
echo "bench_modes, bench_sparse, bench_hessian and bench_threads --quick: ran, wrote their files, every derivative agreed;"
echo "bench_parse compiled 25000 names of each family"
