/* check_threads.c: two threads differentiating at once. Each runs many
 * forward and reverse Jacobians, VJPs, JVPs, recordings, replays and sweeps
 * on its own functions and objects, and every single result must equal,
 * bit for bit, the one computed beforehand by one thread alone. Then the
 * library's own threads: bitwise equal to serial under every schedule, and
 * the automatic count (thread_count.c) under a held core, inside an OpenMP
 * region, with OMP_NUM_THREADS, among MPI ranks, and its self-check. CI also
 * runs this suite under ThreadSanitizer. */
#define _POSIX_C_SOURCE 200112L /* setenv */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "known.h"
#include "testlib.h"
#include "thread_count.h"

enum { STEPS = 6, MAX_N = 20, MAX_M = 25, CELLS = MAX_N * MAX_M };

/* One thread's work: a function, its points, and the results of each step
 * of each round. */
typedef struct job {
    const known_fn *k;
    int rounds;
    double x[4][MAX_N], u[MAX_M], v[MAX_N];
    double (*results)[STEPS][CELLS]; /* rounds × steps */
    int status;
} job;

/* The steps of one round; every result lands in out[step]. */
static int run_round(const known_fn *k, const double *x, const double *x2, const double *u,
                     const double *v, double out[STEPS][CELLS], dj_workspace *ws, dj_graph *g)
{
    dj_opts fwd = {.mode = DJ_MODE_FORWARD, .chunk = 4, .ws = ws};
    dj_opts rev = {.mode = DJ_MODE_REVERSE, .chunk = 8, .ws = ws};
    dj_opts aut = {.mode = DJ_MODE_AUTO};
    int st = dj_jacobian(out[0], NULL, &k->fn, x, &fwd, NULL);
    if (st == DJ_OK)
        st = dj_jacobian(out[1], NULL, &k->fn, x, &rev, NULL);
    if (st == DJ_OK)
        st = dj_jacobian(out[2], NULL, &k->fn, x2, &aut, NULL);
    if (st == DJ_OK)
        st = dj_vjp(NULL, out[3], &k->fn, x, u, &rev);
    if (st == DJ_OK)
        st = dj_jvp(NULL, out[4], &k->fn, x2, v, &fwd);
    if (st == DJ_OK)
        st = dj_graph_record(g, &k->fn, x);
    if (st == DJ_OK)
        st = dj_graph_replay(g, NULL, x2);
    if (st == DJ_OK)
        st = dj_graph_vjp(g, out[5], u, 1);
    return st;
}

static void *thread_main(void *arg)
{
    job *j = arg;
    dj_workspace ws;
    dj_graph g;
    dj_workspace_init(&ws);
    dj_graph_init(&g);
    j->status = DJ_OK;
    for (int r = 0; r < j->rounds && j->status == DJ_OK; r++)
        j->status = run_round(j->k, j->x[r % 4], j->x[(r + 1) % 4], j->u, j->v, j->results[r],
                              &ws, &g);
    dj_graph_clear(&g);
    dj_workspace_clear(&ws);
    return NULL;
}

static void job_init(job *j, int which, int rounds, uint64_t seed)
{
    memset(j, 0, sizeof *j);
    j->k = &known[which];
    j->rounds = rounds;
    tl_rng rng;
    tl_rng_seed(&rng, seed);
    for (int p = 0; p < 4; p++)
        for (size_t i = 0; i < j->k->fn.n; i++)
            j->x[p][i] = tl_uniform(&rng, j->k->lo, j->k->hi);
    for (int i = 0; i < MAX_M; i++)
        j->u[i] = tl_uniform(&rng, -1, 1);
    for (int i = 0; i < MAX_N; i++)
        j->v[i] = tl_uniform(&rng, -1, 1);
    j->results = calloc((size_t)rounds, sizeof *j->results);
    ck_assert(j->results != NULL);
}

/* Pairs of functions the two threads run: BLAS layers with scalar code,
 * tall with wide, custom sizes... */
static const int pairs[][2] = {{7, 10}, {4, 9}, {8, 11}, {5, 7}};

START_TEST(test_two_threads_match_one_thread)
{
    int rounds = tl_cases(150);
    job alone[2], together[2];
    for (int t = 0; t < 2; t++) {
        job_init(&alone[t], pairs[_i][t], rounds, 100 + (uint64_t)(10 * _i + t));
        job_init(&together[t], pairs[_i][t], rounds, 100 + (uint64_t)(10 * _i + t));
        thread_main(&alone[t]);
        ck_assert_int_eq(alone[t].status, DJ_OK);
    }
    pthread_t th[2];
    for (int t = 0; t < 2; t++)
        ck_assert_int_eq(pthread_create(&th[t], NULL, thread_main, &together[t]), 0);
    for (int t = 0; t < 2; t++)
        ck_assert_int_eq(pthread_join(th[t], NULL), 0);
    for (int t = 0; t < 2; t++) {
        ck_assert_int_eq(together[t].status, DJ_OK);
        for (int r = 0; r < rounds; r++)
            for (int s = 0; s < STEPS; s++)
                ck_assert_msg(memcmp(alone[t].results[r][s], together[t].results[r][s],
                                     sizeof alone[t].results[r][s]) == 0,
                              "thread %d (%s), round %d, step %d differs", t, alone[t].k->name, r,
                              s);
        free(alone[t].results);
        free(together[t].results);
    }
}
END_TEST

/* Events and NaN-safe mode are per thread: one thread's settings and
 * events never reach the other. */
static void *nansafe_main(void *arg)
{
    int *seen = arg;
    dj_events_clear();
    dj_nansafe_set(0);
    dj_dual r = dj_fabs(dj_dual_make(1.0, 1.0)); /* no event */
    (void)r;
    seen[0] = (int)dj_events();
    seen[1] = dj_nansafe();
    return NULL;
}

START_TEST(test_events_and_nansafe_are_per_thread)
{
    dj_events_clear();
    dj_nansafe_set(1);
    dj_dual r = dj_sqrt(dj_dual_make(0.0, 1.0)); /* an edge event here */
    (void)r;
    int seen[2] = {-1, -1};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, nansafe_main, seen), 0);
    ck_assert_int_eq(pthread_join(th, NULL), 0);
    ck_assert_int_eq(seen[0], 0);
    ck_assert_int_eq(seen[1], 0);
    ck_assert(dj_events() & DJ_EVENT_EDGE);
    ck_assert(dj_nansafe());
    dj_nansafe_set(0);
}
END_TEST

/* ---- the automatic choice of threads -------------------------------------- */

/* y = 2x, whose calls sleep: the first `stall_first` calls of a Jacobian
 * 5 ms each (a pass preempted by the scheduler looks like this), every
 * later call `stall_rest` ns. */
static _Atomic int stall_calls;
static int stall_first;
static long stall_rest;

static void stall(long ns)
{
    struct timespec t = {ns / 1000000000L, ns % 1000000000L};
    while (ns > 0 && thrd_sleep(&t, &t) == -1)
        ;
}

#define STALL(T, y, x, n, m, ctx)                                              \
    {                                                                          \
        stall(stall_calls++ < stall_first ? 5000000L : stall_rest);            \
        for (size_t i = 0; i < n; i++)                                         \
            y[i] = dj_mul(2.0, x[i]);                                          \
    }
DJ_FN_INSTANTIATE(stall_fn, STALL);

/* Four passes of one column: three after the first, so that even under
 * valgrind the quick ones stay far below the 1 ms that starts threads. */
static int auto_threads(int first, long rest_ns)
{
    enum { N = 4 };
    dj_fn f = DJ_FN_INIT(stall_fn, N, N, NULL);
    double x[N], J[N * N];
    for (int i = 0; i < N; i++)
        x[i] = i;
    stall_calls = 0;
    stall_first = first;
    stall_rest = rest_ns;
    dj_opts o = {.mode = DJ_MODE_FORWARD, .chunk = 1};
    dj_report r;
    ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, &r), DJ_OK);
    ck_assert_int_eq(r.passes, N);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            ck_assert(J[i * N + j] == (i == j ? 2.0 : 0.0));
    return r.threads;
}

/* An idle machine of `cpus` CPUs, as this build would see it. */
static dj__thread_facts idle_machine(int cpus)
{
    dj__thread_facts real;
    dj__threads_facts_now(&real);
    return (dj__thread_facts){.openmp = real.openmp, .omp_max = cpus, .cpus = cpus,
                              .online = cpus};
}

/* One slow first pass (preemption) must not start threads for work that
 * takes microseconds; passes that are all slow must, where there are
 * threads to start (an idle 2-CPU machine, whatever this one is doing). */
START_TEST(test_auto_threads_ignore_one_slow_pass)
{
    dj__thread_facts idle = idle_machine(2);
    dj__threads_override(&idle);
    /* under valgrind (.ci/hardening says so) the quick passes are not quick:
     * only the slow ones' choice is asserted there */
    if (getenv("DJ_TEST_UNDER_VALGRIND") == NULL)
        ck_assert_int_eq(auto_threads(1, 0), 1);
    ck_assert_int_eq(auto_threads(0, 1000000L), idle.openmp ? 2 : 1);
    dj__threads_override(NULL);
}
END_TEST

/* ---- the library's threads: same bits under every schedule ------------------- */

/* y = the chain of problems.c's family, whose calls on threads other than
 * the test's may stall: which thread does which pass then changes. */
static thrd_t main_thread;
static _Atomic int stall_workers_ns, stall_main_ns;

static void maybe_stall(void)
{
    int ns = thrd_equal(thrd_current(), main_thread) ? stall_main_ns : stall_workers_ns;
    if (ns > 0)
        stall(ns);
}

#define SKEW(T, y, x, n, m, ctx)                                               \
    {                                                                          \
        maybe_stall();                                                         \
        for (size_t i = 0; i < m; i++) {                                       \
            T a = dj_mul(0.5, x[i % n]);                                       \
            for (size_t j = 0; j < n; j++)                                     \
                a = dj_add(a, dj_mul(dj_sin(dj_mul(x[j], (double)(i + 1))),   \
                                     x[(i + j) % n]));                         \
            y[i] = dj_tanh(a);                                                 \
        }                                                                      \
    }
DJ_FN_INSTANTIATE(skew_fn, SKEW);

/* Forward and reverse, chunks 1 and 4, on 2, 3, 4 and 7 threads, with the
 * workers or the calling thread stalled or neither: J and y bitwise those
 * of threads = 1. */
START_TEST(test_threads_bitwise_every_schedule)
{
    enum { N = 23, M = 19 };
    main_thread = thrd_current();
    dj_fn f = DJ_FN_INIT(skew_fn, N, M, NULL);
    double x[N], J1[N * M], J2[N * M], y1[M], y2[M];
    for (int i = 0; i < N; i++)
        x[i] = 0.3 + 0.07 * i;
    static const int widths[] = {1, 4}, counts[] = {2, 3, 4, 7};
    static const int skews[][2] = {{0, 0}, {200000, 0}, {0, 200000}}; /* workers, main */
    dj_workspace ws;
    dj_workspace_init(&ws);
    for (int mode = DJ_MODE_FORWARD; mode <= DJ_MODE_REVERSE; mode++)
        for (int w = 0; w < 2; w++) {
            stall_workers_ns = stall_main_ns = 0;
            dj_opts o = {.mode = (dj_mode)mode, .chunk = widths[w], .threads = 1};
            ck_assert_int_eq(dj_jacobian(J1, y1, &f, x, &o, NULL), DJ_OK);
            for (int c = 0; c < 4; c++)
                for (int k = 0; k < 3; k++) {
                    stall_workers_ns = skews[k][0];
                    stall_main_ns = skews[k][1];
                    dj_opts p = o;
                    p.threads = counts[c];
                    p.ws = k == 1 ? &ws : NULL;
                    dj_report r;
                    memset(J2, 0xff, sizeof J2);
                    ck_assert_int_eq(dj_jacobian(J2, y2, &f, x, &p, &r), DJ_OK);
                    ck_assert_msg(memcmp(J1, J2, sizeof J1) == 0 && memcmp(y1, y2, sizeof y1) == 0,
                                  "mode %d chunk %d threads %d skew %d differs", mode, widths[w],
                                  counts[c], k);
                    ck_assert_int_le(r.threads, counts[c]);
                    ck_assert(r.threads_why == DJ_THREADS_ASKED ||
                              r.threads_why == DJ_THREADS_NO_OPENMP);
                }
        }
    stall_workers_ns = stall_main_ns = 0;
    dj_workspace_clear(&ws);
}
END_TEST

/* ---- the automatic count ---------------------------------------------------------- */

static int choose(const dj__thread_facts *f, int requested, size_t remaining, double seconds,
                  int slow, int *why)
{
    return dj__threads_choose_for_test(f, requested, remaining, seconds, slow, why);
}

/* Each rule of the choice, from the facts it goes by. */
START_TEST(test_threads_choice_rules)
{
    dj__thread_facts idle = {.openmp = 1, .omp_max = 8, .cpus = 8, .online = 8}, f;
    int why;
    ck_assert_int_eq(choose(&idle, 0, 100, 1.0, 0, &why), 8);
    ck_assert_int_eq(why, DJ_THREADS_FREE_CPUS);
    ck_assert_int_eq(choose(&idle, 0, 3, 1.0, 0, &why), 3); /* one per pass at most */
    ck_assert_int_eq(choose(&idle, 0, 1, 1.0, 0, &why), 1);
    ck_assert_int_eq(why, DJ_THREADS_FEW);
    ck_assert_int_eq(choose(&idle, 0, 100, 5e-4, 0, &why), 1);
    ck_assert_int_eq(why, DJ_THREADS_SHORT);
    ck_assert_int_eq(choose(&idle, 1, 100, 1.0, 0, &why), 1);
    ck_assert_int_eq(why, DJ_THREADS_ASKED);
    ck_assert_int_eq(choose(&idle, 16, 100, 1e-6, 0, &why), 16); /* asked: not capped */
    ck_assert_int_eq(why, DJ_THREADS_ASKED);
    ck_assert_int_eq(choose(&idle, 16, 5, 1.0, 0, &why), 5);
    f = idle, f.openmp = 0;
    ck_assert_int_eq(choose(&f, 0, 100, 1.0, 0, &why), 1);
    ck_assert_int_eq(why, DJ_THREADS_NO_OPENMP);
    ck_assert_int_eq(choose(&f, 4, 100, 1.0, 0, &why), 1);
    ck_assert_int_eq(why, DJ_THREADS_NO_OPENMP);
    /* inside a parallel region: serial even when asked */
    f = idle, f.in_parallel = 1;
    ck_assert_int_eq(choose(&f, 0, 100, 1.0, 0, &why), 1);
    ck_assert_int_eq(why, DJ_THREADS_NESTED);
    ck_assert_int_eq(choose(&f, 4, 100, 1.0, 0, &why), 1);
    ck_assert_int_eq(why, DJ_THREADS_NESTED);
    /* one of 4 MPI ranks on the node: serial unless asked */
    f = idle, f.ranks = 4;
    ck_assert_int_eq(choose(&f, 0, 100, 1.0, 0, &why), 1);
    ck_assert_int_eq(why, DJ_THREADS_MPI);
    ck_assert_int_eq(choose(&f, 2, 100, 1.0, 0, &why), 2);
    ck_assert_int_eq(why, DJ_THREADS_ASKED);
    f.ranks = 1; /* a single rank is no reason */
    ck_assert_int_eq(choose(&f, 0, 100, 1.0, 0, &why), 8);
    /* the self-check */
    ck_assert_int_eq(choose(&idle, 0, 100, 1.0, 1, &why), 1);
    ck_assert_int_eq(why, DJ_THREADS_SELF_CHECK);
    ck_assert_int_eq(choose(&idle, 3, 100, 1.0, 1, &why), 3);
    /* OMP_NUM_THREADS=1 (omp_get_max_threads), OMP_THREAD_LIMIT, affinity,
     * cgroup quota */
    f = idle, f.omp_max = 1;
    ck_assert_int_eq(choose(&f, 0, 100, 1.0, 0, &why), 1);
    ck_assert_int_eq(why, DJ_THREADS_ONE_CPU);
    f.omp_max = 3;
    ck_assert_int_eq(choose(&f, 0, 100, 1.0, 0, &why), 3);
    f = idle, f.omp_limit = 2;
    ck_assert_int_eq(choose(&f, 0, 100, 1.0, 0, &why), 2);
    f = idle, f.cpus = 1;
    ck_assert_int_eq(choose(&f, 0, 100, 1.0, 0, &why), 1);
    ck_assert_int_eq(why, DJ_THREADS_ONE_CPU);
    f = idle, f.quota = 1.5; /* rounded down */
    ck_assert_int_eq(choose(&f, 0, 100, 1.0, 0, &why), 1);
    ck_assert_int_eq(why, DJ_THREADS_ONE_CPU);
    f.quota = 4.0;
    ck_assert_int_eq(choose(&f, 0, 100, 1.0, 0, &why), 4);
    f.quota = 0.25;
    ck_assert_int_eq(choose(&f, 0, 100, 1.0, 0, &why), 1);
    /* load: others' runnable threads take CPUs */
    f = idle, f.cpus = f.omp_max = 2, f.others = 1;
    ck_assert_int_eq(choose(&f, 0, 100, 1.0, 0, &why), 1);
    ck_assert_int_eq(why, DJ_THREADS_LOADED);
    f.others = 3; /* 4 processes on 2 cores */
    ck_assert_int_eq(choose(&f, 0, 100, 1.0, 0, &why), 1);
    ck_assert_int_eq(why, DJ_THREADS_LOADED);
    ck_assert_int_eq(choose(&f, 2, 100, 1.0, 0, &why), 2); /* asked */
    f = idle, f.others = 3;
    ck_assert_int_eq(choose(&f, 0, 100, 1.0, 0, &why), 5);
    f.others = 0.4; /* a share of a machine-wide count */
    ck_assert_int_eq(choose(&f, 0, 100, 1.0, 0, &why), 8);
    f.others = 7;
    ck_assert_int_eq(choose(&f, 0, 100, 1.0, 0, &why), 1);
    ck_assert_int_eq(why, DJ_THREADS_LOADED);
    /* usable is the least of its limits */
    f = (dj__thread_facts){.openmp = 1, .omp_max = 6, .omp_limit = 5, .cpus = 7, .quota = 4.9};
    ck_assert_int_eq(dj__threads_usable(&f), 4);
    /* every reason has a name */
    for (int w = 0; w < DJ_THREADS_WHY_COUNT_; w++)
        ck_assert_str_ne(dj_threads_why_name(w), "unknown");
    ck_assert_str_eq(dj_threads_why_name(-1), "unknown");
    ck_assert_str_eq(dj_threads_why_name(DJ_THREADS_WHY_COUNT_), "unknown");
}
END_TEST

/* This machine's facts are sane, and OpenMP's limit is the one
 * dj_threads_max reports (OMP_NUM_THREADS). */
START_TEST(test_threads_facts_of_this_machine)
{
    dj__thread_facts f;
    dj__threads_facts_now(&f);
    ck_assert_int_ge(f.cpus, 1);
    ck_assert_int_ge(f.online, f.cpus);
    ck_assert(f.others >= 0);
    ck_assert(f.quota >= 0);
    ck_assert_int_eq(f.in_parallel, 0);
    ck_assert_int_eq(f.omp_max, dj_threads_max());
    int why, t = dj_threads_auto(&why);
    ck_assert_int_ge(t, 1);
    ck_assert_int_le(t, dj__threads_usable(&f));
    ck_assert(why == DJ_THREADS_FREE_CPUS || t == 1);
}
END_TEST

/* A function whose every call sleeps 1.5 ms: long enough for threads. */
#define SLEEPY(T, y, x, n, m, ctx)                                             \
    {                                                                          \
        stall(1500000L);                                                       \
        for (size_t i = 0; i < m; i++)                                         \
            y[i] = dj_mul(x[i % n], x[(i + 1) % n]);                           \
    }
DJ_FN_INSTANTIATE(sleepy_fn, SLEEPY);

/* An automatic Jacobian of 6 passes of 1.5 ms: its report. */
static dj_report sleepy_jacobian(dj_workspace *ws, int threads)
{
    enum { N = 6 };
    dj_fn f = DJ_FN_INIT(sleepy_fn, N, N, NULL);
    double x[N], J[N * N];
    for (int i = 0; i < N; i++)
        x[i] = 1 + i;
    dj_opts o = {.mode = DJ_MODE_FORWARD, .chunk = 1, .ws = ws, .threads = threads};
    dj_report r;
    ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, &r), DJ_OK);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            ck_assert(J[i * N + j] == (j == i ? x[(i + 1) % N] : 0) + (j == (i + 1) % N ? x[i] : 0));
    return r;
}

/* The launchers' variables make a rank serial, unless it asks. */
START_TEST(test_threads_mpi_ranks_stay_serial)
{
    static const char *const vars[][2] = {
        {"OMPI_COMM_WORLD_LOCAL_SIZE", "4"}, {"MPI_LOCALNRANKS", "2"},
        {"PMI_LOCAL_SIZE", "3"}, {"SLURM_STEP_TASKS_PER_NODE", "4(x2)"},
    };
    dj__thread_facts idle = idle_machine(2);
    for (size_t v = 0; v < sizeof vars / sizeof vars[0]; v++) {
        dj__threads_override(NULL);
        ck_assert_int_eq(setenv(vars[v][0], vars[v][1], 1), 0);
        dj__thread_facts f;
        dj__threads_facts_now(&f);
        ck_assert_int_ge(f.ranks, 2);
        idle.ranks = f.ranks;
        dj__threads_override(&idle);
        dj_report r = sleepy_jacobian(NULL, 0);
        ck_assert_int_eq(r.threads, 1);
        ck_assert_int_eq(r.threads_why, idle.openmp ? DJ_THREADS_MPI : DJ_THREADS_NO_OPENMP);
        r = sleepy_jacobian(NULL, 2); /* asked */
        ck_assert_int_eq(r.threads_why, idle.openmp ? DJ_THREADS_ASKED : DJ_THREADS_NO_OPENMP);
        ck_assert_int_eq(r.threads, idle.openmp ? 2 : 1);
        unsetenv(vars[v][0]);
        idle.ranks = 0;
    }
    dj__threads_override(NULL);
    setenv("OMPI_COMM_WORLD_LOCAL_SIZE", "1", 1); /* one rank: no reason */
    dj__thread_facts f;
    dj__threads_facts_now(&f);
    ck_assert_int_le(f.ranks, 1);
    unsetenv("OMPI_COMM_WORLD_LOCAL_SIZE");
}
END_TEST

/* Called from a user's OpenMP parallel loop: serial, asked for threads or
 * not, and the same bits. */
START_TEST(test_threads_nested_region_is_serial)
{
#ifdef _OPENMP
    dj__threads_override(NULL);
    dj_report r[4];
    int ok = 1;
#pragma omp parallel for num_threads(2) schedule(static, 1)
    for (int i = 0; i < 4; i++) {
        dj_workspace ws;
        dj_workspace_init(&ws);
        r[i] = (dj_report){0};
        enum { N = 6 };
        dj_fn f = DJ_FN_INIT(sleepy_fn, N, N, NULL);
        double x[N] = {1, 2, 3, 4, 5, 6}, J[N * N];
        dj_opts o = {.mode = DJ_MODE_FORWARD, .chunk = 1, .ws = &ws, .threads = i % 2 ? 2 : 0};
        if (dj_jacobian(J, NULL, &f, x, &o, &r[i]) != DJ_OK || J[0] != 2 || J[1] != 1)
            ok = 0; /* a plain int: every writer writes the same 0 */
        dj_workspace_clear(&ws);
    }
    ck_assert(ok);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(r[i].threads, 1);
        /* a team of one (OMP_THREAD_LIMIT=1) is not an active region */
        if (omp_get_thread_limit() > 1)
            ck_assert_int_eq(r[i].threads_why, DJ_THREADS_NESTED);
    }
#endif
}
END_TEST

/* ---- a held core -------------------------------------------------------------------- */

static atomic_int busy_run, busy_started;

/* A busy loop, ended by the test or after 3 s, whatever happens. A pthread:
 * ThreadSanitizer of clang 14 does not intercept thrd_create, and a thread it
 * does not know crashes in its instrumentation. */
static void *busy_main(void *arg)
{
    (void)arg;
    struct timespec t0, t;
    timespec_get(&t0, TIME_UTC);
    busy_started = 1;
    volatile double sink = 0;
    for (long i = 0; busy_run; i++) {
        sink += 1e-9 * (double)i;
        if ((i & 0xffff) == 0) {
            timespec_get(&t, TIME_UTC);
            if (t.tv_sec - t0.tv_sec > 3)
                break;
        }
    }
    (void)sink;
    return NULL;
}

/* Valgrind runs one thread at a time: a busy thread waits, not runnable,
 * while the test reads the load. */
static int under_valgrind(void)
{
    const char *p = getenv("LD_PRELOAD");
    return p != NULL && strstr(p, "vgpreload") != NULL;
}

/* While a thread of this process spins, the automatic count leaves its CPU
 * alone: on 2 CPUs it is serial, and says why. */
START_TEST(test_threads_leave_a_held_core)
{
    dj__threads_override(NULL);
    busy_run = 1;
    busy_started = 0;
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, busy_main, NULL), 0);
    while (!busy_started)
        thrd_yield();
    stall(20000000L); /* 20 ms: it runs, and no cached load is older */
    dj__thread_facts f;
    dj__threads_facts_now(&f);
    int why, t = dj__threads_choose_for_test(&f, 0, 100, 1.0, 0, &why);
    dj_report r = sleepy_jacobian(NULL, 0);
    busy_run = 0;
    ck_assert_int_eq(pthread_join(th, NULL), 0);
    if (under_valgrind())
        return;
    ck_assert_msg(f.others >= 0.5 || f.cpus < f.online, "the busy thread was not seen: others %g",
                  f.others);
    int most = f.cpus > 1 ? f.cpus - 1 : 1;
    ck_assert_int_le(t, most);
    ck_assert_int_le(r.threads, most);
    if (f.cpus == 2 && f.online == 2) {
        ck_assert_int_eq(t, 1);
        ck_assert_int_eq(r.threads, 1);
        ck_assert(why == DJ_THREADS_LOADED || why == DJ_THREADS_ONE_CPU ||
                  why == DJ_THREADS_NO_OPENMP || why == DJ_THREADS_MPI);
        ck_assert_int_eq(r.threads_why, why);
    }
}
END_TEST

/* ---- the self-check ---------------------------------------------------------------- */

/* The verdicts: a slow run pauses threads for 1 s, doubling to 64 s; a fast
 * one ends the pause; no workspace, no memory. */
START_TEST(test_threads_self_check_verdicts)
{
    dj_workspace ws;
    dj_workspace_init(&ws);
    ck_assert(!dj__threads_slow(&ws, 100.0));
    dj__threads_verdict(&ws, 0.02, 0.01, 100.0);
    ck_assert_int_eq(ws.threads_slow, 1);
    ck_assert(dj__threads_slow(&ws, 100.5));
    ck_assert(!dj__threads_slow(&ws, 101.5));
    dj__threads_verdict(&ws, 0.02, 0.01, 101.5);
    ck_assert(dj__threads_slow(&ws, 103.0));
    ck_assert(!dj__threads_slow(&ws, 103.6));
    for (int i = 0; i < 10; i++)
        dj__threads_verdict(&ws, 0.02, 0.01, 200.0);
    ck_assert(dj__threads_slow(&ws, 263.0));
    ck_assert(!dj__threads_slow(&ws, 265.0));
    ck_assert(!dj__threads_slow(&ws, 50.0)); /* a clock set back */
    dj__threads_verdict(&ws, 0.005, 0.01, 300.0);
    ck_assert_int_eq(ws.threads_slow, 0);
    ck_assert(!dj__threads_slow(&ws, 300.0));
    dj__threads_verdict(NULL, 1, 0, 0);
    ck_assert(!dj__threads_slow(NULL, 0));
    dj__threads_verdict(&ws, 0.02, 0.01, 400.0);
    dj_workspace_clear(&ws);
    ck_assert_int_eq(ws.threads_slow, 0);
    dj_workspace_clear(&ws);
}
END_TEST

/* y = 2x; on the test's thread each call takes 1 ms, but once the threads
 * run (the third call on) it waits for a worker's first pass, and a
 * worker's pass takes 30 ms: threads that lose to serial, as on a core
 * another process holds. */
static atomic_int lag_calls, lag_worker_calls;

static void lag(void)
{
    if (!thrd_equal(thrd_current(), main_thread)) {
        lag_worker_calls++;
        stall(30000000L);
        return;
    }
    stall(1000000L);
    if (lag_calls++ >= 2)
        for (int i = 0; i < 1000 && lag_worker_calls == 0; i++)
            stall(1000000L);
}

#define LAG(T, y, x, n, m, ctx)                                                \
    {                                                                          \
        lag();                                                                 \
        for (size_t i = 0; i < m; i++)                                         \
            y[i] = dj_mul(2.0, x[i]);                                          \
    }
DJ_FN_INSTANTIATE(lag_fn, LAG);

/* A threaded automatic Jacobian slower than its serial estimate makes the
 * next ones with that workspace serial, and says why; others are not
 * affected. */
START_TEST(test_threads_self_check_goes_serial)
{
    dj__thread_facts idle = idle_machine(2);
    if (!idle.openmp)
        return;
    dj__threads_override(&idle);
    main_thread = thrd_current();
    enum { N = 8 };
    dj_fn f = DJ_FN_INIT(lag_fn, N, N, NULL);
    double x[N], J[N * N];
    for (int i = 0; i < N; i++)
        x[i] = i;
    dj_workspace ws;
    dj_workspace_init(&ws);
    dj_opts o = {.mode = DJ_MODE_FORWARD, .chunk = 1, .ws = &ws};
    dj_report r;
    lag_calls = lag_worker_calls = 0;
    ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, &r), DJ_OK);
    ck_assert_int_eq(r.threads, 2);
    ck_assert_int_eq(r.threads_why, DJ_THREADS_FREE_CPUS);
    ck_assert_int_eq(ws.threads_slow, 1);
    lag_calls = lag_worker_calls = 0;
    ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, &r), DJ_OK);
    ck_assert_int_eq(r.threads, 1);
    ck_assert_int_eq(r.threads_why, DJ_THREADS_SELF_CHECK);
    for (int i = 0; i < N; i++)
        ck_assert(J[i * N + i] == 2.0);
    /* asked for threads, the workspace still gets them */
    o.threads = 2;
    lag_calls = lag_worker_calls = 0;
    ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, &r), DJ_OK);
    ck_assert_int_eq(r.threads, 2);
    /* and a call without that workspace is automatic as before */
    dj_opts bare = {.mode = DJ_MODE_FORWARD, .chunk = 1};
    lag_calls = lag_worker_calls = 0;
    ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &bare, &r), DJ_OK);
    ck_assert_int_eq(r.threads_why, DJ_THREADS_FREE_CPUS);
    dj_workspace_clear(&ws);
    dj__threads_override(NULL);
}
END_TEST

/* ---- a workspace belongs to one call at a time ------------------------------- */

/* y = 3x, whose first call waits at a gate until the test opens it: while
 * it waits, a call holds the workspace. */
static _Atomic int gate_calls, gate_inside, gate_open;

static void gate_wait(void)
{
    if (gate_calls++ != 0)
        return;
    gate_inside = 1;
    while (!gate_open)
        thrd_yield();
}

#define GATE(T, y, x, n, m, ctx)                                               \
    {                                                                          \
        gate_wait();                                                           \
        for (size_t i = 0; i < m; i++)                                         \
            y[i] = dj_mul(3.0, x[i < n ? i : 0]);                              \
    }
DJ_FN_INSTANTIATE(gate_fn, GATE);

typedef struct gate_call {
    dj_workspace *ws;
    dj_mode mode;
    double J[4];
    int status;
} gate_call;

static void *gate_jacobian(void *arg)
{
    gate_call *c = arg;
    dj_fn f = DJ_FN_INIT(gate_fn, 2, 2, NULL);
    double x[2] = {1, 2};
    dj_opts o = {.mode = c->mode, .ws = c->ws, .threads = 1};
    c->status = dj_jacobian(c->J, NULL, &f, x, &o, NULL);
    return NULL;
}

/* While one call holds a workspace, every driver given it from another
 * thread returns DJ_EBUSY at once and leaves it as it was; the holder
 * finishes with the right Jacobian, and the workspace is free again. */
START_TEST(test_workspace_busy_is_refused)
{
    for (int mode = DJ_MODE_FORWARD; mode <= DJ_MODE_REVERSE; mode++) {
        dj_workspace ws;
        dj_workspace_init(&ws);
        gate_call holder = {.ws = &ws, .mode = (dj_mode)mode};
        gate_calls = gate_inside = gate_open = 0;
        pthread_t th;
        ck_assert_int_eq(pthread_create(&th, NULL, gate_jacobian, &holder), 0);
        while (!gate_inside)
            thrd_yield();
        dj_workspace before = ws;
        dj_fn f = DJ_FN_INIT(gate_fn, 2, 2, NULL), g1 = DJ_FN_INIT(gate_fn, 2, 1, NULL);
        double x[2] = {1, 2}, v[2] = {1, 0}, J[4], y[2], out[2];
        dj_opts o = {.mode = DJ_MODE_FORWARD, .ws = &ws};
        ck_assert_int_eq(dj_jacobian(J, y, &f, x, &o, NULL), DJ_EBUSY);
        o.mode = DJ_MODE_REVERSE;
        ck_assert_int_eq(dj_jacobian(J, y, &f, x, &o, NULL), DJ_EBUSY);
        ck_assert_int_eq(dj_jvp(y, out, &f, x, v, &o), DJ_EBUSY);
        ck_assert_int_eq(dj_vjp(y, out, &f, x, v, &o), DJ_EBUSY);
        ck_assert_int_eq(dj_gradient(out, y, &g1, x, &o), DJ_EBUSY);
        dj_sparse sp;
        dj_sparse_init(&sp);
        /* the analysis takes no workspace (only the first call of f waits) */
        ck_assert_int_eq(dj_sparse_analyze(&sp, &f, x, NULL), DJ_OK);
        ck_assert_int_eq(dj_sparse_jacobian(J, y, &sp, &f, x, &o, NULL), DJ_EBUSY);
        /* the Hessian drivers too */
        double H[4], hv[2];
        ck_assert_int_eq(dj_hessian(H, NULL, y, &f, x, NULL, &o, NULL), DJ_EBUSY);
        ck_assert_int_eq(dj_hvp(hv, NULL, y, &f, x, v, NULL, &o), DJ_EBUSY);
        dj_hsparse hs;
        dj_hsparse_init(&hs);
        ck_assert_int_eq(dj_hsparse_analyze(&hs, &f, x, NULL, NULL), DJ_OK);
        ck_assert_int_eq(dj_sparse_hessian(H, NULL, y, &hs, &f, x, NULL, &o, NULL), DJ_EBUSY);
        dj_hsparse_clear(&hs);
        ck_assert(memcmp(&before, &ws, sizeof ws) == 0);
        gate_open = 1;
        ck_assert_int_eq(pthread_join(th, NULL), 0);
        ck_assert_int_eq(holder.status, DJ_OK);
        ck_assert(holder.J[0] == 3 && holder.J[1] == 0 && holder.J[2] == 0 && holder.J[3] == 3);
        ck_assert_int_eq(ws.busy, 0);
        ck_assert_int_eq(dj_sparse_jacobian(J, y, &sp, &f, x, &o, NULL), DJ_OK);
        ck_assert_int_eq(dj_jacobian(J, y, &f, x, &o, NULL), DJ_OK);
        ck_assert(J[0] == 3 && J[3] == 3);
        dj_sparse_clear(&sp);
        dj_workspace_clear(&ws);
    }
}
END_TEST

/* The adversarial use: threads share one workspace. Each call either gets
 * it and returns the right Jacobian, or returns DJ_EBUSY; none returns a
 * wrong one (9 of 240 were wrong, with threads = 4 free() crashed). */
typedef struct shared_call {
    dj_workspace *ws;
    const double *x, *want;
    int threads, wrong, ok, busy;
} shared_call;

static void *shared_main(void *arg)
{
    shared_call *c = arg;
    const known_fn *k = &known[0];
    size_t cells = k->fn.n * k->fn.m;
    double *J = malloc(cells * sizeof *J);
    for (int r = 0; r < 60 && J != NULL; r++) {
        dj_opts o = {.mode = r % 2 ? DJ_MODE_REVERSE : DJ_MODE_FORWARD, .chunk = 2,
                     .ws = c->ws, .threads = c->threads};
        int st = dj_jacobian(J, NULL, &k->fn, c->x, &o, NULL);
        if (st == DJ_EBUSY) {
            c->busy++;
        } else if (st == DJ_OK) {
            c->ok++;
            if (memcmp(J, c->want, cells * sizeof *J) != 0)
                c->wrong++;
        } else {
            c->wrong++;
        }
    }
    free(J);
    return NULL;
}

START_TEST(test_workspace_shared_by_threads)
{
    const known_fn *k = &known[0];
    size_t cells = k->fn.n * k->fn.m;
    double x[MAX_N], *want = malloc(cells * sizeof *want);
    ck_assert_ptr_nonnull(want);
    for (size_t i = 0; i < k->fn.n; i++)
        x[i] = 0.1 + 0.01 * (double)i;
    dj_opts o = {.mode = DJ_MODE_FORWARD, .chunk = 2};
    ck_assert_int_eq(dj_jacobian(want, NULL, &k->fn, x, &o, NULL), DJ_OK);
    for (int threads = 1; threads <= 4; threads += 3) {
        dj_workspace ws;
        dj_workspace_init(&ws);
        shared_call c[4];
        pthread_t th[4];
        for (int t = 0; t < 4; t++) {
            c[t] = (shared_call){&ws, x, want, threads, 0, 0, 0};
            ck_assert_int_eq(pthread_create(&th[t], NULL, shared_main, &c[t]), 0);
        }
        int ok = 0;
        for (int t = 0; t < 4; t++) {
            ck_assert_int_eq(pthread_join(th[t], NULL), 0);
            ck_assert_msg(c[t].wrong == 0, "thread %d: %d wrong Jacobians (threads = %d)", t,
                          c[t].wrong, threads);
            ok += c[t].ok;
        }
        ck_assert_int_gt(ok, 0);
        dj_workspace_clear(&ws);
    }
    free(want);
}
END_TEST

static Suite *threads_suite(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("stress");
    tcase_add_unchecked_fixture(tc, known_setup, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_two_threads_match_one_thread, 0,
                        (int)(sizeof pairs / sizeof pairs[0]));
    tcase_add_test(tc, test_events_and_nansafe_are_per_thread);
    tcase_add_test(tc, test_auto_threads_ignore_one_slow_pass);
    tcase_add_test(tc, test_threads_bitwise_every_schedule);
    tcase_add_test(tc, test_threads_choice_rules);
    tcase_add_test(tc, test_threads_facts_of_this_machine);
    tcase_add_test(tc, test_threads_mpi_ranks_stay_serial);
    tcase_add_test(tc, test_threads_nested_region_is_serial);
    tcase_add_test(tc, test_threads_leave_a_held_core);
    tcase_add_test(tc, test_threads_self_check_verdicts);
    tcase_add_test(tc, test_threads_self_check_goes_serial);
    tcase_add_test(tc, test_workspace_busy_is_refused);
    tcase_add_test(tc, test_workspace_shared_by_threads);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tl_main(threads_suite); }
