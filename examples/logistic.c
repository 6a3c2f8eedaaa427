/*
 * logistic.c: Newton's method with the exact Hessian, for an L2-regularized
 * logistic regression (400 samples, 12 features).
 *
 * dj_hessian gives the gradient and the Hessian in packed lower storage,
 * which is LAPACK's packed storage of a symmetric matrix (dpptrf, dpptrs:
 * Cholesky and solve in place), so each Newton step is one call to dualjac
 * and two to LAPACK. The loss is written once as ordinary C in
 * logistic.dj.h. The program checks that Newton converges quadratically to
 * a gradient below 1e-9 and that the Hessian at the solution equals the
 * analytic one, X^T diag(p(1-p)) X + lambda I, to 1e-12.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <dualjac.h>

/* LAPACK, from OpenBLAS: Cholesky factorization and solve, packed storage */
void dpptrf_(const char *uplo, const int *n, double *ap, int *info);
void dpptrs_(const char *uplo, const int *n, const int *nrhs, const double *ap, double *b,
             const int *ldb, int *info);

struct logistic_data {
    size_t count;          /* samples */
    const double *x, *y;   /* count x d features; labels +-1 */
    double lambda;         /* the L2 weight */
};

#define DJ_TEMPLATE "logistic.dj.h"
#include <dualjac/instantiate.h>

enum { N = 400, D = 12 };

/* A reproducible data set: features uniform in [-1, 1], labels from a true
 * weight vector with 15% of them flipped. */
static double uniform(unsigned long long *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

int main(void)
{
    static double x[N * D], y[N];
    unsigned long long seed = 20261204;
    double truth[D];
    for (int j = 0; j < D; j++)
        truth[j] = 2.0 * uniform(&seed);
    for (int i = 0; i < N; i++) {
        double s = 0;
        for (int j = 0; j < D; j++)
            s += (x[i * D + j] = uniform(&seed)) * truth[j];
        y[i] = (s > 0) == (uniform(&seed) > -0.7) ? 1.0 : -1.0;
    }
    const struct logistic_data data = {N, x, y, 0.5};
    const dj_fn loss = DJ_FN_INIT(logistic_loss, D, 1, &data);

    double w[D] = {0}, g[D], H[D * (D + 1) / 2], step[D], f;
    dj_opts opts = {.layout = DJ_PACKED_LOWER};
    dj_workspace ws;
    dj_workspace_init(&ws);
    opts.ws = &ws;
    printf("Newton's method, L2-regularized logistic regression: %d samples, %d features\n", N, D);
    printf("  iteration        loss     |gradient|   step length\n");
    int iterations = 0, d = D, one = 1, info = 0;
    double gnorm = INFINITY;
    for (; iterations < 20; iterations++) {
        if (dj_hessian(H, g, &f, &loss, w, NULL, &opts, NULL) != DJ_OK)
            return 1;
        gnorm = 0;
        for (int j = 0; j < D; j++)
            gnorm = fmax(gnorm, fabs(g[j]));
        if (gnorm < 1e-9) /* rounding: a sum of 400 terms of loss about 200 */
            break;
        /* step = -H^-1 g by Cholesky (dualjac's packed lower is LAPACK's 'U') */
        for (int j = 0; j < D; j++)
            step[j] = -g[j];
        dpptrf_("U", &d, H, &info);
        if (info == 0)
            dpptrs_("U", &d, &one, H, step, &d, &info);
        if (info != 0)
            return 1;
        /* backtracking: the full step as soon as it decreases the loss */
        double t = 1.0, f_new;
        for (;; t *= 0.5) {
            double trial[D];
            for (int j = 0; j < D; j++)
                trial[j] = w[j] + t * step[j];
            if (dj_eval(&f_new, &loss, trial) != DJ_OK)
                return 1;
            if (f_new < f || t < 1e-8)
                break;
        }
        printf("  %9d %11.8f %13.3e %13g\n", iterations, f, gnorm, t);
        for (int j = 0; j < D; j++)
            w[j] += t * step[j];
    }
    printf("  %9d %11.8f %13.3e  converged\n", iterations, f, gnorm);

    /* the Hessian at the solution against X^T diag(p(1 - p)) X + lambda I
     * (the last factorization overwrote H) */
    if (dj_hessian(H, g, &f, &loss, w, NULL, &opts, NULL) != DJ_OK)
        return 1;
    double err = 0;
    for (int a = 0; a < D; a++)
        for (int b = 0; b <= a; b++) {
            double h = a == b ? data.lambda : 0.0;
            for (int i = 0; i < N; i++) {
                double m = 0;
                for (int j = 0; j < D; j++)
                    m += x[i * D + j] * w[j];
                double p = 1 / (1 + exp(-m));
                h += x[i * D + a] * x[i * D + b] * p * (1 - p);
            }
            err = fmax(err, fabs(H[a * (a + 1) / 2 + b] - h) / fmax(1.0, fabs(h)));
        }
    printf("Hessian at the solution against X^T diag(p(1-p)) X + lambda I: largest relative "
           "difference %.2g\n", err);
    dj_workspace_clear(&ws);
    int ok = gnorm < 1e-9 && iterations <= 8 && err < 1e-12;
    printf("%s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
