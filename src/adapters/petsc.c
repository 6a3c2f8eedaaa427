/*
 * petsc.c: the PETSc callbacks of dualjac/petsc.h.
 *
 * A process's rows are its owned grid values; their columns are indices of
 * its ghosted local vector, which the DMDA's local-to-global mapping turns
 * into global ones. MatSetValuesLocal applies that mapping to rows and
 * columns alike, so rows are given in the ghosted local numbering too.
 */
#include <stdlib.h>
#include <string.h>

#include "dualjac/petsc.h"

#include "adapter.h"

/* A dualjac failure as a PETSc error on the object's communicator. */
#define DJ_CHECK(obj, status)                                                  \
    do {                                                                       \
        int dj_st_ = (status);                                                 \
        if (dj_st_ != DJ_OK)                                                   \
            SETERRQ(PetscObjectComm((PetscObject)(obj)), PETSC_ERR_LIB, "dualjac: %s", \
                    dj_strerror(dj_st_));                                      \
    } while (0)

PetscErrorCode dj_petsc_box_get(DM da, dj_petsc_box *b)
{
    PetscFunctionBeginUser;
    PetscCheck(da && b, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "dj_petsc_box_get: null argument");
    memset(b, 0, sizeof *b);
    PetscCall(DMDAGetInfo(da, &b->dim, &b->M, &b->N, &b->P, NULL, NULL, NULL, &b->dof, NULL,
                          NULL, NULL, NULL, NULL));
    PetscCall(DMDAGetCorners(da, &b->xs, &b->ys, &b->zs, &b->xm, &b->ym, &b->zm));
    PetscCall(DMDAGetGhostCorners(da, &b->gxs, &b->gys, &b->gzs, &b->gxm, &b->gym, &b->gzm));
    /* below 3-D PETSc reports widths of 1 and starts of 0 for the missing axes */
    b->n = (size_t)(b->gxm * b->gym * b->gzm * b->dof);
    b->m = (size_t)(b->xm * b->ym * b->zm * b->dof);
    PetscFunctionReturn(0);
}

PetscErrorCode dj_petsc_init(dj_petsc *a, DM da, const dj_fn *f)
{
    PetscBool isda;
    PetscFunctionBeginUser;
    PetscCheck(a && da && f, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "dj_petsc_init: null argument");
    PetscCall(PetscObjectTypeCompare((PetscObject)da, DMDA, &isda));
    PetscCheck(isda, PetscObjectComm((PetscObject)da), PETSC_ERR_ARG_WRONG,
               "dj_petsc_init: the DM is not a DMDA");
    PetscCheck(dj_fn_check(f) == DJ_OK, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG,
               "dj_petsc_init: %s", dj_strerror(dj_fn_check(f)));
    memset(a, 0, sizeof *a);
    PetscCall(dj_petsc_box_get(da, &a->box));
    PetscCheck(f->n == a->box.n && f->m == a->box.m, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ,
               "dj_petsc_init: f maps %zu values to %zu; this process has %zu ghosted local "
               "values and %zu owned ones",
               f->n, f->m, a->box.n, a->box.m);
    const dj_petsc_box *b = &a->box;
    PetscCall(PetscMalloc1(b->m, &a->rows));
    size_t r = 0;
    for (PetscInt k = b->zs; k < b->zs + b->zm; k++)
        for (PetscInt j = b->ys; j < b->ys + b->ym; j++)
            for (PetscInt i = b->xs; i < b->xs + b->xm; i++)
                for (PetscInt c = 0; c < b->dof; c++)
                    a->rows[r++] =
                        (((k - b->gzs) * b->gym + (j - b->gys)) * b->gxm + (i - b->gxs)) * b->dof + c;
    a->f = *f;
    a->da = da;
    PetscCall(PetscObjectReference((PetscObject)da));
    PetscCall(DMCreateLocalVector(da, &a->local));
    dj_sparse_init(&a->sparse);
    dj_workspace_init(&a->ws);
    PetscFunctionReturn(0);
}

PetscErrorCode dj_petsc_clear(dj_petsc *a)
{
    PetscFunctionBeginUser;
    if (a == NULL)
        PetscFunctionReturn(0);
    dj_sparse_clear(&a->sparse);
    dj_workspace_clear(&a->ws);
    PetscCall(PetscFree(a->rows));
    PetscCall(PetscFree(a->cols));
    PetscCall(PetscFree(a->values));
    PetscCall(VecDestroy(&a->local));
    PetscCall(DMDestroy(&a->da));
    PetscFunctionReturn(0);
}

/* X's owned and ghost values into a->local. */
static PetscErrorCode scatter(dj_petsc *a, Vec X)
{
    PetscFunctionBeginUser;
    PetscCall(DMGlobalToLocalBegin(a->da, X, INSERT_VALUES, a->local));
    PetscCall(DMGlobalToLocalEnd(a->da, X, INSERT_VALUES, a->local));
    PetscFunctionReturn(0);
}

PetscErrorCode dj_petsc_create_matrix(dj_petsc *a, Vec x0, Mat *J)
{
    const PetscScalar *xl;
    PetscInt rstart, rend, *gcols, *d_nnz, *o_nnz;
    ISLocalToGlobalMapping ltog;
    MPI_Comm comm;
    PetscFunctionBeginUser;
    PetscCheck(a && a->da && x0 && J, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL,
               "dj_petsc_create_matrix: null argument");
    comm = PetscObjectComm((PetscObject)a->da);
    PetscCall(scatter(a, x0));
    PetscCall(VecGetArrayRead(a->local, &xl));
    dj_sparse s;
    dj_sparse_init(&s);
    a->status = dj_sparse_analyze(&s, &a->f, xl, NULL);
    PetscCall(VecRestoreArrayRead(a->local, &xl));
    DJ_CHECK(a->da, a->status);
    dj_sparse_clear(&a->sparse);
    a->sparse = s;
    const dj_pattern *p = &a->sparse.pattern;
    size_t nnz = p->nnz;

    PetscCall(PetscFree(a->cols));
    PetscCall(PetscFree(a->values));
    PetscCall(PetscMalloc1(nnz ? nnz : 1, &a->cols));
    PetscCall(PetscMalloc1(nnz ? nnz : 1, &a->values));
    for (size_t e = 0; e < nnz; e++)
        a->cols[e] = (PetscInt)p->col[e];

    /* preallocation: each row's columns owned here (diagonal block) and
     * elsewhere (off-diagonal block), in global numbering */
    PetscCall(DMGetLocalToGlobalMapping(a->da, &ltog));
    PetscCall(VecGetOwnershipRange(x0, &rstart, &rend));
    PetscCall(PetscMalloc3(nnz ? nnz : 1, &gcols, a->box.m, &d_nnz, a->box.m, &o_nnz));
    PetscCall(ISLocalToGlobalMappingApply(ltog, (PetscInt)nnz, a->cols, gcols));
    for (size_t i = 0; i < a->box.m; i++) {
        d_nnz[i] = o_nnz[i] = 0;
        for (size_t e = p->row_ptr[i]; e < p->row_ptr[i + 1]; e++) {
            if (gcols[e] >= rstart && gcols[e] < rend)
                d_nnz[i]++;
            else
                o_nnz[i]++;
        }
    }
    PetscCall(MatCreate(comm, J));
    PetscCall(MatSetSizes(*J, (PetscInt)a->box.m, (PetscInt)a->box.m, PETSC_DETERMINE,
                          PETSC_DETERMINE));
    PetscCall(MatSetType(*J, MATAIJ));
    PetscCall(MatSeqAIJSetPreallocation(*J, 0, d_nnz));
    PetscCall(MatMPIAIJSetPreallocation(*J, 0, d_nnz, 0, o_nnz));
    PetscCall(MatSetLocalToGlobalMapping(*J, ltog, ltog));
    PetscCall(MatSetOption(*J, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
    PetscCall(PetscFree3(gcols, d_nnz, o_nnz));
    PetscFunctionReturn(0);
}


PetscErrorCode dj_petsc_function(SNES snes, Vec X, Vec F, void *ctx)
{
    dj_petsc *a = ctx;
    const PetscScalar *xl;
    PetscScalar *fv;
    PetscFunctionBeginUser;
    PetscCheck(a && a->da, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "dj_petsc_function: no adapter");
    PetscCall(scatter(a, X));
    PetscCall(VecGetArrayRead(a->local, &xl));
    PetscCall(VecGetArray(F, &fv));
    a->status = dj_eval(fv, &a->f, xl);
    int finite = a->status == DJ_OK && dj__adapter_finite(fv, a->box.m);
    PetscCall(VecRestoreArray(F, &fv));
    PetscCall(VecRestoreArrayRead(a->local, &xl));
    DJ_CHECK(snes ? (PetscObject)snes : (PetscObject)a->da, a->status);
    a->nfev++;
    if (!finite) {
        a->status = DJ_ENONFINITE;
        if (snes)
            PetscCall(SNESSetFunctionDomainError(snes));
    }
    PetscFunctionReturn(0);
}

PetscErrorCode dj_petsc_jacobian(SNES snes, Vec X, Mat J, Mat P, void *ctx)
{
    dj_petsc *a = ctx;
    const PetscScalar *xl;
    PetscFunctionBeginUser;
    PetscCheck(a && a->da && a->cols, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONGSTATE,
               "dj_petsc_jacobian: call dj_petsc_create_matrix first");
    PetscCall(scatter(a, X));
    dj_opts o = a->opts;
    o.ws = &a->ws;
    o.strict = 1;
    PetscCall(VecGetArrayRead(a->local, &xl));
    a->status = dj_sparse_jacobian(a->values, NULL, &a->sparse, &a->f, xl, &o, &a->report);
    PetscCall(VecRestoreArrayRead(a->local, &xl));
    if (a->status == DJ_ENONFINITE && snes)
        PetscCall(SNESSetJacobianDomainError(snes));
    else
        DJ_CHECK(snes ? (PetscObject)snes : (PetscObject)a->da, a->status);
    a->njev++;
    const dj_pattern *p = &a->sparse.pattern;
    for (size_t i = 0; i < a->box.m; i++) {
        PetscInt len = (PetscInt)(p->row_ptr[i + 1] - p->row_ptr[i]);
        PetscCall(MatSetValuesLocal(P, 1, &a->rows[i], len, a->cols + p->row_ptr[i],
                                    a->values + p->row_ptr[i], INSERT_VALUES));
    }
    PetscCall(MatAssemblyBegin(P, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(P, MAT_FINAL_ASSEMBLY));
    if (J != P) {
        PetscCall(MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY));
        PetscCall(MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY));
    }
    PetscFunctionReturn(0);
}
