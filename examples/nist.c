/*
 * nist.c: nonlinear least squares on three NIST StRD problems, Misra1a
 * (lower difficulty), Thurber and MGH09 (higher difficulty), from both of
 * NIST's starting points, by GSL's trust-region Levenberg-Marquardt
 * (gsl_multifit_nlinear) with the residuals' Jacobian from dualjac through
 * the GSL adapter (dualjac/gsl.h). The parameters, their standard
 * deviations and the residual sum of squares are compared with NIST's
 * certified values; the same fits with a hand-written Jacobian and with
 * GSL's finite-difference Jacobian give the statistics to compare. Exits 1
 * when a dualjac fit misses a certified value by more than its 6th
 * significant digit (NIST certifies 11), or stops early.
 *
 * The models are templates held by this file (the block under
 * DJ_INSTANTIATING); the data are the context.
 */
#ifdef DJ_INSTANTIATING

/* Misra1a: y = b1 (1 - exp(-b2 x)) */
DJ_FUNCTION(misra1a)(T *r, const T *b, size_t n, size_t m, const void *ctx)
{
    const struct data *d = ctx;
    for (size_t i = 0; i < m; i++)
        r[i] = dj_sub(dj_mul(b[0], dj_sub(1, dj_exp(dj_mul(dj_neg(b[1]), d->x[i])))), d->y[i]);
}

/* Thurber: y = (b1 + b2 x + b3 x^2 + b4 x^3) / (1 + b5 x + b6 x^2 + b7 x^3) */
DJ_FUNCTION(thurber)(T *r, const T *b, size_t n, size_t m, const void *ctx)
{
    const struct data *d = ctx;
    for (size_t i = 0; i < m; i++) {
        double x = d->x[i], x2 = x * x, x3 = x2 * x;
        T num = dj_sum(b[0], dj_mul(b[1], x), dj_mul(b[2], x2), dj_mul(b[3], x3));
        T den = dj_sum(dj_one(T), dj_mul(b[4], x), dj_mul(b[5], x2), dj_mul(b[6], x3));
        r[i] = dj_sub(dj_div(num, den), d->y[i]);
    }
}

/* MGH09: y = b1 (x^2 + x b2) / (x^2 + x b3 + b4) */
DJ_FUNCTION(mgh09)(T *r, const T *b, size_t n, size_t m, const void *ctx)
{
    const struct data *d = ctx;
    for (size_t i = 0; i < m; i++) {
        double x = d->x[i];
        T num = dj_mul(b[0], dj_add(x * x, dj_mul(x, b[1])));
        T den = dj_add(dj_add(dj_mul(x, b[2]), b[3]), x * x);
        r[i] = dj_sub(dj_div(num, den), d->y[i]);
    }
}

#else

#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>

#include <dualjac.h>
#include <dualjac/gsl.h>

struct data {
    const double *x, *y;
};

#define DJ_TEMPLATE "nist.c"
#include <dualjac/instantiate.h>

/* ---- NIST's data and certified values ------------------------------------- */

static const double misra1a_y[14] = {10.07, 14.73, 17.94, 23.93, 29.61, 35.18, 40.02,
                                     44.82, 50.76, 55.05, 61.01, 66.40, 75.47, 81.78};
static const double misra1a_x[14] = {77.6,  114.9, 141.1, 190.8, 239.9, 289.0, 332.8,
                                     378.4, 434.8, 477.3, 536.8, 593.1, 689.1, 760.0};

static const double thurber_y[37] = {
    80.574,   84.248,   87.264,   87.195,   89.076,   89.608,   89.868,   90.101,
    92.405,   95.854,   100.696,  101.060,  401.672,  390.724,  567.534,  635.316,
    733.054,  759.087,  894.206,  990.785,  1090.109, 1080.914, 1122.643, 1178.351,
    1260.531, 1273.514, 1288.339, 1327.543, 1353.863, 1414.509, 1425.208, 1421.384,
    1442.962, 1464.350, 1468.705, 1447.894, 1457.628};
static const double thurber_x[37] = {
    -3.067, -2.981, -2.921, -2.912, -2.840, -2.797, -2.702, -2.699, -2.633, -2.481,
    -2.363, -2.322, -1.501, -1.460, -1.274, -1.212, -1.100, -1.046, -0.915, -0.714,
    -0.566, -0.545, -0.400, -0.309, -0.109, -0.103, 0.010,  0.119,  0.377,  0.790,
    0.963,  1.006,  1.115,  1.572,  1.841,  2.047,  2.200};

static const double mgh09_y[11] = {1.957000E-01, 1.947000E-01, 1.735000E-01, 1.600000E-01,
                                   8.440000E-02, 6.270000E-02, 4.560000E-02, 3.420000E-02,
                                   3.230000E-02, 2.350000E-02, 2.460000E-02};
static const double mgh09_x[11] = {4.000000E+00, 2.000000E+00, 1.000000E+00, 5.000000E-01,
                                   2.500000E-01, 1.670000E-01, 1.250000E-01, 1.000000E-01,
                                   8.330000E-02, 7.140000E-02, 6.250000E-02};

/* The Jacobians written by hand, for comparison (J row-major n×p). */
static void misra1a_jac(double *J, const double *b, const struct data *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double e = exp(-b[1] * d->x[i]);
        J[2 * i] = 1 - e;
        J[2 * i + 1] = b[0] * d->x[i] * e;
    }
}

static void thurber_jac(double *J, const double *b, const struct data *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double x = d->x[i], xk[4] = {1, x, x * x, x * x * x};
        double num = b[0] + b[1] * x + b[2] * xk[2] + b[3] * xk[3];
        double den = 1 + b[4] * x + b[5] * xk[2] + b[6] * xk[3];
        for (int k = 0; k < 4; k++)
            J[7 * i + (size_t)k] = xk[k] / den;
        for (int k = 1; k < 4; k++)
            J[7 * i + 3 + (size_t)k] = -num * xk[k] / (den * den);
    }
}

static void mgh09_jac(double *J, const double *b, const struct data *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double x = d->x[i], num = x * x + x * b[1], den = x * x + x * b[2] + b[3];
        J[4 * i] = num / den;
        J[4 * i + 1] = b[0] * x / den;
        J[4 * i + 2] = -b[0] * num * x / (den * den);
        J[4 * i + 3] = -b[0] * num / (den * den);
    }
}

typedef struct problem {
    const char *name, *model, *level;
    dj_fn f;
    void (*jac)(double *J, const double *b, const struct data *d, size_t n);
    double start[2][7], cert[7], cert_sd[7], cert_rss;
} problem;

static const struct data misra1a_data = {misra1a_x, misra1a_y};
static const struct data thurber_data = {thurber_x, thurber_y};
static const struct data mgh09_data = {mgh09_x, mgh09_y};

static const problem problems[] = {
    {"Misra1a", "y = b1 (1 - exp(-b2 x))", "lower difficulty",
     DJ_FN_INIT(misra1a, 2, 14, &misra1a_data), misra1a_jac,
     {{500, 1e-4}, {250, 5e-4}},
     {2.3894212918E+02, 5.5015643181E-04},
     {2.7070075241E+00, 7.2668688436E-06},
     1.2455138894E-01},
    {"Thurber", "y = (b1 + b2 x + b3 x^2 + b4 x^3) / (1 + b5 x + b6 x^2 + b7 x^3)",
     "higher difficulty", DJ_FN_INIT(thurber, 7, 37, &thurber_data), thurber_jac,
     {{1000, 1000, 400, 40, 0.7, 0.3, 0.03}, {1300, 1500, 500, 75, 1, 0.4, 0.05}},
     {1.2881396800E+03, 1.4910792535E+03, 5.8323836877E+02, 7.5416644291E+01,
      9.6629502864E-01, 3.9797285797E-01, 4.9727297349E-02},
     {4.6647963344E+00, 3.9571156086E+01, 2.8698696102E+01, 5.5675370270E+00,
      3.1333340687E-02, 1.4984928198E-02, 6.5842344623E-03},
     5.6427082397E+03},
    {"MGH09", "y = b1 (x^2 + x b2) / (x^2 + x b3 + b4)", "higher difficulty",
     DJ_FN_INIT(mgh09, 4, 11, &mgh09_data), mgh09_jac,
     {{25, 39, 41.5, 39}, {0.25, 0.39, 0.415, 0.39}},
     {1.9280693458E-01, 1.9128232873E-01, 1.2305650693E-01, 1.3606233068E-01},
     {1.1435312227E-02, 1.9633220911E-01, 8.0842031232E-02, 9.0025542308E-02},
     3.0750560385E-04},
};
enum { PROBLEMS = sizeof problems / sizeof *problems };

/* ---- the fits -------------------------------------------------------------------- */

enum { DUALJAC, HAND, FINITE_DIFF, RUNS };
static const char *run_names[RUNS] = {"dualjac", "hand-written", "GSL finite diff."};

/* The hand-written Jacobian as GSL's df callback; params is the problem. */
static int hand_f(const gsl_vector *x, void *params, gsl_vector *f)
{
    const problem *p = params;
    int status = dj_eval(f->data, &p->f, x->data);
    return status == DJ_OK ? GSL_SUCCESS : GSL_EFAILED;
}

static int hand_df(const gsl_vector *x, void *params, gsl_matrix *J)
{
    const problem *p = params;
    p->jac(J->data, x->data, p->f.ctx, p->f.m); /* J->tda == p here */
    return GSL_SUCCESS;
}

typedef struct fit {
    int status;
    size_t iterations, nevalf, nevaldf;
    double b[7], sd[7], rss, seconds, digits;
} fit;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double digits(double got, double want)
{
    double rel = fabs(got - want) / fabs(want);
    return rel == 0 ? 16.0 : fmin(16.0, -log10(rel));
}

/* One fit of problem p from start s with the Jacobian of run. */
static void run_fit(const problem *p, int s, int run, fit *out)
{
    size_t n = p->f.m, np = p->f.n;
    dj_gsl a;
    gsl_multifit_nlinear_fdf fdf;
    if (dj_gsl_init(&a, &p->f) != DJ_OK || dj_gsl_multifit_fdf(&fdf, &a) != DJ_OK) {
        out->status = GSL_EFAILED;
        return;
    }
    if (run == HAND) {
        fdf.f = hand_f;
        fdf.df = hand_df;
        fdf.params = (void *)(uintptr_t)p;
    } else if (run == FINITE_DIFF)
        fdf.df = NULL; /* GSL's forward differences */
    gsl_multifit_nlinear_parameters params = gsl_multifit_nlinear_default_parameters();
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &params, n, np);
    gsl_vector_view x0 = gsl_vector_view_array((double *)(uintptr_t)p->start[s], np);
    double start = now();
    int info;
    out->status = gsl_multifit_nlinear_init(&x0.vector, &fdf, w);
    if (out->status == GSL_SUCCESS)
        out->status = gsl_multifit_nlinear_driver(2000, 1e-15, 0.0, 0.0, NULL, NULL, &info, w);
    out->seconds = now() - start;
    /* GSL_ENOPROG: no step improves the sum any more, the minimum to rounding */
    if (out->status == GSL_ENOPROG)
        out->status = GSL_SUCCESS;
    out->iterations = gsl_multifit_nlinear_niter(w);
    out->nevalf = fdf.nevalf;
    out->nevaldf = fdf.nevaldf;
    gsl_vector *b = gsl_multifit_nlinear_position(w), *r = gsl_multifit_nlinear_residual(w);
    gsl_matrix *J = gsl_multifit_nlinear_jac(w), *covar = gsl_matrix_alloc(np, np);
    gsl_blas_ddot(r, r, &out->rss);
    gsl_multifit_nlinear_covar(J, 0.0, covar);
    out->digits = digits(out->rss, p->cert_rss);
    for (size_t k = 0; k < np; k++) {
        out->b[k] = gsl_vector_get(b, k);
        out->sd[k] = sqrt(out->rss / (double)(n - np) * gsl_matrix_get(covar, k, k));
        out->digits = fmin(out->digits, fmin(digits(out->b[k], p->cert[k]),
                                             digits(out->sd[k], p->cert_sd[k])));
    }
    gsl_matrix_free(covar);
    gsl_multifit_nlinear_free(w);
    dj_gsl_clear(&a);
}

int main(void)
{
    int ok = 1;
    gsl_set_error_handler_off(); /* statuses are checked and printed */
    printf("NIST StRD nonlinear regression by gsl_multifit_nlinear (trust region, LM)\n");
    for (int pi = 0; pi < PROBLEMS; pi++) {
        const problem *p = &problems[pi];
        size_t np = p->f.n;
        printf("\n%s (%s), %s, %zu observations\n", p->name, p->level, p->model, p->f.m);
        printf("  start  Jacobian           status   iter  f evals  J evals  time (ms)  digits\n");
        fit best[2];
        for (int s = 0; s < 2; s++)
            for (int run = 0; run < RUNS; run++) {
                fit f, quickest;
                quickest.seconds = INFINITY;
                for (int rep = 0; rep < 9; rep++) { /* the fastest of nine: a shared machine */
                    run_fit(p, s, run, &f);
                    if (f.seconds < quickest.seconds)
                        quickest = f;
                }
                printf("  %5d  %-17s %-8s %5zu  %7zu  %7zu  %9.3f  %6.1f\n", s + 1,
                       run_names[run], f.status == GSL_SUCCESS ? "ok" : gsl_strerror(f.status),
                       f.iterations, f.nevalf, f.nevaldf, 1e3 * quickest.seconds, f.digits);
                if (run == DUALJAC) {
                    best[s] = f;
                    if (f.status != GSL_SUCCESS || f.digits < 6) {
                        fprintf(stderr, "nist: %s start %d: dualjac's fit misses the certified "
                                        "values (%s, %.1f digits)\n",
                                p->name, s + 1, gsl_strerror(f.status), f.digits);
                        ok = 0;
                    }
                }
            }
        const fit *f = &best[1];
        printf("  dualjac, start 2      parameter             certified     std. deviation"
               "        certified\n");
        for (size_t k = 0; k < np; k++)
            printf("    b%zu           %.10e  %.10e  %.10e  %.10e\n", k + 1, f->b[k], p->cert[k],
                   f->sd[k], p->cert_sd[k]);
        printf("    residual sum of squares %.10e, certified %.10e\n", f->rss, p->cert_rss);
    }
    printf("\ndigits: the fewest significant digits of the parameters, their standard "
           "deviations\nand the residual sum of squares against NIST's (certified to 11)\n");
    return ok ? 0 : 1;
}

#endif
