/* thread_count.c: the automatic number of threads (thread_count.h; not
 * threads.h, which would hide C11's <threads.h> from sources built with
 * -Isrc).
 *
 * Threads pay only on cores that are free: on a 2-core machine with one core
 * held by another process, two threads ran a Jacobian 4 times slower than
 * one, because the thread that shared the held core made the other wait at
 * the end of each parallel region. So the automatic count is the CPUs the
 * process may use (affinity mask, cgroup quota, OpenMP's limits) less those
 * other runnable threads occupy, and serial where the process is one of
 * several that share the node by design (MPI ranks) or already runs inside
 * an OpenMP team. The facts are read only once work is long enough for
 * threads to be considered (passes.c), and the expensive ones are cached. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT, syscall(SYS_gettid) */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__linux__)
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#ifdef _OPENMP
#include <omp.h>
#endif

#include "thread_count.h"

/* Below this much remaining work (seconds) automatic threads are not
 * started. Waking a second thread and joining it takes tens of microseconds
 * on an idle machine, but on a busy one a worker may wait a scheduler time
 * slice (milliseconds) to run: a 1 ms floor bounds what that can cost. */
#define PARALLEL_MIN_SECONDS 1e-3

/* The self-check's pause after a slow threaded run: 1 s, doubled per slow
 * run in a row, at most 64 s; then threads are tried again, since the load
 * that made them slow may have gone. */
#define SLOW_PAUSE_MAX_DOUBLINGS 6

static const char *const why_names[DJ_THREADS_WHY_COUNT_] = {
    [DJ_THREADS_FEW] = "fewer than two passes or sweeps",
    [DJ_THREADS_ASKED] = "as asked",
    [DJ_THREADS_NO_OPENMP] = "built without OpenMP",
    [DJ_THREADS_SHORT] = "too little work to repay threads",
    [DJ_THREADS_NESTED] = "inside an OpenMP parallel region",
    [DJ_THREADS_MPI] = "one of several MPI ranks on this node",
    [DJ_THREADS_ONE_CPU] = "one usable CPU",
    [DJ_THREADS_LOADED] = "other work keeps the CPUs busy",
    [DJ_THREADS_SELF_CHECK] = "threads were slower than serial with this workspace",
    [DJ_THREADS_FREE_CPUS] = "one per free CPU",
    [DJ_THREADS_NO_MEMORY] = "no memory for the threads' buffers",
};

const char *dj_threads_why_name(int why)
{
    if (why < 0 || why >= DJ_THREADS_WHY_COUNT_)
        return "unknown";
    return why_names[why];
}

/* ---- the choice ----------------------------------------------------------------- */

int dj__threads_usable(const dj__thread_facts *f)
{
    int u = f->cpus > 0 ? f->cpus : 1;
    if (f->quota > 0) {
        /* rounded down: a quota of 1.5 CPUs lets two threads run for 75 ms of
         * each 100 ms period and then stops both */
        int q = f->quota < 1.0 ? 1 : f->quota > (double)u ? u : (int)f->quota;
        if (q < u)
            u = q;
    }
    if (f->omp_max > 0 && f->omp_max < u)
        u = f->omp_max;
    if (f->omp_limit > 0 && f->omp_limit < u)
        u = f->omp_limit;
    return u;
}

int dj__threads_choose(const dj__thread_facts *f, int requested, size_t remaining,
                       double seconds, int slow, int *why)
{
    if (remaining < 2)
        return *why = DJ_THREADS_FEW, 1;
    if (requested == 1)
        return *why = DJ_THREADS_ASKED, 1;
    if (!f->openmp)
        return *why = DJ_THREADS_NO_OPENMP, 1;
    if (requested <= 0 && !(seconds >= PARALLEL_MIN_SECONDS))
        return *why = DJ_THREADS_SHORT, 1;
    if (f->in_parallel)
        return *why = DJ_THREADS_NESTED, 1;
    if (requested > 1) {
        *why = DJ_THREADS_ASKED;
        return (size_t)requested > remaining ? (int)remaining : requested;
    }
    if (f->ranks > 1)
        return *why = DJ_THREADS_MPI, 1;
    if (slow)
        return *why = DJ_THREADS_SELF_CHECK, 1;
    int usable = dj__threads_usable(f);
    if (usable <= 1)
        return *why = DJ_THREADS_ONE_CPU, 1;
    /* the CPUs left by the others, to the nearest: a fraction comes from
     * scaling a machine-wide count to the affinity mask */
    double left = (double)(f->cpus > 0 ? f->cpus : 1) - (f->others > 0 ? f->others : 0.0);
    int t = left < 0.5 ? 0 : left > (double)usable ? usable : (int)(left + 0.5);
    if (t > usable)
        t = usable;
    if (t <= 1)
        return *why = DJ_THREADS_LOADED, 1;
    *why = DJ_THREADS_FREE_CPUS;
    return (size_t)t > remaining ? (int)remaining : t;
}

int dj__threads_choose_for_test(const dj__thread_facts *f, int requested, size_t remaining,
                                double seconds, int slow, int *why)
{
    return dj__threads_choose(f, requested, remaining, seconds, slow, why);
}

/* ---- the self-check --------------------------------------------------------------- */

void dj__threads_verdict(dj_workspace *ws, double took, double serial, double now)
{
    if (ws == NULL)
        return;
    if (took > serial) {
        int d = ws->threads_slow < SLOW_PAUSE_MAX_DOUBLINGS ? ws->threads_slow
                                                              : SLOW_PAUSE_MAX_DOUBLINGS;
        ws->threads_slow++;
        ws->threads_retry = now + (double)(1L << d);
    } else {
        ws->threads_slow = 0;
        ws->threads_retry = 0.0;
    }
}

int dj__threads_slow(const dj_workspace *ws, double now)
{
    if (ws == NULL || ws->threads_slow == 0)
        return 0;
    /* a clock set back by more than the longest pause ends the pause */
    double longest = (double)(1L << SLOW_PAUSE_MAX_DOUBLINGS);
    return now < ws->threads_retry && ws->threads_retry - now <= longest;
}

/* ---- the facts ----------------------------------------------------------------- */

/* Seconds on a clock that only goes forward, for the caches. */
static double mono_now(void)
{
    struct timespec t;
#if defined(CLOCK_MONOTONIC)
    if (clock_gettime(CLOCK_MONOTONIC, &t) == 0)
        return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
#endif
    if (timespec_get(&t, TIME_UTC) == 0)
        return 0.0;
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The first size-1 bytes of a small file, NUL-terminated; 0 when it cannot
 * be read. */
static size_t read_small(const char *path, char *buf, size_t size)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return 0;
    size_t got = fread(buf, 1, size - 1, fp);
    fclose(fp);
    buf[got] = '\0';
    return got;
}

/* The quota in CPUs of one cgroup v2 directory's cpu.max ("max 100000" or
 * "50000 100000"); 0 for none. */
static double cpu_max(const char *dir)
{
    char path[4200], buf[64];
    snprintf(path, sizeof path, "%s/cpu.max", dir);
    if (read_small(path, buf, sizeof buf) == 0 || strncmp(buf, "max", 3) == 0)
        return 0.0;
    char *end;
    double quota = strtod(buf, &end), period = strtod(end, NULL);
    return quota > 0 && period > 0 ? quota / period : 0.0;
}

/* cgroup v1's cpu.cfs_quota_us / cpu.cfs_period_us in dir; 0 for none. */
static double cfs_quota(const char *dir)
{
    char path[4200], buf[64];
    snprintf(path, sizeof path, "%s/cpu.cfs_quota_us", dir);
    if (read_small(path, buf, sizeof buf) == 0)
        return 0.0;
    double quota = strtod(buf, NULL);
    snprintf(path, sizeof path, "%s/cpu.cfs_period_us", dir);
    if (quota <= 0 || read_small(path, buf, sizeof buf) == 0)
        return 0.0;
    double period = strtod(buf, NULL);
    return period > 0 ? quota / period : 0.0;
}

static double min_quota(double a, double b) { return a <= 0 ? b : b <= 0 ? a : a < b ? a : b; }

/* The smallest CPU quota over this process's cgroup and its parents (v2),
 * or of its cpu controller's group (v1); 0 when there is none. In a
 * container the group's path may be "/" of a namespace: the mount's root is
 * then the group. */
static double cgroup_quota(void)
{
    char list[2048], dir[4200];
    if (read_small("/proc/self/cgroup", list, sizeof list) == 0)
        return 0.0;
    double q = 0.0;
    char *save = NULL;
    for (char *line = strtok_r(list, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 == NULL)
            continue;
        *c2 = '\0';
        const char *controllers = c1 + 1, *group = c2 + 1;
        if (strcmp(line, "0") == 0 && *controllers == '\0') { /* v2: "0::/path" */
            snprintf(dir, sizeof dir, "/sys/fs/cgroup%s", group);
            for (;;) {
                q = min_quota(q, cpu_max(dir));
                char *slash = strrchr(dir, '/');
                if (slash == NULL || slash - dir <= (long)strlen("/sys/fs/cgroup"))
                    break;
                *slash = '\0';
            }
            q = min_quota(q, cpu_max("/sys/fs/cgroup"));
        } else { /* v1: "N:cpu,cpuacct:/path" */
            char names[256];
            snprintf(names, sizeof names, ",%s,", controllers);
            if (strstr(names, ",cpu,") == NULL)
                continue;
            const char *mounts[] = {"/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpu"};
            for (size_t i = 0; i < sizeof mounts / sizeof *mounts; i++) {
                snprintf(dir, sizeof dir, "%s%s", mounts[i], group);
                double here = cfs_quota(dir);
                q = min_quota(q, here > 0 ? here : cfs_quota(mounts[i]));
            }
        }
    }
    return q;
}

static int online_cpus(void)
{
#if defined(__linux__)
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c > 0 ? (int)(c > 1 << 20 ? 1 << 20 : c) : 1;
#else
    return 1;
#endif
}

/* CPUs in the calling thread's affinity mask (per thread: not cached). */
static int affinity_cpus(int online)
{
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int c = CPU_COUNT(&set);
        if (c > 0)
            return c;
    }
#endif
    return online;
}

/* The MPI ranks on this node, from the variables launchers set: Open MPI,
 * MPICH and Intel MPI (hydra), PMI and PMIx, MVAPICH2, Cray PALS, Slurm (an
 * srun step, or a job asking for several tasks per node; "4(x2)" reads 4). */
static int local_ranks(void)
{
    static const char *const names[] = {
        "OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "PMI_LOCAL_SIZE",
        "PMIX_LOCAL_SIZE", "MV2_COMM_WORLD_LOCAL_SIZE", "PALS_LOCAL_SIZE",
        "SLURM_STEP_TASKS_PER_NODE", "SLURM_NTASKS_PER_NODE",
    };
    long most = 0;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const char *v = getenv(names[i]);
        if (v == NULL)
            continue;
        long r = strtol(v, NULL, 10);
        if (r > most)
            most = r;
    }
    return most > 1 << 20 ? 1 << 20 : (int)most;
}

/* The library's own OpenMP workers (thread numbers 1..), by Linux thread
 * id: after a region they spin a while before sleeping, runnable, and must
 * not count as other work. Relaxed atomics: a stale id costs one wrong
 * count at worst. */
#define WORKERS_KNOWN 64
static _Atomic long worker_tid[WORKERS_KNOWN];

void dj__threads_note_worker(int num)
{
#if defined(__linux__) && defined(SYS_gettid)
    if (num < 1 || num > WORKERS_KNOWN)
        return;
    long tid = (long)syscall(SYS_gettid);
    if (atomic_load_explicit(&worker_tid[num - 1], memory_order_relaxed) != tid)
        atomic_store_explicit(&worker_tid[num - 1], tid, memory_order_relaxed);
#else
    (void)num;
#endif
}

/* How many of the library's workers are runnable now. */
static int own_workers_running(void)
{
    int running = 0;
    for (int i = 0; i < WORKERS_KNOWN; i++) {
        long tid = atomic_load_explicit(&worker_tid[i], memory_order_relaxed);
        if (tid == 0)
            continue;
        char path[64], buf[256];
        snprintf(path, sizeof path, "/proc/self/task/%ld/stat", tid);
        if (read_small(path, buf, sizeof buf) == 0)
            continue;
        const char *close = strrchr(buf, ')'); /* after the name, which may hold spaces */
        if (close != NULL && close[1] == ' ' && close[2] == 'R')
            running++;
    }
    return running;
}

/* Runnable threads of other work on the calling thread's CPUs, now: the
 * machine's count of runnable threads (/proc/loadavg's fourth field, a
 * snapshot, not the decaying load average, so that a busy loop that just
 * started counts and one that ended does not) less the caller and the
 * library's own workers, scaled to the affinity mask's share of the machine.
 * 0 where the count cannot be read. */
static double others_running(int cpus, int online)
{
    char buf[128];
    if (read_small("/proc/loadavg", buf, sizeof buf) == 0)
        return 0.0;
    const char *p = buf;
    for (int field = 0; field < 3 && p != NULL; field++) {
        p = strchr(p, ' ');
        if (p != NULL)
            p++;
    }
    if (p == NULL)
        return 0.0;
    long running = strtol(p, NULL, 10) - 1 - own_workers_running();
    if (running <= 0)
        return 0.0;
    double r = (double)running;
    return cpus < online ? r * (double)cpus / (double)online : r;
}

/* The caches: the load for DJ__LOAD_CACHE_SECONDS, the quota and the CPUs
 * online for DJ__QUOTA_CACHE_SECONDS. Each value is one atomic, written
 * before its time stamp: a reader that sees a fresh stamp may get a value
 * another thread wrote at about the same time, which is as good. */
static _Atomic double load_value, load_time = -1.0;
static _Atomic double quota_value, quota_time = -1.0;
static _Atomic int online_value;

static _Atomic int override_on;
static dj__thread_facts override_facts;

#ifdef _OPENMP
/* Through volatile pointers: clang knows these to be free of side effects
 * and hoisted such a query to the entry of a driver, which then started the
 * OpenMP runtime (it allocates, and ends the process when that fails) on
 * serial Jacobians too. */
static int (*volatile query_in_parallel)(void) = omp_in_parallel;
static int (*volatile query_max_threads)(void) = omp_get_max_threads;
static int (*volatile query_thread_limit)(void) = omp_get_thread_limit;
#endif

static void facts_read(dj__thread_facts *f, int cached)
{
    double now = mono_now();
#ifdef _OPENMP
    f->openmp = 1;
    f->in_parallel = query_in_parallel();
    f->omp_max = query_max_threads();
    int limit = query_thread_limit();
    f->omp_limit = limit > 0 && limit < 1 << 20 ? limit : 0; /* INT_MAX: none */
#else
    f->openmp = 0;
    f->in_parallel = 0;
    f->omp_max = 1;
    f->omp_limit = 0;
#endif
    if (!cached || !(now - quota_time < DJ__QUOTA_CACHE_SECONDS) || now < quota_time) {
        online_value = online_cpus();
        quota_value = cgroup_quota();
        quota_time = now;
    }
    f->online = online_value;
    f->quota = quota_value;
    f->cpus = affinity_cpus(f->online);
    if (f->online < f->cpus)
        f->online = f->cpus;
    f->ranks = local_ranks();
    if (!cached || !(now - load_time < DJ__LOAD_CACHE_SECONDS) || now < load_time) {
        load_value = others_running(f->cpus, f->online);
        load_time = now;
    }
    f->others = load_value;
}

/* The override stands for the machine; whether the caller is inside a
 * parallel region stays a fact of the call. */
static void facts_overridden(dj__thread_facts *f)
{
    *f = override_facts;
#ifdef _OPENMP
    f->in_parallel = query_in_parallel();
#endif
}

void dj__threads_facts(dj__thread_facts *f)
{
    if (override_on)
        facts_overridden(f);
    else
        facts_read(f, 1);
}

void dj__threads_facts_now(dj__thread_facts *f)
{
    if (override_on)
        facts_overridden(f);
    else
        facts_read(f, 0);
}

void dj__threads_override(const dj__thread_facts *f)
{
    if (f != NULL)
        override_facts = *f;
    override_on = f != NULL;
    load_time = -1.0;
    quota_time = -1.0;
}

int dj_threads_auto(int *why)
{
    dj__thread_facts f;
    dj__threads_facts(&f);
    int w, t = dj__threads_choose(&f, 0, (size_t)-1, 1.0, 0, &w);
    if (why != NULL)
        *why = w;
    return t;
}
