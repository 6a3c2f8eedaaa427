/* check_threads.c: two threads differentiating at once. Each runs many
 * forward and reverse Jacobians, VJPs, JVPs, recordings, replays and sweeps
 * on its own functions and objects, and every single result must equal,
 * bit for bit, the one computed beforehand by one thread alone. CI also runs
 * this suite under ThreadSanitizer. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "known.h"
#include "testlib.h"

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

/* One slow first pass (preemption) must not start threads for work that
 * takes microseconds; passes that are all slow must, where there are
 * threads to start. */
START_TEST(test_auto_threads_ignore_one_slow_pass)
{
    ck_assert_int_eq(auto_threads(1, 0), 1);
    int want = dj_threads_max() > 1 ? 2 : 1;
    ck_assert_int_ge(auto_threads(0, 1000000L), want);
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

static int gate_jacobian(void *arg)
{
    gate_call *c = arg;
    dj_fn f = DJ_FN_INIT(gate_fn, 2, 2, NULL);
    double x[2] = {1, 2};
    dj_opts o = {.mode = c->mode, .ws = c->ws, .threads = 1};
    c->status = dj_jacobian(c->J, NULL, &f, x, &o, NULL);
    return 0;
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
        thrd_t th;
        ck_assert_int_eq(thrd_create(&th, gate_jacobian, &holder), thrd_success);
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
        ck_assert_int_eq(thrd_join(th, NULL), thrd_success);
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

static int shared_main(void *arg)
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
    return 0;
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
        thrd_t th[4];
        for (int t = 0; t < 4; t++) {
            c[t] = (shared_call){&ws, x, want, threads, 0, 0, 0};
            ck_assert_int_eq(thrd_create(&th[t], shared_main, &c[t]), thrd_success);
        }
        int ok = 0;
        for (int t = 0; t < 4; t++) {
            ck_assert_int_eq(thrd_join(th[t], NULL), thrd_success);
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
    tcase_add_test(tc, test_workspace_busy_is_refused);
    tcase_add_test(tc, test_workspace_shared_by_threads);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tl_main(threads_suite); }
