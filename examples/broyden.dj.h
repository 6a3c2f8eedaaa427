/*
 * broyden.dj.h: Broyden's tridiagonal system over the scalar type T,
 *
 *   f_i(x) = (3 - 2 x_i) x_i - x_{i-1} - 2 x_{i+1} + 1,   x_0 = x_{n+1} = 0,
 *
 * whose Jacobian is tridiagonal: dualjac finds 3 colors, one forward pass
 * per Jacobian at any n.
 */
DJ_FUNCTION(broyden)(T *f, const T *x, size_t n, size_t m, const void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        T r = dj_add(dj_mul(dj_sub(3, dj_mul(2, x[i])), x[i]), 1);
        if (i > 0)
            dj_sub_from(r, x[i - 1]);
        if (i + 1 < n)
            dj_sub_from(r, dj_mul(2, x[i + 1]));
        f[i] = r;
    }
}
