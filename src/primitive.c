/* primitive.c: custom primitives applied to every type, and their block on
 * the graph. */
#include <math.h>
#include <string.h>

#include "dualjac/primitive.h"
#include "primitive_internal.h"

/* Small primitives work in a stack buffer; larger ones allocate. */
enum { STACK_DOUBLES = 512 };

static double *scratch_get(double *stack, size_t need)
{
    return need <= STACK_DOUBLES ? stack : dj__malloc_array(need, sizeof(double));
}

/* a + b + c + d, or SIZE_MAX (which no scratch can hold) when it overflows */
static size_t sum4(size_t a, size_t b, size_t c, size_t d)
{
    if (b > SIZE_MAX - a || c > SIZE_MAX - a - b || d > SIZE_MAX - a - b - c)
        return SIZE_MAX;
    return a + b + c + d;
}

static void scratch_put(double *stack, double *p)
{
    if (p != stack)
        dj__free(p);
}

void dj_double_apply(double *y, const dj_primitive *p, const double *x)
{
    double stack[STACK_DOUBLES];
    double *saved = scratch_get(stack, p->n_saved);
    if (saved == NULL) {
        for (size_t i = 0; i < p->n_out; i++)
            y[i] = NAN;
        return;
    }
    p->eval(y, saved, x, p->ctx);
    scratch_put(stack, saved);
}

/* The primitive on an array of duals seen as doubles with stride k+1: eval
 * on the values, then the JVP rule once per tangent direction. */
static void apply_strided(double *Y, const dj_primitive *p, const double *X, int k)
{
    size_t ni = p->n_in, no = p->n_out, s = (size_t)k + 1;
    double stack[STACK_DOUBLES];
    double *x = scratch_get(stack, sum4(ni, ni, sum4(no, no, 0, 0), p->n_saved));
    if (x == NULL) {
        for (size_t t = 0; t < no * s; t++)
            Y[t] = NAN;
        return;
    }
    double *y = x + ni, *saved = y + no, *v = saved + p->n_saved, *jv = v + ni;
    for (size_t j = 0; j < ni; j++)
        x[j] = X[j * s];
    p->eval(y, saved, x, p->ctx);
    for (size_t i = 0; i < no; i++)
        Y[i * s] = y[i];
    for (size_t t = 1; t < s; t++) {
        for (size_t j = 0; j < ni; j++)
            v[j] = X[j * s + t];
        p->jvp(jv, v, x, y, saved, p->ctx);
        for (size_t i = 0; i < no; i++)
            Y[i * s + t] = jv[i];
    }
    scratch_put(stack, x);
}

#define DJ__APPLY(T, K)                                                        \
    void T##_apply(T *y, const dj_primitive *p, const T *x)                    \
    {                                                                          \
        apply_strided((double *)(void *)y, p, (const double *)(const void *)x, K); \
    }
DJ__APPLY(dj_dual, 1)
DJ__APPLY(dj_dual2, 2)
DJ__APPLY(dj_dual4, 4)
DJ__APPLY(dj_dual8, 8)
DJ__APPLY(dj_dual16, 16)
#undef DJ__APPLY

void dj_var_apply(dj_var *y, const dj_primitive *p, const dj_var *x)
{
    size_t ni = p->n_in, no = p->n_out;
    dj_graph *g = NULL;
    int mixed = 0;
    for (size_t j = 0; j < ni; j++) {
        if (x[j].g == NULL || x[j].g == g)
            continue;
        if (g == NULL) {
            g = x[j].g;
        } else {
            dj__graph_fail(g, DJ_EGRAPH);
            dj__graph_fail(x[j].g, DJ_EGRAPH);
            mixed = 1;
        }
    }
    size_t need = sum4(ni, no, p->n_saved, 0);
    struct dj__block *b = NULL;
    size_t data = SIZE_MAX, ids = SIZE_MAX;
    if (g != NULL && !mixed && g->status == DJ_OK) {
        /* data: x (n_in), y (n_out), saved; ids: x */
        data = dj__graph_push_data(g, NULL, need);
        ids = data == SIZE_MAX ? SIZE_MAX : dj__graph_push_ids(g, NULL, ni);
        b = ids == SIZE_MAX ? NULL : dj__graph_push_block(g, DJ__BLOCK_CUSTOM, no, ni);
    }
    double stack[STACK_DOUBLES];
    double *buf = b ? g->data + data : scratch_get(stack, need);
    if (buf == NULL) {
        for (size_t i = 0; i < no; i++)
            y[i] = dj_var_const(NAN);
        return;
    }
    double *xv = buf, *yv = buf + ni, *saved = yv + no;
    for (size_t j = 0; j < ni; j++)
        xv[j] = x[j].v;
    p->eval(yv, saved, xv, p->ctx);
    for (size_t i = 0; i < no; i++) {
        y[i] = dj_var_const(yv[i]);
        if (g != NULL) {
            y[i].g = g;
            y[i].id = b ? b->out + (uint32_t)i : 0;
        }
    }
    if (b == NULL) {
        scratch_put(stack, buf);
        return;
    }
    for (size_t j = 0; j < ni; j++)
        g->ids[ids + j] = x[j].g ? x[j].id : 0;
    if (g->values != NULL)
        memcpy(g->values + b->out, yv, no * sizeof *yv);
    b->data = data;
    b->x_ids = ids;
    b->prim = p;
}

size_t dj__primitive_scratch(const struct dj__block *b) { return b->m + b->n; }

void dj__primitive_reverse(const dj_graph *g, const struct dj__block *b, double *A, int k,
                           double *scratch)
{
    const dj_primitive *p = b->prim;
    size_t K = (size_t)k;
    const double *x = g->data + b->data, *y = x + b->n, *saved = y + b->m;
    const uint32_t *xid = g->ids + b->x_ids;
    double *u = scratch, *ju = scratch + b->m;
    for (size_t s = 0; s < K; s++) {
        for (size_t i = 0; i < b->m; i++)
            u[i] = A[(b->out + i) * K + s];
        p->vjp(ju, u, x, y, saved, p->ctx);
        for (size_t j = 0; j < b->n; j++)
            A[(size_t)xid[j] * K + s] += ju[j];
    }
}

void dj__primitive_forward(const dj_graph *g, const struct dj__block *b, double *T, int k,
                           double *scratch)
{
    const dj_primitive *p = b->prim;
    size_t K = (size_t)k;
    const double *x = g->data + b->data, *y = x + b->n, *saved = y + b->m;
    const uint32_t *xid = g->ids + b->x_ids;
    double *v = scratch, *jv = scratch + b->n;
    for (size_t s = 0; s < K; s++) {
        for (size_t j = 0; j < b->n; j++)
            v[j] = T[(size_t)xid[j] * K + s];
        p->jvp(jv, v, x, y, saved, p->ctx);
        for (size_t i = 0; i < b->m; i++)
            T[(b->out + i) * K + s] = jv[i];
    }
}

int dj__primitive_replay(dj_graph *g, struct dj__block *b, double *V, double *scratch)
{
    (void)scratch;
    const dj_primitive *p = b->prim;
    double *x = g->data + b->data, *y = x + b->n, *saved = y + b->m;
    const uint32_t *xid = g->ids + b->x_ids;
    for (size_t j = 0; j < b->n; j++)
        if (xid[j] != 0)
            x[j] = V[xid[j]];
    p->eval(y, saved, x, p->ctx);
    for (size_t i = 0; i < b->m; i++)
        V[b->out + i] = y[i];
    return DJ_OK;
}
