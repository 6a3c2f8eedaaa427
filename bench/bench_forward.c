/*
 * bench_forward.c: the speed of forward mode, as ratios to the plain double
 * evaluation a user would write by hand (the primal), measured in one run.
 *
 *   JVP: one directional derivative of a function dominated by exp/sin/log,
 *        and of one made of + and × only, with and without dj_jvp's packing;
 *   Jacobian: the chain y = W3·tanh(W2·tanh(W1·x)) at three shapes and the
 *        Brown almost-linear function, for every chunk width k;
 *   NaN-safe mode: what turning it on costs a JVP and a Jacobian.
 *
 * The chain is also compared with a primal that itself calls dgemv. Every
 * derivative runs on one thread, as the primal does.
 * Usage: bench_forward [--quick] [--csv FILE] [--only FAMILY]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dualjac.h>

#include "../src/problems/problems.h"
#include "report.h"
#include "timing.h"

/* ---- the two JVP functions, written once --------------------------------------- */

/* f_i = sin(x_i)·exp(x_{i+1}) + log(x_i), x > 0 */
#define TRANSC(T, y, x, n, m, ctx)                                             \
    for (size_t i = 0; i < n; i++)                                             \
        y[i] = dj_add(dj_mul(dj_sin(x[i]), dj_exp(x[i + 1 < n ? i + 1 : 0])), dj_log(x[i]));
DJ_FN_INSTANTIATE(transc, TRANSC);

static void transc_primal(double *y, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = sin(x[i]) * exp(x[i + 1 < n ? i + 1 : 0]) + log(x[i]);
}

/* f_i = (x_i + x_{i+1})·x_i·x_{i-1} + x_{i+1}, non-cyclic ends */
#define POLY(T, y, x, n, m, ctx)                                               \
    {                                                                          \
        y[0] = dj_mul(x[0], x[1]);                                             \
        for (size_t i = 1; i + 1 < n; i++)                                     \
            y[i] = dj_add(dj_mul(dj_mul(dj_add(x[i], x[i + 1]), x[i]), x[i - 1]), x[i + 1]); \
        y[n - 1] = dj_mul(x[n - 1], x[n - 2]);                                 \
    }
DJ_FN_INSTANTIATE(poly, POLY);

static void poly_primal(double *y, const double *x, size_t n)
{
    y[0] = x[0] * x[1];
    for (size_t i = 1; i + 1 < n; i++)
        y[i] = (x[i] + x[i + 1]) * x[i] * x[i - 1] + x[i + 1];
    y[n - 1] = x[n - 1] * x[n - 2];
}

/* ---- hand-written primals of the chain and Brown ---------------------------------- */

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
    for (size_t i = 0; i < c->m; i++) {
        double a = 0;
        for (size_t j = 0; j < c->h2; j++)
            a += c->W3[i * c->h2 + j] * h2[j];
        y[i] = a;
    }
}

static void brown_primal(double *y, const double *x, size_t n)
{
    double s = x[0], p = x[0];
    for (size_t j = 1; j < n; j++) {
        s += x[j];
        p *= x[j];
    }
    double c = s - (double)(n + 1);
    for (size_t i = 0; i + 1 < n; i++)
        y[i] = x[i] + c;
    y[n - 1] = p - 1;
}

/* ---- what each timed call does ------------------------------------------------------ */

typedef struct job {
    const dj_fn *f;
    const double *x, *v;
    double *y, *out;
    dj_opts opts;
    const dj_chain_params *chain;
    void (*primal)(double *y, const double *x, size_t n);
} job;

static volatile double sink;

static void run_primal(void *p)
{
    job *j = p;
    if (j->chain)
        chain_primal(j->y, j->x, j->chain);
    else
        j->primal(j->y, j->x, j->f->n);
    sink = j->y[0];
}

static void run_eval_double(void *p)
{
    job *j = p;
    j->f->eval_double(j->y, j->x, j->f->n, j->f->m, j->f->ctx);
    sink = j->y[0];
}

static void run_jvp(void *p)
{
    job *j = p;
    if (dj_jvp(j->y, j->out, j->f, j->x, j->v, &j->opts) != DJ_OK)
        abort(); /* a benchmark program, not the library: stop loudly */
    sink = j->out[0];
}

/* f on dual arrays already packed: what the JVP costs without moving x
 * and v into duals and y and J·v out of them. */
typedef struct dual_job {
    const dj_fn *f;
    dj_dual *X, *Y;
} dual_job;

static void run_eval_dual(void *p)
{
    dual_job *j = p;
    j->f->eval_dual(j->Y, j->X, j->f->n, j->f->m, j->f->ctx);
    sink = j->Y[0].d;
}

/* The derivatives' jobs: on one thread, as the primal runs, reusing ws. */
static job jvp_job(const dj_fn *f, const double *x, const double *v, double *y, double *jv,
                   dj_workspace *ws)
{
    return (job){.f = f, .x = x, .v = v, .y = y, .out = jv, .opts = {.ws = ws, .threads = 1}};
}

/* A forward Jacobian into J with chunk width k (0: automatic). */
static job jacobian_job(const dj_fn *f, const double *x, double *J, int k, dj_workspace *ws)
{
    return (job){.f = f, .x = x, .out = J,
                 .opts = {.mode = DJ_MODE_FORWARD, .chunk = k, .ws = ws, .threads = 1}};
}

static void run_jacobian(void *p)
{
    job *j = p;
    if (dj_jacobian(j->out, NULL, j->f, j->x, &j->opts, NULL) != DJ_OK)
        abort();
    sink = j->out[0];
}

/* ---- the measurements ----------------------------------------------------------------- */

/* Up to 20,000 pairs of samples of ~2 us (one call, or a few of a quick
 * function), at most 1 s a measurement. A shared machine can run in a fast
 * and a slow state, switching within milliseconds or staying for seconds,
 * and the slow state need not slow a primal and its derivative alike.
 * Samples of milliseconds mix the states, and their fastest moves from run
 * to run; a sample of one call lies within one state, so the fastest
 * samples are the fast state's whenever it occurs during the measurement.
 * The printed base (a's fastest call) shows what it saw. */
static bench_config cfg = {20000, 2e-6, 1.0};
static bench_report rep;
static const char *only; /* --only: one family */

static int wanted(const char *family) { return only == NULL || strcmp(only, family) == 0; }

/* A ratio b/a two ways: the median of the interleaved pairs' ratios, and
 * b's fastest sample over a's. On a shared machine most samples can run
 * well above the fastest, and the slowdown need not hit a and b alike; the
 * fastest samples are the most reproducible from run to run, the pairs
 * show the typical case. */
typedef struct ratio {
    bench_stats pairs;
    double fastest;
    double base; /* a's fastest call, seconds: which state the machine was in */
} ratio;

static void measure(ratio *r, bench_fn *a, void *a_arg, bench_fn *b, void *b_arg)
{
    bench_stats ta, tb;
    bench_ratio(&r->pairs, &ta, &tb, &cfg, a, a_arg, b, b_arg);
    r->fastest = tb.min / ta.min;
    r->base = ta.min;
}

/* The CSV rows of r: the pairs, and the fastest samples' ratio. */
static void report_ratio(const char *family, const char *size, const char *what,
                         const ratio *r)
{
    report_row(&rep, family, size, what, &r->pairs, "ratio");
    char name[96];
    snprintf(name, sizeof name, "%s (fastest samples)", what);
    bench_stats f = {r->fastest, r->fastest, r->fastest, 1, 0};
    report_row(&rep, family, size, name, &f, "ratio");
}

static void print_ratio(const char *family, const char *size, const char *what, const ratio *r,
                        const char *target)
{
    printf("  %-14s %-12s %-26s %8.2fx  [%6.2f .. %6.2f]  fastest %6.2fx  %s  (base %.3g us)\n",
           family, size, what, r->pairs.median, r->pairs.min, r->pairs.max, r->fastest, target,
           r->base * 1e6);
    report_ratio(family, size, what, r);
}

/* x, v, y and J·v of a JVP of size n, one block: x in [0.5, 2), v in
 * {1, 0, -1}. Free with free(x). */
static double *jvp_arrays(size_t n)
{
    double *x = malloc(4 * n * sizeof *x);
    if (x == NULL)
        abort();
    for (size_t i = 0; i < n; i++) {
        x[i] = 0.5 + 1.5 * (double)i / (double)n;
        x[n + i] = 1.0 - (double)(i % 3);
    }
    return x;
}

static void bench_jvp(const char *name, dj_fn f, void (*primal)(double *, const double *, size_t),
                      const char *target)
{
    size_t n = f.n;
    double *x = jvp_arrays(n), *v = x + n, *y = v + n, *out = y + n;
    dj_workspace ws;
    dj_workspace_init(&ws);
    job base = {.f = &f, .x = x, .y = y, .primal = primal};
    job jvp = jvp_job(&f, x, v, y, out, &ws);
    ratio r;
    char size[32];
    snprintf(size, sizeof size, "n=m=%zu", n);
    measure(&r, run_primal, &base, run_jvp, &jvp);
    print_ratio(name, size, "JVP / primal", &r, target);
    dj_dual *X = malloc(2 * n * sizeof *X);
    if (X == NULL)
        abort();
    for (size_t i = 0; i < n; i++)
        X[i] = dj_dual_make(x[i], v[i]);
    dual_job dual = {&f, X, X + n};
    measure(&r, run_primal, &base, run_eval_dual, &dual);
    print_ratio(name, size, "dual evaluation / primal", &r, "(the JVP without packing)");
    dj_workspace_clear(&ws);
    free(X), free(x);
}

/* Forward Jacobian for every chunk width, and the best k by each measure. */
static void bench_jacobian_chunks(const char *family, const char *size, dj_fn f,
                                  const double *x0, job *base, const char *target)
{
    double *J = malloc(f.n * f.m * sizeof *J);
    dj_workspace ws;
    dj_workspace_init(&ws);
    ratio best = {{INFINITY, 0, 0, 0, 0}, INFINITY, 0};
    int best_k = 0, fastest_k = 0;
    for (int k = 1; k <= 16; k *= 2) {
        job jac = jacobian_job(&f, x0, J, k, &ws);
        ratio r;
        measure(&r, run_primal, base, run_jacobian, &jac);
        char what[48];
        snprintf(what, sizeof what, "Jacobian fwd k=%d / primal", k);
        print_ratio(family, size, what, &r, "");
        if (r.pairs.median < best.pairs.median) {
            best.pairs = r.pairs;
            best_k = k;
        }
        if (r.fastest < best.fastest) {
            best.fastest = r.fastest;
            best.base = r.base;
            fastest_k = k;
        }
    }
    printf("  %-14s %-12s %-26s %8.2fx  (k=%d)  fastest %6.2fx (k=%d)  %s  (base %.3g us)\n",
           family, size, "best k", best.pairs.median, best_k, best.fastest, fastest_k, target,
           best.base * 1e6);
    best.pairs.min = best.pairs.max = best.pairs.median;
    best.pairs.samples = 1;
    report_ratio(family, size, "Jacobian fwd best k / primal", &best);
    dj_workspace_clear(&ws);
    free(J);
}

static void bench_chain(size_t n, size_t h, size_t m, const char *target)
{
    dj_problem_instance p;
    if (dj_problem_chain(&p, n, h, h, m) != DJ_OK)
        abort();
    double *y = malloc(m * sizeof *y);
    char size[32];
    snprintf(size, sizeof size, "%zu-%zu-%zu", n, h, m);
    job base = {.f = &p.fn, .x = p.x0, .y = y, .chain = p.data};
    bench_jacobian_chunks("chain", size, p.fn, p.x0, &base, target);
    /* the same against a primal that calls dgemv (the body's double
     * instantiation, through dj_linear) */
    double *J = malloc(n * m * sizeof *J);
    dj_workspace ws;
    dj_workspace_init(&ws);
    job gemv = {.f = &p.fn, .x = p.x0, .y = y};
    job jac = jacobian_job(&p.fn, p.x0, J, 0, &ws);
    ratio r;
    measure(&r, run_eval_double, &gemv, run_jacobian, &jac);
    print_ratio("chain", size, "Jacobian fwd / dgemv primal", &r, "(other baseline)");
    dj_workspace_clear(&ws);
    free(J), free(y);
    dj_problem_destroy(&p);
}

static void bench_brown(size_t n, const char *target)
{
    dj_problem_instance p;
    if (dj_problem_create(&p, dj_problem_find("brown"), n) != DJ_OK)
        abort();
    double *y = malloc(n * sizeof *y);
    char size[32];
    snprintf(size, sizeof size, "n=m=%zu", n);
    job base = {.f = &p.fn, .x = p.x0, .y = y, .primal = brown_primal};
    bench_jacobian_chunks("brown", size, p.fn, p.x0, &base, target);
    /* the layouts against each other: they should cost alike, and a
     * column-major store done one double at a time would not */
    double *J = malloc(n * n * sizeof *J);
    dj_workspace ws;
    dj_workspace_init(&ws);
    job row = jacobian_job(&p.fn, p.x0, J, 8, &ws);
    job col = row;
    col.opts.layout = DJ_COL_MAJOR;
    ratio r;
    measure(&r, run_jacobian, &row, run_jacobian, &col);
    print_ratio("brown", size, "fwd k=8 column- / row-major", &r, "(layouts alike)");
    dj_workspace_clear(&ws);
    free(J);
    free(y);
    dj_problem_destroy(&p);
}

/* What NaN-safe mode costs where nothing is singular: the same JVP or
 * Jacobian with opts.nansafe on against off, interleaved. Its checks sit in
 * the elementary functions' cold paths, so the switch is a run-time one. */
static void bench_nansafe(void)
{
    enum { N = 1000 };
    double *x = jvp_arrays(N), *v = x + N, *y = v + N, *out = y + N;
    dj_workspace ws;
    dj_workspace_init(&ws);
    const dj_fn fns[] = {DJ_FN_INIT(transc, N, N, NULL), DJ_FN_INIT(poly, N, N, NULL)};
    const char *names[] = {"JVP transcendental", "JVP + and x"};
    ratio r;
    for (int i = 0; i < 2; i++) {
        job off = jvp_job(&fns[i], x, v, y, out, &ws);
        job on = off;
        on.opts.nansafe = 1;
        measure(&r, run_jvp, &off, run_jvp, &on);
        print_ratio("nansafe", "n=m=1000", names[i], &r, "on / off, target <= 1.05");
    }
    dj_problem_instance p;
    if (dj_problem_create(&p, dj_problem_find("trig"), 200) != DJ_OK)
        abort();
    double *J = malloc(200 * 200 * sizeof *J);
    job off = jacobian_job(&p.fn, p.x0, J, 8, &ws);
    job on = off;
    on.opts.nansafe = 1;
    measure(&r, run_jacobian, &off, run_jacobian, &on);
    print_ratio("nansafe", "trig n=200", "Jacobian fwd k=8", &r, "on / off, target <= 1.05");
    dj_problem_destroy(&p);
    dj_workspace_clear(&ws);
    free(J), free(x);
}

int main(int argc, char **argv)
{
    const char *csv = "bench_forward.csv";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            cfg = (bench_config){3, 0.002, 0.2};
        else if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc)
            csv = argv[++i];
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else {
            fprintf(stderr, "usage: bench_forward [--quick] [--csv FILE] [--only FAMILY]\n");
            return 2;
        }
    }
    if (!report_open(&rep, csv)) {
        perror(csv);
        return 2;
    }
    printf("forward mode, ratios to the hand-written double primal (median [min .. max] of %d%s "
           "interleaved pairs)\nmachine: %s\n\n",
           cfg.samples, cfg.max_seconds > 0 ? " or fewer" : "", report_machine(&rep));
    if (wanted("transcendental"))
        bench_jvp("transcendental", (dj_fn)DJ_FN_INIT(transc, 1000, 1000, NULL), transc_primal,
                  "target <= 1.5");
    if (wanted("poly"))
        bench_jvp("poly", (dj_fn)DJ_FN_INIT(poly, 1000, 1000, NULL), poly_primal, "target <= 3");
    if (wanted("chain")) {
        bench_chain(8, 64, 8, "target <= 1.5");
        bench_chain(64, 64, 64, "target <= 8");
        bench_chain(4, 64, 256, "target <= 1.2");
    }
    if (wanted("brown"))
        bench_brown(200, "target <= 100");
    if (wanted("nansafe"))
        bench_nansafe();
    report_close(&rep);
    printf("\nwrote %s\n", csv);
    return 0;
}
