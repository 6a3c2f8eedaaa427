/*
 * bench_sparse.c: sparse Jacobians against dense ones, and parallel passes.
 *
 * For Broyden tridiagonal and extended Rosenbrock at n = 10^3, 10^4, 10^5:
 * the primal, the analysis (pattern and colorings, done once), the sparse
 * Jacobian in auto mode, and where the dense J fits in memory the dense
 * forward Jacobian and dj_jacobian's default (auto mode, which colors a J it
 * finds sparse, dj_sparsity), each as a ratio to the primal measured in the
 * same run. Then the
 * dense forward Jacobian of the chain R^512 -> R^64 -> R^64 -> R^512 on one
 * thread against all threads. Every sparse Jacobian is compared with the
 * dense one; a disagreement fails the run.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dualjac.h>

#include "problems/problems.h"
#include "report.h"
#include "timing.h"

static bench_config cfg = {7, 0.02, 20.0};
static bench_report rep;
static int failures;

/* what the run shows */
static double sparse_min[2] = {INFINITY, INFINITY}, sparse_max[2];
static double speedup_at_1e4[2];
static double parallel_speedup;
static double rows_win;

typedef struct job {
    const dj_fn *f;
    const double *x;
    double *y, *J;
    const dj_sparse *s;
    dj_opts opts;
} job;

static void run_primal(void *arg)
{
    job *j = arg;
    if (dj_eval(j->y, j->f, j->x) != DJ_OK)
        abort();
}

static void run_sparse(void *arg)
{
    job *j = arg;
    if (dj_sparse_jacobian(j->J, j->y, j->s, j->f, j->x, &j->opts, NULL) != DJ_OK)
        abort();
}

static void run_dense(void *arg)
{
    job *j = arg;
    if (dj_jacobian(j->J, j->y, j->f, j->x, &j->opts, NULL) != DJ_OK)
        abort();
}

static void run_analyze(void *arg)
{
    job *j = arg;
    dj_sparse s;
    dj_sparse_init(&s);
    if (dj_sparse_analyze(&s, j->f, j->x, NULL) != DJ_OK)
        abort();
    dj_sparse_clear(&s);
}

static void row(const char *family, size_t n, const char *measure, const bench_stats *st,
                const char *unit)
{
    char size[32];
    snprintf(size, sizeof size, "%zu", n);
    report_row(&rep, family, size, measure, st, unit);
}

/* Largest |sparse - dense| relative to max(1, |dense|) over J. */
static double disagreement(const dj_sparse *s, const double *v, const double *D)
{
    size_t n = s->pattern.n;
    double worst = 0.0, *back = malloc(s->pattern.m * n * sizeof *back);
    if (back == NULL || dj_sparse_to_dense(back, &s->pattern, v, DJ_ROW_MAJOR, 0) != DJ_OK)
        abort();
    for (size_t e = 0; e < s->pattern.m * n; e++) {
        double d = fabs(back[e] - D[e]) / fmax(1.0, fabs(D[e]));
        if (!(d <= worst))
            worst = d;
    }
    free(back);
    return worst;
}

static void family(int which, const char *name, const size_t *sizes, size_t count)
{
    for (size_t c = 0; c < count; c++) {
        size_t n = sizes[c];
        dj_problem_instance p;
        if (dj_problem_create(&p, dj_problem_find(name), n) != DJ_OK) {
            fprintf(stderr, "bench_sparse: cannot create %s at n = %zu\n", name, n);
            exit(2);
        }
        size_t m = p.fn.m;
        dj_sparse s;
        dj_sparse_init(&s);
        if (dj_sparse_analyze(&s, &p.fn, p.x0, NULL) != DJ_OK)
            abort();
        double *y = malloc(m * sizeof *y), *v = malloc(s.pattern.nnz * sizeof *v);
        dj_workspace ws;
        dj_workspace_init(&ws);
        job prim = {&p.fn, p.x0, y, NULL, NULL, {0}};
        job sp = {&p.fn, p.x0, y, v, &s, {.ws = &ws, .threads = 1}};
        job an = prim;
        bench_stats r_sparse, r_an, t_prim;
        fprintf(stderr, "  %s n = %zu ...\n", name, n);
        bench_ratio(&r_sparse, &t_prim, NULL, &cfg, run_primal, &prim, run_sparse, &sp);
        bench_ratio(&r_an, NULL, NULL, &cfg, run_primal, &prim, run_analyze, &an);
        dj_report jr;
        if (dj_sparse_jacobian(v, y, &s, &p.fn, p.x0, &sp.opts, &jr) != DJ_OK)
            abort();
        row(name, n, "primal", &t_prim, "s");
        row(name, n, "sparse jacobian", &r_sparse, "ratio");
        row(name, n, "analysis", &r_an, "ratio");
        if (r_sparse.median < sparse_min[which])
            sparse_min[which] = r_sparse.median;
        if (r_sparse.median > sparse_max[which])
            sparse_max[which] = r_sparse.median;

        char dense_col[32] = "-", auto_col[32] = "-", speed_col[32] = "-", agree_col[32] = "-";
        /* dense forward where J fits comfortably: n = 10^5 would need 80 GB */
        if (n <= 10000) {
            double *D = malloc(m * n * sizeof *D);
            if (D == NULL)
                abort();
            job de = {&p.fn, p.x0, y, D, NULL, {.mode = DJ_MODE_FORWARD, .ws = &ws, .threads = 1}};
            bench_stats r_dense;
            bench_config one = cfg;
            if (n >= 10000)
                one.samples = 3; /* one call is a second; three are enough */
            bench_ratio(&r_dense, NULL, NULL, &one, run_primal, &prim, run_dense, &de);
            row(name, n, "dense forward jacobian", &r_dense, "ratio");
            double speed = r_dense.median / r_sparse.median;
            if (n == 10000)
                speedup_at_1e4[which] = speed;
            double worst = disagreement(&s, v, D);
            if (worst > 1e-13) {
                fprintf(stderr, "bench_sparse: %s n = %zu: sparse and dense differ by %g\n",
                        name, n, worst);
                failures++;
            }
            /* what dj_jacobian gives with default options: auto mode
             * finds J sparse at x and colors it, writing the same dense J */
            double *A = malloc(m * n * sizeof *A);
            if (A == NULL)
                abort();
            job da = {&p.fn, p.x0, y, A, NULL, {.ws = &ws, .threads = 1}};
            bench_stats r_auto;
            bench_ratio(&r_auto, NULL, NULL, &one, run_primal, &prim, run_dense, &da);
            row(name, n, "dense jacobian, auto mode", &r_auto, "ratio");
            for (size_t t = 0; t < m * n; t++)
                if (A[t] != D[t]) {
                    fprintf(stderr, "bench_sparse: %s n = %zu: auto and dense forward differ\n",
                            name, n);
                    failures++;
                    break;
                }
            free(A);
            snprintf(auto_col, sizeof auto_col, "%.4g", r_auto.median);
            snprintf(dense_col, sizeof dense_col, "%.4g", r_dense.median);
            snprintf(speed_col, sizeof speed_col, "%.0fx", speed);
            snprintf(agree_col, sizeof agree_col, "%.1g", worst);
            free(D);
        }
        printf("%-15s %7zu %8zu %7zu %7zu %6zu %9.3g %8.2f %9.2f %10s %10s %9s %7s\n", name,
               n, s.pattern.nnz, s.columns.count, s.rows.count, jr.passes + jr.sweeps,
               t_prim.median, r_sparse.median, r_an.median, dense_col, auto_col, speed_col,
               agree_col);
        fflush(stdout);
        dj_workspace_clear(&ws);
        dj_sparse_clear(&s);
        free(y);
        free(v);
        dj_problem_destroy(&p);
    }
}

/* Row coloring on the full-row problem: auto picks compressed reverse sweeps
 * (2 row colors) over forward passes (n column colors). */
static void row_colored(size_t n)
{
    dj_problem_instance p;
    if (dj_problem_create(&p, dj_problem_find("full-row"), n) != DJ_OK)
        abort();
    dj_fn f = p.fn;
    const double *x = p.x0;
    double *y = malloc(n * sizeof *y);
    dj_sparse s;
    dj_sparse_init(&s);
    if (dj_sparse_analyze(&s, &f, x, NULL) != DJ_OK)
        abort();
    double *v1 = malloc(s.pattern.nnz * sizeof *v1), *v2 = malloc(s.pattern.nnz * sizeof *v2);
    dj_workspace ws;
    dj_workspace_init(&ws);
    job prim = {&f, x, y, NULL, NULL, {0}};
    job aut = {&f, x, y, v1, &s, {.ws = &ws, .threads = 1}};
    job fwd = {&f, x, y, v2, &s, {.mode = DJ_MODE_FORWARD, .ws = &ws, .threads = 1}};
    bench_stats r_auto, r_fwd;
    fprintf(stderr, "  full row n = %zu ...\n", n);
    bench_ratio(&r_auto, NULL, NULL, &cfg, run_primal, &prim, run_sparse, &aut);
    bench_config few = cfg;
    few.samples = 3;
    bench_ratio(&r_fwd, NULL, NULL, &few, run_primal, &prim, run_sparse, &fwd);
    dj_report ra, rf;
    if (dj_sparse_jacobian(v1, y, &s, &f, x, &aut.opts, &ra) != DJ_OK ||
        dj_sparse_jacobian(v2, y, &s, &f, x, &fwd.opts, &rf) != DJ_OK)
        abort();
    double worst = 0.0;
    for (size_t e = 0; e < s.pattern.nnz; e++)
        worst = fmax(worst, fabs(v1[e] - v2[e]) / fmax(1.0, fabs(v2[e])));
    if (!(worst <= 1e-13)) {
        fprintf(stderr, "bench_sparse: full row: reverse and forward differ by %g\n", worst);
        failures++;
    }
    row("full-row", n, "sparse jacobian auto", &r_auto, "ratio");
    row("full-row", n, "sparse jacobian forward", &r_fwd, "ratio");
    rows_win = r_fwd.median / r_auto.median;
    printf("\nfull first row over a diagonal, n = %zu: %zu column colors, %zu row colors\n", n,
           s.columns.count, s.rows.count);
    printf("  auto picks %s: %zu sweep%s, %.2f x primal; forward: %zu passes, %.4g x primal "
           "(%.0fx slower)\n",
           ra.mode == DJ_MODE_REVERSE ? "reverse" : "forward", ra.sweeps + ra.passes,
           ra.sweeps + ra.passes == 1 ? "" : "s", r_auto.median, rf.passes, r_fwd.median,
           rows_win);
    dj_workspace_clear(&ws);
    dj_sparse_clear(&s);
    free(y), free(v1), free(v2);
    dj_problem_destroy(&p);
}

static void parallel_chain(size_t n)
{
    dj_problem_instance p;
    if (dj_problem_chain(&p, n, 64, 64, n) != DJ_OK)
        abort();
    size_t m = p.fn.m;
    double *y = malloc(m * sizeof *y), *J1 = malloc(m * n * sizeof *J1),
           *J2 = malloc(m * n * sizeof *J2);
    dj_workspace w1, w2;
    dj_workspace_init(&w1);
    dj_workspace_init(&w2);
    job one = {&p.fn, p.x0, y, J1, NULL, {.mode = DJ_MODE_FORWARD, .ws = &w1, .threads = 1}};
    job all = {&p.fn, p.x0, y, J2, NULL,
               {.mode = DJ_MODE_FORWARD, .ws = &w2, .threads = dj_threads_max()}};
    job prim = {&p.fn, p.x0, y, NULL, NULL, {0}};
    bench_stats speed, t1, t2, r1;
    fprintf(stderr, "  parallel chain n = %zu ...\n", n);
    bench_ratio(&speed, &t1, &t2, &cfg, run_dense, &all, run_dense, &one);
    bench_ratio(&r1, NULL, NULL, &cfg, run_primal, &prim, run_dense, &one);
    dj_report r;
    if (dj_jacobian(J2, y, &p.fn, p.x0, &all.opts, &r) != DJ_OK ||
        dj_jacobian(J1, y, &p.fn, p.x0, &one.opts, NULL) != DJ_OK)
        abort();
    int same = memcmp(J1, J2, m * n * sizeof *J1) == 0;
    if (!same) {
        fprintf(stderr, "bench_sparse: parallel and serial Jacobians differ\n");
        failures++;
    }
    row("chain-vec", n, "forward jacobian 1 thread", &r1, "ratio");
    row("chain-vec", n, "parallel speedup", &speed, "ratio");
    parallel_speedup = speed.median;
    printf("\ndense chain R^%zu -> R^64 -> R^64 -> R^%zu, forward Jacobian, %zu passes of 16:\n",
           n, m, r.passes);
    printf("  1 thread %.3g s (%.1f x primal), %d threads %.3g s: speedup %.2fx (spread "
           "%.2f-%.2f), bitwise equal: %s\n",
           t2.median, r1.median, r.threads, t1.median, speed.median, speed.min, speed.max,
           same ? "yes" : "NO");
    dj_workspace_clear(&w1);
    dj_workspace_clear(&w2);
    free(y);
    free(J1);
    free(J2);
    dj_problem_destroy(&p);
}

int main(int argc, char **argv)
{
    bench_args args;
    if (!report_args(&args, &cfg, argc, argv, "bench_sparse") ||
        !report_open_in(&rep, args.dir, "sparse.csv"))
        return 2;
    int quick = args.quick;
    printf("sparse Jacobians: time / time of the primal (medians of %d or fewer interleaved "
           "pairs), one thread\nmachine: %s, %d threads available\n\n",
           cfg.samples, report_machine(&rep), dj_threads_max());
    printf("%-15s %7s %8s %7s %7s %6s %9s %8s %9s %10s %10s %9s %7s\n", "function", "n",
           "nnz", "colors", "rowcol", "passes", "primal s", "sparse", "analysis", "dense fwd",
           "dense auto", "sparse is", "agree");
    static const size_t sizes[] = {1000, 10000, 100000}, quick_sizes[] = {1000};
    family(0, "broyden", quick ? quick_sizes : sizes, quick ? 1 : 3);
    family(1, "ext-rosenbrock", quick ? quick_sizes : sizes, quick ? 1 : 3);
    row_colored(quick ? 200 : 10000);
    parallel_chain(quick ? 64 : 512);
    report_close(&rep);
    printf("\nwhat the run shows:\n");
    for (int w = 0; w < 2; w++) {
        printf("  %-15s sparse/primal %.2f .. %.2f over n: varies %.2fx   [flat: within 2x]\n",
               w ? "ext-rosenbrock" : "broyden", sparse_min[w], sparse_max[w],
               sparse_max[w] / sparse_min[w]);
        if (!quick)
            printf("  %-15s sparse faster than dense forward at n = 10^4: %.0fx [at least "
                   "100x]\n",
                   w ? "ext-rosenbrock" : "broyden", speedup_at_1e4[w]);
    }
    printf("  row coloring (full row, n = %d): reverse sweeps beat forward passes by %.0fx\n",
           quick ? 200 : 10000, rows_win);
    printf("  parallel speedup on %d threads, chain n = %d: %.2fx       [at least 1.6x on 2]\n",
           dj_threads_max(), quick ? 64 : 512, parallel_speedup);
    printf("\nwrote %s\n", rep.path);
    if (failures) {
        fprintf(stderr, "bench_sparse: %d check%s failed\n", failures, failures == 1 ? "" : "s");
        return 1;
    }
    return 0;
}
