/*
 * dualjac/linalg.h: dense linear layers on dual arrays, through BLAS.
 *
 * An array of n dj_dualK is a row-major n×(K+1) matrix [value | tangents], and
 * a linear map acts on every column alike. So y = W·x + b for a constant
 * matrix W is one cblas_dgemm: Y (m×(K+1)) = W (m×n) · X (n×(K+1)), then b is
 * added to the value column. For double arrays it is one cblas_dgemv, and
 * for dj_var arrays one graph node (graph.h).
 *
 * W is m×n, row-major, with leading dimension n; b may be NULL. y must not
 * overlap x. In a body written once, dj_linear(y, W, x, b, m, n) selects the
 * version for the element type of x. Sizes BLAS cannot take (m or n past
 * INT_MAX, or m·n doubles past PTRDIFF_MAX bytes) give NaN outputs, W, x and
 * b unread.
 */
#ifndef DUALJAC_LINALG_H
#define DUALJAC_LINALG_H

#include <stddef.h>

#include "common.h"
#include "dual.h"
#include "graph.h"
#include "mdual.h"
#include "probe.h"

#ifdef __cplusplus
extern "C" {
#endif

/* y = W·x + b for y, x of the named type; W is m×n row-major. */
DJ_API void dj_double_linear(double *y, const double *W, const double *x, const double *b,
                             size_t m, size_t n);
DJ_API void dj_dual_linear(dj_dual *y, const double *W, const dj_dual *x, const double *b,
                           size_t m, size_t n);
DJ_API void dj_dual2_linear(dj_dual2 *y, const double *W, const dj_dual2 *x, const double *b,
                            size_t m, size_t n);
DJ_API void dj_dual4_linear(dj_dual4 *y, const double *W, const dj_dual4 *x, const double *b,
                            size_t m, size_t n);
DJ_API void dj_dual8_linear(dj_dual8 *y, const double *W, const dj_dual8 *x, const double *b,
                            size_t m, size_t n);
DJ_API void dj_dual16_linear(dj_dual16 *y, const double *W, const dj_dual16 *x,
                             const double *b, size_t m, size_t n);

#ifndef __cplusplus
/* For the type bodies are compiled for first and never run (probe.h), laid
 * out as dj_dual. */
static inline void dj_declare_as_T_not_double_linear(dj_declare_as_T_not_double *y,
                                                     const double *W,
                                                     const dj_declare_as_T_not_double *x,
                                                     const double *b, size_t m, size_t n)
{
    dj_dual_linear((dj_dual *)(void *)y, W, (const dj_dual *)(const void *)x, b, m, n);
}

/* y = W·x + b, selected by the element type of x (const or not). */
#define dj_linear(y, W, x, b, m, n)                                            \
    _Generic((x),                                                              \
        double *: dj_double_linear, const double *: dj_double_linear,         \
        dj_dual *: dj_dual_linear, const dj_dual *: dj_dual_linear,           \
        dj_dual2 *: dj_dual2_linear, const dj_dual2 *: dj_dual2_linear,       \
        dj_dual4 *: dj_dual4_linear, const dj_dual4 *: dj_dual4_linear,       \
        dj_dual8 *: dj_dual8_linear, const dj_dual8 *: dj_dual8_linear,       \
        dj_dual16 *: dj_dual16_linear, const dj_dual16 *: dj_dual16_linear,   \
        dj_var *: dj_var_linear, const dj_var *: dj_var_linear,               \
        dj_declare_as_T_not_double *: dj_declare_as_T_not_double_linear,       \
        const dj_declare_as_T_not_double *: dj_declare_as_T_not_double_linear) \
    ((y), (W), (x), (b), (m), (n))
#endif

#ifdef __cplusplus
}

/* C++: dj_linear as overloads on the element type. */
#define DJ__CXX_LINEAR(T, prefix)                                              \
    inline void dj_linear(T *y, const double *W, const T *x, const double *b, \
                          size_t m, size_t n)                                  \
    {                                                                          \
        prefix##_linear(y, W, x, b, m, n);                                     \
    }
DJ__CXX_LINEAR(double, dj_double)
DJ__CXX_LINEAR(dj_dual, dj_dual)
DJ__CXX_LINEAR(dj_dual2, dj_dual2)
DJ__CXX_LINEAR(dj_dual4, dj_dual4)
DJ__CXX_LINEAR(dj_dual8, dj_dual8)
DJ__CXX_LINEAR(dj_dual16, dj_dual16)
DJ__CXX_LINEAR(dj_var, dj_var)
#undef DJ__CXX_LINEAR
#endif

#endif /* DUALJAC_LINALG_H */
