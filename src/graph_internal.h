/* graph_internal.h: the parts of the graph that only its sources see. */
#ifndef DUALJAC_GRAPH_INTERNAL_H
#define DUALJAC_GRAPH_INTERNAL_H

#include "internal.h"

/* The ids are 32-bit; the last one stays free so that counts fit too. */
#define DJ__GRAPH_MAX_NODES ((size_t)UINT32_MAX)

/* The node limit in force on this thread: DJ__GRAPH_MAX_NODES, or lower
 * while a test exercises the limit without 100 GB of memory. */
size_t dj__graph_node_limit(void);
/* Test-only: sets this thread's node limit (0 restores the real one) and
 * returns the previous one. */
DJ_API size_t dj__graph_limit_set(size_t limit);

enum dj__block_kind {
    DJ__BLOCK_LINEAR, /* y = W·x + b, W and b constants copied into data */
    DJ__BLOCK_DENSE,  /* y = W·x + b, W and b graph variables */
    DJ__BLOCK_CUSTOM  /* a user primitive with its own JVP and VJP */
};

/* A node that computes several outputs at once. Its outputs are the
 * consecutive nodes out .. out+m-1, each of op DJ_OP_BLOCK. Offsets, not
 * pointers, because the pools move when they grow. */
struct dj__block {
    int kind;
    uint32_t out;       /* first output node */
    size_t m, n;        /* outputs, inputs */
    size_t x_ids;       /* n input ids in g->ids */
    uint32_t x_first;   /* when the inputs are consecutive nodes: the first */
    int x_contiguous;
    int has_b;
    size_t w_ids;       /* DENSE: m·n ids of W, then m ids of b, in g->ids */
    size_t data;        /* LINEAR: W (m·n) then b (m); DENSE: W values (m·n),
                           then x values (n); CUSTOM: x (n), y (m), saved */
    const struct dj_primitive *prim; /* CUSTOM */
};

/* Appends count ids or doubles to the pools; returns the offset, or sets the
 * sticky status and returns SIZE_MAX. */
size_t dj__graph_push_ids(dj_graph *g, const uint32_t *ids, size_t count);
size_t dj__graph_push_data(dj_graph *g, const double *values, size_t count);
/* Appends a block and its m output nodes; returns the block or NULL. */
struct dj__block *dj__graph_push_block(dj_graph *g, int kind, size_t m, size_t n);

/* Records the sticky error (the first one wins). */
void dj__graph_fail(dj_graph *g, int status);

/* Grows g->work to hold count doubles; returns it or NULL. */
double *dj__graph_work(dj_graph *g, size_t count);

/* The largest max(m, n) over the blocks: the scratch rows a sweep needs. */
size_t dj__graph_block_dim(const dj_graph *g);

/* Block kernels: the reverse and forward sweeps of one block with k seeds
 * (A and T are count×k), and its recomputation in a replay (V values). */
void dj__block_reverse(const dj_graph *g, const struct dj__block *b, double *A, int k,
                       double *scratch);
void dj__block_forward(const dj_graph *g, const struct dj__block *b, double *T, int k,
                       double *scratch);
int dj__block_replay(dj_graph *g, struct dj__block *b, double *V, double *scratch);

/* The forward sweep of k tangents over every node and block: T (count×k)
 * holds the inputs' seeds (every other row zero) and receives every node's
 * tangents; scratch holds the blocks' (2·dj__graph_block_dim + 1)·k. */
void dj__graph_tangents(const dj_graph *g, double *T, int k, double *scratch);

/* Checks g and k for a sweep of width k and sets *doubles to the work it
 * needs: the count×k adjoints or tangents, then the blocks' scratch. */
int dj__graph_sweep_doubles(const dj_graph *g, int k, size_t *doubles);
/* dj_graph_vjp with the caller's work (dj__graph_sweep_doubles doubles):
 * g is only read, so threads may sweep one graph at once, each with its own
 * work. g and k must have passed dj__graph_sweep_doubles. */
int dj__graph_vjp_with(const dj_graph *g, double *JU, const double *U, int k, double *work);

/* Second-order sweeps (hessian_sweep.c). dj__graph_second_prepare checks
 * that g can be swept twice (the recording and the replay write the second
 * partials) and, in NaN-safe mode, whether they are all finite; its
 * errors: the sticky status, DJ_EBRANCH, DJ_EINVAL (no values kept),
 * DJ_ENOTSUP with *unsupported the name of a custom primitive on the
 * graph. dj__graph_hvp_doubles gives the work of a k-wide sweep;
 * dj__graph_hvp_with runs one with the caller's work, g only read, so
 * threads may sweep one prepared graph at once. */
int dj__graph_second_prepare(dj_graph *g, const char **unsupported);
int dj__graph_hvp_doubles(const dj_graph *g, int k, size_t *doubles);
int dj__graph_hvp_with(const dj_graph *g, double *HV, double *grad, const double *w,
                       const double *V, int k, double *work);

#endif
