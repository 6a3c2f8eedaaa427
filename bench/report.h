/*
 * report.h: where benchmark results go: a CSV file with one row per
 * measurement, each row carrying the machine, compiler, flags and date, so a
 * file read months later still says where its numbers came from.
 */
#ifndef DJ_BENCH_REPORT_H
#define DJ_BENCH_REPORT_H

#include <stdio.h>

#include "timing.h"

typedef struct bench_report {
    FILE *csv;
    char path[1024]; /* where csv writes */
    char machine[192];
    char date[32];
} bench_report;

/* Opens path for writing and writes the header; returns 0 on failure. */
int report_open(bench_report *r, const char *path);
/* Creates dir if needed and opens dir/file as report_open does; returns 0,
 * having said why, on failure. */
int report_open_in(bench_report *r, const char *dir, const char *file);
void report_close(bench_report *r);

/* The command line of a benchmark that writes into a directory:
 * [--quick] [--out DIR]. */
typedef struct bench_args {
    int quick;       /* the smoke run of make check */
    const char *dir; /* default bench/results */
} bench_args;

/* Reads program name's command line into *a; --quick also sets *cfg to the
 * smoke run's few short samples. Returns 0 after printing the usage. */
int report_args(bench_args *a, bench_config *cfg, int argc, char **argv, const char *name);

/* One row: family and size name the function, measure what was timed,
 * unit is "ratio" or "s" (seconds per call) or another unit. */
void report_row(bench_report *r, const char *family, const char *size, const char *measure,
                const bench_stats *s, const char *unit);

/* The machine: CPU model name, family and model numbers, and the kernels
 * OpenBLAS runs; for the terminal header too. */
const char *report_machine(bench_report *r);

#endif
