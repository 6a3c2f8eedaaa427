/* graph.c: the graph's lifecycle, its growth, inputs, outputs and the
 * out-of-line parts of recording. */
#include <string.h>

#include "graph_internal.h"

static _Thread_local size_t node_limit = DJ__GRAPH_MAX_NODES;

size_t dj__graph_node_limit(void) { return node_limit; }

size_t dj__graph_limit_set(size_t limit)
{
    size_t old = node_limit;
    node_limit = (limit == 0 || limit > DJ__GRAPH_MAX_NODES) ? DJ__GRAPH_MAX_NODES : limit;
    return old;
}

void dj_graph_init(dj_graph *g)
{
    if (g != NULL)
        memset(g, 0, sizeof *g);
}

void dj_graph_clear(dj_graph *g)
{
    if (g == NULL)
        return;
    dj__free(g->op);
    dj__free(g->node);
    dj__free(g->consts);
    dj__free(g->blocks);
    dj__free(g->ids);
    dj__free(g->data);
    dj__free(g->inputs);
    dj__free(g->outputs);
    dj__free(g->output_values);
    dj__free(g->work);
    dj__free(g->values);
    dj__free(g->second);
    memset(g, 0, sizeof *g);
}

void dj_graph_reset(dj_graph *g)
{
    /* Node 0 is the null node where constants' adjoints go; it survives. */
    g->count = g->capacity > 0 ? 1 : 0;
    g->nconsts = g->nblocks = g->nids = g->ndata = 0;
    g->ninputs = g->noutputs = g->ncompares = 0;
    g->status = DJ_OK;
    g->stale = 0;
    g->has_values = g->keep_values;
    g->second_finite = -1;
    g->version++;
}

void dj__graph_fail(dj_graph *g, int status)
{
    if (g->status == DJ_OK)
        g->status = status;
}

/* Grows an array of `size`-byte elements to hold at least `need`; doubling
 * keeps the cost of n appends O(n). On failure the array is unchanged. */
static int grow(void **array, size_t *cap, size_t need, size_t size, size_t floor_cap)
{
    if (need <= *cap)
        return 1;
    size_t want = *cap > floor_cap / 2 ? *cap : floor_cap / 2;
    while (want < need) {
        if (want > (size_t)PTRDIFF_MAX / 2 / size) /* want·size stays <= PTRDIFF_MAX */
            return 0;
        want *= 2;
    }
    void *p = dj__realloc(*array, want * size);
    if (p == NULL)
        return 0;
    *array = p;
    *cap = want;
    return 1;
}

static int reserve_nodes(dj_graph *g, size_t nodes)
{
    size_t limit = dj__graph_node_limit();
    if (nodes > limit)
        return DJ_ERANGE;
    if (nodes <= g->capacity)
        return DJ_OK;
    /* Doubling while small; past 64K nodes, 1.25x, which keeps the unused
     * tail under a quarter so a large graph stays within 32 bytes a node. */
    size_t cap = g->capacity < 1024 ? 1024 : g->capacity;
    while (cap < nodes)
        cap = cap < 65536 ? 2 * cap : cap + cap / 4;
    if (cap > limit)
        cap = limit;
    size_t bytes;
    if (!dj__bytes(cap, sizeof *g->node, &bytes)) /* a 32-bit size_t */
        return DJ_ERANGE;
    /* The two arrays grow one by one; capacity counts only when both have,
     * and a failure leaves every array valid at its old or a larger size. */
    void *p = dj__realloc(g->op, cap * sizeof *g->op);
    if (p == NULL)
        return DJ_ENOMEM;
    g->op = p;
    p = dj__realloc(g->node, cap * sizeof *g->node);
    if (p == NULL)
        return DJ_ENOMEM;
    g->node = p;
    if (g->keep_values) {
        p = dj__realloc(g->values, cap * sizeof *g->values);
        if (p == NULL)
            return DJ_ENOMEM;
        g->values = p;
        if (!dj__bytes(cap, 3 * sizeof *g->second, &bytes))
            return DJ_ERANGE;
        p = dj__realloc(g->second, 3 * cap * sizeof *g->second);
        if (p == NULL)
            return DJ_ENOMEM;
        g->second = p;
        g->second_cap = 3 * cap;
    }
    if (g->capacity == 0) {
        /* the null node */
        g->op[0] = DJ_OP_NULL;
        g->node[0].arg[0] = g->node[0].arg[1] = 0;
        g->node[0].partial[0] = g->node[0].partial[1] = 0.0;
        if (g->values != NULL) {
            g->values[0] = 0.0;
            g->second[0] = g->second[1] = g->second[2] = 0.0;
        }
        g->count = 1;
        g->has_values = g->keep_values;
        g->second_finite = -1;
    }
    g->capacity = cap;
    return DJ_OK;
}

int dj_graph_reserve(dj_graph *g, size_t nodes)
{
    if (g == NULL)
        return DJ_EINVAL;
    if (nodes >= dj__graph_node_limit())
        return DJ_ERANGE; /* also keeps nodes + 1 from wrapping */
    return reserve_nodes(g, nodes + 1);
}

int dj_graph_keep_values(dj_graph *g, int on)
{
    if (g == NULL)
        return DJ_EINVAL;
    if (!on) {
        g->keep_values = 0;
        g->has_values = 0;
        dj__free(g->values);
        dj__free(g->second);
        g->values = g->second = NULL;
        g->second_cap = 0;
        return DJ_OK;
    }
    if (g->values == NULL && g->capacity > 0) {
        /* both or neither: the recording writes values and second partials
         * whenever values is set */
        size_t bytes;
        if (!dj__bytes(g->capacity, 3 * sizeof *g->second, &bytes))
            return DJ_ERANGE;
        double *v = dj__malloc(g->capacity * sizeof *v);
        double *s = v ? dj__realloc(g->second, bytes) : NULL;
        if (s == NULL) {
            dj__free(v);
            return DJ_ENOMEM;
        }
        g->values = v;
        g->second = s;
        g->second_cap = 3 * g->capacity;
    }
    g->keep_values = 1;
    return DJ_OK;
}

int dj__graph_grow(dj_graph *g)
{
    if (g->status != DJ_OK)
        return 0;
    /* An operation on a graph with no nodes at all comes from a variable of
     * a cleared graph (a live one has its inputs): the recording pushes a
     * node's id as its own argument before the push (graph.h), which needs
     * the count not to move here. */
    if (g->count == 0) {
        dj__graph_fail(g, DJ_EGRAPH);
        return 0;
    }
    int status = reserve_nodes(g, g->count + 1);
    if (status != DJ_OK) {
        dj__graph_fail(g, status);
        return 0;
    }
    return g->count < g->capacity;
}

void dj__graph_push_const(dj_graph *g, double c)
{
    if (!grow((void **)&g->consts, &g->consts_cap, g->nconsts + 1, sizeof *g->consts, 256)) {
        dj__graph_fail(g, DJ_ENOMEM);
        return;
    }
    g->consts[g->nconsts++] = c;
}

size_t dj__graph_push_ids(dj_graph *g, const uint32_t *ids, size_t count)
{
    if (g->nids + count < g->nids ||
        !grow((void **)&g->ids, &g->ids_cap, g->nids + count, sizeof *g->ids, 256)) {
        dj__graph_fail(g, DJ_ENOMEM);
        return SIZE_MAX;
    }
    size_t at = g->nids;
    if (ids != NULL)
        memcpy(g->ids + at, ids, count * sizeof *ids);
    g->nids += count;
    return at;
}

size_t dj__graph_push_data(dj_graph *g, const double *values, size_t count)
{
    if (g->ndata + count < g->ndata ||
        !grow((void **)&g->data, &g->data_cap, g->ndata + count, sizeof *g->data, 256)) {
        dj__graph_fail(g, DJ_ENOMEM);
        return SIZE_MAX;
    }
    size_t at = g->ndata;
    if (values != NULL)
        memcpy(g->data + at, values, count * sizeof *values);
    g->ndata += count;
    return at;
}

struct dj__block *dj__graph_push_block(dj_graph *g, int kind, size_t m, size_t n)
{
    if (g->status != DJ_OK)
        return NULL;
    size_t first = g->count == 0 ? 1 : g->count;
    if (m > dj__graph_node_limit() - first) {
        dj__graph_fail(g, DJ_ERANGE);
        return NULL;
    }
    int status = reserve_nodes(g, first + m);
    if (status != DJ_OK ||
        !grow((void **)&g->blocks, &g->blocks_cap, g->nblocks + 1, sizeof *g->blocks, 16)) {
        dj__graph_fail(g, status != DJ_OK ? status : DJ_ENOMEM);
        return NULL;
    }
    struct dj__block *b = &g->blocks[g->nblocks++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->out = (uint32_t)g->count;
    b->m = m;
    b->n = n;
    for (size_t i = 0; i < m; i++) {
        size_t id = g->count++;
        g->op[id] = DJ_OP_BLOCK;
        if (g->values != NULL) {
            g->values[id] = 0.0; /* the block's recording sets it */
            g->second[3 * id] = g->second[3 * id + 1] = g->second[3 * id + 2] = 0.0;
        }
        g->node[id].arg[0] = g->node[id].arg[1] = 0;
        g->node[id].partial[0] = g->node[id].partial[1] = 0.0;
    }
    return b;
}

int dj_graph_inputs(dj_graph *g, dj_var *x, const double *values, size_t n)
{
    if (g == NULL || (n > 0 && (x == NULL || values == NULL)))
        return DJ_EINVAL;
    if (g->status != DJ_OK)
        return g->status;
    int status = reserve_nodes(g, (g->count ? g->count : 1) + n);
    if (status == DJ_OK &&
        !grow((void **)&g->inputs, &g->inputs_cap, g->ninputs + n, sizeof *g->inputs, 16))
        status = DJ_ENOMEM;
    if (status != DJ_OK) {
        dj__graph_fail(g, status);
        return status;
    }
    /* Room is reserved: fill the arrays through locals, which the compiler
     * keeps in registers (g's fields could alias the op-code stores). */
    size_t first = g->count;
    unsigned char *op = g->op + first;
    dj__node *nd = g->node + first;
    uint32_t *in = g->inputs + g->ninputs;
    for (size_t j = 0; j < n; j++) {
        op[j] = DJ_OP_INPUT;
        nd[j] = (dj__node){{0.0, 0.0}, {0, 0}};
        in[j] = (uint32_t)(first + j);
        x[j] = (dj_var){values[j], first + j, g};
    }
    if (g->values != NULL) {
        memcpy(g->values + first, values, n * sizeof *values);
        memset(g->second + 3 * first, 0, 3 * n * sizeof *g->second);
    }
    g->count = first + n;
    g->ninputs += n;
    return DJ_OK;
}

int dj_graph_outputs(dj_graph *g, const dj_var *y, size_t m)
{
    if (g == NULL || (m > 0 && y == NULL))
        return DJ_EINVAL;
    /* A failure here is sticky: sweeps must not run with half-set outputs. */
    g->noutputs = 0;
    for (size_t i = 0; i < m; i++)
        if (y[i].g != NULL && y[i].g != g) {
            dj__graph_fail(g, DJ_EGRAPH);
            return DJ_EGRAPH;
        }
    size_t cap = g->outputs_cap, cap2 = g->outputs_cap;
    if (!grow((void **)&g->outputs, &cap, m, sizeof *g->outputs, 16) ||
        !grow((void **)&g->output_values, &cap2, m, sizeof *g->output_values, 16)) {
        g->outputs_cap = cap < cap2 ? cap : cap2;
        dj__graph_fail(g, DJ_ENOMEM);
        return DJ_ENOMEM;
    }
    g->outputs_cap = cap < cap2 ? cap : cap2;
    for (size_t i = 0; i < m; i++) {
        g->outputs[i] = y[i].g ? y[i].id : 0;
        g->output_values[i] = y[i].v;
    }
    g->noutputs = m;
    return DJ_OK;
}

int dj_graph_status(const dj_graph *g) { return g ? g->status : DJ_EINVAL; }

size_t dj_graph_size(const dj_graph *g) { return g && g->count ? g->count - 1 : 0; }

size_t dj_graph_compares(const dj_graph *g) { return g ? g->ncompares : 0; }

size_t dj_graph_ninputs(const dj_graph *g) { return g ? g->ninputs : 0; }

size_t dj_graph_noutputs(const dj_graph *g) { return g ? g->noutputs : 0; }

size_t dj_graph_bytes(const dj_graph *g)
{
    if (g == NULL)
        return 0;
    return g->capacity * DJ_GRAPH_NODE_BYTES + (g->values ? g->capacity * sizeof(double) : 0) +
           g->second_cap * sizeof(double) + g->consts_cap * sizeof(double) +
           g->blocks_cap * sizeof(struct dj__block) + g->ids_cap * sizeof(uint32_t) +
           g->data_cap * sizeof(double) + g->inputs_cap * sizeof(uint32_t) +
           g->outputs_cap * (sizeof(uint32_t) + sizeof(double)) + g->work_cap * sizeof(double);
}

size_t dj_graph_work_bytes(const dj_graph *g) { return g ? g->work_cap * sizeof(double) : 0; }

double *dj__graph_work(dj_graph *g, size_t count)
{
    if (!grow((void **)&g->work, &g->work_cap, count, sizeof *g->work, 1024))
        return NULL;
    return g->work;
}

size_t dj__graph_block_dim(const dj_graph *g)
{
    size_t dim = 0;
    for (size_t i = 0; i < g->nblocks; i++) {
        if (g->blocks[i].m > dim)
            dim = g->blocks[i].m;
        if (g->blocks[i].n > dim)
            dim = g->blocks[i].n;
    }
    return dim;
}

dj_var dj__graph_binary_mixed(int op_vv, dj_var a, dj_var b, double r, double pa, double pb)
{
    /* op_vv + 1 and + 2 are the _vd and _dv forms (graph.h's enum order). */
    if (a.g == NULL)
        return dj__graph_push_c(b.g, op_vv + 2, b.id, pb, r, a.v);
    if (b.g == NULL)
        return dj__graph_push_c(a.g, op_vv + 1, a.id, pa, r, b.v);
    dj__graph_fail(a.g, DJ_EGRAPH);
    dj__graph_fail(b.g, DJ_EGRAPH);
    dj_var v = dj_var_const(r);
    v.g = a.g;
    return v;
}

void dj__graph_compare(int kind, dj_var a, dj_var b, int outcome)
{
    dj_graph *g = a.g ? a.g : b.g;
    if (a.g != NULL && b.g != NULL && a.g != b.g) {
        dj__graph_fail(a.g, DJ_EGRAPH);
        dj__graph_fail(b.g, DJ_EGRAPH);
        return;
    }
    /* Replay reads: the kind and outcome, then each constant operand. */
    dj__graph_push_const(g, (double)(kind * 2 + (outcome != 0)));
    if (a.g == NULL)
        dj__graph_push_const(g, a.v);
    if (b.g == NULL)
        dj__graph_push_const(g, b.v);
    dj__graph_push(g, DJ_OP_COMPARE, a.g ? a.id : 0, b.g ? b.id : 0, 0.0, 0.0, 0.0);
    g->ncompares++;
}
