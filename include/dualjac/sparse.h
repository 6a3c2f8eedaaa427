/*
 * dualjac/sparse.h: sparse Jacobians in a number of passes set by the
 * sparsity, not by n.
 *
 * Analyse once, then evaluate as often as needed:
 *
 *     dj_sparse s;
 *     dj_sparse_init(&s);
 *     if (dj_sparse_analyze(&s, &f, x0, NULL) != DJ_OK) ...   // pattern, colors
 *     double *v = malloc(s.pattern.nnz * sizeof *v);
 *     for (...) {
 *         if (dj_sparse_jacobian(v, y, &s, &f, x, NULL, &rep) != DJ_OK) ...
 *         // J in CSR: s.pattern.row_ptr, s.pattern.col, v
 *     }
 *     dj_sparse_clear(&s);
 *
 * Forward mode seeds each multi-dual slot with one color group of columns:
 * ceil(column colors / k) passes. Reverse mode seeds each sweep slot with one
 * color group of rows: one recording and ceil(row colors / k) sweeps. Auto
 * mode takes the cheaper by the cost model of dj_mode_auto, with the color
 * counts in place of n and m. A tridiagonal J takes one forward pass of
 * width 4 whatever n is.
 *
 * The pattern must hold at every point the Jacobian is asked for (true for
 * code whose branches do not depend on x, see pattern.h); an entry outside
 * it would be added into the entry of the same color and row.
 */
#ifndef DUALJAC_SPARSE_H
#define DUALJAC_SPARSE_H

#include <stddef.h>

#include "coloring.h"
#include "common.h"
#include "fn.h"
#include "jacobian.h"
#include "pattern.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What dj_sparse_analyze found. Read the public fields; the others are the
 * index arrays the driver uses (private). */
typedef struct dj_sparse {
    dj_pattern pattern;  /* J's entries in CSR; values come in this order */
    dj_coloring columns; /* column coloring, for forward passes */
    dj_coloring rows;    /* row coloring, for reverse sweeps */
    dj_mode mode;        /* what DJ_MODE_AUTO runs: forward or reverse */
    /* private */
    size_t *entry_row;     /* nnz: the row of each entry */
    size_t *entry_color;   /* nnz: the color of each entry's column */
    size_t *col_groups;    /* n: columns grouped by color */
    size_t *col_group_ptr; /* column colors + 1 */
    size_t *col_entries;   /* nnz: entries grouped by their column's color */
    size_t *col_entry_ptr; /* column colors + 1 */
    size_t *row_groups;    /* m: rows grouped by color */
    size_t *row_group_ptr; /* row colors + 1 */
    size_t *row_entries;   /* nnz: entries grouped by their row's color */
    size_t *row_entry_ptr; /* row colors + 1 */
} dj_sparse;

/* Starts an empty analysis (no allocation); a null s is ignored. */
DJ_API void dj_sparse_init(dj_sparse *s);
/* Frees everything; s is empty again and may be reused. */
DJ_API void dj_sparse_clear(dj_sparse *s);

/* Finds J's pattern (dj_pattern_detect at x, or a copy of `known` when it is
 * not NULL; x is then unused and may be NULL), colors its columns and rows
 * and picks the mode. Cost: one recording and the colorings (coloring.h).
 * Errors: DJ_EINVAL, DJ_EDIM (known's shape is not f's), those of
 * dj_pattern_detect and the colorings; s is unchanged on error. */
DJ_API DJ_NODISCARD int dj_sparse_analyze(dj_sparse *s, const dj_fn *f, const double *x,
                                          const dj_pattern *known);

/* The nonzeros of J = ∂f/∂x at x: values[e] for entry e of s->pattern
 * (nnz values), y = f(x) when y is not NULL. opts may be NULL: mode (auto
 * means s->mode), chunk, nansafe, strict, ws and threads are used; layout
 * and ld are not. report may be NULL; its colors field says how many color
 * groups were seeded. Errors: DJ_EINVAL (null, s not analysed for f's
 * shape, threads < 0, values or y overlapping x), DJ_ECHUNK, DJ_ENOTSUP,
 * DJ_ENOMEM, DJ_ERANGE, DJ_EBUSY (opts->ws in use by another call),
 * DJ_ENONFINITE (strict only; values are filled). */
DJ_API DJ_NODISCARD int dj_sparse_jacobian(double *values, double *y, const dj_sparse *s,
                                           const dj_fn *f, const double *x, const dj_opts *opts,
                                           dj_report *report);

/* Scatters values (p's order) into the dense m×n matrix J, zeros elsewhere,
 * stored as layout says with leading dimension ld (0 = n or m). For small
 * cases and checks. Errors: DJ_EINVAL, DJ_EDIM (ld too small), DJ_ERANGE
 * (J's bytes, outer size times ld, past PTRDIFF_MAX). */
DJ_API DJ_NODISCARD int dj_sparse_to_dense(double *J, const dj_pattern *p, const double *values,
                                           dj_layout layout, size_t ld);

#ifdef __cplusplus
}
#endif

#endif /* DUALJAC_SPARSE_H */
