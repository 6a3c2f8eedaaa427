/* hessian_sweep.c: second-order sweeps over the recorded graph, forward over
 * reverse: Hessian-vector products of a weighted sum of the outputs.
 *
 * With tangents ṫ of every node along a direction (a forward sweep) and the
 * adjoints ā of wᵀf (a reverse sweep), the tangent of the adjoint, ā˙, is
 * what the reverse sweep gives when it is differentiated once more: a node
 * r = φ(a, b) with partials pa, pb passes
 *
 *     ā += pa·r̄                  ā˙ += pa·r̄˙ + (paa·ȧ + pab·ḃ)·r̄
 *     b̄ += pb·r̄                  b̄˙ += pb·r̄˙ + (pab·ȧ + pbb·ḃ)·r̄
 *
 * and at the inputs ā = ∇(wᵀf) and ā˙ = ∇²(wᵀf)·v. The second partials paa,
 * pab, pbb come from ops.h, evaluated once per recording (or replay) from the
 * node values the graph keeps. k directions share one sweep: the tangents
 * and adjoint tangents are k lanes, the adjoint one.
 */
#include <math.h>
#include <string.h>

#include "graph_internal.h"
#include "primitive_internal.h"

/* 1 when every first and second partial of g's scalar nodes is finite,
 * else 0 (NaN-safe mode then takes the careful kernels). A one-argument
 * node's second partial slot holds its constant operand (graph.h), which
 * is no partial. Branch-free: x - x is 0 for finite x, NaN otherwise. */
static int all_finite(const dj_graph *g)
{
    const dj__node *nd = g->node;
    const double *S = g->second;
    double acc = 0.0;
    for (size_t i = 1; i < g->count; i++) {
        double p1 = nd[i].arg[1] == i ? 0.0 : nd[i].partial[1];
        acc += (nd[i].partial[0] - nd[i].partial[0]) + (p1 - p1) + (S[3 * i] - S[3 * i]) +
               (S[3 * i + 1] - S[3 * i + 1]) + (S[3 * i + 2] - S[3 * i + 2]);
    }
    return acc == 0.0;
}

int dj__graph_second_prepare(dj_graph *g, const char **unsupported)
{
    if (unsupported != NULL)
        *unsupported = NULL;
    if (g == NULL)
        return DJ_EINVAL;
    if (g->status != DJ_OK)
        return g->status;
    if (g->stale)
        return DJ_EBRANCH;
    if (!g->has_values || g->values == NULL)
        return DJ_EINVAL;
    for (size_t b = 0; b < g->nblocks; b++)
        if (g->blocks[b].kind == DJ__BLOCK_CUSTOM) {
            if (unsupported != NULL)
                *unsupported = g->blocks[b].prim->name;
            return DJ_ENOTSUP;
        }
    /* the recording or the replay wrote the second partials (graph.h,
     * replay.c); whether they are all finite matters to NaN-safe mode only,
     * so only then is it looked at */
    if (g->second_finite < 0 && dj_nansafe())
        g->second_finite = all_finite(g);
    return DJ_OK;
}

/* ---- the reverse sweep of adjoints and their tangents ---------------------- */

/* Nodes hi down to lo with K lanes: A (count) the adjoints, AT (count×K)
 * their tangents, T (count×K) the forward tangents. */
#define DJ__HVP_NODES(K)                                                       \
    static void hvp_nodes_##K(const dj_graph *g, double *A, double *AT,         \
                              const double *T, size_t hi, size_t lo)           \
    {                                                                          \
        const dj__node *nd = g->node;                                          \
        const double *S = g->second;                                           \
        for (size_t i = hi + 1; i-- > lo;) {                                   \
            size_t a0 = nd[i].arg[0], a1 = nd[i].arg[1];                       \
            double a = A[i], p0 = nd[i].partial[0], p1 = nd[i].partial[1];     \
            double s00 = S[3 * i], s01 = S[3 * i + 1], s11 = S[3 * i + 2];     \
            A[a0] += p0 * a;                                                   \
            A[a1] += p1 * a;                                                   \
            const double *at = AT + i * K;                                     \
            double *at0 = AT + a0 * K, *at1 = AT + a1 * K;                     \
            if (s00 == 0 && s01 == 0 && s11 == 0) {                            \
                /* linear: no second-order term (and no 0·Inf from one) */     \
                DJ__UNROLL                                                     \
                for (size_t s = 0; s < K; s++) {                               \
                    double u = at[s];                                          \
                    at0[s] += p0 * u;                                          \
                    at1[s] += p1 * u;                                          \
                }                                                              \
                continue;                                                      \
            }                                                                  \
            /* a one-argument node's second slot is itself: read zeros */      \
            const double *t0 = T + a0 * K, *t1 = T + (a1 == i ? 0 : a1) * K;   \
            double c00 = s00 * a, c01 = s01 * a, c11 = s11 * a;                \
            DJ__UNROLL                                                         \
            for (size_t s = 0; s < K; s++) {                                   \
                double u = at[s], v0 = t0[s], v1 = t1[s];                      \
                at0[s] += p0 * u + c00 * v0 + c01 * v1;                        \
                at1[s] += p1 * u + c01 * v0 + c11 * v1;                        \
            }                                                                  \
        }                                                                      \
    }
/* One direction, the HVP's sweep: as hvp_nodes_K at K = 1, with the same
 * operations in the same order, but what node i owes node i - 1 (most
 * nodes feed the one recorded just before them) stays in registers for the
 * next step instead of a store and a reload (see reverse_nodes_1 in
 * sweep.c): that chain of store-to-load forwarding bounds a scalar sweep. */
static void hvp_nodes_1(const dj_graph *g, double *A, double *AT, const double *T, size_t hi,
                        size_t lo)
{
    const dj__node *nd = g->node;
    const double *S = g->second;
    double carry_a = 0.0, carry_u = 0.0; /* owed to node i by node i + 1 */
    for (size_t i = hi + 1; i-- > lo;) {
        size_t a0 = nd[i].arg[0], a1 = nd[i].arg[1];
        double a = A[i] + carry_a, u = AT[i] + carry_u;
        double p0 = nd[i].partial[0], p1 = nd[i].partial[1];
        double s00 = S[3 * i], s01 = S[3 * i + 1], s11 = S[3 * i + 2];
        double g0 = p0 * a, g1 = p1 * a, h0 = p0 * u, h1 = p1 * u;
        if (!(s00 == 0 && s01 == 0 && s11 == 0)) {
            /* a one-argument node's second slot is itself: read T[0] = 0 */
            double v0 = T[a0], v1 = T[a1 == i ? 0 : a1];
            double c00 = s00 * a, c01 = s01 * a, c11 = s11 * a;
            h0 = h0 + c00 * v0 + c01 * v1;
            h1 = h1 + c01 * v0 + c11 * v1;
        }
        carry_a = carry_u = 0.0;
        if (a0 + 1 == i) {
            carry_a += g0;
            carry_u += h0;
        } else {
            A[a0] += g0;
            AT[a0] += h0;
        }
        if (a1 + 1 == i) {
            carry_a += g1;
            carry_u += h1;
        } else {
            A[a1] += g1;
            AT[a1] += h1;
        }
    }
    A[lo - 1] += carry_a;
    AT[lo - 1] += carry_u;
}

DJ__HVP_NODES(2)
DJ__HVP_NODES(4)
DJ__HVP_NODES(8)
DJ__HVP_NODES(16)

/* x·y, but 0 when either is 0: NaN-safe mode's rule, direction by
 * direction. */
static inline double safe_mul(double x, double y) { return (x == 0 || y == 0) ? 0.0 : x * y; }

/* The same with NaN-safe products, for graphs with a partial that is not
 * finite while NaN-safe mode is on. */
static void hvp_nodes_safe(const dj_graph *g, double *A, double *AT, const double *T,
                           size_t hi, size_t lo, size_t K)
{
    const dj__node *nd = g->node;
    const double *S = g->second;
    for (size_t i = hi + 1; i-- > lo;) {
        size_t a0 = nd[i].arg[0], a1 = nd[i].arg[1];
        double a = A[i], p0 = nd[i].partial[0], p1 = nd[i].partial[1];
        double s00 = S[3 * i], s01 = S[3 * i + 1], s11 = S[3 * i + 2];
        A[a0] += safe_mul(p0, a);
        A[a1] += safe_mul(p1, a);
        const double *at = AT + i * K, *t0 = T + a0 * K, *t1 = T + (a1 == i ? 0 : a1) * K;
        double *at0 = AT + a0 * K, *at1 = AT + a1 * K;
        for (size_t s = 0; s < K; s++) {
            double u = at[s], v0 = t0[s], v1 = t1[s];
            double d0 = safe_mul(s00, v0) + safe_mul(s01, v1);
            double d1 = safe_mul(s01, v0) + safe_mul(s11, v1);
            at0[s] += safe_mul(p0, u) + safe_mul(d0, a);
            at1[s] += safe_mul(p1, u) + safe_mul(d1, a);
        }
    }
}

/* The forward tangents in NaN-safe mode: a zero tangent times an infinite
 * partial stays zero. */
static void tangents_safe(const dj_graph *g, double *T, size_t lo, size_t hi, size_t K)
{
    const dj__node *nd = g->node;
    for (size_t i = lo; i <= hi; i++) {
        if (g->op[i] == DJ_OP_INPUT)
            continue;
        double *t = T + i * K;
        const double *x0 = T + (size_t)nd[i].arg[0] * K, *x1 = T + (size_t)nd[i].arg[1] * K;
        double p0 = nd[i].partial[0], p1 = nd[i].partial[1];
        for (size_t s = 0; s < K; s++)
            t[s] = safe_mul(p0, x0[s]) + safe_mul(p1, x1[s]);
    }
}

typedef void hvp_nodes_fn(const dj_graph *g, double *A, double *AT, const double *T,
                          size_t hi, size_t lo);

static hvp_nodes_fn *hvp_kernel(int k)
{
    switch (k) {
    case 1: return hvp_nodes_1;
    case 2: return hvp_nodes_2;
    case 4: return hvp_nodes_4;
    case 8: return hvp_nodes_8;
    case 16: return hvp_nodes_16;
    default: return NULL;
    }
}

/* A dense block y = W·x + b with W and x variables is bilinear: beside the
 * first-order passes of its adjoints and their tangents, W's adjoint
 * tangents receive ȳ·ẋᵀ and x's receive Ẇᵀ·ȳ. A linear block (W constant)
 * has no second-order term. */
static void dense_second(const dj_graph *g, const struct dj__block *b, const double *A,
                         double *AT, const double *T, size_t K)
{
    size_t m = b->m, n = b->n;
    const uint32_t *xid = g->ids + b->x_ids, *wid = g->ids + b->w_ids;
    for (size_t i = 0; i < m; i++) {
        double ybar = A[b->out + i];
        if (ybar == 0)
            continue;
        for (size_t j = 0; j < n; j++) {
            size_t w = wid[i * n + j], x = xid[j];
            for (size_t s = 0; s < K; s++) {
                AT[w * K + s] += ybar * T[x * K + s];
                AT[x * K + s] += ybar * T[w * K + s];
            }
        }
    }
}

int dj__graph_hvp_doubles(const dj_graph *g, int k, size_t *doubles)
{
    size_t tangents;
    int status = dj__graph_sweep_doubles(g, k, &tangents);
    if (status != DJ_OK)
        return status;
    /* tangents (count×k) and block scratch, adjoint tangents (count×k),
     * adjoints (count) */
    size_t cells, bytes;
    if (!dj__mul_size(g->count, (size_t)k, &cells) || tangents + cells < tangents ||
        tangents + cells + g->count < g->count ||
        !dj__bytes(tangents + cells + g->count, sizeof(double), &bytes))
        return DJ_ERANGE;
    *doubles = tangents + cells + g->count;
    return DJ_OK;
}

int dj__graph_hvp_with(const dj_graph *g, double *HV, double *grad, const double *w,
                       const double *V, int k, double *work)
{
    size_t K = (size_t)k, m = g->noutputs, n = g->ninputs, count = g->count;
    size_t scratch_doubles = (2 * dj__graph_block_dim(g) + 1) * K;
    double *T = work, *scratch = T + count * K, *AT = scratch + scratch_doubles;
    double *A = AT + count * K;
    int careful = dj_nansafe() && g->second_finite != 1;

    /* forward: the tangents of every node along the k directions */
    memset(T, 0, count * K * sizeof *T);
    for (size_t s = 0; s < K; s++)
        for (size_t j = 0; j < n; j++)
            T[(size_t)g->inputs[j] * K + s] = V[s * n + j];
    if (careful) {
        size_t lo = 1;
        for (size_t b = 0; b < g->nblocks; b++) {
            const struct dj__block *blk = &g->blocks[b];
            if (blk->out > lo)
                tangents_safe(g, T, lo, blk->out - 1, K);
            dj__block_forward(g, blk, T, k, scratch);
            lo = blk->out + blk->m;
        }
        if (lo < count)
            tangents_safe(g, T, lo, count - 1, K);
    } else {
        dj__graph_tangents(g, T, k, scratch);
    }

    /* reverse: the adjoints of wᵀf and their tangents */
    memset(AT, 0, count * K * sizeof *AT);
    memset(A, 0, count * sizeof *A);
    for (size_t i = 0; i < m; i++)
        if (g->outputs[i] != 0)
            A[g->outputs[i]] += w ? w[i] : 1.0;
    hvp_nodes_fn *nodes = hvp_kernel(k);
    size_t hi = count - 1;
    for (size_t b = g->nblocks; b-- > 0;) {
        const struct dj__block *blk = &g->blocks[b];
        size_t last = blk->out + blk->m - 1;
        if (hi > last) {
            if (careful)
                hvp_nodes_safe(g, A, AT, T, hi, last + 1, K);
            else
                nodes(g, A, AT, T, hi, last + 1);
        }
        /* the tangents' pass before the adjoints': dense_second reads ȳ */
        dj__block_reverse(g, blk, AT, k, scratch);
        if (blk->kind == DJ__BLOCK_DENSE)
            dense_second(g, blk, A, AT, T, K);
        dj__block_reverse(g, blk, A, 1, scratch);
        hi = blk->out - 1;
    }
    size_t lo = 1;
    while (lo <= hi && g->op[lo] == DJ_OP_INPUT)
        lo++;
    if (hi >= lo) {
        if (careful)
            hvp_nodes_safe(g, A, AT, T, hi, lo, K);
        else
            nodes(g, A, AT, T, hi, lo);
    }
    for (size_t s = 0; s < K; s++)
        for (size_t j = 0; j < n; j++)
            HV[s * n + j] = AT[(size_t)g->inputs[j] * K + s];
    if (grad != NULL)
        for (size_t j = 0; j < n; j++)
            grad[j] = A[g->inputs[j]];
    return DJ_OK;
}

int dj_graph_hvp(dj_graph *g, double *HV, double *grad, const double *w, const double *V,
                 int k)
{
    size_t doubles;
    int status = dj__graph_hvp_doubles(g, k, &doubles);
    if (status != DJ_OK)
        return status;
    if (HV == NULL || V == NULL)
        return DJ_EINVAL;
    status = dj__graph_second_prepare(g, NULL);
    if (status != DJ_OK)
        return status;
    double *work = dj__graph_work(g, doubles);
    if (work == NULL)
        return DJ_ENOMEM;
    return dj__graph_hvp_with(g, HV, grad, w, V, k, work);
}
