/* reverse.c: VJPs, gradients and Jacobians by rows, on the recorded graph. */
#include <string.h>

#include "driver.h"
#include "graph_internal.h"
#include "reverse.h"

/* The graph reverse mode records on: the workspace's (kept for its
 * capacity) or *tmp, initialised here, which the caller clears. NULL when
 * the workspace's could not be allocated. */
static dj_graph *graph_for(dj_workspace *ws, dj_graph *tmp)
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

/* Resets g and records f at x on it; vars holds n + m dj_var. */
static int record(dj_graph *g, const dj_fn *f, const double *x, dj_var *vars)
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

/* Bytes for f's n + m graph variables; 0 on overflow. */
static int record_bytes(const dj_fn *f, size_t *bytes)
{
    return f->n + f->m >= f->n && dj__bytes(f->n + f->m, sizeof(dj_var), bytes);
}

/* Records f at x on rec->g. When the buffers cannot be had (DJ_ERANGE,
 * DJ_ENOMEM) nothing is recorded and rec->g is NULL; otherwise the status is
 * the recording's. Either way dj__record_end frees what was taken. */
int dj__record_begin(dj__recording *rec, const dj_fn *f, const double *x, dj_workspace *ws)
{
    rec->g = NULL;
    rec->buf = NULL;
    dj_graph_init(&rec->tmp);
    size_t bytes;
    if (!record_bytes(f, &bytes))
        return DJ_ERANGE;
    dj_graph *g = graph_for(ws, &rec->tmp);
    /* a Hessian driver left the workspace's graph keeping values and second
     * partials, which a first-order sweep would record for nothing */
    int status;
    if (g != NULL && g->keep_values && (status = dj_graph_keep_values(g, 0)) != DJ_OK)
        return status;
    dj_var *vars = g ? dj__workspace_reserve(ws, bytes, &rec->buf) : NULL;
    if (vars == NULL)
        return DJ_ENOMEM;
    rec->g = g;
    return record(g, f, x, vars);
}

void dj__record_end(dj__recording *rec)
{
    dj__free(rec->buf);
    dj_graph_clear(&rec->tmp);
}

/* Whether the recording's output values are all finite. */
static int outputs_finite(const dj__recording *rec, const dj_fn *f)
{
    return dj__all_finite(rec->g->output_values, f->m);
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
    if (!record_bytes(f, &bytes))
        return DJ_ERANGE;
    dj_var *vars = dj__malloc(bytes);
    if (vars == NULL) {
        /* no half-old recording survives a failed one */
        dj_graph_reset(g);
        dj__graph_fail(g, DJ_ENOMEM);
        return DJ_ENOMEM;
    }
    status = record(g, f, x, vars);
    dj__free(vars);
    return status;
}

/* ju = uᵀJ by one recording and one sweep, f and the arrays checked;
 * shared by dj_vjp and dj_gradient. */
static int record_and_sweep(double *y, double *ju, const dj_fn *f, const double *x,
                            const double *u, dj_workspace *ws)
{
    size_t n = f->n, m = f->m, bytes;
    if (!record_bytes(f, &bytes))
        return DJ_ERANGE;
    if (dj__overlap(y, m, x, n) || dj__overlap(y, m, u, m) || dj__overlap(ju, n, x, n) ||
        dj__overlap(ju, n, u, m) || dj__overlap(y, m, ju, n))
        return DJ_EINVAL;
    int status = dj__workspace_acquire(ws);
    if (status != DJ_OK)
        return status;
    dj__recording rec;
    status = dj__record_begin(&rec, f, x, ws);
    if (status == DJ_OK)
        status = dj_graph_vjp(rec.g, ju, u, 1);
    if (status == DJ_OK && y != NULL)
        memcpy(y, rec.g->output_values, f->m * sizeof *y);
    if (status == DJ_OK)
        dj__note_produced(dj__all_finite(ju, f->n) && outputs_finite(&rec, f), x, f->n);
    dj__record_end(&rec);
    dj__workspace_release(ws);
    return status;
}

/* dj_vjp's work between the driver's begin and end. */
static int vjp(double *y, double *ju, const dj_fn *f, const double *x, const double *u,
               dj_workspace *ws)
{
    int status = check_reverse(f);
    if (status != DJ_OK)
        return status;
    if (ju == NULL || x == NULL || u == NULL)
        return DJ_EINVAL;
    return record_and_sweep(y, ju, f, x, u, ws);
}

/* dj_gradient's: a VJP with u = 1 for m = 1. */
static int gradient(double *grad, double *y, const dj_fn *f, const double *x, dj_workspace *ws)
{
    static const double one = 1.0;
    int status = check_reverse(f);
    if (status != DJ_OK)
        return status;
    if (f->m != 1)
        return DJ_EDIM;
    if (grad == NULL || x == NULL)
        return DJ_EINVAL;
    return record_and_sweep(y, grad, f, x, &one, ws);
}

int dj_vjp(double *y, double *ju, const dj_fn *f, const double *x, const double *u,
           const dj_opts *opts)
{
    dj__driver d;
    dj__driver_begin(&d, opts, NULL);
    int status = vjp(y, ju, f, x, u, opts ? opts->ws : NULL);
    return dj__driver_end(&d, status);
}

int dj_gradient(double *grad, double *y, const dj_fn *f, const double *x, const dj_opts *opts)
{
    dj__driver d;
    dj__driver_begin(&d, opts, NULL);
    int status = gradient(grad, y, f, x, opts ? opts->ws : NULL);
    return dj__driver_end(&d, status);
}

/* The dense Jacobian's sweeps: sweep r seeds rows r·k .. r·k+w-1. */
static size_t sweep_width(const dj__sweeps *job, size_t r)
{
    return dj__block_width(job->g->noutputs, r, job->k);
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
    const dj__dense *out = job->ctx;
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

static int dense_finite(const dj__sweeps *job)
{
    const dj__dense *out = job->ctx;
    return dj__matrix_finite(out->J, out->layout, out->ld, job->g->noutputs, job->g->ninputs);
}

int dj__jacobian_reverse(double *J, double *y, const dj_fn *f, const double *x, int k,
                         dj_layout layout, size_t ld, dj_workspace *ws, int threads,
                         dj_report *facts)
{
    dj__dense out = {J, layout, ld};
    dj__sweeps job = {NULL, k, (f->m + (size_t)k - 1) / (size_t)k, dense_seed, dense_store,
                      dense_finite, &out};
    return dj__reverse_sweeps(&job, y, f, x, ws, threads, 0, facts);
}

int dj__reverse_sweeps(dj__sweeps *job, double *y, const dj_fn *f, const double *x,
                       dj_workspace *ws, int threads, size_t colors, dj_report *facts)
{
    dj__recording rec;
    int status = dj__record_begin(&rec, f, x, ws);
    if (rec.g == NULL)
        return status; /* nothing recorded, nothing to report */
    job->g = rec.g;
    dj__run run = {1, 1, DJ_THREADS_FEW};
    if (status == DJ_OK)
        status = dj__run_sweeps(job, ws, threads, &run);
    if (status == DJ_OK) {
        if (y != NULL)
            memcpy(y, rec.g->output_values, f->m * sizeof *y);
        dj__note_produced(job->finite(job) && outputs_finite(&rec, f), x, f->n);
    }
    facts->mode = DJ_MODE_REVERSE;
    facts->chunk = job->k;
    facts->sweeps = status == DJ_OK ? job->count : 0;
    facts->graph_nodes = dj_graph_size(rec.g);
    facts->threads = run.threads;
    facts->threads_why = run.why;
    facts->colors = colors;
    dj__record_end(&rec);
    return status;
}
