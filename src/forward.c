/* forward.c: JVPs and Jacobians by forward passes of multi-duals. */
#include <string.h>

#include "pack.h"
#include "passes.h"

int dj_jvp(double *y, double *jv, const dj_fn *f, const double *x, const double *v,
           const dj_opts *opts)
{
    dj_events_clear();
    int status = dj_fn_check(f);
    if (status != DJ_OK)
        return status;
    if (jv == NULL || x == NULL || v == NULL)
        return DJ_EINVAL;
    if (f->eval_dual == NULL)
        return DJ_ENOTSUP;
    size_t nx, ny, bytes;
    if (!dj__mul_size(f->n, 2, &nx) || !dj__mul_size(f->m, 2, &ny) || nx + ny < nx ||
        !dj__mul_size(nx + ny, sizeof(double), &bytes))
        return DJ_ERANGE;
    void *tmp;
    double *X = dj__workspace_reserve(opts ? opts->ws : NULL, bytes, &tmp);
    if (X == NULL)
        return DJ_ENOMEM;
    double *Y = X + nx;
    dj__pack_duals(X, x, v, f->n);
    int old = dj_nansafe_set(opts ? opts->nansafe : 0);
    f->eval_dual((dj_dual *)(void *)Y, (const dj_dual *)(const void *)X, f->n, f->m, f->ctx);
    dj_nansafe_set(old);
    /* the inputs are scanned only when an output is not finite */
    if (!dj__unpack_duals(y, jv, Y, f->m) && dj__all_finite(X, nx))
        dj_event_raise(DJ_EVENT_NONFINITE);
    dj__free(tmp);
    if (opts && opts->strict && (dj_events() & DJ_EVENT_NONFINITE))
        return DJ_ENONFINITE;
    return DJ_OK;
}

#if defined(__GNUC__) || defined(__clang__)
/* Full-width blocks (w = K) of the m outputs, fully unrolled, into J. The
 * finiteness test is folded into a plain sum of what is copied (one add a
 * pair, in four accumulators so the adds do not wait on each other): a
 * finite sum proves every value finite; a non-finite one, rare, is
 * confirmed by an exact scan in store_columns. ~1.5 instructions a double
 * (callgrind, Brown n = 200), where memcpy calls and a separate scan cost
 * ~5. */

/* Row-major: each output's tangents are one run of J's row. K tangents
 * from each output of Y (s doubles apart), starting at slot `from`. */
#define DJ__COPY_ROWS(K)                                                       \
    static double copy_rows_##K(double *J, size_t ld, const double *Y, size_t s, \
                                size_t from, size_t m)                         \
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
 * transposed, so J is written in pairs down K columns (stored one double at
 * a time, Brown's column-major Jacobian took 1.5x the row-major one). */
#define DJ__COPY_COLS(K)                                                       \
    static double copy_cols_##K(double *J, size_t ld, const double *Y, size_t m)  \
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
#endif

/* Tangent slots [0, w) of the m outputs into J at `at` (row i, slot c at
 * at[i·rs + c·cs]); returns 0 when all are finite and NaN otherwise. Row
 * by row, with the check in one accumulator a row: a single chain over the
 * whole block waited 3 cycles an element. */
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

/* A full-width block through the unrolled copies: a sum that is finite when
 * every value copied is (see DJ__COPY_ROWS). Returns 0 and copies nothing
 * for a width that has none. */
static int copy_block(double *at, size_t ld, const double *Y, size_t m, int k, int row_major,
                      double *sum)
{
#if defined(__GNUC__) || defined(__clang__)
    size_t s = (size_t)k + 1;
    switch (k * 2 + (row_major != 0)) {
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
    (void)at, (void)ld, (void)Y, (void)m, (void)k, (void)row_major, (void)sum;
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

/* Copies tangent slots [0, w) of the m outputs into columns c0.. of J;
 * returns 0 when one of them is NaN or Inf (the runner checks the values). */
static int store_columns(double *J, const double *Y, size_t m, int k, size_t c0, size_t w,
                         dj_layout layout, size_t ld)
{
    int row_major = layout == DJ_ROW_MAJOR;
    double *at = row_major ? J + c0 : J + c0 * ld;
    size_t rs = row_major ? ld : 1, cs = row_major ? 1 : ld;
    double sum;
    if (w == (size_t)k && copy_block(at, ld, Y, m, k, row_major, &sum))
        return sum - sum == 0.0 || dj__matrix_finite(at, layout, ld, m, w);
    if (row_major) {
        sum = copy_rows_partial(at, ld, Y, m, k, w);
        return sum - sum == 0.0 || dj__matrix_finite(at, layout, ld, m, w);
    }
    return copy_strided(at, rs, cs, Y, m, k, w) == 0.0;
}

/* The dense Jacobian's passes: pass p seeds columns p·k .. p·k+w-1. */
typedef struct dense_out {
    double *J;
    dj_layout layout;
    size_t ld;
} dense_out;

static size_t pass_width(const dj__passes *job, size_t p)
{
    size_t n = job->f->n, c0 = p * (size_t)job->k;
    return n - c0 < (size_t)job->k ? n - c0 : (size_t)job->k;
}

static void dense_seed(const dj__passes *job, double *X, size_t p, double value)
{
    size_t s = dj__stride(job->k), c0 = p * (size_t)job->k, w = pass_width(job, p);
    for (size_t t = 0; t < w; t++)
        X[(c0 + t) * s + 1 + t] = value;
}

static int dense_store(const dj__passes *job, const double *Y, size_t p)
{
    const dense_out *out = job->ctx;
    return store_columns(out->J, Y, job->f->m, job->k, p * (size_t)job->k, pass_width(job, p),
                         out->layout, out->ld);
}

int dj__jacobian_forward(double *J, double *y, const dj_fn *f, const double *x, int k,
                         dj_layout layout, size_t ld, dj_workspace *ws, int threads,
                         dj_report *report)
{
    dense_out out = {J, layout, ld};
    dj__passes job = {f, x, k, (f->n + (size_t)k - 1) / (size_t)k, dense_seed, dense_store, NULL,
                      &out};
    return dj__forward_passes(&job, y, ws, threads, 0, report);
}

int dj__forward_passes(const dj__passes *job, double *y, dj_workspace *ws, int threads,
                       size_t colors, dj_report *report)
{
    dj__run run;
    int status = dj__run_passes(job, y, ws, threads, &run);
    if (status == DJ_OK && (!run.finite || (job->finite && !job->finite(job))) &&
        dj__all_finite(job->x, job->f->n))
        dj_event_raise(DJ_EVENT_NONFINITE);
    if (report != NULL) {
        report->mode = DJ_MODE_FORWARD;
        report->chunk = job->k;
        report->passes = status == DJ_OK ? job->count : 0;
        report->threads = run.threads;
        report->colors = colors;
    }
    return status;
}
