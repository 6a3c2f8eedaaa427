/*
 * dualjac/ops.h: the elementary operations as one table.
 *
 * Each row gives an operation's value and local partial derivatives as
 * expressions. The graph expands the table twice, once into the inline
 * recording functions (graph.h) and once into the replay interpreter
 * (src/replay.c), so what is recorded and what is replayed cannot drift apart.
 * The partials themselves, with every choice at kinks and domain edges, are
 * those of partials.h, shared with the dual types.
 *
 * DJ_UNARY_OPS(X) calls X(name, value, partial) with the argument in `x`;
 * `partial` may use the result `r`.
 * DJ_BINARY_OPS(X) calls X(name, value, partials) with arguments `x`, `y`,
 * result `r`; `partials` assigns `px` and `py`, and may skip one the caller
 * does not need (`want_x`, `want_y`: constants 0 or 1), where computing it
 * would raise a spurious event (pow's exponent partial at a negative base).
 */
#ifndef DUALJAC_OPS_H
#define DUALJAC_OPS_H

#include "partials.h"

#define DJ_UNARY_OPS(X)                                                        \
    X(neg, -x, -1.0)                                                           \
    X(sqrt, sqrt(x), dj_partial_sqrt(x, r))                                    \
    X(cbrt, cbrt(x), dj_partial_cbrt(x, r))                                    \
    X(exp, exp(x), r)                                                          \
    X(exp2, exp2(x), r * DJ_LN2)                                               \
    X(expm1, expm1(x), r + 1.0)                                                \
    X(log, log(x), dj_partial_log(x))                                          \
    X(log2, log2(x), dj_partial_log(x) / DJ_LN2)                               \
    X(log10, log10(x), dj_partial_log(x) / DJ_LN10)                            \
    X(log1p, log1p(x), dj_partial_log1p(x))                                    \
    X(sin, sin(x), cos(x))                                                     \
    X(cos, cos(x), -sin(x))                                                    \
    X(tan, tan(x), 1.0 + r * r)                                                \
    X(asin, asin(x), dj_partial_asin(x))                                       \
    X(acos, acos(x), -dj_partial_asin(x))                                      \
    X(atan, atan(x), dj_partial_atan(x))                                       \
    X(sinh, sinh(x), cosh(x))                                                  \
    X(cosh, cosh(x), sinh(x))                                                  \
    X(tanh, tanh(x), (1.0 - r) * (1.0 + r))                                    \
    X(asinh, asinh(x), dj_partial_asinh(x))                                    \
    X(acosh, acosh(x), dj_partial_acosh(x))                                    \
    X(atanh, atanh(x), dj_partial_atanh(x))                                    \
    X(fabs, fabs(x), dj_partial_fabs(x))                                       \
    X(erf, erf(x), dj_partial_erf(x))                                          \
    X(erfc, erfc(x), -dj_partial_erf(x))                                       \
    X(tgamma, tgamma(x), r * dj_digamma(x))                                    \
    X(lgamma, dj_double_lgamma(x), dj_digamma(x))                              \
    X(floor, floor(x), dj_partial_floor(x, r))                                 \
    X(ceil, ceil(x), dj_partial_floor(x, r))                                   \
    X(trunc, trunc(x), dj_partial_trunc(x, r))                                 \
    X(round, round(x), dj_partial_round(x))

/* x^2 is common and exact as x·x; pow must agree wherever it is recomputed. */
#define DJ_POW_VALUE(x, y) ((y) == 2.0 ? (x) * (x) : pow((x), (y)))

#define DJ_BINARY_OPS(X)                                                       \
    X(add, x + y, (px = 1.0, py = 1.0))                                        \
    X(sub, x - y, (px = 1.0, py = -1.0))                                       \
    X(mul, x * y, (px = y, py = x))                                            \
    X(div, x / y, (px = 1.0 / y, py = -r / y))                                 \
    X(pow, DJ_POW_VALUE(x, y),                                                 \
      (px = want_x ? dj_partial_pow_base(x, y, r) : 0.0,                       \
       py = want_y ? dj_partial_pow_exponent(x, y, r) : 0.0))                  \
    X(atan2, atan2(x, y), dj_partial_atan2(x, y, &px, &py))                    \
    X(hypot, hypot(x, y), dj_partial_hypot(x, y, r, &px, &py))                 \
    X(fmin, fmin(x, y), dj_partial_fmin(x, y, &px, &py))                       \
    X(fmax, fmax(x, y), dj_partial_fmax(x, y, &px, &py))                       \
    X(copysign, copysign(x, y), dj_partial_copysign(x, y, &px, &py))           \
    X(fmod, fmod(x, y), dj_partial_fmod(x, y, r, &px, &py))

/* Comparisons: X(name, C operator). They have no derivative; on the graph
 * they record their outcome so that a replay can tell a branch change. */
#define DJ_COMPARE_OPS(X)                                                      \
    X(lt, <)                                                                   \
    X(le, <=)                                                                  \
    X(gt, >)                                                                   \
    X(ge, >=)                                                                  \
    X(eq, ==)                                                                  \
    X(ne, !=)

#endif /* DUALJAC_OPS_H */
