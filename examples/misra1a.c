/*
 * misra1a.c: a Levenberg-Marquardt fit of the NIST StRD nonlinear regression
 * problem Misra1a, y = b1·(1 - exp(-b2·x)), from both of NIST's starting
 * points, with the residuals' Jacobian from dualjac. The result is compared
 * with NIST's certified values (11 significant digits) for the parameters,
 * their standard deviations and the residual sum of squares. Exits 1 when a
 * fit misses 10 significant digits (9 for the standard deviations).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>

#include <dualjac.h>

/* The 14 observations (y, x) of Misra1a. */
static const double obs_y[14] = {10.07, 14.73, 17.94, 23.93, 29.61, 35.18, 40.02,
                                 44.82, 50.76, 55.05, 61.01, 66.40, 75.47, 81.78};
static const double obs_x[14] = {77.6,  114.9, 141.1, 190.8, 239.9, 289.0, 332.8,
                                 378.4, 434.8, 477.3, 536.8, 593.1, 689.1, 760.0};

/* Residuals r_i(b) = y_i - b1·(1 - exp(-b2·x_i)); the data are the ctx. */
#define MISRA1A(T, r, b, n, m, ctx)                                            \
    for (size_t i = 0; i < m; i++)                                             \
        r[i] = dj_sub(obs_y[i], dj_mul(b[0], dj_sub(1, dj_exp(dj_mul(dj_neg(b[1]), obs_x[i])))));
DJ_FN_INSTANTIATE(misra1a, MISRA1A);

/* NIST's certified values. */
static const double cert_b[2] = {2.3894212918e+02, 5.5015643181e-04};
static const double cert_sd[2] = {2.7070075241e+00, 7.2668688436e-06};
static const double cert_rss = 1.2455138894e-01;

/* Significant digits of got against want. */
static double digits(double got, double want)
{
    double rel = fabs(got - want) / fabs(want);
    return rel == 0 ? 16.0 : -log10(rel);
}

/* Solves the 2x2 system A·x = g. */
static int solve2(const double A[4], const double g[2], double x[2])
{
    double det = A[0] * A[3] - A[1] * A[2];
    if (det == 0 || !isfinite(det))
        return -1;
    x[0] = (A[3] * g[0] - A[1] * g[1]) / det;
    x[1] = (A[0] * g[1] - A[2] * g[0]) / det;
    return 0;
}

static double sum_squares(const double *r)
{
    double s = 0;
    for (int i = 0; i < 14; i++)
        s += r[i] * r[i];
    return s;
}

/* Levenberg-Marquardt with Marquardt's scaling (diag(JᵀJ)), which copes with
 * parameters six orders of magnitude apart. Returns 0 on convergence. */
static int fit(double b[2], double *rss, double sd[2], int *iterations)
{
    dj_fn f = DJ_FN_INIT(misra1a, 2, 14, NULL);
    double r[14], J[28], lambda = 1e-3;
    dj_workspace ws;
    dj_workspace_init(&ws);
    dj_opts opts = {.ws = &ws};
    int status = dj_jacobian(J, r, &f, b, &opts, NULL), it;
    double s = sum_squares(r);
    for (it = 0; it < 500 && status == DJ_OK; it++) {
        double A[4] = {0}, g[2] = {0};
        for (int i = 0; i < 14; i++) {
            A[0] += J[2 * i] * J[2 * i];
            A[1] += J[2 * i] * J[2 * i + 1];
            A[3] += J[2 * i + 1] * J[2 * i + 1];
            g[0] -= J[2 * i] * r[i];
            g[1] -= J[2 * i + 1] * r[i];
        }
        A[2] = A[1];
        double step[2], trial[2], rt[14], Jt[28];
        double D[4] = {A[0] * (1 + lambda), A[1], A[2], A[3] * (1 + lambda)};
        if (solve2(D, g, step) != 0)
            break;
        trial[0] = b[0] + step[0];
        trial[1] = b[1] + step[1];
        status = dj_jacobian(Jt, rt, &f, trial, &opts, NULL);
        double st = sum_squares(rt);
        if (status == DJ_OK && st < s) {
            int small = fabs(step[0]) <= 1e-14 * fabs(b[0]) && fabs(step[1]) <= 1e-14 * fabs(b[1]);
            b[0] = trial[0], b[1] = trial[1];
            for (int i = 0; i < 14; i++)
                r[i] = rt[i];
            for (int i = 0; i < 28; i++)
                J[i] = Jt[i];
            double drop = (s - st) / s;
            s = st;
            lambda = fmax(lambda / 10, 1e-12);
            if (small || drop < 1e-15)
                break;
        } else {
            lambda *= 10;
            if (lambda > 1e16)
                break; /* no step reduces the sum: a minimum */
        }
    }
    dj_workspace_clear(&ws);
    if (status != DJ_OK) {
        fprintf(stderr, "misra1a: %s\n", dj_strerror(status));
        return -1;
    }
    /* standard deviations: sqrt(s/(n-p) · diag((JᵀJ)⁻¹)) */
    double A[4] = {0};
    for (int i = 0; i < 14; i++) {
        A[0] += J[2 * i] * J[2 * i];
        A[1] += J[2 * i] * J[2 * i + 1];
        A[3] += J[2 * i + 1] * J[2 * i + 1];
    }
    double det = A[0] * A[3] - A[1] * A[1], sigma2 = s / (14 - 2);
    sd[0] = sqrt(sigma2 * A[3] / det);
    sd[1] = sqrt(sigma2 * A[0] / det);
    *rss = s;
    *iterations = it;
    return 0;
}

int main(void)
{
    static const double starts[2][2] = {{500, 1e-4}, {250, 5e-4}};
    int ok = 1;
    printf("Misra1a (NIST StRD), y = b1 (1 - exp(-b2 x)), Levenberg-Marquardt\n");
    for (int k = 0; k < 2; k++) {
        double b[2] = {starts[k][0], starts[k][1]}, rss, sd[2];
        int it;
        if (fit(b, &rss, sd, &it) != 0)
            return 1;
        double d = fmin(digits(b[0], cert_b[0]), digits(b[1], cert_b[1]));
        printf("start %d (%g, %g): %d iterations\n", k + 1, starts[k][0], starts[k][1], it);
        printf("  b1 = %.10e  certified %.10e  (%.1f digits)\n", b[0], cert_b[0],
               digits(b[0], cert_b[0]));
        printf("  b2 = %.10e  certified %.10e  (%.1f digits)\n", b[1], cert_b[1],
               digits(b[1], cert_b[1]));
        printf("  sd = %.10e, %.10e  certified %.10e, %.10e\n", sd[0], sd[1], cert_sd[0],
               cert_sd[1]);
        printf("  residual sum of squares %.10e  certified %.10e  (%.1f digits)\n", rss,
               cert_rss, digits(rss, cert_rss));
        double sd_digits = fmin(digits(sd[0], cert_sd[0]), digits(sd[1], cert_sd[1]));
        if (d < 10 || digits(rss, cert_rss) < 10 || sd_digits < 9) {
            fprintf(stderr, "misra1a: start %d misses the certified values\n", k + 1);
            ok = 0;
        }
    }
    return ok ? 0 : 1;
}
