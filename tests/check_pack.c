/* check_pack.c: the drivers' array kernels (src/pack.c), every variant the
 * machine can run against the plain loop: every length across the unrolled
 * blocks and their tails, and a NaN or Inf in every position. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "../src/pack.h"
#include "avx_state.h"
#include "runner.h"

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

/* ---- a pass's tangents into J ---- */

/* Y holds the multi-duals of chunk width k for m outputs: Y[i·(k+1) + 1 + c]
 * is tangent c of output i; the values, never read, are NaN or Inf. J is
 * stored with a gap of J_GAP doubles after each line, which must stay. */
enum { MAX_K = 16, MAX_OUT = 37, J_GAP = 3 };

static const int widths[] = {1, 2, 4, 8, 16};

/* Copies by both variants into a J filled with 42 and checks what each
 * reported and that J holds the plain loop's values, the gaps untouched:
 * the plain loop, and the dispatch, which takes the unrolled copies when
 * w = k >= 2. Asserts once a call: every Check assertion that passes
 * costs a message to the parent. */
static void check_store(const double *Y, size_t m, int k, size_t w, dj_layout layout,
                        int expect_finite, const char *what)
{
    static double J[(MAX_K + J_GAP) * (MAX_OUT + J_GAP)];
    int row_major = layout == DJ_ROW_MAJOR;
    size_t len = row_major ? w : m, ld = len + J_GAP, lines = row_major ? m : w;
    for (int v = 0; v < 2; v++) {
        for (size_t e = 0; e < lines * ld; e++)
            J[e] = 42.0;
        const char *name = v == 0 ? "strided" : w == (size_t)k && k > 1 ? "unrolled" : "dispatch";
        int finite = v == 0 ? dj__store_tangents_strided(J, ld, layout, Y, m, k, w)
                            : dj__store_tangents(J, ld, layout, Y, m, k, w);
        size_t bad = SIZE_MAX;
        for (size_t e = 0; e < lines * ld && bad == SIZE_MAX; e++) {
            size_t l = e / ld, o = e % ld; /* line l, offset o */
            size_t i = row_major ? l : o, c = row_major ? o : l;
            if (o >= len ? J[e] != 42.0
                         : memcmp(&J[e], &Y[i * (size_t)(k + 1) + 1 + c], sizeof *J) != 0)
                bad = e;
        }
        char where[32] = "right";
        if (bad != SIZE_MAX)
            snprintf(where, sizeof where, "wrong at %zu", bad);
        ck_assert_msg(finite == expect_finite && bad == SIZE_MAX,
                      "%s: %s m %zu k %d w %zu %s: returned %d, J %s", what, name, m, k, w,
                      row_major ? "row-major" : "column-major", finite, where);
    }
}

START_TEST(test_store_is_the_plain_copy)
{
    static double Y[MAX_OUT * (MAX_K + 1)];
    uint64_t rng = 10;
    for (int layout = 0; layout < 2; layout++)
        for (size_t kk = 0; kk < sizeof widths / sizeof *widths; kk++)
            for (size_t w = 1; w <= (size_t)widths[kk]; w++)
                for (size_t m = 0; m <= MAX_OUT; m++) {
                    int k = widths[kk];
                    fill(&rng, Y, m * (size_t)(k + 1));
                    for (size_t i = 0; i < m; i++)
                        Y[i * (size_t)(k + 1)] = NAN; /* values: not read */
                    check_store(Y, m, k, w, layout ? DJ_COL_MAJOR : DJ_ROW_MAJOR, 1, "finite");
                }
}
END_TEST

/* A NaN, +Inf or -Inf in every tangent slot stored, the rest either of
 * moderate size (the unrolled copies' sum must see it) or huge (their sum
 * overflows, which must not count as non-finite: the exact scan decides).
 * A non-finite value in a slot not stored (the value, or a tangent past w)
 * does not count. Up to 7 outputs: the column-major copies take outputs in
 * pairs, so these lengths cover every pair and tail position. */
START_TEST(test_store_finds_each_nonfinite)
{
    const double bad[] = {NAN, INFINITY, -INFINITY};
    static double Y[MAX_OUT * (MAX_K + 1)];
    uint64_t rng = 11;
    for (int huge = 0; huge < 2; huge++)
        for (int layout = 0; layout < 2; layout++)
            for (size_t kk = 0; kk < sizeof widths / sizeof *widths; kk++)
                for (size_t w = 1; w <= (size_t)widths[kk]; w++)
                    for (size_t m = 1; m <= 7; m++) {
                        int k = widths[kk];
                        size_t s = (size_t)k + 1;
                        dj_layout lay = layout ? DJ_COL_MAJOR : DJ_ROW_MAJOR;
                        fill(&rng, Y, m * s);
                        for (size_t e = 0; e < m * s; e++)
                            if (e % s == 0 || e % s > w)
                                Y[e] = INFINITY; /* not stored */
                            else if (huge)
                                Y[e] = e % 2 ? 1.5e308 : 1.4e308;
                        check_store(Y, m, k, w, lay, 1, huge ? "huge" : "moderate");
                        for (size_t i = 0; i < m; i++)
                            for (size_t c = 0; c < w; c++)
                                for (size_t b = 0; b < 3; b++) {
                                    double keep = Y[i * s + 1 + c];
                                    Y[i * s + 1 + c] = bad[b];
                                    check_store(Y, m, k, w, lay, 0, "non-finite");
                                    Y[i * s + 1 + c] = keep;
                                }
                    }
}
END_TEST

/* ---- finiteness scans ---- */

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
    variant vs[3];
    size_t count = variants(vs);
    printf("packing variants run on this machine:");
    for (size_t k = 0; k < count; k++)
        printf(" %s", vs[k].name);
    printf("\n");
    Suite *s = suite_create("pack");
    TCase *tc = tcase_create("pack");
    tcase_add_test(tc, test_pack_is_the_interleave);
    tcase_add_test(tc, test_unpack_is_the_deinterleave);
    tcase_add_test(tc, test_unpack_finds_each_nonfinite);
    tcase_add_test(tc, test_kernels_leave_avx_state_clean);
    suite_add_tcase(s, tc);
    tc = tcase_create("stores");
    tcase_add_test(tc, test_store_is_the_plain_copy);
    tcase_add_test(tc, test_store_finds_each_nonfinite);
    suite_add_tcase(s, tc);
    tc = tcase_create("scans");
    tcase_add_test(tc, test_all_finite_finds_each_nonfinite);
    tcase_add_test(tc, test_matrix_finite_reads_the_block_only);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tl_main(pack_suite); }
