/*
 * functions.dj.h: the functions of `make bench-peers` as dualjac users
 * write them, once over the scalar type T (dualjac/instantiate.h includes
 * this file once per type). The same functions for the C++ tools are in
 * functions.hpp, and as plain C in primal.c. Dense layers are dj_linear:
 * one dgemm on dual arrays, one node on the graph.
 */

DJ_FUNCTION(pchain)(T *y, const T *x, size_t n, size_t m, const void *ctx)
{
    const peer_chain *c = ctx;
    T h1[PEER_HIDDEN], h2[PEER_HIDDEN];
    dj_linear(h1, c->W1, x, c->b1, c->h, n);
    for (size_t i = 0; i < c->h; i++)
        h1[i] = dj_tanh(h1[i]);
    dj_linear(h2, c->W2, h1, c->b2, c->h, c->h);
    for (size_t i = 0; i < c->h; i++)
        h2[i] = dj_tanh(h2[i]);
    dj_linear(y, c->W3, h2, NULL, m, c->h);
}

/* f_i = x_i + sum(x) - (n+1), f_n = prod(x) - 1 */
DJ_FUNCTION(pbrown)(T *y, const T *x, size_t n, size_t m, const void *ctx)
{
    T s = dj_sum_n(x, n), p = dj_prod_n(x, n);
    T c = dj_sub(s, (double)(n + 1));
    for (size_t i = 0; i + 1 < n; i++)
        y[i] = dj_add(x[i], c);
    y[n - 1] = dj_sub(p, 1);
}

/* f_i = 2x_i - x_{i-1} - x_{i+1} + h^2 (x_i + t_i + 1)^3 / 2 */
DJ_FUNCTION(pboundary)(T *y, const T *x, size_t n, size_t m, const void *ctx)
{
    const double h = 1.0 / (double)(n + 1);
    for (size_t i = 0; i < n; i++) {
        T c = dj_add(x[i], (double)(i + 1) * h + 1);
        T r = dj_add(dj_mul(2, x[i]), dj_mul(0.5 * h * h, dj_mul(dj_mul(c, c), c)));
        if (i > 0)
            dj_sub_from(r, x[i - 1]);
        if (i + 1 < n)
            dj_sub_from(r, x[i + 1]);
        y[i] = r;
    }
}

/* f_i = (3 - 2x_i)x_i - x_{i-1} - 2x_{i+1} + 1 */
DJ_FUNCTION(pbroyden)(T *y, const T *x, size_t n, size_t m, const void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        T r = dj_add(dj_mul(dj_sub(3, dj_mul(2, x[i])), x[i]), 1);
        if (i > 0)
            dj_sub_from(r, x[i - 1]);
        if (i + 1 < n)
            dj_sub_from(r, dj_mul(2, x[i + 1]));
        y[i] = r;
    }
}

/* f_i = x_i(2 + 5x_i^2) + 1 - sum over j in [i-5, i+1], j != i, of x_j(1 + x_j) */
DJ_FUNCTION(pbanded)(T *y, const T *x, size_t n, size_t m, const void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        T r = dj_add(dj_mul(x[i], dj_add(dj_mul(5, dj_mul(x[i], x[i])), 2)), 1);
        size_t lo = i >= 5 ? i - 5 : 0, hi = i + 1 < n ? i + 1 : n - 1;
        for (size_t j = lo; j <= hi; j++)
            if (j != i)
                dj_sub_from(r, dj_mul(x[j], dj_add(x[j], 1)));
        y[i] = r;
    }
}

/* f_{2i} = 10(x_{2i+1} - x_{2i}^2), f_{2i+1} = 1 - x_{2i} */
DJ_FUNCTION(prosenbrock)(T *y, const T *x, size_t n, size_t m, const void *ctx)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        y[i] = dj_mul(10, dj_sub(x[i + 1], dj_mul(x[i], x[i])));
        y[i + 1] = dj_sub(1, x[i]);
    }
}

/* f_0 = sum x_j^2 / 2, f_i = x_0 x_i + sin(x_i) */
DJ_FUNCTION(parrow)(T *y, const T *x, size_t n, size_t m, const void *ctx)
{
    T s = dj_mul(x[0], x[0]);
    for (size_t j = 1; j < n; j++)
        dj_add_to(s, dj_mul(x[j], x[j]));
    y[0] = dj_mul(0.5, s);
    for (size_t i = 1; i < n; i++)
        y[i] = dj_add(dj_mul(x[0], x[i]), dj_sin(x[i]));
}

/* sum of 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2 */
DJ_FUNCTION(prosen_sum)(T *y, const T *x, size_t n, size_t m, const void *ctx)
{
    T s = dj_zero(T);
    for (size_t i = 0; i + 1 < n; i++) {
        T a = dj_sub(x[i + 1], dj_mul(x[i], x[i])), b = dj_sub(1, x[i]);
        dj_add_to(s, dj_add(dj_mul(100, dj_mul(a, a)), dj_mul(b, b)));
    }
    y[0] = s;
}

/* (1/N) sum_s log(1 + exp(-t_s X_s.w)) + (lambda/2) |w|^2 */
DJ_FUNCTION(plogistic)(T *y, const T *w, size_t n, size_t m, const void *ctx)
{
    const peer_logistic *d = ctx;
    T z[PEER_SAMPLES];
    dj_linear(z, d->X, w, NULL, d->N, n);
    T s = dj_zero(T), r = dj_zero(T);
    for (size_t k = 0; k < d->N; k++)
        dj_add_to(s, dj_log(dj_add(1, dj_exp(dj_mul(-d->t[k], z[k])))));
    for (size_t j = 0; j < n; j++)
        dj_add_to(r, dj_mul(w[j], w[j]));
    y[0] = dj_add(dj_div(s, (double)d->N), dj_mul(0.5 * d->lambda, r));
}

/* sum of sin(x_i) exp(cos(x_{i+1})) + log(1 + x_i^2): transcendental,
 * tridiagonal Hessian */
DJ_FUNCTION(ptrig_sum)(T *y, const T *x, size_t n, size_t m, const void *ctx)
{
    T s = dj_zero(T);
    for (size_t i = 0; i + 1 < n; i++)
        dj_add_to(s, dj_add(dj_mul(dj_sin(x[i]), dj_exp(dj_cos(x[i + 1]))),
                            dj_log(dj_add(1, dj_mul(x[i], x[i])))));
    y[0] = s;
}

/* the sum of squares of Brown's residuals (pbrown): a dense Hessian */
DJ_FUNCTION(pbrown_sq)(T *y, const T *x, size_t n, size_t m, const void *ctx)
{
    T s = dj_sum_n(x, n), p = dj_prod_n(x, n);
    T c = dj_sub(s, (double)(n + 1)), q = dj_sub(p, 1);
    T r = dj_mul(q, q);
    for (size_t i = 0; i + 1 < n; i++) {
        T f = dj_add(x[i], c);
        dj_add_to(r, dj_mul(f, f));
    }
    y[0] = r;
}

/* sum of (x_0 x_i)^2 + exp(x_i)/16: H is the first row and column and the
 * diagonal; bench_hessian's own arrowhead, one definition for both */
#include "../hessian.dj.h"
