/* pack.h: the drivers' array kernels: a JVP's point and direction into an
 * array of dj_dual, and its values and tangents back out; a forward pass's
 * tangents into the columns of J; each with the finiteness test folded in;
 * and the finiteness scans of whole arrays.
 *
 * The packing kernels come as a baseline (SSE2 on x86-64, plain C
 * elsewhere) and, where the compiler can build it, an AVX version chosen at
 * run time when the CPU and the OS support AVX. The variants are exposed
 * for the tests (check_pack builds this file into itself). */
#ifndef DUALJAC_PACK_H
#define DUALJAC_PACK_H

#include <stddef.h>

#include "cpu.h"
#include "dualjac.h"

#ifdef DJ__X86_AVX
#define DJ__PACK_AVX 1
#endif

/* X[2j] = x[j], X[2j+1] = v[j] for j < n. */
void dj__pack_duals(double *X, const double *x, const double *v, size_t n);

/* y[i] = Y[2i] (y may be NULL) and jv[i] = Y[2i+1] for i < m. Returns 1 when
 * every value and tangent read is finite, 0 otherwise. */
int dj__unpack_duals(double *y, double *jv, const double *Y, size_t m);

void dj__pack_duals_baseline(double *X, const double *x, const double *v, size_t n);
int dj__unpack_duals_baseline(double *y, double *jv, const double *Y, size_t m);
#ifdef DJ__PACK_AVX
void dj__pack_duals_avx(double *X, const double *x, const double *v, size_t n);
int dj__unpack_duals_avx(double *y, double *jv, const double *Y, size_t m);
#endif

/* Copies tangent slots [0, w) of the m multi-duals Y of chunk width k (k + 1
 * doubles each, the value first) into J at `at`: slot c of output i to
 * at[i·ld + c] (row-major) or at[c·ld + i] (column-major). Returns 1 when
 * every value copied is finite, 0 otherwise. The full width w = k of
 * k = 2, 4, 8, 16 goes through unrolled copies (with gcc and clang), any
 * other by the plain loop below. */
int dj__store_tangents(double *at, size_t ld, dj_layout layout, const double *Y, size_t m, int k,
                       size_t w);

/* Any width w <= k by a plain loop; returns as dj__store_tangents. */
int dj__store_tangents_strided(double *at, size_t ld, dj_layout layout, const double *Y,
                               size_t m, int k, size_t w);

/* Returns nonzero when all count values are finite. */
int dj__all_finite(const double *v, size_t count);

/* Returns nonzero when all values of the m×n matrix J (layout, ld) are
 * finite. */
int dj__matrix_finite(const double *J, dj_layout layout, size_t ld, size_t m, size_t n);

#endif /* DUALJAC_PACK_H */
