/*
 * bratu.c: the 2-D Bratu problem (bratu.dj.h, PETSc's SNES tutorial ex5) by
 * PETSc's Newton solver (SNES) on a distributed grid (DMDA), the Jacobian
 * from dualjac through the PETSc adapter (dualjac/petsc.h): each process
 * differentiates the residuals of its own points, in its ghosted local
 * values, with a colored sparse Jacobian, and fills its rows of the
 * distributed AIJ matrix, preallocated from the detected pattern. For
 * comparison, the same solve with ex5's hand-written Jacobian and with
 * PETSc's finite differences by coloring. Run it on any number of processes
 * (mpiexec -n 4 ./bratu): tests/solvers.sh runs 1, 2 and 4 and checks that
 * the solutions agree to rounding and the Newton iterations are the same.
 *
 * Options: -da_grid_x, -da_grid_y (default 64 x 64), -lambda (6),
 * -quick (32 x 32, one repetition), -solution FILE (writes u in natural
 * order, one value a line), and PETSc's own (-snes_monitor, ...). Exits 1
 * when the dualjac solve does not converge, when its Jacobian differs from
 * the hand-written one at the start by more than rounding, or when it takes
 * other Newton iterations than the hand-written one.
 */
#include <math.h>
#include <stdio.h>

#include <petscdmda.h>
#include <petscsnes.h>
#include <petsctime.h>

#include <dualjac.h>
#include <dualjac/petsc.h>

struct bratu {
    dj_petsc_box box;
    double lambda;
};

#define DJ_TEMPLATE "bratu.dj.h"
#include <dualjac/instantiate.h>

/* ex5's initial guess: lambda/(lambda + 1) sqrt(distance to the boundary). */
static PetscErrorCode initial_guess(DM da, double lambda, Vec X)
{
    PetscInt xs, ys, xm, ym, M, N;
    PetscScalar **u;
    PetscFunctionBeginUser;
    PetscCall(DMDAGetInfo(da, NULL, &M, &N, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                          NULL, NULL));
    PetscCall(DMDAGetCorners(da, &xs, &ys, NULL, &xm, &ym, NULL));
    double hx = 1.0 / (double)(M - 1), hy = 1.0 / (double)(N - 1), t = lambda / (lambda + 1);
    PetscCall(DMDAVecGetArray(da, X, &u));
    for (PetscInt j = ys; j < ys + ym; j++)
        for (PetscInt i = xs; i < xs + xm; i++) {
            if (i == 0 || j == 0 || i == M - 1 || j == N - 1) {
                u[j][i] = 0;
                continue;
            }
            double di = (double)PetscMin(i, M - i - 1) * hx, dj = (double)PetscMin(j, N - j - 1) * hy;
            u[j][i] = t * sqrt(PetscMin(di, dj));
        }
    PetscCall(DMDAVecRestoreArray(da, X, &u));
    PetscFunctionReturn(0);
}

/* ex5's Jacobian, written by hand (SNESJacobianFn; P from DMCreateMatrix). */
typedef struct hand {
    DM da;
    Vec local;
    double lambda;
    long njev;
} hand;

static PetscErrorCode hand_jacobian(SNES snes, Vec X, Mat J, Mat P, void *ctx)
{
    hand *h = ctx;
    PetscInt xs, ys, xm, ym, M, N;
    const PetscScalar **u;
    (void)snes;
    PetscFunctionBeginUser;
    PetscCall(DMGlobalToLocalBegin(h->da, X, INSERT_VALUES, h->local));
    PetscCall(DMGlobalToLocalEnd(h->da, X, INSERT_VALUES, h->local));
    PetscCall(DMDAGetInfo(h->da, NULL, &M, &N, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                          NULL, NULL));
    PetscCall(DMDAGetCorners(h->da, &xs, &ys, NULL, &xm, &ym, NULL));
    double hx = 1.0 / (double)(M - 1), hy = 1.0 / (double)(N - 1);
    double hxdhy = hx / hy, hydhx = hy / hx, sc = hx * hy * h->lambda;
    PetscCall(DMDAVecGetArrayRead(h->da, h->local, &u));
    for (PetscInt j = ys; j < ys + ym; j++)
        for (PetscInt i = xs; i < xs + xm; i++) {
            MatStencil row = {.i = i, .j = j}, col[5];
            PetscScalar v[5];
            if (i == 0 || j == 0 || i == M - 1 || j == N - 1) {
                v[0] = 2 * (hydhx + hxdhy);
                PetscCall(MatSetValuesStencil(P, 1, &row, 1, &row, v, INSERT_VALUES));
                continue;
            }
            v[0] = -hxdhy, col[0] = (MatStencil){.i = i, .j = j - 1};
            v[1] = -hydhx, col[1] = (MatStencil){.i = i - 1, .j = j};
            v[2] = 2 * (hydhx + hxdhy) - sc * exp(u[j][i]), col[2] = row;
            v[3] = -hydhx, col[3] = (MatStencil){.i = i + 1, .j = j};
            v[4] = -hxdhy, col[4] = (MatStencil){.i = i, .j = j + 1};
            PetscCall(MatSetValuesStencil(P, 1, &row, 5, col, v, INSERT_VALUES));
        }
    PetscCall(DMDAVecRestoreArrayRead(h->da, h->local, &u));
    PetscCall(MatAssemblyBegin(P, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(P, MAT_FINAL_ASSEMBLY));
    if (J != P) {
        PetscCall(MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY));
        PetscCall(MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY));
    }
    h->njev++;
    PetscFunctionReturn(0);
}

/* PETSc's finite differences by coloring, counted (each colored difference
 * is one residual, counted by the adapter's function). */
static PetscErrorCode fd_jacobian(SNES snes, Vec X, Mat J, Mat P, void *ctx)
{
    hand *h = ctx;
    PetscFunctionBeginUser;
    PetscCall(SNESComputeJacobianDefaultColor(snes, X, J, P, NULL));
    h->njev++;
    PetscFunctionReturn(0);
}

enum { DUALJAC, HAND, FD_COLOR, RUNS };
static const char *run_names[RUNS] = {"dualjac", "hand-written (ex5)", "PETSc FD coloring"};

typedef struct result {
    SNESConvergedReason reason;
    PetscInt newton, linear;
    long residuals, jacobians;
    double fnorm, seconds, jacobian_seconds;
} result;

/* The largest of the processes' times. */
static PetscErrorCode slowest(double *t)
{
    PetscFunctionBeginUser;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, t, 1, MPI_DOUBLE, MPI_MAX, PETSC_COMM_WORLD));
    PetscFunctionReturn(0);
}

/* A SNES with the residual from the adapter and the Jacobian of run, into
 * *J (which the caller destroys). */
static PetscErrorCode make_snes(DM da, dj_petsc *a, hand *h, int run, Vec x, Vec r, Mat *J,
                                SNES *snes)
{
    KSP ksp;
    PetscFunctionBeginUser;
    PetscCall(SNESCreate(PETSC_COMM_WORLD, snes));
    PetscCall(SNESSetDM(*snes, da));
    PetscCall(SNESSetFunction(*snes, r, dj_petsc_function, a));
    if (run == DUALJAC) {
        PetscCall(dj_petsc_create_matrix(a, x, J));
        PetscCall(SNESSetJacobian(*snes, *J, *J, dj_petsc_jacobian, a));
    } else {
        PetscCall(DMCreateMatrix(da, J));
        PetscCall(SNESSetJacobian(*snes, *J, *J, run == HAND ? hand_jacobian : fd_jacobian, h));
    }
    /* tight tolerances: the converged solutions of any process count agree
     * to rounding, not only to the solver's tolerance */
    PetscCall(SNESSetTolerances(*snes, 1e-13, 1e-12, 0.0, 50, 10000));
    PetscCall(SNESGetKSP(*snes, &ksp));
    PetscCall(KSPSetTolerances(ksp, 1e-12, 1e-50, PETSC_DEFAULT, 10000));
    PetscCall(SNESSetFromOptions(*snes));
    PetscFunctionReturn(0);
}

/* One solve from the initial guess with the Jacobian of run; x the solution. */
static PetscErrorCode solve(DM da, dj_petsc *a, hand *h, int run, Vec x, result *res)
{
    SNES snes;
    Mat J;
    Vec r;
    PetscLogDouble t0, t1;
    PetscFunctionBeginUser;
    PetscCall(initial_guess(da, h->lambda, x));
    PetscCall(DMCreateGlobalVector(da, &r));
    PetscCall(make_snes(da, a, h, run, x, r, &J, &snes));
    long nfev = a->nfev, njev = a->njev, hjev = h->njev;
    /* PETSc's own log (what -log_view prints): time in Jacobians */
    PetscLogEvent jac_event;
    PetscEventPerfInfo before, after;
    PetscCall(PetscLogEventGetId("SNESJacobianEval", &jac_event));
    PetscCall(PetscLogEventGetPerfInfo(0, jac_event, &before));
    PetscCall(PetscBarrier((PetscObject)snes));
    PetscCall(PetscTime(&t0));
    PetscCall(SNESSolve(snes, NULL, x));
    PetscCall(PetscTime(&t1));
    PetscCall(PetscLogEventGetPerfInfo(0, jac_event, &after));
    res->seconds = t1 - t0;
    PetscCall(slowest(&res->seconds));
    res->jacobian_seconds =
        after.count > before.count ? (after.time - before.time) / (after.count - before.count) : 0;
    PetscCall(slowest(&res->jacobian_seconds));
    PetscCall(SNESGetConvergedReason(snes, &res->reason));
    PetscCall(SNESGetIterationNumber(snes, &res->newton));
    PetscCall(SNESGetLinearSolveIterations(snes, &res->linear));
    PetscCall(SNESGetFunctionNorm(snes, &res->fnorm));
    res->residuals = a->nfev - nfev;
    res->jacobians = run == DUALJAC ? a->njev - njev : h->njev - hjev;
    PetscCall(MatDestroy(&J));
    PetscCall(VecDestroy(&r));
    PetscCall(SNESDestroy(&snes));
    PetscFunctionReturn(0);
}

/* Writes x in natural order, one value a line (rank 0 writes). */
static PetscErrorCode write_solution(DM da, Vec x, const char *path)
{
    Vec natural, all;
    VecScatter to_zero;
    PetscMPIInt rank;
    PetscFunctionBeginUser;
    PetscCall(DMDACreateNaturalVector(da, &natural));
    PetscCall(DMDAGlobalToNaturalBegin(da, x, INSERT_VALUES, natural));
    PetscCall(DMDAGlobalToNaturalEnd(da, x, INSERT_VALUES, natural));
    PetscCall(VecScatterCreateToZero(natural, &to_zero, &all));
    PetscCall(VecScatterBegin(to_zero, natural, all, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(to_zero, natural, all, INSERT_VALUES, SCATTER_FORWARD));
    PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
    if (rank == 0) {
        const PetscScalar *v;
        PetscInt n;
        FILE *out = fopen(path, "w");
        PetscCheck(out, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
        PetscCall(VecGetLocalSize(all, &n));
        PetscCall(VecGetArrayRead(all, &v));
        for (PetscInt k = 0; k < n; k++)
            fprintf(out, "%.17g\n", v[k]);
        PetscCall(VecRestoreArrayRead(all, &v));
        fclose(out);
    }
    PetscCall(VecScatterDestroy(&to_zero));
    PetscCall(VecDestroy(&all));
    PetscCall(VecDestroy(&natural));
    PetscFunctionReturn(0);
}

/* ||J_dualjac - J_hand||_F / ||J_hand||_F at x, and both matrices' nonzeros. */
static PetscErrorCode compare_jacobians(DM da, dj_petsc *a, hand *h, Vec x, double *rel,
                                        double *nz_dj, double *nz_hand)
{
    Mat Jd, Jh;
    MatInfo info;
    PetscReal diff, norm;
    PetscFunctionBeginUser;
    PetscCall(dj_petsc_create_matrix(a, x, &Jd));
    PetscCall(dj_petsc_jacobian(NULL, x, Jd, Jd, a));
    PetscCall(DMCreateMatrix(da, &Jh));
    PetscCall(hand_jacobian(NULL, x, Jh, Jh, h));
    PetscCall(MatGetInfo(Jd, MAT_GLOBAL_SUM, &info));
    *nz_dj = info.nz_used;
    PetscCall(MatGetInfo(Jh, MAT_GLOBAL_SUM, &info));
    *nz_hand = info.nz_used;
    PetscCall(MatNorm(Jh, NORM_FROBENIUS, &norm));
    PetscCall(MatAXPY(Jh, -1.0, Jd, DIFFERENT_NONZERO_PATTERN));
    PetscCall(MatNorm(Jh, NORM_FROBENIUS, &diff));
    *rel = diff / norm;
    PetscCall(MatDestroy(&Jd));
    PetscCall(MatDestroy(&Jh));
    PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
    DM da;
    Vec x;
    PetscMPIInt size;
    PetscBool quick = PETSC_FALSE, have_path;
    char path[PETSC_MAX_PATH_LEN];
    struct bratu p = {.lambda = 6.0};
    PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
    PetscCall(PetscLogDefaultBegin()); /* for the time spent in Jacobians */
    PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
    PetscCall(PetscOptionsGetReal(NULL, NULL, "-lambda", &p.lambda, NULL));
    PetscCall(PetscOptionsGetBool(NULL, NULL, "-quick", &quick, NULL));
    PetscCall(PetscOptionsGetString(NULL, NULL, "-solution", path, sizeof path, &have_path));
    PetscInt grid = quick ? 32 : 64;
    PetscCall(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE,
                           DMDA_STENCIL_STAR, grid, grid, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL,
                           NULL, &da));
    PetscCall(DMSetFromOptions(da));
    PetscCall(DMSetUp(da));
    PetscCall(DMCreateGlobalVector(da, &x));

    /* this process's function: its box in the context */
    PetscCall(dj_petsc_box_get(da, &p.box));
    dj_fn f = DJ_FN_INIT(bratu, p.box.n, p.box.m, &p);
    dj_petsc a;
    PetscCall(dj_petsc_init(&a, da, &f));
    hand h = {da, NULL, p.lambda, 0};
    PetscCall(DMCreateLocalVector(da, &h.local));

    double rel = 1, nz_dj = 0, nz_hand = -1;
    PetscCall(initial_guess(da, p.lambda, x));
    PetscCall(compare_jacobians(da, &a, &h, x, &rel, &nz_dj, &nz_hand));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                          "Bratu (SNES ex5), lambda = %.2f, %" PetscInt_FMT " x %" PetscInt_FMT
                          " grid, %d process%s\n",
                          p.lambda, p.box.M, p.box.N, size, size > 1 ? "es" : ""));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                          "  dualjac: rank 0's rows: %zu x %zu local values, %zu nonzeros, "
                          "%zu colors (at least %zu)\n",
                          a.box.m, a.box.n, a.sparse.pattern.nnz, a.sparse.columns.count,
                          a.sparse.columns.lower_bound));
    /* the stencil's entries: 5 a row inside, the diagonal on the boundary */
    double nz_exact = 5.0 * (double)((p.box.M - 2) * (p.box.N - 2)) +
                      (double)(2 * p.box.M + 2 * p.box.N - 4);
    PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                          "  at the initial guess: ||J_dualjac - J_hand|| / ||J_hand|| = %.1e; "
                          "%.0f nonzeros, the stencil's\n  (the DMDA's matrix of the hand-written "
                          "Jacobian also stores %.0f zeros of boundary rows)\n",
                          rel, nz_dj, nz_hand - nz_exact));

    result res[RUNS];
    int reps = quick ? 1 : 3;
    for (int r = 0; r < RUNS; r++) {
        double best = INFINITY, best_j = INFINITY;
        for (int rep = 0; rep < reps; rep++) { /* the fastest of three: a shared machine */
            PetscCall(solve(da, &a, &h, r, x, &res[r]));
            best = PetscMin(best, res[r].seconds);
            best_j = PetscMin(best_j, res[r].jacobian_seconds);
            if (r == DUALJAC && rep == 0 && have_path)
                PetscCall(write_solution(da, x, path));
        }
        res[r].seconds = best;
        res[r].jacobian_seconds = best_j;
    }
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n  Jacobian               Newton  linear  residuals  "
                                            "Jacobians   ||F||    solve (ms)  one J (ms)\n"));
    for (int r = 0; r < RUNS; r++)
        PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                              "  %-20s %8" PetscInt_FMT " %7" PetscInt_FMT
                              " %10ld %10ld   %.1e  %9.2f  %10.3f  %s\n",
                              run_names[r], res[r].newton, res[r].linear, res[r].residuals,
                              res[r].jacobians, res[r].fnorm, 1e3 * res[r].seconds,
                              1e3 * res[r].jacobian_seconds,
                              res[r].reason > 0 ? "" : SNESConvergedReasons[res[r].reason]));
    PetscReal umax, unorm;
    PetscCall(solve(da, &a, &h, DUALJAC, x, &res[DUALJAC]));
    PetscCall(VecMax(x, NULL, &umax));
    PetscCall(VecNorm(x, NORM_2, &unorm));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD,
                          "\n  dualjac: Newton iterations %" PetscInt_FMT
                          ", max u = %.15g, ||u||_2 = %.15g\n",
                          res[DUALJAC].newton, umax, unorm));
    int ok = res[DUALJAC].reason > 0 && rel <= 1e-14 && nz_dj == nz_exact &&
             res[DUALJAC].newton == res[HAND].newton;
    if (!ok)
        PetscCall(PetscPrintf(PETSC_COMM_WORLD, "bratu: the dualjac solve fails its checks\n"));
    PetscCall(VecDestroy(&h.local));
    PetscCall(dj_petsc_clear(&a));
    PetscCall(VecDestroy(&x));
    PetscCall(DMDestroy(&da));
    PetscCall(PetscFinalize());
    return ok ? 0 : 1;
}
