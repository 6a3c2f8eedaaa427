/* linalg.c: y = W·x + b on arrays of every dual type, through CBLAS. */
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <limits.h>

#include "internal.h"

int dj__blas_dims(size_t m, size_t n)
{
    size_t max = sizeof(blasint) >= 8 ? (size_t)INT64_MAX : (size_t)INT_MAX, mn, bytes;
    return m <= max && n <= max && dj__mul_size(m, n, &mn) && dj__bytes(mn, sizeof(double), &bytes);
}

void dj_double_linear(double *y, const double *W, const double *x, const double *b, size_t m,
                      size_t n)
{
    if (m == 0)
        return;
    if (n == 0 || !dj__blas_dims(m, n)) {
        /* sizes BLAS cannot take give NaN, as a domain error does */
        for (size_t i = 0; i < m; i++)
            y[i] = n == 0 ? (b ? b[i] : 0.0) : (double)NAN;
        return;
    }
    if (b != NULL) {
        for (size_t i = 0; i < m; i++)
            y[i] = b[i];
    }
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (blasint)m, (blasint)n, 1.0, W, (blasint)n, x, 1,
                b != NULL ? 1.0 : 0.0, y, 1);
}

/* Y (m×s) = W (m×n) · X (n×s), then b added to the value column. */
static void linear_strided(double *Y, const double *W, const double *X, const double *b,
                           size_t m, size_t n, size_t s)
{
    if (m == 0)
        return;
    if (!dj__blas_dims(m, n) || !dj__blas_dims(m, s)) {
        for (size_t i = 0; i < m; i++)
            for (size_t t = 0; t < s; t++)
                Y[i * s + t] = (double)NAN;
        return;
    }
    if (n == 0) {
        for (size_t i = 0; i < m; i++)
            for (size_t t = 0; t < s; t++)
                Y[i * s + t] = 0.0;
    } else {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)m, (blasint)s,
                    (blasint)n, 1.0, W, (blasint)n, X, (blasint)s, 0.0, Y, (blasint)s);
    }
    if (b != NULL)
        for (size_t i = 0; i < m; i++)
            Y[i * s] += b[i];
}

#define DJ__LINEAR(T, K)                                                       \
    void T##_linear(T *y, const double *W, const T *x, const double *b, size_t m, size_t n) \
    {                                                                          \
        linear_strided((double *)(void *)y, W, (const double *)(const void *)x, b, m, n,    \
                       (size_t)(K) + 1);                                       \
    }
DJ__LINEAR(dj_dual, 1)
DJ__LINEAR(dj_dual2, 2)
DJ__LINEAR(dj_dual4, 4)
DJ__LINEAR(dj_dual8, 8)
DJ__LINEAR(dj_dual16, 16)
