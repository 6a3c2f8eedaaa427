/* alloc_count.h: counts this process's heap allocations, so that a test can
 * prove a callback allocates nothing after its first call. */
#ifndef DJ_ALLOC_COUNT_H
#define DJ_ALLOC_COUNT_H

/* The calls to malloc, calloc, realloc, posix_memalign and aligned_alloc
 * made so far by any code of the process, or -1 where they cannot be counted
 * (not glibc, or under AddressSanitizer, which owns malloc itself). */
long tl_allocations(void);

#endif
