/* report.c: the benchmark's CSV output (see report.h). */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cblas.h>

#include "report.h"

#ifndef BENCH_CFLAGS
#define BENCH_CFLAGS "unknown"
#endif

#ifdef __clang__
#define COMPILER "clang " __clang_version__
#else
#define COMPILER "gcc " __VERSION__
#endif

/* Copies into out, if empty, the value of a /proc/cpuinfo line whose key
 * is `key` (the key, blanks, then the colon: "model" is not "model name"),
 * with commas blanked: they would break the CSV. */
static void take_field(const char *line, const char *key, char *out, size_t size)
{
    size_t len = strlen(key);
    if (out[0] != '\0' || strncmp(line, key, len) != 0)
        return;
    const char *rest = line + len + strspn(line + len, " \t");
    if (*rest != ':')
        return;
    rest += 1 + strspn(rest + 1, " ");
    snprintf(out, size, "%.*s", (int)strcspn(rest, "\n"), rest);
    for (char *c = out; *c; c++)
        if (*c == ',')
            *c = ' ';
}

/* The CPU (its model name, and family and model numbers where the name is
 * as vague as the bare product line a virtual machine shows) and the
 * kernels OpenBLAS runs, which it picks at load time: a release older than
 * the CPU falls back to an older CPU's kernels, which changes every
 * dense-layer figure. */
static void read_machine(char *out, size_t size)
{
    char name[96] = "", family[16] = "", model[16] = "";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f != NULL) {
        char line[256];
        while ((!name[0] || !family[0] || !model[0]) && fgets(line, sizeof line, f)) {
            take_field(line, "model name", name, sizeof name);
            take_field(line, "cpu family", family, sizeof family);
            take_field(line, "model", model, sizeof model);
        }
        fclose(f);
    }
    const char *core = openblas_get_corename();
    snprintf(out, size, "%s (family %s model %s); OpenBLAS %s kernels",
             name[0] ? name : "unknown CPU", family[0] ? family : "?", model[0] ? model : "?",
             core != NULL ? core : "unknown");
}

int report_open(bench_report *r, const char *path)
{
    read_machine(r->machine, sizeof r->machine);
    time_t now = time(NULL);
    strftime(r->date, sizeof r->date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    snprintf(r->path, sizeof r->path, "%s", path);
    r->csv = fopen(path, "w");
    if (r->csv == NULL)
        return 0;
    fprintf(r->csv, "family,size,measure,median,min,max,samples,unit,machine,compiler,flags,date\n");
    return 1;
}

int report_args(bench_args *a, bench_config *cfg, int argc, char **argv, const char *name)
{
    a->quick = 0;
    a->dir = "bench/results";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            a->quick = 1;
            *cfg = (bench_config){3, 0.002, 0.2};
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            a->dir = argv[++i];
        } else {
            fprintf(stderr, "usage: %s [--quick] [--out DIR]\n", name);
            return 0;
        }
    }
    return 1;
}

int report_open_in(bench_report *r, const char *dir, const char *file)
{
    /* an existing directory is fine; any other failure shows at fopen */
    mkdir(dir, 0777);
    char path[sizeof r->path];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (!report_open(r, path)) {
        perror(path);
        return 0;
    }
    return 1;
}

void report_close(bench_report *r)
{
    if (r->csv != NULL)
        fclose(r->csv);
    r->csv = NULL;
}

void report_row(bench_report *r, const char *family, const char *size, const char *measure,
                const bench_stats *s, const char *unit)
{
    if (r->csv == NULL)
        return;
    fprintf(r->csv, "%s,%s,%s,%.6g,%.6g,%.6g,%d,%s,%s,%s,%s,%s\n", family, size, measure,
            s->median, s->min, s->max, s->samples, unit, r->machine, COMPILER, BENCH_CFLAGS,
            r->date);
}

const char *report_machine(bench_report *r) { return r->machine; }
