/*
 * robertson.c: Robertson's stiff kinetics (robertson.dj.h) integrated by
 * CVODE's BDF method, with the Jacobian from dualjac through the SUNDIALS
 * adapter (dualjac/sundials.h): dense (CVODE's dense LU) and sparse (KLU,
 * CSC), against the reference values of Hairer and Wanner at t = 40 and of
 * the Test Set for IVP Solvers at t = 1e11. The same run with a hand-written
 * Jacobian and with CVODE's own difference quotients gives the statistics to
 * compare: steps, right-hand sides, Jacobians, Newton iterations and time.
 * Exits 1 when a dualjac run misses the references (6 significant digits at
 * t = 40, 5 at t = 1e11) or differs from the hand-written Jacobian's run.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunmatrix/sunmatrix_sparse.h>
#ifdef DJ_HAVE_SUNDIALS_KLU
#include <sunlinsol/sunlinsol_klu.h>
#endif

#include <dualjac.h>
#include <dualjac/sundials.h>

struct rates {
    double k1, k2, k3;
};

#define DJ_TEMPLATE "robertson.dj.h"
#include <dualjac/instantiate.h>

static const struct rates K = {0.04, 3e7, 1e4};

/* SUNDIALS 7 names the null communicator; 6 takes a null pointer. */
#if SUNDIALS_VERSION_MAJOR >= 7
#define COMM_NULL SUN_COMM_NULL
#else
#define COMM_NULL NULL
#endif

/* The Jacobian written by hand, for comparison (CVLsJacFn). */
static int hand_jac(sunrealtype t, N_Vector yv, N_Vector fy, SUNMatrix J, void *user_data,
                    N_Vector t1, N_Vector t2, N_Vector t3)
{
    (void)t, (void)fy, (void)user_data, (void)t1, (void)t2, (void)t3;
    const double *y = N_VGetArrayPointer(yv);
    SM_ELEMENT_D(J, 0, 0) = -K.k1;
    SM_ELEMENT_D(J, 0, 1) = K.k3 * y[2];
    SM_ELEMENT_D(J, 0, 2) = K.k3 * y[1];
    SM_ELEMENT_D(J, 1, 0) = K.k1;
    SM_ELEMENT_D(J, 1, 1) = -K.k3 * y[2] - 2 * K.k2 * y[1];
    SM_ELEMENT_D(J, 1, 2) = -K.k3 * y[1];
    SM_ELEMENT_D(J, 2, 0) = 0;
    SM_ELEMENT_D(J, 2, 1) = 2 * K.k2 * y[1];
    SM_ELEMENT_D(J, 2, 2) = 0;
    return 0;
}

enum { DUALJAC_DENSE, DUALJAC_SPARSE, HAND, CVODE_DQ, RUNS };
static const char *run_names[RUNS] = {"dualjac, dense", "dualjac, sparse (KLU)",
                                      "hand-written", "CVODE difference quotients"};

/* Output times: Hairer and Wanner's t = 40, then decades to 4e10 and 1e11. */
enum { TIMES = 12 };
static const double times[TIMES] = {0.4, 4, 40, 4e2, 4e3, 4e4, 4e5, 4e6, 4e7, 4e8, 4e10, 1e11};
enum { AT_40 = 2, AT_END = TIMES - 1 };

typedef struct result {
    double y[TIMES][3];
    long steps, nfe, nfe_ls, nje, nni, netf;
    double seconds;
} result;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Integrates from y(0) = (1, 0, 0) through the output times. */
static int integrate(int run, result *res, SUNContext ctx)
{
    dj_fn f = DJ_FN_INIT(robertson, 3, 3, &K);
    dj_sundials a;
    if (dj_sundials_init(&a, &f, NULL) != DJ_OK)
        return -1;
    N_Vector y = N_VNew_Serial(3, ctx), atol = N_VNew_Serial(3, ctx);
    double *yv = N_VGetArrayPointer(y), *at = N_VGetArrayPointer(atol);
    yv[0] = 1, yv[1] = 0, yv[2] = 0;
    /* y2 stays below 4e-5 and falls to 1e-13: its absolute tolerance is tiny */
    at[0] = 1e-14, at[1] = 1e-20, at[2] = 1e-14;
    SUNMatrix J = NULL;
    SUNLinearSolver LS = NULL;
    if (run == DUALJAC_SPARSE) {
#ifdef DJ_HAVE_SUNDIALS_KLU
        /* the pattern, and so the nonzeros, before the matrix is made */
        if (dj_sundials_analyze(&a, yv, NULL, NULL) != DJ_OK)
            return -1;
        J = SUNSparseMatrix(3, 3, (sunindextype)dj_sundials_nnz(&a), CSC_MAT, ctx);
        LS = SUNLinSol_KLU(y, J, ctx);
#endif
    } else {
        J = SUNDenseMatrix(3, 3, ctx);
        LS = SUNLinSol_Dense(y, J, ctx);
    }
    void *mem = CVodeCreate(CV_BDF, ctx);
    int flag = mem && J && LS ? 0 : -1;
    if (flag == 0)
        flag = CVodeInit(mem, dj_sundials_rhs, 0.0, y);
    if (flag == 0)
        flag = CVodeSetUserData(mem, &a);
    if (flag == 0)
        flag = CVodeSVtolerances(mem, 1e-10, atol);
    if (flag == 0)
        flag = CVodeSetMaxNumSteps(mem, 100000);
    if (flag == 0)
        flag = CVodeSetLinearSolver(mem, LS, J);
    if (flag == 0 && (run == DUALJAC_DENSE || run == DUALJAC_SPARSE))
        flag = CVodeSetJacFn(mem, dj_sundials_rhs_jac);
    if (flag == 0 && run == HAND)
        flag = CVodeSetJacFn(mem, hand_jac);
    double start = now();
    for (int k = 0; k < TIMES && flag == 0; k++) {
        double t;
        flag = CVode(mem, times[k], y, &t, CV_NORMAL);
        memcpy(res->y[k], yv, sizeof res->y[k]);
    }
    res->seconds = now() - start;
    if (flag == 0) {
        CVodeGetNumSteps(mem, &res->steps);
        CVodeGetNumRhsEvals(mem, &res->nfe);
        CVodeGetNumLinRhsEvals(mem, &res->nfe_ls);
        CVodeGetNumJacEvals(mem, &res->nje);
        CVodeGetNumNonlinSolvIters(mem, &res->nni);
        CVodeGetNumErrTestFails(mem, &res->netf);
    } else if (a.status != DJ_OK)
        fprintf(stderr, "robertson: %s: dualjac: %s\n", run_names[run], dj_strerror(a.status));
    CVodeFree(&mem);
    SUNLinSolFree(LS);
    SUNMatDestroy(J);
    N_VDestroy(y);
    N_VDestroy(atol);
    dj_sundials_clear(&a);
    return flag;
}

static double digits(double got, double want)
{
    double rel = fabs(got - want) / fabs(want);
    return rel == 0 ? 16.0 : -log10(rel);
}

int main(void)
{
    /* Hairer & Wanner, Solving ODEs II, stiff test set: y(40) */
    static const double ref40[3] = {0.7158270687, 9.185534765e-6, 0.2841637457};
    /* Test Set for IVP Solvers (Mazzia et al.), problem ROBER: y(1e11) */
    static const double ref_end[3] = {0.2083340149701255e-7, 0.8333360770334713e-13,
                                      0.9999999791665050};
    SUNContext ctx;
    if (SUNContext_Create(COMM_NULL, &ctx) != 0)
        return 1;
    result res[RUNS];
    int have[RUNS], ok = 1;
    for (int r = 0; r < RUNS; r++) {
#ifndef DJ_HAVE_SUNDIALS_KLU
        if (r == DUALJAC_SPARSE) {
            have[r] = 0;
            continue;
        }
#endif
        /* the fastest of five runs: the machine is shared */
        double best = INFINITY;
        have[r] = 1;
        for (int rep = 0; rep < 5 && have[r]; rep++) {
            if (integrate(r, &res[r], ctx) != 0) {
                fprintf(stderr, "robertson: %s: CVODE failed\n", run_names[r]);
                have[r] = 0;
                ok = 0;
            }
            best = fmin(best, res[r].seconds);
        }
        res[r].seconds = best;
    }
    SUNContext_Free(&ctx);
    if (!have[DUALJAC_DENSE])
        return 1;

    const result *d = &res[DUALJAC_DENSE];
    printf("Robertson kinetics by CVODE BDF (rtol 1e-10), Jacobian from dualjac (dense)\n");
    printf("            t              y1                    y2                    y3\n");
    for (int k = 0; k < TIMES; k++)
        printf("  %11.4g   %.15e  %.15e  %.15e\n", times[k], d->y[k][0], d->y[k][1], d->y[k][2]);
    printf("\n  reference                   y1                y2                y3   digits\n");
    double worst40 = 16, worst_end = 16;
    for (int i = 0; i < 3; i++) {
        worst40 = fmin(worst40, digits(d->y[AT_40][i], ref40[i]));
        worst_end = fmin(worst_end, digits(d->y[AT_END][i], ref_end[i]));
    }
    printf("  t = 40 (Hairer-Wanner)    %.10e  %.10e  %.10e  %.1f\n", ref40[0], ref40[1],
           ref40[2], worst40);
    printf("  t = 1e11 (IVP test set)   %.10e  %.10e  %.10e  %.1f\n", ref_end[0], ref_end[1],
           ref_end[2], worst_end);
    printf("  y1 + y2 + y3 - 1 at t = 1e11: %.1e\n",
           d->y[AT_END][0] + d->y[AT_END][1] + d->y[AT_END][2] - 1);
    if (worst40 < 6 || worst_end < 5) {
        fprintf(stderr, "robertson: the dualjac run misses the reference values\n");
        ok = 0;
    }

    printf("\n  Jacobian                      steps   f evals  f for J  Jacobians  Newton  "
           "err fails   time (ms)\n");
    for (int r = 0; r < RUNS; r++) {
        if (!have[r]) {
            printf("  %-28s (not built: SUNDIALS without KLU)\n", run_names[r]);
            continue;
        }
        const result *s = &res[r];
        printf("  %-28s %6ld  %8ld  %7ld  %9ld  %6ld  %9ld   %9.2f\n", run_names[r], s->steps,
               s->nfe, s->nfe_ls, s->nje, s->nni, s->netf, 1e3 * s->seconds);
    }
    /* dualjac's Jacobian is the hand-written one to rounding: the same steps */
    for (int r = DUALJAC_DENSE; r <= DUALJAC_SPARSE; r++) {
        if (!have[r] || !have[HAND])
            continue;
        double diff = 0;
        for (int k = 0; k < TIMES; k++)
            for (int i = 0; i < 3; i++)
                diff = fmax(diff, fabs(res[r].y[k][i] - res[HAND].y[k][i]) /
                                      fmax(fabs(res[HAND].y[k][i]), 1e-300));
        printf("  %s vs hand-written: largest relative difference %.1e\n", run_names[r], diff);
        if (diff > 1e-6 || res[r].steps > res[HAND].steps + res[HAND].steps / 10) {
            fprintf(stderr, "robertson: %s departs from the hand-written Jacobian's run\n",
                    run_names[r]);
            ok = 0;
        }
    }
    return ok ? 0 : 1;
}
