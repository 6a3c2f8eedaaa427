/*
 * bench_threads.c: the library's threads where they are run: an idle
 * machine, a machine with one core held by another busy loop, a user's own
 * OpenMP loop, and several processes sharing the cores.
 *
 * Each scenario times the dense forward Jacobian of the chain
 * R^n -> R^64 -> R^64 -> R^n (n = 512: 32 passes of 16 directions), with
 * pairs interleaved in one run, and reports the ratio serial time / time:
 *   idle         2 threads (asked) against 1                    [>= 1.6x]
 *   held core    automatic threads against 1, while a busy loop
 *                this program starts and stops holds one core    [>= 0.9x]
 *   nested       a user's OpenMP loop over Jacobians, automatic
 *                threads against threads = 1 in the same loop    [>= 0.9x]
 *   processes    4 copies of this program on the cores at once,
 *                automatic threads against 1 each (wall time)    [>= 0.9x]
 * Every Jacobian computed is compared with the serial one, bit for bit; a
 * difference fails the run.
 * Usage: bench_threads [--quick] [--out DIR]
 * (and, internally, bench_threads --child THREADS CALLS N READY_FD GO_FD)
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <threads.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include <dualjac.h>

#include "problems/problems.h"
#include "report.h"
#include "timing.h"

static bench_config cfg = {9, 0.05, 20.0};
static bench_report rep;
static int failures;
static size_t chain_n = 512;

typedef struct job {
    dj_problem_instance *p;
    double *J, *y;
    dj_opts opts;
    const double *want; /* the serial J, or NULL */
} job;

static void run_jacobian(void *arg)
{
    job *j = arg;
    if (dj_jacobian(j->J, j->y, &j->p->fn, j->p->x0, &j->opts, NULL) != DJ_OK)
        abort();
    if (j->want != NULL &&
        memcmp(j->J, j->want, j->p->fn.m * j->p->fn.n * sizeof *j->J) != 0) {
        fprintf(stderr, "bench_threads: a Jacobian differs from the serial one\n");
        failures++;
        j->want = NULL; /* once */
    }
}

static job job_make(dj_problem_instance *p, int threads, const double *want)
{
    job j = {p, malloc(p->fn.m * p->fn.n * sizeof(double)), malloc(p->fn.m * sizeof(double)),
             {.mode = DJ_MODE_FORWARD, .threads = threads, .ws = malloc(sizeof(dj_workspace))},
             want};
    if (j.J == NULL || j.y == NULL || j.opts.ws == NULL)
        abort();
    dj_workspace_init(j.opts.ws);
    return j;
}

static void job_free(job *j)
{
    dj_workspace_clear(j->opts.ws);
    free(j->opts.ws);
    free(j->J);
    free(j->y);
}

static void chain(dj_problem_instance *p)
{
    if (dj_problem_chain(p, chain_n, 64, 64, chain_n) != DJ_OK) {
        fprintf(stderr, "bench_threads: cannot build the chain\n");
        exit(2);
    }
}

/* What a driver with these options did: threads and why. */
static dj_report what_ran(job *j)
{
    dj_report r;
    if (dj_jacobian(j->J, j->y, &j->p->fn, j->p->x0, &j->opts, &r) != DJ_OK)
        abort();
    return r;
}

static void row(const char *measure, const bench_stats *st, const char *unit)
{
    char size[32];
    snprintf(size, sizeof size, "%zu", chain_n);
    report_row(&rep, "chain-threads", size, measure, st, unit);
}

/* ---- idle --------------------------------------------------------------------------- */

static double idle_speedup, held_ratio, nested_ratio, procs_ratio;

static void scenario_idle(dj_problem_instance *p, const double *want)
{
    job one = job_make(p, 1, want), two = job_make(p, 2, want), aut = job_make(p, 0, want);
    bench_stats r, t1, t2, ra;
    bench_ratio(&r, &t2, &t1, &cfg, run_jacobian, &two, run_jacobian, &one);
    bench_ratio(&ra, NULL, NULL, &cfg, run_jacobian, &aut, run_jacobian, &one);
    idle_speedup = r.median;
    dj_report r2 = what_ran(&two), rau = what_ran(&aut);
    row("idle: 1 thread", &t1, "s");
    row("idle: speedup on 2 threads", &r, "ratio");
    row("idle: speedup automatic", &ra, "ratio");
    printf("idle        1 thread %.3g s, %d threads %.3g s: %.2fx (spread %.2f-%.2f)\n", t1.median,
           r2.threads, t2.median, r.median, r.min, r.max);
    printf("            automatic: %.2fx, %d thread%s (%s)\n", ra.median, rau.threads,
           rau.threads == 1 ? "" : "s", dj_threads_why_name(rau.threads_why));
    job_free(&one), job_free(&two), job_free(&aut);
}

/* ---- a held core -------------------------------------------------------------------- */

static atomic_int busy_run;

static int busy_main(void *arg)
{
    (void)arg;
    volatile double sink = 0;
    for (long i = 0; busy_run; i++)
        sink += 1e-9 * (double)i;
    (void)sink;
    return 0;
}

static void scenario_held(dj_problem_instance *p, const double *want)
{
    job one = job_make(p, 1, want), two = job_make(p, 2, want), aut = job_make(p, 0, want);
    busy_run = 1;
    thrd_t th;
    if (thrd_create(&th, busy_main, NULL) != thrd_success)
        abort();
    struct timespec settle = {0, 30000000L}; /* 30 ms: it runs, and is seen */
    nanosleep(&settle, NULL);
    bench_stats r, r2, ta, t1;
    bench_ratio(&r, &t1, &ta, &cfg, run_jacobian, &one, run_jacobian, &aut);
    bench_ratio(&r2, NULL, NULL, &cfg, run_jacobian, &one, run_jacobian, &two);
    dj_report ra = what_ran(&aut);
    busy_run = 0;
    thrd_join(th, NULL);
    /* ratio = time / serial time; report serial / time like the others */
    bench_stats inv = {1.0 / r.median, 1.0 / r.max, 1.0 / r.min, r.samples, r.calls};
    bench_stats inv2 = {1.0 / r2.median, 1.0 / r2.max, 1.0 / r2.min, r2.samples, r2.calls};
    held_ratio = inv.median;
    row("held core: serial / automatic", &inv, "ratio");
    row("held core: serial / 2 threads", &inv2, "ratio");
    printf("held core   1 thread %.3g s, automatic %.3g s: %.2fx (%d thread%s: %s); "
           "2 threads asked: %.2fx\n",
           t1.median, ta.median, inv.median, ra.threads, ra.threads == 1 ? "" : "s",
           dj_threads_why_name(ra.threads_why), inv2.median);
    job_free(&one), job_free(&two), job_free(&aut);
}

/* ---- inside a user's OpenMP loop ------------------------------------------------------- */

enum { NESTED_CALLS = 8 };

typedef struct nested_job {
    job jobs[NESTED_CALLS];
} nested_job;

#ifdef _OPENMP
static void run_nested(void *arg)
{
    nested_job *nj = arg;
#pragma omp parallel for schedule(dynamic, 1)
    for (int i = 0; i < NESTED_CALLS; i++)
        run_jacobian(&nj->jobs[i]);
}
#endif

static void scenario_nested(dj_problem_instance *p, const double *want)
{
#ifdef _OPENMP
    nested_job *serial = malloc(sizeof *serial), *aut = malloc(sizeof *aut);
    if (serial == NULL || aut == NULL)
        abort();
    for (int i = 0; i < NESTED_CALLS; i++) {
        serial->jobs[i] = job_make(p, 1, want);
        aut->jobs[i] = job_make(p, 0, want);
    }
    bench_stats r, ts, ta;
    bench_ratio(&r, &ts, &ta, &cfg, run_nested, serial, run_nested, aut);
    bench_stats inv = {1.0 / r.median, 1.0 / r.max, 1.0 / r.min, r.samples, r.calls};
    nested_ratio = inv.median;
    dj_report rn = {0};
#pragma omp parallel num_threads(2)
#pragma omp single
    rn = what_ran(&aut->jobs[0]);
    row("user's OpenMP loop: threads=1 / automatic", &inv, "ratio");
    printf("nested      %d Jacobians in a parallel loop of %d threads: threads = 1 %.3g s, "
           "automatic %.3g s: %.2fx (%s)\n",
           NESTED_CALLS, omp_get_max_threads(), ts.median, ta.median, inv.median,
           dj_threads_why_name(rn.threads_why));
    for (int i = 0; i < NESTED_CALLS; i++) {
        job_free(&serial->jobs[i]);
        job_free(&aut->jobs[i]);
    }
    free(serial), free(aut);
#else
    (void)p, (void)want;
    nested_ratio = 1.0;
    printf("nested      (built without OpenMP: nothing to measure)\n");
#endif
}

/* ---- processes -------------------------------------------------------------------- */

/* The child: CALLS Jacobians with THREADS after the parent says go. */
static int child_main(char **argv)
{
    int threads = atoi(argv[2]);
    long calls = atol(argv[3]);
    chain_n = (size_t)atol(argv[4]);
    int ready = atoi(argv[5]), go = atoi(argv[6]);
    dj_problem_instance p;
    chain(&p);
    job j = job_make(&p, threads, NULL);
    run_jacobian(&j); /* warm */
    char c = 1;
    if (write(ready, &c, 1) != 1)
        return 1;
    close(ready);
    while (read(go, &c, 1) < 0 && errno == EINTR)
        ;
    for (long i = 0; i < calls; i++)
        run_jacobian(&j);
    job_free(&j);
    dj_problem_destroy(&p);
    return 0;
}

/* Wall seconds for `procs` copies of this program to run `calls` Jacobians
 * each with `threads`, started together once all are ready. */
static double processes(const char *self, int procs, int threads, long calls)
{
    int ready[2], go[2];
    if (pipe(ready) != 0 || pipe(go) != 0)
        abort();
    pid_t pid[16];
    for (int i = 0; i < procs; i++) {
        pid[i] = fork();
        if (pid[i] < 0)
            abort();
        if (pid[i] == 0) {
            close(ready[0]), close(go[1]);
            char a[5][32], path[4096];
            snprintf(path, sizeof path, "%s", self);
            snprintf(a[0], 32, "%d", threads);
            snprintf(a[1], 32, "%ld", calls);
            snprintf(a[2], 32, "%zu", chain_n);
            snprintf(a[3], 32, "%d", ready[1]);
            snprintf(a[4], 32, "%d", go[0]);
            char child[] = "--child";
            char *args[] = {path, child, a[0], a[1], a[2], a[3], a[4], NULL};
            execv(path, args);
            _exit(127);
        }
    }
    close(ready[1]), close(go[0]);
    for (int i = 0; i < procs; i++) {
        char c;
        if (read(ready[0], &c, 1) != 1) {
            fprintf(stderr, "bench_threads: a child did not start\n");
            exit(2);
        }
    }
    double t0 = bench_now();
    close(go[1]);
    int ok = 1;
    for (int i = 0; i < procs; i++) {
        int st;
        if (waitpid(pid[i], &st, 0) != pid[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            ok = 0;
    }
    double t = bench_now() - t0;
    close(ready[0]);
    if (!ok) {
        fprintf(stderr, "bench_threads: a child failed\n");
        failures++;
    }
    return t;
}

static void scenario_processes(const char *self, int quick)
{
    enum { PROCS = 4 };
    long calls = quick ? 20 : 200;
    int rounds = quick ? 1 : 5;
    double serial[8], aut[8], two[8];
    for (int r = 0; r < rounds; r++) { /* interleaved, as the pairs of bench_ratio */
        serial[r] = processes(self, PROCS, 1, calls);
        aut[r] = processes(self, PROCS, 0, calls);
        two[r] = processes(self, PROCS, 2, calls);
    }
    double ratio[8], ratio2[8];
    for (int r = 0; r < rounds; r++)
        ratio[r] = serial[r] / aut[r], ratio2[r] = serial[r] / two[r];
    bench_stats rs, r2, ts;
    bench_summarize(&ts, serial, rounds);
    bench_summarize(&rs, ratio, rounds);
    bench_summarize(&r2, ratio2, rounds);
    procs_ratio = rs.median;
    row("4 processes: threads=1 / automatic (wall)", &rs, "ratio");
    row("4 processes: threads=1 / 2 threads (wall)", &r2, "ratio");
    printf("processes   %d copies x %ld Jacobians: threads = 1 %.3g s wall; automatic %.2fx "
           "(spread %.2f-%.2f); 2 threads asked %.2fx\n",
           PROCS, calls, ts.median, rs.median, rs.min, rs.max, r2.median);
}

int main(int argc, char **argv)
{
    if (argc == 7 && strcmp(argv[1], "--child") == 0)
        return child_main(argv);
    bench_args args;
    if (!report_args(&args, &cfg, argc, argv, "bench_threads") ||
        !report_open_in(&rep, args.dir, "threads.csv"))
        return 2;
    if (args.quick)
        chain_n = 128;
    dj_problem_instance p;
    chain(&p);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int why, aut = dj_threads_auto(&why);
    printf("threads: the forward Jacobian of the chain R^%zu -> R^64 -> R^64 -> R^%zu (%zu "
           "passes of 16), serial time / time (medians of %d interleaved pairs)\n"
           "machine: %s, %ld CPUs online, OpenMP limit %d; automatic now: %d (%s)\n\n",
           chain_n, chain_n, (chain_n + 15) / 16, cfg.samples, report_machine(&rep), cpus,
           dj_threads_max(), aut, dj_threads_why_name(why));
    job serial = job_make(&p, 1, NULL);
    run_jacobian(&serial);
    const double *want = serial.J;
    /* the copies are this program run again (fork and exec: no OpenMP
     * runtime state crosses a fork) */
    const char *self = access("/proc/self/exe", X_OK) == 0 ? "/proc/self/exe" : argv[0];
    scenario_processes(self, args.quick);
    scenario_idle(&p, want);
    scenario_held(&p, want);
    scenario_nested(&p, want);
    report_close(&rep);
    printf("\nwhat the run shows:\n");
    printf("  idle: 2 threads against 1                     %.2fx   [at least 1.6x on 2 cores]\n",
           idle_speedup);
    printf("  one core held: automatic against 1 thread     %.2fx   [at least 0.9x]\n",
           held_ratio);
    printf("  inside the user's OpenMP loop: automatic      %.2fx   [at least 0.9x: no slowdown]\n",
           nested_ratio);
    printf("  4 processes: automatic against 1 thread each  %.2fx   [at least 0.9x: no slowdown]\n",
           procs_ratio);
    printf("\nwrote %s\n", rep.path);
    job_free(&serial);
    dj_problem_destroy(&p);
    if (failures) {
        fprintf(stderr, "bench_threads: %d check%s failed\n", failures, failures == 1 ? "" : "s");
        return 1;
    }
    return 0;
}
