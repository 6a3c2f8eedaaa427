/*
 * dualjac/sundials.h: SUNDIALS callbacks (CVODE, ARKODE, IDA, KINSOL) from a
 * dj_fn. In libdualjac-sundials: `pkg-config --cflags --libs dualjac-sundials`,
 * plus the SUNDIALS solvers the program calls (-lsundials_cvode, ...).
 *
 * One dj_sundials per problem, given to the solver as its user data; the
 * callbacks below have the solver's own types, so they are passed as they
 * are:
 *
 *     ODE  y' = f(t, y)     CVODE, ARKODE   dj_sundials_rhs,  dj_sundials_rhs_jac
 *     DAE  F(t, y, y') = 0  IDA             dj_sundials_res,  dj_sundials_res_jac
 *     F(u) = 0              KINSOL          dj_sundials_sys,  dj_sundials_sys_jac
 *
 * The function is a dj_fn of the state: f : R^n -> R^n for CVODE, ARKODE and
 * KINSOL; F : R^2n -> R^n of x = [y, y'] for IDA, whose Jacobian is then
 * dF/dy + cj dF/dy' (the Jacobian of [y, y'] costs 2n columns: twice the
 * forward passes of an ODE's, or the colors of the pattern of [dF/dy dF/dy']).
 * Time reaches the body through the dj_fn's context: the adapter stores t in
 * *t (the pointer given to init, usually a field of the context struct)
 * before every evaluation, so that t is no input and costs no column. Pass
 * NULL when f does not depend on t.
 *
 * The Jacobian callbacks fill the SUNMatrix the solver's linear solver holds,
 * whatever its kind:
 *   SUNMATRIX_DENSE   dj_jacobian in column-major order, straight into the
 *                     matrix's data (forward passes of up to 16 columns);
 *   SUNMATRIX_BAND    the colored sparse Jacobian (as many colors as the
 *                     band is wide), scattered into the band;
 *   SUNMATRIX_SPARSE  the colored sparse Jacobian, CSC or CSR, with the
 *                     detected pattern as the matrix's indices.
 * The sparse analysis (pattern and coloring, sparse.h) runs once: in
 * dj_sundials_analyze, which a program calls to learn the nonzeros or the
 * bandwidths before it creates a sparse or band matrix, or else at the first
 * Jacobian call. After the first call, no callback allocates (the drivers
 * keep their buffers in a dj_workspace). The pattern is detected at one point
 * and must hold everywhere: true for code whose branches do not depend on the
 * state (pattern.h); otherwise give the pattern to dj_sundials_analyze.
 *
 * Errors follow SUNDIALS: a callback returns 0, 1 for a recoverable failure
 * (a value or derivative is NaN or Inf: the solver retries with a smaller
 * step) or -1 for an unrecoverable one; a->status then holds the dualjac
 * status (dj_strerror names it). The library never aborts or prints.
 *
 * Requires SUNDIALS 6 or later in double precision.
 */
#ifndef DUALJAC_SUNDIALS_H
#define DUALJAC_SUNDIALS_H

#include <stddef.h>

#include <sundials/sundials_matrix.h>
#include <sundials/sundials_nvector.h>
#include <sundials/sundials_types.h>

#include "../dualjac.h"

#if !defined(SUNDIALS_DOUBLE_PRECISION)
#error "dualjac/sundials.h: SUNDIALS must be built in double precision"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The adapter: the function, its options and statistics (public), and what
 * the callbacks keep between calls (private). */
typedef struct dj_sundials {
    dj_fn f;          /* a copy of the function */
    double *t;        /* where f's body reads t, or NULL */
    size_t n;         /* the number of equations */
    int dae;          /* nonzero: f is F(y, y') of IDA, 2n inputs */
    dj_opts opts;     /* the drivers' options (mode, chunk, threads, nansafe);
                         ws and strict are set by the adapter */
    long nfev;        /* evaluations of f by rhs, res and sys */
    long njev;        /* Jacobians computed */
    int status;       /* the last dualjac status (DJ_OK) */
    dj_report report; /* what the last Jacobian's driver did */
    dj_sparse sparse; /* the analysis of f (valid once analysed) */
    /* private */
    int analysed;
    dj_workspace ws;
    size_t nnz;            /* entries of J (n×n): sparse.pattern's or the union's */
    size_t *j_row_ptr;     /* J's pattern in CSR (n + 1, nnz), owned for a DAE */
    size_t *j_col;
    size_t *csc_ptr;       /* J's pattern in CSC (n + 1, nnz) */
    size_t *csc_row;
    size_t *csc_of;        /* nnz: the CSC position of each CSR entry */
    size_t *entry_of;      /* DAE: for each entry of f's pattern, its entry of J */
    size_t mu, ml;         /* J's upper and lower bandwidths */
    double *values;        /* f's nonzeros */
    double *jvalues;       /* DAE: J's nonzeros */
    double *dense;         /* DAE: the dense n×2n Jacobian */
    double *x;             /* DAE: [y, y'] */
} dj_sundials;

/* Starts an adapter for y' = f(t, y) (CVODE, ARKODE) or F(u) = 0 (KINSOL):
 * f : R^n -> R^n; t as above (may be NULL). f is copied; what its context
 * points to must outlive the adapter. No allocation.
 * Errors: DJ_EINVAL (null a or f), those of dj_fn_check, DJ_EDIM (n != m). */
DJ_API DJ_NODISCARD int dj_sundials_init(dj_sundials *a, const dj_fn *f, double *t);

/* Starts an adapter for the DAE F(t, y, y') = 0 (IDA): F : R^2n -> R^n of
 * x = [y, y']. Errors: as dj_sundials_init, DJ_EDIM (n != 2m). */
DJ_API DJ_NODISCARD int dj_sundials_init_dae(dj_sundials *a, const dj_fn *F, double *t);

/* Frees everything; a second clear is safe. */
DJ_API void dj_sundials_clear(dj_sundials *a);

/* Analyses J's sparsity once: detects f's pattern at y (and y' for a DAE;
 * yp is ignored otherwise), or copies `known` (f's pattern, m×n: n×2n for a
 * DAE; y and yp may then be NULL), colors it and prepares J's CSC indices
 * and bandwidths. Needed before dj_sundials_nnz and dj_sundials_bandwidths;
 * otherwise the first band or sparse Jacobian call does it at its point.
 * Errors: DJ_EINVAL, those of dj_sparse_analyze, DJ_ENOMEM (a unchanged). */
DJ_API DJ_NODISCARD int dj_sundials_analyze(dj_sundials *a, const double *y, const double *yp,
                                            const dj_pattern *known);

/* The nonzeros of J (n×n), for SUNSparseMatrix(n, n, nnz, ...); 0 before
 * the analysis. */
DJ_API size_t dj_sundials_nnz(const dj_sundials *a);

/* J's upper and lower bandwidths, for SUNBandMatrix(n, mu, ml, ...).
 * Errors: DJ_EINVAL (null, or not analysed yet). */
DJ_API DJ_NODISCARD int dj_sundials_bandwidths(const dj_sundials *a, sunindextype *mu,
                                               sunindextype *ml);

/* CVRhsFn, ARKRhsFn: ydot = f(t, y). */
DJ_API int dj_sundials_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *user_data);

/* CVLsJacFn, ARKLsJacFn: J = df/dy at (t, y) into a dense, band or sparse
 * SUNMatrix. */
DJ_API int dj_sundials_rhs_jac(sunrealtype t, N_Vector y, N_Vector fy, SUNMatrix J,
                               void *user_data, N_Vector tmp1, N_Vector tmp2, N_Vector tmp3);

/* IDAResFn: r = F(t, y, y'). */
DJ_API int dj_sundials_res(sunrealtype t, N_Vector y, N_Vector yp, N_Vector r, void *user_data);

/* IDALsJacFn: J = dF/dy + cj dF/dy' at (t, y, y'). */
DJ_API int dj_sundials_res_jac(sunrealtype t, sunrealtype cj, N_Vector y, N_Vector yp,
                               N_Vector r, SUNMatrix J, void *user_data, N_Vector tmp1,
                               N_Vector tmp2, N_Vector tmp3);

/* KINSysFn: fu = F(u). */
DJ_API int dj_sundials_sys(N_Vector u, N_Vector fu, void *user_data);

/* KINLsJacFn: J = dF/du at u. */
DJ_API int dj_sundials_sys_jac(N_Vector u, N_Vector fu, SUNMatrix J, void *user_data,
                               N_Vector tmp1, N_Vector tmp2);

#ifdef __cplusplus
}
#endif

#endif /* DUALJAC_SUNDIALS_H */
