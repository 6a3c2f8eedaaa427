/* known.c: functions with analytic Jacobians (see known.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/problems/problems.h"
#include "known.h"
#include "testlib.h"

/* ---- the classic problems -------------------------------------------------
 * Their bodies are the registry's (src/problems/problems.c), which jacdump
 * --fn and the benchmarks use too; known_setup makes their dj_fn. Here are
 * their Jacobians, written out by hand. */

/* Rosenbrock residuals in pairs (2i, 2i+1): (10(x_{2i+1} - x_{2i}²), 1 - x_{2i});
 * n = 2 is Rosenbrock's own. */
static void ext_rosenbrock_jac(double *J, const double *x, size_t n, size_t m)
{
    memset(J, 0, n * m * sizeof(double));
    for (size_t i = 0; i + 1 < n; i += 2) {
        J[i * n + i] = -20 * x[i];
        J[i * n + i + 1] = 10;
        J[(i + 1) * n + i] = -1;
    }
}

/* Powell singular, n = 4. */
static void powell_jac(double *J, const double *x, size_t n, size_t m)
{
    (void)m;
    memset(J, 0, 16 * sizeof(double));
    double a = x[1] - 2 * x[2], b = x[0] - x[3];
    J[0] = 1, J[1] = 10;
    J[n + 2] = sqrt(5.0), J[n + 3] = -sqrt(5.0);
    J[2 * n + 1] = 2 * a, J[2 * n + 2] = -4 * a;
    J[3 * n + 0] = 2 * sqrt(10.0) * b, J[3 * n + 3] = -2 * sqrt(10.0) * b;
}

/* Broyden tridiagonal: (3 - 2x_i)x_i - x_{i-1} - 2x_{i+1} + 1. */
static void broyden_jac(double *J, const double *x, size_t n, size_t m)
{
    (void)m;
    memset(J, 0, n * n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        J[i * n + i] = 3 - 4 * x[i];
        if (i > 0)
            J[i * n + i - 1] = -1;
        if (i + 1 < n)
            J[i * n + i + 1] = -2;
    }
}

/* Brown almost-linear: x_i + sum(x) - (n+1), and prod(x) - 1 last. */
static void brown_jac(double *J, const double *x, size_t n, size_t m)
{
    (void)m;
    for (size_t i = 0; i + 1 < n; i++)
        for (size_t j = 0; j < n; j++)
            J[i * n + j] = (i == j) ? 2 : 1;
    for (size_t j = 0; j < n; j++) {
        double p = 1;
        for (size_t k = 0; k < n; k++)
            if (k != j)
                p *= x[k];
        J[(n - 1) * n + j] = p;
    }
}

/* ---- the tests' own functions, each with its Jacobian ---------------------- */

/* f(x) = A·x, A is 5×7 (ctx). */
#define LINEAR(T, y, x, n, m, ctx)                                             \
    {                                                                          \
        const double *A = ctx;                                                 \
        for (size_t i = 0; i < m; i++) {                                       \
            T s = dj_const(T, 0);                                              \
            for (size_t j = 0; j < n; j++)                                     \
                s = dj_add(s, dj_mul(A[i * n + j], x[j]));                     \
            y[i] = s;                                                          \
        }                                                                      \
    }
DJ_FN_INSTANTIATE(linear, LINEAR);
static double linear_A[5 * 7];
static void linear_jac(double *J, const double *x, size_t n, size_t m)
{
    (void)x;
    memcpy(J, linear_A, n * m * sizeof(double));
}

/* Spherical to Cartesian: (r sinθ cosφ, r sinθ sinφ, r cosθ). */
#define SPHERICAL(T, y, x, n, m, ctx)                                          \
    y[0] = dj_mul(dj_mul(x[0], dj_sin(x[1])), dj_cos(x[2]));                   \
    y[1] = dj_mul(dj_mul(x[0], dj_sin(x[1])), dj_sin(x[2]));                   \
    y[2] = dj_mul(x[0], dj_cos(x[1]));
DJ_FN_INSTANTIATE(spherical, SPHERICAL);
static void spherical_jac(double *J, const double *x, size_t n, size_t m)
{
    (void)n, (void)m;
    double r = x[0], st = sin(x[1]), ct = cos(x[1]), sp = sin(x[2]), cp = cos(x[2]);
    double v[9] = {st * cp, r * ct * cp, -r * st * sp, st * sp, r * ct * sp, r * st * cp,
                   ct,      -r * st,     0};
    memcpy(J, v, sizeof v);
}

/* A chain through BLAS layers: y = W2·tanh(W1·x + b1), 5 -> 7 -> 9. */
enum { CH_N = 5, CH_H = 7, CH_M = 9 };
static double ch_W1[CH_H * CH_N], ch_b1[CH_H], ch_W2[CH_M * CH_H];
#define CHAIN(T, y, x, n, m, ctx)                                              \
    {                                                                          \
        T h[CH_H];                                                             \
        dj_linear(h, ch_W1, x, ch_b1, CH_H, n);                                \
        for (size_t i = 0; i < CH_H; i++)                                      \
            h[i] = dj_tanh(h[i]);                                              \
        dj_linear(y, ch_W2, h, NULL, m, CH_H);                                 \
    }
DJ_FN_INSTANTIATE(chain, CHAIN);
static void chain_jac(double *J, const double *x, size_t n, size_t m)
{
    double d[CH_H];
    for (size_t i = 0; i < CH_H; i++) {
        double a = ch_b1[i];
        for (size_t j = 0; j < n; j++)
            a += ch_W1[i * n + j] * x[j];
        d[i] = 1 - tanh(a) * tanh(a);
    }
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t k = 0; k < CH_H; k++)
                s += ch_W2[i * CH_H + k] * d[k] * ch_W1[k * n + j];
            J[i * n + j] = s;
        }
}

/* Wide: R^20 -> R^2, (sum x_i², sum sin(x_i)·x_{i+1}). */
#define WIDE(T, y, x, n, m, ctx)                                               \
    {                                                                          \
        T a = dj_const(T, 0), b = dj_const(T, 0);                              \
        for (size_t i = 0; i < n; i++) {                                       \
            a = dj_add(a, dj_mul(x[i], x[i]));                                 \
            if (i + 1 < n)                                                     \
                b = dj_add(b, dj_mul(dj_sin(x[i]), x[i + 1]));                 \
        }                                                                      \
        y[0] = a;                                                              \
        y[1] = b;                                                              \
    }
DJ_FN_INSTANTIATE(wide, WIDE);
static void wide_jac(double *J, const double *x, size_t n, size_t m)
{
    (void)m;
    for (size_t i = 0; i < n; i++) {
        J[i] = 2 * x[i];
        J[n + i] = (i + 1 < n ? cos(x[i]) * x[i + 1] : 0) + (i > 0 ? sin(x[i - 1]) : 0);
    }
}

/* Tall: R^2 -> R^25, f_k = exp(k·a/10)·cos(k·b). */
#define TALL(T, y, x, n, m, ctx)                                               \
    for (size_t k = 0; k < m; k++)                                             \
        y[k] = dj_mul(dj_exp(dj_mul(x[0], k / 10.0)), dj_cos(dj_mul((double)k, x[1])));
DJ_FN_INSTANTIATE(tall, TALL);
static void tall_jac(double *J, const double *x, size_t n, size_t m)
{
    (void)n;
    for (size_t k = 0; k < m; k++) {
        double e = exp(k * x[0] / 10), c = cos(k * x[1]), s = sin(k * x[1]);
        J[2 * k] = k / 10.0 * e * c;
        J[2 * k + 1] = -(double)k * e * s;
    }
}

/* Arrowhead (sparse): f_0 = sum x_i², f_i = x_0·x_i + x_i³. */
#define ARROW(T, y, x, n, m, ctx)                                              \
    {                                                                          \
        T s = dj_const(T, 0);                                                  \
        for (size_t i = 0; i < n; i++)                                         \
            s = dj_add(s, dj_mul(x[i], x[i]));                                 \
        y[0] = s;                                                              \
        for (size_t i = 1; i < n; i++)                                         \
            y[i] = dj_add(dj_mul(x[0], x[i]), dj_pow(x[i], 3));                \
    }
DJ_FN_INSTANTIATE(arrow, ARROW);
static void arrow_jac(double *J, const double *x, size_t n, size_t m)
{
    memset(J, 0, n * m * sizeof(double));
    for (size_t j = 0; j < n; j++)
        J[j] = 2 * x[j];
    for (size_t i = 1; i < n; i++) {
        J[i * n] = x[i];
        J[i * n + i] = x[0] + 3 * x[i] * x[i];
    }
}

/* Transcendental mix: R^3 -> R^4. */
#define MIX(T, y, x, n, m, ctx)                                                \
    y[0] = dj_pow(x[0], x[1]);                                                 \
    y[1] = dj_atan2(x[2], x[0]);                                               \
    y[2] = dj_div(dj_log(dj_hypot(x[0], x[2])), dj_erf(x[1]));                 \
    y[3] = dj_fmax(dj_mul(x[0], x[1]), dj_sqrt(x[2]));
DJ_FN_INSTANTIATE(mix, MIX);
static void mix_jac(double *J, const double *x, size_t n, size_t m)
{
    (void)n, (void)m;
    double a = x[0], b = x[1], c = x[2];
    memset(J, 0, 12 * sizeof(double));
    J[0] = b * pow(a, b - 1), J[1] = pow(a, b) * log(a);
    J[3] = -c / (a * a + c * c), J[5] = a / (a * a + c * c);
    double r2 = a * a + c * c, e = erf(b), L = 0.5 * log(r2);
    J[6] = a / r2 / e, J[7] = -L / (e * e) * 2 / sqrt(DJ_PI) * exp(-b * b), J[8] = c / r2 / e;
    if (a * b > sqrt(c))
        J[9] = b, J[10] = a;
    else
        J[11] = 0.5 / sqrt(c);
}

#define KNOWN(name, n, m, ctx, lo, hi)                                         \
    {#name, NULL, DJ_FN_INIT(name, n, m, ctx), name##_jac, lo, hi}
/* The registry's problem at size n (its m follows), with the Jacobian jac. */
#define PROBLEM(name, problem, n_, jac, lo, hi) {#name, problem, {.n = n_}, jac, lo, hi}

known_fn known[] = {
    KNOWN(linear, 7, 5, linear_A, -2, 2),
    PROBLEM(rosenbrock, "rosenbrock", 2, ext_rosenbrock_jac, -2, 2),
    PROBLEM(ext_rosenbrock, "ext-rosenbrock", 10, ext_rosenbrock_jac, -2, 2),
    PROBLEM(powell, "powell", 4, powell_jac, -2, 2),
    PROBLEM(broyden, "broyden", 12, broyden_jac, -2, 2),
    PROBLEM(brown, "brown", 10, brown_jac, 0.5, 1.5),
    KNOWN(spherical, 3, 3, NULL, 0.1, 3),
    KNOWN(chain, CH_N, CH_M, NULL, -2, 2),
    KNOWN(wide, 20, 2, NULL, -2, 2),
    KNOWN(tall, 2, 25, NULL, -1, 1),
    KNOWN(arrow, 15, 15, NULL, -2, 2),
    KNOWN(mix, 3, 4, NULL, 0.3, 2),
};
const int known_count = (int)(sizeof known / sizeof known[0]);

void known_assert_witnessed(const known_fn *k, uint64_t seed)
{
    size_t n = k->fn.n, m = k->fn.m;
    tl_rng rng;
    tl_rng_seed(&rng, seed);
    double *x = malloc(n * sizeof *x), *want = malloc(n * m * sizeof *want);
    ck_assert(x != NULL && want != NULL);
    for (size_t j = 0; j < n; j++)
        x[j] = tl_uniform(&rng, k->lo, k->hi);
    k->jac(want, x, n, m);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double fd = tl_central_diff(&k->fn, x, i, j);
            tl_assert_close(fd, want[i * n + j], 1e-6 * (1 + fabs(want[i * n + j])),
                            "%s J[%zu][%zu] vs finite differences", k->name, i, j);
        }
    free(x), free(want);
}

/* The dj_fn of each registry problem in the table. Those used here keep no
 * parameters (data), so the dj_fn outlives its instance. */
static void make_problems(void)
{
    for (int i = 0; i < known_count; i++) {
        known_fn *k = &known[i];
        if (k->problem == NULL)
            continue;
        dj_problem_instance p;
        if (dj_problem_create(&p, dj_problem_find(k->problem), k->fn.n) != DJ_OK ||
            p.data != NULL) {
            fprintf(stderr, "known.c: cannot make the problem %s\n", k->problem);
            abort();
        }
        k->fn = p.fn;
        dj_problem_destroy(&p);
    }
}

void known_setup(void)
{
    make_problems();
    tl_rng rng;
    tl_rng_seed(&rng, 42);
    for (size_t i = 0; i < sizeof linear_A / sizeof *linear_A; i++)
        linear_A[i] = tl_uniform(&rng, -1, 1);
    for (size_t i = 0; i < CH_H * CH_N; i++)
        ch_W1[i] = tl_uniform(&rng, -1, 1);
    for (size_t i = 0; i < CH_H; i++)
        ch_b1[i] = tl_uniform(&rng, -0.5, 0.5);
    for (size_t i = 0; i < CH_M * CH_H; i++)
        ch_W2[i] = tl_uniform(&rng, -1, 1);
}

