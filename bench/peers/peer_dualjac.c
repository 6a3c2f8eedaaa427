/*
 * peer_dualjac.c: dualjac's side of `make bench-peers`, and central finite
 * differences (FD), on every case of cases.c: dense Jacobians forward and
 * reverse (and which of the two auto mode picks), gradients by recording
 * and sweeping (and by replaying a recording at the point and sweeping it,
 * the analogue of ADOL-C's gradient on an existing tape), sparse Jacobians
 * through dj_sparse_jacobian after one analysis; Hessian-vector products
 * by dj_hvp and by replaying one recording and dj_graph_hvp (the analogue
 * of ADOL-C's hess_vec on an existing tape), dense Hessians by dj_hessian
 * and by replay + dj_graph_hvp of 16 directions a sweep, sparse Hessians by
 * dj_sparse_hessian after one dj_hsparse_analyze. FD of second
 * derivatives is central differences of dualjac's gradients (replay +
 * sweep): 2 a product, 2n a dense Hessian, 2 a color of the star coloring
 * for a sparse one. Everything on one thread, with a workspace, so that
 * repeated calls allocate nothing.
 *
 * Usage: peer_dualjac [--quick] [--only TEXT] [--blas-own] [--out DIR]
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

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
    double *V, *HV; /* replay + dj_graph_hvp: k x n directions and products */
    int k;
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

static void run_hvp(void *p)
{
    dj_job *j = p;
    if (dj_hvp(j->out, NULL, NULL, &j->c->fn, j->c->x, j->c->v, NULL, &j->opts) != DJ_OK)
        abort();
    sink = j->out[0];
}

static void run_hessian(void *p)
{
    dj_job *j = p;
    if (dj_hessian(j->out, NULL, NULL, &j->c->fn, j->c->x, NULL, &j->opts, NULL) != DJ_OK)
        abort();
    sink = j->out[0];
}

static void run_sparse_hessian(void *p)
{
    dj_job *j = p;
    if (dj_sparse_hessian(j->out, NULL, NULL, &j->c->hsparse, &j->c->fn, j->c->x, NULL, &j->opts,
                          NULL) != DJ_OK)
        abort();
    sink = j->out[0];
}

/* The replay recomputes the values (and so the second partials the sweep
 * needs) at x, as ADOL-C's drivers run the tape forward at x each call. */
static void run_replay_hvp(void *p)
{
    dj_job *j = p;
    if (dj_graph_replay(j->g, j->y, j->c->x) != DJ_OK ||
        dj_graph_hvp(j->g, j->out, NULL, NULL, j->c->v, 1) != DJ_OK)
        abort();
    sink = j->out[0];
}

/* H by sweeps of k unit directions: row p0 + d of H is product d (H is
 * symmetric), the last sweep's surplus directions zero. */
static void run_replay_hessian(void *p)
{
    dj_job *j = p;
    size_t n = j->c->n, k = (size_t)j->k;
    if (dj_graph_replay(j->g, j->y, j->c->x) != DJ_OK)
        abort();
    for (size_t p0 = 0; p0 < n; p0 += k) {
        size_t kk = n - p0 < k ? n - p0 : k;
        for (size_t d = 0; d < kk; d++)
            j->V[d * n + p0 + d] = 1.0;
        if (dj_graph_hvp(j->g, j->HV, NULL, NULL, j->V, j->k) != DJ_OK)
            abort();
        for (size_t d = 0; d < kk; d++)
            j->V[d * n + p0 + d] = 0.0;
        memcpy(j->out + p0 * n, j->HV, kk * n * sizeof *j->out);
    }
    sink = j->out[0];
}

/* A graph recorded at the case's point, values kept for second-order
 * sweeps when second is nonzero. */
static void record(dj_graph *g, const peer_case *c, int second)
{
    dj_graph_init(g);
    if ((second && dj_graph_keep_values(g, 1) != DJ_OK) ||
        dj_graph_record(g, &c->fn, c->x) != DJ_OK)
        abort();
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
    case PEER_HVP: {
        peer_measure(r, c, "hvp (record + sweep)", run_hvp, &j, out, PEER_TOL_EXACT);
        dj_graph g;
        record(&g, c, 1);
        double y;
        j.g = &g, j.y = &y;
        peer_measure(r, c, "replay + graph_hvp", run_replay_hvp, &j, out, PEER_TOL_EXACT);
        dj_graph_clear(&g);
        break;
    }
    case PEER_HESSIAN: {
        dj_report rep;
        if (dj_hessian(out, NULL, NULL, &c->fn, c->x, NULL, &j.opts, &rep) != DJ_OK)
            abort();
        snprintf(method, sizeof method, "hessian k=%d (record + %zu sweeps)", rep.chunk,
                 rep.sweeps);
        peer_measure(r, c, method, run_hessian, &j, out, PEER_TOL_EXACT);
        dj_graph g;
        record(&g, c, 1);
        double y;
        j.g = &g, j.y = &y, j.k = 16;
        j.V = xmalloc(16 * c->n, sizeof *j.V);
        j.HV = xmalloc(16 * c->n, sizeof *j.HV);
        snprintf(method, sizeof method, "replay + graph_hvp k=16, %zu sweeps", (c->n + 15) / 16);
        peer_measure(r, c, method, run_replay_hessian, &j, out, PEER_TOL_EXACT);
        free(j.V), free(j.HV);
        dj_graph_clear(&g);
        break;
    }
    case PEER_SPARSE_HESSIAN:
        snprintf(method, sizeof method, "sparse hessian, %zu colors", c->hsparse.colors.count);
        peer_measure(r, c, method, run_sparse_hessian, &j, out, PEER_TOL_EXACT);
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

/* ---- second derivatives by central differences of gradients -----------------
 * The gradients are dualjac's fastest: a replay of one recording and a
 * sweep. Steps as for Jacobians; a product H v moves x along v by
 * eps^(1/3) max(1, |x|_inf) / |v|_inf; a sparse Hessian moves the
 * variables of one star color together, each by its own step, and reads
 * each entry where cases.c says, divided by its variable's step. */

typedef struct fdh_job {
    const peer_case *c;
    dj_graph g;
    double *out, *xp, *gp, *gm, *h, *B, step;
} fdh_job;

static void fd_gradient(fdh_job *j, double *grad)
{
    double y, one = 1.0;
    if (dj_graph_replay(&j->g, &y, j->xp) != DJ_OK || dj_graph_vjp(&j->g, grad, &one, 1) != DJ_OK)
        abort();
}

static void run_fd_hvp(void *p)
{
    fdh_job *j = p;
    const peer_case *c = j->c;
    size_t n = c->n;
    for (size_t k = 0; k < n; k++)
        j->xp[k] = c->x[k] + j->step * c->v[k];
    fd_gradient(j, j->gp);
    for (size_t k = 0; k < n; k++)
        j->xp[k] = c->x[k] - j->step * c->v[k];
    fd_gradient(j, j->gm);
    for (size_t k = 0; k < n; k++)
        j->out[k] = (j->gp[k] - j->gm[k]) / (2 * j->step);
    sink = j->out[0];
}

static void run_fd_hessian(void *p)
{
    fdh_job *j = p;
    const peer_case *c = j->c;
    size_t n = c->n;
    memcpy(j->xp, c->x, n * sizeof *j->xp);
    for (size_t k = 0; k < n; k++) {
        double h = j->h[k];
        j->xp[k] = c->x[k] + h;
        fd_gradient(j, j->gp);
        j->xp[k] = c->x[k] - h;
        fd_gradient(j, j->gm);
        j->xp[k] = c->x[k];
        for (size_t i = 0; i < n; i++)
            j->out[i * n + k] = (j->gp[i] - j->gm[i]) / (2 * h);
    }
    sink = j->out[0];
}

static void run_fd_sparse_hessian(void *p)
{
    fdh_job *j = p;
    const peer_case *c = j->c;
    const size_t *color = c->hsparse.colors.color;
    size_t n = c->n, colors = c->hsparse.colors.count;
    for (size_t g = 0; g < colors; g++) {
        for (size_t k = 0; k < n; k++)
            j->xp[k] = c->x[k] + (color[k] == g ? j->h[k] : 0.0);
        fd_gradient(j, j->gp);
        for (size_t k = 0; k < n; k++)
            j->xp[k] = c->x[k] - (color[k] == g ? j->h[k] : 0.0);
        fd_gradient(j, j->gm);
        for (size_t i = 0; i < n; i++)
            j->B[i * colors + g] = (j->gp[i] - j->gm[i]) / 2;
    }
    for (size_t e = 0; e < c->nref; e++)
        j->out[e] = j->B[c->hread_row[e] * colors + c->hread_color[e]] / j->h[c->hread_var[e]];
    sink = j->out[0];
}

static void fd_hessian_methods(peer_run *r, const peer_case *c)
{
    size_t n = c->n;
    fdh_job j = {.c = c};
    record(&j.g, c, 0);
    j.out = xmalloc(c->nref, sizeof *j.out);
    j.xp = xmalloc(n, sizeof *j.xp);
    j.gp = xmalloc(n, sizeof *j.gp);
    j.gm = xmalloc(n, sizeof *j.gm);
    j.h = xmalloc(n, sizeof *j.h);
    for (size_t k = 0; k < n; k++)
        j.h[k] = cbrt(DBL_EPSILON) * fmax(1.0, fabs(c->x[k]));
    char method[64];
    if (c->kind == PEER_HVP) {
        double xmax = 0, vmax = 0;
        for (size_t k = 0; k < n; k++)
            xmax = fmax(xmax, fabs(c->x[k])), vmax = fmax(vmax, fabs(c->v[k]));
        j.step = cbrt(DBL_EPSILON) * fmax(1.0, xmax) / vmax;
        peer_measure(r, c, "central, 2 gradients", run_fd_hvp, &j, j.out, PEER_TOL_FD);
    } else if (c->kind == PEER_HESSIAN) {
        snprintf(method, sizeof method, "central, %zu gradients", 2 * n);
        if (n <= 1000)
            peer_measure(r, c, method, run_fd_hessian, &j, j.out, PEER_TOL_FD);
        else
            peer_unavailable(r, c, method, "skipped: 2n gradients");
    } else {
        size_t colors = c->hsparse.colors.count;
        j.B = xmalloc(n * colors, sizeof *j.B);
        snprintf(method, sizeof method, "central, %zu colors, %zu gradients", colors, 2 * colors);
        if (colors <= 2000)
            peer_measure(r, c, method, run_fd_sparse_hessian, &j, j.out, PEER_TOL_FD);
        else
            peer_unavailable(r, c, method, "skipped: 2 gradients a color");
    }
    dj_graph_clear(&j.g);
    free(j.out), free(j.xp), free(j.gp), free(j.gm), free(j.h), free(j.B);
}

/* --blas-own, for `make bench-peers` when OPENBLAS_CORETYPE forces
 * OpenBLAS's kernels and the Makefile has unset it for this run: dualjac's
 * methods alone (FD's calls no BLAS), in peers-dualjac-blas-own.csv, each
 * named after the kernels OpenBLAS chose for the CPU. */
static int take_blas_own(int *argc, char **argv)
{
    for (int i = 1; i < *argc; i++)
        if (strcmp(argv[i], "--blas-own") == 0) {
            for (int j = i; j < *argc; j++)
                argv[j] = argv[j + 1];
            (*argc)--;
            return 1;
        }
    return 0;
}

int main(int argc, char **argv)
{
    peer_run dj, fd;
    int blas_own = take_blas_own(&argc, argv);
    if (blas_own) {
        char note[64];
        const char *core = openblas_get_corename();
        snprintf(note, sizeof note, "OpenBLAS's own kernels (%s)", core ? core : "unknown");
        if (!peer_run_begin_variant(&dj, argc, argv, "dualjac", "blas-own", note))
            return 2;
    } else if (!peer_run_begin(&dj, argc, argv, "dualjac") ||
               !peer_run_begin(&fd, argc, argv, "FD")) {
        return 2;
    }
    size_t count;
    peer_case *cases = peer_cases(dj.quick, dj.only, &count);
    if (cases == NULL)
        return 2;
    for (size_t i = 0; i < count; i++) {
        peer_case_header(&dj, &cases[i]);
        dualjac_methods(&dj, &cases[i]);
        if (blas_own)
            continue;
        if (cases[i].kind == PEER_HVP || cases[i].kind == PEER_HESSIAN ||
            cases[i].kind == PEER_SPARSE_HESSIAN)
            fd_hessian_methods(&fd, &cases[i]);
        else
            fd_methods(&fd, &cases[i]);
    }
    peer_cases_free(cases, count);
    int a = peer_run_end(&dj), b = blas_own ? 0 : peer_run_end(&fd);
    return a || b;
}
