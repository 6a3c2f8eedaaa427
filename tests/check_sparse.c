/* check_sparse.c: sparsity patterns, colorings and sparse Jacobians.
 *
 * Every sparse Jacobian is compared with the analytic one and with the dense
 * dj_jacobian of the same function; every coloring is checked valid, and its
 * color count against the optimum (banded: the bandwidth) or the lower
 * bound. Parallel runs must equal serial ones bit for bit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../src/problems/problems.h"
#include "testlib.h"

long dj__alloc_fail_set(long nth);

/* ---- the functions ---------------------------------------------------------- */

/* Banded: f_i = x_i²/2 + exp(x_i/10) + sum over d in [-lo, hi], d != 0, of
 * (1 + d/10)·sin(x_{i+d}). Lower bandwidth lo, upper hi. */
typedef struct band {
    size_t lo, hi;
} band;

#define BANDED(T, y, x, n, m, ctx)                                             \
    const band *bw = ctx;                                                      \
    for (size_t i = 0; i < m; i++) {                                           \
        T acc = dj_add(dj_mul(dj_mul(x[i], x[i]), 0.5), dj_exp(dj_mul(x[i], 0.1))); \
        for (size_t j = i > bw->lo ? i - bw->lo : 0; j <= i + bw->hi && j < n; j++) \
            if (j != i)                                                        \
                acc = dj_add(acc, dj_mul(1.0 + 0.1 * ((double)j - (double)i), dj_sin(x[j]))); \
        y[i] = acc;                                                            \
    }
DJ_FN_INSTANTIATE(banded, BANDED);

static double banded_J(const band *bw, const double *x, size_t i, size_t j)
{
    if (i == j)
        return x[i] + 0.1 * exp(0.1 * x[i]);
    if ((j < i && i - j <= bw->lo) || (j > i && j - i <= bw->hi))
        return (1.0 + 0.1 * ((double)j - (double)i)) * cos(x[j]);
    return 0.0;
}

/* Arrowhead: f_0 = sum x_j²/2 (a full row), f_i = x_0·x_i + sin(x_i) (a
 * full column). */
#define ARROW(T, y, x, n, m, ctx)                                              \
    T s0 = dj_mul(dj_mul(x[0], x[0]), 0.5);                                    \
    for (size_t j = 1; j < n; j++)                                             \
        s0 = dj_fma(dj_mul(x[j], 0.5), x[j], s0);                              \
    y[0] = s0;                                                                 \
    for (size_t i = 1; i < m; i++)                                             \
        y[i] = dj_add(dj_mul(x[0], x[i]), dj_sin(x[i]));
DJ_FN_INSTANTIATE(arrow, ARROW);

static double arrow_J(const double *x, size_t i, size_t j)
{
    if (i == 0)
        return x[j];
    if (j == 0)
        return x[i];
    return i == j ? x[0] + cos(x[i]) : 0.0;
}

/* The "full-row" problem, a full row and a diagonal: f_0 = sum x_j,
 * f_i = x_i² (i >= 1). Columns need n colors, rows 2: reverse mode wins. */
static double fullrow_J(const double *x, size_t i, size_t j)
{
    if (i == 0)
        return 1.0;
    return i == j ? 2.0 * x[i] : 0.0;
}

/* Block diagonal, blocks of B: f_i = x_i³ + sum over j in i's block of
 * a_ij·tanh(x_j), a_ij = 1 + (i + 2j) mod 7 / 10. */
enum { BLOCK = 5 };
#define BLOCKDIAG(T, y, x, n, m, ctx)                                          \
    for (size_t i = 0; i < m; i++) {                                           \
        size_t b0 = i / BLOCK * BLOCK;                                         \
        T acc = dj_mul(dj_mul(x[i], x[i]), x[i]);                              \
        for (size_t j = b0; j < b0 + BLOCK && j < n; j++)                      \
            acc = dj_add(acc, dj_mul(1.0 + (double)((i + 2 * j) % 7) / 10.0, dj_tanh(x[j]))); \
        y[i] = acc;                                                            \
    }
DJ_FN_INSTANTIATE(blockdiag, BLOCKDIAG);

static double blockdiag_J(const double *x, size_t i, size_t j)
{
    if (i / BLOCK != j / BLOCK)
        return 0.0;
    double t = tanh(x[j]);
    double v = (1.0 + (double)((i + 2 * j) % 7) / 10.0) * (1.0 - t * t);
    return i == j ? v + 3.0 * x[i] * x[i] : v;
}

/* Random sparse: row i holds the entries row_ptr[i] .. of a fixed random
 * pattern, f_i = sum over them of c_e·sin(s_i·x_j), s_i = 1 + i/100. */
typedef struct random_pattern {
    size_t m, n;
    size_t *row_ptr, *col;
    double *c;
} random_pattern;

#define RANDOM_SPARSE(T, y, x, n, m, ctx)                                      \
    const random_pattern *rp = ctx;                                            \
    for (size_t i = 0; i < m; i++) {                                           \
        double si = 1.0 + (double)i / 100.0;                                   \
        T acc = dj_const(T, 0.0);                                           \
        for (size_t e = rp->row_ptr[i]; e < rp->row_ptr[i + 1]; e++)           \
            acc = dj_add(acc, dj_mul(rp->c[e], dj_sin(dj_mul(si, x[rp->col[e]])))); \
        y[i] = acc;                                                            \
    }
DJ_FN_INSTANTIATE(random_sparse, RANDOM_SPARSE);

static double random_J(const random_pattern *rp, const double *x, size_t i, size_t j)
{
    double si = 1.0 + (double)i / 100.0, v = 0.0;
    for (size_t e = rp->row_ptr[i]; e < rp->row_ptr[i + 1]; e++)
        if (rp->col[e] == j)
            v += rp->c[e] * si * cos(si * x[j]);
    return v;
}

/* m×n with `per_row` random columns per row (repeats allowed: they add up). */
static void random_pattern_make(random_pattern *rp, size_t m, size_t n, size_t per_row,
                                uint64_t seed)
{
    tl_rng r;
    tl_rng_seed(&r, seed);
    rp->m = m;
    rp->n = n;
    rp->row_ptr = malloc((m + 1) * sizeof *rp->row_ptr);
    rp->col = malloc(m * per_row * sizeof *rp->col);
    rp->c = malloc(m * per_row * sizeof *rp->c);
    ck_assert(rp->row_ptr && rp->col && rp->c);
    for (size_t i = 0; i <= m; i++)
        rp->row_ptr[i] = i * per_row;
    for (size_t e = 0; e < m * per_row; e++) {
        rp->col[e] = (size_t)tl_uniform(&r, 0.0, (double)n);
        if (rp->col[e] >= n)
            rp->col[e] = n - 1;
        rp->c[e] = tl_uniform(&r, 0.5, 1.5);
    }
}

static void random_pattern_free(random_pattern *rp)
{
    free(rp->row_ptr);
    free(rp->col);
    free(rp->c);
}

/* ---- helpers ---------------------------------------------------------------- */

typedef double analytic_fn(const void *ctx, const double *x, size_t i, size_t j);

static double banded_a(const void *c, const double *x, size_t i, size_t j)
{
    return banded_J(c, x, i, j);
}
static double arrow_a(const void *c, const double *x, size_t i, size_t j)
{
    (void)c;
    return arrow_J(x, i, j);
}
static double fullrow_a(const void *c, const double *x, size_t i, size_t j)
{
    (void)c;
    return fullrow_J(x, i, j);
}
static double blockdiag_a(const void *c, const double *x, size_t i, size_t j)
{
    (void)c;
    return blockdiag_J(x, i, j);
}
static double random_a(const void *c, const double *x, size_t i, size_t j)
{
    return random_J(c, x, i, j);
}

static double *point(size_t n, uint64_t seed)
{
    double *x = malloc(n * sizeof *x);
    ck_assert_ptr_nonnull(x);
    tl_rng r;
    tl_rng_seed(&r, seed);
    for (size_t j = 0; j < n; j++)
        x[j] = tl_uniform(&r, -1.5, 1.5);
    return x;
}

/* Analyses f at x, then in each mode and chunk: values = analytic (1e-13
 * relative) on the pattern, analytic zero off it, sparse = dense forward
 * Jacobian, y = f(x). Returns the analysis for further checks. */
static void check_function(dj_sparse *s, const dj_fn *f, const double *x, analytic_fn *J,
                           const void *ctx)
{
    size_t n = f->n, m = f->m;
    ck_assert_int_eq(dj_sparse_analyze(s, f, x, NULL), DJ_OK);
    ck_assert_uint_eq(s->pattern.m, m);
    ck_assert_uint_eq(s->pattern.n, n);
    ck_assert(dj_coloring_valid(&s->columns, &s->pattern));
    dj_pattern t;
    dj_pattern_init(&t);
    ck_assert_int_eq(dj_pattern_transpose(&t, &s->pattern), DJ_OK);
    ck_assert(dj_coloring_valid(&s->rows, &t));
    ck_assert_uint_ge(s->columns.count, s->columns.lower_bound);
    ck_assert_uint_ge(s->rows.count, s->rows.lower_bound);

    /* the pattern is exactly the analytic nonzeros (branch-free functions) */
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            ck_assert_msg(dj_pattern_has(&s->pattern, i, j) == (J(ctx, x, i, j) != 0.0),
                          "%s: entry (%zu, %zu)", f->name, i, j);

    double *dense = malloc(m * n * sizeof *dense), *back = malloc(m * n * sizeof *back);
    double *v = malloc((s->pattern.nnz + 1) * sizeof *v), *y = malloc(m * sizeof *y);
    double *y0 = malloc(m * sizeof *y0);
    ck_assert(dense && back && v && y && y0);
    dj_opts fwd = {.mode = DJ_MODE_FORWARD, .chunk = 16};
    ck_assert_int_eq(dj_jacobian(dense, y0, f, x, &fwd, NULL), DJ_OK);

    const dj_mode modes[] = {DJ_MODE_AUTO, DJ_MODE_FORWARD, DJ_MODE_REVERSE};
    const int chunks[] = {0, 1, 2, 4, 8, 16};
    for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < 6; b++) {
            dj_opts o = {.mode = modes[a], .chunk = chunks[b], .threads = 1};
            dj_report rep;
            ck_assert_int_eq(dj_sparse_jacobian(v, y, s, f, x, &o, &rep), DJ_OK);
            dj_mode ran = modes[a] == DJ_MODE_AUTO ? s->mode : modes[a];
            size_t colors = ran == DJ_MODE_FORWARD ? s->columns.count : s->rows.count;
            size_t k = (size_t)rep.chunk;
            ck_assert_int_eq(rep.mode, ran);
            ck_assert_uint_eq(rep.colors, colors);
            ck_assert_uint_eq(ran == DJ_MODE_FORWARD ? rep.passes : rep.sweeps,
                              (colors + k - 1) / k);
            for (size_t i = 0; i < m; i++)
                ck_assert(y[i] == y0[i]);
            ck_assert_int_eq(dj_sparse_to_dense(back, &s->pattern, v, DJ_ROW_MAJOR, 0), DJ_OK);
            for (size_t i = 0; i < m; i++)
                for (size_t j = 0; j < n; j++) {
                    tl_assert_close(back[i * n + j], J(ctx, x, i, j), 1e-13,
                                    "%s mode %d chunk %d J[%zu][%zu]", f->name, (int)modes[a],
                                    chunks[b], i, j);
                    tl_assert_close(back[i * n + j], dense[i * n + j], 1e-13,
                                    "%s vs dense J[%zu][%zu]", f->name, i, j);
                }
        }
    dj_pattern_clear(&t);
    free(dense);
    free(back);
    free(v);
    free(y);
    free(y0);
}

/* ---- patterns --------------------------------------------------------------- */

START_TEST(test_pattern_set_sorts_and_merges)
{
    const size_t rows[] = {2, 0, 2, 0, 1, 2, 0};
    const size_t cols[] = {3, 1, 0, 1, 2, 3, 0};
    dj_pattern p;
    dj_pattern_init(&p);
    ck_assert_int_eq(dj_pattern_set(&p, 3, 4, 7, rows, cols), DJ_OK);
    ck_assert_uint_eq(p.nnz, 5);
    const size_t want_ptr[] = {0, 2, 3, 5}, want_col[] = {0, 1, 2, 0, 3};
    for (size_t i = 0; i < 4; i++)
        ck_assert_uint_eq(p.row_ptr[i], want_ptr[i]);
    for (size_t e = 0; e < 5; e++)
        ck_assert_uint_eq(p.col[e], want_col[e]);
    size_t r[5];
    dj_pattern_rows(&p, r);
    const size_t want_row[] = {0, 0, 1, 2, 2};
    for (size_t e = 0; e < 5; e++)
        ck_assert_uint_eq(r[e], want_row[e]);
    ck_assert_uint_eq(dj_pattern_max_row(&p), 2);
    ck_assert(dj_pattern_has(&p, 2, 3));
    ck_assert(!dj_pattern_has(&p, 2, 2));
    ck_assert(!dj_pattern_has(&p, 7, 0));

    dj_pattern t, c;
    dj_pattern_init(&t);
    dj_pattern_init(&c);
    ck_assert_int_eq(dj_pattern_transpose(&t, &p), DJ_OK);
    ck_assert_uint_eq(t.m, 4);
    ck_assert_uint_eq(t.n, 3);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 4; j++)
            ck_assert_int_eq(dj_pattern_has(&p, i, j), dj_pattern_has(&t, j, i));
    ck_assert_int_eq(dj_pattern_copy(&c, &t), DJ_OK);
    ck_assert_uint_eq(c.nnz, t.nnz);
    ck_assert_int_eq(memcmp(c.col, t.col, t.nnz * sizeof *t.col), 0);
    dj_pattern_clear(&p);
    dj_pattern_clear(&t);
    dj_pattern_clear(&c);
    dj_pattern_clear(&c); /* twice is fine */
}
END_TEST

START_TEST(test_pattern_long_rows_sorted)
{
    /* a row longer than the insertion-sort limit, in reverse, with repeats */
    enum { N = 100 };
    size_t rows[2 * N], cols[2 * N];
    for (size_t e = 0; e < 2 * N; e++) {
        rows[e] = 0;
        cols[e] = (2 * N - 1 - e) % N;
    }
    dj_pattern p;
    dj_pattern_init(&p);
    ck_assert_int_eq(dj_pattern_set(&p, 1, N, 2 * N, rows, cols), DJ_OK);
    ck_assert_uint_eq(p.nnz, N);
    for (size_t e = 0; e < N; e++)
        ck_assert_uint_eq(p.col[e], e);
    dj_pattern_clear(&p);
}
END_TEST

START_TEST(test_pattern_errors)
{
    dj_pattern p;
    dj_pattern_init(&p);
    const size_t r[] = {0, 5}, c[] = {0, 0};
    ck_assert_int_eq(dj_pattern_set(NULL, 1, 1, 0, NULL, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_pattern_set(&p, 1, 1, 1, NULL, c), DJ_EINVAL);
    ck_assert_int_eq(dj_pattern_set(&p, 0, 1, 0, NULL, NULL), DJ_EDIM);
    ck_assert_int_eq(dj_pattern_set(&p, 2, 1, 2, r, c), DJ_EDIM);
    ck_assert_ptr_null(p.row_ptr); /* unchanged */
    ck_assert_int_eq(dj_pattern_set(&p, 2, 1, 0, NULL, NULL), DJ_OK); /* all zero */
    ck_assert_uint_eq(p.nnz, 0);
    ck_assert_int_eq(dj_pattern_transpose(&p, &p), DJ_EINVAL);
    ck_assert_int_eq(dj_pattern_copy(NULL, &p), DJ_EINVAL);
    ck_assert_int_eq(dj_pattern_of_graph(&p, NULL), DJ_EINVAL);
    dj_graph g;
    dj_graph_init(&g);
    ck_assert_int_eq(dj_pattern_of_graph(&p, &g), DJ_EDIM);
    dj_graph_clear(&g);
    dj_pattern_clear(&p);
}
END_TEST

/* The derivative-free operations add no entry; others do even where their
 * partial is zero at this point (x·y at y = 0). */
#define KINKS(T, y, x, n, m, ctx)                                              \
    y[0] = dj_add(dj_floor(x[0]), dj_round(x[1]));                             \
    y[1] = dj_add(dj_ceil(x[0]), dj_trunc(x[1]));                              \
    y[2] = dj_copysign(x[2], x[3]);                                            \
    y[3] = dj_mul(x[0], x[3]);                                                 \
    y[4] = dj_copysign(2.0, x[1]);                                             \
    y[5] = dj_sub(x[1], x[1]);
DJ_FN_DEFINE(kinks, 4, 6, KINKS);

START_TEST(test_detect_derivative_free_ops)
{
    const double x[] = {1.5, -0.5, 2.0, 0.0};
    dj_pattern p;
    dj_pattern_init(&p);
    ck_assert_int_eq(dj_pattern_detect(&p, &kinks, x), DJ_OK);
    ck_assert_uint_eq(p.row_ptr[1] - p.row_ptr[0], 0);
    ck_assert_uint_eq(p.row_ptr[2] - p.row_ptr[1], 0);
    ck_assert_uint_eq(p.row_ptr[3] - p.row_ptr[2], 1);
    ck_assert(dj_pattern_has(&p, 2, 2));
    ck_assert(dj_pattern_has(&p, 3, 0) && dj_pattern_has(&p, 3, 3));
    ck_assert_uint_eq(p.row_ptr[5] - p.row_ptr[4], 0);
    ck_assert(dj_pattern_has(&p, 5, 1)); /* conservative: x - x keeps x */
    ck_assert_uint_eq(p.nnz, 4);
    dj_pattern_clear(&p);
}
END_TEST

/* Linear layers: a zero in a constant W is a structural zero; a W that is a
 * graph variable depends on its row; a custom primitive on all its inputs. */
static void lin_var(dj_var *y, const dj_var *x, size_t n, size_t m, const void *ctx)
{
    (void)ctx;
    (void)n;
    static const double W[] = {1, 0, 2, 0, 0, 3, 0, 0, 4, 5, 6, 0};
    dj_var h[4];
    dj_var_linear(h, W, x, NULL, 4, 3);
    for (size_t i = 0; i < m; i++)
        y[i] = dj_sin(h[i]);
}

START_TEST(test_detect_through_blocks)
{
    dj_graph g;
    dj_graph_init(&g);
    dj_var x[3], y[4];
    const double x0[] = {0.1, 0.2, 0.3};
    ck_assert_int_eq(dj_graph_inputs(&g, x, x0, 3), DJ_OK);
    lin_var(y, x, 3, 4, NULL);
    ck_assert_int_eq(dj_graph_outputs(&g, y, 4), DJ_OK);
    dj_pattern p;
    dj_pattern_init(&p);
    ck_assert_int_eq(dj_pattern_of_graph(&p, &g), DJ_OK);
    const int want[4][3] = {{1, 0, 1}, {0, 0, 1}, {0, 0, 1}, {1, 1, 0}};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 3; j++)
            ck_assert_int_eq(dj_pattern_has(&p, i, j), want[i][j]);
    dj_pattern_clear(&p);
    dj_graph_clear(&g);
}
END_TEST

/* ---- colorings -------------------------------------------------------------- */

START_TEST(test_banded_colors_equal_bandwidth)
{
    const band bands[] = {{0, 0}, {1, 1}, {2, 1}, {0, 3}, {4, 0}, {3, 5}, {7, 7}};
    for (size_t b = 0; b < sizeof bands / sizeof *bands; b++) {
        for (size_t n = 12; n <= 60; n += 48) {
            dj_fn f = DJ_FN_INIT(banded, n, n, &bands[b]);
            double *x = point(n, 11 + b);
            dj_sparse s;
            dj_sparse_init(&s);
            check_function(&s, &f, x, banded_a, &bands[b]);
            size_t w = bands[b].lo + bands[b].hi + 1;
            if (w > n)
                w = n;
            ck_assert_uint_eq(s.columns.lower_bound, w);
            ck_assert_msg(s.columns.count == w, "band %zu+%zu n=%zu: %zu colors", bands[b].lo,
                          bands[b].hi, n, s.columns.count);
            ck_assert_uint_eq(s.rows.count, w);
            /* each order on its own is valid; natural is optimal here */
            for (int o = DJ_ORDER_NATURAL; o <= DJ_ORDER_SMALLEST_LAST; o++) {
                dj_coloring c;
                dj_coloring_init(&c);
                ck_assert_int_eq(dj_color_columns(&c, &s.pattern, (dj_order)o), DJ_OK);
                ck_assert_int_eq(c.order, o);
                ck_assert(dj_coloring_valid(&c, &s.pattern));
                if (o == DJ_ORDER_NATURAL)
                    ck_assert_uint_eq(c.count, w);
                dj_coloring_clear(&c);
            }
            dj_sparse_clear(&s);
            free(x);
        }
    }
}
END_TEST

START_TEST(test_arrowhead)
{
    size_t n = 40;
    dj_fn f = DJ_FN_INIT(arrow, n, n, NULL);
    double *x = point(n, 3);
    dj_sparse s;
    dj_sparse_init(&s);
    check_function(&s, &f, x, arrow_a, NULL);
    ck_assert_uint_le(s.columns.count, s.columns.lower_bound + 2);
    ck_assert_uint_le(s.rows.count, s.rows.lower_bound + 2);
    dj_sparse_clear(&s);
    free(x);
}
END_TEST

START_TEST(test_full_row_goes_reverse)
{
    size_t n = 64;
    dj_problem_instance p;
    ck_assert_int_eq(dj_problem_create(&p, dj_problem_find("full-row"), n), DJ_OK);
    dj_fn f = p.fn;
    double *x = point(n, 4);
    dj_sparse s;
    dj_sparse_init(&s);
    check_function(&s, &f, x, fullrow_a, NULL);
    ck_assert_uint_eq(s.columns.count, n);
    ck_assert_uint_eq(s.rows.count, 2);
    ck_assert_int_eq(s.mode, DJ_MODE_REVERSE);
    dj_report rep;
    double *v = malloc(s.pattern.nnz * sizeof *v);
    ck_assert_int_eq(dj_sparse_jacobian(v, NULL, &s, &f, x, NULL, &rep), DJ_OK);
    ck_assert_int_eq(rep.mode, DJ_MODE_REVERSE);
    ck_assert_uint_eq(rep.sweeps, 1);
    free(v);
    dj_sparse_clear(&s);
    free(x);
    dj_problem_destroy(&p);
}
END_TEST

START_TEST(test_block_diagonal)
{
    size_t n = 60;
    dj_fn f = DJ_FN_INIT(blockdiag, n, n, NULL);
    double *x = point(n, 5);
    dj_sparse s;
    dj_sparse_init(&s);
    check_function(&s, &f, x, blockdiag_a, NULL);
    ck_assert_uint_eq(s.columns.count, BLOCK);
    ck_assert_uint_eq(s.rows.count, BLOCK);
    dj_sparse_clear(&s);
    free(x);
}
END_TEST

START_TEST(test_random_sparse)
{
    const size_t shapes[][3] = {{50, 50, 3}, {120, 80, 2}, {60, 150, 4}, {200, 200, 3}};
    for (size_t c = 0; c < sizeof shapes / sizeof *shapes; c++) {
        random_pattern rp;
        random_pattern_make(&rp, shapes[c][0], shapes[c][1], shapes[c][2], 100 + c);
        dj_fn f = DJ_FN_INIT(random_sparse, rp.n, rp.m, &rp);
        double *x = point(rp.n, 6 + c);
        dj_sparse s;
        dj_sparse_init(&s);
        check_function(&s, &f, x, random_a, &rp);
        ck_assert_msg(s.columns.count <= s.columns.lower_bound + 2,
                      "%zux%zu: %zu column colors, bound %zu", rp.m, rp.n, s.columns.count,
                      s.columns.lower_bound);
        ck_assert_msg(s.rows.count <= s.rows.lower_bound + 2, "%zux%zu: %zu row colors, bound %zu",
                      rp.m, rp.n, s.rows.count, s.rows.lower_bound);
        /* every order alone gives a valid coloring, never beating the best */
        dj_pattern t;
        dj_pattern_init(&t);
        ck_assert_int_eq(dj_pattern_transpose(&t, &s.pattern), DJ_OK);
        for (int o = DJ_ORDER_NATURAL; o <= DJ_ORDER_SMALLEST_LAST; o++) {
            dj_coloring cc, rc;
            dj_coloring_init(&cc);
            dj_coloring_init(&rc);
            ck_assert_int_eq(dj_color_columns(&cc, &s.pattern, (dj_order)o), DJ_OK);
            ck_assert_int_eq(dj_color_rows(&rc, &s.pattern, (dj_order)o), DJ_OK);
            ck_assert(dj_coloring_valid(&cc, &s.pattern));
            ck_assert(dj_coloring_valid(&rc, &t));
            ck_assert_uint_ge(cc.count, s.columns.count);
            ck_assert_uint_ge(rc.count, s.rows.count);
            dj_coloring_clear(&cc);
            dj_coloring_clear(&rc);
        }
        dj_pattern_clear(&t);
        dj_sparse_clear(&s);
        free(x);
        random_pattern_free(&rp);
    }
}
END_TEST

START_TEST(test_coloring_errors)
{
    dj_coloring c;
    dj_coloring_init(&c);
    dj_pattern p;
    dj_pattern_init(&p);
    ck_assert_int_eq(dj_color_columns(&c, &p, DJ_ORDER_BEST), DJ_EINVAL);
    const size_t r[] = {0, 0}, k[] = {0, 1};
    ck_assert_int_eq(dj_pattern_set(&p, 1, 2, 2, r, k), DJ_OK);
    ck_assert_int_eq(dj_color_columns(NULL, &p, DJ_ORDER_BEST), DJ_EINVAL);
    ck_assert_int_eq(dj_color_columns(&c, &p, (dj_order)9), DJ_EINVAL);
    ck_assert_int_eq(dj_color_rows(&c, &p, (dj_order)-1), DJ_EINVAL);
    ck_assert_int_eq(dj_color_columns(&c, &p, DJ_ORDER_BEST), DJ_OK);
    ck_assert_uint_eq(c.count, 2);
    ck_assert(dj_coloring_valid(&c, &p));
    c.color[1] = 0; /* break it */
    ck_assert(!dj_coloring_valid(&c, &p));
    ck_assert(!dj_coloring_valid(NULL, &p));
    ck_assert_int_eq(dj_color_rows(&c, &p, DJ_ORDER_BEST), DJ_OK);
    ck_assert_uint_eq(c.size, 1);
    ck_assert_uint_eq(c.count, 1);
    dj_coloring_clear(&c);
    dj_pattern_clear(&p);
}
END_TEST

/* ---- the driver ------------------------------------------------------------- */

START_TEST(test_known_pattern)
{
    /* a tridiagonal pattern given by the user, used for Broyden-like banded */
    size_t n = 30;
    band b = {1, 1};
    dj_fn f = DJ_FN_INIT(banded, n, n, &b);
    size_t *r = malloc(3 * n * sizeof *r), *c = malloc(3 * n * sizeof *c), nnz = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i ? i - 1 : 0; j <= i + 1 && j < n; j++) {
            r[nnz] = i;
            c[nnz++] = j;
        }
    dj_pattern p;
    dj_pattern_init(&p);
    ck_assert_int_eq(dj_pattern_set(&p, n, n, nnz, r, c), DJ_OK);
    dj_sparse s;
    dj_sparse_init(&s);
    ck_assert_int_eq(dj_sparse_analyze(&s, &f, NULL, &p), DJ_OK);
    ck_assert_uint_eq(s.columns.count, 3);
    double *x = point(n, 9), *v = malloc(nnz * sizeof *v);
    ck_assert_int_eq(dj_sparse_jacobian(v, NULL, &s, &f, x, NULL, NULL), DJ_OK);
    for (size_t e = 0; e < nnz; e++)
        tl_assert_close(v[e], banded_J(&b, x, s.entry_row[e], s.pattern.col[e]), 1e-14,
                        "entry %zu", e);
    /* a pattern of the wrong shape */
    dj_fn g = f;
    g.n = n + 1;
    g.m = n + 1;
    ck_assert_int_eq(dj_sparse_analyze(&s, &g, NULL, &p), DJ_EDIM);
    ck_assert_uint_eq(s.columns.count, 3); /* unchanged */
    ck_assert_int_eq(dj_sparse_analyze(&s, &f, NULL, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_sparse_jacobian(v, NULL, &s, &g, x, NULL, NULL), DJ_EINVAL);
    dj_opts bad = {.chunk = 3};
    ck_assert_int_eq(dj_sparse_jacobian(v, NULL, &s, &f, x, &bad, NULL), DJ_ECHUNK);
    bad = (dj_opts){.mode = (dj_mode)7};
    ck_assert_int_eq(dj_sparse_jacobian(v, NULL, &s, &f, x, &bad, NULL), DJ_EINVAL);
    dj_sparse empty;
    dj_sparse_init(&empty);
    ck_assert_int_eq(dj_sparse_jacobian(v, NULL, &empty, &f, x, NULL, NULL), DJ_EINVAL);
    dj_fn no_var = f;
    no_var.eval_var = NULL;
    dj_opts rev = {.mode = DJ_MODE_REVERSE};
    ck_assert_int_eq(dj_sparse_jacobian(v, NULL, &s, &no_var, x, &rev, NULL), DJ_ENOTSUP);
    dj_sparse_clear(&s);
    dj_pattern_clear(&p);
    free(r);
    free(c);
    free(x);
    free(v);
}
END_TEST

START_TEST(test_dense_view)
{
    const size_t r[] = {0, 1, 1}, c[] = {1, 0, 2};
    const double v[] = {5, 6, 7};
    dj_pattern p;
    dj_pattern_init(&p);
    ck_assert_int_eq(dj_pattern_set(&p, 2, 3, 3, r, c), DJ_OK);
    double J[12];
    for (size_t i = 0; i < 12; i++)
        J[i] = -1;
    ck_assert_int_eq(dj_sparse_to_dense(J, &p, v, DJ_ROW_MAJOR, 4), DJ_OK);
    const double want_row[] = {0, 5, 0, -1, 6, 0, 7, -1};
    for (size_t i = 0; i < 8; i++)
        ck_assert(J[i] == want_row[i]);
    ck_assert_int_eq(dj_sparse_to_dense(J, &p, v, DJ_COL_MAJOR, 0), DJ_OK);
    const double want_col[] = {0, 6, 5, 0, 0, 7};
    for (size_t i = 0; i < 6; i++)
        ck_assert(J[i] == want_col[i]);
    ck_assert_int_eq(dj_sparse_to_dense(J, &p, v, DJ_COL_MAJOR, 1), DJ_EDIM);
    ck_assert_int_eq(dj_sparse_to_dense(J, &p, NULL, DJ_ROW_MAJOR, 0), DJ_EINVAL);
    ck_assert_int_eq(dj_sparse_to_dense(J, &p, v, (dj_layout)5, 0), DJ_EINVAL);
    dj_pattern_clear(&p);
}
END_TEST

/* ---- threads ---------------------------------------------------------------- */

/* Every mode, dense and sparse, on 2 and 3 threads: bit for bit the serial
 * values, and passes and sweeps counted the same. */
START_TEST(test_parallel_equals_serial)
{
    size_t n = 300;
    band b = {3, 2};
    dj_fn f = DJ_FN_INIT(banded, n, n, &b);
    double *x = point(n, 21);
    double *J1 = malloc(n * n * sizeof *J1), *J2 = malloc(n * n * sizeof *J2);
    double *y1 = malloc(n * sizeof *y1), *y2 = malloc(n * sizeof *y2);
    ck_assert(J1 && J2 && y1 && y2);
    dj_workspace ws;
    dj_workspace_init(&ws);
    for (int mode = DJ_MODE_FORWARD; mode <= DJ_MODE_REVERSE; mode++)
        for (int k = 1; k <= 16; k *= 4)
            for (int t = 2; t <= 3; t++) {
                dj_opts serial = {.mode = (dj_mode)mode, .chunk = k, .threads = 1};
                dj_opts par = serial;
                par.threads = t;
                par.ws = (t == 3) ? &ws : NULL;
                dj_report r1, r2;
                ck_assert_int_eq(dj_jacobian(J1, y1, &f, x, &serial, &r1), DJ_OK);
                ck_assert_int_eq(dj_jacobian(J2, y2, &f, x, &par, &r2), DJ_OK);
                ck_assert_int_eq(memcmp(J1, J2, n * n * sizeof *J1), 0);
                ck_assert_int_eq(memcmp(y1, y2, n * sizeof *y1), 0);
                ck_assert_uint_eq(r1.passes + r1.sweeps, r2.passes + r2.sweeps);
                ck_assert_int_eq(r1.threads, 1);
                ck_assert_int_le(r2.threads, t);
                ck_assert_int_ge(r2.threads, 1);
            }
    dj_sparse s;
    dj_sparse_init(&s);
    ck_assert_int_eq(dj_sparse_analyze(&s, &f, x, NULL), DJ_OK);
    for (int mode = DJ_MODE_FORWARD; mode <= DJ_MODE_REVERSE; mode++) {
        dj_opts serial = {.mode = (dj_mode)mode, .chunk = 1, .threads = 1};
        dj_opts par = serial;
        par.threads = 2;
        par.ws = &ws;
        ck_assert_int_eq(dj_sparse_jacobian(J1, y1, &s, &f, x, &serial, NULL), DJ_OK);
        ck_assert_int_eq(dj_sparse_jacobian(J2, y2, &s, &f, x, &par, NULL), DJ_OK);
        ck_assert_int_eq(memcmp(J1, J2, s.pattern.nnz * sizeof *J1), 0);
        ck_assert_int_eq(memcmp(y1, y2, n * sizeof *y1), 0);
    }
    dj_sparse_clear(&s);
    dj_workspace_clear(&ws);
    free(J1);
    free(J2);
    free(y1);
    free(y2);
    free(x);
}
END_TEST

/* NaN-safe mode reaches the workers, and the events survive the threads'
 * hand-over. Input 37 sits at sqrt(0): row 37's zero entries, computed by
 * every pass, stay zero only if each pass runs NaN-safe. */
#define SQRTS(T, y, x, n, m, ctx)                                              \
    for (size_t i = 0; i < m; i++)                                             \
        y[i] = dj_add(dj_sqrt(x[i]), dj_mul(x[0], x[i]));
DJ_FN_INSTANTIATE(sqrts, SQRTS);

START_TEST(test_parallel_events_and_nansafe)
{
    size_t n = 64;
    dj_fn f = DJ_FN_INIT(sqrts, n, n, NULL);
    double *x = malloc(n * sizeof *x), *J = malloc(n * n * sizeof *J);
    for (size_t j = 0; j < n; j++)
        x[j] = 1.0 + (double)j;
    x[37] = 0.0;
    for (int t = 1; t <= 2; t++) {
        dj_opts o = {.mode = DJ_MODE_FORWARD, .chunk = 1, .threads = t, .nansafe = 1};
        dj_report rep;
        dj_events_clear();
        ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, &rep), DJ_OK);
        ck_assert_uint_ne(rep.events & DJ_EVENT_EDGE, 0);
        ck_assert_uint_ne(dj_events() & DJ_EVENT_EDGE, 0);
        ck_assert_int_eq(dj_nansafe(), 0); /* restored */
        for (size_t j = 0; j < n; j++)
            if (j != 37)
                ck_assert_msg(isfinite(J[37 * n + j]), "threads %d J[37][%zu]", t, j);
        ck_assert(isinf(J[37 * n + 37]));
    }
    free(x);
    free(J);
}
END_TEST

/* ---- allocation failure ----------------------------------------------------- */

START_TEST(test_allocation_failures)
{
    size_t n = 40;
    band b = {2, 2};
    dj_fn f = DJ_FN_INIT(banded, n, n, &b);
    double *x = point(n, 31), *v = malloc(5 * n * sizeof *v);
    dj_sparse s;
    dj_sparse_init(&s);
    dj__alloc_fail_set(0);
    ck_assert_int_eq(dj_sparse_analyze(&s, &f, x, NULL), DJ_OK);
    long total = dj__alloc_fail_set(0);
    ck_assert_int_gt(total, 0);
    size_t colors = s.columns.count;
    for (long nth = 1; nth <= total; nth++) {
        dj__alloc_fail_set(nth);
        int st = dj_sparse_analyze(&s, &f, x, NULL);
        dj__alloc_fail_set(0);
        ck_assert_msg(st == DJ_ENOMEM || st == DJ_OK, "analyze, allocation %ld: %s", nth,
                      dj_strerror(st));
        ck_assert_uint_eq(s.columns.count, colors); /* the old analysis survives */
        ck_assert(dj_coloring_valid(&s.columns, &s.pattern));
    }
    for (int mode = DJ_MODE_FORWARD; mode <= DJ_MODE_REVERSE; mode++) {
        dj_opts o = {.mode = (dj_mode)mode, .threads = 1};
        dj__alloc_fail_set(0);
        ck_assert_int_eq(dj_sparse_jacobian(v, NULL, &s, &f, x, &o, NULL), DJ_OK);
        total = dj__alloc_fail_set(0);
        for (long nth = 1; nth <= total; nth++) {
            dj__alloc_fail_set(nth);
            int st = dj_sparse_jacobian(v, NULL, &s, &f, x, &o, NULL);
            dj__alloc_fail_set(0);
            ck_assert_msg(st == DJ_ENOMEM, "mode %d allocation %ld: %s", mode, nth,
                          dj_strerror(st));
            ck_assert_int_eq(dj_sparse_jacobian(v, NULL, &s, &f, x, &o, NULL), DJ_OK);
        }
    }
    dj_sparse_clear(&s);
    free(x);
    free(v);
}
END_TEST

static Suite *sparse_suite(void)
{
    Suite *s = suite_create("sparse");
    TCase *tp = tcase_create("patterns");
    tcase_add_test(tp, test_pattern_set_sorts_and_merges);
    tcase_add_test(tp, test_pattern_long_rows_sorted);
    tcase_add_test(tp, test_pattern_errors);
    tcase_add_test(tp, test_detect_derivative_free_ops);
    tcase_add_test(tp, test_detect_through_blocks);
    suite_add_tcase(s, tp);
    TCase *tc = tcase_create("colorings");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_banded_colors_equal_bandwidth);
    tcase_add_test(tc, test_arrowhead);
    tcase_add_test(tc, test_full_row_goes_reverse);
    tcase_add_test(tc, test_block_diagonal);
    tcase_add_test(tc, test_random_sparse);
    tcase_add_test(tc, test_coloring_errors);
    suite_add_tcase(s, tc);
    TCase *td = tcase_create("driver");
    tcase_set_timeout(td, 60);
    tcase_add_test(td, test_known_pattern);
    tcase_add_test(td, test_dense_view);
    tcase_add_test(td, test_parallel_equals_serial);
    tcase_add_test(td, test_parallel_events_and_nansafe);
    tcase_add_test(td, test_allocation_failures);
    suite_add_tcase(s, td);
    return s;
}

int main(void) { return tl_main(sparse_suite); }
