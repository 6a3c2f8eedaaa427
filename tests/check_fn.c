/* check_fn.c: functions written once, as templates (dualjac/instantiate.h)
 * and as macro bodies, against their analytic Jacobians in every mode and
 * chunk width; the two ways give the same bits; the helpers of a body
 * (dj_add_to, dj_sum, dj_prod, dj_sum_n, ...) differentiate as what they
 * stand for; a dj_fn's context parameterises it.
 *
 * This file is also a template of its own: the block under
 * DJ_INSTANTIATING is the body of `moments`, which the file instantiates by
 * naming itself as DJ_TEMPLATE (the "block" way of instantiate.h). */

#ifdef DJ_INSTANTIATING

/* moments(x) = (x0 + ... + x(n-1), x0·...·x(n-1), sum of x_i^2 by +=). */
DJ_FUNCTION(moments)(T *y, const T *x, size_t n, size_t m, const void *ctx)
{
    y[0] = dj_sum_n(x, n);
    y[1] = dj_prod_n(x, n);
    T squares = dj_zero(T);
    for (size_t i = 0; i < n; i++) {
        T sq = x[i];
        dj_mul_by(sq, x[i]);
        dj_add_to(squares, sq);
    }
    dj_sub_from(squares, 1);
    y[2] = squares;
}

#else /* the test suite */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

#define TOL 1e-13

/* Declared before the template that uses it: the template holds only what
 * depends on T. */
struct expfit_data {
    const double *t, *y;
};

#define DJ_TEMPLATE "chebyquad.dj.h"
#include <dualjac/instantiate.h>
#define DJ_TEMPLATE "boundary.dj.h"
#include <dualjac/instantiate.h>
#define DJ_TEMPLATE "expfit.dj.h"
#include <dualjac/instantiate.h>
#define DJ_TEMPLATE "check_fn.c"
#include <dualjac/instantiate.h>

/* The boundary value function again as a macro body, with nested calls. */
#define BOUNDARY(T, y, x, n, m, ctx)                                           \
    {                                                                          \
        const double h = 1.0 / (double)(n + 1);                                \
        for (size_t i = 0; i < n; i++) {                                       \
            T xl = i > 0 ? x[i - 1] : dj_const(T, 0);                          \
            T xr = i + 1 < n ? x[i + 1] : dj_const(T, 0);                      \
            T c = dj_add(x[i], (double)(i + 1) * h + 1);                       \
            y[i] = dj_add(dj_sub(dj_sub(dj_mul(2, x[i]), xl), xr),             \
                          dj_div(dj_mul(h * h, dj_mul(dj_mul(c, c), c)), 2));  \
        }                                                                      \
    }
DJ_FN_INSTANTIATE(boundary_macro, BOUNDARY);

/* ---- analytic Jacobians ------------------------------------------------------ */

/* d/dx C_k(x) = 2k U_{k-1}(2x - 1), U the Chebyshev polynomials of the
 * second kind. */
static double cheb_shifted_prime(size_t k, double x)
{
    if (k == 0)
        return 0.0;
    double s = 2 * x - 1, prev = 1, cur = 2 * s; /* U_0, U_1 */
    if (k == 1)
        return 2.0;
    for (size_t i = 2; i < k; i++) {
        double next = 2 * s * cur - prev;
        prev = cur;
        cur = next;
    }
    return 2.0 * (double)k * cur;
}

static void chebyquad_jac(double *J, const double *x, size_t n, size_t m, const void *ctx)
{
    (void)ctx;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            J[i * n + j] = cheb_shifted_prime(i + 1, x[j]) / (double)n;
}

static void boundary_jac(double *J, const double *x, size_t n, size_t m, const void *ctx)
{
    (void)ctx;
    double h = 1.0 / (double)(n + 1);
    memset(J, 0, n * m * sizeof *J);
    for (size_t i = 0; i < n; i++) {
        double c = x[i] + (double)(i + 1) * h + 1;
        J[i * n + i] = 2 + 1.5 * h * h * c * c;
        if (i > 0)
            J[i * n + i - 1] = -1;
        if (i + 1 < n)
            J[i * n + i + 1] = -1;
    }
}

static void expfit_jac(double *J, const double *x, size_t n, size_t m, const void *ctx)
{
    const struct expfit_data *d = ctx;
    (void)n;
    for (size_t k = 0; k < m; k++) {
        double e = exp(-d->t[k] * x[1]);
        J[k * 2] = e;
        J[k * 2 + 1] = -x[0] * d->t[k] * e;
    }
}

static void moments_jac(double *J, const double *x, size_t n, size_t m, const void *ctx)
{
    (void)m, (void)ctx;
    for (size_t j = 0; j < n; j++) {
        double others = 1;
        for (size_t i = 0; i < n; i++)
            if (i != j)
                others *= x[i];
        J[j] = 1;
        J[n + j] = others;
        J[2 * n + j] = 2 * x[j];
    }
}

/* ---- the table ------------------------------------------------------------------- */

static const double fit_t[6] = {0.0, 0.5, 1.0, 1.5, 2.0, 3.0};
static const double fit_y[6] = {2.0, 1.3, 0.8, 0.5, 0.3, 0.1};
static const double fit_y2[6] = {5.0, 4.0, 3.1, 2.5, 2.0, 1.2};
static const struct expfit_data fit = {fit_t, fit_y}, fit2 = {fit_t, fit_y2};

typedef struct {
    const char *name;
    dj_fn fn;
    void (*jac)(double *J, const double *x, size_t n, size_t m, const void *ctx);
    double lo, hi;
} written_fn;

static const written_fn written[] = {
    {"chebyquad 7x7", DJ_FN_INIT(chebyquad, 7, 7, NULL), chebyquad_jac, 0.05, 0.95},
    {"chebyquad 9x4", DJ_FN_INIT(chebyquad, 9, 4, NULL), chebyquad_jac, 0.05, 0.95},
    {"boundary 18", DJ_FN_INIT(boundary, 18, 18, NULL), boundary_jac, -0.5, 0.5},
    {"boundary macro 18", DJ_FN_INIT(boundary_macro, 18, 18, NULL), boundary_jac, -0.5, 0.5},
    {"expfit", DJ_FN_INIT(expfit, 2, 6, &fit), expfit_jac, 0.5, 2.0},
    {"expfit other data", DJ_FN_INIT(expfit, 2, 6, &fit2), expfit_jac, 0.5, 2.0},
    {"moments 5", DJ_FN_INIT(moments, 5, 3, NULL), moments_jac, -1.5, 1.5},
    {"moments 17", DJ_FN_INIT(moments, 17, 3, NULL), moments_jac, 0.5, 1.2},
};
static const int written_count = (int)(sizeof written / sizeof *written);

static const int chunks[] = {1, 2, 4, 8, 16};

/* ---- the tests ------------------------------------------------------------------- */

/* The oracle: forward mode at every chunk width and reverse mode at every
 * sweep width give the analytic Jacobian, and y = f(x). */
START_TEST(test_written_once_matches_analytic)
{
    const written_fn *w = &written[_i];
    size_t n = w->fn.n, m = w->fn.m;
    tl_rng rng;
    tl_rng_seed(&rng, 1800 + (uint64_t)_i);
    double *x = malloc(n * sizeof *x), *want = malloc(n * m * sizeof *want);
    double *J = malloc(n * m * sizeof *J), *y = malloc(m * sizeof *y), *y0 = malloc(m * sizeof *y0);
    for (int c = 0; c < tl_cases(3); c++) {
        for (size_t j = 0; j < n; j++)
            x[j] = tl_uniform(&rng, w->lo, w->hi);
        w->jac(want, x, n, m, w->fn.ctx);
        ck_assert_int_eq(dj_eval(y0, &w->fn, x), DJ_OK);
        for (int mode = DJ_MODE_FORWARD; mode <= DJ_MODE_REVERSE; mode++)
            for (size_t ci = 0; ci < sizeof chunks / sizeof *chunks; ci++) {
                dj_opts o = {.mode = (dj_mode)mode, .chunk = chunks[ci]};
                int st = dj_jacobian(J, y, &w->fn, x, &o, NULL);
                ck_assert_msg(st == DJ_OK, "%s: %s", w->name, dj_strerror(st));
                for (size_t i = 0; i < m; i++) {
                    tl_assert_close(y[i], y0[i], 1e-15, "%s f_%zu", w->name, i);
                    for (size_t j = 0; j < n; j++)
                        tl_assert_close(J[i * n + j], want[i * n + j], TOL,
                                        "%s J[%zu][%zu] mode %d chunk %d", w->name, i, j,
                                        mode, chunks[ci]);
                }
            }
    }
    free(x), free(want), free(J), free(y), free(y0);
}
END_TEST

/* Second witness: central differences agree with the analytic Jacobians. */
START_TEST(test_analytic_matches_finite_differences)
{
    const written_fn *w = &written[_i];
    size_t n = w->fn.n, m = w->fn.m;
    tl_rng rng;
    tl_rng_seed(&rng, 1900 + (uint64_t)_i);
    double *x = malloc(n * sizeof *x), *want = malloc(n * m * sizeof *want);
    for (size_t j = 0; j < n; j++)
        x[j] = tl_uniform(&rng, w->lo, w->hi);
    w->jac(want, x, n, m, w->fn.ctx);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            tl_assert_close(tl_central_diff(&w->fn, x, i, j), want[i * n + j], 1e-6,
                            "%s J[%zu][%zu] by central differences", w->name, i, j);
    free(x), free(want);
}
END_TEST

/* A template and a macro body of the same function, with the same
 * operations in the same order, give the same bits in every instantiation. */
START_TEST(test_template_equals_macro_body)
{
    enum { N = 18 };
    const dj_fn t = DJ_FN_INIT(boundary, N, N, NULL);
    const dj_fn b = DJ_FN_INIT(boundary_macro, N, N, NULL);
    double x[N], yt[N], yb[N], Jt[N * N], Jb[N * N];
    for (int i = 0; i < N; i++)
        x[i] = 0.1 * i - 0.7;
    for (int mode = DJ_MODE_FORWARD; mode <= DJ_MODE_REVERSE; mode++)
        for (size_t ci = 0; ci < sizeof chunks / sizeof *chunks; ci++) {
            dj_opts o = {.mode = (dj_mode)mode, .chunk = chunks[ci]};
            ck_assert_int_eq(dj_jacobian(Jt, yt, &t, x, &o, NULL), DJ_OK);
            ck_assert_int_eq(dj_jacobian(Jb, yb, &b, x, &o, NULL), DJ_OK);
            ck_assert_msg(memcmp(yt, yb, sizeof yt) == 0, "y differs, mode %d", mode);
            ck_assert_msg(memcmp(Jt, Jb, sizeof Jt) == 0, "J differs, mode %d chunk %d", mode,
                          chunks[ci]);
        }
}
END_TEST

/* dj_fn is a value: one instantiation serves any size and context. */
START_TEST(test_one_instantiation_many_sizes)
{
    for (size_t n = 1; n <= 40; n += 13) {
        dj_fn f = DJ_FN_INIT(boundary, n, n, NULL);
        double *x = calloc(n, sizeof *x), *J = malloc(n * n * sizeof *J);
        double *want = malloc(n * n * sizeof *want);
        boundary_jac(want, x, n, n, NULL);
        ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, NULL, NULL), DJ_OK);
        for (size_t i = 0; i < n * n; i++)
            tl_assert_close(J[i], want[i], TOL, "boundary n = %zu, entry %zu", n, i);
        free(x), free(J), free(want);
    }
    /* the context changes the function, not its derivative's form */
    dj_fn f = DJ_FN_INIT(expfit, 2, 6, &fit);
    double p[2] = {2.0, 1.0}, r1[6], r2[6];
    ck_assert_int_eq(dj_eval(r1, &f, p), DJ_OK);
    f.ctx = &fit2;
    ck_assert_int_eq(dj_eval(r2, &f, p), DJ_OK);
    for (int k = 0; k < 6; k++)
        tl_assert_close(r1[k] - r2[k], fit_y2[k] - fit_y[k], 1e-15, "residual %d", k);
}
END_TEST

/* dj_sum_n records n - 1 additions, dj_prod_n n - 1 products: on the graph
 * the helpers cost what the loop they stand for costs. */
START_TEST(test_reductions_record_what_a_loop_records)
{
    enum { N = 9 };
    double xv[N];
    for (int i = 0; i < N; i++)
        xv[i] = 1 + 0.1 * i;
    dj_graph g;
    dj_graph_init(&g);
    dj_var x[N];
    ck_assert_int_eq(dj_graph_inputs(&g, x, xv, N), DJ_OK);
    size_t before = dj_graph_size(&g);
    dj_var s = dj_sum_n(x, N);
    ck_assert_uint_eq(dj_graph_size(&g) - before, N - 1);
    dj_var p = dj_prod(x[0], x[1], x[2]);
    ck_assert_uint_eq(dj_graph_size(&g) - before, N - 1 + 2);
    dj_var y[2] = {s, p};
    ck_assert_int_eq(dj_graph_outputs(&g, y, 2), DJ_OK);
    double u[2] = {1, 0}, grad[N];
    ck_assert_int_eq(dj_graph_vjp(&g, grad, u, 1), DJ_OK);
    for (int i = 0; i < N; i++)
        tl_assert_close(grad[i], 1.0, 0, "d sum / d x%d", i);
    u[0] = 0, u[1] = 1;
    ck_assert_int_eq(dj_graph_vjp(&g, grad, u, 1), DJ_OK);
    tl_assert_close(grad[0], xv[1] * xv[2], 1e-15, "d prod / d x0");
    tl_assert_close(grad[3], 0.0, 0, "d prod / d x3");
    dj_graph_clear(&g);
}
END_TEST

/* Empty reductions are the neutral constants. */
START_TEST(test_empty_reductions_are_neutral)
{
    dj_dual8 none[1] = {dj_dual8_const(5)};
    dj_dual8 s = dj_sum_n(none, 0), p = dj_prod_n(none, 0);
    ck_assert(s.v == 0 && p.v == 1);
    for (int i = 0; i < 8; i++)
        ck_assert(s.d[i] == 0 && p.d[i] == 0);
    double d[1] = {5};
    ck_assert(dj_sum_n(d, 0) == 0 && dj_prod_n(d, 0) == 1);
    dj_var v[1] = {dj_var_const(5)};
    ck_assert(dj_value(dj_sum_n(v, 0)) == 0 && dj_value(dj_prod_n(v, 0)) == 1);
}
END_TEST

static Suite *fn_suite(void)
{
    Suite *s = suite_create("fn");
    TCase *tc = tcase_create("oracle");
    tcase_add_loop_test(tc, test_written_once_matches_analytic, 0, written_count);
    tcase_add_loop_test(tc, test_analytic_matches_finite_differences, 0, written_count);
    suite_add_tcase(s, tc);

    tc = tcase_create("ways");
    tcase_add_test(tc, test_template_equals_macro_body);
    tcase_add_test(tc, test_one_instantiation_many_sizes);
    suite_add_tcase(s, tc);

    tc = tcase_create("helpers");
    tcase_add_test(tc, test_reductions_record_what_a_loop_records);
    tcase_add_test(tc, test_empty_reductions_are_neutral);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tl_main(fn_suite); }

#endif /* DJ_INSTANTIATING */
