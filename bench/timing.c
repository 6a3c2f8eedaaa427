/* timing.c: the benchmark's clock and statistics (see timing.h). */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "timing.h"

double bench_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void bench_summarize(bench_stats *out, double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, compare_doubles);
    out->samples = n;
    out->min = v[0];
    out->max = v[n - 1];
    out->median = (n % 2) ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* What reading the clock twice costs, taken off every sample: samples of a
 * few microseconds would otherwise carry a visible share of clock reads. */
static double clock_cost(void)
{
    static double cost = -1.0;
    if (cost < 0) {
        cost = 1.0;
        for (int i = 0; i < 1000; i++) {
            double t0 = bench_now(), t = bench_now() - t0;
            if (t < cost)
                cost = t;
        }
    }
    return cost;
}

static double run(bench_fn *fn, void *arg, long calls)
{
    double cost = clock_cost();
    double t0 = bench_now();
    for (long i = 0; i < calls; i++)
        fn(arg);
    double t = bench_now() - t0 - cost;
    return (t > 0 ? t : 0) / (double)calls;
}

/* Calls per sample so that one sample lasts about `seconds`. */
static long calibrate(bench_fn *fn, void *arg, double seconds)
{
    long calls = 1;
    for (;;) {
        double t = run(fn, arg, calls) * (double)calls;
        if (t >= seconds / 4 || calls > (1L << 40))
            return t > 0 ? (long)((double)calls * seconds / t) + 1 : calls;
        calls *= 4;
    }
}

enum { MAX_SAMPLES = 100000 };

/* Samples that fit the time cap when one sample takes `seconds`. */
static int capped_samples(const bench_config *cfg, double seconds)
{
    int n = cfg->samples < MAX_SAMPLES ? cfg->samples : MAX_SAMPLES;
    if (cfg->max_seconds > 0 && seconds > 0 && n * seconds > cfg->max_seconds) {
        double fit = cfg->max_seconds / seconds;
        n = fit < 3 ? 3 : (int)fit;
    }
    return n;
}

/* count doubles for a measurement's samples; a benchmark without them
 * cannot go on. */
static double *samples_alloc(size_t count)
{
    double *v = malloc(count * sizeof *v);
    if (v == NULL) {
        fprintf(stderr, "benchmark: out of memory for %zu samples\n", count);
        exit(2);
    }
    return v;
}

void bench_time(bench_stats *out, const bench_config *cfg, bench_fn *fn, void *arg)
{
    double *v = samples_alloc(MAX_SAMPLES);
    long calls = calibrate(fn, arg, cfg->sample_seconds);
    double one = run(fn, arg, calls) * (double)calls; /* warm-up */
    int n = capped_samples(cfg, one);
    for (int s = 0; s < n; s++)
        v[s] = run(fn, arg, calls);
    bench_summarize(out, v, n);
    out->calls = calls;
    free(v);
}

void bench_ratio(bench_stats *ratio, bench_stats *ta, bench_stats *tb, const bench_config *cfg,
                 bench_fn *a, void *a_arg, bench_fn *b, void *b_arg)
{
    double *va = samples_alloc(3 * (size_t)MAX_SAMPLES), *vb = va + MAX_SAMPLES,
           *r = vb + MAX_SAMPLES;
    long ca = calibrate(a, a_arg, cfg->sample_seconds / 2);
    long cb = calibrate(b, b_arg, cfg->sample_seconds / 2);
    double one = run(a, a_arg, ca) * (double)ca + run(b, b_arg, cb) * (double)cb;
    int n = capped_samples(cfg, one);
    for (int s = 0; s < n; s++) {
        va[s] = run(a, a_arg, ca);
        vb[s] = run(b, b_arg, cb);
        r[s] = vb[s] / va[s];
    }
    bench_summarize(ratio, r, n);
    if (ta != NULL) {
        bench_summarize(ta, va, n);
        ta->calls = ca;
    }
    if (tb != NULL) {
        bench_summarize(tb, vb, n);
        tb->calls = cb;
    }
    free(va);
}
