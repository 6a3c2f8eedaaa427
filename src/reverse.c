/* reverse.c: VJPs, gradients and Jacobians by rows, on the recorded graph. */
#include <string.h>

#include "graph_internal.h"
#include "passes.h"

dj_graph *dj__graph_for(dj_workspace *ws, dj_graph *tmp)
{
    dj_graph_init(tmp);
    if (ws == NULL)
        return tmp;
    if (ws->graph == NULL) {
        ws->graph = dj__malloc(sizeof *ws->graph);
        if (ws->graph == NULL)
            return NULL;
        dj_graph_init(ws->graph);
    }
    return ws->graph;
}

int dj__record(dj_graph *g, const dj_fn *f, const double *x, dj_var *vars)
{
    dj_var *xv = vars, *yv = vars + f->n;
    dj_graph_reset(g);
    int status = dj_graph_inputs(g, xv, x, f->n);
    if (status != DJ_OK)
        return status;
    f->eval_var(yv, xv, f->n, f->m, f->ctx);
    status = dj_graph_status(g);
    if (status != DJ_OK)
        return status;
    return dj_graph_outputs(g, yv, f->m);
}

int dj__record_bytes(const dj_fn *f, size_t doubles, size_t *bytes)
{
    size_t vars, vbytes, dbytes;
    if (f->n + f->m < f->n || !dj__mul_size(f->n + f->m, 1, &vars) ||
        !dj__mul_size(vars, sizeof(dj_var), &vbytes) ||
        !dj__mul_size(doubles, sizeof(double), &dbytes) || vbytes + dbytes < vbytes)
        return 0;
    *bytes = vbytes + dbytes;
    return 1;
}

static int check_reverse(const dj_fn *f)
{
    int status = dj_fn_check(f);
    if (status != DJ_OK)
        return status;
    return f->eval_var ? DJ_OK : DJ_ENOTSUP;
}

int dj_graph_record(dj_graph *g, const dj_fn *f, const double *x)
{
    int status = check_reverse(f);
    if (status != DJ_OK)
        return status;
    if (g == NULL || x == NULL)
        return DJ_EINVAL;
    size_t bytes;
    if (!dj__record_bytes(f, 0, &bytes))
        return DJ_ERANGE;
    dj_var *vars = dj__malloc(bytes);
    if (vars == NULL) {
        /* no half-old recording survives a failed one */
        dj_graph_reset(g);
        dj__graph_fail(g, DJ_ENOMEM);
        return DJ_ENOMEM;
    }
    status = dj__record(g, f, x, vars);
    dj__free(vars);
    return status;
}

/* ju = uᵀJ with k = 1, after a recording; shared by dj_vjp and dj_gradient. */
static int vjp_driver(double *y, double *ju, const dj_fn *f, const double *x, const double *u,
                      const dj_opts *opts)
{
    dj_workspace *ws = opts ? opts->ws : NULL;
    size_t bytes;
    if (!dj__record_bytes(f, 0, &bytes))
        return DJ_ERANGE;
    dj_graph tmp;
    dj_graph *g = dj__graph_for(ws, &tmp);
    void *tmpbuf = NULL;
    dj_var *vars = g ? dj__workspace_reserve(ws, bytes, &tmpbuf) : NULL;
    if (vars == NULL) {
        dj_graph_clear(&tmp);
        return DJ_ENOMEM;
    }
    int status = dj__record(g, f, x, vars);
    if (status == DJ_OK)
        status = dj_graph_vjp(g, ju, u, 1);
    if (status == DJ_OK && y != NULL)
        memcpy(y, g->output_values, f->m * sizeof *y);
    if (status == DJ_OK)
        dj__note_produced_nonfinite(ju, DJ_ROW_MAJOR, f->n, g->output_values, 1, x, f->n, 1);
    dj__free(tmpbuf);
    dj_graph_clear(&tmp);
    return status;
}

int dj_vjp(double *y, double *ju, const dj_fn *f, const double *x, const double *u,
           const dj_opts *opts)
{
    dj_events_clear();
    int status = check_reverse(f);
    if (status != DJ_OK)
        return status;
    if (ju == NULL || x == NULL || u == NULL)
        return DJ_EINVAL;
    int old = dj_nansafe_set(opts ? opts->nansafe : 0);
    status = vjp_driver(y, ju, f, x, u, opts);
    dj_nansafe_set(old);
    return dj__driver_end(status, opts, NULL);
}

int dj_gradient(double *grad, double *y, const dj_fn *f, const double *x, const dj_opts *opts)
{
    dj_events_clear();
    int status = check_reverse(f);
    if (status != DJ_OK)
        return status;
    if (f->m != 1)
        return DJ_EDIM;
    if (grad == NULL || x == NULL)
        return DJ_EINVAL;
    const double one = 1.0;
    int old = dj_nansafe_set(opts ? opts->nansafe : 0);
    status = vjp_driver(y, grad, f, x, &one, opts);
    dj_nansafe_set(old);
    return dj__driver_end(status, opts, NULL);
}

/* The dense Jacobian's sweeps: sweep r seeds rows r·k .. r·k+w-1. */
typedef struct dense_rows {
    double *J;
    dj_layout layout;
    size_t ld;
} dense_rows;

static size_t sweep_width(const dj__sweeps *job, size_t r)
{
    size_t m = job->g->noutputs, r0 = r * (size_t)job->k;
    return m - r0 < (size_t)job->k ? m - r0 : (size_t)job->k;
}

static int dense_seed(const dj__sweeps *job, double *U, size_t r, double value)
{
    size_t m = job->g->noutputs, r0 = r * (size_t)job->k, w = sweep_width(job, r);
    for (size_t s = 0; s < w; s++)
        U[s * m + r0 + s] = value;
    return dj__width_for(w); /* the last sweep may be narrower */
}

static void dense_store(const dj__sweeps *job, const double *JU, size_t r, int kw)
{
    const dense_rows *out = job->ctx;
    size_t n = job->g->ninputs, r0 = r * (size_t)job->k, w = sweep_width(job, r);
    (void)kw;
    for (size_t s = 0; s < w; s++) {
        if (out->layout == DJ_ROW_MAJOR)
            memcpy(out->J + (r0 + s) * out->ld, JU + s * n, n * sizeof *JU);
        else
            for (size_t j = 0; j < n; j++)
                out->J[j * out->ld + r0 + s] = JU[s * n + j];
    }
}

int dj__jacobian_reverse(double *J, double *y, const dj_fn *f, const double *x, int k,
                         dj_layout layout, size_t ld, dj_workspace *ws, int threads,
                         dj_report *report)
{
    size_t n = f->n, m = f->m, bytes;
    if (!dj__record_bytes(f, 0, &bytes))
        return DJ_ERANGE;
    dj_graph tmp;
    dj_graph *g = dj__graph_for(ws, &tmp);
    void *tmpbuf = NULL;
    dj_var *vars = g ? dj__workspace_reserve(ws, bytes, &tmpbuf) : NULL;
    if (vars == NULL) {
        dj_graph_clear(&tmp);
        return DJ_ENOMEM;
    }
    int status = dj__record(g, f, x, vars);
    dense_rows out = {J, layout, ld};
    dj__sweeps job = {g, k, (m + (size_t)k - 1) / (size_t)k, dense_seed, dense_store, &out};
    dj__run run = {1, 1};
    if (status == DJ_OK)
        status = dj__run_sweeps(&job, ws, threads, &run);
    if (status == DJ_OK) {
        if (y != NULL)
            memcpy(y, g->output_values, m * sizeof *y);
        dj__note_produced_nonfinite(J, layout, ld, g->output_values, 1, x, n, m);
    }
    if (report != NULL) {
        report->mode = DJ_MODE_REVERSE;
        report->chunk = k;
        report->sweeps = status == DJ_OK ? job.count : 0;
        report->graph_nodes = dj_graph_size(g);
        report->threads = run.threads;
    }
    dj__free(tmpbuf);
    dj_graph_clear(&tmp);
    return status;
}
