/* passes.h: the passes and sweeps of a Jacobian as jobs that passes.c runs
 * serially or on threads. The drivers (dense and sparse) say only how a
 * pass is seeded, where its results go and how they are checked. */
#ifndef DUALJAC_PASSES_H
#define DUALJAC_PASSES_H

#include "internal.h"

/* What a run did. */
typedef struct dj__run {
    int threads; /* threads that ran passes or sweeps */
    int finite;  /* 0 when a stored value was NaN or Inf */
    int why;     /* why that many threads: a dj_threads_why */
} dj__run;

/* count forward passes of f at x with k-wide multi-duals. */
typedef struct dj__passes {
    const dj_fn *f;
    const double *x;
    int k;
    size_t count;
    /* Sets (value 1) or clears (value 0) pass p's seeds in the inputs X
     * (n rows of stride k + 1; tangents are zero outside the seeds). */
    void (*seed)(const struct dj__passes *job, double *X, size_t p, double value);
    /* Stores pass p's outputs Y (m rows of stride k + 1); returns 0 when a
     * stored derivative is NaN or Inf, or 1 when the driver checks what was
     * stored itself. The output values are checked by the runner. */
    int (*store)(const struct dj__passes *job, const double *Y, size_t p);
    /* NULL, or nonzero when every derivative stored is finite: the check of
     * a store that returns 1, run once after the passes. */
    int (*finite)(const struct dj__passes *job);
    const void *ctx; /* the driver's data */
} dj__passes;

/* Runs the passes (count >= 1), y = f(x) from the first when y is not
 * NULL. threads as in dj_opts. Errors: DJ_ERANGE, DJ_ENOMEM, DJ_ENOTSUP. */
int dj__run_passes(const dj__passes *job, double *y, dj_workspace *ws, int threads,
                   dj__run *run);

/* X (n multi-duals of stride s) at the values x, every tangent zero. */
void dj__init_inputs(double *X, const double *x, size_t n, size_t s);

/* Nonzero when the m values of Y (stride s) are finite. Once per
 * Jacobian: every pass computes the same values. */
int dj__values_finite(const double *Y, size_t m, size_t s);

/* count reverse sweeps of width at most k over the recorded graph g. */
typedef struct dj__sweeps {
    const dj_graph *g;
    int k;
    size_t count;
    /* Sets (value 1) or clears (value 0) sweep r's seeds in U (kw×m, zero
     * outside the seeds) and returns kw, the sweep's width (<= k). */
    int (*seed)(const struct dj__sweeps *job, double *U, size_t r, double value);
    /* Stores sweep r's result JU (kw×n). */
    void (*store)(const struct dj__sweeps *job, const double *JU, size_t r, int kw);
    /* Nonzero when every derivative stored is finite; run once after the
     * sweeps. */
    int (*finite)(const struct dj__sweeps *job);
    const void *ctx;
} dj__sweeps;

/* Runs the sweeps (count >= 1). Errors: those of the graph's sweeps. */
int dj__run_sweeps(const dj__sweeps *job, dj_workspace *ws, int threads, dj__run *run);

/* One sweep r with the buffers at buf (work doubles of sweep work, then U
 * and JU); U is left zero. */
int dj__sweep_once(const dj__sweeps *job, double *buf, size_t work, size_t r);

/* The items of pass or sweep b of width k among count items (columns,
 * rows or colors): k, or what is left for the last one. */
static inline size_t dj__block_width(size_t count, size_t b, int k)
{
    size_t first = b * (size_t)k;
    return count - first < (size_t)k ? count - first : (size_t)k;
}

/* A dense Jacobian being filled: J stored as layout says, leading
 * dimension ld. The ctx of the dense drivers' jobs. */
typedef struct dj__dense {
    double *J;
    dj_layout layout;
    size_t ld;
} dj__dense;

/* The narrowest chunk width that holds w seeds. */
static inline int dj__width_for(size_t w)
{
    int k = 1;
    while ((size_t)k < w && k < DJ_CHUNK_MAX)
        k *= 2;
    return k;
}

#endif /* DUALJAC_PASSES_H */
