/* graph_linear.c: dense layers y = W·x + b recorded as single graph nodes,
 * with their sweeps through BLAS: J·v is W·v (dgemv, or dgemm for k
 * directions), uᵀJ is Wᵀu, and the adjoint of a variable W is u·xᵀ (dger). */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "graph_internal.h"
#include "primitive_internal.h"

/* dj_var is three doubles wide, so the values of an array of dj_var are a
 * vector with increment 3 that BLAS reads in place. */
_Static_assert(sizeof(dj_var) == 3 * sizeof(double), "dj_var must be 24 bytes");
#define VAR_INC 3

/* The graph the arguments belong to: NULL when all are constants, and the
 * sticky DJ_EGRAPH on both when two graphs meet. */
static dj_graph *common_graph(dj_graph *g, const dj_var *v, size_t count, int *mixed)
{
    for (size_t i = 0; i < count; i++) {
        if (v[i].g == NULL || v[i].g == g)
            continue;
        if (g == NULL) {
            g = v[i].g;
        } else {
            dj__graph_fail(g, DJ_EGRAPH);
            dj__graph_fail(v[i].g, DJ_EGRAPH);
            *mixed = 1;
        }
    }
    return g;
}

/* Stores the ids of v in the ids pool; returns the offset and whether they
 * are consecutive nodes (then *first is the first). */
static size_t push_var_ids(dj_graph *g, const dj_var *v, size_t count, int *contiguous,
                           uint32_t *first)
{
    size_t at = dj__graph_push_ids(g, NULL, count);
    if (at == SIZE_MAX)
        return at;
    int run = count > 0 && v[0].g != NULL;
    for (size_t i = 0; i < count; i++) {
        uint32_t id = v[i].g ? v[i].id : 0;
        g->ids[at + i] = id;
        if (i > 0 && id != g->ids[at + i - 1] + 1)
            run = 0;
    }
    if (contiguous != NULL) {
        *contiguous = run;
        *first = count > 0 ? g->ids[at] : 0;
    }
    return at;
}

/* y.v = W·x.v + b, in place in the dj_var arrays. */
static void values_linear(dj_var *y, const double *W, const dj_var *x, const double *b,
                          size_t m, size_t n)
{
    for (size_t i = 0; i < m; i++)
        y[i].v = b ? b[i] : 0.0;
    if (n > 0)
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (blasint)m, (blasint)n, 1.0, W, (blasint)n,
                    &x[0].v, VAR_INC, 1.0, &y[0].v, VAR_INC);
}

static void outputs_of(dj_var *y, dj_graph *g, const struct dj__block *blk, size_t m)
{
    for (size_t i = 0; i < m; i++) {
        y[i].id = blk ? blk->out + (uint32_t)i : 0;
        y[i].g = g;
    }
    if (blk != NULL && g->values != NULL)
        for (size_t i = 0; i < m; i++)
            g->values[blk->out + i] = y[i].v;
}

/* Sizes BLAS cannot take (dj__blas_dims), or whose W, b and x pools would
 * overflow: NaN outputs on x's graph, whose sticky status becomes
 * DJ_ERANGE. Checked before anything is read. */
static int dims_refused(dj_var *y, const dj_var *x, size_t m, size_t n)
{
    size_t mn;
    if (dj__blas_dims(m, n) && dj__mul_size(m, n, &mn) && mn + m >= mn && mn + m + n >= mn + m)
        return 0;
    dj_graph *g = n > 0 ? x[0].g : NULL;
    if (g != NULL)
        dj__graph_fail(g, DJ_ERANGE);
    for (size_t i = 0; i < m; i++) {
        y[i] = dj_var_const((double)NAN);
        y[i].g = g; /* keeps the error reachable; id 0 has no derivative */
    }
    return 1;
}

void dj_var_linear(dj_var *y, const double *W, const dj_var *x, const double *b, size_t m,
                   size_t n)
{
    if (m == 0 || dims_refused(y, x, m, n))
        return;
    int mixed = 0;
    dj_graph *g = common_graph(NULL, x, n, &mixed);
    values_linear(y, W, x, b, m, n);
    if (g == NULL || mixed || g->status != DJ_OK) {
        outputs_of(y, g, NULL, m);
        if (g == NULL)
            for (size_t i = 0; i < m; i++)
                y[i] = dj_var_const(y[i].v);
        return;
    }
    /* data: W (m·n), b (m), x values (n) */
    size_t data = dj__graph_push_data(g, W, m * n);
    size_t xdata = data == SIZE_MAX ? SIZE_MAX : dj__graph_push_data(g, NULL, m + n);
    size_t ids = xdata == SIZE_MAX ? SIZE_MAX : push_var_ids(g, x, n, NULL, NULL);
    struct dj__block *blk = ids == SIZE_MAX ? NULL : dj__graph_push_block(g, DJ__BLOCK_LINEAR, m, n);
    if (blk == NULL) {
        outputs_of(y, g, NULL, m);
        return;
    }
    double *d = g->data + data;
    for (size_t i = 0; i < m; i++)
        d[m * n + i] = b ? b[i] : 0.0;
    for (size_t j = 0; j < n; j++)
        d[m * n + m + j] = x[j].v;
    blk->data = data;
    blk->has_b = b != NULL;
    blk->x_ids = ids;
    int contiguous = 1;
    for (size_t j = 0; j < n; j++)
        if (x[j].g == NULL || x[j].id != x[0].id + j)
            contiguous = 0;
    blk->x_contiguous = contiguous && n > 0;
    blk->x_first = n > 0 && x[0].g ? x[0].id : 0;
    outputs_of(y, g, blk, m);
}

void dj_var_dense(dj_var *y, const dj_var *W, const dj_var *x, const dj_var *b, size_t m,
                  size_t n)
{
    if (m == 0 || dims_refused(y, x, m, n))
        return;
    int mixed = 0;
    dj_graph *g = common_graph(NULL, x, n, &mixed);
    g = common_graph(g, W, m * n, &mixed);
    if (b != NULL)
        g = common_graph(g, b, m, &mixed);
    /* values: y = W·x + b with W read at stride 3 row by row */
    for (size_t i = 0; i < m; i++) {
        double s = b ? b[i].v : 0.0;
        for (size_t j = 0; j < n; j++)
            s += W[i * n + j].v * x[j].v;
        y[i].v = s;
    }
    if (g == NULL || mixed || g->status != DJ_OK) {
        outputs_of(y, g, NULL, m);
        if (g == NULL)
            for (size_t i = 0; i < m; i++)
                y[i] = dj_var_const(y[i].v);
        return;
    }
    /* data: W values (m·n), x values (n), b values (m); ids: x, W, b */
    size_t data = dj__graph_push_data(g, NULL, m * n + n + m);
    size_t xids = data == SIZE_MAX ? SIZE_MAX : push_var_ids(g, x, n, NULL, NULL);
    size_t wids = xids == SIZE_MAX ? SIZE_MAX : push_var_ids(g, W, m * n, NULL, NULL);
    if (wids != SIZE_MAX && b != NULL)
        wids = push_var_ids(g, b, m, NULL, NULL) == SIZE_MAX ? SIZE_MAX : wids;
    struct dj__block *blk = wids == SIZE_MAX ? NULL : dj__graph_push_block(g, DJ__BLOCK_DENSE, m, n);
    if (blk == NULL) {
        outputs_of(y, g, NULL, m);
        return;
    }
    double *d = g->data + data;
    for (size_t t = 0; t < m * n; t++)
        d[t] = W[t].v;
    for (size_t j = 0; j < n; j++)
        d[m * n + j] = x[j].v;
    for (size_t i = 0; i < m; i++)
        d[m * n + n + i] = b ? b[i].v : 0.0;
    blk->data = data;
    blk->has_b = b != NULL;
    blk->x_ids = xids;
    blk->w_ids = wids;
    int contiguous = 1;
    for (size_t j = 0; j < n; j++)
        if (x[j].g == NULL || x[j].id != x[0].id + j)
            contiguous = 0;
    blk->x_contiguous = contiguous && n > 0;
    blk->x_first = n > 0 && x[0].g ? x[0].id : 0;
    outputs_of(y, g, blk, m);
}

/* ---- sweeps and replay of linear and dense blocks --------------------------------- */

/* X (n×k) = Wᵀ·U (U m×k), added into A at the block's inputs. */
static void add_transposed(const dj_graph *g, const struct dj__block *b, const double *W,
                           const double *U, double *A, int k, double *scratch)
{
    size_t m = b->m, n = b->n;
    if (n == 0)
        return;
    double *X = b->x_contiguous ? A + (size_t)b->x_first * (size_t)k : scratch;
    double beta = b->x_contiguous ? 1.0 : 0.0;
    if (k == 1)
        cblas_dgemv(CblasRowMajor, CblasTrans, (blasint)m, (blasint)n, 1.0, W, (blasint)n, U, 1,
                    beta, X, 1);
    else
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (blasint)n, k, (blasint)m, 1.0, W,
                    (blasint)n, U, k, beta, X, k);
    if (!b->x_contiguous) {
        const uint32_t *ids = g->ids + b->x_ids;
        for (size_t j = 0; j < n; j++)
            for (int s = 0; s < k; s++)
                A[(size_t)ids[j] * (size_t)k + (size_t)s] += X[j * (size_t)k + (size_t)s];
    }
}

/* Y (m×k) = W·X where X (n×k) are the inputs' rows of T. */
static void apply_forward(const dj_graph *g, const struct dj__block *b, const double *W,
                          double *T, int k, double *scratch)
{
    size_t m = b->m, n = b->n;
    double *Y = T + (size_t)b->out * (size_t)k;
    if (n == 0) {
        memset(Y, 0, m * (size_t)k * sizeof *Y);
        return;
    }
    const double *X = T + (size_t)b->x_first * (size_t)k;
    if (!b->x_contiguous) {
        const uint32_t *ids = g->ids + b->x_ids;
        for (size_t j = 0; j < n; j++)
            for (int s = 0; s < k; s++)
                scratch[j * (size_t)k + (size_t)s] = T[(size_t)ids[j] * (size_t)k + (size_t)s];
        X = scratch;
    }
    if (k == 1)
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (blasint)m, (blasint)n, 1.0, W, (blasint)n, X, 1,
                    0.0, Y, 1);
    else
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)m, k, (blasint)n, 1.0, W,
                    (blasint)n, X, k, 0.0, Y, k);
}

void dj__block_reverse(const dj_graph *g, const struct dj__block *b, double *A, int k,
                       double *scratch)
{
    size_t m = b->m, n = b->n, K = (size_t)k;
    const double *U = A + (size_t)b->out * K;
    const double *d = g->data + b->data;
    if (b->kind == DJ__BLOCK_CUSTOM) {
        dj__primitive_reverse(g, b, A, k, scratch);
        return;
    }
    add_transposed(g, b, d, U, A, k, scratch);
    if (b->kind != DJ__BLOCK_DENSE)
        return;
    /* the adjoints of W (u·xᵀ) and b (u) */
    const double *x = d + m * n;
    const uint32_t *wid = g->ids + b->w_ids;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double *a = A + (size_t)wid[i * n + j] * K;
            for (size_t s = 0; s < K; s++)
                a[s] += U[i * K + s] * x[j];
        }
    if (b->has_b) {
        const uint32_t *bid = wid + m * n;
        for (size_t i = 0; i < m; i++)
            for (size_t s = 0; s < K; s++)
                A[(size_t)bid[i] * K + s] += U[i * K + s];
    }
}

void dj__block_forward(const dj_graph *g, const struct dj__block *b, double *T, int k,
                       double *scratch)
{
    size_t m = b->m, n = b->n, K = (size_t)k;
    const double *d = g->data + b->data;
    if (b->kind == DJ__BLOCK_CUSTOM) {
        dj__primitive_forward(g, b, T, k, scratch);
        return;
    }
    apply_forward(g, b, d, T, k, scratch);
    if (b->kind != DJ__BLOCK_DENSE)
        return;
    /* the tangents of W and b: dW·x + db */
    double *Y = T + (size_t)b->out * K;
    const double *x = d + m * n;
    const uint32_t *wid = g->ids + b->w_ids;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            const double *t = T + (size_t)wid[i * n + j] * K;
            for (size_t s = 0; s < K; s++)
                Y[i * K + s] += t[s] * x[j];
        }
    if (b->has_b) {
        const uint32_t *bid = wid + m * n;
        for (size_t i = 0; i < m; i++)
            for (size_t s = 0; s < K; s++)
                Y[i * K + s] += T[(size_t)bid[i] * K + s];
    }
}

int dj__block_replay(dj_graph *g, struct dj__block *b, double *V, double *scratch)
{
    size_t m = b->m, n = b->n;
    double *d = g->data + b->data;
    const uint32_t *xid = g->ids + b->x_ids;
    if (b->kind == DJ__BLOCK_CUSTOM)
        return dj__primitive_replay(g, b, V, scratch);
    /* inputs: from the replayed values, constants as recorded */
    double *x = d + m * n + (b->kind == DJ__BLOCK_LINEAR ? m : 0);
    for (size_t j = 0; j < n; j++)
        if (xid[j] != 0)
            x[j] = V[xid[j]];
    double *bias = b->kind == DJ__BLOCK_LINEAR ? d + m * n : d + m * n + n;
    if (b->kind == DJ__BLOCK_DENSE) {
        const uint32_t *wid = g->ids + b->w_ids;
        for (size_t t = 0; t < m * n; t++)
            if (wid[t] != 0)
                d[t] = V[wid[t]];
        if (b->has_b)
            for (size_t i = 0; i < m; i++)
                if (wid[m * n + i] != 0)
                    bias[i] = V[wid[m * n + i]];
    }
    double *y = V + b->out;
    for (size_t i = 0; i < m; i++)
        y[i] = bias[i];
    if (n > 0)
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (blasint)m, (blasint)n, 1.0, d, (blasint)n, x, 1,
                    1.0, y, 1);
    return DJ_OK;
}
