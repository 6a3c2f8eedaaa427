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
#include "pattern_walk.h"

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
    dj__pattern_walk *b;
    size_t top;
    size_t mark;    /* this output + 1 */
    size_t visits;  /* nodes taken off the stack, every output so far */
} walk;

static void visit(walk *w, uint32_t id)
{
    if (id != 0 && w->b->stamp[id] != w->mark) {
        w->b->stamp[id] = w->mark;
        w->b->stack[w->top++] = id;
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

/* Appends column j to the entries found; the list grows by half. */
static int push_col(dj__pattern_walk *b, size_t j)
{
    if (b->cols_len == b->cols_cap) {
        size_t cap = b->cols_cap ? b->cols_cap + b->cols_cap / 2 : 1024, bytes;
        if (!dj__bytes(cap, sizeof *b->cols, &bytes))
            return DJ_ERANGE;
        size_t *v = dj__realloc(b->cols, bytes);
        if (v == NULL)
            return DJ_ENOMEM;
        b->cols = v;
        b->cols_cap = cap;
    }
    b->cols[b->cols_len++] = j;
    return DJ_OK;
}

static int walk_output(walk *w, uint32_t root, size_t row_start, size_t max_row,
                       size_t max_visits)
{
    const dj_graph *g = w->g;
    w->top = 0;
    visit(w, root);
    while (w->top > 0) {
        uint32_t id = w->b->stack[--w->top];
        if (++w->visits > max_visits)
            return DJ__WALK_DENSE;
        int op = g->op[id];
        if (op == DJ_OP_INPUT) {
            if (w->b->cols_len - row_start >= max_row)
                return DJ__WALK_DENSE;
            int status = push_col(w->b, w->b->input_of[id] - 1);
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

void dj__pattern_walk_init(dj__pattern_walk *b) { *b = (dj__pattern_walk){0}; }

void dj__pattern_walk_clear(dj__pattern_walk *b)
{
    dj__free(b->stamp);
    dj__free(b->stack);
    dj__free(b->input_of);
    dj__free(b->cols);
    dj__free(b->row_ptr);
    dj__pattern_walk_init(b);
}

int dj__pattern_walk_graph(dj__pattern_walk *b, const dj_graph *g, size_t max_row,
                           size_t max_visits)
{
    if (g->status != DJ_OK)
        return g->status;
    size_t m = g->noutputs, n = g->ninputs, count = g->count;
    if (m == 0 || n == 0)
        return DJ_EDIM;
    if (m + 1 == 0)
        return DJ_ERANGE;
    int status = dj__scratch_grow((void **)&b->stamp, &b->stamp_cap, count, sizeof *b->stamp);
    if (status == DJ_OK)
        status = dj__scratch_grow((void **)&b->stack, &b->stack_cap, count, sizeof *b->stack);
    if (status == DJ_OK)
        status = dj__scratch_grow((void **)&b->input_of, &b->input_cap, count,
                                  sizeof *b->input_of);
    if (status == DJ_OK)
        status = dj__scratch_grow((void **)&b->row_ptr, &b->rows_cap, m + 1, sizeof *b->row_ptr);
    if (status != DJ_OK)
        return status;
    memset(b->stamp, 0, count * sizeof *b->stamp);
    memset(b->input_of, 0, count * sizeof *b->input_of);
    for (size_t j = 0; j < n; j++)
        b->input_of[g->inputs[j]] = j + 1;
    b->cols_len = 0;
    walk w = {g, b, 0, 0, 0};
    for (size_t i = 0; i < m; i++) {
        b->row_ptr[i] = b->cols_len;
        w.mark = i + 1;
        status = walk_output(&w, g->outputs[i], b->row_ptr[i], max_row, max_visits);
        if (status != DJ_OK)
            return status;
    }
    b->row_ptr[m] = b->cols_len;
    return DJ_OK;
}

int dj_pattern_of_graph(dj_pattern *p, const dj_graph *g)
{
    if (p == NULL || g == NULL)
        return DJ_EINVAL;
    dj__pattern_walk b;
    dj__pattern_walk_init(&b);
    int status = dj__pattern_walk_graph(&b, g, SIZE_MAX, SIZE_MAX);
    size_t m = g->noutputs, n = g->ninputs;
    unsigned char *seen = status == DJ_OK ? dj__calloc(n, 1) : NULL;
    if (status == DJ_OK && seen == NULL)
        status = DJ_ENOMEM;
    dj_pattern q;
    if (status == DJ_OK)
        status = dj__pattern_alloc(&q, m, n, b.cols_len);
    if (status == DJ_OK) {
        memcpy(q.row_ptr, b.row_ptr, (m + 1) * sizeof *q.row_ptr);
        if (b.cols_len > 0)
            memcpy(q.col, b.cols, b.cols_len * sizeof *q.col);
        dj__pattern_sort_rows(&q, seen);
        dj__pattern_replace(p, &q);
    }
    dj__free(seen);
    dj__pattern_walk_clear(&b);
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
