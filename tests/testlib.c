/* testlib.c: tolerance, random numbers, the finite-difference oracle and the
 * table of elementary functions with derivatives written out by hand. */
#include <math.h>
#include <stdlib.h>

#include "testlib.h"

int tl_close(double got, double want, double tol)
{
    if (isnan(want))
        return isnan(got);
    if (isinf(want))
        return got == want;
    double scale = fabs(want) > 1.0 ? fabs(want) : 1.0;
    return fabs(got - want) <= tol * scale;
}

void tl_rng_seed(tl_rng *r, uint64_t seed) { r->state = seed; }

double tl_uniform(tl_rng *r, double lo, double hi)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return lo + (hi - lo) * (double)(z >> 11) * 0x1.0p-53;
}

double tl_central_diff(const dj_fn *f, const double *x, size_t i, size_t j)
{
    double *xp = malloc(f->n * sizeof *xp), *yp = malloc(f->m * sizeof *yp);
    double *ym = malloc(f->m * sizeof *ym);
    ck_assert(xp && yp && ym);
    for (size_t k = 0; k < f->n; k++)
        xp[k] = x[k];
    /* h ~ cbrt(eps) balances truncation O(h^2) against rounding O(eps/h). */
    double h = 6e-6 * (fabs(x[j]) > 1 ? fabs(x[j]) : 1);
    xp[j] = x[j] + h;
    f->eval_double(yp, xp, f->n, f->m, f->ctx);
    xp[j] = x[j] - h;
    f->eval_double(ym, xp, f->n, f->m, f->ctx);
    double d = (yp[i] - ym[i]) / (2 * h);
    free(xp);
    free(yp);
    free(ym);
    return d;
}

/* Derivatives, written independently of partials.h. */
static double d_sqrt(double x) { return 1 / (2 * sqrt(x)); }
static double d_cbrt(double x) { return 1 / (3 * cbrt(x) * cbrt(x)); }
static double d_exp(double x) { return exp(x); }
static double d_exp2(double x) { return log(2.0) * exp2(x); }
static double d_expm1(double x) { return exp(x); }
static double d_log(double x) { return 1 / x; }
static double d_log2(double x) { return 1 / (x * log(2.0)); }
static double d_log10(double x) { return 1 / (x * log(10.0)); }
static double d_log1p(double x) { return 1 / (1 + x); }
static double d_sin(double x) { return cos(x); }
static double d_cos(double x) { return -sin(x); }
static double d_tan(double x) { return 1 / (cos(x) * cos(x)); }
static double d_asin(double x) { return 1 / sqrt(1 - x * x); }
static double d_acos(double x) { return -1 / sqrt(1 - x * x); }
static double d_atan(double x) { return 1 / (1 + x * x); }
static double d_sinh(double x) { return cosh(x); }
static double d_cosh(double x) { return sinh(x); }
static double d_tanh(double x) { return 1 / (cosh(x) * cosh(x)); }
static double d_asinh(double x) { return 1 / sqrt(x * x + 1); }
static double d_acosh(double x) { return 1 / sqrt(x * x - 1); }
static double d_atanh(double x) { return 1 / (1 - x * x); }
static double d_fabs(double x) { return x > 0 ? 1 : -1; }
static double d_erf(double x) { return 2 / sqrt(acos(-1.0)) * exp(-x * x); }
static double d_erfc(double x) { return -2 / sqrt(acos(-1.0)) * exp(-x * x); }
static double d_zero(double x) { (void)x; return 0; }
static double d_neg(double x) { (void)x; return -1; }
static double neg(double x) { return -x; }
static double lgamma_safe(double x) { return dj_double_lgamma(x); }

/* digamma for checking, by another route than the library's: shift the
 * argument by 1000 with psi(x) = psi(x+N) - sum 1/(x+k), then four terms of
 * the asymptotic series, whose error at z = 1000 is below 1e-25. */
static double digamma_ref(double x)
{
    const int N = 1000;
    double s = 0;
    for (int k = N - 1; k >= 0; k--)
        s += 1.0 / (x + k);
    double z = x + N, z2 = z * z;
    return log(z) - 0.5 / z - 1.0 / (12 * z2) + 1.0 / (120 * z2 * z2) -
           1.0 / (252 * z2 * z2 * z2) - s;
}
static double d_lgamma(double x) { return digamma_ref(x); }
static double d_tgamma(double x) { return tgamma(x) * digamma_ref(x); }

#define TL_ENTRY(name, fn, df, lo, hi)                                         \
    {#name, fn, df, lo, hi, dj_dual_##name, dj_dual2_##name, dj_dual4_##name, \
     dj_dual8_##name, dj_dual16_##name}

const tl_unary tl_unaries[] = {
    TL_ENTRY(neg, neg, d_neg, -5, 5),
    TL_ENTRY(sqrt, sqrt, d_sqrt, 1e-3, 50),
    TL_ENTRY(cbrt, cbrt, d_cbrt, -20, 20),
    TL_ENTRY(exp, exp, d_exp, -20, 20),
    TL_ENTRY(exp2, exp2, d_exp2, -20, 20),
    TL_ENTRY(expm1, expm1, d_expm1, -5, 5),
    TL_ENTRY(log, log, d_log, 1e-3, 100),
    TL_ENTRY(log2, log2, d_log2, 1e-3, 100),
    TL_ENTRY(log10, log10, d_log10, 1e-3, 100),
    TL_ENTRY(log1p, log1p, d_log1p, -0.99, 100),
    TL_ENTRY(sin, sin, d_sin, -10, 10),
    TL_ENTRY(cos, cos, d_cos, -10, 10),
    TL_ENTRY(tan, tan, d_tan, -1.5, 1.5),
    TL_ENTRY(asin, asin, d_asin, -0.999, 0.999),
    TL_ENTRY(acos, acos, d_acos, -0.999, 0.999),
    TL_ENTRY(atan, atan, d_atan, -50, 50),
    TL_ENTRY(sinh, sinh, d_sinh, -10, 10),
    TL_ENTRY(cosh, cosh, d_cosh, -10, 10),
    TL_ENTRY(tanh, tanh, d_tanh, -10, 10),
    TL_ENTRY(asinh, asinh, d_asinh, -50, 50),
    TL_ENTRY(acosh, acosh, d_acosh, 1.001, 50),
    TL_ENTRY(atanh, atanh, d_atanh, -0.999, 0.999),
    TL_ENTRY(fabs, fabs, d_fabs, -10, 10),
    TL_ENTRY(erf, erf, d_erf, -4, 4),
    TL_ENTRY(erfc, erfc, d_erfc, -4, 4),
    TL_ENTRY(tgamma, tgamma, d_tgamma, 0.1, 8),
    TL_ENTRY(lgamma, lgamma_safe, d_lgamma, 0.1, 30),
    TL_ENTRY(floor, floor, d_zero, -10, 10),
    TL_ENTRY(ceil, ceil, d_zero, -10, 10),
    TL_ENTRY(trunc, trunc, d_zero, -10, 10),
    TL_ENTRY(round, round, d_zero, -10, 10),
};
const int tl_unary_count = (int)(sizeof tl_unaries / sizeof tl_unaries[0]);
