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

/* Grows ws to at least size bytes (contents are not kept). A null ws means a
 * temporary that *tmp owns; the caller frees *tmp. Returns the buffer or NULL. */
void *dj__workspace_reserve(dj_workspace *ws, size_t size, void **tmp);

/* The value-and-tangents stride (K+1) of chunk width k. */
static inline size_t dj__stride(int k) { return (size_t)k + 1; }

/* Runs the dj_dualK instantiation of f on arrays of doubles with stride k+1.
 * Returns DJ_ENOTSUP when f lacks it. */
int dj__eval_chunk(const dj_fn *f, int k, double *y, const double *x);

/* Forward-mode Jacobian: columns by ceil(n/k) passes. */
int dj__jacobian_forward(double *J, double *y, const dj_fn *f, const double *x, int k,
                         dj_layout layout, size_t ld, dj_workspace *ws, dj_report *report);

/* Reverse-mode Jacobian: rows by ceil(m/k) sweeps over one recording. */
int dj__jacobian_reverse(double *J, double *y, const dj_fn *f, const double *x, int k,
                         dj_layout layout, size_t ld, dj_workspace *ws, dj_report *report);

/* Sets DJ_EVENT_NONFINITE when any of the count values is NaN or Inf. */
void dj__note_nonfinite(const double *v, size_t count);

/* Returns nonzero when all count values are finite. */
int dj__all_finite(const double *v, size_t count);

/* Raises DJ_EVENT_NONFINITE when y (m values, stride ys) or the m×n matrix J
 * (layout, ld) holds a NaN or Inf while every input x (n values) is finite:
 * the function produced it. */
void dj__note_produced_nonfinite(const double *J, dj_layout layout, size_t ld, const double *y,
                                 size_t ys, const double *x, size_t n, size_t m);

#endif /* DUALJAC_INTERNAL_H */
