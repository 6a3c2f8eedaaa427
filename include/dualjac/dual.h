/*
 * dualjac/dual.h: dj_dual, a value with one tangent.
 *
 * A dj_dual (v, d) stands for v + d·ε with ε² = 0: running a function on duals
 * seeded with tangent v gives f(x) and the directional derivative J·v in one
 * pass. Values are small and passed by value; nothing allocates.
 *
 * Operations are dj_dual_<op>: add, sub, mul, div, neg, fma, sqrt, cbrt, exp,
 * exp2, expm1, log, log2, log10, log1p, pow, sin, cos, tan, asin, acos, atan,
 * atan2, sinh, cosh, tanh, asinh, acosh, atanh, hypot, fabs, fmin, fmax,
 * copysign, erf, erfc, tgamma, lgamma, floor, ceil, trunc, round, fmod, and the
 * comparisons lt, le, gt, ge, eq, ne on values. A binary operation also comes
 * as <op>_d (dual, double) and d_<op> (double, dual). The generic macros of
 * generic.h (dj_add, dj_sin, ...) reach all of them. The derivative chosen at
 * each kink and domain edge is listed in partials.h.
 */
#ifndef DUALJAC_DUAL_H
#define DUALJAC_DUAL_H

#include "common.h"
#include "double.h"
#include "partials.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A value and one tangent. */
typedef struct dj_dual {
    double v; /* value */
    double d; /* tangent */
} dj_dual;

/* Returns the dual (v, d). */
static inline dj_dual dj_dual_make(double v, double d)
{
    dj_dual r;
    r.v = v;
    r.d = d;
    return r;
}

#define DJ__T dj_dual
#define DJ__K 1
#define DJ__L 1
#define DJ__F(op) dj_dual_##op
#define DJ__D(x, i) ((&(x).d)[i])
#define DJ__LN(x, i) DJ__D(x, i)
#define DJ__LZERO 0.0
#include "dual_template.h"
#undef DJ__T
#undef DJ__K
#undef DJ__L
#undef DJ__F
#undef DJ__D
#undef DJ__LN
#undef DJ__LZERO

#ifdef __cplusplus
}
#endif

#endif /* DUALJAC_DUAL_H */
