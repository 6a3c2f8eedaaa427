/* failalloc.c: an LD_PRELOAD shim that makes the FAILALLOC_NTH-th call to
 * malloc, calloc or realloc of a process fail, and with FAILALLOC_REPORT
 * writes the number of calls at exit. The test walks N over every allocation
 * of a jacdump run. Test-only; glibc. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *p, size_t size);

static long nth = -1; /* -1: FAILALLOC_NTH not read yet */
static long calls;

static int should_fail(void)
{
    if (nth < 0) {
        const char *e = getenv("FAILALLOC_NTH"); /* getenv does not allocate */
        nth = e ? atol(e) : 0;
    }
    return ++calls == nth;
}

void *malloc(size_t size) { return should_fail() ? NULL : __libc_malloc(size); }
void *calloc(size_t count, size_t size) { return should_fail() ? NULL : __libc_calloc(count, size); }
void *realloc(void *p, size_t size) { return should_fail() ? NULL : __libc_realloc(p, size); }

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("FAILALLOC_REPORT");
    long counted = calls;
    if (path != NULL) {
        FILE *f = fopen(path, "w");
        if (f != NULL) {
            fprintf(f, "%ld\n", counted);
            fclose(f);
        }
    }
}
