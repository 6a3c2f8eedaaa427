/*
 * hessian.dj.h: the arrowhead, sum of (x[0] x[i])^2 + exp(x[i]) / 16, whose
 * Hessian is the first row and column and the diagonal, written once over
 * T; bench_hessian.c instantiates it with src/problems/rosenbrock_sum.dj.h,
 * and bench/peers/functions.dj.h includes it for make bench-peers.
 */
DJ_FUNCTION(arrowhead)(T *y, const T *x, size_t n, size_t m, const void *ctx)
{
    T s = dj_zero(T);
    for (size_t i = 1; i < n; i++) {
        T t = dj_mul(x[0], x[i]);
        dj_add_to(s, dj_add(dj_mul(t, t), dj_div(dj_exp(x[i]), 16)));
    }
    y[0] = s;
}
