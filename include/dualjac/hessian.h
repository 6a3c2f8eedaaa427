/*
 * dualjac/hessian.h: second derivatives. Hessian-vector products, dense
 * Hessians and sparse Hessians of a function written once (fn.h).
 *
 * Everything here is forward over reverse on the recorded graph: one
 * recording of f at x (keeping the node values), then sweeps that carry,
 * beside each node's adjoint, its tangent along k directions; at the inputs
 * they give the gradient ∇(wᵀf) and the k products ∇²(wᵀf)·v. The weights w
 * (m values) make the Hessian of the Lagrangian wᵀf of a constrained
 * problem; w may be NULL when m = 1 (weight 1) and means all ones otherwise.
 * The second partials of every elementary operation, and the values chosen
 * at kinks and domain edges, are in partials.h.
 *
 *     double Hv[n], g[n], y;
 *     dj_hvp(Hv, g, &y, &f, x, v, NULL, NULL);      // one recording, one sweep
 *
 *     double H[n * n];                               // or n(n+1)/2, packed
 *     dj_hessian(H, g, &y, &f, x, NULL, NULL, &rep); // ceil(n/k) sweeps
 *
 *     dj_hsparse s;                                  // pattern and colors, once
 *     dj_hsparse_init(&s);
 *     dj_hsparse_analyze(&s, &f, x0, NULL, NULL);
 *     double *h = malloc(s.pattern.nnz * sizeof *h); // the lower triangle, CSR
 *     dj_sparse_hessian(h, g, &y, &s, &f, x, NULL, NULL, &rep);
 *     dj_hsparse_clear(&s);
 *
 * The dense Hessian is symmetric bit for bit: each pair H_ij, H_ji comes
 * from two sweeps and both are set to their average. Dense layers
 * (dj_linear, dj_var_dense) have second-order rules (a linear layer has no
 * second-order term; a dense layer with variable W is bilinear); a custom
 * primitive has none, and a Hessian driver meeting one returns DJ_ENOTSUP
 * with the primitive's name in the report's unsupported field.
 */
#ifndef DUALJAC_HESSIAN_H
#define DUALJAC_HESSIAN_H

#include <stddef.h>

#include "coloring.h"
#include "common.h"
#include "fn.h"
#include "jacobian.h"
#include "pattern.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Hv = ∇²(wᵀf)(x)·v, and grad = ∇(wᵀf)(x), y = f(x) when not NULL, by one
 * recording and one forward-over-reverse sweep. w: m weights, or NULL (all
 * 1). opts may be NULL (nansafe, strict and ws are used). Errors:
 * DJ_EINVAL (also opts->threads < 0, or an output overlapping x, v, w or
 * another output), DJ_EDIM, DJ_ENOTSUP (no dj_var instantiation, or a
 * custom primitive on the graph), DJ_ENOMEM, DJ_ERANGE, DJ_EBUSY (opts->ws
 * in use by another call), the recording's errors, DJ_ENONFINITE (strict
 * only; the results are filled). */
DJ_API DJ_NODISCARD int dj_hvp(double *Hv, double *grad, double *y, const dj_fn *f,
                               const double *x, const double *v, const double *w,
                               const dj_opts *opts);

/* H = ∇²(wᵀf)(x), n×n, by one recording and ceil(n/k) sweeps of k
 * directions (opts->chunk; 0 picks). Stored as opts->layout says:
 * DJ_ROW_MAJOR or DJ_COL_MAJOR, both triangles, leading dimension opts->ld
 * (0 = n), or DJ_PACKED_LOWER, n(n+1)/2 values, row i holding H_i0 .. H_ii
 * at i(i+1)/2 (LAPACK's upper packed storage of the same matrix, column
 * by column). grad, y and report may be NULL. Errors: as dj_hvp, DJ_ECHUNK,
 * DJ_EDIM (ld < n), DJ_ERANGE (H's bytes past PTRDIFF_MAX). */
DJ_API DJ_NODISCARD int dj_hessian(double *H, double *grad, double *y, const dj_fn *f,
                                   const double *x, const double *w, const dj_opts *opts,
                                   dj_report *report);

/* The pattern of ∇²(wᵀf) for any w from the recorded graph g: its lower
 * triangle (row >= column, diagonal included) as an n×n CSR pattern.
 * Exact for code whose branches do not depend on x (as dj_pattern_detect);
 * time proportional to the entries it finds and the input sets of the
 * arguments of curved operations. Errors: DJ_EINVAL, the graph's sticky
 * status, DJ_EDIM (no inputs or outputs), DJ_ENOTSUP (a custom primitive),
 * DJ_ENOMEM, DJ_ERANGE (p unchanged). */
DJ_API DJ_NODISCARD int dj_hessian_pattern_of_graph(dj_pattern *p, const dj_graph *g);

/* The same from one recording of f at x. Errors: those of dj_graph_record
 * and dj_hessian_pattern_of_graph; p unchanged on error. */
DJ_API DJ_NODISCARD int dj_hessian_pattern_detect(dj_pattern *p, const dj_fn *f,
                                                  const double *x);

/* What dj_hsparse_analyze found. Read the public fields; the others are
 * the index arrays of the driver (private). */
typedef struct dj_hsparse {
    dj_pattern pattern;   /* the lower triangle of H in CSR; values come in
                             this order */
    dj_coloring colors;   /* a star coloring of the variables */
    /* private */
    size_t *group_vars;   /* n: variables grouped by color */
    size_t *group_ptr;    /* colors + 1 */
    size_t *read_entries; /* nnz: entries grouped by the color they are read from */
    size_t *read_ptr;     /* colors + 1 */
    size_t *read_row;     /* nnz, in read_entries order: the row of the product to read */
} dj_hsparse;

/* Starts an empty analysis (no allocation). */
DJ_API void dj_hsparse_init(dj_hsparse *s);
/* Frees everything; s is empty again and may be reused. */
DJ_API void dj_hsparse_clear(dj_hsparse *s);

/* Finds the pattern of f's Hessian (dj_hessian_pattern_detect at x, or a
 * copy of the lower triangle of `known` when it is not NULL; x may then be
 * NULL), star-colors it (dj_color_star) and prepares the reading of every
 * entry. opts may be NULL. Errors: DJ_EINVAL, DJ_EDIM (known is not n×n),
 * those of the pattern and the coloring; s unchanged on error. */
DJ_API DJ_NODISCARD int dj_hsparse_analyze(dj_hsparse *s, const dj_fn *f, const double *x,
                                           const dj_pattern *known, const dj_opts *opts);

/* The nonzeros of the lower triangle of ∇²(wᵀf)(x): values[e] for entry e
 * of s->pattern, by one recording and ceil(colors/k) sweeps of k
 * directions, each direction the sum of one color's unit vectors; grad and
 * y as dj_hessian. With dj_pattern_rows(&s->pattern, rows) the values are
 * in COO form (rows, s->pattern.col, values), the lower triangle that
 * Ipopt's eval_h and SciPy's coo_matrix take. Errors: DJ_EINVAL (s not
 * analysed for f's n), DJ_ECHUNK, and those of dj_hessian. */
DJ_API DJ_NODISCARD int dj_sparse_hessian(double *values, double *grad, double *y,
                                          const dj_hsparse *s, const dj_fn *f, const double *x,
                                          const double *w, const dj_opts *opts,
                                          dj_report *report);

#ifdef __cplusplus
}
#endif

#endif /* DUALJAC_HESSIAN_H */
