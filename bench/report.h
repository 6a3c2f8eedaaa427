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
    char machine[128];
    char date[32];
} bench_report;

/* Opens path for writing and writes the header; returns 0 on failure. */
int report_open(bench_report *r, const char *path);
void report_close(bench_report *r);

/* One row: family and size name the function, measure what was timed,
 * unit is "ratio" or "s" (seconds per call) or another unit. */
void report_row(bench_report *r, const char *family, const char *size, const char *measure,
                const bench_stats *s, const char *unit);

/* The machine's CPU model, for the terminal header too. */
const char *report_machine(bench_report *r);

#endif
