/*
 * dualjac/partials.h: the local derivative of every elementary function.
 *
 * dj_partial_<f>(x, r) returns f'(x) given r = f(x); binary functions write
 * both partials. Every dual type, the graph's recording and its replay call
 * these, so each choice at a kink or a domain edge is made here, once:
 *
 *   fabs(±0)          0        minimal-norm subgradient (as PyTorch and JAX)   KINK
 *   copysign(±0, y)   0 in x   as fabs; at y = ±0 the jump in y is ignored     KINK
 *   sqrt(0)           +Inf     one-sided derivative from the right             EDGE
 *   cbrt(0)           +Inf     vertical tangent                                KINK
 *   log(±0), log2, log10      +Inf   one-sided; log1p(-1) likewise             EDGE
 *   pow(x, 0)         0 in x   x^0 is the constant 1, even at x = 0 or NaN
 *   pow(0, c), c < 1  c·0^(c-1) (+Inf for 0 < c < 1, a pole for c < 0)         EDGE
 *   pow(0, c), c > 1  0
 *   pow(0, y) in y    0        0^y is piecewise constant; EDGE at y <= 0
 *   pow(x < 0, y) in y NaN     x^y is not real near y; DJ_EVENT_EDGE
 *   atan2(0, 0)       (0, 0)   minimal-norm choice at the origin               KINK
 *   hypot(0, 0)       (0, 0)   minimal-norm subgradient of the norm            KINK
 *   fmin/fmax tie     (½, ½)   the average of both sides (as JAX)              KINK
 *   floor, ceil, trunc, round: 0 everywhere; KINK at their jumps
 *   fmod(x, y)        (1, -trunc(x/y)); KINK where the result jumps (r = 0)
 *   asin, acos at ±1; acosh at 1; atanh at ±1: ±Inf                           EDGE
 *   x/y at y = ±0     (1/y, -x/y²): the pole, ±Inf; NaN in y for 0/0           EDGE
 *
 * Division by zero is a pole, not a kink: the partials are the limits the
 * formulas give, the same in every mode (the dual types, the recording and
 * the replay all use dj_partial_div). A constant divisor or dividend has no
 * tangent, so x/0 has derivative +Inf and 1/x at 0 has -Inf in forward and
 * reverse mode alike. Where the other operand is a variable whose tangent
 * (or adjoint) is zero in a direction, IEEE gives 0·Inf = NaN there; NaN-safe
 * mode keeps that direction zero in forward passes and in the graph's sweeps,
 * as at the singular points of the elementary functions.
 *
 * Outside a domain (sqrt(-1), log(-1)) the value is NaN and so is the
 * derivative; the drivers report that as DJ_EVENT_NONFINITE.
 *
 * Second partials (the Hessian drivers): dj_partial2_<f>(x, r, p) returns
 * f''(x) given r = f(x) and p = f'(x); binary functions write the three
 * second partials xx, xy, yy. At the points above they continue the
 * first-order choice and raise the same event (where the first partial is
 * infinite, a Hessian shows these values in NaN-safe mode; IEEE arithmetic
 * makes NaN of Inf times a zero tangent otherwise):
 *
 *   sqrt(0)           -Inf     one-sided from the right                        EDGE
 *   cbrt(0)           0        odd: the one-sided limits -Inf and +Inf cancel  KINK
 *   log(0), log1p(-1) -Inf     one-sided                                       EDGE
 *   fabs, fmin, fmax, copysign, fmod, floor, ceil, trunc, round: 0 (piecewise
 *                              linear; their kinks as above)                   KINK
 *   pow(x, c) at x = 0, c < 2 and c not 0 or 1: c(c-1)·0^(c-2), ±Inf          EDGE
 *   pow(0, y) in y and in x,y 0  as the first partial in y: 0^y is constant    EDGE
 *   pow(x < 0, y) in y        NaN, as the first partial in y                  EDGE
 *   atan2(0, 0), hypot(0, 0)  (0, 0, 0)  as their first partials             KINK
 *   asin, acos at ±1, acosh at 1, atanh at ±1: ±Inf                          EDGE
 *   tgamma, lgamma at their poles: NaN
 */
#ifndef DUALJAC_PARTIALS_H
#define DUALJAC_PARTIALS_H

#include <math.h>
#include <float.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DJ_LN2 0.693147180559945309417232121458176568
#define DJ_LN10 2.30258509299404568401799145468436421
#define DJ_PI 3.14159265358979323846264338327950288
#define DJ_2_SQRTPI 1.12837916709551257389615890312154517 /* 2/sqrt(pi) */

/* digamma(x) = Γ'(x)/Γ(x), the derivative of lgamma; NaN at the poles. */
DJ_API double dj_digamma(double x);
/* lgamma without touching the global signgam (thread-safe). */
DJ_API double dj_double_lgamma(double x);
/* trigamma(x) = digamma'(x), the second derivative of lgamma; NaN at the
 * poles. */
DJ_API double dj_trigamma(double x);

static inline double dj_partial_sqrt(double x, double r)
{
    if (DJ_LIKELY(r > 0))
        return 0.5 / r;
    if (x == 0) {
        dj_event_raise(DJ_EVENT_EDGE);
        return HUGE_VAL;
    }
    return (double)NAN; /* NAN is a float: no -Wdouble-promotion */
}

static inline double dj_partial_cbrt(double x, double r)
{
    if (DJ_LIKELY(x != 0))
        return 1.0 / (3.0 * r * r);
    dj_event_raise(DJ_EVENT_KINK);
    return HUGE_VAL;
}

static inline double dj_partial_log(double x)
{
    if (DJ_UNLIKELY(x == 0)) {
        dj_event_raise(DJ_EVENT_EDGE);
        return HUGE_VAL;
    }
    return 1.0 / x;
}

static inline double dj_partial_log1p(double x)
{
    return dj_partial_log(1.0 + x);
}

static inline double dj_partial_fabs(double x)
{
    if (x > 0)
        return 1.0;
    if (x < 0)
        return -1.0;
    if (x == 0)
        dj_event_raise(DJ_EVENT_KINK);
    return x == 0 ? 0.0 : x; /* 0 at the kink, NaN for NaN */
}

/* d/dx x^c for a constant c, given r = x^c. */
static inline double dj_partial_pow_base(double x, double c, double r)
{
    if (c == 0)
        return 0.0;
    if (c == 1)
        return 1.0;
    if (c == 2)
        return 2.0 * x;
    if (x == 0 && c < 1)
        dj_event_raise(DJ_EVENT_EDGE);
    /* c·r/x saves a second pow; it is as accurate while r is a normal number
     * and x is not zero, which is the common case. */
    if (DJ_LIKELY(x != 0 && fabs(r) >= DBL_MIN && fabs(r) <= DBL_MAX))
        return c * (r / x);
    return c * pow(x, c - 1.0);
}

/* d/dy c^y for a constant base c, given r = c^y. */
static inline double dj_partial_pow_exponent(double c, double y, double r)
{
    if (DJ_LIKELY(c > 0))
        return c == 1 ? 0.0 : r * log(c);
    if (c == 0) {
        if (y <= 0)
            dj_event_raise(DJ_EVENT_EDGE);
        return 0.0;
    }
    if (c < 0)
        dj_event_raise(DJ_EVENT_EDGE);
    return (double)NAN; /* NAN is a float: no -Wdouble-promotion */
}

static inline double dj_partial_asin(double x)
{
    double s = (1.0 - x) * (1.0 + x);
    if (DJ_UNLIKELY(s == 0))
        dj_event_raise(DJ_EVENT_EDGE);
    return 1.0 / sqrt(s);
}

static inline double dj_partial_atan(double x)
{
    return 1.0 / (1.0 + x * x);
}

static inline double dj_partial_asinh(double x)
{
    return 1.0 / hypot(x, 1.0);
}

static inline double dj_partial_acosh(double x)
{
    double s = (x - 1.0) * (x + 1.0);
    if (DJ_UNLIKELY(s == 0))
        dj_event_raise(DJ_EVENT_EDGE);
    return 1.0 / sqrt(s);
}

static inline double dj_partial_atanh(double x)
{
    double s = (1.0 - x) * (1.0 + x);
    if (DJ_UNLIKELY(s == 0))
        dj_event_raise(DJ_EVENT_EDGE);
    return 1.0 / s;
}

static inline double dj_partial_erf(double x)
{
    return DJ_2_SQRTPI * exp(-x * x);
}

/* floor, ceil, trunc and round are flat between their jumps. */
static inline double dj_partial_floor(double x, double r)
{
    if (DJ_UNLIKELY(x == r))
        dj_event_raise(DJ_EVENT_KINK);
    return 0.0;
}

static inline double dj_partial_trunc(double x, double r)
{
    if (DJ_UNLIKELY(x == r && x != 0))
        dj_event_raise(DJ_EVENT_KINK);
    return 0.0;
}

static inline double dj_partial_round(double x)
{
    if (DJ_UNLIKELY(fabs(x - trunc(x)) == 0.5))
        dj_event_raise(DJ_EVENT_KINK);
    return 0.0;
}

/* Binary partials: *px = ∂r/∂x, *py = ∂r/∂y. */

/* r = x/y: 1/y and -r/y (= -x/y²); infinite at the pole y = ±0. */
static inline void dj_partial_div(double y, double r, double *px, double *py)
{
    if (DJ_UNLIKELY(y == 0))
        dj_event_raise(DJ_EVENT_EDGE);
    *px = 1.0 / y;
    *py = -r / y;
}

static inline void dj_partial_pow(double x, double y, double r, double *px, double *py)
{
    *px = dj_partial_pow_base(x, y, r);
    *py = dj_partial_pow_exponent(x, y, r);
}

static inline void dj_partial_atan2(double y, double x, double *py, double *px)
{
    double h = hypot(x, y);
    if (DJ_UNLIKELY(h == 0)) {
        dj_event_raise(DJ_EVENT_KINK);
        *py = 0.0;
        *px = 0.0;
        return;
    }
    /* (x/h)/h rather than x/(x²+y²): no overflow for large |x|, |y|. */
    *py = (x / h) / h;
    *px = (-y / h) / h;
}

static inline void dj_partial_hypot(double x, double y, double r, double *px, double *py)
{
    if (DJ_UNLIKELY(r == 0)) {
        dj_event_raise(DJ_EVENT_KINK);
        *px = 0.0;
        *py = 0.0;
        return;
    }
    *px = x / r;
    *py = y / r;
}

/* fmin picks the smaller, fmax the larger; a tie shares the derivative. NaN
 * on one side selects the other, as C's fmin and fmax do. */
static inline void dj_partial_fmin(double x, double y, double *px, double *py)
{
    if (x < y || isnan(y)) {
        *px = 1.0;
        *py = 0.0;
    } else if (y < x || isnan(x)) {
        *px = 0.0;
        *py = 1.0;
    } else {
        dj_event_raise(DJ_EVENT_KINK);
        *px = 0.5;
        *py = 0.5;
    }
}

static inline void dj_partial_fmax(double x, double y, double *px, double *py)
{
    dj_partial_fmin(-x, -y, px, py);
}

static inline void dj_partial_copysign(double x, double y, double *px, double *py)
{
    *py = 0.0;
    if (DJ_UNLIKELY(x == 0 || y == 0)) {
        dj_event_raise(DJ_EVENT_KINK);
        *px = (x == 0) ? 0.0 : (signbit(x) == signbit(y) ? 1.0 : -1.0);
        return;
    }
    *px = (signbit(x) == signbit(y)) ? 1.0 : -1.0;
    if (isnan(x))
        *px = x;
}

/* fmod(x, y) = x - n·y with n = trunc(x/y) exactly; n is recovered from the
 * exact remainder r (rounding x/y directly can land on the next integer). The
 * result jumps where r = 0. */
static inline void dj_partial_fmod(double x, double y, double r, double *px, double *py)
{
    *px = 1.0;
    *py = -round((x - r) / y);
    if (DJ_UNLIKELY(r == 0 && x != 0))
        dj_event_raise(DJ_EVENT_KINK);
}

/* ---- second partials ---------------------------------------------------------
 * In terms of x, the result r and the first partial p wherever that saves a
 * libm call: sin'' = -sin = -r, log'' = -1/x² = -p², asin'' = x/(1-x²)^(3/2)
 * = x·p³, ... */

static inline double dj_partial2_sqrt(double x, double r, double p)
{
    (void)r;
    if (DJ_UNLIKELY(x == 0))
        dj_event_raise(DJ_EVENT_EDGE);
    return -2.0 * p * p * p; /* -1/(4 r³), p = 1/(2r) */
}

static inline double dj_partial2_cbrt(double x, double r, double p)
{
    if (DJ_UNLIKELY(x == 0)) {
        dj_event_raise(DJ_EVENT_KINK);
        return 0.0;
    }
    return -2.0 * p * p / r; /* -2/(9 r^5), p = 1/(3r²) */
}

/* log'' = -1/x²; log2 and log10 divide by their constant once more. */
static inline double dj_partial2_log(double x, double p)
{
    if (DJ_UNLIKELY(x == 0))
        dj_event_raise(DJ_EVENT_EDGE);
    return -p * p;
}

static inline double dj_partial2_asin(double x, double p) { return x * p * p * p; }

static inline double dj_partial2_atan(double x, double p) { return -2.0 * x * p * p; }

static inline double dj_partial2_asinh(double x, double p) { return -x * p * p * p; }

static inline double dj_partial2_atanh(double x, double p) { return 2.0 * x * p * p; }

static inline double dj_partial2_erf(double x, double p) { return -2.0 * x * p; }

/* Pieces of a piecewise-linear function: 0; the first partial raised the
 * kink. */
static inline double dj_partial2_flat(void) { return 0.0; }

/* d²/dx² x^c for a constant c, given p = c·x^(c-1). */
static inline double dj_partial2_pow_base(double x, double c, double p)
{
    if (c == 0 || c == 1)
        return 0.0;
    if (c == 2)
        return 2.0;
    if (x == 0 && c < 2)
        dj_event_raise(DJ_EVENT_EDGE);
    if (DJ_LIKELY(x != 0 && isfinite(p)))
        return (c - 1.0) * (p / x);
    return c * (c - 1.0) * pow(x, c - 2.0);
}

/* d²/dy² c^y for a constant base c, given r = c^y. */
static inline double dj_partial2_pow_exponent(double c, double y, double r)
{
    if (DJ_LIKELY(c > 0)) {
        if (c == 1)
            return 0.0;
        double l = log(c);
        return r * l * l;
    }
    if (c == 0) {
        if (y <= 0)
            dj_event_raise(DJ_EVENT_EDGE);
        return 0.0;
    }
    dj_event_raise(DJ_EVENT_EDGE);
    return (double)NAN;
}

/* The three second partials of x^y, given r = x^y and px = y·x^(y-1). */
static inline void dj_partial2_pow(double x, double y, double r, double px, double *pxx,
                                   double *pxy, double *pyy)
{
    *pxx = dj_partial2_pow_base(x, y, px);
    *pyy = dj_partial2_pow_exponent(x, y, r);
    if (DJ_LIKELY(x > 0)) {
        /* d/dx (x^y ln x) = x^(y-1) (1 + y ln x) */
        double l = log(x);
        *pxy = (y != 0 ? px / y : r / x) * (1.0 + y * l);
    } else if (x == 0) {
        if (y <= 1)
            dj_event_raise(DJ_EVENT_EDGE);
        *pxy = 0.0;
    } else {
        *pxy = (double)NAN;
    }
}

/* atan2(a, b), the angle of the point (b, a): with h² = a² + b² the first
 * partials are pa = b/h², pb = -a/h², and the seconds (-2ab, a² - b², 2ab)/h⁴
 * = (2·pa·pb, pb² - pa², -2·pa·pb), formed from them without overflow; 0 at
 * the origin, as the first partials. */
static inline void dj_partial2_atan2(double pa, double pb, double *paa, double *pab,
                                     double *pbb)
{
    *paa = 2.0 * pa * pb;
    *pab = (pb - pa) * (pb + pa);
    *pbb = -2.0 * pa * pb;
}

/* hypot(x, y) = r: the seconds (y², -xy, x²)/r³ = ((1 - px²)/r, -px·py/r,
 * (1 - py²)/r); (0, 0, 0) at the origin, as the first partials. */
static inline void dj_partial2_hypot(double x, double y, double r, double px, double py,
                                     double *pxx, double *pxy, double *pyy)
{
    if (DJ_UNLIKELY(r == 0)) {
        dj_event_raise(DJ_EVENT_KINK);
        *pxx = *pxy = *pyy = 0.0;
        return;
    }
    /* y²/r³ directly: 1 - px² loses digits when |y| is much below |x| */
    double iy = y / r, ix = x / r;
    (void)px, (void)py;
    *pxx = iy * iy / r;
    *pxy = -ix * iy / r;
    *pyy = ix * ix / r;
}

/* x/y: (0, -1/y², 2x/y³) = (0, -px², -2·px·py). */
static inline void dj_partial2_div(double px, double py, double *pxx, double *pxy, double *pyy)
{
    *pxx = 0.0;
    *pxy = -px * px;
    *pyy = -2.0 * px * py;
}

#ifdef __cplusplus
}
#endif

#endif /* DUALJAC_PARTIALS_H */
