/* det.h: determinants of square Jacobians through LAPACK's LU. */
#ifndef JACDUMP_DET_H
#define JACDUMP_DET_H

#include <stddef.h>

/* log|det A| and the sign of det A for the n×n row-major A, by dgetrf.
 * A singular matrix gives -Inf and sign 0. Returns 0, or -1 when out of
 * memory or n is too large for LAPACK's int. */
int jd_logdet(const double *A, size_t n, double *logabs, int *sign);

#endif
