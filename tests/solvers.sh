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
petsc)
    # Open MPI refuses root without these, and 4 processes on fewer cores
    # without oversubscription; other MPIs ignore them
    if [ "$(id -u)" = 0 ]; then
        OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
        export OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM
    fi
    OMPI_MCA_rmaps_base_oversubscribe=1
    export OMPI_MCA_rmaps_base_oversubscribe
    mpi=${MPIEXEC:-mpiexec}
    run "check_petsc on 2 processes" "$mpi" -n 2 "${TESTS_BUILDDIR:-./tests}/check_petsc"
    for np in 1 2 4; do
        run "bratu on $np process(es)" "$mpi" -n $np "$top/bratu" -solution "$tmp/u$np.txt"
        sed -n 's/.*dualjac: Newton iterations \([0-9]*\),.*/\1/p' "$tmp/out" >"$tmp/newton$np"
    done
    # the same Newton iterations, and the same solution to rounding
    for np in 2 4; do
        if [ -s "$tmp/newton1" ] && cmp -s "$tmp/newton1" "$tmp/newton$np"; then
            echo "ok: bratu: $(cat "$tmp/newton1") Newton iterations on 1 and $np processes"
        else
            echo "FAILED: bratu: Newton iterations $(cat "$tmp/newton1" 2>/dev/null) on 1 process, $(cat "$tmp/newton$np" 2>/dev/null) on $np"
            status=1
        fi
        if [ -s "$tmp/u1.txt" ] && [ -s "$tmp/u$np.txt" ] && paste "$tmp/u1.txt" "$tmp/u$np.txt" | awk -v np=$np '
            { d = $1 - $2; if (d < 0) d = -d; if (d > diff) diff = d
              a = $1 < 0 ? -$1 : $1; if (a > top) top = a; count++ }
            END { printf "ok: bratu: %d values, largest difference between 1 and %d processes %.2g (max |u| %.3g)\n",
                         count, np, diff, top
                  exit !(count > 0 && diff <= 1e-13 * top) }'; then :; else
            echo "FAILED: bratu: the solutions on 1 and $np processes differ beyond rounding"
            status=1
        fi
    done
    ;;
esac
exit $status
