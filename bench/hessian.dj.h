/*
 * hessian.dj.h: the scalar functions bench_hessian differentiates twice,
 * written once over T (bench_hessian.c instantiates them).
 *
 *   rosenbrock_sum: sum over pairs of 100 (x[2i+1] - x[2i]^2)^2 + (1 - x[2i])^2,
 *                   a Hessian of 2x2 blocks;
 *   arrowhead:      sum of (x[0] x[i])^2 + exp(x[i]) / 16, the first row and
 *                   column and the diagonal.
 */
DJ_FUNCTION(rosenbrock_sum)(T *y, const T *x, size_t n, size_t m, const void *ctx)
{
    T s = dj_zero(T);
    for (size_t i = 0; i + 1 < n; i += 2) {
        T a = dj_sub(x[i + 1], dj_mul(x[i], x[i])), b = dj_sub(1, x[i]);
        dj_add_to(s, dj_add(dj_mul(100, dj_mul(a, a)), dj_mul(b, b)));
    }
    y[0] = s;
}

DJ_FUNCTION(arrowhead)(T *y, const T *x, size_t n, size_t m, const void *ctx)
{
    T s = dj_zero(T);
    for (size_t i = 1; i < n; i++) {
        T t = dj_mul(x[0], x[i]);
        dj_add_to(s, dj_add(dj_mul(t, t), dj_div(dj_exp(x[i]), 16)));
    }
    y[0] = s;
}
