/* cpu.c: AVX at run time (see cpu.h). */
#include "cpu.h"

#ifdef DJ__X86_AVX
#include <immintrin.h>

int dj__have_avx(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx");
}

__attribute__((target("avx"))) static void zero_upper(void) { _mm256_zeroupper(); }

void dj__avx_settle(void)
{
    if (dj__have_avx())
        zero_upper();
}
#else
int dj__have_avx(void) { return 0; }

void dj__avx_settle(void) {}
#endif
