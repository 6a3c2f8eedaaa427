/*
 * dualjac/mdual.h: multi-duals dj_dual2, dj_dual4, dj_dual8, dj_dual16.
 *
 * A dj_dualK carries a value and K tangents, one per seeded input direction,
 * so one pass computes K columns of a Jacobian (ForwardDiff.jl's chunk mode).
 * The struct is K+1 doubles with no padding: an array of n dj_dualK is a
 * row-major n×(K+1) matrix [value | tangents], which linalg.h hands to BLAS.
 *
 * The operations are those of dj_dual (see dual.h), named dj_dualK_<op>;
 * dj_dualK_make builds one from a value and K tangents.
 */
#ifndef DUALJAC_MDUAL_H
#define DUALJAC_MDUAL_H

#include "common.h"
#include "double.h"
#include "partials.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A value and K tangents. With gcc and clang the tangents are also visible
 * as vectors (dv_, private): 2 doubles for dj_dual2, 4 for the wider
 * types. The arithmetic runs on those: without AVX the compiler does a
 * 4-double vector as two SSE2 halves, as fast as pairs were, and fn.h's
 * AVX builds do it in one instruction. The vector types keep 8-byte
 * alignment, so the layout is K+1 doubles either way. */
#if defined(__GNUC__) || defined(__clang__)
typedef double dj__v2 __attribute__((vector_size(16), aligned(8)));
typedef double dj__v4 __attribute__((vector_size(32), aligned(8)));
#define DJ__MDUAL_STRUCT_W(T, K, V, W)                                         \
    typedef struct T {                                                         \
        double v;                                                              \
        union {                                                                \
            double d[K];                                                       \
            V dv_[K / W];                                                      \
        };                                                                     \
    } T;
#define DJ__MDUAL_STRUCT(T, K)                                                 \
    DJ__MDUAL_STRUCT_W(T, K, DJ__MDUAL_VT(K), DJ__MDUAL_W(K))
#define DJ__MDUAL_VT(K) DJ__MDUAL_VT_##K
#define DJ__MDUAL_VT_2 dj__v2
#define DJ__MDUAL_VT_4 dj__v4
#define DJ__MDUAL_VT_8 dj__v4
#define DJ__MDUAL_VT_16 dj__v4
#define DJ__MDUAL_W(K) (sizeof(DJ__MDUAL_VT(K)) / sizeof(double))
static inline dj__v2 dj__v2_zero(void)
{
    dj__v2 z = {0.0, 0.0};
    return z;
}
/* A zero 4-lane vector, not returned by a function: without AVX, gcc warns
 * that returning one has no settled ABI (-Wpsabi). */
#ifdef __cplusplus
#define dj__v4_zero() dj__v4()
#else
#define dj__v4_zero() ((dj__v4){0.0, 0.0, 0.0, 0.0})
#endif
#define DJ__MDUAL_LANES(K) ((int)((K) / DJ__MDUAL_W(K)))
#define DJ__MDUAL_LANE(x, i) ((x).dv_[i])
#define DJ__MDUAL_LANE_ZERO(K) DJ__MDUAL_ZERO_##K()
#define DJ__MDUAL_ZERO_2 dj__v2_zero
#define DJ__MDUAL_ZERO_4 dj__v4_zero
#define DJ__MDUAL_ZERO_8 dj__v4_zero
#define DJ__MDUAL_ZERO_16 dj__v4_zero
#else
#define DJ__MDUAL_STRUCT(T, K)                                                 \
    typedef struct T {                                                         \
        double v;                                                              \
        double d[K];                                                           \
    } T;
#define DJ__MDUAL_LANES(K) (K)
#define DJ__MDUAL_LANE(x, i) ((x).d[i])
#define DJ__MDUAL_LANE_ZERO(K) 0.0
#endif
DJ__MDUAL_STRUCT(dj_dual2, 2)
DJ__MDUAL_STRUCT(dj_dual4, 4)
DJ__MDUAL_STRUCT(dj_dual8, 8)
DJ__MDUAL_STRUCT(dj_dual16, 16)
#undef DJ__MDUAL_STRUCT

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(dj_dual2) == 3 * sizeof(double), "dj_dual2 must be unpadded");
_Static_assert(sizeof(dj_dual4) == 5 * sizeof(double), "dj_dual4 must be unpadded");
_Static_assert(sizeof(dj_dual8) == 9 * sizeof(double), "dj_dual8 must be unpadded");
_Static_assert(sizeof(dj_dual16) == 17 * sizeof(double), "dj_dual16 must be unpadded");
#endif

#define DJ__D(x, i) ((x).d[i])
#define DJ__LN(x, i) DJ__MDUAL_LANE(x, i)

#define DJ__T dj_dual2
#define DJ__K 2
#define DJ__LZERO DJ__MDUAL_LANE_ZERO(2)
#define DJ__L DJ__MDUAL_LANES(2)
#define DJ__F(op) dj_dual2_##op
#include "dual_template.h"
#undef DJ__T
#undef DJ__K
#undef DJ__LZERO
#undef DJ__L
#undef DJ__F

#define DJ__T dj_dual4
#define DJ__K 4
#define DJ__LZERO DJ__MDUAL_LANE_ZERO(4)
#define DJ__L DJ__MDUAL_LANES(4)
#define DJ__F(op) dj_dual4_##op
#include "dual_template.h"
#undef DJ__T
#undef DJ__K
#undef DJ__LZERO
#undef DJ__L
#undef DJ__F

#define DJ__T dj_dual8
#define DJ__K 8
#define DJ__LZERO DJ__MDUAL_LANE_ZERO(8)
#define DJ__L DJ__MDUAL_LANES(8)
#define DJ__F(op) dj_dual8_##op
#include "dual_template.h"
#undef DJ__T
#undef DJ__K
#undef DJ__LZERO
#undef DJ__L
#undef DJ__F

#define DJ__T dj_dual16
#define DJ__K 16
#define DJ__LZERO DJ__MDUAL_LANE_ZERO(16)
#define DJ__L DJ__MDUAL_LANES(16)
#define DJ__F(op) dj_dual16_##op
#include "dual_template.h"
#undef DJ__T
#undef DJ__K
#undef DJ__LZERO
#undef DJ__L
#undef DJ__F

#undef DJ__D
#undef DJ__LN

/* Returns the multi-dual with value v and tangents d[0..K-1]. */
#define DJ__MAKE(T, K)                                         \
    static inline T T##_make(double v, const double *d)        \
    {                                                          \
        T r;                                                   \
        r.v = v;                                               \
        for (int i = 0; i < K; i++)                            \
            r.d[i] = d[i];                                     \
        return r;                                              \
    }
DJ__MAKE(dj_dual2, 2)
DJ__MAKE(dj_dual4, 4)
DJ__MAKE(dj_dual8, 8)
DJ__MAKE(dj_dual16, 16)
#undef DJ__MAKE

#ifdef __cplusplus
}
#endif

#endif /* DUALJAC_MDUAL_H */
