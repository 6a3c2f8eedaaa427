/*
 * bench_modes.c: forward versus reverse cost, measured with the library's own
 * drivers, as ratios to the primal (the plain double evaluation) in one run.
 *
 * Families: the chain R^n -> R^64 -> R^64 -> R of the backprop notes swept
 * over n; the same chain with n = 64 swept over its output size; a tall
 * function; a square dense one; Broyden tridiagonal (banded); a
 * transcendental one. For each size: one JVP, one VJP (record + sweep, and the
 * sweep alone), the Jacobian by forward mode (k = 1 and the best k), by
 * reverse mode, by auto mode and by central differences (with its error), the
 * graph's bytes per node and peak memory. Then the matrix-chain argument of
 * the notes with OpenBLAS, and the gradient of a scalar function of 10^4
 * inputs.
 *
 * Writes a table, CSV (one row per measurement), gnuplot data with the
 * crossovers, and checks that every Jacobian it timed agrees with the others.
 * Usage: bench_modes [--quick] [--out DIR]
 */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dualjac.h>

#include "../src/problems/problems.h"
#include "report.h"
#include "timing.h"

/* the extended Rosenbrock sum (src/problems), whose gradient is timed
 * below */
#define DJ_TEMPLATE "rosenbrock_sum.dj.h"
#include <dualjac/instantiate.h>

static bench_config cfg = {9, 0.02, 1.5};
static bench_report rep;
static int quick;
static int failures; /* Jacobians that disagreed */

/* What the run must show, gathered as it goes. */
static struct {
    double auto_worst;          /* max of auto's pick / the better mode */
    char auto_worst_at[64];
    double rev_min, rev_max;    /* reverse gradient of the chain, n = 16..4096 */
    double fwd_min, fwd_max;    /* forward gradient over the same range */
    double cross_in, model_in, cross_out, model_out;
    double tall_min_win;        /* smallest reverse / forward on tall */
    int fd_beats_forward;       /* points where finite differences were faster */
    int fd_points;
} shown = {1, "", INFINITY, 0, INFINITY, 0, 0, 0, 0, 0, INFINITY, 0, 0};

/* ---- primals ------------------------------------------------------------------------ */

/* The chain written as plain double loops: the primal a user writes. */
static void chain_primal(double *y, const double *x, const dj_chain_params *c)
{
    double h1[DJ_CHAIN_MAX_HIDDEN], h2[DJ_CHAIN_MAX_HIDDEN];
    for (size_t i = 0; i < c->h1; i++) {
        double a = c->b1[i];
        for (size_t j = 0; j < c->n; j++)
            a += c->W1[i * c->n + j] * x[j];
        h1[i] = tanh(a);
    }
    for (size_t i = 0; i < c->h2; i++) {
        double a = c->b2[i];
        for (size_t j = 0; j < c->h1; j++)
            a += c->W2[i * c->h1 + j] * h1[j];
        h2[i] = tanh(a);
    }
    if (c->m == 0) {
        double s = 0;
        for (size_t i = 0; i < c->h2; i++)
            s += h2[i];
        y[0] = s;
        return;
    }
    for (size_t i = 0; i < c->m; i++) {
        double a = 0;
        for (size_t j = 0; j < c->h2; j++)
            a += c->W3[i * c->h2 + j] * h2[j];
        y[i] = a;
    }
}

/* ---- one point of a family: a function at a size, and what is timed ------------------- */

typedef struct point {
    const char *family;
    char size[48];
    dj_fn fn;
    const double *x;
    const dj_chain_params *chain; /* hand-written primal when set */
    double *y, *out, *v;
    dj_workspace ws;
    dj_graph g;
    dj_opts opts;
} point;

static volatile double sink;

static void run_primal(void *p)
{
    point *pt = p;
    if (pt->chain)
        chain_primal(pt->y, pt->x, pt->chain);
    else
        pt->fn.eval_double(pt->y, pt->x, pt->fn.n, pt->fn.m, pt->fn.ctx);
    sink = pt->y[0];
}

static void must(int status, const char *what)
{
    if (status != DJ_OK) {
        fprintf(stderr, "bench_modes: %s: %s\n", what, dj_strerror(status));
        exit(1);
    }
}

static void run_jvp(void *p)
{
    point *pt = p;
    must(dj_jvp(pt->y, pt->out, &pt->fn, pt->x, pt->v, &pt->opts), "jvp");
}

static void run_vjp(void *p)
{
    point *pt = p;
    must(dj_vjp(pt->y, pt->out, &pt->fn, pt->x, pt->v, &pt->opts), "vjp");
}

static void run_sweep(void *p)
{
    point *pt = p;
    must(dj_graph_vjp(&pt->g, pt->out, pt->v, 1), "sweep");
}

static void run_jacobian(void *p)
{
    point *pt = p;
    must(dj_jacobian(pt->out, NULL, &pt->fn, pt->x, &pt->opts, NULL), "jacobian");
}

/* Central differences, as jacdump --mode fd computes them. */
static void central_differences(double *J, const dj_fn *f, const double *x)
{
    size_t n = f->n, m = f->m;
    double *xp = malloc(n * sizeof *xp), *yp = malloc(m * sizeof *yp), *ym = malloc(m * sizeof *ym);
    if (!xp || !yp || !ym)
        must(DJ_ENOMEM, "finite differences");
    memcpy(xp, x, n * sizeof *xp);
    for (size_t j = 0; j < n; j++) {
        double h = 6.055454452393343e-06 * (fabs(x[j]) > 1 ? fabs(x[j]) : 1);
        xp[j] = x[j] + h;
        f->eval_double(yp, xp, n, m, f->ctx);
        xp[j] = x[j] - h;
        f->eval_double(ym, xp, n, m, f->ctx);
        xp[j] = x[j];
        for (size_t i = 0; i < m; i++)
            J[i * n + j] = (yp[i] - ym[i]) / (2 * h);
    }
    free(xp), free(yp), free(ym);
}

static void run_fd(void *p)
{
    point *pt = p;
    central_differences(pt->out, &pt->fn, pt->x);
}

/* max |a - b| / max(1, |b|) */
static double max_rel(const double *a, const double *b, size_t count)
{
    double worst = 0;
    for (size_t i = 0; i < count; i++) {
        double d = fabs(a[i] - b[i]) / fmax(1.0, fabs(b[i]));
        if (!(d <= worst))
            worst = d;
    }
    return worst;
}

/* ---- the measurements of one point ----------------------------------------------------- */

typedef struct point_result {
    double jvp, vjp, sweep, fwd1, fwd_best, rev, autom, fd;
    double fwd_k[5];         /* forward at k = 1, 2, 4, 8, 16 (0: not run) */
    double auto_choice;      /* the time of the configuration auto picked (1) */
    double auto_alternative; /* the other mode at its automatic chunk, relative */
    double fwd_over_rev;     /* forward at its best k / reverse, timed in pairs */
    int best_k, auto_picked_reverse;
    double fd_error, bytes_per_node, peak_bytes;
    size_t passes, sweeps;
} point_result;

static void row(const point *pt, const char *measure, const bench_stats *s, const char *unit)
{
    report_row(&rep, pt->family, pt->size, measure, s, unit);
}

static double ratio(point *pt, const char *measure, bench_fn *fn)
{
    bench_stats r;
    bench_ratio(&r, NULL, NULL, &cfg, run_primal, pt, fn, pt);
    row(pt, measure, &r, "ratio");
    return r.median;
}

/* Times everything for one point and checks the Jacobians agree. */
static void measure(point *pt, point_result *res, int with_fwd1, int with_fd, int with_pair)
{
    size_t n = pt->fn.n, m = pt->fn.m, cells = n * m;
    double *J = malloc(cells * sizeof *J), *Jref = malloc(cells * sizeof *Jref);
    pt->y = malloc(m * sizeof *pt->y);
    pt->out = malloc((cells > n ? cells : n) * sizeof *pt->out);
    pt->v = malloc((n > m ? n : m) * sizeof *pt->v);
    if (!J || !Jref || !pt->y || !pt->out || !pt->v)
        must(DJ_ENOMEM, "buffers");
    for (size_t i = 0; i < (n > m ? n : m); i++)
        pt->v[i] = 1.0 / (1.0 + (double)i);
    dj_workspace_init(&pt->ws);
    dj_graph_init(&pt->g);
    memset(res, 0, sizeof *res);
    fprintf(stderr, "  %s %s ...\n", pt->family, pt->size);

    pt->opts = (dj_opts){.ws = &pt->ws};
    res->jvp = ratio(pt, "JVP", run_jvp);
    res->vjp = ratio(pt, "VJP record+sweep", run_vjp);
    must(dj_graph_record(&pt->g, &pt->fn, pt->x), "record");
    res->sweep = ratio(pt, "VJP sweep only", run_sweep);

    /* the reference: reverse mode */
    pt->opts = (dj_opts){.mode = DJ_MODE_REVERSE, .ws = &pt->ws};
    dj_report r;
    must(dj_jacobian(Jref, NULL, &pt->fn, pt->x, &pt->opts, &r), "reverse Jacobian");
    res->sweeps = r.sweeps;
    res->rev = ratio(pt, "Jacobian reverse", run_jacobian);
    /* the recording alone; peak memory adds the sweeps' scratch */
    res->bytes_per_node =
        (double)(dj_graph_bytes(pt->ws.graph) - dj_graph_work_bytes(pt->ws.graph)) /
        (double)r.graph_nodes;
    res->peak_bytes = (double)(dj_graph_bytes(pt->ws.graph) + pt->ws.size);

    /* forward: every chunk width, keeping the best */
    res->fwd_best = INFINITY;
    for (int k = with_fwd1 ? 1 : 2; k <= 16; k *= 2) {
        pt->opts = (dj_opts){.mode = DJ_MODE_FORWARD, .chunk = k, .ws = &pt->ws};
        must(dj_jacobian(J, NULL, &pt->fn, pt->x, &pt->opts, &r), "forward Jacobian");
        if (max_rel(J, Jref, cells) > 1e-12) {
            fprintf(stderr, "bench_modes: %s %s: forward k=%d differs from reverse by %.3g\n",
                    pt->family, pt->size, k, max_rel(J, Jref, cells));
            failures++;
        }
        char measure[40];
        snprintf(measure, sizeof measure, "Jacobian forward k=%d", k);
        double t = ratio(pt, measure, run_jacobian);
        res->fwd_k[k == 1 ? 0 : k == 2 ? 1 : k == 4 ? 2 : k == 8 ? 3 : 4] = t;
        if (k == 1)
            res->fwd1 = t;
        if (t < res->fwd_best) {
            res->fwd_best = t;
            res->best_k = k;
            res->passes = r.passes;
        }
    }
    bench_stats b = {res->fwd_best, res->fwd_best, res->fwd_best, 1, 0};
    row(pt, "Jacobian forward best k", &b, "ratio");
    if (with_pair) {
        /* forward at its best k against reverse as interleaved pairs: near a
         * crossover the two are within a few percent, and drift between two
         * separate measurements would decide which is faster */
        point f_pt = *pt, r_pt = *pt;
        f_pt.opts = (dj_opts){.mode = DJ_MODE_FORWARD, .chunk = res->best_k, .ws = &pt->ws};
        r_pt.opts = (dj_opts){.mode = DJ_MODE_REVERSE, .ws = &pt->ws};
        bench_stats fr;
        bench_ratio(&fr, NULL, NULL, &cfg, run_jacobian, &r_pt, run_jacobian, &f_pt);
        res->fwd_over_rev = fr.median;
        row(pt, "forward best k / reverse (pairs)", &fr, "ratio");
    }

    pt->opts = (dj_opts){.mode = DJ_MODE_AUTO, .ws = &pt->ws};
    must(dj_jacobian(J, NULL, &pt->fn, pt->x, &pt->opts, &r), "auto Jacobian");
    res->auto_picked_reverse = r.mode == DJ_MODE_REVERSE;
    if (max_rel(J, Jref, cells) > 1e-12) {
        fprintf(stderr, "bench_modes: %s %s: auto differs from reverse\n", pt->family, pt->size);
        failures++;
    }
    res->autom = ratio(pt, "Jacobian auto", run_jacobian);
    /* auto's choice against the other mode at its automatic chunk, timed as
     * interleaved pairs of the two: drift between two separate measurements
     * (on a shared machine) cannot pass for a bad choice, nor hide one */
    point choice = *pt, other = *pt;
    dj_opts fwd = {.mode = DJ_MODE_FORWARD, .chunk = dj_chunk_auto(n), .ws = &pt->ws};
    dj_opts rev = {.mode = DJ_MODE_REVERSE, .ws = &pt->ws};
    choice.opts = res->auto_picked_reverse ? rev : fwd;
    other.opts = res->auto_picked_reverse ? fwd : rev;
    bench_stats pair;
    bench_ratio(&pair, NULL, NULL, &cfg, run_jacobian, &choice, run_jacobian, &other);
    res->auto_choice = 1.0;                /* time(choice) / time(choice) */
    res->auto_alternative = pair.median;   /* time(other) / time(choice) */
    bench_stats q = {res->auto_choice / fmin(res->auto_choice, res->auto_alternative), 0, 0, 1, 0};
    q.min = q.max = q.median;
    row(pt, "auto's pick / the better mode", &q, "ratio");

    if (with_fd) {
        central_differences(J, &pt->fn, pt->x);
        res->fd_error = max_rel(J, Jref, cells);
        bench_stats e = {res->fd_error, res->fd_error, res->fd_error, 1, 0};
        row(pt, "finite differences max rel error", &e, "relative");
        res->fd = ratio(pt, "Jacobian finite differences", run_fd);
        if (res->fd_error > 1e-4) {
            fprintf(stderr, "bench_modes: %s %s: finite differences off by %.3g\n", pt->family,
                    pt->size, res->fd_error);
            failures++;
        }
    }
    bench_stats cnt = {(double)res->passes, (double)res->passes, (double)res->passes, 1, 0};
    row(pt, "forward passes (best k)", &cnt, "count");
    cnt.median = cnt.min = cnt.max = (double)res->sweeps;
    row(pt, "reverse sweeps", &cnt, "count");
    bench_stats tp;
    bench_time(&tp, &cfg, run_primal, pt);
    row(pt, "primal time", &tp, "seconds");
    bench_stats mem = {res->bytes_per_node, res->bytes_per_node, res->bytes_per_node, 1, 0};
    row(pt, "graph bytes per node (matrices of layers included)", &mem, "bytes");
    mem.median = mem.min = mem.max = res->peak_bytes;
    row(pt, "reverse peak memory", &mem, "bytes");

    dj_graph_clear(&pt->g);
    dj_workspace_clear(&pt->ws);
    free(J), free(Jref), free(pt->y), free(pt->out), free(pt->v);
}

static void print_header(void)
{
    printf("%-10s %-14s %7s %7s %7s %8s %8s %8s %8s %9s %9s %6s\n", "family", "size", "JVP",
           "VJP", "sweep", "fwd k=1", "fwd best", "reverse", "auto", "fin.diff", "fd error",
           "B/node");
}

static void note_point(const point *pt, const point_result *r)
{
    double a = r->auto_choice / fmin(r->auto_choice, r->auto_alternative);
    if (a > shown.auto_worst) {
        shown.auto_worst = a;
        snprintf(shown.auto_worst_at, sizeof shown.auto_worst_at, "%s %s", pt->family, pt->size);
    }
    if (r->fd > 0) {
        shown.fd_points++;
        shown.fd_beats_forward += r->fd <= r->fwd_best;
    }
}

static void print_row(const point *pt, const point_result *r)
{
    note_point(pt, r);
    char fwd1[16] = "-", fd[16] = "-", fde[16] = "-";
    if (r->fwd1 > 0)
        snprintf(fwd1, sizeof fwd1, "%.2f", r->fwd1);
    if (r->fd > 0) {
        snprintf(fd, sizeof fd, "%.1f", r->fd);
        snprintf(fde, sizeof fde, "%.1e", r->fd_error);
    }
    char best[24];
    snprintf(best, sizeof best, "%.2f/%d", r->fwd_best, r->best_k);
    printf("%-10s %-14s %7.2f %7.2f %7.2f %8s %8s %8.2f %7.2f%s %9s %9s %6.1f\n", pt->family,
           pt->size, r->jvp, r->vjp, r->sweep, fwd1, best, r->rev, r->autom,
           r->auto_picked_reverse ? "r" : "f", fd, fde, r->bytes_per_node);
    fflush(stdout);
}

/* ---- families --------------------------------------------------------------------------- */

/* Finds where forward and reverse cost the same between consecutive sizes s
 * (log-linear interpolation of the log ratio), or beyond the range by
 * extrapolation when they do not cross in it; 0 if the ends are level. */
static double crossover(const double *s, const double *fwd, const double *rev, int count)
{
    for (int i = 0; i + 1 < count; i++) {
        double a = log(fwd[i] / rev[i]), b = log(fwd[i + 1] / rev[i + 1]);
        if ((a <= 0) != (b <= 0))
            return exp(log(s[i]) + (log(s[i + 1]) - log(s[i])) * a / (a - b));
    }
    /* no sign change in the range: the crossing lies beyond the end where
     * the two are closer; extend the line through the two points there */
    if (count < 2)
        return 0;
    double first = fabs(log(fwd[0] / rev[0])), last = fabs(log(fwd[count - 1] / rev[count - 1]));
    int i = first <= last ? 0 : count - 2;
    double a = log(fwd[i] / rev[i]), b = log(fwd[i + 1] / rev[i + 1]);
    if (a == b)
        return 0;
    return exp(log(s[i]) + (log(s[i + 1]) - log(s[i])) * a / (a - b));
}

/* Where auto mode's cost model switches between sizes lo and hi. */
static double model_crossover(int vary_inputs, size_t fixed, size_t lo, size_t hi)
{
    dj_mode first = vary_inputs ? dj_mode_auto(lo, fixed) : dj_mode_auto(fixed, lo);
    for (size_t s = lo + 1; s <= hi; s++) {
        dj_mode now = vary_inputs ? dj_mode_auto(s, fixed) : dj_mode_auto(fixed, s);
        if (now != first)
            return (double)s - 0.5;
    }
    return 0;
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    return f;
}

/* The chain swept over its input size n, scalar output: a gradient. */
static void family_chain_inputs(const char *dir, FILE *cross)
{
    static const size_t full[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};
    static const size_t small[] = {1, 8, 32, 128};
    const size_t *sizes = quick ? small : full;
    int count = quick ? 4 : 13;
    FILE *dat = open_out(dir, "chain_inputs.dat");
    fprintf(dat, "# n  forward_best  reverse  sweep  auto  fd\n");
    double s[16], fwd[16], rev[16];
    for (int i = 0; i < count; i++) {
        dj_problem_instance p;
        must(dj_problem_chain(&p, sizes[i], 64, 64, 0), "chain");
        point pt = {.family = "chain-n", .fn = p.fn, .x = p.x0, .chain = p.data};
        snprintf(pt.size, sizeof pt.size, "n=%zu m=1", sizes[i]);
        point_result r;
        /* finite differences from n = 2: at n = 1 their two evaluations and
         * one dual pass cost the same by construction */
        measure(&pt, &r, sizes[i] <= 256, sizes[i] >= 2 && sizes[i] <= 1024, 1);
        print_row(&pt, &r);
        s[i] = (double)sizes[i];
        fwd[i] = r.fwd_over_rev; /* the crossing of fwd/rev with 1 */
        rev[i] = 1.0;
        if (sizes[i] >= 16) {
            shown.rev_min = fmin(shown.rev_min, r.rev);
            shown.rev_max = fmax(shown.rev_max, r.rev);
            shown.fwd_min = fmin(shown.fwd_min, r.fwd_best);
            shown.fwd_max = fmax(shown.fwd_max, r.fwd_best);
        }
        fprintf(dat, "%zu %g %g %g %g %g\n", sizes[i], r.fwd_best, r.rev, r.sweep, r.autom,
                r.fd > 0 ? r.fd : NAN);
        dj_problem_destroy(&p);
    }
    fclose(dat);
    double measured = crossover(s, fwd, rev, count);
    double model = model_crossover(1, 1, 1, 100000);
    printf("  crossover in n (scalar output): measured %.3g, auto's cost model %.3g\n", measured,
           model);
    fprintf(cross, "cross_inputs = %g\nmodel_inputs = %g\n", measured, model);
    shown.cross_in = measured;
    shown.model_in = model;
    bench_stats c = {measured, measured, measured, 1, 0}, mdl = {model, model, model, 1, 0};
    report_row(&rep, "chain-n", "crossover", "measured crossover n", &c, "inputs");
    report_row(&rep, "chain-n", "crossover", "cost model crossover n", &mdl, "inputs");
}

/* The chain with n = 64 swept over its output size: tall when large. */
static void family_chain_outputs(const char *dir, FILE *cross)
{
    static const size_t full[] = {1, 4, 16, 32, 64, 128, 256, 512, 1024};
    static const size_t small[] = {1, 16, 128};
    const size_t *sizes = quick ? small : full;
    int count = quick ? 3 : 9;
    FILE *dat = open_out(dir, "chain_outputs.dat");
    fprintf(dat, "# m  forward_best  reverse  auto\n");
    double s[16], fwd[16], rev[16];
    for (int i = 0; i < count; i++) {
        dj_problem_instance p;
        must(dj_problem_chain(&p, 64, 64, 64, sizes[i]), "chain");
        point pt = {.family = "chain-m", .fn = p.fn, .x = p.x0, .chain = p.data};
        snprintf(pt.size, sizeof pt.size, "n=64 m=%zu", sizes[i]);
        point_result r;
        measure(&pt, &r, 0, 0, 1);
        print_row(&pt, &r);
        s[i] = (double)sizes[i];
        fwd[i] = r.fwd_over_rev;
        rev[i] = 1.0;
        fprintf(dat, "%zu %g %g %g\n", sizes[i], r.fwd_best, r.rev, r.autom);
        dj_problem_destroy(&p);
    }
    fclose(dat);
    double measured = crossover(s, fwd, rev, count);
    double model = model_crossover(0, 64, 1, 100000);
    printf("  crossover in m (n = 64): measured %.3g, auto's cost model %.3g\n", measured, model);
    fprintf(cross, "cross_outputs = %g\nmodel_outputs = %g\n", measured, model);
    shown.cross_out = measured;
    shown.model_out = model;
    bench_stats c = {measured, measured, measured, 1, 0}, mdl = {model, model, model, 1, 0};
    report_row(&rep, "chain-m", "crossover", "measured crossover m", &c, "outputs");
    report_row(&rep, "chain-m", "crossover", "cost model crossover m", &mdl, "outputs");
}

/* A named problem of problems.c at the given sizes. */
static void family_problem(const char *family, const char *name, const size_t *sizes, int count)
{
    for (int i = 0; i < count; i++) {
        dj_problem_instance p;
        must(dj_problem_create(&p, dj_problem_find(name), sizes[i]), name);
        point pt = {.family = family, .fn = p.fn, .x = p.x0};
        snprintf(pt.size, sizeof pt.size, "n=%zu m=%zu", p.fn.n, p.fn.m);
        point_result r;
        measure(&pt, &r, p.fn.n <= 256, 1, 0);
        print_row(&pt, &r);
        if (strcmp(family, "tall") == 0) {
            double win = r.rev / r.fwd_best;
            shown.tall_min_win = fmin(shown.tall_min_win, win);
            printf("  tall %s: forward wins by %.1fx\n", pt.size, win);
            bench_stats w = {win, win, win, 1, 0};
            report_row(&rep, family, pt.size, "reverse / forward", &w, "ratio");
        }
        dj_problem_destroy(&p);
    }
}

/* ---- the matrix-chain argument of the notes -------------------------------------------------
 * The linearized chain's gradient is uᵀ·A2·A1 with A2 = D2·W2 (d×m) and
 * A1 = D1·W1 (m×n). Right to left, two vector products: O(md + nm), what a
 * reverse sweep does. Left to right, the matrix product A2·A1 first: O(dmn),
 * then a vector product: O(dn), what forward mode pays for. */
typedef struct matrix_chain {
    size_t n, m, d;
    double *A1, *A2, *M, *u, *v, *g;
} matrix_chain;

static void right_to_left(void *p)
{
    matrix_chain *c = p;
    cblas_dgemv(CblasRowMajor, CblasTrans, (blasint)c->d, (blasint)c->m, 1.0, c->A2,
                (blasint)c->m, c->u, 1, 0.0, c->v, 1);
    cblas_dgemv(CblasRowMajor, CblasTrans, (blasint)c->m, (blasint)c->n, 1.0, c->A1,
                (blasint)c->n, c->v, 1, 0.0, c->g, 1);
}

static void left_to_right(void *p)
{
    matrix_chain *c = p;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)c->d, (blasint)c->n,
                (blasint)c->m, 1.0, c->A2, (blasint)c->m, c->A1, (blasint)c->n, 0.0, c->M,
                (blasint)c->n);
    cblas_dgemv(CblasRowMajor, CblasTrans, (blasint)c->d, (blasint)c->n, 1.0, c->M,
                (blasint)c->n, c->u, 1, 0.0, c->g, 1);
}

static void family_matrix_chain(void)
{
    static const size_t full[] = {16, 64, 256, 1024, 4096};
    static const size_t small[] = {16, 64};
    const size_t *sizes = quick ? small : full;
    int count = quick ? 2 : 5;
    printf("\nmatrix chain u^T A2 A1 (d = m = 64): time of matrix products / vector products\n");
    for (int i = 0; i < count; i++) {
        matrix_chain c = {.n = sizes[i], .m = 64, .d = 64};
        c.A1 = malloc(c.m * c.n * sizeof(double));
        c.A2 = malloc(c.d * c.m * sizeof(double));
        c.M = malloc(c.d * c.n * sizeof(double));
        c.u = malloc(c.d * sizeof(double));
        c.v = malloc(c.m * sizeof(double));
        c.g = malloc(c.n * sizeof(double));
        for (size_t t = 0; t < c.m * c.n; t++)
            c.A1[t] = sin((double)t);
        for (size_t t = 0; t < c.d * c.m; t++)
            c.A2[t] = cos((double)t);
        for (size_t t = 0; t < c.d; t++)
            c.u[t] = 1.0;
        bench_stats r, ta, tb;
        bench_ratio(&r, &ta, &tb, &cfg, right_to_left, &c, left_to_right, &c);
        char size[32];
        snprintf(size, sizeof size, "n=%zu m=d=64", c.n);
        printf("  %-14s left-to-right / right-to-left %7.1fx  (%.3g s vs %.3g s)\n", size,
               r.median, tb.median, ta.median);
        report_row(&rep, "matrix-chain", size, "dgemm chain / dgemv chain", &r, "ratio");
        free(c.A1), free(c.A2), free(c.M), free(c.u), free(c.v), free(c.g);
    }
}

/* ---- gradients of scalar functions of many inputs --------------------------------------- */

static void gradient_point(point *pt, const char *target)
{
    size_t n = pt->fn.n;
    pt->y = malloc(sizeof *pt->y);
    pt->out = malloc(n * sizeof *pt->out);
    pt->v = malloc(sizeof *pt->v);
    pt->v[0] = 1.0;
    dj_workspace_init(&pt->ws);
    dj_graph_init(&pt->g);
    pt->opts = (dj_opts){.ws = &pt->ws};
    bench_stats rec, sw;
    bench_ratio(&rec, NULL, NULL, &cfg, run_primal, pt, run_vjp, pt);
    must(dj_graph_record(&pt->g, &pt->fn, pt->x), "record");
    bench_ratio(&sw, NULL, NULL, &cfg, run_primal, pt, run_sweep, pt);
    printf("  %-12s %-12s gradient record+sweep %6.2fx, sweep alone %6.2fx  %s\n", pt->family,
           pt->size, rec.median, sw.median, target);
    row(pt, "gradient record+sweep", &rec, "ratio");
    row(pt, "gradient sweep only", &sw, "ratio");
    dj_graph_clear(&pt->g);
    dj_workspace_clear(&pt->ws);
    free(pt->y), free(pt->out), free(pt->v);
}

static void family_gradients(void)
{
    size_t n = quick ? 1000 : 10000;
    printf("\ngradients of scalar functions, n = %zu (ratios to the plain-loop primal)\n", n);
    dj_problem_instance p;
    must(dj_problem_chain(&p, n, 64, 64, 0), "chain");
    point pt = {.family = "chain-sum", .fn = p.fn, .x = p.x0, .chain = p.data};
    snprintf(pt.size, sizeof pt.size, "n=%zu", n);
    gradient_point(&pt, "(target: <= 4 and <= 2)");
    dj_problem_destroy(&p);

    must(dj_problem_chain(&p, 256, 64, 64, 0), "chain");
    point wide = {.family = "chain-sum", .fn = p.fn, .x = p.x0, .chain = p.data};
    snprintf(wide.size, sizeof wide.size, "n=256");
    gradient_point(&wide, "(target: <= 4)");
    dj_problem_destroy(&p);

    double *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++)
        x[i] = (i % 2) ? 1.0 : -1.2;
    point rs = {.family = "rosenbrock", .fn = DJ_FN_INIT(rosenbrock_sum, n, 1, NULL), .x = x};
    snprintf(rs.size, sizeof rs.size, "n=%zu", n);
    gradient_point(&rs, "(a scalar tape: ~10 nodes per term)");
    free(x);
}

int main(int argc, char **argv)
{
    bench_args args;
    if (!report_args(&args, &cfg, argc, argv, "bench_modes") ||
        !report_open_in(&rep, args.dir, "modes.csv"))
        return 2;
    const char *dir = args.dir;
    quick = args.quick;
    printf("forward vs reverse: time of each computation / time of the primal (medians of %d%s "
           "interleaved pairs)\nmachine: %s\n",
           cfg.samples, cfg.max_seconds > 0 ? " or fewer" : "", report_machine(&rep));
    printf("fwd best: ratio/k; auto: ratio and its pick (f or r); B/node: graph bytes per node\n\n");
    print_header();
    FILE *cross = open_out(dir, "crossover.gp");
    family_chain_inputs(dir, cross);
    family_chain_outputs(dir, cross);
    fclose(cross);
    static const size_t tall[] = {2, 4, 8}, dense[] = {32, 128}, banded[] = {100, 1000},
                        trig[] = {100, 1000};
    family_problem("tall", "tall", tall, quick ? 1 : 3);
    family_problem("dense", "chain-vec", dense, quick ? 1 : 2);
    family_problem("broyden", "broyden", banded, quick ? 1 : 2);
    family_problem("trig", "trig", trig, quick ? 1 : 2);
    family_matrix_chain();
    family_gradients();
    report_close(&rep);
    double flat = shown.rev_max / shown.rev_min, grow = shown.fwd_max / shown.fwd_min;
    double off_in = fmax(shown.cross_in, shown.model_in) / fmin(shown.cross_in, shown.model_in);
    double off_out =
        fmax(shown.cross_out, shown.model_out) / fmin(shown.cross_out, shown.model_out);
    printf("\nwhat the run shows:\n");
    printf("  reverse gradient, n = 16..4096: varies %.2fx (forward: %.0fx)   [flat: within 2x]\n",
           flat, grow);
    printf("  crossover in n: measured %.3g, model %.3g, %.2fx apart          [within 2x]\n",
           shown.cross_in, shown.model_in, off_in);
    printf("  crossover in m: measured %.3g, model %.3g, %.2fx apart          [within 2x]\n",
           shown.cross_out, shown.model_out, off_out);
    printf("  tall: forward wins by at least %.0fx                              [at least 5x]\n",
           shown.tall_min_win);
    printf("  chunked forward faster than finite differences at %d of %d points [all]\n",
           shown.fd_points - shown.fd_beats_forward, shown.fd_points);
    printf("  auto's pick at most %.2fx the better mode (worst: %s) [at most 1.2x]\n",
           shown.auto_worst, shown.auto_worst_at[0] ? shown.auto_worst_at : "none");
    printf("\nwrote %s and gnuplot data in %s\n", rep.path, dir);
    if (failures) {
        fprintf(stderr, "bench_modes: %d Jacobian%s disagreed\n", failures,
                failures == 1 ? "" : "s");
        return 1;
    }
    return 0;
}
