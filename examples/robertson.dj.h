/*
 * robertson.dj.h: Robertson's chemical kinetics, the classic stiff ODE,
 * written once over the scalar type T (robertson.c instantiates it):
 *
 *   y1' = -k1 y1 + k3 y2 y3
 *   y2' =  k1 y1 - k3 y2 y3 - k2 y2^2
 *   y3' =  k2 y2^2
 *
 * with the rate constants of the context (struct rates, declared before the
 * instantiation): k1 = 0.04, k2 = 3e7, k3 = 1e4.
 */
DJ_FUNCTION(robertson)(T *f, const T *y, size_t n, size_t m, const void *ctx)
{
    const struct rates *k = ctx;
    T r1 = dj_mul(k->k1, y[0]);
    T r2 = dj_mul(k->k2, dj_mul(y[1], y[1]));
    T r3 = dj_mul(k->k3, dj_mul(y[1], y[2]));
    f[0] = dj_sub(r3, r1);
    f[1] = dj_sum(r1, dj_neg(r3), dj_neg(r2));
    f[2] = r2;
}
