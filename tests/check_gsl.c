/* check_gsl.c: the GSL adapter (dualjac/gsl.h). The matrices its Jacobian
 * callbacks fill equal the analytic Jacobians, also in a submatrix (tda
 * beyond the width) and from strided vectors; errors come back as GSL
 * codes; no callback allocates after its first call; and gsl_multiroot and
 * gsl_multifit_nlinear, driven by the adapter, solve small problems (the
 * NIST example fits the certified problems). The test functions are
 * templates held by this file. */

#ifdef DJ_INSTANTIATING

/* Residuals of y = a exp(-b t) + c at the data of the context. */
DJ_FUNCTION(expfit3)(T *r, const T *p, size_t n, size_t m, const void *ctx)
{
    const struct samples *d = ctx;
    for (size_t k = 0; k < m; k++)
        r[k] = dj_sub(dj_add(dj_mul(p[0], dj_exp(dj_mul(-d->t[k], p[1]))), p[2]), d->y[k]);
}

/* Powell's badly scaled function, a 2×2 system with a root at
 * (1.098159e-5, 9.106146). */
DJ_FUNCTION(powell)(T *f, const T *x, size_t n, size_t m, const void *ctx)
{
    f[0] = dj_sub(dj_mul(1e4, dj_mul(x[0], x[1])), 1);
    f[1] = dj_sub(dj_add(dj_exp(dj_neg(x[0])), dj_exp(dj_neg(x[1]))), 1.0001);
}

/* sqrt of the inputs: NaN for a negative one. */
DJ_FUNCTION(roots)(T *f, const T *x, size_t n, size_t m, const void *ctx)
{
    for (size_t i = 0; i < n; i++)
        f[i] = dj_sqrt(x[i]);
}

#else /* the test suite */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <dualjac.h>
#include <dualjac/gsl.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_multiroots.h>

#include "alloc_count.h"
#include "testlib.h"

struct samples {
    const double *t, *y;
};

#define DJ_TEMPLATE "check_gsl.c"
#include <dualjac/instantiate.h>

#define TOL 1e-13
enum { M = 12 };

/* y = 3 exp(-0.7 t) + 0.5, rounded to 4 decimals */
static double sample_t[M], sample_y[M];
static struct samples data = {sample_t, sample_y};

static void setup(void)
{
    for (int k = 0; k < M; k++) {
        sample_t[k] = 0.5 * k;
        sample_y[k] = round(1e4 * (3 * exp(-0.7 * sample_t[k]) + 0.5)) / 1e4;
    }
    gsl_set_error_handler_off();
}

static void expfit3_jac(double *J, const double *p)
{
    for (int k = 0; k < M; k++) {
        double e = exp(-sample_t[k] * p[1]);
        J[3 * k] = e;
        J[3 * k + 1] = -p[0] * sample_t[k] * e;
        J[3 * k + 2] = 1;
    }
}

START_TEST(test_df_matches_analytic)
{
    dj_fn f = DJ_FN_INIT(expfit3, 3, M, &data);
    dj_gsl a;
    ck_assert_int_eq(dj_gsl_init(&a, &f), DJ_OK);
    gsl_vector *x = gsl_vector_alloc(3);
    gsl_matrix *J = gsl_matrix_alloc(M, 3);
    double want[3 * M];
    tl_rng r;
    tl_rng_seed(&r, 61);
    for (int c = 0; c < tl_cases(4); c++) {
        for (size_t j = 0; j < 3; j++)
            gsl_vector_set(x, j, tl_uniform(&r, 0.2, 4));
        ck_assert_int_eq(dj_gsl_df(x, &a, J), GSL_SUCCESS);
        expfit3_jac(want, x->data);
        for (size_t i = 0; i < M; i++)
            for (size_t j = 0; j < 3; j++)
                tl_assert_close(gsl_matrix_get(J, i, j), want[3 * i + j], TOL, "J[%zu][%zu]", i, j);
    }
    ck_assert_int_eq(a.njev, tl_cases(4));
    ck_assert_int_eq(a.nfev, 0);
    gsl_vector_free(x);
    gsl_matrix_free(J);
    dj_gsl_clear(&a);
    dj_gsl_clear(&a); /* a second clear is safe */
}
END_TEST

/* A submatrix (tda 7 > 3 columns) and strided vectors: the entries around
 * the view stay untouched. */
START_TEST(test_views_with_stride_and_tda)
{
    dj_fn f = DJ_FN_INIT(expfit3, 3, M, &data);
    dj_gsl a;
    ck_assert_int_eq(dj_gsl_init(&a, &f), DJ_OK);
    double xs[9] = {1.5, -1, -1, 0.4, -1, -1, 0.2, -1, -1}; /* x = (1.5, 0.4, 0.2), stride 3 */
    gsl_vector_const_view x = gsl_vector_const_view_array_with_stride(xs, 3, 3);
    gsl_matrix *big = gsl_matrix_alloc(M + 2, 7);
    gsl_matrix_set_all(big, -7.0);
    gsl_matrix_view J = gsl_matrix_submatrix(big, 1, 2, M, 3);
    double fs[2 * M];
    for (int k = 0; k < 2 * M; k++)
        fs[k] = -5.0;
    gsl_vector_view fv = gsl_vector_view_array_with_stride(fs, 2, M);
    ck_assert_int_eq(dj_gsl_fdf(&x.vector, &a, &fv.vector, &J.matrix), GSL_SUCCESS);
    double want[3 * M], p[3] = {1.5, 0.4, 0.2};
    expfit3_jac(want, p);
    for (size_t i = 0; i < M + 2; i++)
        for (size_t j = 0; j < 7; j++) {
            int inside = i >= 1 && i <= M && j >= 2 && j < 5;
            double w = inside ? want[3 * (i - 1) + j - 2] : -7.0;
            tl_assert_close(gsl_matrix_get(big, i, j), w, TOL, "big[%zu][%zu]", i, j);
        }
    for (size_t k = 0; k < M; k++) {
        double model = 1.5 * exp(-0.4 * sample_t[k]) + 0.2 - sample_y[k];
        tl_assert_close(fs[2 * k], model, 1e-15, "f_%zu", k);
        ck_assert(fs[2 * k + 1] == -5.0);
    }
    /* f alone, through the strided buffers again */
    for (int k = 0; k < 2 * M; k++)
        fs[k] = -5.0;
    ck_assert_int_eq(dj_gsl_f(&x.vector, &a, &fv.vector), GSL_SUCCESS);
    tl_assert_close(fs[0], 1.5 + 0.2 - sample_y[0], 1e-15, "f_0");
    ck_assert(fs[1] == -5.0);
    ck_assert_int_eq(a.nfev, 2);
    gsl_matrix_free(big);
    dj_gsl_clear(&a);
}
END_TEST

START_TEST(test_errors_are_gsl_codes)
{
    dj_fn f = DJ_FN_INIT(expfit3, 3, M, &data), g = DJ_FN_INIT(roots, 2, 2, NULL);
    dj_gsl a, s;
    ck_assert_int_eq(dj_gsl_init(NULL, &f), DJ_EINVAL);
    ck_assert_int_eq(dj_gsl_init(&a, &f), DJ_OK);
    ck_assert_int_eq(dj_gsl_init(&s, &g), DJ_OK);
    gsl_multiroot_function_fdf root;
    ck_assert_int_eq(dj_gsl_multiroot_fdf(&root, &a), DJ_EDIM); /* 3 -> 12 is not square */
    gsl_vector *x2 = gsl_vector_alloc(2), *f2 = gsl_vector_alloc(2), *f3 = gsl_vector_alloc(3);
    gsl_matrix *J2 = gsl_matrix_alloc(2, 2);
    gsl_vector_set(x2, 0, 4), gsl_vector_set(x2, 1, -1);
    /* NaN: GSL_EBADFUNC, as GSL's own solvers name a non-finite value */
    ck_assert_int_eq(dj_gsl_f(x2, &s, f2), GSL_EBADFUNC);
    ck_assert_int_eq(s.status, DJ_ENONFINITE);
    ck_assert_int_eq(dj_gsl_df(x2, &s, J2), GSL_EBADFUNC);
    /* sizes that are not f's */
    ck_assert_int_eq(dj_gsl_f(x2, &s, f3), GSL_EBADLEN);
    ck_assert_int_eq(dj_gsl_f(x2, &a, f2), GSL_EBADLEN);
    ck_assert_int_eq(a.status, DJ_EDIM);
    ck_assert_int_eq(dj_gsl_f(x2, NULL, f2), GSL_EINVAL);
    gsl_vector_free(x2), gsl_vector_free(f2), gsl_vector_free(f3);
    gsl_matrix_free(J2);
    dj_gsl_clear(&a);
    dj_gsl_clear(&s);
}
END_TEST

START_TEST(test_no_allocation_after_first_call)
{
    if (tl_allocations() < 0)
        return;
    dj_fn f = DJ_FN_INIT(expfit3, 3, M, &data);
    dj_gsl a;
    ck_assert_int_eq(dj_gsl_init(&a, &f), DJ_OK);
    a.opts.threads = 1;
    double xs[6] = {1.5, 0, 0.4, 0, 0.2, 0}, fs[2 * M];
    gsl_vector_const_view x = gsl_vector_const_view_array_with_stride(xs, 2, 3);
    gsl_vector_view fv = gsl_vector_view_array_with_stride(fs, 2, M);
    gsl_matrix *J = gsl_matrix_alloc(M, 3);
    int flags[3][3];
    long during[3];
    for (int round = 0; round < 3; round++) {
        long before = tl_allocations();
        flags[round][0] = dj_gsl_f(&x.vector, &a, &fv.vector);
        flags[round][1] = dj_gsl_df(&x.vector, &a, J);
        flags[round][2] = dj_gsl_fdf(&x.vector, &a, &fv.vector, J);
        during[round] = tl_allocations() - before;
    }
    for (int round = 0; round < 3; round++) {
        for (int c = 0; c < 3; c++)
            ck_assert_int_eq(flags[round][c], GSL_SUCCESS);
        if (round > 0)
            ck_assert_msg(during[round] == 0, "round %d: %ld allocations", round, during[round]);
    }
    gsl_matrix_free(J);
    dj_gsl_clear(&a);
}
END_TEST

/* Powell's badly scaled system by the hybrid method with the adapter's
 * Jacobian (gsl_multiroot_fdfsolver_hybridsj). */
START_TEST(test_multiroot_solves_powell)
{
    dj_fn f = DJ_FN_INIT(powell, 2, 2, NULL);
    dj_gsl a;
    ck_assert_int_eq(dj_gsl_init(&a, &f), DJ_OK);
    gsl_multiroot_function_fdf fdf;
    ck_assert_int_eq(dj_gsl_multiroot_fdf(&fdf, &a), DJ_OK);
    ck_assert_uint_eq(fdf.n, 2);
    gsl_multiroot_fdfsolver *s =
        gsl_multiroot_fdfsolver_alloc(gsl_multiroot_fdfsolver_hybridsj, 2);
    double x0[2] = {0, 1};
    gsl_vector_view x = gsl_vector_view_array(x0, 2);
    ck_assert_int_eq(gsl_multiroot_fdfsolver_set(s, &fdf, &x.vector), GSL_SUCCESS);
    int status = GSL_CONTINUE, iter = 0;
    while (status == GSL_CONTINUE && iter++ < 500) {
        status = gsl_multiroot_fdfsolver_iterate(s);
        if (status == GSL_SUCCESS)
            status = gsl_multiroot_test_residual(s->f, 1e-12);
    }
    ck_assert_msg(status == GSL_SUCCESS, "%s after %d iterations", gsl_strerror(status), iter);
    tl_assert_close(gsl_vector_get(s->x, 0), 1.098159329699759e-05, 1e-9, "x1");
    tl_assert_close(gsl_vector_get(s->x, 1), 9.106146739867318, 1e-9, "x2");
    ck_assert_int_gt(a.njev, 0);
    gsl_multiroot_fdfsolver_free(s);
    dj_gsl_clear(&a);
}
END_TEST

/* gsl_multifit_nlinear with the adapter gives the fit the hand-written
 * Jacobian gives, to rounding, in as many iterations. */
static int hand_f(const gsl_vector *x, void *params, gsl_vector *f)
{
    (void)params;
    for (int k = 0; k < M; k++)
        gsl_vector_set(f, (size_t)k,
                       gsl_vector_get(x, 0) * exp(-sample_t[k] * gsl_vector_get(x, 1)) +
                           gsl_vector_get(x, 2) - sample_y[k]);
    return GSL_SUCCESS;
}

static int hand_df(const gsl_vector *x, void *params, gsl_matrix *J)
{
    (void)params;
    expfit3_jac(J->data, x->data);
    return GSL_SUCCESS;
}

static size_t fit(gsl_multifit_nlinear_fdf *fdf, double b[3])
{
    gsl_multifit_nlinear_parameters par = gsl_multifit_nlinear_default_parameters();
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &par, M, 3);
    double x0[3] = {1, 1, 0};
    gsl_vector_view x = gsl_vector_view_array(x0, 3);
    int info;
    ck_assert_int_eq(gsl_multifit_nlinear_init(&x.vector, fdf, w), GSL_SUCCESS);
    int status = gsl_multifit_nlinear_driver(200, 1e-12, 1e-12, 0, NULL, NULL, &info, w);
    ck_assert_msg(status == GSL_SUCCESS, "%s", gsl_strerror(status));
    for (int k = 0; k < 3; k++)
        b[k] = gsl_vector_get(gsl_multifit_nlinear_position(w), (size_t)k);
    size_t it = gsl_multifit_nlinear_niter(w);
    gsl_multifit_nlinear_free(w);
    return it;
}

START_TEST(test_multifit_equals_hand_written)
{
    dj_fn f = DJ_FN_INIT(expfit3, 3, M, &data);
    dj_gsl a;
    ck_assert_int_eq(dj_gsl_init(&a, &f), DJ_OK);
    gsl_multifit_nlinear_fdf fdf, hand;
    ck_assert_int_eq(dj_gsl_multifit_fdf(&fdf, &a), DJ_OK);
    ck_assert_uint_eq(fdf.n, M);
    ck_assert_uint_eq(fdf.p, 3);
    ck_assert(fdf.fvv == NULL);
    hand = fdf;
    hand.f = hand_f;
    hand.df = hand_df;
    double b[3], bh[3];
    size_t it = fit(&fdf, b), ith = fit(&hand, bh);
    ck_assert_uint_eq(it, ith);
    for (int k = 0; k < 3; k++)
        tl_assert_close(b[k], bh[k], 1e-12, "b%d", k + 1);
    tl_assert_close(b[0], 3, 1e-3, "a");
    tl_assert_close(b[1], 0.7, 1e-3, "b");
    tl_assert_close(b[2], 0.5, 1e-3, "c");
    ck_assert_int_eq(a.njev, (long)fdf.nevaldf);
    dj_gsl_clear(&a);
}
END_TEST

static Suite *gsl_suite(void)
{
    Suite *s = suite_create("gsl");
    TCase *tc = tcase_create("matrices");
    tcase_add_unchecked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_df_matches_analytic);
    tcase_add_test(tc, test_views_with_stride_and_tda);
    suite_add_tcase(s, tc);

    tc = tcase_create("callbacks");
    tcase_add_unchecked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_errors_are_gsl_codes);
    tcase_add_test(tc, test_no_allocation_after_first_call);
    suite_add_tcase(s, tc);

    tc = tcase_create("solvers");
    tcase_set_timeout(tc, 120); /* real solvers: slow under sanitizers and valgrind */
    tcase_add_unchecked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_multiroot_solves_powell);
    tcase_add_test(tc, test_multifit_equals_hand_written);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(gsl_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
