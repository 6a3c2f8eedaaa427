/* pack.c: the drivers' array kernels (see pack.h).
 *
 * Packing a JVP's arrays into duals and back: both directions are bound by
 * stores, not arithmetic: an interleave writes 16 bytes an element and a
 * deinterleave 16. AVX writes them 32 bytes at a time, which pays most
 * once a JVP's six arrays no longer fit L1 (bench_forward's + and x JVP
 * shows it). The dispatch is one test a call. */
#include <string.h>

#include "internal.h"
#include "pack.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#ifdef DJ__PACK_AVX
#include <immintrin.h>
#endif

/* ---- a JVP's arrays into duals and back ----------------------------------- */

/* Elements [j, n) one at a time: the vector loops' tails. */
static void pack_rest(double *restrict X, const double *restrict x, const double *restrict v,
                      size_t j, size_t n)
{
    for (; j < n; j++) {
        X[2 * j] = x[j];
        X[2 * j + 1] = v[j];
    }
}

/* Elements [i, m) one at a time, their x - x added to acc; 1 when the whole
 * array was finite. */
static int unpack_rest(double *restrict y, double *restrict jv, const double *restrict Y,
                       size_t i, size_t m, double acc)
{
    for (; i < m; i++) {
        if (y != NULL)
            y[i] = Y[2 * i];
        jv[i] = Y[2 * i + 1];
        acc += (Y[2 * i] - Y[2 * i]) + (Y[2 * i + 1] - Y[2 * i + 1]);
    }
    return acc == 0.0;
}

void dj__pack_duals_baseline(double *restrict X, const double *restrict x,
                             const double *restrict v, size_t n)
{
    size_t j = 0;
#ifdef __SSE2__
    /* four elements an iteration: pairs loaded by halves cost half again */
    for (; j + 4 <= n; j += 4) {
        __m128d a = _mm_loadu_pd(x + j), b = _mm_loadu_pd(v + j);
        __m128d c = _mm_loadu_pd(x + j + 2), d = _mm_loadu_pd(v + j + 2);
        _mm_storeu_pd(X + 2 * j, _mm_unpacklo_pd(a, b));
        _mm_storeu_pd(X + 2 * j + 2, _mm_unpackhi_pd(a, b));
        _mm_storeu_pd(X + 2 * j + 4, _mm_unpacklo_pd(c, d));
        _mm_storeu_pd(X + 2 * j + 6, _mm_unpackhi_pd(c, d));
    }
#endif
    pack_rest(X, x, v, j, n);
}

/* The finiteness test: p - p is 0 for a finite p and NaN otherwise. ORing
 * the bits tests a whole array with no chain of dependent additions. */
int dj__unpack_duals_baseline(double *restrict y, double *restrict jv,
                              const double *restrict Y, size_t m)
{
    size_t i = 0;
    double acc = 0.0;
#ifdef __SSE2__
    __m128d a = _mm_setzero_pd(), b = _mm_setzero_pd();
    for (; i + 4 <= m; i += 4) {
        __m128d p = _mm_loadu_pd(Y + 2 * i), q = _mm_loadu_pd(Y + 2 * i + 2);
        __m128d r = _mm_loadu_pd(Y + 2 * i + 4), t = _mm_loadu_pd(Y + 2 * i + 6);
        if (y != NULL) {
            _mm_storeu_pd(y + i, _mm_unpacklo_pd(p, q));
            _mm_storeu_pd(y + i + 2, _mm_unpacklo_pd(r, t));
        }
        _mm_storeu_pd(jv + i, _mm_unpackhi_pd(p, q));
        _mm_storeu_pd(jv + i + 2, _mm_unpackhi_pd(r, t));
        a = _mm_or_pd(a, _mm_or_pd(_mm_sub_pd(p, p), _mm_sub_pd(q, q)));
        b = _mm_or_pd(b, _mm_or_pd(_mm_sub_pd(r, r), _mm_sub_pd(t, t)));
    }
    double lanes[2];
    _mm_storeu_pd(lanes, _mm_or_pd(a, b));
    acc = lanes[0] + lanes[1];
#endif
    return unpack_rest(y, jv, Y, i, m, acc);
}

#ifdef DJ__PACK_AVX
#define DJ__AVX __attribute__((target("avx")))

/* [x0 x1 x2 x3], [v0 v1 v2 v3] -> [x0 v0 x1 v1], [x2 v2 x3 v3]: in-lane
 * unpacks, then the 128-bit halves exchanged. */
DJ__AVX static inline void pack4(double *X, __m256d a, __m256d b)
{
    __m256d lo = _mm256_unpacklo_pd(a, b), hi = _mm256_unpackhi_pd(a, b);
    _mm256_storeu_pd(X, _mm256_permute2f128_pd(lo, hi, 0x20));
    _mm256_storeu_pd(X + 4, _mm256_permute2f128_pd(lo, hi, 0x31));
}

/* The whole blocks of 8; returns how many elements they covered. The
 * upper halves of the AVX registers are cleared last thing before the
 * return, with nothing left to compute: written before the tail's call,
 * the clearing was undone by -O1 code that reloaded a 256-bit register
 * after it (cpu.h). */
DJ__AVX __attribute__((noinline)) static size_t pack_blocks_avx(double *restrict X,
                                                               const double *restrict x,
                                                               const double *restrict v, size_t n)
{
    size_t j = 0;
    for (; j + 8 <= n; j += 8) {
        pack4(X + 2 * j, _mm256_loadu_pd(x + j), _mm256_loadu_pd(v + j));
        pack4(X + 2 * j + 8, _mm256_loadu_pd(x + j + 4), _mm256_loadu_pd(v + j + 4));
    }
    _mm256_zeroupper(); /* gcc -O2 would add it; -O1 with sanitizers did not */
    return j;
}

void dj__pack_duals_avx(double *restrict X, const double *restrict x, const double *restrict v,
                        size_t n)
{
    pack_rest(X, x, v, pack_blocks_avx(X, x, v, n), n);
}

/* The reverse of pack4 for the duals p = [y0 d0 y1 d1], q = [y2 d2 y3 d3];
 * returns the finiteness bits of both. */
DJ__AVX static inline __m256d unpack4(double *y, double *jv, __m256d p, __m256d q)
{
    __m256d a = _mm256_permute2f128_pd(p, q, 0x20), b = _mm256_permute2f128_pd(p, q, 0x31);
    if (y != NULL)
        _mm256_storeu_pd(y, _mm256_unpacklo_pd(a, b));
    _mm256_storeu_pd(jv, _mm256_unpackhi_pd(a, b));
    return _mm256_or_pd(_mm256_sub_pd(p, p), _mm256_sub_pd(q, q));
}

/* The whole blocks of 8, as pack_blocks_avx; *acc receives the sum of
 * their finiteness bits. */
DJ__AVX __attribute__((noinline)) static size_t unpack_blocks_avx(double *restrict y,
                                                                 double *restrict jv,
                                                                 const double *restrict Y,
                                                                 size_t m, double *acc)
{
    size_t i = 0;
    __m256d a = _mm256_setzero_pd(), b = _mm256_setzero_pd();
    for (; i + 8 <= m; i += 8) {
        const double *src = Y + 2 * i;
        a = _mm256_or_pd(a, unpack4(y ? y + i : NULL, jv + i, _mm256_loadu_pd(src),
                                    _mm256_loadu_pd(src + 4)));
        b = _mm256_or_pd(b, unpack4(y ? y + i + 4 : NULL, jv + i + 4, _mm256_loadu_pd(src + 8),
                                    _mm256_loadu_pd(src + 12)));
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, _mm256_or_pd(a, b));
    *acc = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    _mm256_zeroupper();
    return i;
}

int dj__unpack_duals_avx(double *restrict y, double *restrict jv, const double *restrict Y,
                         size_t m)
{
    double acc;
    size_t i = unpack_blocks_avx(y, jv, Y, m, &acc);
    return unpack_rest(y, jv, Y, i, m, acc);
}
#endif

/* ---- a pass's tangents into J ------------------------------------------- */

#if defined(__GNUC__) || defined(__clang__)
/* Full-width blocks (w = K) of the m outputs, fully unrolled, into J. The
 * finiteness test is folded into a plain sum of what is copied (one add a
 * pair, in four accumulators so the adds do not wait on each other): a
 * finite sum proves every value finite; a non-finite one, rare, is
 * confirmed by an exact scan in dj__store_tangents. That is a fraction of
 * the instructions of memcpy calls followed by a separate scan. */

/* Each kernel out of line, so that its loop's registers do not depend on
 * the dispatch around it: inlined there, gcc kept four more register moves
 * in the column-major 16-wide loop. */
#define DJ__KERNEL static __attribute__((noinline))

/* Row-major: each output's tangents are one run of J's row. K tangents
 * from each output of Y (s doubles apart), starting at slot `from`. */
#define DJ__COPY_ROWS(K)                                                       \
    DJ__KERNEL double copy_rows_##K(double *J, size_t ld, const double *Y, size_t s, \
                                    size_t from, size_t m)                     \
    {                                                                          \
        dj__v2 a[4] = {dj__v2_zero(), dj__v2_zero(), dj__v2_zero(), dj__v2_zero()}; \
        for (size_t i = 0; i < m; i++) {                                       \
            const double *src = Y + i * s + 1 + from;                          \
            DJ__UNROLL                                                         \
            for (size_t c = 0; c < K; c += 2) {                                \
                dj__v2 t;                                                      \
                memcpy(&t, src + c, sizeof t);                                 \
                memcpy(J + i * ld + c, &t, sizeof t);                          \
                a[(c / 2) & 3] += t;                                           \
            }                                                                  \
        }                                                                      \
        dj__v2 sum = (a[0] + a[1]) + (a[2] + a[3]);                            \
        return sum[0] + sum[1];                                                \
    }

/* {t[0], u[0]} and {t[1], u[1]} as one shuffle each: built element by
 * element, gcc went through the stack. */
#if defined(__clang__)
#define DJ__V2_LO(t, u) __builtin_shufflevector(t, u, 0, 2)
#define DJ__V2_HI(t, u) __builtin_shufflevector(t, u, 1, 3)
#else
typedef long long dj__v2_index __attribute__((vector_size(16)));
#define DJ__V2_LO(t, u) __builtin_shuffle(t, u, (dj__v2_index){0, 2})
#define DJ__V2_HI(t, u) __builtin_shuffle(t, u, (dj__v2_index){1, 3})
#endif

/* Column-major: two outputs at a time, each 2x2 block of tangents
 * transposed, so J is written in pairs down K columns: stored one double
 * at a time, a column-major Jacobian cost well above a row-major one. */
#define DJ__COPY_COLS(K)                                                       \
    DJ__KERNEL double copy_cols_##K(double *J, size_t ld, const double *Y, size_t m) \
    {                                                                          \
        dj__v2 a[4] = {dj__v2_zero(), dj__v2_zero(), dj__v2_zero(), dj__v2_zero()}; \
        size_t i = 0;                                                          \
        for (; i + 2 <= m; i += 2) {                                           \
            const double *src = Y + i * (K + 1) + 1;                           \
            DJ__UNROLL                                                         \
            for (size_t c = 0; c < K; c += 2) {                                \
                dj__v2 t, u;                                                   \
                memcpy(&t, src + c, sizeof t);                                 \
                memcpy(&u, src + K + 1 + c, sizeof u);                         \
                dj__v2 lo = DJ__V2_LO(t, u), hi = DJ__V2_HI(t, u);             \
                memcpy(J + c * ld + i, &lo, sizeof lo);                        \
                memcpy(J + (c + 1) * ld + i, &hi, sizeof hi);                  \
                a[(c / 2) & 3] += t + u;                                       \
            }                                                                  \
        }                                                                      \
        double rest = 0.0;                                                     \
        for (; i < m; i++)                                                     \
            for (size_t c = 0; c < K; c++)                                     \
                rest += J[c * ld + i] = Y[i * (K + 1) + 1 + c];                \
        dj__v2 sum = (a[0] + a[1]) + (a[2] + a[3]);                            \
        return sum[0] + sum[1] + rest;                                         \
    }
DJ__COPY_ROWS(2)
DJ__COPY_ROWS(4)
DJ__COPY_ROWS(8)
DJ__COPY_ROWS(16)
DJ__COPY_COLS(2)
DJ__COPY_COLS(4)
DJ__COPY_COLS(8)
DJ__COPY_COLS(16)
#undef DJ__COPY_ROWS
#undef DJ__COPY_COLS
#undef DJ__KERNEL
#endif

/* Tangent slots [0, w) of the m outputs into J at `at` (row i, slot c at
 * at[i·rs + c·cs]); returns 0 when all are finite and NaN otherwise. Row
 * by row, with the check in one accumulator a row: in a single chain over
 * the whole block every add waits for the one before. */
static double copy_strided(double *at, size_t rs, size_t cs, const double *Y, size_t m, int k,
                           size_t w)
{
    size_t s = dj__stride(k);
    double acc = 0.0;
    for (size_t i = 0; i < m; i++) {
        const double *src = Y + i * s + 1;
        double row = 0.0;
        for (size_t c = 0; c < w; c++) {
            at[i * rs + c * cs] = src[c];
            row += src[c] - src[c];
        }
        acc += row;
    }
    return acc;
}

/* A full-width block (w = k) through the unrolled copies: a sum that is
 * finite when every value copied is. Returns 0, copying nothing, for a k
 * that has none. Its one caller is the dispatch, which inlines it. */
static int copy_block(double *at, size_t ld, dj_layout layout, const double *Y, size_t m, int k,
                      double *sum)
{
#if defined(__GNUC__) || defined(__clang__)
    size_t s = (size_t)k + 1;
    switch (k * 2 + (layout == DJ_ROW_MAJOR)) {
    case 2 * 2 + 1: *sum = copy_rows_2(at, ld, Y, s, 0, m); return 1;
    case 4 * 2 + 1: *sum = copy_rows_4(at, ld, Y, s, 0, m); return 1;
    case 8 * 2 + 1: *sum = copy_rows_8(at, ld, Y, s, 0, m); return 1;
    case 16 * 2 + 1: *sum = copy_rows_16(at, ld, Y, s, 0, m); return 1;
    case 2 * 2: *sum = copy_cols_2(at, ld, Y, m); return 1;
    case 4 * 2: *sum = copy_cols_4(at, ld, Y, m); return 1;
    case 8 * 2: *sum = copy_cols_8(at, ld, Y, m); return 1;
    case 16 * 2: *sum = copy_cols_16(at, ld, Y, m); return 1;
    default: break;
    }
#else
    (void)at, (void)ld, (void)layout, (void)Y, (void)m, (void)k, (void)sum;
#endif
    return 0;
}

/* A row-major block narrower than its pass (the last pass, or one pass
 * over n < k inputs: a 10 x 10 Jacobian in one pass of 16) as pieces of
 * 8, 4 and 2 slots through the unrolled copies, and a last odd one: the
 * strided copy, a store and a dependent add an element, took more time
 * than evaluating a 10-input function on dj_dual16. Returns the sum of
 * what was copied, as copy_block. */
static double copy_rows_partial(double *at, size_t ld, const double *Y, size_t m, int k,
                                size_t w)
{
    size_t s = (size_t)k + 1, c = 0;
    double sum = 0.0;
#if defined(__GNUC__) || defined(__clang__)
    for (; c + 8 <= w; c += 8)
        sum += copy_rows_8(at + c, ld, Y, s, c, m);
    if (c + 4 <= w) {
        sum += copy_rows_4(at + c, ld, Y, s, c, m);
        c += 4;
    }
    if (c + 2 <= w) {
        sum += copy_rows_2(at + c, ld, Y, s, c, m);
        c += 2;
    }
#endif
    if (c < w)
        for (size_t i = 0; i < m; i++)
            sum += at[i * ld + c] = Y[i * s + 1 + c];
    return sum;
}

int dj__store_tangents_strided(double *at, size_t ld, dj_layout layout, const double *Y,
                               size_t m, int k, size_t w)
{
    int row_major = layout == DJ_ROW_MAJOR;
    return copy_strided(at, row_major ? ld : 1, row_major ? 1 : ld, Y, m, k, w) == 0.0;
}

/* ---- finiteness scans --------------------------------------------------- */

int dj__all_finite(const double *v, size_t count)
{
    /* x - x is 0 for finite x and NaN otherwise: no branch per value. Sums
     * in parallel lanes, because one running sum is a chain of dependent
     * additions that costs more than evaluating a cheap function. */
    size_t i = 0;
#if defined(__GNUC__) || defined(__clang__)
    dj__v2 a0 = dj__v2_zero(), a1 = dj__v2_zero();
    for (; i + 4 <= count; i += 4) {
        dj__v2 x0, x1;
        memcpy(&x0, v + i, sizeof x0);
        memcpy(&x1, v + i + 2, sizeof x1);
        a0 += x0 - x0;
        a1 += x1 - x1;
    }
    a0 += a1;
    double acc = a0[0] + a0[1];
#else
    double acc = 0.0;
#endif
    for (; i < count; i++)
        acc += v[i] - v[i];
    return acc == 0.0;
}

int dj__matrix_finite(const double *J, dj_layout layout, size_t ld, size_t m, size_t n)
{
    size_t lines = layout == DJ_ROW_MAJOR ? m : n, len = layout == DJ_ROW_MAJOR ? n : m;
    for (size_t i = 0; i < lines; i++)
        if (!dj__all_finite(J + i * ld, len))
            return 0;
    return 1;
}

/* ---- the dispatching entry points ------------------------------------------ */

void dj__pack_duals(double *X, const double *x, const double *v, size_t n)
{
#ifdef DJ__PACK_AVX
    if (dj__have_avx()) {
        dj__pack_duals_avx(X, x, v, n);
        return;
    }
#endif
    dj__pack_duals_baseline(X, x, v, n);
}

int dj__unpack_duals(double *y, double *jv, const double *Y, size_t m)
{
#ifdef DJ__PACK_AVX
    if (dj__have_avx())
        return dj__unpack_duals_avx(y, jv, Y, m);
#endif
    return dj__unpack_duals_baseline(y, jv, Y, m);
}

int dj__store_tangents(double *at, size_t ld, dj_layout layout, const double *Y, size_t m, int k,
                       size_t w)
{
    double sum;
    if (w == (size_t)k && copy_block(at, ld, layout, Y, m, k, &sum))
        return sum - sum == 0.0 || dj__matrix_finite(at, layout, ld, m, w);
    if (layout == DJ_ROW_MAJOR) {
        sum = copy_rows_partial(at, ld, Y, m, k, w);
        return sum - sum == 0.0 || dj__matrix_finite(at, layout, ld, m, w);
    }
    return dj__store_tangents_strided(at, ld, layout, Y, m, k, w);
}
