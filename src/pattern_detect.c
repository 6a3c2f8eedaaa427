/* pattern_detect.c: the nonzero pattern of J detected on a recorded graph
 * (dj_pattern_of_graph, dj_pattern_detect); the CSR pattern itself is
 * pattern.c's.
 *
 * Index-set propagation computed backwards: for each output, a depth-first
 * walk over the nodes it depends on, stamping each node with the output's
 * number so that a node shared by many paths is visited once per output.
 * No set is ever stored per node, so a long sum (whose forward index sets
 * would grow to O(n) each, O(n²) in all) costs only its length per output. */
#include <string.h>

#include "graph_internal.h"

/* Growable list of column indices. */
typedef struct cols {
    size_t *v;
    size_t len, cap;
} cols;

static int cols_push(cols *c, size_t j)
{
    if (c->len == c->cap) {
        size_t cap = c->cap ? c->cap + c->cap / 2 : 1024, bytes;
        if (!dj__bytes(cap, sizeof *c->v, &bytes))
            return DJ_ERANGE;
        size_t *v = dj__realloc(c->v, bytes);
        if (v == NULL)
            return DJ_ENOMEM;
        c->v = v;
        c->cap = cap;
    }
    c->v[c->len++] = j;
    return DJ_OK;
}

/* Ops whose derivative is zero wherever it exists, in one argument or both:
 * their arguments do not reach the output through them. */
static int arg_has_derivative(int op, int which)
{
    switch (op) {
    case DJ_OP_floor:
    case DJ_OP_ceil:
    case DJ_OP_trunc:
    case DJ_OP_round:
    case DJ_OP_COMPARE:
    case DJ_OP_copysign_dv: /* the sign's variable */
        return 0;
    case DJ_OP_copysign_vv:
        return which == 0;
    default:
        return 1;
    }
}

/* The block whose outputs include node id (blocks are in node order). */
static const struct dj__block *block_of(const dj_graph *g, size_t id)
{
    size_t lo = 0, hi = g->nblocks;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->blocks[mid].out <= id)
            lo = mid;
        else
            hi = mid;
    }
    return &g->blocks[lo];
}

/* The walk's state for one output. */
typedef struct walk {
    const dj_graph *g;
    size_t *stamp;    /* per node: the last output + 1 that visited it */
    uint32_t *stack;  /* nodes to visit */
    size_t top;
    size_t mark;      /* this output + 1 */
    const size_t *input_of; /* per node: its input index + 1, or 0 */
    cols *out;
} walk;

static void visit(walk *w, uint32_t id)
{
    if (id != 0 && w->stamp[id] != w->mark) {
        w->stamp[id] = w->mark;
        w->stack[w->top++] = id;
    }
}

/* Pushes the arguments block output `id` depends on. */
static void visit_block(walk *w, size_t id)
{
    const dj_graph *g = w->g;
    const struct dj__block *b = block_of(g, id);
    size_t r = id - b->out, n = b->n;
    const uint32_t *x = g->ids + b->x_ids;
    if (b->kind == DJ__BLOCK_LINEAR) {
        /* W is a constant: a zero in row r is a structural zero */
        const double *W = g->data + b->data + r * n;
        for (size_t j = 0; j < n; j++)
            if (W[j] != 0.0)
                visit(w, x[j]);
        return;
    }
    for (size_t j = 0; j < n; j++)
        visit(w, x[j]);
    if (b->kind == DJ__BLOCK_DENSE) {
        const uint32_t *W = g->ids + b->w_ids;
        for (size_t j = 0; j < n; j++)
            visit(w, W[r * n + j]);
        if (b->has_b)
            visit(w, W[b->m * n + r]);
    }
}

static int walk_output(walk *w, uint32_t root)
{
    const dj_graph *g = w->g;
    w->top = 0;
    visit(w, root);
    while (w->top > 0) {
        uint32_t id = w->stack[--w->top];
        int op = g->op[id];
        if (op == DJ_OP_INPUT) {
            int status = cols_push(w->out, w->input_of[id] - 1);
            if (status != DJ_OK)
                return status;
        } else if (op == DJ_OP_BLOCK) {
            visit_block(w, id);
        } else {
            const dj__node *nd = &g->node[id];
            for (int a = 0; a < 2; a++)
                if (nd->arg[a] != id && arg_has_derivative(op, a))
                    visit(w, nd->arg[a]);
        }
    }
    return DJ_OK;
}

int dj_pattern_of_graph(dj_pattern *p, const dj_graph *g)
{
    if (p == NULL || g == NULL)
        return DJ_EINVAL;
    if (g->status != DJ_OK)
        return g->status;
    size_t m = g->noutputs, n = g->ninputs, count = g->count;
    if (m == 0 || n == 0)
        return DJ_EDIM;
    size_t sb, kb, ib, rb;
    if (!dj__bytes(count, sizeof(size_t), &sb) || !dj__bytes(count, sizeof(uint32_t), &kb) ||
        !dj__bytes(count, sizeof(size_t), &ib) || m + 1 == 0 ||
        !dj__bytes(m + 1, sizeof(size_t), &rb))
        return DJ_ERANGE;
    size_t *stamp = dj__calloc(count, sizeof *stamp);
    uint32_t *stack = dj__malloc(kb);
    size_t *input_of = dj__calloc(count, sizeof *input_of);
    size_t *row_ptr = dj__malloc(rb);
    unsigned char *seen = dj__calloc(n, 1);
    cols c = {NULL, 0, 0};
    int status = DJ_OK;
    if (stamp == NULL || stack == NULL || input_of == NULL || row_ptr == NULL || seen == NULL)
        status = DJ_ENOMEM;
    for (size_t j = 0; status == DJ_OK && j < n; j++)
        input_of[g->inputs[j]] = j + 1;
    walk w = {g, stamp, stack, 0, 0, input_of, &c};
    for (size_t i = 0; status == DJ_OK && i < m; i++) {
        row_ptr[i] = c.len;
        w.mark = i + 1;
        status = walk_output(&w, g->outputs[i]);
    }
    dj_pattern q;
    if (status == DJ_OK) {
        row_ptr[m] = c.len;
        status = dj__pattern_alloc(&q, m, n, c.len);
    }
    if (status == DJ_OK) {
        memcpy(q.row_ptr, row_ptr, rb);
        if (c.len > 0)
            memcpy(q.col, c.v, c.len * sizeof *c.v);
        dj__pattern_sort_rows(&q, seen);
        dj__pattern_replace(p, &q);
    }
    dj__free(stamp);
    dj__free(stack);
    dj__free(input_of);
    dj__free(row_ptr);
    dj__free(seen);
    dj__free(c.v);
    return status;
}

int dj_pattern_detect(dj_pattern *p, const dj_fn *f, const double *x)
{
    if (p == NULL)
        return DJ_EINVAL;
    dj_graph g;
    dj_graph_init(&g);
    int status = dj_graph_record(&g, f, x);
    if (status == DJ_OK)
        status = dj_pattern_of_graph(p, &g);
    dj_graph_clear(&g);
    return status;
}
