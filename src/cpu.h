/* cpu.h: what the CPU offers the library at run time, and the AVX state
 * the library must leave clean for its caller. */
#ifndef DUALJAC_CPU_H
#define DUALJAC_CPU_H

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DJ__X86_AVX 1
#endif

/* Whether the CPU and the OS support AVX (0 where the build cannot use it). */
int dj__have_avx(void);

/* Clears the upper halves of the AVX registers when the CPU has them.
 * Code that used 256-bit registers (the AVX clones of the instantiations,
 * pack.c's kernels) must leave them clear: with the halves dirty, the SSE
 * code that runs next (the caller's, libm's) can run several times slower.
 * gcc 12 emits the clearing at a return but not before a call or tail call
 * of a function it compiled itself. */
void dj__avx_settle(void);

#endif /* DUALJAC_CPU_H */
