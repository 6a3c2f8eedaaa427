/* hessian_pattern.c: the sparsity pattern of a Hessian, from the graph.
 *
 * ∇²(wᵀf) has an entry (i, j) only where a curved operation (ops.h: a
 * second partial that is not zero everywhere) whose result reaches an
 * output takes arguments that depend on inputs i and j: a product x·y
 * couples every input x depends on with every input y depends on, exp(x)
 * couples the inputs of x among themselves. So:
 *
 *   1. backwards from the outputs, the nodes that reach one (live);
 *   2. backwards again, the nodes whose input sets a live curved operation
 *      needs, and the nodes those sets are built from;
 *   3. forwards, those nodes' input sets, each the union of its arguments';
 *   4. every live curved operation adds the products of its arguments' sets.
 *
 * Linear work (sums, differences, scalings) that feeds nothing curved never
 * gets a set, so a long sum costs nothing; the time is that of the sets and
 * products that make entries. Like the Jacobian's pattern it holds for
 * code whose branches do not depend on x, and it keeps x·y's entry where
 * the second partial happens to vanish.
 */
#include <string.h>

#include "graph_internal.h"

/* Sets of input indices in one pool: node i's is pool[off[i] .. off[i]+len[i]). */
typedef struct sets {
    uint32_t *pool;
    size_t used, cap;
    size_t *off, *len;
} sets;

/* COO pairs (row >= col) of the pattern. */
typedef struct pairs {
    size_t *row, *col;
    size_t count, cap;
} pairs;

static int pool_reserve(sets *s, size_t more)
{
    if (s->used + more < s->used)
        return DJ_ERANGE;
    if (s->used + more <= s->cap)
        return DJ_OK;
    size_t cap = s->cap ? s->cap : 1024;
    while (cap < s->used + more) {
        if (cap > (size_t)PTRDIFF_MAX / 2 / sizeof *s->pool)
            return DJ_ERANGE;
        cap *= 2;
    }
    uint32_t *p = dj__realloc(s->pool, cap * sizeof *p);
    if (p == NULL)
        return DJ_ENOMEM;
    s->pool = p;
    s->cap = cap;
    return DJ_OK;
}

/* The union of node a's and node b's sets as node i's (a constant
 * argument, node 0, has the empty set; b == a adds nothing). */
static int set_union(sets *s, size_t i, size_t a, size_t b)
{
    size_t la = s->len[a], lb = (b == a) ? 0 : s->len[b];
    int status = pool_reserve(s, la + lb);
    if (status != DJ_OK)
        return status;
    const uint32_t *x = s->pool + s->off[a], *y = s->pool + s->off[b];
    uint32_t *out = s->pool + s->used;
    size_t p = 0, q = 0, n = 0;
    while (p < la && q < lb) {
        if (x[p] < y[q])
            out[n++] = x[p++];
        else if (y[q] < x[p])
            out[n++] = y[q++];
        else
            out[n++] = x[p++], q++;
    }
    while (p < la)
        out[n++] = x[p++];
    while (q < lb)
        out[n++] = y[q++];
    s->off[i] = s->used;
    s->len[i] = n;
    s->used += n;
    return DJ_OK;
}

static int pairs_push(pairs *p, size_t r, size_t c)
{
    if (p->count == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 1024;
        if (cap > (size_t)PTRDIFF_MAX / sizeof(size_t))
            return DJ_ERANGE;
        size_t *row = dj__realloc(p->row, cap * sizeof *row);
        if (row == NULL)
            return DJ_ENOMEM;
        p->row = row;
        size_t *col = dj__realloc(p->col, cap * sizeof *col);
        if (col == NULL)
            return DJ_ENOMEM;
        p->col = col;
        p->cap = cap;
    }
    p->row[p->count] = r > c ? r : c;
    p->col[p->count] = r > c ? c : r;
    p->count++;
    return DJ_OK;
}

/* Every pair of an input in node a's set with one in node b's. */
static int product(const sets *s, pairs *p, size_t a, size_t b)
{
    const uint32_t *x = s->pool + s->off[a], *y = s->pool + s->off[b];
    for (size_t u = 0; u < s->len[a]; u++)
        for (size_t v = 0; v < s->len[b]; v++) {
            if (a == b && v < u)
                continue; /* the set with itself: each pair once */
            int status = pairs_push(p, x[u], y[v]);
            if (status != DJ_OK)
                return status;
        }
    return DJ_OK;
}

/* The block's variable parameters beside its n inputs x: W and b of a
 * dense block, whose ids follow W's in g->ids. */
static size_t block_params(const struct dj__block *b)
{
    return b->kind == DJ__BLOCK_DENSE ? b->m * b->n + (b->has_b ? b->m : 0) : 0;
}

/* The block node i belongs to, from the last block at or before *cursor,
 * walking down. */
static const struct dj__block *block_of(const dj_graph *g, size_t i, size_t *cursor)
{
    while (*cursor > 0 && g->blocks[*cursor - 1].out > i)
        (*cursor)--;
    return &g->blocks[*cursor - 1];
}

/* The ops whose second partial in an argument slot is not zero everywhere:
 * bit 1 for arg 0 with itself, 2 for arg 0 with arg 1, 4 for arg 1 with
 * itself; folded x op x nodes and nodes with a constant operand have one
 * argument. */
static unsigned curvature(const dj_graph *g, size_t i)
{
    unsigned shape = 0;
    int same = g->node[i].arg[1] == i;
    switch (g->op[i]) {
#define DJ__UNARY_SHAPE(name, value, deriv, second, curved)                    \
    case DJ_OP_##name:                                                         \
        return (curved) ? DJ_XX : 0;
        DJ_UNARY_OPS(DJ__UNARY_SHAPE)
#undef DJ__UNARY_SHAPE
#define DJ__BINARY_SHAPE(name, value, partials, seconds, shape_)               \
    case DJ_OP_##name##_vv:                                                    \
        shape = (shape_);                                                      \
        return same ? (shape ? DJ_XX : 0) : shape;                             \
    case DJ_OP_##name##_vd:                                                    \
        return ((shape_)&DJ_XX) ? DJ_XX : 0;                                   \
    case DJ_OP_##name##_dv:                                                    \
        return ((shape_)&DJ_YY) ? DJ_XX : 0;
        DJ_BINARY_OPS(DJ__BINARY_SHAPE)
#undef DJ__BINARY_SHAPE
    default:
        return 0;
    }
}

int dj_hessian_pattern_of_graph(dj_pattern *out, const dj_graph *g)
{
    if (out == NULL || g == NULL)
        return DJ_EINVAL;
    if (g->status != DJ_OK)
        return g->status;
    size_t n = g->ninputs, count = g->count;
    if (n == 0 || g->noutputs == 0)
        return DJ_EDIM;
    for (size_t b = 0; b < g->nblocks; b++)
        if (g->blocks[b].kind == DJ__BLOCK_CUSTOM)
            return DJ_ENOTSUP; /* no second-order rule, so no structure */
    int status = DJ_OK;
    unsigned char *live = dj__calloc(count, 1), *need = dj__calloc(count, 1);
    sets s = {NULL, 0, 0, dj__malloc_array(count, sizeof(size_t)), dj__calloc(count, sizeof(size_t))};
    pairs p = {NULL, NULL, 0, 0};
    if (live == NULL || need == NULL || s.off == NULL || s.len == NULL) {
        status = DJ_ENOMEM;
        goto done;
    }
    const dj__node *nd = g->node;

    /* 1 and 2: live nodes, and the nodes whose sets are needed */
    for (size_t i = 0; i < g->noutputs; i++)
        live[g->outputs[i]] = 1;
    size_t cursor = g->nblocks;
    for (size_t i = count; i-- > 1;) {
        if (g->op[i] == DJ_OP_BLOCK) {
            const struct dj__block *b = block_of(g, i, &cursor);
            int any_live = 0, any_need = 0;
            for (size_t o = 0; o < b->m; o++)
                any_live |= live[b->out + o], any_need |= need[b->out + o];
            size_t xcount = b->n, wcount = block_params(b);
            const uint32_t *xid = g->ids + b->x_ids, *wid = g->ids + b->w_ids;
            /* a live dense block is bilinear in W and x */
            int bilinear = any_live && b->kind == DJ__BLOCK_DENSE;
            for (size_t j = 0; j < xcount; j++) {
                live[xid[j]] |= (unsigned char)any_live;
                need[xid[j]] |= (unsigned char)(any_need || bilinear);
            }
            for (size_t t = 0; t < wcount; t++) {
                live[wid[t]] |= (unsigned char)any_live;
                need[wid[t]] |= (unsigned char)(any_need || bilinear);
            }
            i = b->out;
            continue;
        }
        if ((!live[i] && !need[i]) || g->op[i] == DJ_OP_INPUT || g->op[i] == DJ_OP_COMPARE)
            continue;
        size_t a0 = nd[i].arg[0], a1 = nd[i].arg[1];
        int two = a1 != i; /* a one-argument node's second slot is itself */
        if (live[i]) {
            live[a0] = 1;
            if (two)
                live[a1] = 1;
            unsigned c = curvature(g, i);
            if (c & (DJ_XX | DJ_XY))
                need[a0] = 1;
            if (two && (c & (DJ_XY | DJ_YY)))
                need[a1] = 1;
        }
        if (need[i]) {
            need[a0] = 1;
            if (two)
                need[a1] = 1;
        }
    }
    need[0] = 0;

    /* 3: the input sets, forwards; node 0 (constants) keeps the empty set */
    for (size_t i = 0; i < count; i++)
        s.off[i] = 0;
    for (size_t j = 0; j < n; j++) {
        size_t i = g->inputs[j];
        if ((status = pool_reserve(&s, 1)) != DJ_OK)
            goto done;
        s.pool[s.used] = (uint32_t)j;
        s.off[i] = s.used++;
        s.len[i] = 1;
    }
    cursor = 0;
    for (size_t i = 1; i < count; i++) {
        if (g->op[i] == DJ_OP_BLOCK) {
            while (g->blocks[cursor].out + g->blocks[cursor].m <= i)
                cursor++;
            const struct dj__block *b = &g->blocks[cursor];
            int any = 0;
            for (size_t o = 0; o < b->m; o++)
                any |= need[b->out + o];
            if (any) {
                /* every output: the union of every input's set */
                const uint32_t *xid = g->ids + b->x_ids, *wid = g->ids + b->w_ids;
                size_t xcount = b->n, wcount = block_params(b);
                size_t acc = 0; /* node 0: the empty set */
                for (size_t t = 0; t < xcount + wcount; t++) {
                    size_t v = t < xcount ? xid[t] : wid[t - xcount];
                    if ((status = set_union(&s, b->out, acc, v)) != DJ_OK)
                        goto done;
                    acc = b->out;
                }
                for (size_t o = 1; o < b->m; o++) {
                    s.off[b->out + o] = s.off[b->out];
                    s.len[b->out + o] = s.len[b->out];
                }
            }
            i = b->out + b->m - 1;
            continue;
        }
        if (!need[i] || g->op[i] == DJ_OP_INPUT || g->op[i] == DJ_OP_COMPARE)
            continue;
        size_t a0 = nd[i].arg[0], a1 = nd[i].arg[1];
        if ((status = set_union(&s, i, a0, a1 == i ? a0 : a1)) != DJ_OK)
            goto done;
    }

    /* 4: the products at live curved operations and dense blocks */
    cursor = 0;
    for (size_t i = 1; i < count; i++) {
        if (g->op[i] == DJ_OP_BLOCK) {
            while (g->blocks[cursor].out + g->blocks[cursor].m <= i)
                cursor++;
            const struct dj__block *b = &g->blocks[cursor];
            int any = 0;
            for (size_t o = 0; o < b->m; o++)
                any |= live[b->out + o];
            if (any && b->kind == DJ__BLOCK_DENSE) {
                const uint32_t *xid = g->ids + b->x_ids, *wid = g->ids + b->w_ids;
                for (size_t r = 0; r < b->m; r++)
                    for (size_t c = 0; c < b->n; c++)
                        if ((status = product(&s, &p, wid[r * b->n + c], xid[c])) != DJ_OK)
                            goto done;
            }
            i = b->out + b->m - 1;
            continue;
        }
        if (!live[i])
            continue;
        unsigned c = curvature(g, i);
        size_t a0 = nd[i].arg[0], a1 = nd[i].arg[1];
        if ((c & DJ_XX) && (status = product(&s, &p, a0, a0)) != DJ_OK)
            goto done;
        if ((c & DJ_XY) && (status = product(&s, &p, a0, a1)) != DJ_OK)
            goto done;
        if ((c & DJ_YY) && (status = product(&s, &p, a1, a1)) != DJ_OK)
            goto done;
    }

    /* the pairs, duplicates merged, as the lower triangle in CSR */
    dj_pattern fresh;
    dj_pattern_init(&fresh);
    status = dj_pattern_set(&fresh, n, n, p.count, p.row, p.col);
    if (status == DJ_OK) {
        dj_pattern_clear(out);
        *out = fresh;
    }
done:
    dj__free(live);
    dj__free(need);
    dj__free(s.pool);
    dj__free(s.off);
    dj__free(s.len);
    dj__free(p.row);
    dj__free(p.col);
    return status;
}

int dj_hessian_pattern_detect(dj_pattern *p, const dj_fn *f, const double *x)
{
    if (p == NULL)
        return DJ_EINVAL;
    dj_graph g;
    dj_graph_init(&g);
    int status = dj_graph_record(&g, f, x);
    if (status == DJ_OK)
        status = dj_hessian_pattern_of_graph(p, &g);
    dj_graph_clear(&g);
    return status;
}
