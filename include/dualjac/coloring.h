/*
 * dualjac/coloring.h: colorings of a pattern's columns or rows.
 *
 * Two columns of J that have no row in common (structurally orthogonal) can
 * be seeded in the same forward direction: the product J·(e_a + e_b) holds
 * both columns without overlap. A column coloring gives such columns one
 * color, so ceil(colors/k) forward passes of width k give all of J. A row
 * coloring does the same for rows and reverse sweeps.
 *
 * The colorings are greedy (each item takes the smallest color its
 * neighbours do not have) over three orders: natural, largest-first and
 * smallest-last; the fewest colors win, the natural order on a tie. On a
 * banded matrix the natural order is optimal (colors = bandwidth). No column
 * coloring uses fewer colors than the most entries in one row, lower_bound.
 */
#ifndef DUALJAC_COLORING_H
#define DUALJAC_COLORING_H

#include <stddef.h>

#include "common.h"
#include "pattern.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How the items were ordered for the greedy coloring. */
typedef enum dj_order {
    DJ_ORDER_BEST = 0,      /* try all three, keep the fewest colors */
    DJ_ORDER_NATURAL,       /* 0, 1, 2, ... */
    DJ_ORDER_LARGEST_FIRST, /* most neighbours first */
    DJ_ORDER_SMALLEST_LAST  /* repeatedly remove the item of fewest
                               remaining neighbours; color in reverse */
} dj_order;

/* A coloring of `size` items (columns or rows). Arrays belong to it. */
typedef struct dj_coloring {
    size_t size;        /* items colored */
    size_t count;       /* colors used: color[i] < count */
    size_t lower_bound; /* no coloring of this pattern uses fewer */
    dj_order order;     /* the order that produced it */
    size_t *color;      /* size entries */
} dj_coloring;

/* Starts an empty coloring (no allocation); a null c is ignored. */
DJ_API void dj_coloring_init(dj_coloring *c);
/* Frees the array; the coloring is empty again and may be reused. */
DJ_API void dj_coloring_clear(dj_coloring *c);

/* Colors p's columns so that columns sharing a row differ. Time
 * O(sum over rows of entries²) per order tried, memory O(m + n + nnz); a
 * row holding every column short-cuts to one color per column.
 * Errors: DJ_EINVAL (null, bad order), DJ_ENOMEM (c unchanged). */
DJ_API DJ_NODISCARD int dj_color_columns(dj_coloring *c, const dj_pattern *p, dj_order order);

/* Colors p's rows so that rows sharing a column differ (the columns of the
 * transpose). Errors: as dj_color_columns. */
DJ_API DJ_NODISCARD int dj_color_rows(dj_coloring *c, const dj_pattern *p, dj_order order);

/* Returns nonzero when c is a valid column coloring of p: every row's
 * columns have distinct colors (a check for users passing their own). */
DJ_API int dj_coloring_valid(const dj_coloring *c, const dj_pattern *p);

/* A star coloring of the variables of a symmetric n×n pattern p (its lower
 * triangle, as dj_hessian_pattern_detect gives, or the whole): neighbours
 * (off-diagonal entries) differ, and every path on four variables has at
 * least three colors. Then one Hessian-vector product per color gives
 * every entry of the Hessian directly (dj_sparse_hessian): an arrowhead
 * takes 2 colors, a tridiagonal pattern 3, at any n. Greedy over the three
 * orders, largest-first first; an order that needs more colors than the
 * best so far stops early. lower_bound is 2 when p has an off-diagonal
 * entry, else 1. Time about O(entries) on patterns whose vertices have
 * bounded degree and on arrowheads, at most O(sum of squared degrees).
 * Errors: DJ_EINVAL (null, p not square, bad order), DJ_ERANGE, DJ_ENOMEM
 * (c unchanged). */
DJ_API DJ_NODISCARD int dj_color_star(dj_coloring *c, const dj_pattern *p, dj_order order);

/* Returns nonzero when c is a star coloring of the symmetric pattern p in
 * the sense the sparse Hessian needs: neighbours differ and every
 * off-diagonal entry can be read from the product of one of its two
 * colors. */
DJ_API int dj_star_coloring_valid(const dj_coloring *c, const dj_pattern *p);

#ifdef __cplusplus
}
#endif

#endif /* DUALJAC_COLORING_H */
