/*
 * rosenbrock_sum.dj.h: the extended Rosenbrock function as one sum, a
 * template written once over T (dualjac/instantiate.h): the sum over pairs
 * of 100 (x[2i+1] - x[2i]^2)^2 + (1 - x[2i])^2, Rosenbrock's own at n = 2.
 * Its Hessian is 2x2 blocks. check_hessian tests it; bench_modes times its
 * gradient and bench_hessian its Hessian, each instantiating it with its
 * own flags. (problems.c has the same pairs as residuals, m = n.)
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
