/*
 * dualjac/jacobian.h: the drivers. JVPs and full Jacobians of a dj_fn.
 *
 * Forward mode seeds k input directions at once in a k-wide multi-dual and
 * reads k columns of J per pass: ceil(n/k) passes for the whole Jacobian.
 * Reverse mode records f once on the graph (graph.h) and reads k rows of J
 * per reverse sweep: ceil(m/k) sweeps. Auto mode picks the cheaper.
 *
 * Every driver clears the calling thread's event word (common.h) on entry, so
 * after it returns dj_events() tells what that evaluation met: kinks, domain
 * edges, and DJ_EVENT_NONFINITE when an output value or derivative is NaN or
 * Inf although every input was finite.
 *
 * Outputs come first, then the function and its inputs, then options. Output
 * arrays must not overlap the inputs (the drivers check, and return
 * DJ_EINVAL). Nothing is kept between calls except in a dj_workspace the
 * caller passes, which makes repeated calls allocation-free; a workspace
 * serves one call at a time (DJ_EBUSY otherwise).
 */
#ifndef DUALJAC_JACOBIAN_H
#define DUALJAC_JACOBIAN_H

#include <stddef.h>

#include "common.h"
#include "fn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How a Jacobian is computed. */
typedef enum dj_mode {
    DJ_MODE_AUTO = 0, /* the cheaper of forward and reverse */
    DJ_MODE_FORWARD,  /* columns, k per pass, with multi-duals */
    DJ_MODE_REVERSE   /* rows, by transposed seeding on the recorded graph */
} dj_mode;

/* How J (m×n) is stored. */
typedef enum dj_layout {
    DJ_ROW_MAJOR = 0, /* J[i*ld + j], ld >= n */
    DJ_COL_MAJOR,     /* J[i + j*ld], ld >= m (Fortran, LAPACK) */
    DJ_PACKED_LOWER   /* Hessians only (hessian.h): H_ij, j <= i, at i(i+1)/2 + j */
} dj_layout;

/* Buffers a driver keeps between calls: grown on demand, freed by clear.
 *
 * A workspace belongs to one call at a time. A driver (dj_jacobian, dj_jvp,
 * dj_vjp, dj_gradient, dj_sparse_jacobian) marks it busy for the length of
 * the call, and a second call that is given the same workspace meanwhile,
 * from another thread, returns DJ_EBUSY at once without touching it: give
 * each thread its own workspace. (A driver's own threads never share one:
 * the workspace holds a set of buffers per thread.) dj_workspace_clear must
 * not run while a call uses the workspace. */
typedef struct dj_workspace {
    void *buf;       /* one block, split by each driver */
    size_t size;     /* its size in bytes */
    dj_graph *graph; /* reverse mode's graph, kept for its capacity */
    void *pass_buf;  /* the passes' or sweeps' buffers, one set per thread */
    size_t pass_size; /* its size in bytes */
    int busy;        /* nonzero while a call uses it; set and cleared atomically */
    int threads_slow;     /* the self-check: automatic threaded runs in a row that
                             were slower than their serial estimate */
    double threads_retry; /* until then (seconds, the library's clock) automatic
                             threads stay serial with this workspace */
    void *colored;        /* private: dj_jacobian's last pattern and coloring
                             (dj_sparsity), allocated on first use */
} dj_workspace;

/* Starts an empty workspace (no allocation). A null ws is ignored. */
DJ_API void dj_workspace_init(dj_workspace *ws);
/* Frees the buffers; the workspace is empty again and may be reused. A null
 * ws is ignored. */
DJ_API void dj_workspace_clear(dj_workspace *ws);

/* Whether dj_jacobian in auto mode may use J's sparsity (dj_opts.sparsity).
 *
 * DJ_SPARSITY_AUTO: when forward mode would take 12 passes or more, the
 * driver records f at x once, finds J's pattern there (stopping early when
 * a row is dense) and colors its columns; if the colored passes are at most
 * half the dense ones, it runs those and writes the dense J, zeros and all.
 * The entries equal those of the dense passes (the same operations on each
 * column's tangent, plus exact zeros from the other columns of its color;
 * only the sign of a zero can differ). The report's colors field says it
 * happened (0 otherwise), passes how many ran, graph_nodes the recording's
 * size. With a workspace, the pattern and coloring of the last call are
 * kept and reused when the pattern found is the same, and a function found
 * dense is not examined again for its next 63 calls on that workspace.
 * The pattern is found at every call, so a function whose branches change
 * its pattern gets the right J at every point; the recording is one more
 * call of f's dj_var instantiation. Explicit DJ_MODE_FORWARD and
 * DJ_MODE_REVERSE never do this.
 * DJ_SPARSITY_DENSE: ceil(n/k) dense passes (or the reverse sweeps) always. */
typedef enum dj_sparsity {
    DJ_SPARSITY_AUTO = 0,
    DJ_SPARSITY_DENSE
} dj_sparsity;

/* Options of dj_jacobian. Zero-initialised means: auto mode, automatic chunk,
 * row-major with ld = n, IEEE NaN propagation, no workspace, automatic
 * threads.
 *
 * Threads: the passes (forward) and sweeps (reverse) of one Jacobian are
 * independent, and a build with OpenMP (the default where the compiler has
 * it, see dj_threads_max) runs them on several threads, each with its own
 * buffers, handing out one pass at a time (a thread that loses its core
 * does fewer). The values are bitwise those of one thread. threads = 1 is
 * serial; threads = t > 1 uses at most t (one per pass). With threads = 0
 * (automatic) the driver times its first pass (and a second before starting
 * threads, the quicker counts) and stays serial when the rest would take
 * less than about 1 ms, when it is called inside an active OpenMP parallel
 * region, when the process is one of several MPI ranks on the node (the
 * launchers' variables OMPI_COMM_WORLD_LOCAL_SIZE, MPI_LOCALNRANKS,
 * PMI_LOCAL_SIZE, PMIX_LOCAL_SIZE, MV2_COMM_WORLD_LOCAL_SIZE,
 * SLURM_NTASKS_PER_NODE...), or when only one CPU is free; otherwise it
 * starts one thread per free CPU: the CPUs the process may use (affinity
 * mask, cgroup CPU quota, OMP_NUM_THREADS, OMP_THREAD_LIMIT) less those that
 * other runnable threads occupy now. With a workspace the driver checks
 * itself: an automatic threaded run slower than its serial estimate makes
 * the automatic runs with that workspace serial for a while (1 s, doubling
 * at each further slow run up to 64 s; a fast one resets it). The report
 * says how many threads ran and why (dj_threads_why). Threads call f's
 * instantiations (and custom primitives) at the same time: they must not
 * write shared state. Under an enclosing OpenMP parallel region a driver
 * runs serially, whatever opts->threads says. */
typedef struct dj_opts {
    dj_mode mode;
    int chunk;          /* 0 = automatic, else 1, 2, 4, 8 or 16 */
    dj_layout layout;
    size_t ld;          /* leading dimension; 0 = n (row-major) or m */
    int nansafe;        /* nonzero: NaN-safe mode during this call */
    int strict;         /* nonzero: return DJ_ENONFINITE on a non-finite output */
    dj_workspace *ws;   /* optional: buffers reused across calls */
    int threads;        /* 0 = automatic, 1 = serial, t = at most t threads */
    dj_sparsity sparsity; /* dj_jacobian in auto mode: DJ_SPARSITY_AUTO (0) may
                             find J's pattern and run colored passes */
} dj_opts;

/* What a driver did. */
typedef struct dj_report {
    dj_mode mode;       /* the mode used (forward or reverse, never auto) */
    int chunk;          /* directions per pass or sweep */
    size_t passes;      /* forward passes */
    size_t sweeps;      /* reverse sweeps */
    size_t graph_nodes; /* size of the recorded graph (reverse mode) */
    unsigned events;    /* dj_event bits met during the call */
    int threads;        /* threads that ran passes or sweeps */
    size_t colors;      /* color groups seeded (sparse drivers), else 0 */
    const char *unsupported; /* DJ_ENOTSUP from a Hessian driver: the custom
                                primitive without a second-order rule */
    int threads_why;    /* why that many threads: a dj_threads_why */
} dj_report;

/* Why a driver ran on the threads it did (dj_report.threads_why). */
typedef enum dj_threads_why {
    DJ_THREADS_FEW = 0,   /* serial: fewer than two passes or sweeps to share
                             (and drivers that do not thread) */
    DJ_THREADS_ASKED,     /* opts->threads > 0: as asked, at most one per pass */
    DJ_THREADS_NO_OPENMP, /* serial: the library was built without OpenMP */
    DJ_THREADS_SHORT,     /* serial: the work left would take under about 1 ms */
    DJ_THREADS_NESTED,    /* serial: called inside an active OpenMP parallel region */
    DJ_THREADS_MPI,       /* serial: one of several MPI ranks on this node */
    DJ_THREADS_ONE_CPU,   /* serial: the process may use one CPU (affinity,
                             cgroup quota, OMP_NUM_THREADS, OMP_THREAD_LIMIT) */
    DJ_THREADS_LOADED,    /* serial: other work keeps all but one usable CPU busy */
    DJ_THREADS_SELF_CHECK, /* serial: threads were slower than serial with this
                              workspace a moment ago */
    DJ_THREADS_FREE_CPUS, /* automatic: one thread per free usable CPU */
    DJ_THREADS_NO_MEMORY, /* serial: the threads' buffers could not be allocated */
    DJ_THREADS_WHY_COUNT_
} dj_threads_why;

/* A short phrase for why (a dj_threads_why), e.g. "other work keeps the
 * CPUs busy"; "unknown" for other values. */
DJ_API const char *dj_threads_why_name(int why);

/* The widths of the multi-dual family, for DJ_ECHUNK checks. */
#define DJ_CHUNK_MAX 16

/* The most threads a driver would use here: OpenMP's limit (omp_get_max_threads,
 * set by OMP_NUM_THREADS), or 1 in a build without OpenMP. */
DJ_API int dj_threads_max(void);

/* The threads an automatic driver (threads = 0) would start now for long
 * work of many passes, before any workspace's self-check, and why (a
 * dj_threads_why, when why is not NULL). Reads the machine's load: a few
 * microseconds, cached for 20 ms. */
DJ_API int dj_threads_auto(int *why);

/* Returns nonzero when k is a chunk width the library has (1, 2, 4, 8, 16). */
DJ_API int dj_chunk_valid(int k);

/* Returns the chunk width dj_jacobian picks for n inputs in forward mode. */
DJ_API int dj_chunk_auto(size_t n);

/* The mode DJ_MODE_AUTO picks for f : R^n -> R^m (forward or reverse), from
 * the cost model of the README ("Forward or reverse?"): ceil(n/k) forward
 * passes against one recording and ceil(m/k) reverse sweeps. */
DJ_API dj_mode dj_mode_auto(size_t n, size_t m);

/* y = f(x) and jv = J(x)·v in one forward pass. y and opts may be NULL
 * (opts: nansafe, strict and ws are used). Errors: DJ_EINVAL (null f, x, v
 * or jv; y or jv overlapping x, v or each other), those of dj_fn_check,
 * DJ_ENOTSUP (no dj_dual instantiation), DJ_ENOMEM, DJ_ERANGE, DJ_EBUSY
 * (opts->ws in use by another call), DJ_ENONFINITE (strict only). */
DJ_API DJ_NODISCARD int dj_jvp(double *y, double *jv, const dj_fn *f, const double *x,
                               const double *v, const dj_opts *opts);

/* y = f(x) and ju = uᵀ·J(x) (n values) by one recording and one reverse
 * sweep. y and opts may be NULL. Errors: as dj_jvp, DJ_ENOTSUP (no dj_var
 * instantiation), the graph's errors. */
DJ_API DJ_NODISCARD int dj_vjp(double *y, double *ju, const dj_fn *f, const double *x,
                               const double *u, const dj_opts *opts);

/* grad = ∇f(x) for m = 1 (reverse mode), *y = f(x) when y is not NULL.
 * Errors: DJ_EDIM when m != 1, otherwise as dj_vjp. */
DJ_API DJ_NODISCARD int dj_gradient(double *grad, double *y, const dj_fn *f, const double *x,
                                    const dj_opts *opts);

/* Records f at x on g (reset first): inputs, the dj_var evaluation, outputs.
 * The graph can then be swept (dj_graph_vjp, dj_graph_jvp) and replayed at
 * other points. Errors: as dj_vjp. */
DJ_API DJ_NODISCARD int dj_graph_record(dj_graph *g, const dj_fn *f, const double *x);

/* J = ∂f/∂x at x, m×n, stored as opts says; y = f(x) when y is not NULL.
 * opts and report may be NULL. Forward mode costs ceil(n/k) passes, reverse
 * mode one recording and ceil(m/k) sweeps; report says which ran. One
 * forward pass with (n + m)(k + 1) <= 512 allocates nothing, workspace or
 * not (k = 16: n + m <= 30). In auto mode, a J whose columns color into at
 * most half the passes is found by colored passes (dj_sparsity).
 * Errors: DJ_EINVAL (also threads < 0, a bad sparsity, y or J overlapping
 * x, J overlapping y), DJ_EDIM (ld too small), DJ_ECHUNK, DJ_EBUSY
 * (opts->ws in use by another call), DJ_ERANGE (J's bytes, m or n times ld
 * times 8, or another size past PTRDIFF_MAX), DJ_ENOMEM, DJ_ENOTSUP,
 * DJ_ENONFINITE (strict only; J is filled). */
DJ_API DJ_NODISCARD int dj_jacobian(double *J, double *y, const dj_fn *f, const double *x,
                                    const dj_opts *opts, dj_report *report);

#ifdef __cplusplus
}
#endif

#endif /* DUALJAC_JACOBIAN_H */
