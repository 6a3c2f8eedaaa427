/* replay.c: re-evaluating a recorded graph at new inputs from its op codes.
 * Values and partials come from the same table (ops.h) as the recording. */
#include <math.h>
#include <string.h>

#include "graph_internal.h"

/* Evaluates a recorded comparison again; returns 1 when its outcome changed. */
static int compare_changed(const dj_graph *g, size_t i, const double *V, size_t *ci)
{
    int code = (int)g->consts[(*ci)++];
    int kind = code / 2, outcome = code % 2;
    double a = g->node[i].arg[0] ? V[g->node[i].arg[0]] : g->consts[(*ci)++];
    double b = g->node[i].arg[1] ? V[g->node[i].arg[1]] : g->consts[(*ci)++];
    int now = 0;
    switch (kind) {
#define DJ__CMP_CASE(name, op)                                                 \
    case DJ_CMP_##name:                                                        \
        now = a op b;                                                          \
        break;
        DJ_COMPARE_OPS(DJ__CMP_CASE)
#undef DJ__CMP_CASE
    default:
        break;
    }
    return now != outcome;
}

/* Nodes 1.. of g at the inputs xin: values into V, first partials into the
 * nodes and, when S is not NULL (a graph that keeps values), second
 * partials into S as the recording writes them (graph.h), so that the
 * Hessian sweeps need no pass of their own after a replay. Inlined twice,
 * with and without S, so the first-order replay pays nothing for it.
 * Returns a status, or 1 when a recorded comparison changed outcome. */
DJ_INLINE int replay_nodes(dj_graph *g, double *V, double *scratch, const double *xin,
                           double *S)
{
    dj__node *nd = g->node;
    size_t ci = 0, input = 0, block = 0;
    int branch_changed = 0;
    V[0] = 0.0;
    for (size_t i = 1; i < g->count; i++) {
        double *s = S != NULL ? S + 3 * i : NULL;
        if (S != NULL)
            s[0] = s[1] = s[2] = 0.0;
        switch (g->op[i]) {
        case DJ_OP_INPUT:
            V[i] = xin[input++];
            break;
        case DJ_OP_BLOCK: {
            /* a block's second-order rule is its own (hessian_sweep.c) */
            struct dj__block *b = &g->blocks[block++];
            int status = dj__block_replay(g, b, V, scratch);
            if (status != DJ_OK)
                return status;
            if (S != NULL)
                memset(S + 3 * i, 0, 3 * b->m * sizeof *S);
            i = b->out + b->m - 1;
            break;
        }
        case DJ_OP_COMPARE:
            branch_changed |= compare_changed(g, i, V, &ci);
            break;
        case DJ_OP_FMA: {
            /* arg 0 is the product node a·b; fma rounds once; its addition
             * is linear */
            uint32_t t = nd[i].arg[0];
            uint32_t b = nd[t].arg[1] == t ? nd[t].arg[0] : nd[t].arg[1];
            V[i] = fma(V[nd[t].arg[0]], V[b], V[nd[i].arg[1]]);
            break;
        }
#define DJ__UNARY_CASE(name, value, deriv, second, curved)                     \
    case DJ_OP_##name: {                                                       \
        double x = V[nd[i].arg[0]], r = (value), p = (deriv);                  \
        V[i] = r;                                                              \
        nd[i].partial[0] = p;                                                  \
        if ((curved) && S != NULL)                                             \
            s[0] = (second);                                                   \
        break;                                                                 \
    }
            DJ_UNARY_OPS(DJ__UNARY_CASE)
#undef DJ__UNARY_CASE
#define DJ__BINARY_CASE(name, value, partials, seconds, shape)                 \
    case DJ_OP_##name##_vv: {                                                  \
        /* a second argument pointing at the node itself means x op x */       \
        int same = nd[i].arg[1] == i;                                          \
        const int want_x = 1, want_y = 1;                                      \
        double x = V[nd[i].arg[0]], y = V[same ? nd[i].arg[0] : nd[i].arg[1]]; \
        double r = (value), px, py;                                            \
        (void)want_x, (void)want_y, (void)(partials);                          \
        V[i] = r;                                                              \
        nd[i].partial[0] = same ? px + py : px;                                \
        nd[i].partial[1] = same ? 0.0 : py;                                    \
        if ((shape) && S != NULL) {                                            \
            double pxx, pxy, pyy;                                              \
            (void)(seconds);                                                   \
            if (same) {                                                        \
                s[0] = pxx + 2.0 * pxy + pyy;                                  \
            } else {                                                           \
                s[0] = pxx;                                                    \
                s[1] = pxy;                                                    \
                s[2] = pyy;                                                    \
            }                                                                  \
        }                                                                      \
        break;                                                                 \
    }                                                                          \
    case DJ_OP_##name##_vd: {                                                  \
        /* the constant sits in the second partial's slot (graph.h) */         \
        const int want_x = 1, want_y = 0;                                      \
        double x = V[nd[i].arg[0]], y = nd[i].partial[1], r = (value), px, py; \
        (void)want_x, (void)want_y, (void)(partials);                          \
        (void)py;                                                              \
        V[i] = r;                                                              \
        nd[i].partial[0] = px;                                                 \
        if ((shape) && S != NULL) {                                            \
            double pxx, pxy, pyy;                                              \
            (void)(seconds), (void)pxy, (void)pyy;                             \
            s[0] = pxx;                                                        \
        }                                                                      \
        break;                                                                 \
    }                                                                          \
    case DJ_OP_##name##_dv: {                                                  \
        const int want_x = 0, want_y = 1;                                      \
        double x = nd[i].partial[1], y = V[nd[i].arg[0]], r = (value), px, py; \
        (void)want_x, (void)want_y, (void)(partials);                          \
        (void)px;                                                              \
        V[i] = r;                                                              \
        nd[i].partial[0] = py;                                                 \
        if ((shape) && S != NULL) {                                            \
            double pxx, pxy, pyy;                                              \
            (void)(seconds), (void)pxx, (void)pxy;                             \
            s[0] = pyy;                                                        \
        }                                                                      \
        break;                                                                 \
    }
            DJ_BINARY_OPS(DJ__BINARY_CASE)
#undef DJ__BINARY_CASE
        default:
            break;
        }
    }
    return branch_changed;
}

int dj_graph_replay(dj_graph *g, double *yout, const double *xin)
{
    if (g == NULL || (g->ninputs > 0 && xin == NULL))
        return DJ_EINVAL;
    if (g->status != DJ_OK)
        return g->status;
    if (g->count == 0)
        return DJ_EDIM;
    size_t dim = dj__graph_block_dim(g), extra = 2 * dim + 1, bytes;
    if (dim > (SIZE_MAX - 1) / 2 || g->count + extra < g->count ||
        !dj__bytes(g->count + extra, sizeof(double), &bytes))
        return DJ_ERANGE;
    double *work = dj__graph_work(g, g->count + extra);
    if (work == NULL)
        return DJ_ENOMEM;
    /* a graph that keeps values gets them, the new point's, and the second
     * partials the recording would write (its buffers hold the capacity's
     * one and three a node), straight from the replay: at 10^5 nodes a
     * copy of the values afterwards took 8% of a replay and H·v */
    int second = g->has_values && g->second != NULL;
    double *V = g->has_values && g->values != NULL ? g->values : work;
    int changed = second ? replay_nodes(g, V, work + g->count, xin, g->second)
                         : replay_nodes(g, V, work + g->count, xin, NULL);
    if (changed < 0)
        return changed;
    int branch_changed = changed;
    g->stale = branch_changed;
    g->second_finite = -1;
    g->version++;
    /* Past a changed branch the recorded operations are not f's at x: their
     * outputs are not f(x), and y is left as it was. */
    if (branch_changed)
        return DJ_EBRANCH;
    for (size_t i = 0; i < g->noutputs; i++) {
        if (g->outputs[i] != 0)
            g->output_values[i] = V[g->outputs[i]];
        if (yout != NULL)
            yout[i] = g->output_values[i];
    }
    return DJ_OK;
}
