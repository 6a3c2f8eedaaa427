/*
 * dualjac/gsl.h: GSL callbacks from a dj_fn, for gsl_multiroot (root
 * finding) and gsl_multifit_nlinear (nonlinear least squares). In
 * libdualjac-gsl: `pkg-config --cflags --libs dualjac-gsl`.
 *
 * One dj_gsl per function, given to GSL as the callbacks' params:
 *
 *     dj_gsl a;
 *     dj_gsl_init(&a, &f);                     // f : R^p -> R^n, residuals
 *     gsl_multifit_nlinear_fdf fdf;
 *     dj_gsl_multifit_fdf(&fdf, &a);           // f, df; fvv left NULL
 *     gsl_multifit_nlinear_init(x0, &fdf, w);  // ... iterate, then
 *     dj_gsl_clear(&a);
 *
 * The Jacobian goes straight into GSL's row-major gsl_matrix (its tda as the
 * leading dimension) by dj_jacobian: forward passes of up to 16 columns, or
 * reverse sweeps when rows are fewer (auto mode; a->opts chooses otherwise).
 * Vectors with a stride are copied through buffers allocated at the first
 * such call; otherwise no callback allocates after its first call (the
 * drivers keep their buffers in the adapter's dj_workspace).
 *
 * fvv, the second directional derivative that geodesic acceleration
 * (gsl_multifit_nlinear_trs_lmaccel) uses, is left NULL: GSL then computes
 * it by its own finite difference, from the exact J·v. An exact fvv needs
 * second derivatives, which dualjac does not compute yet.
 *
 * Errors follow GSL: a callback returns GSL_SUCCESS or a GSL error code
 * (GSL_EBADFUNC when a value or derivative is NaN or Inf, as GSL's own
 * solvers report it; GSL_EBADLEN for vectors of the wrong size; GSL_ENOMEM;
 * GSL_EFAILED otherwise), never calling GSL's error handler; a->status keeps
 * the dualjac status (dj_strerror names it).
 */
#ifndef DUALJAC_GSL_H
#define DUALJAC_GSL_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_multiroots.h>
#include <gsl/gsl_vector.h>

#include "../dualjac.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The adapter: the function, options and statistics (public), buffers
 * (private). */
typedef struct dj_gsl {
    dj_fn f;          /* a copy of the function: p = f.n parameters, n = f.m values */
    dj_opts opts;     /* the driver's options (mode, chunk, threads, nansafe);
                         ws and strict are set by the adapter */
    long nfev;        /* evaluations of f by dj_gsl_f and dj_gsl_fdf */
    long njev;        /* Jacobians by dj_gsl_df and dj_gsl_fdf */
    int status;       /* the last dualjac status (DJ_OK) */
    dj_report report; /* what the last Jacobian's driver did */
    /* private */
    dj_workspace ws;
    double *x, *y;    /* contiguous copies of strided vectors */
} dj_gsl;

/* Starts an adapter for f (copied; what its context points to must outlive
 * the adapter). No allocation. Errors: DJ_EINVAL (null), those of
 * dj_fn_check. */
DJ_API DJ_NODISCARD int dj_gsl_init(dj_gsl *a, const dj_fn *f);

/* Frees the buffers; a second clear is safe. */
DJ_API void dj_gsl_clear(dj_gsl *a);

/* Fills a gsl_multiroot_function_fdf (f, df, fdf, n, params = a) for
 * gsl_multiroot_fdfsolver_*. Errors: DJ_EINVAL (null), DJ_EDIM (f is not
 * square). */
DJ_API DJ_NODISCARD int dj_gsl_multiroot_fdf(gsl_multiroot_function_fdf *fdf, dj_gsl *a);

/* Fills a gsl_multifit_nlinear_fdf (f, df, fvv = NULL, n = f.m, p = f.n,
 * params = a) for gsl_multifit_nlinear. Errors: DJ_EINVAL (null). */
DJ_API DJ_NODISCARD int dj_gsl_multifit_fdf(gsl_multifit_nlinear_fdf *fdf, dj_gsl *a);

/* The callbacks themselves (params is the dj_gsl): f = f(x); J = f'(x) into
 * the n×p gsl_matrix; both at once. */
DJ_API int dj_gsl_f(const gsl_vector *x, void *params, gsl_vector *f);
DJ_API int dj_gsl_df(const gsl_vector *x, void *params, gsl_matrix *J);
DJ_API int dj_gsl_fdf(const gsl_vector *x, void *params, gsl_vector *f, gsl_matrix *J);

#ifdef __cplusplus
}
#endif

#endif /* DUALJAC_GSL_H */
