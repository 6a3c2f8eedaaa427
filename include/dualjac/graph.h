/*
 * dualjac/graph.h: dj_var and the recorded operation graph (reverse mode).
 *
 * Running a function on dj_var records, for every operation, its op code, its
 * argument nodes and its local partial derivatives: the linearization of the
 * function at that point. Then
 *   - a reverse sweep seeded with u on the outputs gives uᵀJ (a VJP, by
 *     transposed seeding), k seeds per sweep;
 *   - a forward sweep seeded with v on the inputs gives J·v (a JVP);
 *   - a replay recomputes values and partials at a new x from the op codes,
 *     without calling the function again, and reports DJ_EBRANCH when a
 *     recorded comparison would now come out the other way.
 *
 * The graph is explicit: every dj_var points to the graph it was recorded on,
 * and a dj_var with no graph is a constant. Nothing is global, so threads
 * record on their own graphs independently.
 *
 * Lifecycle:
 *     dj_graph g;
 *     dj_graph_init(&g);
 *     dj_var x[2], y[1];
 *     dj_graph_inputs(&g, x, xval, 2);      // nodes for the inputs
 *     y[0] = dj_mul(x[0], dj_sin(x[1]));    // recorded
 *     dj_graph_outputs(&g, y, 1);
 *     dj_graph_vjp(&g, grad, u, 1);         // u^T J
 *     dj_graph_reset(&g);                   // record again, keeping memory
 *     dj_graph_clear(&g);                   // free
 *
 * Storage is arena-like: arrays that grow geometrically, nothing allocated per
 * operation. A scalar node takes DJ_GRAPH_NODE_BYTES (25) bytes. An allocation
 * failure or a graph past 2^32-1 nodes puts the graph in a sticky error state
 * (dj_graph_status): recording goes on computing values, and the sweeps
 * return the error.
 *
 * Branches: comparisons through dj_lt, dj_le, ... are recorded. A branch on
 * dj_value(x) directly is invisible to the graph; replay cannot detect it.
 */
#ifndef DUALJAC_GRAPH_H
#define DUALJAC_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "ops.h"
#include "double.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dj_graph dj_graph;

/* A graph variable: a value and the node that computed it. */
typedef struct dj_var {
    double v;     /* value */
    size_t id;    /* node in g (0 for a constant) */
    dj_graph *g;  /* the graph, or NULL for a constant */
} dj_var;

/* Op codes of the nodes. */
enum dj_op {
    DJ_OP_NULL = 0, /* node 0: where constants' adjoints go, never read */
    DJ_OP_INPUT,
    DJ_OP_BLOCK,    /* an output of a linear layer or custom primitive */
    DJ_OP_COMPARE,  /* a recorded comparison; no value */
    DJ_OP_FMA,      /* fma(a, b, c): args (a·b node, c) */
#define DJ__OP_UNARY_ENUM(name, value, partial, second, curved) DJ_OP_##name,
    DJ_UNARY_OPS(DJ__OP_UNARY_ENUM)
#undef DJ__OP_UNARY_ENUM
#define DJ__OP_BINARY_ENUM(name, value, partials, seconds, shape)              \
    DJ_OP_##name##_vv, DJ_OP_##name##_vd, DJ_OP_##name##_dv,
    DJ_BINARY_OPS(DJ__OP_BINARY_ENUM)
#undef DJ__OP_BINARY_ENUM
    DJ_OP_COUNT_
};

/* Bytes one scalar node takes: op code, two partials, two argument ids. A
 * node whose second argument is itself has one argument; its second partial
 * then holds the constant operand of x op c or c op x (0 for a unary op). */
#define DJ_GRAPH_NODE_BYTES (1 + 2 * 8 + 2 * 4)

/* A scalar node: its local partials and argument ids (private). */
typedef struct dj__node {
    double partial[2];
    uint32_t arg[2];
} dj__node;

/* The graph. The fields are private: use the functions below. */
struct dj_graph {
    unsigned char *op;
    dj__node *node;
    size_t count, capacity;      /* nodes, node 0 included */
    double *consts;              /* what replay needs of comparisons, in node order */
    size_t nconsts, consts_cap;
    struct dj__block *blocks;    /* linear layers and custom primitives */
    size_t nblocks, blocks_cap;
    uint32_t *ids;               /* block argument ids */
    size_t nids, ids_cap;
    double *data;                /* block data: matrices, saved values */
    size_t ndata, data_cap;
    uint32_t *inputs;
    size_t ninputs, inputs_cap;
    uint32_t *outputs;           /* 0 for an output that is a constant */
    double *output_values;
    size_t noutputs, outputs_cap;
    size_t ncompares;
    int status;                  /* sticky: first error while recording */
    int stale;                   /* a replay met a branch change */
    double *work;                /* sweeps and replay */
    size_t work_cap;
    double *values;              /* node values, for second-order sweeps */
    int keep_values;             /* recordings keep them (dj_graph_keep_values) */
    int has_values;              /* this recording kept them */
    double *second;              /* second partials, 3 a node, written by the
                                    recording and the replay (values kept) */
    size_t second_cap;           /* doubles held */
    unsigned long version;       /* changes with the recording and its point */
    int second_finite;           /* every first and second partial is finite:
                                    1, 0, or -1 not known yet */
};

/* ---- lifecycle ---------------------------------------------------------------- */

/* Starts an empty graph; allocates nothing. A null g is ignored. */
DJ_API void dj_graph_init(dj_graph *g);
/* Frees everything; g is empty again (a second clear is safe). */
DJ_API void dj_graph_clear(dj_graph *g);
/* Forgets the recording but keeps the memory, so a hot loop re-records
 * without allocating. */
DJ_API void dj_graph_reset(dj_graph *g);
/* Makes room for `nodes` nodes. Errors: DJ_ENOMEM, DJ_ERANGE. */
DJ_API DJ_NODISCARD int dj_graph_reserve(dj_graph *g, size_t nodes);
/* From the next recording on (on nonzero), also keeps every node's value,
 * 8 bytes a node, and its three second partials, 24 more, which
 * second-order sweeps (dj_graph_hvp) need; the
 * Hessian drivers turn it on for the graphs they record on. Errors:
 * DJ_EINVAL, DJ_ENOMEM (the graph is unchanged). */
DJ_API DJ_NODISCARD int dj_graph_keep_values(dj_graph *g, int on);

/* x[i] = a new input node with value values[i], for i < n. Errors: DJ_ENOMEM,
 * DJ_ERANGE (the graph's sticky status). */
DJ_API DJ_NODISCARD int dj_graph_inputs(dj_graph *g, dj_var *x, const double *values,
                                        size_t n);
/* Marks y[0..m) as the outputs, in order (constants allowed). Errors:
 * DJ_EGRAPH (a variable of another graph), DJ_ENOMEM. */
DJ_API DJ_NODISCARD int dj_graph_outputs(dj_graph *g, const dj_var *y, size_t m);

/* The first error met while recording, or DJ_OK. */
DJ_API int dj_graph_status(const dj_graph *g);
/* Number of nodes recorded (the null node excluded). */
DJ_API size_t dj_graph_size(const dj_graph *g);
/* Bytes of memory the graph holds now, everything included. */
DJ_API size_t dj_graph_bytes(const dj_graph *g);
/* The part of dj_graph_bytes that is scratch for sweeps and replays (k
 * doubles a node during a k-seed sweep), not the recording itself. */
DJ_API size_t dj_graph_work_bytes(const dj_graph *g);
/* Number of comparisons the recording depended on. */
DJ_API size_t dj_graph_compares(const dj_graph *g);
/* Number of inputs and outputs. */
DJ_API size_t dj_graph_ninputs(const dj_graph *g);
DJ_API size_t dj_graph_noutputs(const dj_graph *g);

/* ---- sweeps --------------------------------------------------------------------- */

/* Reverse sweep with k seeds at once: U is k×m row-major (one seed per row),
 * JU receives the k×n rows Uᵀ... that is JU[s] = U[s]ᵀ·J. k is 1, 2, 4, 8 or
 * 16. Errors: the sticky status, DJ_EBRANCH (stale after a replay), DJ_EDIM
 * (no outputs), DJ_ECHUNK, DJ_ENOMEM. */
DJ_API DJ_NODISCARD int dj_graph_vjp(dj_graph *g, double *JU, const double *U, int k);
/* Forward sweep with k tangents at once: V is k×n row-major, JV receives the
 * k×m rows JV[s] = J·V[s]. Errors as dj_graph_vjp. */
DJ_API DJ_NODISCARD int dj_graph_jvp(dj_graph *g, double *JV, const double *V, int k);
/* Second-order sweep with k directions at once, on a graph recorded with
 * its values kept (dj_graph_keep_values): with output weights w (m values,
 * NULL for all 1) and directions V (k×n row-major), HV receives the k×n rows
 * HV[s] = ∇²(wᵀf)·V[s] and grad, when not NULL, ∇(wᵀf) = wᵀJ. One forward
 * sweep of k tangents and one reverse sweep of the adjoint and its k
 * tangents. Errors: as dj_graph_vjp; DJ_EINVAL when the recording kept no
 * values; DJ_ENOTSUP when a custom primitive is on the graph (it has no
 * second-order rule). */
DJ_API DJ_NODISCARD int dj_graph_hvp(dj_graph *g, double *HV, double *grad, const double *w,
                                     const double *V, int k);
/* Recomputes values and partials at the new inputs x (n values), and writes
 * the outputs to y when not NULL; a graph that keeps values (its recording
 * did) also gets its second partials, as a recording writes them. Errors:
 * DJ_EBRANCH when a recorded comparison changes (the graph is then stale
 * until a successful replay or a new recording, and y is left untouched:
 * past the changed branch the recorded operations are not f's), the sticky
 * status, DJ_ENOMEM; on every error y is left untouched. */
DJ_API DJ_NODISCARD int dj_graph_replay(dj_graph *g, double *y, const double *x);

/* ---- recording: internals of the inline operations ------------------------------ */

/* Grows the node arrays; on failure sets the sticky status and returns 0. */
DJ_API int dj__graph_grow(dj_graph *g);
/* Appends a constant for replay; on failure sets the sticky status. */
DJ_API void dj__graph_push_const(dj_graph *g, double c);
/* Records a binary operation whose arguments belong to different graphs or
 * where one is a constant. */
DJ_API dj_var dj__graph_binary_mixed(int op_vv, dj_var a, dj_var b, double r, double pa,
                                     double pb);
/* Records a comparison with its outcome. */
DJ_API void dj__graph_compare(int kind, dj_var a, dj_var b, int outcome);

DJ_INLINE dj_var dj_var_const(double c)
{
    dj_var r;
    r.v = c;
    r.id = 0;
    r.g = NULL;
    return r;
}

DJ_INLINE dj_var dj__graph_push(dj_graph *g, int op, uint32_t a, uint32_t b, double pa,
                                    double pb, double v)
{
    if (DJ_UNLIKELY(g->count >= g->capacity) && !dj__graph_grow(g)) {
        dj_var r = dj_var_const(v);
        r.g = g; /* keeps the error reachable; id 0 has no derivative */
        return r;
    }
    /* Every pointer is read before the op code's store: a store through
     * unsigned char may alias g itself, and would make the compiler read
     * them again after it. */
    size_t i = g->count;
    dj__node *nd = g->node + i;
    unsigned char *opc = g->op + i;
    double *values = g->values, *second = g->second;
    g->count = i + 1;
    nd->partial[0] = pa;
    nd->partial[1] = pb;
    nd->arg[0] = a;
    nd->arg[1] = b;
    if (DJ_UNLIKELY(values != NULL)) {
        /* a second-order recording: the value, and second partials that
         * the operation sets when it has any */
        double *s = second + 3 * i;
        values[i] = v;
        s[0] = s[1] = s[2] = 0.0;
    }
    *opc = (unsigned char)op;
    dj_var r;
    r.v = v;
    r.id = (uint32_t)i;
    r.g = g;
    return r;
}

/* A one-argument node. Its unused second argument is the node itself (the
 * id it is about to get) with a zero partial: the reverse sweep then adds 0
 * to a slot nobody reads again, instead of chaining every unary node through
 * one shared slot (a store-to-load dependency that costs ~10 cycles a node). */
DJ_INLINE dj_var dj__graph_push1(dj_graph *g, int op, uint32_t a, double pa, double v)
{
    return dj__graph_push(g, op, a, (uint32_t)g->count, pa, 0.0, v);
}

/* A one-argument node whose replay needs the constant c (x op c, c op x).
 * The constant takes the second partial's slot, which a node that is its
 * own second argument does not use: the sweeps skip that slot, so the node
 * stays DJ_GRAPH_NODE_BYTES with nothing stored beside it. */
DJ_INLINE dj_var dj__graph_push_c(dj_graph *g, int op, uint32_t a, double pa, double v,
                                      double c)
{
    return dj__graph_push(g, op, a, (uint32_t)g->count, pa, c, v);
}

/* A two-argument node; x op x folds into one argument with the summed
 * partial, so the sweep does one update instead of two chained ones. */
DJ_INLINE dj_var dj__graph_push2(dj_graph *g, int op, uint32_t a, uint32_t b, double pa,
                                     double pb, double v)
{
    if (a == b)
        return dj__graph_push1(g, op, a, pa + pb, v);
    return dj__graph_push(g, op, a, b, pa, pb, v);
}

/* ---- the operations on dj_var (reached through generic.h) ---------------------- */

/* Node ids fit in 32 bits (a graph holds at most 2^32-1 nodes): the casts to
 * uint32_t below lose nothing and keep -Wconversion quiet for users. */

static inline double dj_var_value(dj_var a) { return a.v; }
/* A graph variable carries no tangent: 0. */
static inline double dj_var_tangent(dj_var a, int i) { (void)a, (void)i; return 0.0; }

/* With values kept (a second-order recording), an operation also stores
 * its second partials beside the node: each operation knows its own here,
 * so the Hessian sweeps need no pass that dispatches on op codes. A linear
 * operation (curved 0, shape 0) compiles to nothing more. */
#define DJ__VAR_UNARY(name, value, partial, second2, curved)                    \
    DJ_INLINE dj_var dj_var_##name(dj_var a)                                   \
    {                                                                          \
        double x = a.v, r = (value);                                           \
        if (a.g == NULL)                                                       \
            return dj_var_const(r);                                            \
        double p = (partial);                                                  \
        dj_var res = dj__graph_push1(a.g, DJ_OP_##name, (uint32_t)a.id, p, r); \
        if ((curved) && DJ_UNLIKELY(a.g->values != NULL) && res.id != 0)       \
            a.g->second[3 * res.id] = (second2);                               \
        (void)x;                                                               \
        return res;                                                            \
    }
DJ_UNARY_OPS(DJ__VAR_UNARY)
#undef DJ__VAR_UNARY

/* The second partials of a binary node r in its slots: (xx, xy, yy), or
 * for a node of one argument (x op x folded, x op c, c op x) its one second
 * derivative in slot 0. */
#define DJ__VAR_SECONDS(g_, res_, a_, b_, seconds, shape)                      \
    if ((shape) && DJ_UNLIKELY((g_)->values != NULL) && (res_).id != 0) {      \
        double pxx, pxy, pyy, *s_ = (g_)->second + 3 * (res_).id;              \
        (void)(seconds);                                                       \
        if ((a_).g == NULL)                                                    \
            s_[0] = pyy;                                                       \
        else if ((b_).g == NULL)                                               \
            s_[0] = pxx;                                                       \
        else if ((a_).id == (b_).id)                                           \
            s_[0] = pxx + 2.0 * pxy + pyy;                                     \
        else                                                                   \
            s_[0] = pxx, s_[1] = pxy, s_[2] = pyy;                             \
    }

#define DJ__VAR_BINARY(name, value, partials, seconds, shape)                  \
    DJ_INLINE dj_var dj_var_##name(dj_var a, dj_var b)                         \
    {                                                                          \
        const int want_x = 1, want_y = 1;                                      \
        double x = a.v, y = b.v, r = (value), px, py;                          \
        (void)want_x, (void)want_y;                                            \
        if (a.g == NULL && b.g == NULL)                                        \
            return dj_var_const(r);                                            \
        (void)(partials);                                                      \
        dj_var res;                                                            \
        if (DJ_UNLIKELY(a.g != b.g))                                           \
            res = dj__graph_binary_mixed(DJ_OP_##name##_vv, a, b, r, px, py);  \
        else                                                                   \
            res = dj__graph_push2(a.g, DJ_OP_##name##_vv, (uint32_t)a.id,      \
                                  (uint32_t)b.id, px, py, r);                  \
        if (res.g != NULL && (res.g == a.g || res.g == b.g))                   \
            DJ__VAR_SECONDS(res.g, res, a, b, seconds, shape)                  \
        return res;                                                            \
    }                                                                          \
    DJ_INLINE dj_var dj_var_##name##_d(dj_var a, double c)                     \
    {                                                                          \
        const int want_x = 1, want_y = 0;                                      \
        double x = a.v, y = c, r = (value), px, py;                            \
        (void)want_x, (void)want_y;                                            \
        if (a.g == NULL)                                                       \
            return dj_var_const(r);                                            \
        (void)(partials);                                                      \
        (void)py;                                                              \
        dj_var res = dj__graph_push_c(a.g, DJ_OP_##name##_vd, (uint32_t)a.id, px, r, c); \
        if (((shape) & DJ_XX) && DJ_UNLIKELY(a.g->values != NULL) && res.id != 0) { \
            double pxx, pxy, pyy;                                              \
            (void)(seconds), (void)pxy, (void)pyy;                             \
            a.g->second[3 * res.id] = pxx;                                     \
        }                                                                      \
        return res;                                                            \
    }                                                                          \
    DJ_INLINE dj_var dj_var_d_##name(double c, dj_var b)                       \
    {                                                                          \
        const int want_x = 0, want_y = 1;                                      \
        double x = c, y = b.v, r = (value), px, py;                            \
        (void)want_x, (void)want_y;                                            \
        if (b.g == NULL)                                                       \
            return dj_var_const(r);                                            \
        (void)(partials);                                                      \
        (void)px;                                                              \
        dj_var res = dj__graph_push_c(b.g, DJ_OP_##name##_dv, (uint32_t)b.id, py, r, c); \
        if (((shape) & DJ_YY) && DJ_UNLIKELY(b.g->values != NULL) && res.id != 0) { \
            double pxx, pxy, pyy;                                              \
            (void)(seconds), (void)pxx, (void)pxy;                             \
            b.g->second[3 * res.id] = pyy;                                     \
        }                                                                      \
        return res;                                                            \
    }
DJ_BINARY_OPS(DJ__VAR_BINARY)
#undef DJ__VAR_BINARY

/* Comparison kinds, in DJ_COMPARE_OPS order. */
enum dj_compare {
#define DJ__CMP_ENUM(name, op) DJ_CMP_##name,
    DJ_COMPARE_OPS(DJ__CMP_ENUM)
#undef DJ__CMP_ENUM
    DJ_CMP_COUNT_
};

#define DJ__VAR_COMPARE(name, op)                                              \
    static inline int dj_var_##name(dj_var a, dj_var b)                        \
    {                                                                          \
        int r = a.v op b.v;                                                    \
        if (a.g != NULL || b.g != NULL)                                        \
            dj__graph_compare(DJ_CMP_##name, a, b, r);                         \
        return r;                                                              \
    }                                                                          \
    static inline int dj_var_##name##_d(dj_var a, double c)                    \
    {                                                                          \
        return dj_var_##name(a, dj_var_const(c));                              \
    }                                                                          \
    static inline int dj_var_d_##name(double c, dj_var b)                      \
    {                                                                          \
        return dj_var_##name(dj_var_const(c), b);                              \
    }
DJ_COMPARE_OPS(DJ__VAR_COMPARE)
#undef DJ__VAR_COMPARE

/* fma(a, b, c) rounded once; recorded as a product node and an fma node. */
static inline dj_var dj_var_fma(dj_var a, dj_var b, dj_var c)
{
    double r = fma(a.v, b.v, c.v);
    dj_var t = dj_var_mul(a, b);
    if (t.g == NULL && c.g == NULL)
        return dj_var_const(r);
    if (t.g == NULL || c.g == NULL || t.g != c.g || t.g->op[t.id] != DJ_OP_mul_vv) {
        /* a constant factor or mixed graphs: an addition, one rounding apart */
        dj_var s = dj_var_add(t, c);
        s.v = r;
        return s;
    }
    return dj__graph_push2(t.g, DJ_OP_FMA, (uint32_t)t.id, (uint32_t)c.id, 1.0, 1.0, r);
}

/* The two steps of the generic dj_fma (see dual_template.h). */
typedef struct { dj_var a, b; } dj_var_fma_args_;
static inline dj_var_fma_args_ dj_var_fma_bind_(dj_var a, dj_var b)
{
    dj_var_fma_args_ r;
    r.a = a;
    r.b = b;
    return r;
}
static inline dj_var_fma_args_ dj_var_fma_bind_d_(dj_var a, double b)
{
    return dj_var_fma_bind_(a, dj_var_const(b));
}
static inline dj_var_fma_args_ dj_var_d_fma_bind_(double a, dj_var b)
{
    return dj_var_fma_bind_(dj_var_const(a), b);
}
static inline dj_var dj_var_fma_apply_(dj_var_fma_args_ p, dj_var c)
{
    return dj_var_fma(p.a, p.b, c);
}
static inline dj_var dj_var_fma_apply_d_(dj_var_fma_args_ p, double c)
{
    return dj_var_fma(p.a, p.b, dj_var_const(c));
}
static inline dj_var dj_var_d_fma_apply_(dj_double_fma_args_ p, dj_var c)
{
    return dj_var_fma(dj_var_const(p.a), dj_var_const(p.b), c);
}

/* *s = *s + b, *s - b, *s·b, *s/b (dj_add_to, dj_sub_from, dj_mul_by,
 * dj_div_by). */
DJ_INLINE void dj_var_add_to(dj_var *s, dj_var b) { *s = dj_var_add(*s, b); }
DJ_INLINE void dj_var_add_to_d(dj_var *s, double c) { *s = dj_var_add_d(*s, c); }
DJ_INLINE void dj_var_sub_from(dj_var *s, dj_var b) { *s = dj_var_sub(*s, b); }
DJ_INLINE void dj_var_sub_from_d(dj_var *s, double c) { *s = dj_var_sub_d(*s, c); }
DJ_INLINE void dj_var_mul_by(dj_var *s, dj_var b) { *s = dj_var_mul(*s, b); }
DJ_INLINE void dj_var_mul_by_d(dj_var *s, double c) { *s = dj_var_mul_d(*s, c); }
DJ_INLINE void dj_var_div_by(dj_var *s, dj_var b) { *s = dj_var_div(*s, b); }
DJ_INLINE void dj_var_div_by_d(dj_var *s, double c) { *s = dj_var_div_d(*s, c); }

/* x[0] + ... + x[n-1] and x[0]·...·x[n-1], left to right (the constants 0
 * and 1 for n = 0): n-1 nodes, as the loop would record. */
static inline dj_var dj_var_sum_n(const dj_var *x, size_t n)
{
    if (n == 0)
        return dj_var_const(0.0);
    dj_var s = x[0];
    for (size_t i = 1; i < n; i++)
        s = dj_var_add(s, x[i]);
    return s;
}

static inline dj_var dj_var_prod_n(const dj_var *x, size_t n)
{
    if (n == 0)
        return dj_var_const(1.0);
    dj_var p = x[0];
    for (size_t i = 1; i < n; i++)
        p = dj_var_mul(p, x[i]);
    return p;
}

/* ---- dense layers as single nodes ------------------------------------------------ */

/* Sizes BLAS cannot take (linalg.h) give NaN outputs and put x's graph in
 * the sticky DJ_ERANGE state. */

/* y = W·x + b with a constant W (m×n row-major, copied into the graph) and
 * constant b (may be NULL): one node whose VJP is Wᵀu (cblas_dgemv). */
DJ_API void dj_var_linear(dj_var *y, const double *W, const dj_var *x, const double *b,
                          size_t m, size_t n);

/* y = W·x + b where W (m×n row-major) and b (m, may be NULL) are graph
 * variables: one node whose VJP is Wᵀu for x, u·xᵀ for W (cblas_dger) and u
 * for b. This is the f(x, W) = Wx example of the backprop notes, with its two
 * VJPs vjp_x and vjp_W. */
DJ_API void dj_var_dense(dj_var *y, const dj_var *W, const dj_var *x, const dj_var *b,
                         size_t m, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* DUALJAC_GRAPH_H */
