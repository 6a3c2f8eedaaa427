/*
 * dualjac/petsc.h: PETSc SNES callbacks from a dj_fn on a DMDA: the residual
 * and the Jacobian, assembled into a distributed AIJ matrix (MATMPIAIJ, or
 * MATSEQAIJ on one process) from dualjac's colored sparse Jacobian of each
 * process's own rows. In libdualjac-petsc: `pkg-config --cflags --libs
 * dualjac-petsc`.
 *
 * Each process evaluates the residuals of the grid points it owns from the
 * values of its ghosted local vector (owned points and the ghost points
 * around them, what DMGlobalToLocal gives). So the dj_fn of each process is
 *
 *     f : R^n -> R^m,  n = its ghosted local values, m = its owned values,
 *
 * with the geometry of its box in the context: dj_petsc_box_get gives the
 * corners, widths and n, m (the body indexes the ghosted array with the
 * ghost corners, the residuals with the owned ones, dof fastest, then x,
 * y, z: DMDA's order). Then:
 *
 *     dj_petsc a;
 *     dj_petsc_init(&a, da, &f);                 // f: this process's function
 *     dj_petsc_create_matrix(&a, x0, &J);        // pattern at x0, preallocated
 *     SNESSetFunction(snes, r, dj_petsc_function, &a);
 *     SNESSetJacobian(snes, J, J, dj_petsc_jacobian, &a);
 *     SNESSolve(snes, NULL, x);
 *     MatDestroy(&J); dj_petsc_clear(&a);
 *
 * dj_petsc_create_matrix detects the pattern of each process's rows at x0
 * (one recording of f), colors its columns and preallocates the matrix
 * exactly from it: diagonal-block and off-diagonal-block counts per row,
 * with the DMDA's local-to-global mapping, and new nonzeros made an error.
 * Every Jacobian is then the colored forward passes on the local values
 * (a 5-point stencil takes 5 colors whatever the grid: one pass of width 8)
 * and one MatSetValuesLocal per row; no collective operation besides the
 * ghost update and the assembly, and no allocation by dualjac after the
 * first call. The pattern must hold at every x (branch-free in the values).
 *
 * Errors follow PETSc: the callbacks return a PetscErrorCode (dualjac's
 * failures as PETSC_ERR_LIB with dj_strerror's message); a NaN or Inf in the
 * residual or the Jacobian is reported to SNES as a domain error
 * (SNESSetFunctionDomainError, SNESSetJacobianDomainError), as PETSc asks.
 * Requires PETSc with real double scalars.
 */
#ifndef DUALJAC_PETSC_H
#define DUALJAC_PETSC_H

#include <stddef.h>

#include <petscdmda.h>
#include <petscsnes.h>

#include "../dualjac.h"

#if defined(PETSC_USE_COMPLEX) || !defined(PETSC_USE_REAL_DOUBLE)
#error "dualjac/petsc.h: PETSc must be built with real double scalars"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* This process's box of a DMDA (the z fields are 0 and 1 below 3-D). */
typedef struct dj_petsc_box {
    PetscInt dim, dof;                    /* dimension, values per point */
    PetscInt M, N, P;                     /* the global grid */
    PetscInt xs, ys, zs, xm, ym, zm;      /* owned: first point and widths */
    PetscInt gxs, gys, gzs, gxm, gym, gzm; /* ghosted: first point and widths */
    size_t n;                             /* ghosted local values: f's inputs */
    size_t m;                             /* owned values: f's outputs */
} dj_petsc_box;

/* This process's box of the DMDA da. */
DJ_API PetscErrorCode dj_petsc_box_get(DM da, dj_petsc_box *box);

/* The adapter of one process. */
typedef struct dj_petsc {
    dj_fn f;          /* a copy of this process's function */
    dj_opts opts;     /* the drivers' options (mode, chunk, threads, nansafe);
                         ws and strict are set by the adapter */
    DM da;            /* the DMDA (referenced) */
    dj_petsc_box box; /* this process's box */
    long nfev;        /* residuals computed (this process) */
    long njev;        /* Jacobians computed (this process) */
    int status;       /* the last dualjac status (DJ_OK) */
    dj_report report; /* what the last Jacobian's driver did */
    dj_sparse sparse; /* the analysis of this process's rows (after create_matrix) */
    /* private */
    dj_workspace ws;
    Vec local;         /* the ghosted local vector */
    PetscInt *rows;    /* m: each owned value's index in the ghosted local numbering */
    PetscInt *cols;    /* nnz: the pattern's columns, as PetscInt */
    double *values;    /* nnz */
} dj_petsc;

/* Starts the adapter of this process for da (a DMDA) and f (copied; its
 * context must outlive the adapter). f.n and f.m must be the box's n and m.
 * Errors: PETSC_ERR_ARG_NULL, PETSC_ERR_ARG_WRONG (not a DMDA, or f
 * invalid), PETSC_ERR_ARG_SIZ (f's sizes), PETSc's own. */
DJ_API PetscErrorCode dj_petsc_init(dj_petsc *a, DM da, const dj_fn *f);

/* Frees everything; a second clear is safe. */
DJ_API PetscErrorCode dj_petsc_clear(dj_petsc *a);

/* Analyses this process's rows at the global vector x0 and creates *J, an
 * AIJ matrix of the DMDA's global size, preallocated exactly from the
 * pattern (collective). */
DJ_API PetscErrorCode dj_petsc_create_matrix(dj_petsc *a, Vec x0, Mat *J);

/* SNESFunctionFn: F(X) (ctx is the dj_petsc). */
DJ_API PetscErrorCode dj_petsc_function(SNES snes, Vec X, Vec F, void *ctx);

/* SNESJacobianFn: the Jacobian at X into P (and assembles J when it is
 * another matrix, e.g. matrix-free). P must come from
 * dj_petsc_create_matrix or have its preallocation and local-to-global
 * mapping. */
DJ_API PetscErrorCode dj_petsc_jacobian(SNES snes, Vec X, Mat J, Mat P, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* DUALJAC_PETSC_H */
