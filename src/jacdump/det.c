/* det.c: log|det J| and its sign from an LU factorization (OpenBLAS's LAPACK). */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "det.h"

/* LAPACK's LU with partial pivoting (Fortran interface). */
void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);

int jd_logdet(const double *A, size_t n, double *logabs, int *sign)
{
    if (n > (size_t)INT_MAX || (n > 0 && n > ((size_t)-1) / sizeof(double) / n))
        return -1;
    double *lu = malloc((n ? n * n : 1) * sizeof *lu);
    int *piv = malloc((n ? n : 1) * sizeof *piv);
    if (lu == NULL || piv == NULL) {
        free(lu);
        free(piv);
        return -1;
    }
    /* dgetrf wants column-major: factor Aᵀ instead, det Aᵀ = det A */
    memcpy(lu, A, n * n * sizeof *lu);
    int nn = (int)n, info = 0;
    dgetrf_(&nn, &nn, lu, &nn, piv, &info);
    double sum = 0.0;
    int s = 1;
    for (size_t i = 0; i < n; i++) {
        double u = lu[i * n + i];
        if (u < 0)
            s = -s;
        sum += log(fabs(u));
        if ((size_t)piv[i] != i + 1)
            s = -s;
    }
    if (info > 0 || (isinf(sum) && sum < 0)) { /* an exact zero pivot */
        sum = -INFINITY;
        s = 0;
    }
    *logabs = sum;
    *sign = s;
    free(lu);
    free(piv);
    return 0;
}
