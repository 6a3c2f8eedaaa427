/* The control: ordinary use of the generic macros compiles without a
 * warning (compile_errors.sh adds -Wall -Wextra -Wpedantic -Werror). */
#include <dualjac.h>

/* f(r, t, s) = (r cos t + s/2, r sin t - 1, hypot(r, s)^t), written once. */
#define BODY(T, y, x, n, m, ctx)                                               \
    y[0] = dj_add(dj_mul(x[0], dj_cos(x[1])), dj_div(x[2], 2));                \
    y[1] = dj_sub(dj_mul(x[0], dj_sin(x[1])), 1.0);                            \
    y[2] = dj_pow(dj_hypot(x[0], x[2]), x[1]);

DJ_FN_DEFINE(clean_fn, 3, 3, BODY);

double clean_mixed(const dj_dual8 *x, unsigned long n, float w);

/* Plain numbers of several types beside duals; x[i++] as an argument. */
double clean_mixed(const dj_dual8 *x, unsigned long n, float w)
{
    dj_dual8 s = dj_const(dj_dual8, 0);
    unsigned long i = 0;
    while (i < n) {
        s = dj_fma(x[i++], w, s);
        if (dj_lt(s, 0))
            s = dj_neg(s);
    }
    return dj_value(s) + dj_tangent(s, 0) + dj_exp(n) + dj_atan2(1, 2u);
}

dj_var clean_var(dj_var x, int k);

/* A graph variable beside numbers and itself. */
dj_var clean_var(dj_var x, int k)
{
    return dj_fma(dj_sin(x), k, dj_mul(x, x));
}
