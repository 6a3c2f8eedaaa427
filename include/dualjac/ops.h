/*
 * dualjac/ops.h: the elementary operations as one table.
 *
 * Each row gives an operation's value and local first and second partial
 * derivatives as expressions. The graph expands the table into the inline
 * recording functions (graph.h), the replay interpreter (src/replay.c) and
 * the second-order sweeps (src/hessian_sweep.c), so what is recorded,
 * replayed and differentiated twice cannot drift apart. The partials
 * themselves, with every choice at kinks and domain edges, are those of
 * partials.h, shared with the dual types.
 *
 * DJ_UNARY_OPS(X) calls X(name, value, partial, second, curved) with the
 * argument in `x`; `partial` may use the result `r`, and `second`, the
 * second derivative, may use `r` and the first partial `p`; `curved` is 1
 * when the second derivative is not zero everywhere (the Hessian's pattern
 * takes an entry from such an operation), 0 for a piecewise-linear one.
 * DJ_BINARY_OPS(X) calls X(name, value, partials, seconds, shape) with arguments
 * `x`, `y`, result `r`; `partials` assigns `px` and `py`, and may skip one
 * the caller does not need (`want_x`, `want_y`: constants 0 or 1), where
 * computing it would raise a spurious event (pow's exponent partial at a
 * negative base); `seconds` assigns `pxx`, `pxy` and `pyy` from those and
 * `px`, `py`, with the same `want_x` and `want_y` (a constant operand's
 * second partials are not used); `shape` has a bit for each second partial
 * that is not zero everywhere: DJ_XX, DJ_XY, DJ_YY.
 */
#ifndef DUALJAC_OPS_H
#define DUALJAC_OPS_H

#include "partials.h"

/* The bits of a binary operation's shape. */
#define DJ_XX 1
#define DJ_XY 2
#define DJ_YY 4

#define DJ_UNARY_OPS(X)                                                        \
    X(neg, -x, -1.0, 0.0, 0)                                                   \
    X(sqrt, sqrt(x), dj_partial_sqrt(x, r), dj_partial2_sqrt(x, r, p), 1)      \
    X(cbrt, cbrt(x), dj_partial_cbrt(x, r), dj_partial2_cbrt(x, r, p), 1)      \
    X(exp, exp(x), r, r, 1)                                                    \
    X(exp2, exp2(x), r * DJ_LN2, p * DJ_LN2, 1)                                \
    X(expm1, expm1(x), r + 1.0, p, 1)                                          \
    X(log, log(x), dj_partial_log(x), dj_partial2_log(x, p), 1)                \
    X(log2, log2(x), dj_partial_log(x) / DJ_LN2, dj_partial2_log(x, p) * DJ_LN2, 1) \
    X(log10, log10(x), dj_partial_log(x) / DJ_LN10, dj_partial2_log(x, p) * DJ_LN10, 1) \
    X(log1p, log1p(x), dj_partial_log1p(x), dj_partial2_log(1.0 + x, p), 1)    \
    X(sin, sin(x), cos(x), -r, 1)                                              \
    X(cos, cos(x), -sin(x), -r, 1)                                             \
    X(tan, tan(x), 1.0 + r * r, 2.0 * r * p, 1)                                \
    X(asin, asin(x), dj_partial_asin(x), dj_partial2_asin(x, p), 1)            \
    X(acos, acos(x), -dj_partial_asin(x), dj_partial2_asin(x, p), 1)           \
    X(atan, atan(x), dj_partial_atan(x), dj_partial2_atan(x, p), 1)            \
    X(sinh, sinh(x), cosh(x), r, 1)                                            \
    X(cosh, cosh(x), sinh(x), r, 1)                                            \
    X(tanh, tanh(x), (1.0 - r) * (1.0 + r), -2.0 * r * p, 1)                   \
    X(asinh, asinh(x), dj_partial_asinh(x), dj_partial2_asinh(x, p), 1)        \
    X(acosh, acosh(x), dj_partial_acosh(x), dj_partial2_asinh(x, p), 1)        \
    X(atanh, atanh(x), dj_partial_atanh(x), dj_partial2_atanh(x, p), 1)        \
    X(fabs, fabs(x), dj_partial_fabs(x), dj_partial2_flat(), 0)                \
    X(erf, erf(x), dj_partial_erf(x), dj_partial2_erf(x, p), 1)                \
    X(erfc, erfc(x), -dj_partial_erf(x), dj_partial2_erf(x, p), 1)             \
    X(tgamma, tgamma(x), r * dj_digamma(x), p * dj_digamma(x) + r * dj_trigamma(x), 1) \
    X(lgamma, dj_double_lgamma(x), dj_digamma(x), dj_trigamma(x), 1)           \
    X(floor, floor(x), dj_partial_floor(x, r), dj_partial2_flat(), 0)          \
    X(ceil, ceil(x), dj_partial_floor(x, r), dj_partial2_flat(), 0)            \
    X(trunc, trunc(x), dj_partial_trunc(x, r), dj_partial2_flat(), 0)          \
    X(round, round(x), dj_partial_round(x), dj_partial2_flat(), 0)

/* x^2 is common and exact as x·x; pow must agree wherever it is recomputed. */
#define DJ_POW_VALUE(x, y) ((y) == 2.0 ? (x) * (x) : pow((x), (y)))

#define DJ_BINARY_OPS(X)                                                       \
    X(add, x + y, (px = 1.0, py = 1.0), DJ__FLAT2, 0)                          \
    X(sub, x - y, (px = 1.0, py = -1.0), DJ__FLAT2, 0)                         \
    X(mul, x * y, (px = y, py = x), (pxx = 0.0, pxy = 1.0, pyy = 0.0), DJ_XY)  \
    X(div, x / y, dj_partial_div(y, r, &px, &py),                              \
      dj_partial2_div(px, py, &pxx, &pxy, &pyy), DJ_XY | DJ_YY)                \
    X(pow, DJ_POW_VALUE(x, y),                                                 \
      (px = want_x ? dj_partial_pow_base(x, y, r) : 0.0,                       \
       py = want_y ? dj_partial_pow_exponent(x, y, r) : 0.0),                  \
      (want_x && want_y ? dj_partial2_pow(x, y, r, px, &pxx, &pxy, &pyy)       \
       : (void)(pxy = 0.0,                                                     \
                pxx = want_x ? dj_partial2_pow_base(x, y, px) : 0.0,           \
                pyy = want_y ? dj_partial2_pow_exponent(x, y, r) : 0.0)),      \
      DJ_XX | DJ_XY | DJ_YY)                                                   \
    X(atan2, atan2(x, y), dj_partial_atan2(x, y, &px, &py),                    \
      dj_partial2_atan2(px, py, &pxx, &pxy, &pyy), DJ_XX | DJ_XY | DJ_YY)      \
    X(hypot, hypot(x, y), dj_partial_hypot(x, y, r, &px, &py),                 \
      dj_partial2_hypot(x, y, r, px, py, &pxx, &pxy, &pyy),                    \
      DJ_XX | DJ_XY | DJ_YY)                                                   \
    X(fmin, fmin(x, y), dj_partial_fmin(x, y, &px, &py), DJ__FLAT2, 0)         \
    X(fmax, fmax(x, y), dj_partial_fmax(x, y, &px, &py), DJ__FLAT2, 0)         \
    X(copysign, copysign(x, y), dj_partial_copysign(x, y, &px, &py), DJ__FLAT2, 0) \
    X(fmod, fmod(x, y), dj_partial_fmod(x, y, r, &px, &py), DJ__FLAT2, 0)

/* The second partials of a piecewise-linear binary operation. */
#define DJ__FLAT2 (pxx = pxy = pyy = 0.0)

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
