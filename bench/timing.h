/*
 * timing.h: the benchmark's clock and statistics.
 *
 * Each measurement calibrates how many calls make one sample last the
 * configured time (milliseconds, or for bench_forward microseconds), warms
 * up, then takes repeated samples and reports the median with its spread.
 * What reading the clock costs is taken off every sample. Ratios are
 * measured pair by pair, the two functions interleaved (A B A B ...), so
 * that a machine whose speed drifts still gives a fair ratio; the median of
 * the per-pair ratios is reported.
 */
#ifndef DJ_BENCH_TIMING_H
#define DJ_BENCH_TIMING_H

typedef void bench_fn(void *arg);

typedef struct bench_stats {
    double median, min, max; /* seconds per call, or a ratio */
    int samples;
    long calls;              /* calls per sample */
} bench_stats;

/* Samples per measurement and seconds per sample; a measurement whose single
 * call is slow takes fewer samples (at least 3) to stay near max_seconds. */
typedef struct bench_config {
    int samples;
    double sample_seconds;
    double max_seconds; /* 0: no cap */
} bench_config;

/* Monotonic seconds. */
double bench_now(void);

/* Times one function: seconds per call. */
void bench_time(bench_stats *out, const bench_config *cfg, bench_fn *fn, void *arg);

/* Times a (the baseline) and b interleaved; *ratio is time(b)/time(a) per
 * pair. ta, tb may be NULL. */
void bench_ratio(bench_stats *ratio, bench_stats *ta, bench_stats *tb, const bench_config *cfg,
                 bench_fn *a, void *a_arg, bench_fn *b, void *b_arg);

/* Median, min and max of v[0..n) (v is reordered). */
void bench_summarize(bench_stats *out, double *v, int n);

#endif
