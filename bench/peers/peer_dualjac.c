/*
 * peer_dualjac.c: dualjac's side of `make bench-peers`, and central finite
 * differences (FD), on every case of cases.c: dense Jacobians forward and
 * reverse (and which of the two auto mode picks), gradients by recording
 * and sweeping (and by replaying a recording at the point and sweeping it,
 * the analogue of ADOL-C's gradient on an existing tape), sparse Jacobians
 * through dj_sparse_jacobian after one analysis. Everything on one thread,
 * with a workspace, so that repeated calls allocate nothing.
 *
 * Usage: peer_dualjac [--quick] [--out DIR]
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static volatile double sink;

static void *xmalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size);
    if (p == NULL) {
        fprintf(stderr, "peer_dualjac: out of memory\n");
        exit(2);
    }
    return p;
}

/* ---- dualjac ------------------------------------------------------------------ */

typedef struct dj_job {
    const peer_case *c;
    dj_opts opts;
    double *out;
    dj_graph *g;    /* replay + sweep */
    double *y, one; /* its output and seed */
} dj_job;

static void run_jacobian(void *p)
{
    dj_job *j = p;
    if (dj_jacobian(j->out, NULL, &j->c->fn, j->c->x, &j->opts, NULL) != DJ_OK)
        abort(); /* checked once before timing; a failure now is a bug */
    sink = j->out[0];
}

static void run_gradient(void *p)
{
    dj_job *j = p;
    if (dj_gradient(j->out, NULL, &j->c->fn, j->c->x, &j->opts) != DJ_OK)
        abort();
    sink = j->out[0];
}

static void run_replay_sweep(void *p)
{
    dj_job *j = p;
    if (dj_graph_replay(j->g, j->y, j->c->x) != DJ_OK || dj_graph_vjp(j->g, j->out, &j->one, 1) != DJ_OK)
        abort();
    sink = j->out[0];
}

static void run_sparse(void *p)
{
    dj_job *j = p;
    if (dj_sparse_jacobian(j->out, NULL, &j->c->sparse, &j->c->fn, j->c->x, &j->opts, NULL) !=
        DJ_OK)
        abort();
    sink = j->out[0];
}

static void dualjac_methods(peer_run *r, const peer_case *c)
{
    dj_workspace ws;
    dj_workspace_init(&ws);
    double *out = xmalloc(c->nref, sizeof *out);
    dj_job j = {.c = c, .opts = {.ws = &ws, .threads = 1}, .out = out};
    char method[96];
    switch (c->kind) {
    case PEER_JACOBIAN: {
        dj_mode pick = dj_mode_auto(c->n, c->m);
        j.opts.mode = DJ_MODE_FORWARD;
        snprintf(method, sizeof method, "jacobian fwd k=%d%s", dj_chunk_auto(c->n),
                 pick == DJ_MODE_FORWARD ? " (auto)" : "");
        peer_measure(r, c, method, run_jacobian, &j, out, PEER_TOL_EXACT);
        j.opts.mode = DJ_MODE_REVERSE;
        snprintf(method, sizeof method, "jacobian rev k=%d%s", dj_chunk_auto(c->m),
                 pick == DJ_MODE_REVERSE ? " (auto)" : "");
        peer_measure(r, c, method, run_jacobian, &j, out, PEER_TOL_EXACT);
        /* what a user gets with default options: auto mode, which colors
         * a J it finds sparse at x (dj_sparsity) */
        j.opts.mode = DJ_MODE_AUTO;
        dj_report rep;
        if (dj_jacobian(out, NULL, &c->fn, c->x, &j.opts, &rep) != DJ_OK)
            abort();
        if (rep.colors > 0) {
            snprintf(method, sizeof method, "jacobian auto: %zu colors, %zu pass%s", rep.colors,
                     rep.passes, rep.passes == 1 ? "" : "es");
            peer_measure(r, c, method, run_jacobian, &j, out, PEER_TOL_EXACT);
        }
        break;
    }
    case PEER_GRADIENT: {
        peer_measure(r, c, "gradient (record + sweep)", run_gradient, &j, out, PEER_TOL_EXACT);
        dj_graph g;
        dj_graph_init(&g);
        if (dj_graph_record(&g, &c->fn, c->x) != DJ_OK)
            abort();
        double y;
        j.g = &g, j.y = &y, j.one = 1.0;
        peer_measure(r, c, "replay + sweep", run_replay_sweep, &j, out, PEER_TOL_EXACT);
        dj_graph_clear(&g);
        if (c->n <= 10000) {
            j.opts.mode = DJ_MODE_FORWARD;
            snprintf(method, sizeof method, "jacobian fwd k=%d", dj_chunk_auto(c->n));
            peer_measure(r, c, method, run_jacobian, &j, out, PEER_TOL_EXACT);
        }
        break;
    }
    case PEER_SPARSE:
        j.opts.mode = DJ_MODE_AUTO;
        snprintf(method, sizeof method, "sparse %s, %zu colors",
                 c->sparse.mode == DJ_MODE_FORWARD ? "fwd" : "rev",
                 c->sparse.mode == DJ_MODE_FORWARD ? c->sparse.columns.count
                                                   : c->sparse.rows.count);
        peer_measure(r, c, method, run_sparse, &j, out, PEER_TOL_EXACT);
        break;
    }
    free(out);
    dj_workspace_clear(&ws);
}

/* ---- central finite differences -------------------------------------------------
 * Column j is (f(x + h_j e_j) - f(x - h_j e_j)) / 2h_j with h_j = eps^(1/3)
 * max(1, |x_j|), the step that balances truncation (h^2) against rounding
 * (eps/h). For a sparse J the columns of one color move together
 * (Curtis, Powell and Reid): two evaluations a color. */

typedef struct fd_job {
    const peer_case *c;
    double *out, *xp, *fp, *fm, *h;
    size_t *by_color, *color_ptr; /* entries grouped by their column's color */
    size_t *row;                  /* the row of each entry */
} fd_job;

static void fd_steps(fd_job *j)
{
    const peer_case *c = j->c;
    for (size_t k = 0; k < c->n; k++)
        j->h[k] = cbrt(DBL_EPSILON) * fmax(1.0, fabs(c->x[k]));
}

static void run_fd_dense(void *p)
{
    fd_job *j = p;
    const peer_case *c = j->c;
    size_t n = c->n, m = c->kind == PEER_GRADIENT ? 1 : c->m;
    memcpy(j->xp, c->x, n * sizeof *j->xp);
    for (size_t k = 0; k < n; k++) {
        double h = j->h[k];
        j->xp[k] = c->x[k] + h;
        peer_primal(j->fp, j->xp, c);
        j->xp[k] = c->x[k] - h;
        peer_primal(j->fm, j->xp, c);
        j->xp[k] = c->x[k];
        for (size_t i = 0; i < m; i++)
            j->out[i * n + k] = (j->fp[i] - j->fm[i]) / (2 * h);
    }
    sink = j->out[0];
}

static void run_fd_sparse(void *p)
{
    fd_job *j = p;
    const peer_case *c = j->c;
    const dj_pattern *pat = &c->sparse.pattern;
    const size_t *color = c->sparse.columns.color;
    size_t n = c->n, colors = c->sparse.columns.count;
    for (size_t g = 0; g < colors; g++) {
        for (size_t k = 0; k < n; k++)
            j->xp[k] = c->x[k] + (color[k] == g ? j->h[k] : 0.0);
        peer_primal(j->fp, j->xp, c);
        for (size_t k = 0; k < n; k++)
            j->xp[k] = c->x[k] - (color[k] == g ? j->h[k] : 0.0);
        peer_primal(j->fm, j->xp, c);
        for (size_t q = j->color_ptr[g]; q < j->color_ptr[g + 1]; q++) {
            size_t e = j->by_color[q], i = j->row[e];
            j->out[e] = (j->fp[i] - j->fm[i]) / (2 * j->h[pat->col[e]]);
        }
    }
    sink = j->out[0];
}

static void fd_methods(peer_run *r, const peer_case *c)
{
    fd_job j = {.c = c};
    j.out = xmalloc(c->nref, sizeof *j.out);
    j.xp = xmalloc(c->n, sizeof *j.xp);
    j.fp = xmalloc(c->m, sizeof *j.fp);
    j.fm = xmalloc(c->m, sizeof *j.fm);
    j.h = xmalloc(c->n, sizeof *j.h);
    fd_steps(&j);
    if (c->kind == PEER_SPARSE) {
        const dj_pattern *pat = &c->sparse.pattern;
        size_t colors = c->sparse.columns.count;
        j.color_ptr = xmalloc(colors + 1, sizeof *j.color_ptr);
        j.by_color = xmalloc(pat->nnz, sizeof *j.by_color);
        j.row = xmalloc(pat->nnz, sizeof *j.row);
        for (size_t i = 0; i < pat->m; i++)
            for (size_t e = pat->row_ptr[i]; e < pat->row_ptr[i + 1]; e++)
                j.row[e] = i;
        for (size_t e = 0; e < pat->nnz; e++)
            j.color_ptr[c->sparse.columns.color[pat->col[e]] + 1]++;
        for (size_t g = 0; g < colors; g++)
            j.color_ptr[g + 1] += j.color_ptr[g];
        size_t *fill = xmalloc(colors, sizeof *fill);
        for (size_t e = 0; e < pat->nnz; e++) {
            size_t g = c->sparse.columns.color[pat->col[e]];
            j.by_color[j.color_ptr[g] + fill[g]++] = e;
        }
        free(fill);
        char method[64];
        snprintf(method, sizeof method, "central, %zu colors", colors);
        if (colors <= 2000)
            peer_measure(r, c, method, run_fd_sparse, &j, j.out, PEER_TOL_FD);
        else
            peer_unavailable(r, c, method, "skipped: 2 primals a color");
    } else if (c->n <= (c->kind == PEER_GRADIENT ? 10000u : 1000u)) {
        peer_measure(r, c, "central", run_fd_dense, &j, j.out, PEER_TOL_FD);
    } else {
        peer_unavailable(r, c, "central", "skipped: 2n primals");
    }
    free(j.out), free(j.xp), free(j.fp), free(j.fm), free(j.h), free(j.by_color),
        free(j.color_ptr), free(j.row);
}

int main(int argc, char **argv)
{
    peer_run dj, fd;
    if (!peer_run_begin(&dj, argc, argv, "dualjac") || !peer_run_begin(&fd, argc, argv, "FD"))
        return 2;
    size_t count;
    peer_case *cases = peer_cases(dj.quick, &count);
    if (cases == NULL)
        return 2;
    for (size_t i = 0; i < count; i++) {
        peer_case_header(&dj, &cases[i]);
        dualjac_methods(&dj, &cases[i]);
        fd_methods(&fd, &cases[i]);
    }
    peer_cases_free(cases, count);
    int a = peer_run_end(&dj), b = peer_run_end(&fd);
    return a || b;
}
