/*
 * newton.c: Newton's method on Broyden's tridiagonal system (broyden.dj.h),
 * n = 1000, from x = (-1, ..., -1), by KINSOL with a new Jacobian at every
 * iteration (exact Newton), the Jacobian from dualjac through the SUNDIALS
 * adapter (dualjac/sundials.h). dualjac finds the tridiagonal pattern once
 * (3 colors: one forward pass per Jacobian, never an n×n matrix) and fills
 * KINSOL's band matrix, or its sparse one for KLU. For comparison, the same
 * solve with a hand-written band Jacobian and with KINSOL's own difference
 * quotients (times: the fastest of five solves; dualjac's one-off analysis
 * apart). Newton converges quadratically: close to the root each step
 * roughly squares the residual. Exits 1 if it does not, or if a dualjac
 * solve misses the root.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include <kinsol/kinsol.h>
#include <nvector/nvector_serial.h>
#include <sunlinsol/sunlinsol_band.h>
#include <sunmatrix/sunmatrix_band.h>
#include <sunmatrix/sunmatrix_sparse.h>
#ifdef DJ_HAVE_SUNDIALS_KLU
#include <sunlinsol/sunlinsol_klu.h>
#endif

#include <dualjac.h>
#include <dualjac/sundials.h>

#define DJ_TEMPLATE "broyden.dj.h"
#include <dualjac/instantiate.h>

#if SUNDIALS_VERSION_MAJOR >= 7
#define COMM_NULL SUN_COMM_NULL
#else
#define COMM_NULL NULL
#endif

enum { N = 1000 };

/* The band Jacobian written by hand (KINLsJacFn). */
static int hand_jac(N_Vector u, N_Vector fu, SUNMatrix J, void *user_data, N_Vector t1,
                    N_Vector t2)
{
    (void)fu, (void)user_data, (void)t1, (void)t2;
    const double *x = N_VGetArrayPointer(u);
    for (sunindextype i = 0; i < N; i++) {
        SM_ELEMENT_B(J, i, i) = 3 - 4 * x[i];
        if (i > 0)
            SM_ELEMENT_B(J, i, i - 1) = -1;
        if (i + 1 < N)
            SM_ELEMENT_B(J, i, i + 1) = -2;
    }
    return 0;
}

/* The residual norms of the iterations, recorded by the system function. */
typedef struct history {
    dj_sundials *a;
    int count;
    double norm[64];
} history;

static int system_fn(N_Vector u, N_Vector fu, void *user_data)
{
    history *h = user_data;
    int flag = dj_sundials_sys(u, fu, h->a);
    if (flag == 0 && h->count < 64)
        h->norm[h->count++] = sqrt(N_VDotProd(fu, fu));
    return flag;
}

/* KINSOL calls jacobians with its user data: the history; pass on the adapter. */
static int jac_fn(N_Vector u, N_Vector fu, SUNMatrix J, void *user_data, N_Vector t1,
                  N_Vector t2)
{
    history *h = user_data;
    return dj_sundials_sys_jac(u, fu, J, h->a, t1, t2);
}

enum { DUALJAC_BAND, DUALJAC_SPARSE, HAND, KINSOL_DQ, RUNS };
static const char *run_names[RUNS] = {"dualjac, band", "dualjac, sparse (KLU)",
                                      "hand-written, band", "KINSOL difference quotients"};

typedef struct result {
    long nni, nfe, nfe_ls, nje;
    double fnorm, x1, xn, seconds, analysis;
    history h;
} result;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int solve(int run, result *res, SUNContext ctx)
{
    dj_fn f = DJ_FN_INIT(broyden, N, N, NULL);
    dj_sundials a;
    if (dj_sundials_init(&a, &f, NULL) != DJ_OK)
        return -1;
    res->h.a = &a;
    res->h.count = 0;
    N_Vector u = N_VNew_Serial(N, ctx), scale = N_VNew_Serial(N, ctx);
    N_VConst(-1.0, u);
    N_VConst(1.0, scale);
    /* the pattern once: it gives the band (or the nonzeros) for the matrix */
    double start = now();
    sunindextype mu = 1, ml = 1;
    int flag = 0;
    if (run == DUALJAC_BAND || run == DUALJAC_SPARSE)
        flag = dj_sundials_analyze(&a, N_VGetArrayPointer(u), NULL, NULL) == DJ_OK &&
                       dj_sundials_bandwidths(&a, &mu, &ml) == DJ_OK
                   ? 0
                   : -1;
    res->analysis = now() - start;
    SUNMatrix J = NULL;
    SUNLinearSolver LS = NULL;
    if (run == DUALJAC_SPARSE) {
#ifdef DJ_HAVE_SUNDIALS_KLU
        J = SUNSparseMatrix(N, N, (sunindextype)dj_sundials_nnz(&a), CSC_MAT, ctx);
        LS = SUNLinSol_KLU(u, J, ctx);
#endif
    } else {
        J = SUNBandMatrix(N, mu, ml, ctx);
        LS = SUNLinSol_Band(u, J, ctx);
    }
    void *mem = KINCreate(ctx);
    if (flag == 0)
        flag = mem && J && LS ? 0 : -1;
    if (flag == 0)
        flag = KINInit(mem, system_fn, u);
    if (flag == 0)
        flag = KINSetUserData(mem, &res->h);
    if (flag == 0)
        flag = KINSetFuncNormTol(mem, 1e-12);
    if (flag == 0)
        flag = KINSetMaxSetupCalls(mem, 1); /* a new Jacobian every iteration */
    if (flag == 0)
        flag = KINSetLinearSolver(mem, LS, J);
    if (flag == 0 && (run == DUALJAC_BAND || run == DUALJAC_SPARSE))
        flag = KINSetJacFn(mem, jac_fn);
    if (flag == 0 && run == HAND)
        flag = KINSetJacFn(mem, hand_jac);
    start = now();
    if (flag == 0)
        flag = KINSol(mem, u, KIN_NONE, scale, scale) >= 0 ? 0 : -1;
    res->seconds = now() - start;
    if (flag == 0) {
        KINGetNumNonlinSolvIters(mem, &res->nni);
        KINGetNumFuncEvals(mem, &res->nfe);
        KINGetNumLinFuncEvals(mem, &res->nfe_ls);
        KINGetNumJacEvals(mem, &res->nje);
        KINGetFuncNorm(mem, &res->fnorm);
        res->x1 = N_VGetArrayPointer(u)[0];
        res->xn = N_VGetArrayPointer(u)[N - 1];
    } else if (a.status != DJ_OK)
        fprintf(stderr, "newton: %s: dualjac: %s\n", run_names[run], dj_strerror(a.status));
    KINFree(&mem);
    SUNLinSolFree(LS);
    SUNMatDestroy(J);
    N_VDestroy(u);
    N_VDestroy(scale);
    dj_sundials_clear(&a);
    return flag;
}

int main(void)
{
    SUNContext ctx;
    if (SUNContext_Create(COMM_NULL, &ctx) != 0)
        return 1;
    result res[RUNS];
    int have[RUNS], ok = 1;
    for (int r = 0; r < RUNS; r++) {
        have[r] = 1;
#ifndef DJ_HAVE_SUNDIALS_KLU
        if (r == DUALJAC_SPARSE) {
            have[r] = 0;
            continue;
        }
#endif
        double best = INFINITY, best_analysis = INFINITY;
        for (int rep = 0; rep < 5 && have[r]; rep++) {
            if (solve(r, &res[r], ctx) != 0) {
                fprintf(stderr, "newton: %s: KINSOL failed\n", run_names[r]);
                have[r] = ok = 0;
            }
            best = fmin(best, res[r].seconds);
            best_analysis = fmin(best_analysis, res[r].analysis);
        }
        res[r].seconds = best;
        res[r].analysis = best_analysis;
    }
    SUNContext_Free(&ctx);
    if (!have[DUALJAC_BAND])
        return 1;

    const history *h = &res[DUALJAC_BAND].h;
    printf("Newton (KINSOL) on Broyden tridiagonal, n = %d, Jacobian from dualjac: "
           "3 colors, one forward pass each\n",
           N);
    printf(" iter   ||f(x)||       ratio ||f_k+1|| / ||f_k||^2\n");
    for (int k = 0; k < h->count; k++) {
        double res_k = h->norm[k], prev = k > 0 ? h->norm[k - 1] : 0;
        if (k == 0)
            printf(" %3d   %.6e\n", k, res_k);
        else if (res_k > 1e-12)
            printf(" %3d   %.6e   %.3g\n", k, res_k, res_k / (prev * prev));
        else
            printf(" %3d   %.6e   (rounding level)\n", k, res_k);
        /* quadratic: close to the root the ratio stays bounded */
        if (k > 0 && prev < 1e-2 && res_k > 1e-12 && res_k / (prev * prev) > 10) {
            fprintf(stderr, "newton: convergence is not quadratic\n");
            ok = 0;
        }
    }
    printf("converged: x_1 = %.15f, x_n = %.15f\n\n", res[DUALJAC_BAND].x1,
           res[DUALJAC_BAND].xn);
    printf("  Jacobian                      Newton  f evals  f for J  Jacobians   ||f||     "
           "solve (ms)\n");
    for (int r = 0; r < RUNS; r++) {
        if (!have[r]) {
            printf("  %-28s (not built: SUNDIALS without KLU)\n", run_names[r]);
            continue;
        }
        const result *s = &res[r];
        printf("  %-28s %6ld  %7ld  %7ld  %9ld   %.1e   %8.3f", run_names[r], s->nni, s->nfe,
               s->nfe_ls, s->nje, s->fnorm, 1e3 * s->seconds);
        if (r == DUALJAC_BAND || r == DUALJAC_SPARSE)
            printf("   + %.3f once: pattern and colors", 1e3 * s->analysis);
        printf("\n");
        if ((r == DUALJAC_BAND || r == DUALJAC_SPARSE) &&
            (fabs(s->x1 + 0.570761192974751) > 1e-12 || s->fnorm > 1e-12)) {
            fprintf(stderr, "newton: %s misses the root\n", run_names[r]);
            ok = 0;
        }
    }
    return ok ? 0 : 1;
}
