/* harness.c: the shared part of the programs of `make bench-peers` (see
 * harness.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

int peer_run_begin(peer_run *r, int argc, char **argv, const char *tool)
{
    return peer_run_begin_variant(r, argc, argv, tool, NULL, NULL);
}

int peer_run_begin_variant(peer_run *r, int argc, char **argv, const char *tool,
                           const char *tag, const char *note)
{
    bench_args args;
    /* Up to 20,000 pairs of samples of ~2 us, at most 0.3 s a method: the
     * samples of bench_forward, for a third of its time (~250 rows here). */
    r->cfg = (bench_config){20000, 2e-6, 0.3};
    r->tool = tool;
    r->failures = 0;
    snprintf(r->note, sizeof r->note, "%s", note ? note : "");
    char name[64];
    snprintf(name, sizeof name, "peer_%s", tool);
    /* --only TEXT is this harness's; the rest are every benchmark's */
    r->only = NULL;
    char **rest = malloc(((size_t)argc + 1) * sizeof *rest);
    if (rest == NULL)
        return 0;
    int nrest = 0;
    for (int i = 0; i < argc; i++) {
        if (i > 0 && strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            r->only = argv[++i];
        else
            rest[nrest++] = argv[i];
    }
    rest[nrest] = NULL;
    int ok = report_args(&args, &r->cfg, nrest, rest, name);
    free(rest);
    if (!ok) {
        fprintf(stderr, "       %s also takes --only TEXT: the cases whose family or label "
                        "holds TEXT\n", name);
        return 0;
    }
    r->quick = args.quick;
    if (r->quick)
        r->cfg = (bench_config){3, 1e-4, 0.02};
    char file[96];
    if (tag != NULL)
        snprintf(file, sizeof file, "peers-%s-%s.csv", tool, tag);
    else
        snprintf(file, sizeof file, "peers-%s.csv", tool);
    if (!report_open_in(&r->rep, args.dir, file))
        return 0;
    printf("%s: ratios to the plain C primal, median of interleaved pairs and fastest / fastest%s\n"
           "machine: %s\n",
           tool, r->quick ? " (quick run: few samples, figures not meaningful)" : "",
           report_machine(&r->rep));
    fflush(stdout);
    return 1;
}

int peer_run_end(peer_run *r)
{
    report_close(&r->rep);
    printf("%s: wrote %s%s\n", r->tool, r->rep.path,
           r->failures ? "; some results did not match dualjac's" : "");
    return r->failures ? 1 : 0;
}

void peer_case_header(const peer_run *r, const peer_case *c)
{
    (void)r;
    static const char *kinds[] = {"Jacobian", "gradient", "sparse Jacobian",
                                  "Hessian-vector product", "Hessian", "sparse Hessian"};
    printf("\n%s %s: %s, %zu x %zu\n", c->family, c->label, kinds[c->kind], c->m, c->n);
    if (c->kind == PEER_SPARSE)
        printf("  %zu nonzeros, %zu column colors, %zu row colors\n", c->sparse.pattern.nnz,
               c->sparse.columns.count, c->sparse.rows.count);
    if (c->kind == PEER_SPARSE_HESSIAN)
        printf("  %zu nonzeros in the lower triangle, %zu star colors\n",
               c->hsparse.pattern.nnz, c->hsparse.colors.count);
    fflush(stdout);
}

typedef struct primal_job {
    const peer_case *c;
    double *y;
} primal_job;

static volatile double sink;

static void run_primal(void *p)
{
    primal_job *j = p;
    peer_primal(j->y, j->c->x, j->c);
    sink = j->y[0];
}

/* "tool: method", commas made semicolons: the CSV has no quoting. */
static void name_method(char *what, size_t size, const peer_run *r, const char *method)
{
    snprintf(what, size, "%s: %s%s%s", r->tool, method, r->note[0] ? "; " : "", r->note);
    for (char *p = what; *p; p++)
        if (*p == ',')
            *p = ';';
}

static void row(peer_run *r, const peer_case *c, const char *measure, double v, const char *unit)
{
    bench_stats s = {v, v, v, 1, 0};
    report_row(&r->rep, c->family, c->label, measure, &s, unit);
}

void peer_measure(peer_run *r, const peer_case *c, const char *method, bench_fn *fn, void *arg,
                  const double *out, double tol)
{
    char what[160];
    name_method(what, sizeof what, r, method);
    fn(arg);
    double err = peer_error(c, out);
    if (!(err <= tol)) {
        printf("  %-44s MISMATCH: error %.3g against dualjac's (accepted %.0e)\n", what, err, tol);
        row(r, c, what, err, "mismatch");
        r->failures++;
        fflush(stdout);
        return;
    }
    double *y = malloc(c->m * sizeof *y);
    if (y == NULL)
        abort();
    primal_job pj = {c, y};
    bench_stats ratio, ta, tb;
    bench_ratio(&ratio, &ta, &tb, &r->cfg, run_primal, &pj, fn, arg);
    free(y);
    double fastest = tb.min / ta.min;
    printf("  %-44s %9.2fx  fastest %9.2fx  error %7.1e  (primal %.3g us)\n", what, ratio.median,
           fastest, err, ta.min * 1e6);
    fflush(stdout);
    report_row(&r->rep, c->family, c->label, what, &ratio, "ratio");
    char name[200];
    snprintf(name, sizeof name, "%s (fastest samples)", what);
    row(r, c, name, fastest, "ratio");
    snprintf(name, sizeof name, "%s (error)", what);
    row(r, c, name, err, "relerr");
    snprintf(name, sizeof name, "%s (primal)", what);
    row(r, c, name, ta.min, "s");
}

void peer_unavailable(peer_run *r, const peer_case *c, const char *method, const char *why)
{
    char what[160];
    name_method(what, sizeof what, r, method);
    printf("  %-44s -  %s\n", what, why);
    fflush(stdout);
    bench_stats s = {0, 0, 0, 0, 0};
    report_row(&r->rep, c->family, c->label, what, &s, "none");
}
