/* check_petsc.c: the PETSc adapter (dualjac/petsc.h) on a DMDA with two
 * values a point: the box, the residual, the assembled Jacobian (each entry
 * against the analytic one, no entry more, exact preallocation), domain
 * errors reported to SNES, no allocation by the callbacks after the first
 * Jacobian beyond PETSc's own. Runs on any number of processes: make check
 * runs it alone and tests/solvers.sh under mpiexec -n 2. The test function
 * is a template held by this file. */

#ifdef DJ_INSTANTIATING

/* Two values a point (u, v) on an M×N grid; with the neighbours that exist:
 *   F_u = u^2 + v(i-1, j) u(i, j+1)          (v(i-1,j) only for i > 0; u(i,j+1) = 1 at j = N-1)
 *   F_v = sin(v) + u v(i+1, j)               (the product only for i < M-1) */
DJ_FUNCTION(pair)(T *F, const T *x, size_t n, size_t m, const void *ctx)
{
    const struct pair_ctx *p = ctx;
    const dj_petsc_box *b = &p->box;
    for (PetscInt j = b->ys; j < b->ys + b->ym; j++)
        for (PetscInt i = b->xs; i < b->xs + b->xm; i++) {
            PetscInt k = 2 * ((j - b->gys) * b->gxm + (i - b->gxs));
            PetscInt r = 2 * ((j - b->ys) * b->xm + (i - b->xs));
            T u = x[k], v = x[k + 1];
            T fu = dj_mul(u, u);
            if (i > 0) {
                T up = j + 1 < b->N ? x[k + 2 * b->gxm] : dj_one(T);
                dj_add_to(fu, dj_mul(x[k - 1], up)); /* v(i-1, j) is k - 2 + 1 */
            }
            T fv = dj_sin(v);
            if (i + 1 < b->M)
                dj_add_to(fv, dj_mul(u, x[k + 3])); /* v(i+1, j) */
            F[r] = dj_mul(p->scale, fu);
            F[r + 1] = dj_mul(p->scale, fv);
        }
}

/* log(u): NaN for u < 0 */
DJ_FUNCTION(logs)(T *F, const T *x, size_t n, size_t m, const void *ctx)
{
    const struct pair_ctx *p = ctx;
    const dj_petsc_box *b = &p->box;
    for (PetscInt j = b->ys; j < b->ys + b->ym; j++)
        for (PetscInt i = b->xs; i < b->xs + b->xm; i++) {
            PetscInt k = 2 * ((j - b->gys) * b->gxm + (i - b->gxs));
            PetscInt r = 2 * ((j - b->ys) * b->xm + (i - b->xs));
            F[r] = dj_log(x[k]);
            F[r + 1] = x[k + 1];
        }
}

#else /* the test suite */

#include <math.h>
#include <stdlib.h>

#include <dualjac.h>
#include <dualjac/petsc.h>

#include "alloc_count.h"
#include "testlib.h"

struct pair_ctx {
    dj_petsc_box box;
    double scale;
};

#define DJ_TEMPLATE "check_petsc.c"
#include <dualjac/instantiate.h>

enum { GM = 9, GN = 7 };

static DM da;
static Vec X;

/* The DMDA, and x = (u, v) with u = 1 + (i + 2j)/20, v = cos(i - j). */
static void setup(void)
{
    ck_assert_int_eq(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE,
                                  DMDA_STENCIL_STAR, GM, GN, PETSC_DECIDE, PETSC_DECIDE, 2, 1,
                                  NULL, NULL, &da),
                     0);
    ck_assert_int_eq(DMSetUp(da), 0);
    ck_assert_int_eq(DMCreateGlobalVector(da, &X), 0);
    PetscInt xs, ys, xm, ym;
    PetscScalar ***x;
    ck_assert_int_eq(DMDAGetCorners(da, &xs, &ys, NULL, &xm, &ym, NULL), 0);
    ck_assert_int_eq(DMDAVecGetArrayDOF(da, X, &x), 0);
    for (PetscInt j = ys; j < ys + ym; j++)
        for (PetscInt i = xs; i < xs + xm; i++) {
            x[j][i][0] = 1 + (double)(i + 2 * j) / 20;
            x[j][i][1] = cos((double)(i - j));
        }
    ck_assert_int_eq(DMDAVecRestoreArrayDOF(da, X, &x), 0);
}

static void teardown(void)
{
    VecDestroy(&X);
    DMDestroy(&da);
}

/* u and v at a grid point, global (from the formulas of setup) */
static double u_at(PetscInt i, PetscInt j) { return 1 + (double)(i + 2 * j) / 20; }
static double v_at(PetscInt i, PetscInt j) { return cos((double)(i - j)); }

/* The global row of (i, j, c) in PETSc's ordering. */
static PetscInt global_index(PetscInt i, PetscInt j, PetscInt c)
{
    ISLocalToGlobalMapping ltog;
    PetscInt gxs, gys, gxm, local, global;
    ck_assert_int_eq(DMGetLocalToGlobalMapping(da, &ltog), 0);
    ck_assert_int_eq(DMDAGetGhostCorners(da, &gxs, &gys, NULL, &gxm, NULL, NULL), 0);
    local = 2 * ((j - gys) * gxm + (i - gxs)) + c;
    ck_assert_int_eq(ISLocalToGlobalMappingApply(ltog, 1, &local, &global), 0);
    return global;
}

START_TEST(test_box_and_sizes)
{
    dj_petsc_box b;
    ck_assert_int_eq(dj_petsc_box_get(da, &b), 0);
    ck_assert_int_eq(b.dim, 2);
    ck_assert_int_eq(b.dof, 2);
    ck_assert_int_eq(b.M, GM);
    ck_assert_int_eq(b.N, GN);
    ck_assert_uint_eq(b.m, (size_t)(2 * b.xm * b.ym));
    ck_assert_uint_eq(b.n, (size_t)(2 * b.gxm * b.gym));
    PetscInt local;
    ck_assert_int_eq(VecGetLocalSize(X, &local), 0);
    ck_assert_uint_eq(b.m, (size_t)local);
    /* a function of other sizes is refused, with PETSc's error code */
    struct pair_ctx p = {b, 1.0};
    dj_fn wrong = DJ_FN_INIT(pair, b.n + 1, b.m, &p);
    dj_petsc a;
    ck_assert_int_eq(PetscPushErrorHandler(PetscReturnErrorHandler, NULL), 0);
    ck_assert_int_eq(dj_petsc_init(&a, da, &wrong), PETSC_ERR_ARG_SIZ);
    ck_assert_int_eq(PetscPopErrorHandler(), 0);
}
END_TEST

START_TEST(test_jacobian_matches_analytic)
{
    struct pair_ctx p = {.scale = 0.5};
    ck_assert_int_eq(dj_petsc_box_get(da, &p.box), 0);
    const dj_petsc_box *b = &p.box;
    dj_fn f = DJ_FN_INIT(pair, b->n, b->m, &p);
    dj_petsc a;
    Mat J;
    ck_assert_int_eq(dj_petsc_init(&a, da, &f), 0);
    ck_assert_int_eq(dj_petsc_create_matrix(&a, X, &J), 0);
    ck_assert_int_eq(dj_petsc_jacobian(NULL, X, J, J, &a), 0);
    ck_assert_int_eq(a.njev, 1);
    /* every entry of the owned rows, against the analytic derivative */
    long entries = 0;
    for (PetscInt j = b->ys; j < b->ys + b->ym; j++)
        for (PetscInt i = b->xs; i < b->xs + b->xm; i++) {
            PetscInt ru = global_index(i, j, 0), rv = global_index(i, j, 1);
            double s = p.scale;
            /* F_u: d/du = 2u; d/dv(i-1,j) = u(i,j+1) or 1; d/du(i,j+1) = v(i-1,j) */
            struct {
                PetscInt row, col;
                double want;
            } e[6];
            int ne = 0;
            e[ne++] = (__typeof__(e[0])){ru, ru, s * 2 * u_at(i, j)};
            if (i > 0) {
                e[ne++] = (__typeof__(e[0])){ru, global_index(i - 1, j, 1),
                                             s * (j + 1 < GN ? u_at(i, j + 1) : 1)};
                if (j + 1 < GN)
                    e[ne++] = (__typeof__(e[0])){ru, global_index(i, j + 1, 0), s * v_at(i - 1, j)};
            }
            /* F_v: d/dv = cos v; d/du = v(i+1,j); d/dv(i+1,j) = u */
            e[ne++] = (__typeof__(e[0])){rv, rv, s * cos(v_at(i, j))};
            if (i + 1 < GM) {
                e[ne++] = (__typeof__(e[0])){rv, ru, s * v_at(i + 1, j)};
                e[ne++] = (__typeof__(e[0])){rv, global_index(i + 1, j, 1), s * u_at(i, j)};
            }
            for (int k = 0; k < ne; k++) {
                PetscScalar got;
                ck_assert_int_eq(MatGetValues(J, 1, &e[k].row, 1, &e[k].col, &got), 0);
                tl_assert_close(got, e[k].want, 1e-14, "(%d, %d) entry %d", (int)i, (int)j, k);
            }
            entries += ne;
        }
    /* no entry more, and the preallocation was exact */
    MatInfo info;
    ck_assert_int_eq(MatGetInfo(J, MAT_LOCAL, &info), 0);
    ck_assert_int_eq((long)info.nz_used, entries);
    ck_assert_int_eq((long)info.nz_unneeded, 0);
    ck_assert_uint_eq(a.sparse.pattern.nnz, (size_t)entries);
    /* the residual */
    Vec F;
    ck_assert_int_eq(VecDuplicate(X, &F), 0);
    ck_assert_int_eq(dj_petsc_function(NULL, X, F, &a), 0);
    PetscScalar ***fv;
    ck_assert_int_eq(DMDAVecGetArrayDOFRead(da, F, &fv), 0);
    for (PetscInt j = b->ys; j < b->ys + b->ym; j++)
        for (PetscInt i = b->xs; i < b->xs + b->xm; i++) {
            double fu = u_at(i, j) * u_at(i, j) +
                        (i > 0 ? v_at(i - 1, j) * (j + 1 < GN ? u_at(i, j + 1) : 1) : 0);
            double fvv = sin(v_at(i, j)) + (i + 1 < GM ? u_at(i, j) * v_at(i + 1, j) : 0);
            tl_assert_close(fv[j][i][0], 0.5 * fu, 1e-15, "F_u(%d, %d)", (int)i, (int)j);
            tl_assert_close(fv[j][i][1], 0.5 * fvv, 1e-15, "F_v(%d, %d)", (int)i, (int)j);
        }
    ck_assert_int_eq(DMDAVecRestoreArrayDOFRead(da, F, &fv), 0);
    ck_assert_int_eq(VecDestroy(&F), 0);
    ck_assert_int_eq(MatDestroy(&J), 0);
    ck_assert_int_eq(dj_petsc_clear(&a), 0);
    ck_assert_int_eq(dj_petsc_clear(&a), 0); /* a second clear is safe */
}
END_TEST

/* NaN: a domain error for SNES, not a failure. */
START_TEST(test_nan_is_a_domain_error)
{
    struct pair_ctx p = {.scale = 1};
    ck_assert_int_eq(dj_petsc_box_get(da, &p.box), 0);
    dj_fn f = DJ_FN_INIT(logs, p.box.n, p.box.m, &p);
    dj_petsc a;
    SNES snes;
    Mat J;
    Vec F, Y;
    PetscBool domain;
    ck_assert_int_eq(dj_petsc_init(&a, da, &f), 0);
    ck_assert_int_eq(dj_petsc_create_matrix(&a, X, &J), 0);
    ck_assert_int_eq(SNESCreate(PETSC_COMM_WORLD, &snes), 0);
    ck_assert_int_eq(VecDuplicate(X, &F), 0);
    ck_assert_int_eq(VecDuplicate(X, &Y), 0);
    ck_assert_int_eq(VecSet(Y, -1.0), 0);
    ck_assert_int_eq(dj_petsc_function(snes, Y, F, &a), 0);
    ck_assert_int_eq(SNESGetFunctionDomainError(snes, &domain), 0);
    ck_assert(domain);
    ck_assert_int_eq(a.status, DJ_ENONFINITE);
    ck_assert_int_eq(dj_petsc_jacobian(snes, Y, J, J, &a), 0);
    ck_assert_int_eq(SNESGetJacobianDomainError(snes, &domain), 0);
    ck_assert(domain);
    VecDestroy(&F), VecDestroy(&Y), MatDestroy(&J), SNESDestroy(&snes);
    ck_assert_int_eq(dj_petsc_clear(&a), 0);
}
END_TEST

/* After the first Jacobian, the callbacks allocate nothing beyond what
 * PETSc itself allocates for them: one ghost update each (DMGlobalToLocal
 * allocates in PETSc 3.18) and the Jacobian's assembly, measured apart. */
START_TEST(test_no_allocation_after_first_call)
{
    if (tl_allocations() < 0)
        return;
    struct pair_ctx p = {.scale = 1};
    ck_assert_int_eq(dj_petsc_box_get(da, &p.box), 0);
    dj_fn f = DJ_FN_INIT(pair, p.box.n, p.box.m, &p);
    dj_petsc a;
    Mat J;
    Vec F, L;
    ck_assert_int_eq(dj_petsc_init(&a, da, &f), 0);
    a.opts.threads = 1;
    ck_assert_int_eq(dj_petsc_create_matrix(&a, X, &J), 0);
    ck_assert_int_eq(VecDuplicate(X, &F), 0);
    ck_assert_int_eq(DMCreateLocalVector(da, &L), 0);
    int flags[3][5];
    long ours[3], petsc[3];
    for (int round = 0; round < 3; round++) {
        long t0 = tl_allocations();
        flags[round][0] = dj_petsc_function(NULL, X, F, &a);
        flags[round][1] = dj_petsc_jacobian(NULL, X, J, J, &a);
        long t1 = tl_allocations();
        /* PETSc's part alone: two ghost updates, the same rows assembled */
        flags[round][2] = DMGlobalToLocalBegin(da, X, INSERT_VALUES, L) |
                          DMGlobalToLocalEnd(da, X, INSERT_VALUES, L) |
                          DMGlobalToLocalBegin(da, X, INSERT_VALUES, L) |
                          DMGlobalToLocalEnd(da, X, INSERT_VALUES, L);
        const dj_pattern *pt = &a.sparse.pattern;
        flags[round][3] = 0;
        for (size_t i = 0; i < a.box.m; i++)
            flags[round][3] |= MatSetValuesLocal(J, 1, &a.rows[i],
                                                 (PetscInt)(pt->row_ptr[i + 1] - pt->row_ptr[i]),
                                                 a.cols + pt->row_ptr[i],
                                                 a.values + pt->row_ptr[i], INSERT_VALUES);
        flags[round][4] = MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY) |
                          MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY);
        ours[round] = t1 - t0;
        petsc[round] = tl_allocations() - t1;
    }
    for (int round = 0; round < 3; round++) {
        for (int c = 0; c < 5; c++)
            ck_assert_int_eq(flags[round][c], 0);
        if (round > 0)
            ck_assert_msg(ours[round] <= petsc[round],
                          "round %d: %ld allocations, PETSc's own part %ld", round, ours[round],
                          petsc[round]);
    }
    VecDestroy(&F), VecDestroy(&L), MatDestroy(&J);
    ck_assert_int_eq(dj_petsc_clear(&a), 0);
}
END_TEST

static Suite *petsc_suite(void)
{
    Suite *s = suite_create("petsc");
    TCase *tc = tcase_create("dmda");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_box_and_sizes);
    tcase_add_test(tc, test_jacobian_matches_analytic);
    tcase_add_test(tc, test_nan_is_a_domain_error);
    tcase_add_test(tc, test_no_allocation_after_first_call);
    suite_add_tcase(s, tc);
    return s;
}

int main(int argc, char **argv)
{
    /* MPI does not survive fork: the tests run in this process */
    if (PetscInitialize(&argc, &argv, NULL, NULL) != 0)
        return EXIT_FAILURE;
    SRunner *sr = srunner_create(petsc_suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    /* every process must agree, or mpiexec reports the one that failed */
    PetscFinalize();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
