/* special.c: digamma and a thread-safe lgamma, the derivatives of the gamma
 * functions, which <math.h> does not have. */
#define _DEFAULT_SOURCE /* lgamma_r */
#include <math.h>

#include "internal.h"

/* glibc's lgamma writes the global signgam; lgamma_r does not. */
double dj_double_lgamma(double x)
{
    int sign;
    return lgamma_r(x, &sign);
}

/*
 * digamma by recurrence and asymptotic series. For x < 0 the reflection
 * psi(1-x) - psi(x) = pi·cot(pi·x) moves the argument to the right half-line;
 * then psi(x) = psi(x+1) - 1/x raises it to x >= 10, where
 *   psi(x) ~ ln x - 1/(2x) - sum B_2k / (2k x^2k)
 * with seven terms is accurate to about 1e-16 relative (the first omitted
 * term is B_16/(16 x^16) ~ 7e-17 at x = 10).
 */
double dj_digamma(double x)
{
    if (isnan(x) || x == -INFINITY)
        return NAN;
    if (x == INFINITY)
        return INFINITY;
    if (x <= 0 && x == floor(x))
        return NAN; /* a pole */
    double result = 0.0;
    if (x < 0) {
        /* cot(pi x) with x reduced mod 1 keeps the tangent accurate. */
        double frac = x - floor(x);
        result = -DJ_PI / tan(DJ_PI * frac);
        x = 1.0 - x;
    }
    while (x < 10.0) {
        result -= 1.0 / x;
        x += 1.0;
    }
    double inv2 = 1.0 / (x * x);
    /* B_2k / (2k): 1/12, -1/120, 1/252, -1/240, 1/132, -691/32760, 1/12 */
    double series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240
                    - inv2 * (1.0 / 132 - inv2 * (691.0 / 32760 - inv2 * (1.0 / 12)))))));
    return result + log(x) - 0.5 / x - series;
}

/*
 * trigamma by the same route: for x < 0 the reflection
 * psi'(1-x) + psi'(x) = pi²/sin²(pi·x), then psi'(x) = psi'(x+1) + 1/x² up
 * to x >= 10, where
 *   psi'(x) ~ 1/x + 1/(2x²) + sum B_2k / x^(2k+1)
 * with eight terms leaves under 1e-16 relative (the next term,
 * B_18/x^19, is about 5e-19 at x = 10, against psi'(10) ~ 0.1).
 */
double dj_trigamma(double x)
{
    if (isnan(x) || x == -INFINITY)
        return NAN;
    if (x == INFINITY)
        return 0.0;
    if (x <= 0 && x == floor(x))
        return NAN; /* a pole */
    double result = 0.0, sign = 1.0;
    if (x < 0) {
        double s = sin(DJ_PI * (x - floor(x)));
        result = DJ_PI * DJ_PI / (s * s);
        sign = -1.0;
        x = 1.0 - x;
    }
    double acc = 0.0;
    while (x < 10.0) {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    double inv = 1.0 / x, inv2 = inv * inv;
    /* B_2k: 1/6, -1/30, 1/42, -1/30, 5/66, -691/2730, 7/6, -3617/510 */
    double series = inv2 * (1.0 / 6 - inv2 * (1.0 / 30 - inv2 * (1.0 / 42 - inv2 * (1.0 / 30
                    - inv2 * (5.0 / 66 - inv2 * (691.0 / 2730 - inv2 * (7.0 / 6
                    - inv2 * (3617.0 / 510))))))));
    double tail = acc + inv + 0.5 * inv2 + inv * series;
    return result + sign * tail;
}
