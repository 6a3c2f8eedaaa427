/*
 * internal.h: helpers shared by the library's sources; not installed.
 */
#ifndef DUALJAC_INTERNAL_H
#define DUALJAC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dualjac.h"

/* Allocation goes through these so that a test can make the N-th one fail
 * (dj__alloc_fail_set) and prove every ENOMEM path. */
void *dj__malloc(size_t size);
void *dj__calloc(size_t count, size_t size);
void *dj__realloc(void *p, size_t size);
void dj__free(void *p);

/* Test-only: make the nth allocation from now on this thread fail (1 = the
 * next one); 0 turns failures off. Returns the allocations counted since the
 * last call, so a test can learn how many a call makes. */
DJ_API long dj__alloc_fail_set(long nth);

/* *out = a·b; returns 0 on overflow of size_t. */
static inline int dj__mul_size(size_t a, size_t b, size_t *out)
{
    if (b != 0 && a > SIZE_MAX / b)
        return 0;
    *out = a * b;
    return 1;
}

/* *out = the bytes of count elements of size bytes; returns 0 when no
 * object can be that large: the product overflows size_t, or exceeds
 * PTRDIFF_MAX, past which pointer arithmetic inside the object is undefined
 * (and an index times the element size wraps). Every size that reaches an
 * allocation or an index goes through this, in bytes, not in elements. */
static inline int dj__bytes(size_t count, size_t size, size_t *out)
{
    return dj__mul_size(count, size, out) && *out <= (size_t)PTRDIFF_MAX;
}

/* Whether an m×n matrix can go through BLAS: m and n fit in its integer
 * type (blasint: int, or 64 bits in an INTERFACE64 build), and the m·n
 * doubles in an object (dj__bytes). The layers check this before any BLAS
 * call; a cast would wrap 2^31 columns to a negative size. */
int dj__blas_dims(size_t m, size_t n);

/* An array of count elements of size bytes (at least one byte), or NULL
 * when it cannot exist (dj__bytes) or cannot be allocated. */
void *dj__malloc_array(size_t count, size_t size);

/* Scratch kept between calls: *p (of *cap elements of size bytes) replaced
 * by a fresh array of want elements when it is smaller, contents not kept.
 * DJ_OK, DJ_ERANGE or DJ_ENOMEM (then *p and *cap are unchanged). */
int dj__scratch_grow(void **p, size_t *cap, size_t want, size_t size);

/* Marks ws (may be NULL) in use by this call: DJ_OK, or DJ_EBUSY when
 * another call holds it (nothing is changed then). Every driver that takes
 * opts->ws holds it from before its first use to after its last. */
int dj__workspace_acquire(dj_workspace *ws);
void dj__workspace_release(dj_workspace *ws);

/* Whether the na doubles at a share memory with the nb at b (1 also when
 * such arrays cannot exist). NULL or empty arrays overlap nothing. */
int dj__overlap(const double *a, size_t na, const double *b, size_t nb);

/* Grows ws to at least size bytes (contents are not kept). A null ws means a
 * temporary that *tmp owns; the caller frees *tmp. Returns the buffer or NULL. */
void *dj__workspace_reserve(dj_workspace *ws, size_t size, void **tmp);
/* The same for the per-thread buffers of passes and sweeps (ws->pass_buf).
 * Without ws, *tmp is NULL or the temporary of an earlier call, replaced
 * (freed) only when the new one could be allocated; the caller frees *tmp. */
void *dj__workspace_reserve_passes(dj_workspace *ws, size_t size, void **tmp);

/* The value-and-tangents stride (K+1) of chunk width k. */
static inline size_t dj__stride(int k) { return (size_t)k + 1; }

/* Runs the dj_dualK instantiation of f on arrays of doubles with stride k+1.
 * Returns DJ_ENOTSUP when f lacks it. */
int dj__eval_chunk(const dj_fn *f, int k, double *y, const double *x);

/* Allocates the arrays of an m×n pattern with nnz entries into *out (its
 * old arrays are not freed); returns a status, *out untouched on failure. */
int dj__pattern_alloc(dj_pattern *out, size_t m, size_t n, size_t nnz);
/* Frees p's arrays and moves *fresh into *p. */
void dj__pattern_replace(dj_pattern *p, dj_pattern *fresh);
/* Sorts each row's columns ascending and drops duplicates in place, given n
 * zeroed bytes of scratch (left zeroed); returns the new nnz. */
size_t dj__pattern_sort_rows(dj_pattern *p, unsigned char *seen);

/* src's transpose into col_ptr (n + 1) and rows (nnz): the rows of column
 * j, ascending, are rows[col_ptr[j] .. col_ptr[j+1]). */
void dj__pattern_transpose_into(const dj_pattern *src, size_t *col_ptr, size_t *rows);

/* Greedy distance-2 coloring of p's columns (t: p's transpose) in the given
 * order (a permutation of the n columns; NULL: natural) into color; forbid
 * holds max_colors entries of scratch. Returns the colors used, or
 * SIZE_MAX as soon as a column would need more than max_colors (color is
 * then partial). Time: the sum over columns of the entries of their rows. */
size_t dj__greedy_columns(const dj_pattern *p, const dj_pattern *t, const size_t *order,
                          size_t *color, size_t *forbid, size_t max_colors);

/* Smallest-last order of the n vertices of the graph with adjacency
 * adj[ptr[v] .. ptr[v+1]) (no self loops): the coloring order in order.
 * Errors: DJ_ENOMEM. */
int dj__smallest_last(const size_t *ptr, const size_t *adj, size_t n, size_t *order);

#endif /* DUALJAC_INTERNAL_H */
