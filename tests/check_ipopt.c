/* check_ipopt.c: the Ipopt adapter (dualjac/ipopt.h). The gradient and the
 * sparse constraint Jacobian (structure and values) equal the analytic ones;
 * errors are FALSE with the dualjac status kept; no callback allocates after
 * its first call; Ipopt, driven by the adapter, solves a constrained and an
 * unconstrained problem (HS071 is the example's). The test functions are
 * templates held by this file. */

#ifdef DJ_INSTANTIATING

/* f(x) = sum of (x_i - i - 1)^2 / (i + 1) */
DJ_FUNCTION(distance)(T *f, const T *x, size_t n, size_t m, const void *ctx)
{
    T s = dj_zero(T);
    for (size_t i = 0; i < n; i++) {
        T d = dj_sub(x[i], (double)(i + 1));
        dj_add_to(s, dj_div(dj_mul(d, d), (double)(i + 1)));
    }
    f[0] = s;
}

/* g_0 = sum of x; g_k = x_{k-1} x_k - sin(x_k) (k = 1..n-1): an arrow-free
 * chain with one dense row */
DJ_FUNCTION(chain)(T *g, const T *x, size_t n, size_t m, const void *ctx)
{
    g[0] = dj_sum_n(x, n);
    for (size_t k = 1; k < m; k++)
        g[k] = dj_sub(dj_mul(x[k - 1], x[k]), dj_sin(x[k]));
}

/* Rosenbrock in 2 variables */
DJ_FUNCTION(rosenbrock)(T *f, const T *x, size_t n, size_t m, const void *ctx)
{
    T a = dj_sub(x[1], dj_mul(x[0], x[0])), b = dj_sub(1, x[0]);
    f[0] = dj_add(dj_mul(100, dj_mul(a, a)), dj_mul(b, b));
}

/* log(x_0): NaN for x_0 < 0 */
DJ_FUNCTION(logf1)(T *f, const T *x, size_t n, size_t m, const void *ctx)
{
    f[0] = dj_log(x[0]);
}

#else /* the test suite */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <dualjac.h>
#include <dualjac/ipopt.h>

#include "alloc_count.h"
#include "testlib.h"

#define DJ_TEMPLATE "check_ipopt.c"
#include <dualjac/instantiate.h>

#define TOL 1e-13
enum { N = 8 };

static void point(double *x, uint64_t seed)
{
    tl_rng r;
    tl_rng_seed(&r, seed);
    for (int i = 0; i < N; i++)
        x[i] = tl_uniform(&r, -2, 2);
}

START_TEST(test_init_checks_shapes)
{
    dj_fn f = DJ_FN_INIT(distance, N, 1, NULL), g = DJ_FN_INIT(chain, N, N, NULL);
    dj_fn wide = DJ_FN_INIT(chain, N, 2, NULL), other = DJ_FN_INIT(chain, N - 1, N - 1, NULL);
    double x[N] = {0};
    dj_ipopt a;
    ck_assert_int_eq(dj_ipopt_init(&a, &wide, &g, x, NULL), DJ_EDIM); /* objective m != 1 */
    ck_assert_int_eq(dj_ipopt_init(&a, &f, &other, x, NULL), DJ_EDIM);
    ck_assert_int_eq(dj_ipopt_init(&a, &f, &g, NULL, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_ipopt_init(NULL, &f, &g, x, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_ipopt_init(&a, &f, NULL, NULL, NULL), DJ_OK); /* no constraints */
    ck_assert_uint_eq(dj_ipopt_jac_nnz(&a), 0);
    dj_ipopt_clear(&a);
    dj_ipopt_clear(&a); /* a second clear is safe */
}
END_TEST

START_TEST(test_gradient_and_jacobian_match_analytic)
{
    dj_fn f = DJ_FN_INIT(distance, N, 1, NULL), g = DJ_FN_INIT(chain, N, N, NULL);
    double x[N];
    point(x, 71);
    dj_ipopt a;
    ck_assert_int_eq(dj_ipopt_init(&a, &f, &g, x, NULL), DJ_OK);
    /* row 0 is dense, rows 1..N-1 have two entries */
    size_t nnz = dj_ipopt_jac_nnz(&a);
    ck_assert_uint_eq(nnz, N + 2 * (N - 1));
    Index iRow[3 * N], jCol[3 * N];
    ck_assert(dj_ipopt_eval_jac_g(N, x, TRUE, N, (Index)nnz, iRow, jCol, NULL, &a));
    for (size_t e = 0; e < nnz; e++) {
        int i = iRow[e], j = jCol[e];
        ck_assert_msg(i == 0 || j == i - 1 || j == i, "entry %zu at (%d, %d)", e, i, j);
    }
    for (int c = 0; c < 3; c++) {
        point(x, 80 + (uint64_t)c);
        double grad[N], values[3 * N], obj, gv[N];
        ck_assert(dj_ipopt_eval_grad_f(N, x, TRUE, grad, &a));
        ck_assert(dj_ipopt_eval_f(N, x, FALSE, &obj, &a));
        ck_assert(dj_ipopt_eval_g(N, x, FALSE, N, gv, &a));
        ck_assert(dj_ipopt_eval_jac_g(N, x, FALSE, N, (Index)nnz, NULL, NULL, values, &a));
        double want_obj = 0;
        for (int i = 0; i < N; i++) {
            want_obj += (x[i] - i - 1) * (x[i] - i - 1) / (i + 1);
            tl_assert_close(grad[i], 2 * (x[i] - i - 1) / (i + 1), TOL, "grad %d", i);
        }
        tl_assert_close(obj, want_obj, 1e-15, "f");
        for (size_t e = 0; e < nnz; e++) {
            int i = iRow[e], j = jCol[e];
            double want = i == 0 ? 1 : j == i - 1 ? x[i] : x[i - 1] - cos(x[i]);
            tl_assert_close(values[e], want, TOL, "jac (%d, %d)", i, j);
        }
        tl_assert_close(gv[1], x[0] * x[1] - sin(x[1]), 1e-15, "g_1");
    }
    ck_assert_int_eq(a.ngradev, 3);
    ck_assert_int_eq(a.njev, 3);
    ck_assert_int_eq(a.nfev, 3);
    ck_assert_int_eq(a.ngev, 3);
    dj_ipopt_clear(&a);
}
END_TEST

START_TEST(test_errors_are_false)
{
    dj_fn f = DJ_FN_INIT(logf1, 1, 1, NULL);
    dj_ipopt a;
    ck_assert_int_eq(dj_ipopt_init(&a, &f, NULL, NULL, NULL), DJ_OK);
    double x = -1, obj, grad;
    ck_assert(!dj_ipopt_eval_f(1, &x, TRUE, &obj, &a));
    ck_assert_int_eq(a.status, DJ_ENONFINITE);
    ck_assert(!dj_ipopt_eval_grad_f(1, &x, TRUE, &grad, &a));
    x = 2;
    ck_assert(!dj_ipopt_eval_f(2, &x, TRUE, &obj, &a)); /* another n */
    ck_assert_int_eq(a.status, DJ_EDIM);
    ck_assert(dj_ipopt_eval_f(1, &x, TRUE, &obj, &a));
    tl_assert_close(obj, log(2.0), 1e-15, "log 2");
    /* no Hessian yet: FALSE, and the status says so */
    ck_assert(!dj_ipopt_eval_h(1, &x, TRUE, 1.0, 0, NULL, TRUE, 0, NULL, NULL, NULL, &a));
    ck_assert_int_eq(a.status, DJ_ENOTSUP);
    dj_ipopt_clear(&a);
}
END_TEST

START_TEST(test_no_allocation_after_first_call)
{
    if (tl_allocations() < 0)
        return;
    dj_fn f = DJ_FN_INIT(distance, N, 1, NULL), g = DJ_FN_INIT(chain, N, N, NULL);
    double x[N];
    point(x, 91);
    dj_ipopt a;
    ck_assert_int_eq(dj_ipopt_init(&a, &f, &g, x, NULL), DJ_OK);
    a.opts.threads = 1;
    Index nnz = (Index)dj_ipopt_jac_nnz(&a);
    double grad[N], values[3 * N], obj, gv[N];
    Bool ok[3][4];
    long during[3];
    for (int round = 0; round < 3; round++) {
        long before = tl_allocations();
        ok[round][0] = dj_ipopt_eval_f(N, x, TRUE, &obj, &a);
        ok[round][1] = dj_ipopt_eval_grad_f(N, x, FALSE, grad, &a);
        ok[round][2] = dj_ipopt_eval_g(N, x, FALSE, N, gv, &a);
        ok[round][3] = dj_ipopt_eval_jac_g(N, x, FALSE, N, nnz, NULL, NULL, values, &a);
        during[round] = tl_allocations() - before;
    }
    for (int round = 0; round < 3; round++) {
        for (int c = 0; c < 4; c++)
            ck_assert(ok[round][c]);
        if (round > 0)
            ck_assert_msg(during[round] == 0, "round %d: %ld allocations", round, during[round]);
    }
    dj_ipopt_clear(&a);
}
END_TEST

static void quiet(IpoptProblem p)
{
    char level[] = "print_level", banner[] = "sb", yes[] = "yes", tol[] = "tol";
    AddIpoptIntOption(p, level, 0);
    AddIpoptStrOption(p, banner, yes);
    AddIpoptNumOption(p, tol, 1e-10);
}

/* min sum (x_i - i - 1)^2 / (i + 1) subject to sum x = 1: by Lagrange,
 * x_i = i + 1 - (i + 1) mu / 2 with mu = 2 (sum (i+1) - 1) / sum (i+1). */
START_TEST(test_ipopt_solves_constrained)
{
    enum { K = 5 };
    dj_fn f = DJ_FN_INIT(distance, K, 1, NULL), g = DJ_FN_INIT(chain, K, 1, NULL);
    double x[K] = {0, 0, 0, 0, 0};
    dj_ipopt a;
    ck_assert_int_eq(dj_ipopt_init(&a, &f, &g, x, NULL), DJ_OK);
    ck_assert_uint_eq(dj_ipopt_jac_nnz(&a), K);
    Number xl[K], xu[K], gl[1] = {1}, gu[1] = {1};
    for (int i = 0; i < K; i++)
        xl[i] = -1e20, xu[i] = 1e20;
    IpoptProblem p = dj_ipopt_create(&a, xl, xu, gl, gu);
    ck_assert_ptr_nonnull(p);
    quiet(p);
    Number obj;
    int status = IpoptSolve(p, x, NULL, &obj, NULL, NULL, NULL, &a);
    ck_assert_int_eq(status, Solve_Succeeded);
    double s = K * (K + 1) / 2.0, mu = 2 * (s - 1) / s;
    for (int i = 0; i < K; i++)
        tl_assert_close(x[i], (i + 1) * (1 - mu / 2), 1e-8, "x_%d", i);
    ck_assert_int_gt(a.njev, 0);
    FreeIpoptProblem(p);
    dj_ipopt_clear(&a);
}
END_TEST

/* Rosenbrock with bounds and no constraints (m = 0). */
START_TEST(test_ipopt_solves_unconstrained)
{
    dj_fn f = DJ_FN_INIT(rosenbrock, 2, 1, NULL);
    dj_ipopt a;
    ck_assert_int_eq(dj_ipopt_init(&a, &f, NULL, NULL, NULL), DJ_OK);
    Number xl[2] = {-5, -5}, xu[2] = {5, 5}, x[2] = {-1.2, 1}, obj;
    IpoptProblem p = dj_ipopt_create(&a, xl, xu, NULL, NULL);
    ck_assert_ptr_nonnull(p);
    quiet(p);
    int status = IpoptSolve(p, x, NULL, &obj, NULL, NULL, NULL, &a);
    ck_assert_int_eq(status, Solve_Succeeded);
    tl_assert_close(x[0], 1, 1e-6, "x_0");
    tl_assert_close(x[1], 1, 1e-6, "x_1");
    FreeIpoptProblem(p);
    dj_ipopt_clear(&a);
}
END_TEST

static Suite *ipopt_suite(void)
{
    Suite *s = suite_create("ipopt");
    TCase *tc = tcase_create("derivatives");
    tcase_add_test(tc, test_init_checks_shapes);
    tcase_add_test(tc, test_gradient_and_jacobian_match_analytic);
    suite_add_tcase(s, tc);

    tc = tcase_create("callbacks");
    tcase_add_test(tc, test_errors_are_false);
    tcase_add_test(tc, test_no_allocation_after_first_call);
    suite_add_tcase(s, tc);

    tc = tcase_create("solver");
    tcase_set_timeout(tc, 120); /* real solvers: slow under sanitizers and valgrind */
    tcase_add_test(tc, test_ipopt_solves_constrained);
    tcase_add_test(tc, test_ipopt_solves_unconstrained);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ipopt_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
