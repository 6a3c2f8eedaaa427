/* hessian.c: Hessian-vector products and dense Hessians, forward over
 * reverse on one recording (the sweeps are in hessian_sweep.c). */
#include <string.h>

#include "graph_internal.h"
#include "hessian_internal.h"

int dj__hessian_check(const dj_fn *f, const double *x)
{
    int status = dj_fn_check(f);
    if (status != DJ_OK)
        return status;
    if (x == NULL)
        return DJ_EINVAL;
    return f->eval_var ? DJ_OK : DJ_ENOTSUP;
}

void dj__hessian_begin(dj__hessian_call *call, const dj_opts *opts, dj_report *report)
{
    static const dj_opts defaults = {0};
    dj__driver_begin(&call->driver, opts, report);
    call->opts = opts ? opts : &defaults;
    call->g = NULL;
    call->vars_tmp = call->work_tmp = NULL;
    dj_graph_init(&call->tmp);
}

int dj__hessian_end(dj__hessian_call *call, int status)
{
    dj__free(call->vars_tmp);
    dj__free(call->work_tmp);
    dj_graph_clear(&call->tmp);
    return dj__driver_end(&call->driver, status);
}

int dj__hessian_record(dj__hessian_call *call, const dj_fn *f, const double *x)
{
    dj_workspace *ws = call->opts->ws;
    dj_graph *g = &call->tmp;
    if (ws != NULL) {
        if (ws->graph == NULL) {
            ws->graph = dj__malloc(sizeof *ws->graph);
            if (ws->graph == NULL)
                return DJ_ENOMEM;
            dj_graph_init(ws->graph);
        }
        g = ws->graph;
    }
    int status = dj_graph_keep_values(g, 1);
    if (status != DJ_OK)
        return status;
    size_t bytes;
    if (f->n + f->m < f->n || !dj__mul_size(f->n + f->m, sizeof(dj_var), &bytes))
        return DJ_ERANGE;
    dj_var *xv = dj__workspace_reserve(ws, bytes, &call->vars_tmp);
    if (xv == NULL)
        return DJ_ENOMEM;
    dj_var *yv = xv + f->n;
    dj_graph_reset(g);
    status = dj_graph_inputs(g, xv, x, f->n);
    if (status != DJ_OK)
        return status;
    f->eval_var(yv, xv, f->n, f->m, f->ctx);
    status = dj_graph_status(g);
    if (status == DJ_OK)
        status = dj_graph_outputs(g, yv, f->m);
    /* the dj_var arrays are done with: the buffer is the sweeps' next */
    dj__free(call->vars_tmp);
    call->vars_tmp = NULL;
    if (status != DJ_OK)
        return status;
    const char *unsupported = NULL;
    status = dj__graph_second_prepare(g, &unsupported);
    dj_report *facts = dj__driver_facts(&call->driver);
    facts->graph_nodes = dj_graph_size(g);
    facts->unsupported = unsupported;
    if (status == DJ_OK)
        call->g = g;
    return status;
}

double *dj__hessian_work(dj__hessian_call *call, int k, size_t extra, size_t *sweep_doubles)
{
    size_t doubles;
    if (dj__graph_hvp_doubles(call->g, k, &doubles) != DJ_OK)
        return NULL;
    size_t total = doubles + extra, bytes;
    if (total < doubles || !dj__mul_size(total, sizeof(double), &bytes))
        return NULL;
    *sweep_doubles = doubles;
    return dj__workspace_reserve(call->opts->ws, bytes, &call->work_tmp);
}

void dj__hessian_outputs(const dj__hessian_call *call, double *y, const double *x, size_t n,
                         int results_finite)
{
    const dj_graph *g = call->g;
    int finite = results_finite && dj__all_finite(g->output_values, g->noutputs);
    if (y != NULL)
        memcpy(y, g->output_values, g->noutputs * sizeof *y);
    dj__note_produced(finite, x, n);
}

int dj_hvp(double *Hv, double *grad, double *y, const dj_fn *f, const double *x,
           const double *v, const double *w, const dj_opts *opts)
{
    dj__hessian_call call;
    dj__hessian_begin(&call, opts, NULL);
    int status = dj__hessian_check(f, x);
    if (status == DJ_OK && (Hv == NULL || v == NULL))
        status = DJ_EINVAL;
    if (status == DJ_OK)
        status = dj__hessian_record(&call, f, x);
    size_t sweep = 0, n = status == DJ_OK ? f->n : 0;
    double *work = status == DJ_OK ? dj__hessian_work(&call, 1, n, &sweep) : NULL;
    if (status == DJ_OK && work == NULL)
        status = DJ_ENOMEM;
    if (status == DJ_OK) {
        double *g = grad ? grad : work + sweep;
        status = dj__graph_hvp_with(call.g, Hv, g, w, v, 1, work);
        if (status == DJ_OK)
            dj__hessian_outputs(&call, y, x, n,
                                dj__all_finite(Hv, n) && dj__all_finite(g, n));
    }
    return dj__hessian_end(&call, status);
}

/* Row r of H (from one lane of a sweep) into full storage, or its halves
 * into the lower triangle of packed storage: entry (r, c) and (c, r) each
 * add half, so that each stored H_ij is the average of the two sweeps'
 * values (halving is exact). */
static void store_row(double *H, dj_layout layout, size_t ld, size_t n, size_t r,
                      const double *row)
{
    if (layout != DJ_PACKED_LOWER) {
        memcpy(H + r * ld, row, n * sizeof *row);
        return;
    }
    for (size_t c = 0; c < r; c++)
        H[r * (r + 1) / 2 + c] += 0.5 * row[c];
    H[r * (r + 1) / 2 + r] = row[r];
    for (size_t c = r + 1; c < n; c++)
        H[c * (c + 1) / 2 + r] += 0.5 * row[c];
}

/* Full storage: each off-diagonal pair set to the average of both. */
static void symmetrize(double *H, size_t ld, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double avg = 0.5 * H[i * ld + j] + 0.5 * H[j * ld + i];
            H[i * ld + j] = H[j * ld + i] = avg;
        }
}

static int hessian_finite(const double *H, dj_layout layout, size_t ld, size_t n)
{
    if (layout == DJ_PACKED_LOWER)
        return dj__all_finite(H, n * (n + 1) / 2);
    for (size_t i = 0; i < n; i++)
        if (!dj__all_finite(H + i * ld, n))
            return 0;
    return 1;
}

int dj_hessian(double *H, double *grad, double *y, const dj_fn *f, const double *x,
               const double *w, const dj_opts *opts, dj_report *report)
{
    dj__hessian_call call;
    dj__hessian_begin(&call, opts, report);
    opts = call.opts;
    int status = dj__hessian_check(f, x);
    if (status != DJ_OK || H == NULL)
        return dj__hessian_end(&call, status != DJ_OK ? status : DJ_EINVAL);
    size_t n = f->n, ld = opts->ld ? opts->ld : n, cells;
    dj_layout layout = opts->layout;
    if (layout != DJ_ROW_MAJOR && layout != DJ_COL_MAJOR && layout != DJ_PACKED_LOWER)
        return dj__hessian_end(&call, DJ_EINVAL);
    if (layout != DJ_PACKED_LOWER && ld < n)
        return dj__hessian_end(&call, DJ_EDIM);
    if (layout == DJ_PACKED_LOWER ? !dj__mul_size(n, n + 1, &cells)
                                  : !dj__mul_size(n, ld, &cells) ||
                                        !dj__mul_size(cells, sizeof(double), &cells))
        return dj__hessian_end(&call, DJ_ERANGE);
    if (opts->chunk != 0 && !dj_chunk_valid(opts->chunk))
        return dj__hessian_end(&call, DJ_ECHUNK);
    int k = opts->chunk ? opts->chunk : dj_chunk_auto(n);

    status = dj__hessian_record(&call, f, x);
    size_t sweep = 0, K = (size_t)k;
    /* after the sweep's work: the directions V (k×n), the products HV (k×n)
     * and the gradient (n) */
    double *work = status == DJ_OK ? dj__hessian_work(&call, k, (2 * K + 1) * n, &sweep) : NULL;
    if (status == DJ_OK && work == NULL)
        status = DJ_ENOMEM;
    if (status != DJ_OK)
        return dj__hessian_end(&call, status);
    double *V = work + sweep, *HV = V + K * n, *g = HV + K * n;
    if (layout == DJ_PACKED_LOWER)
        memset(H, 0, n * (n + 1) / 2 * sizeof *H);
    size_t sweeps = (n + K - 1) / K;
    memset(V, 0, K * n * sizeof *V);
    for (size_t c = 0; c < sweeps && status == DJ_OK; c++) {
        size_t first = c * K, kw = n - first < K ? n - first : K;
        for (size_t s = 0; s < kw; s++)
            V[s * n + first + s] = 1.0;
        status = dj__graph_hvp_with(call.g, HV, c == 0 ? g : NULL, w, V, k, work);
        for (size_t s = 0; s < kw; s++) {
            V[s * n + first + s] = 0.0;
            store_row(H, layout, ld, n, first + s, HV + s * n);
        }
    }
    if (status == DJ_OK) {
        if (layout != DJ_PACKED_LOWER)
            symmetrize(H, ld, n);
        if (grad != NULL)
            memcpy(grad, g, n * sizeof *g);
        dj__hessian_outputs(&call, y, x, n, hessian_finite(H, layout, ld, n) &&
                                                dj__all_finite(g, n));
        dj_report *facts = dj__driver_facts(&call.driver);
        facts->mode = DJ_MODE_REVERSE;
        facts->chunk = k;
        facts->sweeps = sweeps;
        facts->threads = 1;
    }
    return dj__hessian_end(&call, status);
}
