#!/bin/sh
# compile_errors.sh: what must not compile does not, and says why.
#
# Each file in tests/compile/ but the two controls holds one mistake: a
# wrong call of a generic macro, a double temporary in a body written once,
# a dj_fn of a body nobody instantiated, a template the include path does
# not reach. It must fail to compile with a diagnostic that names the
# offending type or, for the common mistakes, whose first error line says
# what to do; built with -DDJ_EXPECT_OK, the same file must compile cleanly,
# so the failure comes from that mistake and nothing else. With gcc the
# diagnostics must also read as README.md shows them. clean.c must compile
# with -Werror, strict_include.c (the headers alone) with strict warnings.
# Last, every macro of generic.h must appear in the tables of check_generic.c.
#
# make check sets CC and DJ_CPPFLAGS (see Makefile.am); srcdir is the top of
# the source tree.
set -u

: "${CC:=cc}"
: "${srcdir:=.}"
: "${DJ_CPPFLAGS:=-I$srcdir/include}"
LC_ALL=C # plain ASCII quotes in gcc's messages
export LC_ALL

inputs=$srcdir/tests/compile
tmp=${TMPDIR:-/tmp}/dj_compile_errors.$$
mkdir "$tmp" || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

base="-std=c11 -Wall -Wextra -Wpedantic"
strict="$base -Wshadow -Wconversion -Wdouble-promotion -Wcast-qual -Werror"
status=0

# Which compiler: the messages of gcc and clang differ.
printf '#if defined __clang__\nclang\n#elif defined __GNUC__\ngcc\n#else\nother\n#endif\n' \
    >"$tmp/probe.c"
kind=$($CC -E -P "$tmp/probe.c" 2>/dev/null | grep -v '^ *$' | tail -n 1)
echo "compiler: $CC ($kind)"

# compile FILE FLAGS...: compiles FILE to an object, output in $tmp/out.
compile() {
    file=$1
    shift
    # shellcheck disable=SC2086 # CC and DJ_CPPFLAGS may hold several words
    $CC $DJ_CPPFLAGS -I"$inputs" "$@" -c "$inputs/$file" -o "$tmp/out.o" >"$tmp/out" 2>&1
}

fail() {
    echo "FAIL: $*"
    sed 's/^/    /' "$tmp/out"
    status=1
}

# expect_clean FILE FLAGS...: compiles without a diagnostic.
expect_clean() {
    file=$1
    shift
    if ! compile "$file" "$@"; then
        fail "$file does not compile with $*"
    elif [ -s "$tmp/out" ]; then
        fail "$file compiles with diagnostics under $*"
    else
        echo "ok: $file compiles cleanly with $*"
    fi
}

# expect_error FILE [gcc:]TEXT...: does not compile, and the diagnostics
# contain every TEXT (gcc:TEXT only with gcc); with -DDJ_EXPECT_OK it
# compiles cleanly.
expect_error() {
    file=$1
    shift
    expect_clean "$file" $base -Werror -DDJ_EXPECT_OK
    if compile "$file" $base; then
        fail "$file compiles but must not"
        return
    fi
    for text in "$@"; do
        case $text in
        gcc:*)
            [ "$kind" = gcc ] || continue
            text=${text#gcc:}
            ;;
        esac
        if ! grep -F -e "$text" "$tmp/out" >/dev/null; then
            fail "$file: no \"$text\" in the diagnostics"
            return
        fi
    done
    echo "ok: $file does not compile, for the expected reason"
}

# expect_first_error FILE TEXT...: as expect_error, and the first line of
# the diagnostics that says "error" contains every TEXT.
expect_first_error() {
    file=$1
    shift
    expect_error "$file"
    first=$(grep -m 1 'error' "$tmp/out")
    for text in "$@"; do
        case $text in
        gcc:*)
            [ "$kind" = gcc ] || continue
            text=${text#gcc:}
            ;;
        clang:*)
            [ "$kind" = clang ] || continue
            text=${text#clang:}
            ;;
        esac
        case $first in
        *"$text"*) ;;
        *)
            fail "$file: the first error line does not say \"$text\": $first"
            return
            ;;
        esac
    done
    echo "ok: $file: the first error line says what to do"
}

# A wrong first argument names its type (README.md shows gcc's message).
expect_error pointer_to_sin.c "'double *'" "not compatible with any" \
    "gcc:error: '_Generic' selector of type 'double *' is not compatible with any association"
expect_error struct_to_sin.c "'struct point'" "not compatible with any" \
    "gcc:error: '_Generic' selector of type 'struct point' is not compatible with any association"

# So does a wrong second argument.
expect_error wrong_second.c "'const char *'" "not compatible with any" \
    "gcc:error: '_Generic' selector of type 'const char *' is not compatible with any association"

# Two dual widths meet the function whose name is the advice. gcc names
# both types; clang stops at the first argument and names only the first.
mismatch=dj_operands_of_two_dual_types__declare_both_as_T
expect_first_error mixed_widths.c $mismatch
expect_error mixed_widths.c $mismatch "'dj_dual8" \
    "gcc:error: incompatible type for argument 1 of '$mismatch'" \
    "gcc:argument is of type 'dj_dual8'" "gcc:argument is of type 'dj_dual4'"
expect_error fma_mixed_widths.c $mismatch "'dj_dual8" \
    "gcc:argument is of type 'dj_dual4'"

# A graph variable and a dual do not mix either.
expect_error var_and_dual.c $mismatch "'dj_var'" \
    "gcc:argument is of type 'dj_dual'"

# A double temporary in a body written once: the first error names the type
# dj_declare_as_T_not_double, in a macro body and in a template, where it is
# at the template's line (clang; gcc puts the macro's own line first and
# the template's line in the notes that follow).
expect_first_error double_temporary.c \
    "type 'dj_declare_as_T_not_double'"
expect_first_error double_temporary_template.c \
    "type 'dj_declare_as_T_not_double'" "clang:double_temporary.dj.h:7:"
expect_error double_temporary_template.c "double_temporary.dj.h:7:"

# A dj_fn of a body nobody instantiated.
expect_first_error missing_instantiation.c \
    product__not_instantiated__use_DJ_FN_INSTANTIATE_or_DJ_FUNCTION

# A template the include path does not reach.
expect_first_error template_not_found.c \
    "looked up through the include path" "-I. for the current one"

# The controls.
expect_clean clean.c $base -Werror
expect_clean strict_include.c $strict

# Every macro of generic.h is in a table of check_generic.c, as X(name, ...)
# or DEFINE_TESTS(name): a macro no test calls can hide a broken association.
macros=$(sed -n 's/^#define dj_\([a-z0-9_]*\)(.*/\1/p' "$srcdir/include/dualjac/generic.h")
if [ -z "$macros" ]; then
    echo "FAIL: no macros found in generic.h"
    status=1
fi
missing=
for m in $macros; do
    grep -E "X\\($m,|DEFINE_TESTS\\($m\\)" "$srcdir/tests/check_generic.c" >/dev/null ||
        missing="$missing dj_$m"
done
if [ -n "$missing" ]; then
    echo "FAIL: generic.h macros that check_generic.c does not call:$missing"
    status=1
else
    echo "ok: check_generic.c calls all $(echo $macros | wc -w) macros of generic.h"
fi

exit $status
