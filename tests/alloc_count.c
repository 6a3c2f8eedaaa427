/* alloc_count.c: malloc and its kin, defined in the test program so that the
 * dynamic linker binds every library's calls to them here; each counts and
 * calls glibc's own (__libc_malloc, ...). Valgrind still sees the
 * allocations: it replaces glibc's. Left out under AddressSanitizer. */
#include <errno.h> /* a glibc header: defines __GLIBC__ there */
#include <stddef.h>

#include "alloc_count.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DJ_NO_ALLOC_COUNT 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || !defined(__GLIBC__)
#define DJ_NO_ALLOC_COUNT 1
#endif

#if defined(DJ_NO_ALLOC_COUNT) || !defined(__GNUC__)

long tl_allocations(void) { return -1; }

#else

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void __libc_free(void *p);

void *malloc(size_t size);
void *calloc(size_t count, size_t size);
void *realloc(void *p, size_t size);
void free(void *p);
int posix_memalign(void **out, size_t alignment, size_t size);
void *aligned_alloc(size_t alignment, size_t size);

static long allocations;

static void counted(void) { __atomic_fetch_add(&allocations, 1, __ATOMIC_RELAXED); }

long tl_allocations(void) { return __atomic_load_n(&allocations, __ATOMIC_RELAXED); }

void *malloc(size_t size)
{
    counted();
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size)
{
    counted();
    return __libc_calloc(count, size);
}

void *realloc(void *p, size_t size)
{
    counted();
    return __libc_realloc(p, size);
}

void free(void *p) { __libc_free(p); }

int posix_memalign(void **out, size_t alignment, size_t size)
{
    counted();
    void *p = __libc_memalign(alignment, size);
    if (p == NULL)
        return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size)
{
    counted();
    return __libc_memalign(alignment, size);
}

#endif
