/* clone_bodies.h: bodies that check_clones instantiates twice, once as
 * users get them (with fn.h's tuned builds where the compiler makes them)
 * and once in clone_twin.c with DJ_NO_CLONES. */
#ifndef DJ_TEST_CLONE_BODIES_H
#define DJ_TEST_CLONE_BODIES_H

#include <dualjac.h>

/* Every kind of lane operation: +, -, ×, ÷, negation, fma, a constant,
 * libm-backed partials, and a running product and sum like Brown's. */
#define CLONE_MIXED(T, y, x, n, m, ctx)                                        \
    {                                                                          \
        T s = dj_const(T, 0.5), p = x[0];                                  \
        for (size_t j = 0; j < n; j++) {                                       \
            s = dj_add(s, dj_div(x[j], dj_add(dj_mul(x[j], x[j]), 1.0)));     \
            p = dj_mul(p, dj_sub(1.5, dj_neg(dj_mul(x[j], 0.25))));            \
        }                                                                      \
        for (size_t i = 0; i + 1 < m; i++)                                     \
            y[i] = dj_fma(x[i % n], dj_sin(s), dj_mul(dj_exp(x[(i + 1) % n]), dj_sqrt(p))); \
        y[m - 1] = dj_sub(dj_hypot(p, s), dj_atan2(s, p));                     \
    }

/* A stencil of + and ×, which gcc vectorizes across elements in the
 * tuned builds (fn.h) and not in the plain -O2 one. */
#define CLONE_STENCIL(T, y, x, n, m, ctx)                                      \
    {                                                                          \
        y[0] = dj_mul(x[0], x[1]);                                             \
        for (size_t i = 1; i + 1 < n; i++)                                     \
            y[i] = dj_add(dj_mul(dj_sub(x[i], x[i + 1]), dj_div(x[i - 1], 3.0)), x[i + 1]); \
        y[n - 1] = dj_mul(x[n - 1], x[n - 2]);                                 \
    }

/* Writes its outputs and then tail-calls a helper the compiler does not
 * inline: gcc 12 leaves the AVX upper halves dirty across such a call. */
void clone_touch(const void *y, size_t bytes);
#define CLONE_TAIL_CALL(T, y, x, n, m, ctx)                                    \
    {                                                                          \
        for (size_t i = 0; i < m; i++)                                         \
            y[i] = dj_mul(x[i % n], dj_add(x[(i + 1) % n], 2.0));              \
        clone_touch(y, m * sizeof y[0]);                                       \
    }

#endif /* DJ_TEST_CLONE_BODIES_H */
