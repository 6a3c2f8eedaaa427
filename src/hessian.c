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
    call->holds_ws = 0;
    dj_graph_init(&call->tmp);
}

int dj__hessian_arguments(const dj__hessian_call *call, const double *x, size_t n,
                          const double *const *out, const size_t *out_count, int nout,
                          const double *const *in, const size_t *in_count, int nin)
{
    if (call->opts->threads < 0)
        return DJ_EINVAL;
    for (int a = 0; a < nout; a++) {
        if (dj__overlap(out[a], out_count[a], x, n))
            return DJ_EINVAL;
        for (int b = 0; b < nin; b++)
            if (dj__overlap(out[a], out_count[a], in[b], in_count[b]))
                return DJ_EINVAL;
        for (int b = a + 1; b < nout; b++)
            if (dj__overlap(out[a], out_count[a], out[b], out_count[b]))
                return DJ_EINVAL;
    }
    return DJ_OK;
}

int dj__hessian_end(dj__hessian_call *call, int status)
{
    dj__free(call->vars_tmp);
    dj__free(call->work_tmp);
    dj_graph_clear(&call->tmp);
    if (call->holds_ws)
        dj__workspace_release(call->opts->ws);
    return dj__driver_end(&call->driver, status);
}

int dj__hessian_record(dj__hessian_call *call, const dj_fn *f, const double *x)
{
    dj_workspace *ws = call->opts->ws;
    dj_graph *g = &call->tmp;
    if (!call->holds_ws) {
        int busy = dj__workspace_acquire(ws);
        if (busy != DJ_OK)
            return busy;
        call->holds_ws = ws != NULL;
    }
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
    if (f->n + f->m < f->n || !dj__bytes(f->n + f->m, sizeof(dj_var), &bytes))
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
    if (total < doubles || !dj__bytes(total, sizeof(double), &bytes))
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
    if (status == DJ_OK) {
        size_t n = f->n, m = f->m;
        const double *out[] = {Hv, grad, y}, *in[] = {v, w};
        const size_t oc[] = {n, n, m}, ic[] = {n, m};
        status = dj__hessian_arguments(&call, x, n, out, oc, 3, in, ic, 2);
    }
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
    /* H's bytes, not only its cells, must fit (as for dj_jacobian's ld);
     * packed storage holds n(n+1)/2 */
    size_t bytes;
    if (layout == DJ_PACKED_LOWER
            ? n + 1 == 0 || !dj__mul_size(n, n + 1, &cells) ||
                  !dj__bytes(cells / 2, sizeof(double), &bytes)
            : !dj__mul_size(n, ld, &cells) || !dj__bytes(cells, sizeof(double), &bytes))
        return dj__hessian_end(&call, DJ_ERANGE);
    if (opts->chunk != 0 && !dj_chunk_valid(opts->chunk))
        return dj__hessian_end(&call, DJ_ECHUNK);
    int k = opts->chunk ? opts->chunk : dj_chunk_auto(n);
    {
        const double *out[] = {H, grad, y}, *in[] = {w};
        const size_t oc[] = {layout == DJ_PACKED_LOWER ? cells / 2 : cells - ld + n, n, f->m},
                     ic[] = {f->m};
        if ((status = dj__hessian_arguments(&call, x, n, out, oc, 3, in, ic, 1)) != DJ_OK)
            return dj__hessian_end(&call, status);
    }

    size_t extra;
    if (!dj__mul_size(2 * (size_t)k + 1, n, &extra))
        return dj__hessian_end(&call, DJ_ERANGE);
    status = dj__hessian_record(&call, f, x);
    size_t sweep = 0, K = (size_t)k;
    /* after the sweep's work: the directions V (k×n), the products HV (k×n)
     * and the gradient (n) */
    double *work = status == DJ_OK ? dj__hessian_work(&call, k, extra, &sweep) : NULL;
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
