/*
 * dualjac/pattern.h: the nonzero pattern of a sparse Jacobian.
 *
 * A pattern lists, row by row, the columns where J may be nonzero, in
 * compressed sparse rows (CSR): the columns of row i are
 * col[row_ptr[i] .. row_ptr[i+1]-1], ascending. The sparse drivers
 * (sparse.h) store J's values in the same order, so a pattern and a value
 * array together are J in CSR; dj_pattern_rows gives the row indices for
 * coordinate (COO) form.
 *
 * dj_pattern_detect finds the pattern of a dj_fn without computing a
 * derivative: it records f on the graph at a point and follows, for every
 * output, the operations it depends on back to the inputs (the index sets
 * of sparsity propagation, computed backwards). The result never misses a
 * nonzero at that point and, for code whose branches do not depend on x, at
 * every point; it is exact except where a partial happens to vanish (x*y at
 * y = 0 keeps x's entry). floor, ceil, trunc, round and comparisons, whose
 * derivatives are identically zero, add no entry.
 */
#ifndef DUALJAC_PATTERN_H
#define DUALJAC_PATTERN_H

#include <stddef.h>

#include "common.h"
#include "fn.h"
#include "graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An m×n sparsity pattern in CSR. The arrays belong to the pattern. */
typedef struct dj_pattern {
    size_t m, n;     /* rows (outputs) and columns (inputs) */
    size_t nnz;      /* entries: row_ptr[m] */
    size_t *row_ptr; /* m + 1 offsets into col */
    size_t *col;     /* nnz column indices, ascending within each row */
} dj_pattern;

/* Starts an empty pattern (no allocation); a null p is ignored. */
DJ_API void dj_pattern_init(dj_pattern *p);
/* Frees the arrays; the pattern is empty again and may be reused. */
DJ_API void dj_pattern_clear(dj_pattern *p);

/* Sets p to the m×n pattern with entries (rows[e], cols[e]), e < nnz, in any
 * order; duplicates count once. Use it for a pattern known in advance.
 * Errors: DJ_EINVAL (null arrays with nnz > 0), DJ_EDIM (m or n zero, an
 * index out of range), DJ_ERANGE, DJ_ENOMEM. On error p is unchanged. */
DJ_API DJ_NODISCARD int dj_pattern_set(dj_pattern *p, size_t m, size_t n, size_t nnz,
                                       const size_t *rows, const size_t *cols);

/* Copies src into dst. Errors: DJ_EINVAL, DJ_ENOMEM (dst unchanged). */
DJ_API DJ_NODISCARD int dj_pattern_copy(dj_pattern *dst, const dj_pattern *src);

/* dst = the transpose of src (n×m). Errors: DJ_EINVAL, DJ_ERANGE, DJ_ENOMEM
 * (dst unchanged). dst must not be src. */
DJ_API DJ_NODISCARD int dj_pattern_transpose(dj_pattern *dst, const dj_pattern *src);

/* The pattern of the graph's recorded outputs in its inputs (m = outputs,
 * n = inputs). O(sum over outputs of the nodes each depends on) time,
 * O(graph nodes) scratch. Errors: DJ_EINVAL, the graph's sticky status,
 * DJ_EDIM (no inputs or outputs), DJ_ENOMEM (p unchanged). */
DJ_API DJ_NODISCARD int dj_pattern_of_graph(dj_pattern *p, const dj_graph *g);

/* The pattern of f's Jacobian, from one recording of f at x (see above).
 * Errors: those of dj_graph_record (DJ_ENOTSUP without a dj_var
 * instantiation) and of dj_pattern_of_graph; p is unchanged on error. */
DJ_API DJ_NODISCARD int dj_pattern_detect(dj_pattern *p, const dj_fn *f, const double *x);

/* rows[e] = the row of entry e, e < p->nnz: with p->col, the COO form. */
DJ_API void dj_pattern_rows(const dj_pattern *p, size_t *rows);

/* The most entries in one row: a lower bound on the colors of any column
 * coloring (those columns meet in that row and need distinct colors). */
DJ_API size_t dj_pattern_max_row(const dj_pattern *p);

/* Nonzero when (i, j) is an entry of p (binary search in row i). */
DJ_API int dj_pattern_has(const dj_pattern *p, size_t i, size_t j);

#ifdef __cplusplus
}
#endif

#endif /* DUALJAC_PATTERN_H */
