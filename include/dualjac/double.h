/*
 * dualjac/double.h: plain double as the zeroth member of the dual family.
 *
 * dj_double_<op> is the <math.h> function or operator itself, so that a body
 * written once against the generic macros compiles, for double, to the code a
 * person would write by hand. dj_double_lgamma (partials.h) is lgamma_r, which leaves the
 * global signgam alone (thread safety).
 */
#ifndef DUALJAC_DOUBLE_H
#define DUALJAC_DOUBLE_H

#include <math.h>
#include <stddef.h>

#include "partials.h"

#ifdef __cplusplus
extern "C" {
#endif

static inline double dj_double_const(double c) { return c; }
static inline double dj_double_value(double a) { return a; }
static inline double dj_double_tangent(double a, int i) { (void)a; (void)i; return 0.0; }
static inline double dj_double_fma(double a, double b, double c) { return fma(a, b, c); }

/* The two steps of the generic dj_fma (see dual_template.h). */
typedef struct { double a, b; } dj_double_fma_args_;
static inline dj_double_fma_args_ dj_double_fma_bind_(double a, double b)
{
    dj_double_fma_args_ r;
    r.a = a;
    r.b = b;
    return r;
}
static inline double dj_double_fma_apply_(dj_double_fma_args_ p, double c) { return fma(p.a, p.b, c); }

static inline double dj_double_neg(double a) { return -a; }
static inline double dj_double_sqrt(double a) { return sqrt(a); }
static inline double dj_double_cbrt(double a) { return cbrt(a); }
static inline double dj_double_exp(double a) { return exp(a); }
static inline double dj_double_exp2(double a) { return exp2(a); }
static inline double dj_double_expm1(double a) { return expm1(a); }
static inline double dj_double_log(double a) { return log(a); }
static inline double dj_double_log2(double a) { return log2(a); }
static inline double dj_double_log10(double a) { return log10(a); }
static inline double dj_double_log1p(double a) { return log1p(a); }
static inline double dj_double_sin(double a) { return sin(a); }
static inline double dj_double_cos(double a) { return cos(a); }
static inline double dj_double_tan(double a) { return tan(a); }
static inline double dj_double_asin(double a) { return asin(a); }
static inline double dj_double_acos(double a) { return acos(a); }
static inline double dj_double_atan(double a) { return atan(a); }
static inline double dj_double_sinh(double a) { return sinh(a); }
static inline double dj_double_cosh(double a) { return cosh(a); }
static inline double dj_double_tanh(double a) { return tanh(a); }
static inline double dj_double_asinh(double a) { return asinh(a); }
static inline double dj_double_acosh(double a) { return acosh(a); }
static inline double dj_double_atanh(double a) { return atanh(a); }
static inline double dj_double_fabs(double a) { return fabs(a); }
static inline double dj_double_erf(double a) { return erf(a); }
static inline double dj_double_erfc(double a) { return erfc(a); }
static inline double dj_double_tgamma(double a) { return tgamma(a); }
static inline double dj_double_floor(double a) { return floor(a); }
static inline double dj_double_ceil(double a) { return ceil(a); }
static inline double dj_double_trunc(double a) { return trunc(a); }
static inline double dj_double_round(double a) { return round(a); }
static inline double dj_double_add(double a, double b) { return a + b; }
static inline double dj_double_sub(double a, double b) { return a - b; }
static inline double dj_double_mul(double a, double b) { return a * b; }
static inline double dj_double_div(double a, double b) { return a / b; }
static inline double dj_double_pow(double a, double b) { return pow(a, b); }
static inline double dj_double_atan2(double a, double b) { return atan2(a, b); }
static inline double dj_double_hypot(double a, double b) { return hypot(a, b); }
static inline double dj_double_fmin(double a, double b) { return fmin(a, b); }
static inline double dj_double_fmax(double a, double b) { return fmax(a, b); }
static inline double dj_double_copysign(double a, double b) { return copysign(a, b); }
static inline double dj_double_fmod(double a, double b) { return fmod(a, b); }
static inline void dj_double_add_to(double *s, double b) { *s += b; }
static inline void dj_double_sub_from(double *s, double b) { *s -= b; }
static inline void dj_double_mul_by(double *s, double b) { *s *= b; }
static inline void dj_double_div_by(double *s, double b) { *s /= b; }
/* Left to right from x[0], as the dual versions: 0 and 1 for n = 0. */
static inline double dj_double_sum_n(const double *x, size_t n)
{
    if (n == 0)
        return 0.0;
    double s = x[0];
    for (size_t i = 1; i < n; i++)
        s += x[i];
    return s;
}
static inline double dj_double_prod_n(const double *x, size_t n)
{
    if (n == 0)
        return 1.0;
    double p = x[0];
    for (size_t i = 1; i < n; i++)
        p *= x[i];
    return p;
}
static inline int dj_double_lt(double a, double b) { return a < b; }
static inline int dj_double_le(double a, double b) { return a <= b; }
static inline int dj_double_gt(double a, double b) { return a > b; }
static inline int dj_double_ge(double a, double b) { return a >= b; }
static inline int dj_double_eq(double a, double b) { return a == b; }
static inline int dj_double_ne(double a, double b) { return a != b; }

#ifdef __cplusplus
}
#endif

#endif /* DUALJAC_DOUBLE_H */
