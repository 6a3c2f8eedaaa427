/* check_pack.c: the drivers' array kernels (src/pack.c), every variant the
 * machine can run against the plain loop: every length across the unrolled
 * blocks and their tails, and a NaN or Inf in every position. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/pack.h"
#include "avx_state.h"

typedef void pack_fn(double *X, const double *x, const double *v, size_t n);
typedef int unpack_fn(double *y, double *jv, const double *Y, size_t m);

typedef struct variant {
    const char *name;
    pack_fn *pack;
    unpack_fn *unpack;
} variant;

/* The variants this CPU runs: the baseline, AVX where it has it, and the
 * dispatching entry points. */
static size_t variants(variant *out)
{
    size_t count = 0;
    out[count++] = (variant){"baseline", dj__pack_duals_baseline, dj__unpack_duals_baseline};
#ifdef DJ__PACK_AVX
    if (dj__have_avx())
        out[count++] = (variant){"avx", dj__pack_duals_avx, dj__unpack_duals_avx};
#endif
    out[count++] = (variant){"dispatch", dj__pack_duals, dj__unpack_duals};
    return count;
}

enum { MAX_N = 70 };

/* Distinct values in [-1000, 1000) from a linear congruential stream (the
 * suite links no dualjac, so not testlib's generator). */
static void fill(uint64_t *state, double *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        *state = *state * 6364136223846793005u + 1442695040888963407u;
        a[i] = (double)(*state >> 11) * 0x1p-53 * 2000.0 - 1000.0;
    }
}

START_TEST(test_pack_is_the_interleave)
{
    variant vs[3];
    size_t count = variants(vs);
    uint64_t rng = 7;
    double x[MAX_N], v[MAX_N], X[2 * MAX_N + 1];
    for (size_t n = 0; n <= MAX_N; n++)
        for (size_t k = 0; k < count; k++) {
            fill(&rng, x, n);
            fill(&rng, v, n);
            X[2 * n] = 42.0; /* past the end: untouched */
            vs[k].pack(X, x, v, n);
            for (size_t j = 0; j < n; j++)
                ck_assert_msg(X[2 * j] == x[j] && X[2 * j + 1] == v[j], "%s n %zu j %zu",
                              vs[k].name, n, j);
            ck_assert(X[2 * n] == 42.0);
        }
}
END_TEST

START_TEST(test_unpack_is_the_deinterleave)
{
    variant vs[3];
    size_t count = variants(vs);
    uint64_t rng = 8;
    double Y[2 * MAX_N], y[MAX_N + 1], jv[MAX_N + 1];
    for (size_t m = 0; m <= MAX_N; m++)
        for (size_t k = 0; k < count; k++)
            for (int with_y = 0; with_y < 2; with_y++) {
                fill(&rng, Y, 2 * m);
                y[m] = jv[m] = 42.0;
                ck_assert_int_eq(vs[k].unpack(with_y ? y : NULL, jv, Y, m), 1);
                for (size_t i = 0; i < m; i++) {
                    ck_assert_msg(jv[i] == Y[2 * i + 1], "%s m %zu i %zu", vs[k].name, m, i);
                    ck_assert(!with_y || y[i] == Y[2 * i]);
                }
                ck_assert(y[m] == 42.0 && jv[m] == 42.0);
            }
}
END_TEST

/* A NaN, +Inf or -Inf in any value or tangent, the rest finite and some
 * huge (their sum overflows, which must not count as non-finite). */
START_TEST(test_unpack_finds_each_nonfinite)
{
    variant vs[3];
    size_t count = variants(vs);
    const double bad[] = {NAN, INFINITY, -INFINITY};
    double Y[2 * MAX_N], y[MAX_N], jv[MAX_N];
    for (size_t m = 1; m <= 37; m++)
        for (size_t p = 0; p < 2 * m; p++)
            for (size_t b = 0; b < 3; b++)
                for (size_t k = 0; k < count; k++) {
                    for (size_t i = 0; i < 2 * m; i++)
                        Y[i] = 1.5e308;
                    ck_assert_int_eq(vs[k].unpack(y, jv, Y, m), 1);
                    Y[p] = bad[b];
                    ck_assert_msg(vs[k].unpack(b ? y : NULL, jv, Y, m) == 0,
                                  "%s m %zu position %zu", vs[k].name, m, p);
                    ck_assert(p % 2 == 0 || memcmp(&jv[p / 2], &bad[b], sizeof *jv) == 0);
                }
}
END_TEST

/* Every variant returns with the upper halves of the AVX registers clear,
 * whatever the length (the tails are calls). Dirty halves made the SSE
 * code that ran next 7x slower, and gcc 12 had left them dirty before the
 * AVX kernels' tail calls. */
START_TEST(test_kernels_leave_avx_state_clean)
{
    if (!avx_state_readable())
        return; /* the CPU cannot tell */
    variant vs[3];
    size_t count = variants(vs);
    double x[MAX_N], v[MAX_N], X[2 * MAX_N];
    uint64_t rng = 9;
    fill(&rng, x, MAX_N);
    fill(&rng, v, MAX_N);
    for (size_t n = 0; n <= MAX_N; n++)
        for (size_t k = 0; k < count; k++) {
            /* read at once: a libc call in between (glibc's AVX string
             * functions) would clear the halves and hide the fault */
            vs[k].pack(X, x, v, n);
            int after_pack = avx_upper_dirty();
            int finite = vs[k].unpack(x, v, X, n);
            int after_unpack = avx_upper_dirty();
            ck_assert_msg(after_pack == 0, "%s pack n %zu", vs[k].name, n);
            ck_assert_msg(after_unpack == 0, "%s unpack n %zu", vs[k].name, n);
            ck_assert_int_eq(finite, 1);
        }
}
END_TEST

/* The scans against the plain test isfinite: every length across the
 * vector blocks and tails, a NaN, +Inf or -Inf in every position, the rest
 * huge (a sum of them overflows; x - x does not). */
START_TEST(test_all_finite_finds_each_nonfinite)
{
    const double bad[] = {NAN, INFINITY, -INFINITY};
    double v[MAX_N] = {0};
    for (size_t count = 0; count <= 37; count++) {
        for (size_t i = 0; i < count; i++)
            v[i] = i % 2 ? 1.5e308 : -1.5e308;
        ck_assert_msg(dj__all_finite(v, count), "count %zu", count);
        for (size_t p = 0; p < count; p++)
            for (size_t b = 0; b < 3; b++) {
                double keep = v[p];
                v[p] = bad[b];
                ck_assert_msg(!dj__all_finite(v, count), "count %zu position %zu", count, p);
                v[p] = keep;
            }
    }
}
END_TEST

/* An m×n block in either layout with a leading dimension past it: a NaN in
 * the block is found wherever it is, one in the gap between lines is not
 * the block's. */
START_TEST(test_matrix_finite_reads_the_block_only)
{
    enum { MAX_M = 7, MAX_COLS = 6, GAP = 2 };
    double J[(MAX_COLS + GAP) * (MAX_M + GAP)];
    for (int layout = 0; layout < 2; layout++)
        for (size_t m = 1; m <= MAX_M; m++)
            for (size_t n = 1; n <= MAX_COLS; n++) {
                dj_layout lay = layout ? DJ_COL_MAJOR : DJ_ROW_MAJOR;
                size_t lines = layout ? n : m, len = layout ? m : n, ld = len + GAP;
                for (size_t i = 0; i < lines * ld; i++)
                    J[i] = i % ld < len ? 1.0 : NAN; /* the gaps are NaN */
                ck_assert_msg(dj__matrix_finite(J, lay, ld, m, n), "layout %d m %zu n %zu",
                              layout, m, n);
                for (size_t l = 0; l < lines; l++)
                    for (size_t e = 0; e < len; e++) {
                        J[l * ld + e] = INFINITY;
                        ck_assert_msg(!dj__matrix_finite(J, lay, ld, m, n),
                                      "layout %d m %zu n %zu line %zu element %zu", layout, m,
                                      n, l, e);
                        J[l * ld + e] = 1.0;
                    }
            }
}
END_TEST

static Suite *pack_suite(void)
{
    Suite *s = suite_create("pack");
    TCase *tc = tcase_create("pack");
    tcase_add_test(tc, test_pack_is_the_interleave);
    tcase_add_test(tc, test_unpack_is_the_deinterleave);
    tcase_add_test(tc, test_unpack_finds_each_nonfinite);
    tcase_add_test(tc, test_kernels_leave_avx_state_clean);
    suite_add_tcase(s, tc);
    tc = tcase_create("scans");
    tcase_add_test(tc, test_all_finite_finds_each_nonfinite);
    tcase_add_test(tc, test_matrix_finite_reads_the_block_only);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    variant vs[3];
    size_t count = variants(vs);
    printf("packing variants run on this machine:");
    for (size_t k = 0; k < count; k++)
        printf(" %s", vs[k].name);
    printf("\n");
    SRunner *sr = srunner_create(pack_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
