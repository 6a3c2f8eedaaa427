/*
 * boundary.dj.h: the discrete boundary value function (Moré, Garbow and
 * Hillstrom, no. 28), a tridiagonal system, over the scalar type T:
 *
 *   f_i = 2 x_i - x_{i-1} - x_{i+1} + h^2 (x_i + t_i + 1)^3 / 2,
 *
 * with h = 1/(n+1), t_i = i h and x_0 = x_{n+1} = 0 (indices from 1).
 */
DJ_FUNCTION(boundary)(T *f, const T *x, size_t n, size_t m, const void *ctx)
{
    const double h = 1.0 / (double)(n + 1);
    for (size_t i = 0; i < n; i++) {
        T xl = i > 0 ? x[i - 1] : dj_zero(T);      /* x_0 = 0 */
        T xr = i + 1 < n ? x[i + 1] : dj_zero(T);  /* x_{n+1} = 0 */
        T c = dj_add(x[i], (double)(i + 1) * h + 1);
        f[i] = dj_sum(dj_mul(2, x[i]), dj_neg(xl), dj_neg(xr),
                      dj_div(dj_mul(h * h, dj_prod(c, c, c)), 2));
    }
}
