/* sweep.c: reverse sweeps (VJPs by transposed seeding) and forward sweeps
 * (JVPs) over the recorded graph, k seeds at a time. */
#include <math.h>
#include <string.h>

#include "graph_internal.h"

/* Scalar nodes hi down to lo: each passes its adjoint to its two arguments,
 * times its local partials. Node 0 collects what constants would receive. A
 * node that is its own second argument (unary ops, x op x, and x op c whose
 * second partial slot holds c) adds into its own adjoint, which nothing
 * reads after this step: cheaper than a test. */
#define DJ__REVERSE_NODES(K)                                                   \
    static void reverse_nodes_##K(const dj_graph *g, double *A, size_t hi, size_t lo) \
    {                                                                          \
        const dj__node *nd = g->node;                                          \
        for (size_t i = hi + 1; i-- > lo;) {                                   \
            const double *a = A + i * K;                                       \
            double *x0 = A + (size_t)nd[i].arg[0] * K, *x1 = A + (size_t)nd[i].arg[1] * K; \
            double p0 = nd[i].partial[0], p1 = nd[i].partial[1];               \
            DJ__UNROLL                                                         \
            for (size_t s = 0; s < K; s++)                                     \
                x0[s] += p0 * a[s];                                            \
            DJ__UNROLL                                                         \
            for (size_t s = 0; s < K; s++)                                     \
                x1[s] += p1 * a[s];                                            \
        }                                                                      \
    }

/* Scalar nodes lo up to hi: each tangent is the partials times the
 * arguments' tangents; inputs keep their seeds. A node that is its own
 * second argument has one: its zero tangent times the second slot (a
 * constant operand, maybe Inf) must not enter. */
#define DJ__FORWARD_NODES(K)                                                   \
    static void forward_nodes_##K(const dj_graph *g, double *T, size_t lo, size_t hi) \
    {                                                                          \
        const dj__node *nd = g->node;                                          \
        for (size_t i = lo; i <= hi; i++) {                                    \
            if (g->op[i] == DJ_OP_INPUT)                                       \
                continue;                                                      \
            double *t = T + i * K;                                             \
            const double *x0 = T + (size_t)nd[i].arg[0] * K, *x1 = T + (size_t)nd[i].arg[1] * K; \
            double p0 = nd[i].partial[0], p1 = nd[i].arg[1] == i ? 0.0 : nd[i].partial[1]; \
            DJ__UNROLL                                                         \
            for (size_t s = 0; s < K; s++)                                     \
                t[s] = p0 * x0[s] + p1 * x1[s];                                \
        }                                                                      \
    }

/* One seed: most nodes feed the node recorded just before them, whose
 * adjoint is read in the very next step. Keeping that contribution in a
 * register (carry) instead of a store and a reload cuts the chain of
 * store-to-load forwarding that bounds a scalar sweep. */
static void reverse_nodes_1(const dj_graph *g, double *A, size_t hi, size_t lo)
{
    const dj__node *nd = g->node;
    double carry = 0.0; /* owed to node i by node i + 1 */
    for (size_t i = hi + 1; i-- > lo;) {
        double a = A[i] + carry;
        size_t a0 = nd[i].arg[0], a1 = nd[i].arg[1];
        double t0 = nd[i].partial[0] * a, t1 = nd[i].partial[1] * a;
        carry = 0.0;
        if (a0 + 1 == i)
            carry += t0;
        else
            A[a0] += t0;
        if (a1 + 1 == i)
            carry += t1;
        else
            A[a1] += t1;
    }
    A[lo - 1] += carry;
}

DJ__REVERSE_NODES(2)
DJ__REVERSE_NODES(4)
DJ__REVERSE_NODES(8)
DJ__REVERSE_NODES(16)
DJ__FORWARD_NODES(1)
DJ__FORWARD_NODES(2)
DJ__FORWARD_NODES(4)
DJ__FORWARD_NODES(8)
DJ__FORWARD_NODES(16)

typedef void nodes_fn(const dj_graph *g, double *A, size_t a, size_t b);

/* p·t, but 0 for a zero t when p is infinite or NaN: NaN-safe mode. */
static inline double safe_term(double p, double t)
{
    return t == 0.0 ? 0.0 : p * t;
}

/* NaN-safe mode (common.h) in the sweeps, so that reverse mode agrees with
 * forward mode at a pole or a domain edge: a zero adjoint (tangent) times an
 * infinite or NaN partial adds nothing. Only a node with a non-finite
 * partial takes the test; the mode is the thread's when the sweep starts. */
static void reverse_nodes_safe(const dj_graph *g, double *A, size_t hi, size_t lo, size_t K)
{
    const dj__node *nd = g->node;
    for (size_t i = hi + 1; i-- > lo;) {
        double *a = A + i * K, *x0 = A + (size_t)nd[i].arg[0] * K;
        double p0 = nd[i].partial[0], p1 = nd[i].partial[1];
        int one_arg = nd[i].arg[1] == i; /* p1 is 0 or a constant operand */
        if (isfinite(p0) && (one_arg || isfinite(p1))) {
            for (size_t s = 0; s < K; s++)
                x0[s] += p0 * a[s];
            if (!one_arg)
                for (size_t s = 0; s < K; s++)
                    A[(size_t)nd[i].arg[1] * K + s] += p1 * a[s];
            continue;
        }
        for (size_t s = 0; s < K; s++)
            x0[s] += safe_term(p0, a[s]);
        if (!one_arg)
            for (size_t s = 0; s < K; s++)
                A[(size_t)nd[i].arg[1] * K + s] += safe_term(p1, a[s]);
    }
}

static void forward_nodes_safe(const dj_graph *g, double *T, size_t lo, size_t hi, size_t K)
{
    const dj__node *nd = g->node;
    for (size_t i = lo; i <= hi; i++) {
        if (g->op[i] == DJ_OP_INPUT)
            continue;
        double *t = T + i * K;
        const double *x0 = T + (size_t)nd[i].arg[0] * K, *x1 = T + (size_t)nd[i].arg[1] * K;
        double p0 = nd[i].partial[0], p1 = nd[i].arg[1] == i ? 0.0 : nd[i].partial[1];
        for (size_t s = 0; s < K; s++)
            t[s] = safe_term(p0, x0[s]) + safe_term(p1, x1[s]);
    }
}

static nodes_fn *reverse_kernel(int k)
{
    switch (k) {
    case 1: return reverse_nodes_1;
    case 2: return reverse_nodes_2;
    case 4: return reverse_nodes_4;
    case 8: return reverse_nodes_8;
    case 16: return reverse_nodes_16;
    default: return NULL;
    }
}

static nodes_fn *forward_kernel(int k)
{
    switch (k) {
    case 1: return forward_nodes_1;
    case 2: return forward_nodes_2;
    case 4: return forward_nodes_4;
    case 8: return forward_nodes_8;
    case 16: return forward_nodes_16;
    default: return NULL;
    }
}

/* The scalar nodes from hi down to lo (reverse) or lo up to hi (forward),
 * NaN-safe when the thread's mode says so. */
static void reverse_nodes(const dj_graph *g, double *A, size_t hi, size_t lo, int k, int safe)
{
    if (safe)
        reverse_nodes_safe(g, A, hi, lo, (size_t)k);
    else
        reverse_kernel(k)(g, A, hi, lo);
}

static void forward_nodes(const dj_graph *g, double *T, size_t lo, size_t hi, int k, int safe)
{
    if (safe)
        forward_nodes_safe(g, T, lo, hi, (size_t)k);
    else
        forward_kernel(k)(g, T, lo, hi);
}

int dj__graph_sweep_doubles(const dj_graph *g, int k, size_t *doubles)
{
    if (g == NULL)
        return DJ_EINVAL;
    if (g->status != DJ_OK)
        return g->status;
    if (g->stale)
        return DJ_EBRANCH;
    if (reverse_kernel(k) == NULL)
        return DJ_ECHUNK;
    if (g->count == 0)
        return DJ_EDIM;
    size_t K = (size_t)k, cells, extra, dim = dj__graph_block_dim(g), bytes;
    if (dim > (SIZE_MAX - 1) / 2 || !dj__mul_size(g->count, K, &cells) ||
        !dj__mul_size(2 * dim + 1, K, &extra) || cells + extra < cells ||
        !dj__bytes(cells + extra, sizeof(double), &bytes))
        return DJ_ERANGE;
    *doubles = cells + extra;
    return DJ_OK;
}

int dj__graph_vjp_with(const dj_graph *g, double *JU, const double *U, int k, double *work)
{
    size_t K = (size_t)k, m = g->noutputs, n = g->ninputs;
    double *A = work, *scratch = work + g->count * K;
    memset(A, 0, g->count * K * sizeof *A);
    for (size_t s = 0; s < K; s++)
        for (size_t i = 0; i < m; i++)
            if (g->outputs[i] != 0)
                A[(size_t)g->outputs[i] * K + s] += U[s * m + i];
    int safe = dj_nansafe();
    size_t hi = g->count - 1;
    for (size_t b = g->nblocks; b-- > 0;) {
        const struct dj__block *blk = &g->blocks[b];
        size_t last = blk->out + blk->m - 1;
        if (hi > last)
            reverse_nodes(g, A, hi, last + 1, k, safe);
        dj__block_reverse(g, blk, A, k, scratch);
        hi = blk->out - 1;
    }
    /* The inputs recorded first are leaves with nothing to pass on. */
    size_t lo = 1;
    while (lo <= hi && g->op[lo] == DJ_OP_INPUT)
        lo++;
    if (hi >= lo)
        reverse_nodes(g, A, hi, lo, k, safe);
    for (size_t s = 0; s < K; s++)
        for (size_t j = 0; j < n; j++)
            JU[s * n + j] = A[(size_t)g->inputs[j] * K + s];
    return DJ_OK;
}

int dj_graph_vjp(dj_graph *g, double *JU, const double *U, int k)
{
    size_t doubles;
    int status = dj__graph_sweep_doubles(g, k, &doubles);
    if (status != DJ_OK)
        return status;
    if (JU == NULL || U == NULL)
        return DJ_EINVAL;
    double *work = dj__graph_work(g, doubles);
    if (work == NULL)
        return DJ_ENOMEM;
    return dj__graph_vjp_with(g, JU, U, k, work);
}

void dj__graph_tangents(const dj_graph *g, double *T, int k, double *scratch)
{
    int safe = dj_nansafe();
    size_t lo = 1;
    for (size_t b = 0; b < g->nblocks; b++) {
        const struct dj__block *blk = &g->blocks[b];
        if (blk->out > lo)
            forward_nodes(g, T, lo, blk->out - 1, k, safe);
        dj__block_forward(g, blk, T, k, scratch);
        lo = blk->out + blk->m;
    }
    if (lo < g->count)
        forward_nodes(g, T, lo, g->count - 1, k, safe);
}

int dj_graph_jvp(dj_graph *g, double *JV, const double *V, int k)
{
    size_t doubles;
    int status = dj__graph_sweep_doubles(g, k, &doubles);
    if (status != DJ_OK)
        return status;
    if (JV == NULL || V == NULL)
        return DJ_EINVAL;
    double *T = dj__graph_work(g, doubles);
    if (T == NULL)
        return DJ_ENOMEM;
    size_t K = (size_t)k, m = g->noutputs, n = g->ninputs;
    memset(T, 0, g->count * K * sizeof *T);
    for (size_t s = 0; s < K; s++)
        for (size_t j = 0; j < n; j++)
            T[(size_t)g->inputs[j] * K + s] = V[s * n + j];
    dj__graph_tangents(g, T, k, T + g->count * K);
    for (size_t s = 0; s < K; s++)
        for (size_t i = 0; i < m; i++)
            JV[s * m + i] = g->outputs[i] ? T[(size_t)g->outputs[i] * K + s] : 0.0;
    return DJ_OK;
}
