/* check_sundials.c: the SUNDIALS adapter (dualjac/sundials.h). The matrices
 * its Jacobian callbacks fill (dense, band, sparse CSC and CSR) equal the
 * analytic Jacobians of an ODE, a DAE (dF/dy + cj dF/dy') and a system; t
 * reaches the body; errors come back through SUNDIALS' conventions; no
 * callback allocates after its first call; and IDA, ARKODE and KINSOL,
 * driven by the adapter, solve small problems (CVODE is the Robertson
 * example's).
 *
 * The test functions are templates held by this file (the block under
 * DJ_INSTANTIATING). */

#ifdef DJ_INSTANTIATING

/* A banded right-hand side with t, upper bandwidth 2, lower 1:
 *   f_i = -(i+1) y_i^2 + y_{i-1} y_{i+1} + sin(t) y_i + cos(y_{i+2})
 * (terms with an index outside 0..n-1 left out). */
#define band_rhs_at DJ_OVERLOAD(band_rhs_at)
static T band_rhs_at(const T *y, size_t i, size_t n, double t)
{
    T f = dj_add(dj_mul(-(double)(i + 1), dj_mul(y[i], y[i])), dj_mul(sin(t), y[i]));
    if (i > 0 && i + 1 < n)
        dj_add_to(f, dj_mul(y[i - 1], y[i + 1]));
    if (i + 2 < n)
        dj_add_to(f, dj_cos(y[i + 2]));
    return f;
}

DJ_FUNCTION(band_rhs)(T *f, const T *y, size_t n, size_t m, const void *ctx)
{
    const struct problem *p = ctx;
    for (size_t i = 0; i < n; i++)
        f[i] = band_rhs_at(y, i, n, p->t);
}

/* The DAE F(y, y') = y'_i + y'_{i+1} y_i / 2 - f_i(y): x = [y, y'], n = 2m. */
DJ_FUNCTION(band_dae)(T *F, const T *x, size_t n, size_t m, const void *ctx)
{
    const struct problem *p = ctx;
    const T *y = x, *yp = x + m;
    for (size_t i = 0; i < m; i++) {
        T r = dj_sub(yp[i], band_rhs_at(y, i, m, p->t));
        if (i + 1 < m)
            dj_add_to(r, dj_mul(0.5, dj_mul(yp[i + 1], y[i])));
        F[i] = r;
    }
}

/* Robertson's kinetics as a DAE (SUNDIALS' idaRoberts): the third equation
 * is the conservation y1 + y2 + y3 = 1. */
DJ_FUNCTION(roberts_dae)(T *F, const T *x, size_t n, size_t m, const void *ctx)
{
    const T *y = x, *yp = x + 3;
    T r1 = dj_mul(1e4, dj_mul(y[1], y[2])), r2 = dj_mul(3e7, dj_mul(y[1], y[1]));
    F[0] = dj_sum(yp[0], dj_mul(0.04, y[0]), dj_neg(r1));
    F[1] = dj_sum(yp[1], dj_mul(-0.04, y[0]), r1, r2);
    F[2] = dj_sub(dj_sum(y[0], y[1], y[2]), 1);
}

/* y_i' = -lambda_i (y_i - cos t) - sin t: y = cos t from y(0) = 1, stiff
 * for large lambda_i = 10^(i+1). */
DJ_FUNCTION(relax)(T *f, const T *y, size_t n, size_t m, const void *ctx)
{
    const struct problem *p = ctx;
    for (size_t i = 0; i < n; i++)
        f[i] = dj_sub(dj_mul(-pow(10.0, (double)(i + 1)), dj_sub(y[i], cos(p->t))), sin(p->t));
}

/* A right-hand side that is NaN for y_0 < 0. */
DJ_FUNCTION(sqrt_rhs)(T *f, const T *y, size_t n, size_t m, const void *ctx)
{
    for (size_t i = 0; i < n; i++)
        f[i] = dj_neg(dj_sqrt(y[i]));
}

#else /* the test suite */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <dualjac.h>
#include <dualjac/sundials.h>

#include <arkode/arkode_arkstep.h>
#include <ida/ida.h>
#include <kinsol/kinsol.h>
#include <nvector/nvector_serial.h>
#include <sunlinsol/sunlinsol_band.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_band.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunmatrix/sunmatrix_sparse.h>

#include "alloc_count.h"
#include "testlib.h"

/* What the templates read: t, written by the adapter. */
struct problem {
    double t;
};

#define DJ_TEMPLATE "check_sundials.c"
#include <dualjac/instantiate.h>
/* Broyden's tridiagonal system, the Newton example's (KINSOL) */
#define DJ_TEMPLATE "broyden.dj.h"
#include <dualjac/instantiate.h>

#define TOL 1e-13
enum { N = 9 };

/* SUNDIALS 7 names the null communicator; 6 takes a null pointer. */
#if SUNDIALS_VERSION_MAJOR >= 7
#define DJ_SUN_COMM SUN_COMM_NULL
#else
#define DJ_SUN_COMM NULL
#endif

static SUNContext sunctx;

static void setup(void) { ck_assert_int_eq(SUNContext_Create(DJ_SUN_COMM, &sunctx), 0); }
static void teardown(void) { SUNContext_Free(&sunctx); }

/* ---- analytic Jacobians -------------------------------------------------------- */

/* J (n×n, row-major) of band_rhs at (t, y). */
static void band_rhs_jac(double *J, const double *y, size_t n, double t)
{
    memset(J, 0, n * n * sizeof *J);
    for (size_t i = 0; i < n; i++) {
        J[i * n + i] = -2.0 * (double)(i + 1) * y[i] + sin(t);
        if (i > 0 && i + 1 < n) {
            J[i * n + i - 1] = y[i + 1];
            J[i * n + i + 1] = y[i - 1];
        }
        if (i + 2 < n)
            J[i * n + i + 2] = -sin(y[i + 2]);
    }
}

/* dF/dy + cj dF/dy' of band_dae. */
static void band_dae_jac(double *J, const double *y, const double *yp, size_t n, double t,
                         double cj)
{
    band_rhs_jac(J, y, n, t);
    for (size_t k = 0; k < n * n; k++)
        J[k] = -J[k];
    for (size_t i = 0; i < n; i++) {
        J[i * n + i] += cj;
        if (i + 1 < n) {
            J[i * n + i] += 0.5 * yp[i + 1];
            J[i * n + i + 1] += cj * 0.5 * y[i];
        }
    }
}

/* ---- reading the matrices back -------------------------------------------------- */

/* The matrix as a dense row-major n×n array. */
static void to_dense(double *out, SUNMatrix A, size_t n)
{
    memset(out, 0, n * n * sizeof *out);
    switch (SUNMatGetID(A)) {
    case SUNMATRIX_DENSE:
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                out[i * n + j] = SM_ELEMENT_D(A, (sunindextype)i, (sunindextype)j);
        break;
    case SUNMATRIX_BAND: {
        sunindextype mu = SUNBandMatrix_UpperBandwidth(A), ml = SUNBandMatrix_LowerBandwidth(A);
        for (sunindextype i = 0; i < (sunindextype)n; i++)
            for (sunindextype j = 0; j < (sunindextype)n; j++)
                if (j - i <= mu && i - j <= ml)
                    out[i * (sunindextype)n + j] = SM_ELEMENT_B(A, i, j);
        break;
    }
    case SUNMATRIX_SPARSE: {
        sunindextype *ptr = SUNSparseMatrix_IndexPointers(A), *idx = SUNSparseMatrix_IndexValues(A);
        double *v = SUNSparseMatrix_Data(A);
        int csr = SUNSparseMatrix_SparseType(A) == CSR_MAT;
        for (size_t k = 0; k < n; k++)
            for (sunindextype e = ptr[k]; e < ptr[k + 1]; e++) {
                size_t other = (size_t)idx[e];
                out[csr ? k * n + other : other * n + k] += v[e];
            }
        break;
    }
    default:
        ck_abort_msg("unexpected matrix kind");
    }
}

static void assert_matrix(SUNMatrix A, const double *want, size_t n, const char *what)
{
    double *got = malloc(n * n * sizeof *got);
    to_dense(got, A, n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            tl_assert_close(got[i * n + j], want[i * n + j], TOL, "%s J[%zu][%zu]", what, i, j);
    free(got);
}

static void fill_point(double *y, size_t n, double lo, double hi, uint64_t seed)
{
    tl_rng r;
    tl_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        y[i] = tl_uniform(&r, lo, hi);
}

/* The four kinds of matrix, in the order the loop tests index them. */
enum { DENSE, BAND, CSC, CSR, KINDS };
static const char *kind_names[KINDS] = {"dense", "band", "sparse CSC", "sparse CSR"};

static SUNMatrix make_matrix(int kind, dj_sundials *a, size_t n)
{
    sunindextype mu, ml;
    switch (kind) {
    case DENSE:
        return SUNDenseMatrix((sunindextype)n, (sunindextype)n, sunctx);
    case BAND:
        ck_assert_int_eq(dj_sundials_bandwidths(a, &mu, &ml), DJ_OK);
        return SUNBandMatrix((sunindextype)n, mu, ml, sunctx);
    default:
        return SUNSparseMatrix((sunindextype)n, (sunindextype)n,
                               (sunindextype)dj_sundials_nnz(a), kind == CSC ? CSC_MAT : CSR_MAT,
                               sunctx);
    }
}

/* ---- the matrices equal the analytic Jacobians ------------------------------------- */

START_TEST(test_rhs_jac_matches_analytic)
{
    struct problem p = {0.3};
    dj_fn f = DJ_FN_INIT(band_rhs, N, N, &p);
    dj_sundials a;
    ck_assert_int_eq(dj_sundials_init(&a, &f, &p.t), DJ_OK);
    N_Vector y = N_VNew_Serial(N, sunctx), fy = N_VNew_Serial(N, sunctx);
    double *yv = N_VGetArrayPointer(y), want[N * N];
    fill_point(yv, N, -1, 1, 17);
    ck_assert_int_eq(dj_sundials_analyze(&a, yv, NULL, NULL), DJ_OK);
    sunindextype mu, ml;
    ck_assert_int_eq(dj_sundials_bandwidths(&a, &mu, &ml), DJ_OK);
    ck_assert_int_eq(mu, 2);
    ck_assert_int_eq(ml, 1);
    ck_assert_uint_eq(dj_sundials_nnz(&a), 3 * N - 2 + N - 2 - 2); /* diag, sub, super, super-2 */
    SUNMatrix J = make_matrix(_i, &a, N);
    for (int c = 0; c < 3; c++) {
        double t = 0.3 + 1.1 * c;
        fill_point(yv, N, -1, 1, 100 + (uint64_t)c);
        ck_assert_int_eq(dj_sundials_rhs_jac(t, y, fy, J, &a, NULL, NULL, NULL), 0);
        band_rhs_jac(want, yv, N, t);
        assert_matrix(J, want, N, kind_names[_i]);
    }
    ck_assert_int_eq(a.njev, 3);
    SUNMatDestroy(J);
    N_VDestroy(y), N_VDestroy(fy);
    dj_sundials_clear(&a);
    dj_sundials_clear(&a); /* a second clear is safe */
}
END_TEST

START_TEST(test_res_jac_matches_analytic)
{
    struct problem p = {0.0};
    dj_fn F = DJ_FN_INIT(band_dae, 2 * N, N, &p);
    dj_sundials a;
    ck_assert_int_eq(dj_sundials_init_dae(&a, &F, &p.t), DJ_OK);
    N_Vector y = N_VNew_Serial(N, sunctx), yp = N_VNew_Serial(N, sunctx),
             r = N_VNew_Serial(N, sunctx);
    double *yv = N_VGetArrayPointer(y), *ypv = N_VGetArrayPointer(yp), want[N * N];
    fill_point(yv, N, -1, 1, 21);
    fill_point(ypv, N, -2, 2, 22);
    ck_assert_int_eq(dj_sundials_analyze(&a, yv, ypv, NULL), DJ_OK);
    /* the union of dF/dy (band_rhs's pattern) and dF/dy' (diagonal and
     * superdiagonal): dF/dy' adds (0, 1), where f has no y_{-1} y_1 term */
    ck_assert_uint_eq(dj_sundials_nnz(&a), 3 * N - 2 + N - 2 - 2 + 1);
    SUNMatrix J = make_matrix(_i, &a, N);
    for (int c = 0; c < 3; c++) {
        double t = -0.5 + c, cj = c == 0 ? 1.0 : 1e3 * c;
        fill_point(yv, N, -1, 1, 200 + (uint64_t)c);
        fill_point(ypv, N, -3, 3, 300 + (uint64_t)c);
        ck_assert_int_eq(dj_sundials_res_jac(t, cj, y, yp, r, J, &a, NULL, NULL, NULL), 0);
        band_dae_jac(want, yv, ypv, N, t, cj);
        assert_matrix(J, want, N, kind_names[_i]);
    }
    SUNMatDestroy(J);
    N_VDestroy(y), N_VDestroy(yp), N_VDestroy(r);
    dj_sundials_clear(&a);
}
END_TEST

/* A system's Jacobian (KINSOL), analysed at the first call: the sparse
 * matrix made too small is grown to the detected nonzeros. */
START_TEST(test_sys_jac_analyses_at_first_call)
{
    dj_fn f = DJ_FN_INIT(broyden, N, N, NULL);
    dj_sundials a;
    ck_assert_int_eq(dj_sundials_init(&a, &f, NULL), DJ_OK);
    ck_assert_uint_eq(dj_sundials_nnz(&a), 0);
    N_Vector u = N_VNew_Serial(N, sunctx), fu = N_VNew_Serial(N, sunctx);
    double *uv = N_VGetArrayPointer(u), want[N * N];
    fill_point(uv, N, -1, 1, 31);
    SUNMatrix J = SUNSparseMatrix(N, N, 1, CSC_MAT, sunctx);
    ck_assert_int_eq(dj_sundials_sys_jac(u, fu, J, &a, NULL, NULL), 0);
    ck_assert_int_eq(SUNSparseMatrix_NNZ(J), 3 * N - 2);
    memset(want, 0, sizeof want);
    for (size_t i = 0; i < N; i++) {
        want[i * N + i] = 3 - 4 * uv[i];
        if (i > 0)
            want[i * N + i - 1] = -1;
        if (i + 1 < N)
            want[i * N + i + 1] = -2;
    }
    assert_matrix(J, want, N, "grown CSC");
    ck_assert_int_eq(a.report.colors, 3);
    SUNMatDestroy(J);
    N_VDestroy(u), N_VDestroy(fu);
    dj_sundials_clear(&a);
}
END_TEST

/* ---- values, t, errors ------------------------------------------------------------- */

START_TEST(test_rhs_res_sys_values_and_time)
{
    struct problem p = {0};
    dj_fn f = DJ_FN_INIT(band_rhs, N, N, &p), F = DJ_FN_INIT(band_dae, 2 * N, N, &p);
    dj_sundials ode, dae;
    ck_assert_int_eq(dj_sundials_init(&ode, &f, &p.t), DJ_OK);
    ck_assert_int_eq(dj_sundials_init_dae(&dae, &F, &p.t), DJ_OK);
    N_Vector y = N_VNew_Serial(N, sunctx), yp = N_VNew_Serial(N, sunctx),
             out = N_VNew_Serial(N, sunctx);
    double *yv = N_VGetArrayPointer(y), *ypv = N_VGetArrayPointer(yp), *o = N_VGetArrayPointer(out);
    fill_point(yv, N, -1, 1, 41);
    fill_point(ypv, N, -1, 1, 42);
    ck_assert_int_eq(dj_sundials_rhs(2.0, y, out, &ode), 0);
    ck_assert(p.t == 2.0);
    for (size_t i = 0; i < N; i++) {
        double want = -(double)(i + 1) * yv[i] * yv[i] + sin(2.0) * yv[i] +
                      (i > 0 && i + 1 < N ? yv[i - 1] * yv[i + 1] : 0) +
                      (i + 2 < N ? cos(yv[i + 2]) : 0);
        tl_assert_close(o[i], want, 1e-15, "f_%zu(t = 2)", i);
    }
    ck_assert_int_eq(dj_sundials_res(-1.0, y, yp, out, &dae), 0);
    ck_assert(p.t == -1.0);
    ck_assert_int_eq(ode.nfev, 1);
    ck_assert_int_eq(dae.nfev, 1);
    /* KINSOL's form calls the same f without touching t */
    ck_assert_int_eq(dj_sundials_sys(y, out, &ode), 0);
    ck_assert(p.t == -1.0);
    N_VDestroy(y), N_VDestroy(yp), N_VDestroy(out);
    dj_sundials_clear(&ode);
    dj_sundials_clear(&dae);
}
END_TEST

START_TEST(test_errors_follow_sundials)
{
    struct problem p = {0};
    dj_fn f = DJ_FN_INIT(band_rhs, N, N, &p), g = DJ_FN_INIT(sqrt_rhs, N, N, NULL);
    dj_fn F = DJ_FN_INIT(band_dae, 2 * N, N, &p), bad = DJ_FN_INIT(band_rhs, N, N - 1, &p);
    dj_sundials a, s;
    ck_assert_int_eq(dj_sundials_init(&a, &bad, NULL), DJ_EDIM);
    ck_assert_int_eq(dj_sundials_init_dae(&a, &f, NULL), DJ_EDIM);
    ck_assert_int_eq(dj_sundials_init(NULL, &f, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_sundials_init(&a, &f, &p.t), DJ_OK);
    ck_assert_int_eq(dj_sundials_init(&s, &g, NULL), DJ_OK);
    N_Vector y = N_VNew_Serial(N, sunctx), out = N_VNew_Serial(N, sunctx),
             shorter = N_VNew_Serial(N - 1, sunctx);
    N_VConst(0.5, y);
    /* a vector of another length: unrecoverable */
    ck_assert_int_eq(dj_sundials_rhs(0, shorter, out, &a), -1);
    ck_assert_int_eq(a.status, DJ_EINVAL);
    /* the DAE's callbacks refuse an ODE adapter, and the reverse */
    ck_assert_int_eq(dj_sundials_res(0, y, y, out, &a), -1);
    dj_sundials d;
    ck_assert_int_eq(dj_sundials_init_dae(&d, &F, &p.t), DJ_OK);
    ck_assert_int_eq(dj_sundials_rhs(0, y, out, &d), -1);
    dj_sundials_clear(&d);
    /* NaN in f or J: recoverable, so the solver retries with a smaller step */
    N_VConst(-1.0, y);
    ck_assert_int_eq(dj_sundials_rhs(0, y, out, &s), 1);
    ck_assert_int_eq(s.status, DJ_ENONFINITE);
    SUNMatrix D = SUNDenseMatrix(N, N, sunctx);
    ck_assert_int_eq(dj_sundials_rhs_jac(0, y, out, D, &s, NULL, NULL, NULL), 1);
    /* a band too narrow for the pattern: unrecoverable, DJ_EDIM */
    N_VConst(0.5, y);
    SUNMatrix B = SUNBandMatrix(N, 1, 1, sunctx);
    ck_assert_int_eq(dj_sundials_rhs_jac(0, y, out, B, &a, NULL, NULL, NULL), -1);
    ck_assert_int_eq(a.status, DJ_EDIM);
    ck_assert_str_eq(dj_strerror(a.status), dj_strerror(DJ_EDIM));
    /* a matrix of another size */
    SUNMatrix small = SUNDenseMatrix(N - 1, N - 1, sunctx);
    ck_assert_int_eq(dj_sundials_rhs_jac(0, y, out, small, &a, NULL, NULL, NULL), -1);
    ck_assert_int_eq(dj_sundials_bandwidths(NULL, NULL, NULL), DJ_EINVAL);
    SUNMatDestroy(D), SUNMatDestroy(B), SUNMatDestroy(small);
    N_VDestroy(y), N_VDestroy(out), N_VDestroy(shorter);
    dj_sundials_clear(&a);
    dj_sundials_clear(&s);
}
END_TEST

/* After the first call, the callbacks allocate nothing (the sparse analysis
 * is kept, the drivers' buffers are in the adapter's workspace). */
START_TEST(test_no_allocation_after_first_call)
{
    if (tl_allocations() < 0)
        return; /* not countable in this build */
    struct problem p = {0};
    dj_fn f = DJ_FN_INIT(band_rhs, N, N, &p), F = DJ_FN_INIT(band_dae, 2 * N, N, &p);
    dj_sundials ode, dae;
    ck_assert_int_eq(dj_sundials_init(&ode, &f, &p.t), DJ_OK);
    ck_assert_int_eq(dj_sundials_init_dae(&dae, &F, &p.t), DJ_OK);
    ode.opts.threads = dae.opts.threads = 1;
    N_Vector y = N_VNew_Serial(N, sunctx), yp = N_VNew_Serial(N, sunctx),
             out = N_VNew_Serial(N, sunctx);
    fill_point(N_VGetArrayPointer(y), N, -1, 1, 51);
    fill_point(N_VGetArrayPointer(yp), N, -1, 1, 52);
    SUNMatrix M[KINDS];
    ck_assert_int_eq(dj_sundials_analyze(&ode, N_VGetArrayPointer(y), NULL, NULL), DJ_OK);
    for (int k = 0; k < KINDS; k++)
        M[k] = make_matrix(k, &ode, N);
    /* Check's assertions allocate (they report to the parent process): the
     * results are gathered first and asserted after the count */
    for (int round = 0; round < 3; round++) {
        int flags[KINDS][4];
        long before = tl_allocations();
        for (int k = 0; k < KINDS; k++) {
            flags[k][0] = dj_sundials_rhs(0.1, y, out, &ode);
            flags[k][1] = dj_sundials_rhs_jac(0.1, y, out, M[k], &ode, NULL, NULL, NULL);
            flags[k][2] = dj_sundials_res(0.1, y, yp, out, &dae);
            flags[k][3] = dj_sundials_res_jac(0.1, 2.0, y, yp, out, M[k], &dae, NULL, NULL, NULL);
        }
        long during = tl_allocations() - before;
        for (int k = 0; k < KINDS; k++)
            for (int c = 0; c < 4; c++)
                ck_assert_int_eq(flags[k][c], 0);
        if (round > 0)
            ck_assert_msg(during == 0, "round %d: %ld allocations", round, during);
    }
    for (int k = 0; k < KINDS; k++)
        SUNMatDestroy(M[k]);
    N_VDestroy(y), N_VDestroy(yp), N_VDestroy(out);
    dj_sundials_clear(&ode);
    dj_sundials_clear(&dae);
}
END_TEST

/* ---- the solvers themselves ------------------------------------------------------------ */

/* IDA on Robertson's DAE to t = 0.4 with the adapter's residual and dense
 * Jacobian: SUNDIALS' idaRoberts example prints y = (9.8517e-01, 3.3864e-05,
 * 1.4794e-02) there; with tight tolerances the values match those digits. */
START_TEST(test_ida_solves_robertson)
{
    dj_fn F = DJ_FN_INIT(roberts_dae, 6, 3, NULL);
    dj_sundials a;
    ck_assert_int_eq(dj_sundials_init_dae(&a, &F, NULL), DJ_OK);
    N_Vector y = N_VNew_Serial(3, sunctx), yp = N_VNew_Serial(3, sunctx),
             atol = N_VNew_Serial(3, sunctx);
    double *yv = N_VGetArrayPointer(y), *ypv = N_VGetArrayPointer(yp), *at = N_VGetArrayPointer(atol);
    yv[0] = 1, yv[1] = 0, yv[2] = 0;
    ypv[0] = -0.04, ypv[1] = 0.04, ypv[2] = 0;
    at[0] = 1e-12, at[1] = 1e-16, at[2] = 1e-10;
    void *mem = IDACreate(sunctx);
    ck_assert_ptr_nonnull(mem);
    ck_assert_int_eq(IDAInit(mem, dj_sundials_res, 0.0, y, yp), IDA_SUCCESS);
    ck_assert_int_eq(IDASVtolerances(mem, 1e-10, atol), IDA_SUCCESS);
    ck_assert_int_eq(IDASetMaxNumSteps(mem, 100000), IDA_SUCCESS);
    ck_assert_int_eq(IDASetUserData(mem, &a), IDA_SUCCESS);
    SUNMatrix J = SUNDenseMatrix(3, 3, sunctx);
    SUNLinearSolver LS = SUNLinSol_Dense(y, J, sunctx);
    ck_assert_int_eq(IDASetLinearSolver(mem, LS, J), IDA_SUCCESS);
    ck_assert_int_eq(IDASetJacFn(mem, dj_sundials_res_jac), IDA_SUCCESS);
    double t;
    ck_assert_int_eq(IDASolve(mem, 0.4, &t, y, yp, IDA_NORMAL), IDA_SUCCESS);
    tl_assert_close(yv[0], 9.8517e-01, 1e-4, "y1(0.4)");
    ck_assert_msg(fabs(yv[1] - 3.3864e-05) < 1e-9, "y2(0.4) = %g", yv[1]);
    ck_assert_msg(fabs(yv[2] - 1.4794e-02) < 1e-6, "y3(0.4) = %g", yv[2]);
    tl_assert_close(yv[0] + yv[1] + yv[2], 1.0, 1e-14, "conservation");
    long nje;
    ck_assert_int_eq(IDAGetNumJacEvals(mem, &nje), IDA_SUCCESS);
    ck_assert_int_eq(nje, a.njev);
    ck_assert_int_gt(nje, 0);
    IDAFree(&mem);
    SUNLinSolFree(LS);
    SUNMatDestroy(J);
    N_VDestroy(y), N_VDestroy(yp), N_VDestroy(atol);
    dj_sundials_clear(&a);
}
END_TEST

/* ARKODE's implicit Runge-Kutta on a stiff non-autonomous ODE, f and its
 * Jacobian from the adapter: t reaches the body through the context. */
START_TEST(test_arkode_solves_with_time)
{
    enum { R = 4 };
    struct problem p = {0};
    dj_fn f = DJ_FN_INIT(relax, R, R, &p);
    dj_sundials a;
    ck_assert_int_eq(dj_sundials_init(&a, &f, &p.t), DJ_OK);
    N_Vector y = N_VNew_Serial(R, sunctx);
    N_VConst(1.0, y);
    void *mem = ARKStepCreate(NULL, dj_sundials_rhs, 0.0, y, sunctx);
    ck_assert_ptr_nonnull(mem);
    ck_assert_int_eq(ARKStepSetUserData(mem, &a), ARK_SUCCESS);
    ck_assert_int_eq(ARKStepSStolerances(mem, 1e-10, 1e-12), ARK_SUCCESS);
    ck_assert_int_eq(ARKStepSetMaxNumSteps(mem, 100000), ARK_SUCCESS);
    SUNMatrix J = SUNDenseMatrix(R, R, sunctx);
    SUNLinearSolver LS = SUNLinSol_Dense(y, J, sunctx);
    ck_assert_int_eq(ARKStepSetLinearSolver(mem, LS, J), ARK_SUCCESS);
    ck_assert_int_eq(ARKStepSetJacFn(mem, dj_sundials_rhs_jac), ARK_SUCCESS);
    double t;
    ck_assert_int_eq(ARKStepEvolve(mem, 2.0, y, &t, ARK_NORMAL), ARK_SUCCESS);
    for (int i = 0; i < R; i++)
        tl_assert_close(N_VGetArrayPointer(y)[i], cos(2.0), 1e-7, "y_%d(2)", i);
    long nje;
    ck_assert_int_eq(ARKStepGetNumJacEvals(mem, &nje), ARK_SUCCESS);
    ck_assert_int_eq(nje, a.njev);
    ARKStepFree(&mem);
    SUNLinSolFree(LS);
    SUNMatDestroy(J);
    N_VDestroy(y);
    dj_sundials_clear(&a);
}
END_TEST

/* KINSOL's Newton on Broyden's tridiagonal system with the adapter's band
 * Jacobian: the root the README's Newton example finds. */
START_TEST(test_kinsol_solves_broyden)
{
    enum { M = 100 };
    dj_fn f = DJ_FN_INIT(broyden, M, M, NULL);
    dj_sundials a;
    ck_assert_int_eq(dj_sundials_init(&a, &f, NULL), DJ_OK);
    N_Vector u = N_VNew_Serial(M, sunctx), scale = N_VNew_Serial(M, sunctx);
    N_VConst(-1.0, u);
    N_VConst(1.0, scale);
    ck_assert_int_eq(dj_sundials_analyze(&a, N_VGetArrayPointer(u), NULL, NULL), DJ_OK);
    sunindextype mu, ml;
    ck_assert_int_eq(dj_sundials_bandwidths(&a, &mu, &ml), DJ_OK);
    void *mem = KINCreate(sunctx);
    ck_assert_int_eq(KINInit(mem, dj_sundials_sys, u), KIN_SUCCESS);
    ck_assert_int_eq(KINSetUserData(mem, &a), KIN_SUCCESS);
    ck_assert_int_eq(KINSetFuncNormTol(mem, 1e-13), KIN_SUCCESS);
    ck_assert_int_eq(KINSetMaxSetupCalls(mem, 1), KIN_SUCCESS);
    SUNMatrix J = SUNBandMatrix(M, mu, ml, sunctx);
    SUNLinearSolver LS = SUNLinSol_Band(u, J, sunctx);
    ck_assert_int_eq(KINSetLinearSolver(mem, LS, J), KIN_SUCCESS);
    ck_assert_int_eq(KINSetJacFn(mem, dj_sundials_sys_jac), KIN_SUCCESS);
    int flag = KINSol(mem, u, KIN_NONE, scale, scale);
    ck_assert_msg(flag >= 0, "KINSol returned %d", flag);
    double *uv = N_VGetArrayPointer(u);
    tl_assert_close(uv[0], -0.570761192974751, 1e-12, "u_1");
    long nni;
    ck_assert_int_eq(KINGetNumNonlinSolvIters(mem, &nni), KIN_SUCCESS);
    ck_assert_int_le(nni, 8); /* Newton with the exact Jacobian: quadratic */
    KINFree(&mem);
    SUNLinSolFree(LS);
    SUNMatDestroy(J);
    N_VDestroy(u), N_VDestroy(scale);
    dj_sundials_clear(&a);
}
END_TEST

static Suite *sundials_suite(void)
{
    Suite *s = suite_create("sundials");
    TCase *tc = tcase_create("matrices");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_rhs_jac_matches_analytic, 0, KINDS);
    tcase_add_loop_test(tc, test_res_jac_matches_analytic, 0, KINDS);
    tcase_add_test(tc, test_sys_jac_analyses_at_first_call);
    suite_add_tcase(s, tc);

    tc = tcase_create("callbacks");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_rhs_res_sys_values_and_time);
    tcase_add_test(tc, test_errors_follow_sundials);
    tcase_add_test(tc, test_no_allocation_after_first_call);
    suite_add_tcase(s, tc);

    tc = tcase_create("solvers");
    tcase_set_timeout(tc, 120); /* real solvers: slow under sanitizers and valgrind */
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_ida_solves_robertson);
    tcase_add_test(tc, test_arkode_solves_with_time);
    tcase_add_test(tc, test_kinsol_solves_broyden);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sundials_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
