#!/bin/sh
# Runs the examples of one solver adapter (the argument: sundials, gsl, ipopt
# or petsc) and checks their results; each example exits nonzero when its
# result is wrong. Exits 77 (SKIP) with the reason when ./configure did not
# build that adapter. Run by `make check` through tests/solvers_<name>.sh.
set -u
solver=$1
top=${EXAMPLES_DIR:-./examples}
eval "built=\${DJ_HAVE_$solver:-no} why=\${DJ_WHY_$solver:-}"
if [ "$built" != yes ]; then
    echo "SKIP: the $solver examples: the adapter is not built: $why"
    exit 77
fi
# one thread per process: the MPI runs share two cores, and the statistics
# printed are those of a serial Jacobian
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
export OMP_NUM_THREADS OPENBLAS_NUM_THREADS
status=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

run() { # run NAME COMMAND...: prints the output, fails on a nonzero exit
    name=$1
    shift
    if "$@" >"$tmp/out" 2>&1; then
        echo "ok: $name"
        sed 's/^/    /' "$tmp/out"
    else
        echo "FAILED: $name"
        cat "$tmp/out"
        status=1
    fi
}

case $solver in
sundials)
    run robertson "$top/robertson"
    run newton "$top/newton"
    ;;
gsl)
    run nist "$top/nist"
    ;;
ipopt)
    run hs071 "$top/hs071"
    ;;
esac
exit $status
