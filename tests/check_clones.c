/* check_clones.c: fn.h's tuned builds of the dual instantiations (an AVX
 * clone, the vectorizer's dynamic cost model) give bitwise the results of
 * a plain build, and leave the AVX state clean. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avx_state.h"
#include "clone_bodies.h"
#include "clone_twin.h"
#include "testlib.h"

DJ_FN_INSTANTIATE(mixed, CLONE_MIXED);
DJ_FN_INSTANTIATE(stencil, CLONE_STENCIL);
DJ_FN_INSTANTIATE(tail_call, CLONE_TAIL_CALL);

static volatile size_t touched;

__attribute__((noinline)) void clone_touch(const void *y, size_t bytes)
{
    (void)y;
    touched += bytes;
}

enum { N = 23, M = 19 }; /* not multiples of any width */

/* Random values in [0.2, 1.4] and tangents in [-1, 1], written as the
 * n×(K+1) matrix an array of duals is. */
#define SEED(K, X, count, r)                                                   \
    for (size_t j = 0; j < count; j++) {                                       \
        double *row = (double *)(void *)&X[j];                                 \
        row[0] = tl_uniform(r, 0.2, 1.4);                                      \
        for (int t = 1; t <= K; t++)                                           \
            row[t] = tl_uniform(r, -1.0, 1.0);                                 \
    }

/* f and twin's instantiation for T give the same bytes on 50 inputs. */
#define SAME_BITS(T, K, eval, f, twin, n, m)                                   \
    {                                                                          \
        T *X = malloc(n * sizeof *X), *Y = malloc(m * sizeof *Y), *Z = malloc(m * sizeof *Z); \
        ck_assert(X && Y && Z);                                                \
        tl_rng r;                                                              \
        tl_rng_seed(&r, 40 + K);                                               \
        for (int rep = 0; rep < 50; rep++) {                                   \
            SEED(K, X, n, &r);                                                 \
            f.eval(Y, X, n, m, NULL);                                          \
            twin.eval(Z, X, n, m, NULL);                                       \
            ck_assert_msg(memcmp(Y, Z, m * sizeof *Y) == 0, #T " rep %d", rep); \
        }                                                                      \
        free(X), free(Y), free(Z);                                             \
    }

#define SAME_BITS_EVERY_WIDTH(f, twin, n, m)                                   \
    SAME_BITS(dj_dual, 1, eval_dual, f, twin, n, m)                            \
    SAME_BITS(dj_dual2, 2, eval_dual2, f, twin, n, m)                          \
    SAME_BITS(dj_dual4, 4, eval_dual4, f, twin, n, m)                          \
    SAME_BITS(dj_dual8, 8, eval_dual8, f, twin, n, m)                          \
    SAME_BITS(dj_dual16, 16, eval_dual16, f, twin, n, m)

/* Every lane operation gives the same bits in the build the loader chose
 * (AVX on this machine when it has AVX) as in the plain build. */
START_TEST(test_clones_match_single_build)
{
    dj_fn f = DJ_FN_INIT(mixed, N, M, NULL), twin = clone_twin_mixed(N, M);
    SAME_BITS_EVERY_WIDTH(f, twin, N, M);
}
END_TEST

/* So does a loop the tuned builds vectorize across elements, at lengths
 * around every vector width and unroll. */
START_TEST(test_vectorized_loops_match_single_build)
{
    for (size_t n = 2; n <= 41; n++) {
        dj_fn f = DJ_FN_INIT(stencil, n, n, NULL), twin = clone_twin_stencil(n);
        SAME_BITS_EVERY_WIDTH(f, twin, n, n);
    }
}
END_TEST

/* Jacobians through the clones equal those through the single build, for
 * every chunk width and both layouts. */
START_TEST(test_clone_jacobians_match)
{
    dj_fn f = DJ_FN_INIT(mixed, N, M, NULL), twin = clone_twin_mixed(N, M);
    double x[N], J[M * N], K[M * N];
    tl_rng r;
    tl_rng_seed(&r, 7);
    for (size_t j = 0; j < N; j++)
        x[j] = tl_uniform(&r, 0.2, 1.4);
    const int chunks[] = {1, 2, 4, 8, 16};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++)
        for (int layout = 0; layout < 2; layout++) {
            dj_opts o = {.mode = DJ_MODE_FORWARD, .chunk = chunks[c],
                         .layout = layout ? DJ_COL_MAJOR : DJ_ROW_MAJOR};
            ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, NULL), DJ_OK);
            ck_assert_int_eq(dj_jacobian(K, NULL, &twin, x, &o, NULL), DJ_OK);
            ck_assert_msg(memcmp(J, K, sizeof J) == 0, "chunk %d layout %d", chunks[c], layout);
        }
}
END_TEST

/* An instantiation returns with the upper halves clear, and so does a
 * Jacobian whose body ends in a call that gcc lets leave them dirty.
 * Read at once: a libc call in between would clear them. */
START_TEST(test_clones_leave_avx_state_clean)
{
    if (!avx_state_readable())
        return; /* the CPU cannot tell */
    dj_fn f = DJ_FN_INIT(mixed, N, M, NULL), g = DJ_FN_INIT(tail_call, N, M, NULL);
    dj_dual16 X[N], Y[M];
    for (size_t j = 0; j < N; j++)
        X[j] = dj_dual16_const(0.5 + 0.01 * (double)j);
    f.eval_dual16(Y, X, N, M, NULL);
    int after_eval = avx_upper_dirty();
#ifndef __SANITIZE_ADDRESS__ /* gcc -O1 -fsanitize=address leaves it to the caller */
    ck_assert_int_eq(after_eval, 0);
#else
    (void)after_eval;
#endif
    double x[N], J[M * N];
    for (size_t j = 0; j < N; j++)
        x[j] = 0.5 + 0.01 * (double)j;
    const int chunks[] = {4, 8, 16};
    for (size_t c = 0; c < 3; c++) {
        dj_opts o = {.mode = DJ_MODE_FORWARD, .chunk = chunks[c]};
        int status = dj_jacobian(J, NULL, &g, x, &o, NULL);
        int after_jacobian = avx_upper_dirty();
        ck_assert_int_eq(status, DJ_OK);
        ck_assert_msg(after_jacobian == 0, "chunk %d", chunks[c]);
        for (size_t i = 0; i < M; i++) /* y_i = x_a (x_b + 2) */
            for (size_t j = 0; j < N; j++) {
                size_t a = i % N, b = (i + 1) % N;
                double want = (j == a ? x[b] + 2.0 : 0.0) + (j == b ? x[a] : 0.0);
                ck_assert(tl_close(J[i * N + j], want, 1e-15));
            }
    }
}
END_TEST

static Suite *clones_suite(void)
{
    printf("AVX clones in use: %s\n",
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
           __builtin_cpu_supports("avx") ? "yes (when the compiler made them)" : "no, the CPU lacks AVX"
#else
           "no, not built by this compiler"
#endif
    );
    Suite *s = suite_create("clones");
    TCase *tc = tcase_create("clones");
    tcase_add_test(tc, test_clones_match_single_build);
    tcase_add_test(tc, test_vectorized_loops_match_single_build);
    tcase_add_test(tc, test_clone_jacobians_match);
    tcase_add_test(tc, test_clones_leave_avx_state_clean);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tl_main(clones_suite); }
