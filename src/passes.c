/* passes.c: the independent passes (forward) and sweeps (reverse) of a
 * Jacobian, run on one thread or, with OpenMP, on several.
 *
 * The first pass always runs on the calling thread: it checks that f can
 * run at all, gives y, and its time tells whether threads would pay (how
 * many, thread_count.c decides). Each thread then owns one set of buffers, so no
 * pass shares writable memory with another and every value is computed by
 * the same code as in a serial run; the passes are handed out one at a
 * time (schedule(dynamic, 1)), so a thread that loses its core to another
 * process does fewer of them instead of holding the others up. */
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "graph_internal.h"
#include "passes.h"
#include "thread_count.h"

#ifdef _OPENMP
#define DJ__OMP(directive) _Pragma(#directive)
#else
#define DJ__OMP(directive)
#endif

#if defined(__GNUC__) || defined(__clang__)
#define DJ__NOINLINE __attribute__((noinline))
#else
#define DJ__NOINLINE
#endif

int dj_threads_max(void)
{
#ifdef _OPENMP
    int t = omp_get_max_threads();
    return t > 0 ? t : 1;
#else
    return 1;
#endif
}

/* C11's clock, not the OpenMP runtime's: the runtime is touched only when
 * threads will run, because its first call allocates, and an allocation
 * failure inside it ends the process (libgomp and libomp alike). */
static double now(void)
{
#ifdef _OPENMP
    struct timespec t;
    if (timespec_get(&t, TIME_UTC) == 0)
        return 0.0;
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
#else
    return 0.0;
#endif
}

/* How many threads to run `remaining` tasks on, after a first one took
 * `first` seconds; *why says why. The facts of the machine are read (and
 * the OpenMP runtime touched) only past the cheap tests, so that a serial
 * Jacobian of a small function pays for none of it. */
static int threads_for(int requested, size_t remaining, double first, const dj_workspace *ws,
                       int *why)
{
    dj__thread_facts f = {0};
#ifdef _OPENMP
    f.openmp = 1;
#endif
    double seconds = first * (double)remaining;
    /* with blank facts first: its answers few, asked for one, no OpenMP and
     * short are final */
    int t = dj__threads_choose(&f, requested, remaining, seconds, 0, why);
    if (requested == 1 || *why == DJ_THREADS_FEW || *why == DJ_THREADS_NO_OPENMP ||
        *why == DJ_THREADS_SHORT)
        return t;
    dj__threads_facts(&f);
    int slow = requested <= 0 && dj__threads_slow(ws, now());
    return dj__threads_choose(&f, requested, remaining, seconds, slow, why);
}

/* A worker's entry and exit: its own event word and the caller's NaN-safe
 * mode on the way in; its events handed back on the way out, the thread's
 * own state (the caller's, for the master) restored. */
typedef struct thread_state {
    unsigned saved_events;
    int saved_nansafe;
} thread_state;

static thread_state enter(int nansafe)
{
    thread_state st = {dj_events(), dj_nansafe_set(nansafe)};
    dj_events_clear();
    return st;
}

static unsigned leave(thread_state st)
{
    unsigned mine = dj_events();
    dj_events_clear();
    dj_event_raise(st.saved_events);
    dj_nansafe_set(st.saved_nansafe);
    return mine;
}

/* The calling thread's set among t sets of per doubles at many. */
static double *own_buffers(double *many, size_t per)
{
#ifdef _OPENMP
    return many + (size_t)omp_get_thread_num() * per;
#else
    (void)per;
    return many;
#endif
}

/* A worker notes itself as the library's (thread_count.c does not count it as
 * other work when it spins after the region). */
static void note_worker(void)
{
#ifdef _OPENMP
    int num = omp_get_thread_num();
    if (num > 0)
        dj__threads_note_worker(num);
#endif
}

/* The self-check of an automatic threaded run that began at t0, against
 * its serial estimate: the quicker of the timed passes, times the passes
 * the threads ran. */
static void self_check(dj_workspace *ws, double t0, double serial)
{
    double t1 = now();
    dj__threads_verdict(ws, t1 - t0, serial, t1);
}

/* ---- forward passes --------------------------------------------------------- */

void dj__init_inputs(double *X, const double *x, size_t n, size_t s)
{
    memset(X, 0, n * s * sizeof *X);
    for (size_t j = 0; j < n; j++)
        X[j * s] = x[j];
}

/* Four lanes, so the sum is not one chain of dependent additions. */
int dj__values_finite(const double *Y, size_t m, size_t s)
{
    double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
    size_t i = 0;
    for (; i + 4 <= m; i += 4) {
        a0 += Y[i * s] - Y[i * s];
        a1 += Y[(i + 1) * s] - Y[(i + 1) * s];
        a2 += Y[(i + 2) * s] - Y[(i + 2) * s];
        a3 += Y[(i + 3) * s] - Y[(i + 3) * s];
    }
    for (; i < m; i++)
        a0 += Y[i * s] - Y[i * s];
    return (a0 + a1) + (a2 + a3) == 0.0;
}

/* Pass p: seed, evaluate, store; `last` when no pass follows on this X,
 * which may then keep its seeds (X is set up afresh per call). On threads no
 * pass is known to be the last: OpenMP 5's dynamic schedule is nonmonotonic,
 * and libomp runs a thread's iterations out of order. */
static int one_pass(const dj__passes *job, double *X, double *Y, size_t p, int last)
{
    job->seed(job, X, p, 1.0);
    int status = dj__eval_chunk(job->f, job->k, Y, X);
    if (!last)
        job->seed(job, X, p, 0.0);
    if (status != DJ_OK)
        return status;
    return job->store(job, Y, p) ? DJ_OK : -1;
}

/* Passes from .. count-1 on t threads, each with its buffers at many + its
 * number times per; returns 0 when a stored value was not finite. Out of
 * line: clang starts the OpenMP runtime on entry to any function holding a
 * parallel region, and a serial Jacobian must not. */
static DJ__NOINLINE int passes_on_threads(const dj__passes *job, double *many, size_t per, int t,
                                          size_t from)
{
    size_t n = job->f->n, s = dj__stride(job->k);
    int finite = 1, nansafe = dj_nansafe();
    unsigned events = 0;
    DJ__OMP(omp parallel num_threads(t) reduction(& : finite) reduction(| : events))
    {
        thread_state st = enter(nansafe);
        note_worker();
        double *X = own_buffers(many, per);
        dj__init_inputs(X, job->x, n, s);
        DJ__OMP(omp for schedule(dynamic, 1))
        for (size_t p = from; p < job->count; p++)
            if (one_pass(job, X, X + n * s, p, 0) == -1)
                finite = 0;
        events |= leave(st);
    }
    (void)t;
    dj_event_raise(events);
    return finite;
}

int dj__run_passes(const dj__passes *job, double *y, dj_workspace *ws, int threads,
                   dj__run *run)
{
    const dj_fn *f = job->f;
    size_t n = f->n, m = f->m, s = dj__stride(job->k), per, bytes, all;
    run->threads = 1;
    run->finite = 1;
    run->why = DJ_THREADS_FEW;
    if (n + m < n || !dj__mul_size(n + m, s, &per) || !dj__bytes(per, sizeof(double), &bytes))
        return DJ_ERANGE;
    void *tmp = NULL;
    double *buf = dj__workspace_reserve_passes(ws, bytes, &tmp);
    if (buf == NULL)
        return DJ_ENOMEM;
    dj__init_inputs(buf, job->x, n, s);

    /* the clock is read only when its reading decides something (automatic
     * threads, more than one pass left): two reads cost about 50 ns, a
     * third of a 10 x 10 Jacobian */
    int timed = threads <= 0 && job->count > 2;
    double t0 = timed ? now() : 0.0;
    int status = one_pass(job, buf, buf + n * s, 0, job->count == 1);
    double first = timed ? now() - t0 : 0.0;
    if (status == -1)
        run->finite = 0;
    else if (status != DJ_OK)
        goto done;
    status = DJ_OK;
    if (!dj__values_finite(buf + n * s, m, s))
        run->finite = 0;
    if (y != NULL)
        for (size_t i = 0; i < m; i++)
            y[i] = buf[(n + i) * s];

    /* a first pass that was preempted looks slow: before starting threads
     * on its word, time a second one and go by the quicker */
    size_t next = 1;
    if (threads <= 0 && threads_for(threads, job->count - 1, first, ws, &run->why) > 1) {
        t0 = now();
        if (one_pass(job, buf, buf + n * s, next++, 0) == -1)
            run->finite = 0;
        double second = now() - t0;
        first = second < first ? second : first;
    }
    int t = threads_for(threads, job->count - next, first, ws, &run->why);
    double *many = NULL;
    if (t > 1 && (!dj__bytes(bytes, (size_t)t, &all) ||
                  (many = dj__workspace_reserve_passes(ws, all, &tmp)) == NULL))
        run->why = DJ_THREADS_NO_MEMORY;
    if (many == NULL) {
        /* serial, also when the threads' buffers could not be had */
        for (size_t p = next; p < job->count; p++)
            if (one_pass(job, buf, buf + n * s, p, p + 1 == job->count) == -1)
                run->finite = 0;
        goto done;
    }
    run->threads = t;
    t0 = now();
    run->finite &= passes_on_threads(job, many, per, t, next);
    if (run->why == DJ_THREADS_FREE_CPUS)
        self_check(ws, t0, first * (double)(job->count - next));
done:
    dj__free(tmp);
    return status;
}

/* ---- reverse sweeps ---------------------------------------------------------- */

/* Sweeps from .. count-1 on t threads, each with its buffers at many + its
 * number times per (work doubles of sweep work, then U and JU). Out of
 * line, as passes_on_threads. */
static DJ__NOINLINE void sweeps_on_threads(const dj__sweeps *job, double *many, size_t per,
                                           size_t work, int t, size_t from)
{
    size_t m = job->g->noutputs, K = (size_t)job->k;
    int nansafe = dj_nansafe();
    unsigned events = 0;
    DJ__OMP(omp parallel num_threads(t) reduction(| : events))
    {
        thread_state st = enter(nansafe);
        note_worker();
        double *W = own_buffers(many, per);
        memset(W + work, 0, K * m * sizeof *W);
        DJ__OMP(omp for schedule(dynamic, 1))
        for (size_t r = from; r < job->count; r++)
            (void)dj__sweep_once(job, W, work, r); /* checked by sweep 0 */
        events |= leave(st);
    }
    (void)t;
    dj_event_raise(events);
}

int dj__run_sweeps(const dj__sweeps *job, dj_workspace *ws, int threads, dj__run *run)
{
    const dj_graph *g = job->g;
    size_t m = g->noutputs, n = g->ninputs, K = (size_t)job->k, work, seeds, per, bytes, all;
    run->threads = 1;
    run->finite = 1;
    run->why = DJ_THREADS_FEW;
    int status = dj__graph_sweep_doubles(g, job->k, &work);
    if (status != DJ_OK)
        return status;
    if (n + m < n || !dj__mul_size(K, n + m, &seeds) || work + seeds < work ||
        !dj__bytes(per = work + seeds, sizeof(double), &bytes))
        return DJ_ERANGE;
    void *tmp = NULL;
    double *buf = dj__workspace_reserve_passes(ws, bytes, &tmp);
    if (buf == NULL)
        return DJ_ENOMEM;
    /* per thread: the sweep's work, then U (K×m, kept zero between sweeps)
     * and JU (K×n) */
    memset(buf + work, 0, K * m * sizeof *buf);

    int timed = threads <= 0 && job->count > 2; /* as for passes */
    double t0 = timed ? now() : 0.0;
    status = dj__sweep_once(job, buf, work, 0);
    double first = timed ? now() - t0 : 0.0;
    if (status != DJ_OK)
        goto done;

    size_t next = 1; /* as for passes: a second opinion before threads */
    if (threads <= 0 && threads_for(threads, job->count - 1, first, ws, &run->why) > 1) {
        t0 = now();
        status = dj__sweep_once(job, buf, work, next++);
        double second = now() - t0;
        first = second < first ? second : first;
    }
    int t = threads_for(threads, job->count - next, first, ws, &run->why);
    double *many = NULL;
    if (t > 1 && status == DJ_OK &&
        (!dj__bytes(bytes, (size_t)t, &all) ||
         (many = dj__workspace_reserve_passes(ws, all, &tmp)) == NULL))
        run->why = DJ_THREADS_NO_MEMORY;
    if (many == NULL) {
        for (size_t r = next; status == DJ_OK && r < job->count; r++)
            status = dj__sweep_once(job, buf, work, r);
        goto done;
    }
    run->threads = t;
    t0 = now();
    sweeps_on_threads(job, many, per, work, t, next);
    if (run->why == DJ_THREADS_FREE_CPUS)
        self_check(ws, t0, first * (double)(job->count - next));
done:
    dj__free(tmp);
    return status;
}

int dj__sweep_once(const dj__sweeps *job, double *buf, size_t work, size_t r)
{
    const dj_graph *g = job->g;
    size_t m = g->noutputs;
    double *U = buf + work, *JU = U + (size_t)job->k * m;
    int kw = job->seed(job, U, r, 1.0);
    int status = dj__graph_vjp_with(g, JU, U, kw, buf);
    job->seed(job, U, r, 0.0);
    if (status == DJ_OK)
        job->store(job, JU, r, kw);
    return status;
}
