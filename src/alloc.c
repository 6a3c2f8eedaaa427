/* alloc.c: the library's allocator, with a test hook for failure injection. */
#include <stdlib.h>

#include "internal.h"

/* Per thread, so one test's injected failures never reach another thread. */
static _Thread_local long fail_countdown; /* 0: never fail */
static _Thread_local long alloc_count;

static int should_fail(void)
{
    alloc_count++;
    if (fail_countdown > 0 && --fail_countdown == 0)
        return 1;
    return 0;
}

long dj__alloc_fail_set(long nth)
{
    long counted = alloc_count;
    alloc_count = 0;
    fail_countdown = nth > 0 ? nth : 0;
    return counted;
}

void *dj__malloc(size_t size)
{
    if (should_fail())
        return NULL;
    return malloc(size ? size : 1);
}

void *dj__calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *dj__realloc(void *p, size_t size)
{
    if (should_fail())
        return NULL;
    return realloc(p, size ? size : 1);
}

void *dj__malloc_array(size_t count, size_t size)
{
    size_t bytes;
    if (!dj__bytes(count, size, &bytes))
        return NULL;
    return dj__malloc(bytes);
}

int dj__scratch_grow(void **p, size_t *cap, size_t want, size_t size)
{
    if (*cap >= want)
        return DJ_OK;
    size_t bytes;
    if (!dj__bytes(want, size, &bytes))
        return DJ_ERANGE;
    void *q = dj__malloc(bytes);
    if (q == NULL)
        return DJ_ENOMEM;
    dj__free(*p);
    *p = q;
    *cap = want;
    return DJ_OK;
}

void dj__free(void *p) { free(p); }
