/* avx_state.h: whether code left the upper halves of the AVX registers
 * dirty, for the suites that run AVX code. Header-only: check_pack links
 * no testlib. */
#ifndef DJ_TEST_AVX_STATE_H
#define DJ_TEST_AVX_STATE_H

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>

/* Whether XGETBV with ECX = 1 works here. Asked once, before the code
 * under test: in a virtual machine CPUID traps to the host, whose
 * register restore can clear the halves and hide the fault. */
static inline int avx_state_readable(void)
{
    static int readable = -1;
    if (readable < 0) {
        unsigned a, b, c, d;
        readable = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 27)) && /* OSXSAVE */
                   __get_cpuid_count(0xd, 1, &a, &b, &c, &d) && (a & (1u << 2));
    }
    return readable;
}

/* 1 when the upper halves are dirty (XINUSE bit 2, which XGETBV with
 * ECX = 1 reads), 0 when clear, -1 when this CPU or OS cannot tell. */
static inline int avx_upper_dirty(void)
{
    if (!avx_state_readable())
        return -1;
    unsigned a, d;
    __asm__ __volatile__("xgetbv" : "=a"(a), "=d"(d) : "c"(1));
    return (a & (1u << 2)) != 0;
}
#else
static inline int avx_state_readable(void) { return 0; }
static inline int avx_upper_dirty(void) { return -1; }
#endif

#endif /* DJ_TEST_AVX_STATE_H */
