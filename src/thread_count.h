/* thread_count.h: how many threads the passes or sweeps of one Jacobian run on.
 *
 * The choice is a pure function of facts (dj__threads_choose), so that each
 * rule can be tested with the facts it needs; dj__threads_facts reads the
 * facts of this process and machine. Not installed. */
#ifndef DUALJAC_THREAD_COUNT_H
#define DUALJAC_THREAD_COUNT_H

#include <stddef.h>

#include "internal.h"

/* What the automatic choice goes by. */
typedef struct dj__thread_facts {
    int openmp;      /* built with OpenMP */
    int in_parallel; /* called inside an active OpenMP parallel region */
    int omp_max;     /* omp_get_max_threads(): OMP_NUM_THREADS, omp_set_num_threads */
    int omp_limit;   /* omp_get_thread_limit(): OMP_THREAD_LIMIT; 0 = none */
    int cpus;        /* CPUs in the calling thread's affinity mask */
    int online;      /* CPUs online on the machine (>= cpus) */
    double quota;    /* cgroup CPU quota in CPUs (cpu.max, cfs_quota_us); 0 = none */
    int ranks;       /* MPI ranks on this node, from the launchers' variables; 0 = none */
    double others;   /* runnable threads of other work on those CPUs (a snapshot) */
} dj__thread_facts;

/* The CPUs this process may use: the affinity mask, the cgroup quota
 * (rounded down, at least 1), OpenMP's max threads and thread limit. */
DJ_API int dj__threads_usable(const dj__thread_facts *f);

/* The threads for `remaining` passes or sweeps that would take `seconds`
 * on one thread, when the user asked for `requested` (0 = automatic) and
 * the workspace's self-check says serial (`slow`); *why is a dj_threads_why. */
int dj__threads_choose(const dj__thread_facts *f, int requested, size_t remaining,
                       double seconds, int slow, int *why);

/* The facts of the calling thread now. The load and the cgroup quota are
 * cached (DJ__LOAD_CACHE_SECONDS, DJ__QUOTA_CACHE_SECONDS): reading them
 * costs a few file reads. Touches the OpenMP runtime: call only when the
 * work is long enough for threads to be considered. */
void dj__threads_facts(dj__thread_facts *f);

#define DJ__LOAD_CACHE_SECONDS 0.02
#define DJ__QUOTA_CACHE_SECONDS 1.0

/* The self-check: after a threaded automatic run that took `took` seconds
 * against a serial estimate `serial`, records in ws whether threads paid;
 * dj__threads_slow says whether automatic runs with ws stay serial now.
 * Exported (as the test hooks below) for the tests. */
DJ_API void dj__threads_verdict(dj_workspace *ws, double took, double serial, double now);
DJ_API int dj__threads_slow(const dj_workspace *ws, double now);

/* Notes the calling OpenMP worker (thread number `num` > 0) as the library's,
 * so that its spinning after a region is not counted as other work. */
void dj__threads_note_worker(int num);

/* Test-only: the facts the automatic choice uses instead of the machine's
 * (NULL: the machine's again), and the cache dropped. */
DJ_API void dj__threads_override(const dj__thread_facts *f);
/* Test-only: the facts the automatic choice would use now (the override if
 * set), cache bypassed. */
DJ_API void dj__threads_facts_now(dj__thread_facts *f);
/* Test-only: dj__threads_choose. */
DJ_API int dj__threads_choose_for_test(const dj__thread_facts *f, int requested,
                                       size_t remaining, double seconds, int slow, int *why);

#endif /* DUALJAC_THREAD_COUNT_H */
