#!/bin/sh
# `make installcheck`: programs build against the installed headers,
# libraries and .pc files alone, with `pkg-config --cflags --libs` and no
# flag of ours (the folder of a template is the program's own -I), shared
# and static (`--static` and -static), and run. The adapters that were built
# are checked the same way, statically where their solver ships static
# libraries (SUNDIALS, GSL). For a staged install (DESTDIR), the .pc files
# are read with their paths moved under DESTDIR.
set -eu
: "${DESTDIR:=}" "${pkgconfigdir:?}" "${libdir:?}" "${bindir:?}" "${srcdir:=.}"
: "${CC:=cc}" "${PKG_CONFIG:=pkg-config}" "${DJ_ADAPTERS:=}" "${SUNDIALS_SOLVER_LIBS:=}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

mkdir "$work/pc"
for pc in "$DESTDIR$pkgconfigdir"/dualjac*.pc; do
    if [ -n "$DESTDIR" ]; then
        sed -e "s#^prefix=/#prefix=$DESTDIR/#" -e "s#^exec_prefix=/#exec_prefix=$DESTDIR/#" \
            -e "s#^libdir=/#libdir=$DESTDIR/#" -e "s#^includedir=/#includedir=$DESTDIR/#" \
            "$pc" >"$work/pc/${pc##*/}"
    else
        cp "$pc" "$work/pc/"
    fi
done
PKG_CONFIG_PATH="$work/pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
LD_LIBRARY_PATH="$DESTDIR$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PKG_CONFIG_PATH LD_LIBRARY_PATH

warn="-std=c11 -Wall -Wextra -Wpedantic -Werror"
# build HOW NAME PACKAGE SOURCE [EXTRA...]: HOW is shared or static
build() {
    how=$1 name=$2 pkg=$3 src=$4
    shift 4
    opt=
    if [ "$how" = static ]; then
        opt=--static
        set -- -static "$@"
    fi
    flags=$($PKG_CONFIG $opt --cflags --libs "$pkg")
    echo "installcheck: $name, $how: cc $src \$(pkg-config $opt${opt:+ }--cflags --libs $pkg) $*"
    # shellcheck disable=SC2086
    $CC $warn -I"$srcdir/examples" "$srcdir/examples/$src" -o "$work/$name-$how" $flags "$@"
}
run() { # run NAME-HOW [ARGS...]
    prog=$1
    shift
    "$work/$prog" "$@" >"$work/out" 2>&1 || { cat "$work/out"; echo "installcheck: $prog failed"; exit 1; }
    echo "installcheck: $prog ran: $(tail -n 1 "$work/out")"
}

for how in shared static; do
    build $how polar dualjac polar.c && run polar-$how
    build $how network dualjac network.c && run network-$how
done
"$DESTDIR$bindir/jacdump" -e 'x*y, sin(x) + y^2' --at x=1,y=2 >/dev/null
echo "installcheck: jacdump runs from $DESTDIR$bindir"

for adapter in $DJ_ADAPTERS; do
    case $adapter in
    sundials)
        # SUNDIALS has no .pc: its solvers are named as a user names them
        for how in shared static; do
            build $how newton dualjac-sundials newton.c $SUNDIALS_SOLVER_LIBS -lm &&
                run newton-$how
        done ;;
    gsl)
        for how in shared static; do
            build $how nist dualjac-gsl nist.c && run nist-$how
        done ;;
    ipopt)
        build shared hs071 dualjac-ipopt hs071.c && run hs071-shared ;;
    petsc)
        build shared bratu dualjac-petsc bratu.c && run bratu-shared -quick ;;
    esac
done
echo "installcheck: every program built with pkg-config's flags alone and ran"
