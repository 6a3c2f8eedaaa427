/* check_ipopt.c: the Ipopt adapter (dualjac/ipopt.h). The gradient, the
 * sparse constraint Jacobian and the Hessian of the Lagrangian (structure
 * and values) equal the analytic ones, HS071's written out by hand among
 * them; without second derivatives the adapter falls back to L-BFGS and
 * says why; errors are FALSE with the dualjac status kept; no callback
 * allocates after its first call; Ipopt, driven by the adapter, solves a
 * constrained and an unconstrained problem and HS071, with the exact
 * Hessian and with L-BFGS. The test functions are templates held by this
 * file. */

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

/* HS071, Ipopt's own example: the objective and the two constraints */
DJ_FUNCTION(hs071_f)(T *f, const T *x, size_t n, size_t m, const void *ctx)
{
    f[0] = dj_add(dj_mul(dj_mul(x[0], x[3]), dj_sum(x[0], x[1], x[2])), x[2]);
}

DJ_FUNCTION(hs071_g)(T *g, const T *x, size_t n, size_t m, const void *ctx)
{
    g[0] = dj_prod(x[0], x[1], x[2], x[3]);
    g[1] = dj_sum(dj_mul(x[0], x[0]), dj_mul(x[1], x[1]), dj_mul(x[2], x[2]),
                  dj_mul(x[3], x[3]));
}

/* A constraint through a custom primitive without a second-order rule:
 * g_0 = my_square(x_0) + x_1^2 */
DJ_FUNCTION(with_primitive)(T *g, const T *x, size_t n, size_t m, const void *ctx)
{
    g[0] = dj_add(dj_apply1(&square_prim, x[0]), dj_mul(x[1], x[1]));
}

#else /* the test suite */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <dualjac.h>
#include <dualjac/ipopt.h>

#include "alloc_count.h"
#include "testlib.h"

/* x^2 as a custom primitive: first-order rules only */
static void sq_eval(double *y, double *saved, const double *x, const void *ctx)
{
    (void)saved, (void)ctx;
    y[0] = x[0] * x[0];
}
static void sq_jvp(double *jv, const double *v, const double *x, const double *y,
                   const double *saved, const void *ctx)
{
    (void)y, (void)saved, (void)ctx;
    jv[0] = 2 * x[0] * v[0];
}
static void sq_vjp(double *ju, const double *u, const double *x, const double *y,
                   const double *saved, const void *ctx)
{
    (void)y, (void)saved, (void)ctx;
    ju[0] = 2 * x[0] * u[0];
}
static const dj_primitive square_prim = {"my_square", 1, 1, 0, sq_eval, sq_jvp, sq_vjp, NULL};

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
    /* the Hessian's pattern is found at x0: needed also without constraints */
    ck_assert_int_eq(dj_ipopt_init(&a, &f, NULL, NULL, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_ipopt_init(&a, &f, NULL, x, NULL), DJ_OK); /* no constraints */
    ck_assert_uint_eq(dj_ipopt_jac_nnz(&a), 0);
    ck_assert_int_eq(a.hessian, DJ_IPOPT_EXACT);
    ck_assert_uint_eq(dj_ipopt_hess_nnz(&a), N); /* a separable objective: the diagonal */
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
    double x = -1, obj, grad, h;
    ck_assert_int_eq(dj_ipopt_init(&a, &f, NULL, &x, NULL), DJ_OK);
    ck_assert(!dj_ipopt_eval_f(1, &x, TRUE, &obj, &a));
    ck_assert_int_eq(a.status, DJ_ENONFINITE);
    ck_assert(!dj_ipopt_eval_grad_f(1, &x, TRUE, &grad, &a));
    x = 2;
    ck_assert(!dj_ipopt_eval_f(2, &x, TRUE, &obj, &a)); /* another n */
    ck_assert_int_eq(a.status, DJ_EDIM);
    ck_assert(dj_ipopt_eval_f(1, &x, TRUE, &obj, &a));
    tl_assert_close(obj, log(2.0), 1e-15, "log 2");
    /* the Hessian: -sigma / x^2; another nele_hess is DJ_EDIM */
    ck_assert_uint_eq(dj_ipopt_hess_nnz(&a), 1);
    ck_assert(dj_ipopt_eval_h(1, &x, TRUE, 3.0, 0, NULL, TRUE, 1, NULL, NULL, &h, &a));
    tl_assert_close(h, -0.75, 1e-15, "hessian");
    ck_assert(!dj_ipopt_eval_h(1, &x, TRUE, 3.0, 0, NULL, TRUE, 2, NULL, NULL, &h, &a));
    ck_assert_int_eq(a.status, DJ_EDIM);
    x = -1; /* log(-1) is NaN: FALSE */
    ck_assert(!dj_ipopt_eval_h(1, &x, TRUE, 1.0, 0, NULL, TRUE, 1, NULL, NULL, &h, &a));
    ck_assert_int_eq(a.status, DJ_ENONFINITE);
    ck_assert_int_eq(a.nhev, 1);
    /* L-BFGS chosen: no Hessian entries, eval_h FALSE with DJ_ENOTSUP */
    a.hessian = DJ_IPOPT_LBFGS;
    ck_assert_uint_eq(dj_ipopt_hess_nnz(&a), 0);
    x = 2;
    ck_assert(!dj_ipopt_eval_h(1, &x, TRUE, 1.0, 0, NULL, TRUE, 0, NULL, NULL, &h, &a));
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
    Index nnz = (Index)dj_ipopt_jac_nnz(&a), hnnz = (Index)dj_ipopt_hess_nnz(&a);
    ck_assert_int_eq(hnnz, 2 * N - 1);
    double grad[N], values[3 * N], obj, gv[N], lambda[N], h[2 * N];
    for (int i = 0; i < N; i++)
        lambda[i] = 0.5 - 0.25 * i;
    Bool ok[3][5];
    long during[3];
    for (int round = 0; round < 3; round++) {
        long before = tl_allocations();
        ok[round][0] = dj_ipopt_eval_f(N, x, TRUE, &obj, &a);
        ok[round][1] = dj_ipopt_eval_grad_f(N, x, FALSE, grad, &a);
        ok[round][2] = dj_ipopt_eval_g(N, x, FALSE, N, gv, &a);
        ok[round][3] = dj_ipopt_eval_jac_g(N, x, FALSE, N, nnz, NULL, NULL, values, &a);
        ok[round][4] = dj_ipopt_eval_h(N, x, FALSE, 1.0, N, lambda, TRUE, hnnz, NULL, NULL, h, &a);
        during[round] = tl_allocations() - before;
    }
    for (int round = 0; round < 3; round++) {
        for (int c = 0; c < 5; c++)
            ck_assert(ok[round][c]);
        if (round > 0)
            ck_assert_msg(during[round] == 0, "round %d: %ld allocations", round, during[round]);
    }
    dj_ipopt_clear(&a);
}
END_TEST

/* The Hessian of the Lagrangian of HS071, both triangles, written out by
 * hand: sigma ∇²f + lambda_0 ∇²g_0 + lambda_1 ∇²g_1. */
static void hs071_hessian(double H[4][4], double sigma, const double *lambda, const double *x)
{
    double f[4][4] = {
        {2 * x[3], x[3], x[3], 2 * x[0] + x[1] + x[2]},
        {x[3], 0, 0, x[0]},
        {x[3], 0, 0, x[0]},
        {2 * x[0] + x[1] + x[2], x[0], x[0], 0},
    };
    double g0[4][4] = {
        {0, x[2] * x[3], x[1] * x[3], x[1] * x[2]},
        {x[2] * x[3], 0, x[0] * x[3], x[0] * x[2]},
        {x[1] * x[3], x[0] * x[3], 0, x[0] * x[1]},
        {x[1] * x[2], x[0] * x[2], x[0] * x[1], 0},
    };
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            H[i][j] = sigma * f[i][j] + lambda[0] * g0[i][j] + (i == j ? 2 * lambda[1] : 0);
}

/* What eval_h hands to Ipopt for HS071: the structure is the whole lower
 * triangle (iRow >= jCol, each entry once), and the values, mirrored into
 * both triangles, equal the Hessian written by hand and dualjac's dense
 * Hessians of f and g (symmetric bit for bit) at several (sigma, lambda, x). */
START_TEST(test_hs071_hessian_matches_hand)
{
    dj_fn f = DJ_FN_INIT(hs071_f, 4, 1, NULL), g = DJ_FN_INIT(hs071_g, 4, 2, NULL);
    double x0[4] = {1, 5, 5, 1};
    dj_ipopt a;
    ck_assert_int_eq(dj_ipopt_init(&a, &f, &g, x0, NULL), DJ_OK);
    ck_assert_int_eq(a.hessian, DJ_IPOPT_EXACT);
    ck_assert_int_eq(a.hessian_status, DJ_OK);
    Index nnz = (Index)dj_ipopt_hess_nnz(&a);
    ck_assert_int_eq(nnz, 10);
    Index iRow[10], jCol[10];
    ck_assert(dj_ipopt_eval_h(4, NULL, TRUE, 0, 2, NULL, TRUE, nnz, iRow, jCol, NULL, &a));
    int seen[4][4] = {{0}};
    for (Index e = 0; e < nnz; e++) {
        ck_assert_msg(iRow[e] >= jCol[e] && jCol[e] >= 0 && iRow[e] < 4, "entry %d at (%d, %d)",
                      (int)e, iRow[e], jCol[e]);
        ck_assert(e == 0 || iRow[e] > iRow[e - 1] ||
                  (iRow[e] == iRow[e - 1] && jCol[e] > jCol[e - 1])); /* row by row */
        seen[iRow[e]][jCol[e]]++;
    }
    for (int i = 0; i < 4; i++)
        for (int j = 0; j <= i; j++)
            ck_assert_int_eq(seen[i][j], 1);
    char text[200];
    ck_assert_ptr_nonnull(strstr(dj_ipopt_hessian_text(&a, text, sizeof text), "exact"));

    const double points[][7] = {
        /* sigma, lambda_0, lambda_1, x */
        {1, 0, 0, 1, 5, 5, 1},
        {0, 1, 0, 1.5, 2.25, 3.125, 4.75},
        {0, 0, 1, 2, 3, 4, 5},
        {1, -0.552293, 0.161469, 1, 4.74299963, 3.82114998, 1.37940829}, /* near x* */
        {2.5, 0.3, -1.7, 4.9, 1.1, 2.6, 3.3},
    };
    for (size_t c = 0; c < sizeof points / sizeof points[0]; c++) {
        double sigma = points[c][0], lambda[2] = {points[c][1], points[c][2]}, x[4];
        memcpy(x, points[c] + 3, sizeof x);
        double values[10], want[4][4], got[4][4] = {{0}}, Hf[16], Hg[16];
        ck_assert(dj_ipopt_eval_h(4, x, TRUE, sigma, 2, lambda, TRUE, nnz, NULL, NULL, values,
                                  &a));
        for (Index e = 0; e < nnz; e++)
            got[iRow[e]][jCol[e]] = got[jCol[e]][iRow[e]] = values[e];
        hs071_hessian(want, sigma, lambda, x);
        ck_assert_int_eq(dj_hessian(Hf, NULL, NULL, &f, x, &sigma, NULL, NULL), DJ_OK);
        ck_assert_int_eq(dj_hessian(Hg, NULL, NULL, &g, x, lambda, NULL, NULL), DJ_OK);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) {
                tl_assert_close(got[i][j], want[i][j], TOL, "point %zu: H(%d, %d)", c, i, j);
                ck_assert(Hf[4 * i + j] == Hf[4 * j + i] && Hg[4 * i + j] == Hg[4 * j + i]);
                tl_assert_close(got[i][j], Hf[4 * i + j] + Hg[4 * i + j], TOL,
                                "point %zu: H(%d, %d) against dj_hessian", c, i, j);
            }
    }
    ck_assert_int_eq(a.nhev, 5);
    dj_ipopt_clear(&a);
}
END_TEST

/* The chain constraints at N: the Lagrangian's Hessian is the diagonal and
 * the subdiagonal (2N - 1 entries, whatever N), with the values
 * 2 sigma / (i + 1) + lambda_i sin(x_i) on the diagonal and lambda_i below. */
START_TEST(test_chain_hessian_is_banded)
{
    dj_fn f = DJ_FN_INIT(distance, N, 1, NULL), g = DJ_FN_INIT(chain, N, N, NULL);
    double x[N], lambda[N], values[2 * N - 1];
    point(x, 101);
    point(lambda, 102);
    dj_ipopt a;
    ck_assert_int_eq(dj_ipopt_init(&a, &f, &g, x, NULL), DJ_OK);
    Index nnz = (Index)dj_ipopt_hess_nnz(&a), iRow[2 * N], jCol[2 * N];
    ck_assert_int_eq(nnz, 2 * N - 1);
    ck_assert_uint_le(a.hsparse.colors.count, 3);
    ck_assert(dj_ipopt_eval_h(N, NULL, TRUE, 0, N, NULL, TRUE, nnz, iRow, jCol, NULL, &a));
    point(x, 103);
    ck_assert(dj_ipopt_eval_h(N, x, TRUE, 0.75, N, lambda, TRUE, nnz, NULL, NULL, values, &a));
    for (Index e = 0; e < nnz; e++) {
        int i = iRow[e], j = jCol[e];
        ck_assert(j == i || j == i - 1);
        double want = j == i - 1 ? lambda[i]
                                 : 2 * 0.75 / (i + 1) + (i > 0 ? lambda[i] * sin(x[i]) : 0);
        tl_assert_close(values[e], want, TOL, "H(%d, %d)", i, j);
    }
    dj_ipopt_clear(&a);
}
END_TEST

/* A custom primitive without a second-order rule: dj_ipopt_init succeeds,
 * falls back to L-BFGS and names the primitive; Ipopt still solves
 * min (x_0 - 2)^2 + (x_1 - 2)^2 on the unit circle. */
START_TEST(test_no_second_order_falls_back_to_lbfgs)
{
    dj_fn f = DJ_FN_INIT(distance, 2, 1, NULL), g = DJ_FN_INIT(with_primitive, 2, 1, NULL);
    double x[2] = {0.5, 0.5};
    dj_ipopt a;
    ck_assert_int_eq(dj_ipopt_init(&a, &f, &g, x, NULL), DJ_OK);
    ck_assert_int_eq(a.hessian, DJ_IPOPT_LBFGS);
    ck_assert_int_eq(a.hessian_status, DJ_ENOTSUP);
    ck_assert_str_eq(a.unsupported, "my_square");
    ck_assert_uint_eq(dj_ipopt_hess_nnz(&a), 0);
    char text[200];
    const char *t = dj_ipopt_hessian_text(&a, text, sizeof text);
    ck_assert_ptr_nonnull(strstr(t, "L-BFGS"));
    ck_assert_ptr_nonnull(strstr(t, "my_square"));
    ck_assert_str_eq(dj_ipopt_hessian_text(&a, NULL, 0), "");
    double h;
    ck_assert(!dj_ipopt_eval_h(2, x, TRUE, 1, 1, x, TRUE, 0, NULL, NULL, &h, &a));
    ck_assert_int_eq(a.status, DJ_ENOTSUP);
    /* a program may not force the exact Hessian that does not exist */
    a.hessian = DJ_IPOPT_EXACT;
    ck_assert_uint_eq(dj_ipopt_hess_nnz(&a), 0);
    Number xl[2] = {-5, -5}, xu[2] = {5, 5}, gl[1] = {1}, gu[1] = {1}, obj;
    IpoptProblem p = dj_ipopt_create(&a, xl, xu, gl, gu);
    ck_assert_ptr_nonnull(p);
    char level[] = "print_level", banner[] = "sb", yes[] = "yes";
    AddIpoptIntOption(p, level, 0);
    AddIpoptStrOption(p, banner, yes);
    ck_assert_int_eq(IpoptSolve(p, x, NULL, &obj, NULL, NULL, NULL, &a), Solve_Succeeded);
    /* distance is (x_0 - 1)^2 + (x_1 - 2)^2 / 2: on the circle, by Lagrange */
    ck_assert_int_eq(a.nhev, 0);
    tl_assert_close(x[0] * x[0] + x[1] * x[1], 1, 1e-7, "on the circle");
    FreeIpoptProblem(p);
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
    ck_assert_int_gt(a.nhev, 0); /* the exact Hessian */
    FreeIpoptProblem(p);
    dj_ipopt_clear(&a);
}
END_TEST

/* Rosenbrock with bounds and no constraints (m = 0). */
START_TEST(test_ipopt_solves_unconstrained)
{
    dj_fn f = DJ_FN_INIT(rosenbrock, 2, 1, NULL);
    dj_ipopt a;
    Number xl[2] = {-5, -5}, xu[2] = {5, 5}, x[2] = {-1.2, 1}, obj;
    ck_assert_int_eq(dj_ipopt_init(&a, &f, NULL, x, NULL), DJ_OK);
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

/* HS071 from x0 = (1, 5, 5, 1): the known optimum f* = 17.0140173 at
 * x* = (1, 4.74299963, 3.82114998, 1.37940829), with the exact Hessian and
 * with L-BFGS. (On four variables L-BFGS takes as few iterations as the
 * exact Hessian; the example prints both.) */
static long hs071_iterations;
static Bool count_iterations(Index alg_mod, Index iter_count, Number obj_value, Number inf_pr,
                             Number inf_du, Number mu, Number d_norm, Number regularization_size,
                             Number alpha_du, Number alpha_pr, Index ls_trials,
                             UserDataPtr user_data)
{
    (void)alg_mod, (void)obj_value, (void)inf_pr, (void)inf_du, (void)mu, (void)d_norm;
    (void)regularization_size, (void)alpha_du, (void)alpha_pr, (void)ls_trials, (void)user_data;
    hs071_iterations = iter_count;
    return TRUE;
}

static long solve_hs071(dj_ipopt_hessian hessian)
{
    dj_fn f = DJ_FN_INIT(hs071_f, 4, 1, NULL), g = DJ_FN_INIT(hs071_g, 4, 2, NULL);
    Number x[4] = {1, 5, 5, 1}, xl[4] = {1, 1, 1, 1}, xu[4] = {5, 5, 5, 5};
    Number gl[2] = {25, 40}, gu[2] = {2e19, 40}, obj;
    dj_ipopt a;
    ck_assert_int_eq(dj_ipopt_init(&a, &f, &g, x, NULL), DJ_OK);
    a.hessian = hessian;
    IpoptProblem p = dj_ipopt_create(&a, xl, xu, gl, gu);
    ck_assert_ptr_nonnull(p);
    quiet(p);
    SetIntermediateCallback(p, count_iterations);
    ck_assert_int_eq(IpoptSolve(p, x, NULL, &obj, NULL, NULL, NULL, &a), Solve_Succeeded);
    const double xstar[4] = {1, 4.74299963, 3.82114998, 1.37940829};
    tl_assert_close(obj, 17.0140173, 1e-8, "f*");
    for (int j = 0; j < 4; j++)
        tl_assert_close(x[j], xstar[j], 1e-7, "x*_%d", j);
    if (hessian == DJ_IPOPT_EXACT)
        ck_assert_int_gt(a.nhev, 0);
    else
        ck_assert_int_eq(a.nhev, 0);
    FreeIpoptProblem(p);
    dj_ipopt_clear(&a);
    return hs071_iterations;
}

START_TEST(test_ipopt_solves_hs071)
{
    ck_assert_int_gt(solve_hs071(DJ_IPOPT_EXACT), 0);
    ck_assert_int_gt(solve_hs071(DJ_IPOPT_LBFGS), 0);
}
END_TEST

static Suite *ipopt_suite(void)
{
    Suite *s = suite_create("ipopt");
    TCase *tc = tcase_create("derivatives");
    tcase_add_test(tc, test_init_checks_shapes);
    tcase_add_test(tc, test_gradient_and_jacobian_match_analytic);
    tcase_add_test(tc, test_hs071_hessian_matches_hand);
    tcase_add_test(tc, test_chain_hessian_is_banded);
    suite_add_tcase(s, tc);

    tc = tcase_create("callbacks");
    tcase_add_test(tc, test_errors_are_false);
    tcase_add_test(tc, test_no_allocation_after_first_call);
    suite_add_tcase(s, tc);

    tc = tcase_create("solver");
    tcase_set_timeout(tc, 120); /* real solvers: slow under sanitizers and valgrind */
    tcase_add_test(tc, test_ipopt_solves_constrained);
    tcase_add_test(tc, test_ipopt_solves_unconstrained);
    tcase_add_test(tc, test_ipopt_solves_hs071);
    tcase_add_test(tc, test_no_second_order_falls_back_to_lbfgs);
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
