/* check_hessian.c: second derivatives against Hessians written out by hand.
 *
 * Every function of the table has its Hessian of wᵀf written out; the
 * oracle runs dj_hessian at every chunk width and storage, dj_hvp along
 * random directions and dj_sparse_hessian, and they must agree with it to
 * 1e-12 relative; the dense Hessian must be symmetric bit for bit, the
 * detected pattern must hold every analytic nonzero, the star coloring must
 * be valid. Central differences of the gradient are the second witness.
 * Then: every unary and binary operation's second partials (and their
 * choices at kinks), NaN-safe and strict modes, dense layers, custom
 * primitives, replay, allocation failure, limits and threads. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

long dj__alloc_fail_set(long nth);

#define TOL 1e-12

/* ---- the functions and their Hessians ------------------------------------------ */

/* The extended Rosenbrock sum over pairs (2i, 2i+1), Rosenbrock's own at
 * n = 2: the template of src/problems, which the benchmarks use too. */
#define DJ_TEMPLATE "rosenbrock_sum.dj.h"
#include <dualjac/instantiate.h>
static void rosenbrock_sum_h(double *H, const double *x, const double *w, size_t n,
                             const void *c)
{
    (void)c;
    double s = w ? w[0] : 1;
    memset(H, 0, n * n * sizeof *H);
    for (size_t i = 0; i + 1 < n; i += 2) {
        H[i * n + i] = s * (1200 * x[i] * x[i] - 400 * x[i + 1] + 2);
        H[i * n + i + 1] = H[(i + 1) * n + i] = s * (-400 * x[i]);
        H[(i + 1) * n + i + 1] = s * 200;
    }
}

/* Brown almost-linear (m = n): f_i = x_i + sum(x) - (n+1), f_n = prod(x) - 1;
 * only the product is curved: H = w_n·∇²prod. */
#define BROWN(T, y, x, n, m, ctx)                                              \
    {                                                                          \
        T s = dj_sum_n(x, n), p = dj_prod_n(x, n);                             \
        for (size_t i = 0; i + 1 < n; i++)                                     \
            y[i] = dj_add(x[i], dj_sub(s, (double)(n + 1)));                   \
        y[n - 1] = dj_sub(p, 1);                                               \
    }
DJ_FN_INSTANTIATE(brown, BROWN);
static void brown_h(double *H, const double *x, const double *w, size_t n, const void *c)
{
    (void)c;
    double s = w ? w[n - 1] : 1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double p = 1;
            for (size_t k = 0; k < n; k++)
                if (k != i && k != j)
                    p *= x[k];
            H[i * n + j] = i == j ? 0 : s * p;
        }
}

/* Trigonometric (m = n): f_i = n - sum cos x_j + (i+1)(1 - cos x_i) - sin x_i;
 * H(w) is diagonal: sum_i w_i cos x_j + w_j ((j+1) cos x_j + sin x_j). */
#define TRIGONOMETRIC(T, y, x, n, m, ctx)                                      \
    {                                                                          \
        T c = dj_zero(T);                                                      \
        for (size_t j = 0; j < n; j++)                                         \
            dj_add_to(c, dj_cos(x[j]));                                        \
        for (size_t i = 0; i < n; i++)                                         \
            y[i] = dj_sub(dj_add(dj_sub((double)n, c),                         \
                                 dj_mul((double)(i + 1), dj_sub(1, dj_cos(x[i])))), \
                          dj_sin(x[i]));                                       \
    }
DJ_FN_INSTANTIATE(trigonometric, TRIGONOMETRIC);
static void trigonometric_h(double *H, const double *x, const double *w, size_t n,
                            const void *c)
{
    (void)c;
    double wsum = 0;
    for (size_t i = 0; i < n; i++)
        wsum += w ? w[i] : 1;
    memset(H, 0, n * n * sizeof *H);
    for (size_t j = 0; j < n; j++)
        H[j * n + j] = wsum * cos(x[j]) +
                       (w ? w[j] : 1) * ((double)(j + 1) * cos(x[j]) + sin(x[j]));
}

/* log-sum-exp: H = diag(p) - p·pᵀ with p = softmax(x). */
#define LOGSUMEXP(T, y, x, n, m, ctx)                                          \
    {                                                                          \
        T s = dj_zero(T);                                                      \
        for (size_t i = 0; i < n; i++)                                         \
            dj_add_to(s, dj_exp(x[i]));                                        \
        y[0] = dj_log(s);                                                      \
    }
DJ_FN_INSTANTIATE(logsumexp, LOGSUMEXP);
static void logsumexp_h(double *H, const double *x, const double *w, size_t n, const void *c)
{
    (void)c;
    double z = 0, s = w ? w[0] : 1;
    for (size_t i = 0; i < n; i++)
        z += exp(x[i]);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double pi = exp(x[i]) / z, pj = exp(x[j]) / z;
            H[i * n + j] = s * ((i == j ? pi : 0) - pi * pj);
        }
}

/* A neural layer: f = cᵀ tanh(W x + b), W 4×5 through dj_linear; H =
 * Wᵀ diag(c_i tanh''(z_i)) W, tanh'' = -2 t (1 - t²). */
typedef struct {
    double W[4 * 5], b[4], c[4];
} layer;
static const layer layer_params = {
    {0.3, -0.2, 0.5, 0.1, -0.4, 0.7, 0.2, -0.3, 0.6, 0.1,
     -0.5, 0.4, 0.2, -0.1, 0.3, 0.1, 0.6, -0.2, 0.3, -0.7},
    {0.1, -0.2, 0.05, 0.3},
    {1.5, -0.7, 0.9, 0.4}};
#define LAYER(T, y, x, n, m, ctx)                                              \
    {                                                                          \
        const layer *L = ctx;                                                  \
        T z[4];                                                                \
        dj_linear(z, L->W, x, L->b, 4, 5);                                     \
        T s = dj_zero(T);                                                      \
        for (size_t i = 0; i < 4; i++)                                         \
            dj_add_to(s, dj_mul(L->c[i], dj_tanh(z[i])));                      \
        y[0] = s;                                                              \
    }
DJ_FN_INSTANTIATE(layer_fn, LAYER);
static void layer_h(double *H, const double *x, const double *w, size_t n, const void *ctx)
{
    const layer *L = ctx;
    double s = w ? w[0] : 1, d[4];
    for (size_t i = 0; i < 4; i++) {
        double z = L->b[i];
        for (size_t j = 0; j < 5; j++)
            z += L->W[i * 5 + j] * x[j];
        double t = tanh(z);
        d[i] = s * L->c[i] * (-2 * t * (1 - t * t));
    }
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++) {
            double h = 0;
            for (size_t i = 0; i < 4; i++)
                h += L->W[i * 5 + a] * d[i] * L->W[i * 5 + b];
            H[a * n + b] = h;
        }
}

/* Arrowhead: sum (x0 x_i)² + sum exp(x_i): row and column 0 and the
 * diagonal. */
#define ARROWHEAD(T, y, x, n, m, ctx)                                          \
    {                                                                          \
        T s = dj_zero(T);                                                      \
        for (size_t i = 1; i < n; i++) {                                       \
            T t = dj_mul(x[0], x[i]);                                          \
            dj_add_to(s, dj_mul(t, t));                                        \
        }                                                                      \
        for (size_t i = 0; i < n; i++)                                         \
            dj_add_to(s, dj_exp(x[i]));                                        \
        y[0] = s;                                                              \
    }
DJ_FN_INSTANTIATE(arrowhead, ARROWHEAD);
static void arrowhead_h(double *H, const double *x, const double *w, size_t n, const void *c)
{
    (void)c;
    double s = w ? w[0] : 1, q = 0;
    memset(H, 0, n * n * sizeof *H);
    for (size_t i = 1; i < n; i++) {
        q += x[i] * x[i];
        H[i * n + i] = s * (2 * x[0] * x[0] + exp(x[i]));
        H[i * n] = H[i] = s * 4 * x[0] * x[i];
    }
    H[0] = s * (2 * q + exp(x[0]));
}

/* Tridiagonal: sum sin(x_i x_{i+1}). */
#define TRIDIAGONAL(T, y, x, n, m, ctx)                                        \
    {                                                                          \
        T s = dj_zero(T);                                                      \
        for (size_t i = 0; i + 1 < n; i++)                                     \
            dj_add_to(s, dj_sin(dj_mul(x[i], x[i + 1])));                      \
        y[0] = s;                                                              \
    }
DJ_FN_INSTANTIATE(tridiagonal, TRIDIAGONAL);
static void tridiagonal_h(double *H, const double *x, const double *w, size_t n,
                          const void *c)
{
    (void)c;
    double s = w ? w[0] : 1;
    memset(H, 0, n * n * sizeof *H);
    for (size_t i = 0; i + 1 < n; i++) {
        double u = x[i] * x[i + 1], cu = cos(u), su = sin(u);
        H[i * n + i] += s * (-su * x[i + 1] * x[i + 1]);
        H[(i + 1) * n + i + 1] += s * (-su * x[i] * x[i]);
        double cross = s * (cu - su * u);
        H[i * n + i + 1] += cross;
        H[(i + 1) * n + i] += cross;
    }
}

/* A quadratic form ½ xᵀA x + bᵀx with A symmetric (6×6): H = A. */
static const double quad_A[36] = {4, 1, 0, 0.5, 0, 0.2, 1, 3, 0.7, 0, 0, 0,
                                  0, 0.7, 5, 1, 0, 0.3, 0.5, 0, 1, 2, 0.1, 0,
                                  0, 0, 0, 0.1, 6, -1, 0.2, 0, 0.3, 0, -1, 3};
#define QUADRATIC(T, y, x, n, m, ctx)                                          \
    {                                                                          \
        const double *A = ctx;                                                 \
        T s = dj_zero(T);                                                      \
        for (size_t i = 0; i < n; i++) {                                       \
            T r = dj_zero(T);                                                  \
            for (size_t j = 0; j < n; j++)                                     \
                dj_add_to(r, dj_mul(A[i * n + j], x[j]));                      \
            dj_add_to(s, dj_add(dj_mul(0.5, dj_mul(x[i], r)), dj_mul((double)i, x[i]))); \
        }                                                                      \
        y[0] = s;                                                              \
    }
DJ_FN_INSTANTIATE(quadratic, QUADRATIC);
static void quadratic_h(double *H, const double *x, const double *w, size_t n, const void *c)
{
    (void)x;
    const double *A = c;
    double s = w ? w[0] : 1;
    for (size_t i = 0; i < n * n; i++)
        H[i] = s * A[i];
}

/* The discrete boundary value function (tests/templates), m = n: f_i is
 * curved only through h²(x_i + t_i + 1)³/2, so H(w) = diag(3 h² w_i c_i). */
#define DJ_TEMPLATE "boundary.dj.h"
#include <dualjac/instantiate.h>
static void boundary_h(double *H, const double *x, const double *w, size_t n, const void *c)
{
    (void)c;
    double h = 1.0 / (double)(n + 1);
    memset(H, 0, n * n * sizeof *H);
    for (size_t i = 0; i < n; i++)
        H[i * n + i] = (w ? w[i] : 1) * 3 * h * h * (x[i] + (double)(i + 1) * h + 1);
}

/* Every one-argument operation on its own input: H = diag(op''(x_i)). */
#define UNARY_LIST(X)                                                          \
    X(sqrt) X(cbrt) X(exp) X(exp2) X(expm1) X(log) X(log2) X(log10) X(log1p)   \
    X(sin) X(cos) X(tan) X(asin) X(acos) X(atan) X(sinh) X(cosh) X(tanh)       \
    X(asinh) X(acosh) X(atanh) X(erf) X(erfc) X(tgamma) X(lgamma) X(neg)      \
    X(fabs) X(floor) X(ceil) X(trunc) X(round)
#define ONE(op) +1
enum { N_UNARY = 0 UNARY_LIST(ONE) };
#define UNARY_CASE(op)                                                         \
    if (k++ == i)                                                              \
        t = dj_##op(x[i]);
#define UNARIES(T, y, x, n, m, ctx)                                            \
    {                                                                          \
        T s = dj_zero(T);                                                      \
        for (size_t i = 0; i < n; i++) {                                       \
            size_t k = 0;                                                      \
            T t = dj_zero(T);                                                  \
            UNARY_LIST(UNARY_CASE)                                             \
            dj_add_to(s, t);                                                   \
        }                                                                      \
        y[0] = s;                                                              \
    }
DJ_FN_INSTANTIATE(unaries, UNARIES);
static double trigamma_ref(double x)
{
    /* sum 1/(x+k)² to 1e6 terms plus the tail 1/(x + 1e6) */
    double s = 0;
    for (int k = 0; k < 1000000; k++)
        s += 1.0 / ((x + k) * (x + k));
    return s + 1.0 / (x + 1000000.0 - 0.5);
}
/* digamma by a fourth-order difference of lgamma: error about h⁴/30 and
 * eps/h, under 1e-13 here */
static double digamma_ref(double x)
{
    double h = 1e-3;
    return (8 * (lgamma(x + h) - lgamma(x - h)) - (lgamma(x + 2 * h) - lgamma(x - 2 * h))) /
           (12 * h);
}
/* The second derivatives, written out, in UNARY_LIST order. */
static double unary_second(size_t k, double x)
{
    double s2 = 1 - x * x, ln2 = log(2.0), ln10 = log(10.0);
    switch (k) {
    case 0: return -0.25 * pow(x, -1.5);
    case 1: return -2.0 / 9.0 * pow(x, -5.0 / 3.0);
    case 2: return exp(x);
    case 3: return exp2(x) * ln2 * ln2;
    case 4: return exp(x);
    case 5: return -1 / (x * x);
    case 6: return -1 / (x * x * ln2);
    case 7: return -1 / (x * x * ln10);
    case 8: return -1 / ((1 + x) * (1 + x));
    case 9: return -sin(x);
    case 10: return -cos(x);
    case 11: return 2 * tan(x) / (cos(x) * cos(x));
    case 12: return x / pow(s2, 1.5);
    case 13: return -x / pow(s2, 1.5);
    case 14: return -2 * x / ((1 + x * x) * (1 + x * x));
    case 15: return sinh(x);
    case 16: return cosh(x);
    case 17: return -2 * tanh(x) / (cosh(x) * cosh(x));
    case 18: return -x / pow(1 + x * x, 1.5);
    case 19: return -x / pow(x * x - 1, 1.5);
    case 20: return 2 * x / (s2 * s2);
    case 21: return -4 * x / sqrt(DJ_PI) * exp(-x * x);
    case 22: return 4 * x / sqrt(DJ_PI) * exp(-x * x);
    case 23: return tgamma(x) * (pow(digamma_ref(x), 2) + trigamma_ref(x));
    case 24: return trigamma_ref(x);
    default: return 0; /* neg, fabs and the roundings are piecewise linear */
    }
}
/* A point inside each operation's domain, away from kinks. */
static const double unary_at[N_UNARY] = {2.3, 1.7, 0.4,  0.6, -0.3, 1.9, 2.2, 3.1,
                                         0.5, 0.7, 1.1,  0.4, 0.3, -0.6, 1.3, 0.8,
                                         -0.9, 0.6, -1.4, 2.5, 0.35, 0.45, -0.2, 2.7,
                                         3.3, 0.9, -1.2, 1.3, 2.6, -3.4, 0.2};
static void unaries_h(double *H, const double *x, const double *w, size_t n, const void *c)
{
    (void)c;
    double s = w ? w[0] : 1;
    memset(H, 0, n * n * sizeof *H);
    for (size_t i = 0; i < n; i++)
        H[i * n + i] = s * unary_second(i, x[i]);
}

/* Every two-argument operation, with two variables, a constant second and a
 * constant first argument, each on inputs of its own: H is block diagonal. */
#define BINARIES(T, y, x, n, m, ctx)                                           \
    {                                                                          \
        T s = dj_add(dj_mul(x[0], x[1]), dj_div(x[2], x[3]));                  \
        dj_add_to(s, dj_pow(x[4], x[5]));                                      \
        dj_add_to(s, dj_atan2(x[6], x[7]));                                    \
        dj_add_to(s, dj_hypot(x[8], x[9]));                                    \
        dj_add_to(s, dj_add(dj_fmin(x[10], x[11]), dj_fmax(x[10], x[11])));    \
        dj_add_to(s, dj_add(dj_copysign(x[12], x[13]), dj_fmod(x[12], x[13]))); \
        dj_add_to(s, dj_add(dj_pow(x[14], 2.5), dj_pow(1.7, x[15])));          \
        dj_add_to(s, dj_add(dj_div(2.0, x[16]), dj_atan2(x[17], 0.8)));        \
        dj_add_to(s, dj_add(dj_hypot(x[18], 1.3), dj_atan2(-0.6, x[19])));     \
        dj_add_to(s, dj_add(dj_mul(x[20], x[20]), dj_div(x[21], x[21])));      \
        dj_add_to(s, dj_fma(x[22], x[23], dj_mul(3, x[22])));                  \
        y[0] = s;                                                              \
    }
DJ_FN_INSTANTIATE(binaries, BINARIES);
static void binaries_h(double *H, const double *x, const double *w, size_t n, const void *c)
{
    (void)c;
    double s = w ? w[0] : 1;
    memset(H, 0, n * n * sizeof *H);
#define SET(i, j, v) (H[(i) * n + (j)] += s * (v), (i) != (j) ? (void)(H[(j) * n + (i)] += s * (v)) : (void)0)
    SET(0, 1, 1.0);                                   /* x0·x1 */
    SET(2, 3, -1 / (x[3] * x[3]));                    /* x2/x3 */
    SET(3, 3, 2 * x[2] / (x[3] * x[3] * x[3]));
    double a = x[4], b = x[5], r = pow(a, b);         /* a^b */
    SET(4, 4, b * (b - 1) * pow(a, b - 2));
    SET(4, 5, pow(a, b - 1) * (1 + b * log(a)));
    SET(5, 5, r * log(a) * log(a));
    double u = x[6], v = x[7], h2 = u * u + v * v;    /* atan2(u, v) */
    SET(6, 6, -2 * u * v / (h2 * h2));
    SET(6, 7, (u * u - v * v) / (h2 * h2));
    SET(7, 7, 2 * u * v / (h2 * h2));
    double p = x[8], q = x[9], hr = hypot(p, q);      /* hypot */
    SET(8, 8, q * q / (hr * hr * hr));
    SET(8, 9, -p * q / (hr * hr * hr));
    SET(9, 9, p * p / (hr * hr * hr));
    SET(14, 14, 2.5 * 1.5 * pow(x[14], 0.5));         /* x^2.5 */
    SET(15, 15, pow(1.7, x[15]) * log(1.7) * log(1.7)); /* 1.7^x */
    SET(16, 16, 4 / (x[16] * x[16] * x[16]));         /* 2/x */
    double t = x[17];                                 /* atan2(t, 0.8) */
    SET(17, 17, -2 * t * 0.8 / pow(t * t + 0.64, 2));
    double z = x[18];                                 /* hypot(z, 1.3) */
    SET(18, 18, 1.69 / pow(z * z + 1.69, 1.5));
    double e = x[19];                                 /* atan2(-0.6, e) */
    SET(19, 19, 2 * -0.6 * e / pow(0.36 + e * e, 2));
    SET(20, 20, 2.0);                                 /* x·x; x/x is 1 */
    SET(22, 23, 1.0);                                 /* fma(x22, x23, 3 x22) */
#undef SET
}
static const double binaries_at[24] = {0.7, -1.2, 1.5, 0.8, 1.3, 2.2, 0.5, -0.9,
                                       1.1, -0.4, 0.3, 0.9, -1.7, 2.4, 1.6, 0.7,
                                       1.9, 0.45, -0.35, 1.25, 0.6, 1.4, -0.8, 0.55};

typedef struct {
    const char *name;
    dj_fn fn;
    void (*hess)(double *H, const double *x, const double *w, size_t n, const void *ctx);
    double lo, hi;         /* random points, or */
    const double *at;      /* a fixed point, perturbed by up to 1% */
    size_t colors;         /* the star coloring's count, when known (0: any) */
} hfn;

static const hfn table[] = {
    {"rosenbrock", DJ_FN_INIT(rosenbrock_sum, 2, 1, NULL), rosenbrock_sum_h, -1.5, 1.5, NULL, 0},
    {"extended rosenbrock", DJ_FN_INIT(rosenbrock_sum, 12, 1, NULL), rosenbrock_sum_h, -1.5,
     1.5, NULL, 2},
    {"brown", DJ_FN_INIT(brown, 7, 7, NULL), brown_h, 0.5, 1.5, NULL, 0},
    {"trigonometric", DJ_FN_INIT(trigonometric, 9, 9, NULL), trigonometric_h, -1, 1, NULL, 1},
    {"log-sum-exp", DJ_FN_INIT(logsumexp, 6, 1, NULL), logsumexp_h, -2, 2, NULL, 0},
    {"neural layer", DJ_FN_INIT(layer_fn, 5, 1, &layer_params), layer_h, -1, 1, NULL, 0},
    {"arrowhead", DJ_FN_INIT(arrowhead, 17, 1, NULL), arrowhead_h, -1, 1, NULL, 2},
    {"tridiagonal", DJ_FN_INIT(tridiagonal, 19, 1, NULL), tridiagonal_h, -1, 1, NULL, 3},
    {"quadratic", DJ_FN_INIT(quadratic, 6, 1, quad_A), quadratic_h, -2, 2, NULL, 0},
    {"boundary value", DJ_FN_INIT(boundary, 10, 10, NULL), boundary_h, -0.5, 0.5, NULL, 1},
    {"every unary op", DJ_FN_INIT(unaries, N_UNARY, 1, NULL), unaries_h, 0, 0, unary_at, 1},
    {"every binary op", DJ_FN_INIT(binaries, 24, 1, NULL), binaries_h, 0, 0, binaries_at, 0},
};
static const int table_count = (int)(sizeof table / sizeof *table);

static const int chunks[] = {1, 2, 4, 8, 16};

/* A random point and random weights for entry t. */
static void point(const hfn *t, tl_rng *rng, double *x, double *w)
{
    for (size_t j = 0; j < t->fn.n; j++)
        x[j] = t->at ? t->at[j] * (1 + tl_uniform(rng, -0.01, 0.01))
                     : tl_uniform(rng, t->lo, t->hi);
    for (size_t i = 0; i < t->fn.m; i++)
        w[i] = tl_uniform(rng, 0.5, 2.0);
}

/* ---- the oracle ---------------------------------------------------------------- */

/* dj_hessian at every chunk width and storage equals the analytic Hessian,
 * bitwise symmetric; weights apply (and NULL is all ones for m = 1). */
START_TEST(test_hessian_matches_analytic)
{
    const hfn *t = &table[_i];
    size_t n = t->fn.n, m = t->fn.m, pad = 3;
    tl_rng rng;
    tl_rng_seed(&rng, 2600 + (uint64_t)_i);
    double *x = malloc(n * sizeof *x), *w = malloc(m * sizeof *w);
    double *want = malloc(n * n * sizeof *want), *H = malloc(n * (n + pad) * sizeof *H);
    double *g = malloc(n * sizeof *g), *y = malloc(m * sizeof *y), *y0 = malloc(m * sizeof *y0);
    for (int c = 0; c < tl_cases(2); c++) {
        point(t, &rng, x, w);
        const double *wt = (c == 0 && m == 1) ? NULL : w;
        t->hess(want, x, wt, n, t->fn.ctx);
        ck_assert_int_eq(dj_eval(y0, &t->fn, x), DJ_OK);
        for (size_t ci = 0; ci < sizeof chunks / sizeof *chunks; ci++)
            for (int layout = 0; layout < 3; layout++) {
                dj_opts o = {.chunk = chunks[ci], .layout = (dj_layout)layout,
                             .ld = layout == 2 ? 0 : n + pad};
                dj_report rep;
                int st = dj_hessian(H, g, y, &t->fn, x, wt, &o, &rep);
                ck_assert_msg(st == DJ_OK, "%s: %s", t->name, dj_strerror(st));
                ck_assert_uint_eq(rep.sweeps, (n + (size_t)chunks[ci] - 1) / (size_t)chunks[ci]);
                for (size_t i = 0; i < m; i++)
                    tl_assert_close(y[i], y0[i], 1e-15, "%s f_%zu", t->name, i);
                for (size_t i = 0; i < n; i++)
                    for (size_t j = 0; j < n; j++) {
                        double got = layout == 2 ? H[i >= j ? i * (i + 1) / 2 + j : j * (j + 1) / 2 + i]
                                                 : H[i * o.ld + j];
                        tl_assert_close(got, want[i * n + j], TOL,
                                        "%s H[%zu][%zu] chunk %d layout %d", t->name, i, j,
                                        chunks[ci], layout);
                        if (layout != 2)
                            ck_assert_msg(memcmp(&H[i * o.ld + j], &H[j * o.ld + i], sizeof *H) == 0,
                                          "%s: H[%zu][%zu] != H[%zu][%zu]", t->name, i, j, j, i);
                    }
            }
    }
    free(x), free(w), free(want), free(H), free(g), free(y), free(y0);
}
END_TEST

/* dj_hvp equals H·v and its gradient equals the gradient of wᵀf. */
START_TEST(test_hvp_equals_h_times_v)
{
    const hfn *t = &table[_i];
    size_t n = t->fn.n, m = t->fn.m;
    tl_rng rng;
    tl_rng_seed(&rng, 2700 + (uint64_t)_i);
    double *x = malloc(n * sizeof *x), *w = malloc(m * sizeof *w), *v = malloc(n * sizeof *v);
    double *want = malloc(n * n * sizeof *want), *Hv = malloc(n * sizeof *Hv);
    double *g = malloc(n * sizeof *g), *ju = malloc(n * sizeof *ju);
    for (int c = 0; c < tl_cases(3); c++) {
        point(t, &rng, x, w);
        for (size_t j = 0; j < n; j++)
            v[j] = tl_uniform(&rng, -1, 1);
        t->hess(want, x, w, n, t->fn.ctx);
        ck_assert_int_eq(dj_hvp(Hv, g, NULL, &t->fn, x, v, w, NULL), DJ_OK);
        ck_assert_int_eq(dj_vjp(NULL, ju, &t->fn, x, w, NULL), DJ_OK);
        for (size_t i = 0; i < n; i++) {
            double s = 0, scale = 0;
            for (size_t j = 0; j < n; j++)
                s += want[i * n + j] * v[j], scale += fabs(want[i * n + j] * v[j]);
            ck_assert_msg(fabs(Hv[i] - s) <= TOL * (1 + scale), "%s (Hv)_%zu: %.17g vs %.17g",
                          t->name, i, Hv[i], s);
            tl_assert_close(g[i], ju[i], 1e-14, "%s gradient %zu", t->name, i);
        }
    }
    free(x), free(w), free(v), free(want), free(Hv), free(g), free(ju);
}
END_TEST

/* The sparse Hessian: its pattern holds every analytic nonzero, the star
 * coloring is valid (and as small as known), and its values equal the
 * dense Hessian's at every chunk width. */
START_TEST(test_sparse_equals_dense)
{
    const hfn *t = &table[_i];
    size_t n = t->fn.n, m = t->fn.m;
    tl_rng rng;
    tl_rng_seed(&rng, 2800 + (uint64_t)_i);
    double *x = malloc(n * sizeof *x), *w = malloc(m * sizeof *w);
    double *want = malloc(n * n * sizeof *want), *H = malloc(n * n * sizeof *H);
    point(t, &rng, x, w);
    dj_hsparse s;
    dj_hsparse_init(&s);
    ck_assert_int_eq(dj_hsparse_analyze(&s, &t->fn, x, NULL, NULL), DJ_OK);
    ck_assert(dj_star_coloring_valid(&s.colors, &s.pattern));
    if (t->colors)
        ck_assert_msg(s.colors.count == t->colors, "%s: %zu colors, want %zu", t->name,
                      s.colors.count, t->colors);
    t->hess(want, x, w, n, t->fn.ctx);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++)
            if (want[i * n + j] != 0)
                ck_assert_msg(dj_pattern_has(&s.pattern, i, j), "%s: (%zu, %zu) missing", t->name,
                              i, j);
    double *v = malloc((s.pattern.nnz + 1) * sizeof *v), *g = malloc(n * sizeof *g);
    double *gd = malloc(n * sizeof *gd);
    ck_assert_int_eq(dj_hessian(H, gd, NULL, &t->fn, x, w, NULL, NULL), DJ_OK);
    for (size_t ci = 0; ci < sizeof chunks / sizeof *chunks; ci++) {
        dj_opts o = {.chunk = chunks[ci]};
        dj_report rep;
        ck_assert_int_eq(dj_sparse_hessian(v, g, NULL, &s, &t->fn, x, w, &o, &rep), DJ_OK);
        ck_assert_uint_eq(rep.colors, s.colors.count);
        for (size_t i = 0; i < n; i++) {
            tl_assert_close(g[i], gd[i], 1e-15, "%s gradient %zu", t->name, i);
            for (size_t a = s.pattern.row_ptr[i]; a < s.pattern.row_ptr[i + 1]; a++)
                tl_assert_close(v[a], H[i * n + s.pattern.col[a]], TOL,
                                "%s sparse (%zu, %zu) chunk %d", t->name, i, s.pattern.col[a],
                                chunks[ci]);
        }
    }
    dj_hsparse_clear(&s);
    free(x), free(w), free(want), free(H), free(v), free(g), free(gd);
}
END_TEST

/* Second witness: central differences of the gradient. */
START_TEST(test_analytic_matches_gradient_differences)
{
    const hfn *t = &table[_i];
    size_t n = t->fn.n, m = t->fn.m;
    tl_rng rng;
    tl_rng_seed(&rng, 2900 + (uint64_t)_i);
    double *x = malloc(n * sizeof *x), *w = malloc(m * sizeof *w), *want = malloc(n * n * sizeof *want);
    double *gp = malloc(n * sizeof *gp), *gm = malloc(n * sizeof *gm), *xs = malloc(n * sizeof *xs);
    point(t, &rng, x, w);
    t->hess(want, x, w, n, t->fn.ctx);
    for (size_t j = 0; j < n; j++) {
        double h = 1e-6 * (1 + fabs(x[j]));
        memcpy(xs, x, n * sizeof *xs);
        xs[j] = x[j] + h;
        ck_assert_int_eq(dj_vjp(NULL, gp, &t->fn, xs, w, NULL), DJ_OK);
        xs[j] = x[j] - h;
        ck_assert_int_eq(dj_vjp(NULL, gm, &t->fn, xs, w, NULL), DJ_OK);
        for (size_t i = 0; i < n; i++) {
            double fd = (gp[i] - gm[i]) / (2 * h);
            ck_assert_msg(fabs(fd - want[i * n + j]) <= 1e-5 * (1 + fabs(want[i * n + j])),
                          "%s H[%zu][%zu]: %g by differences, %g written out", t->name, i, j, fd,
                          want[i * n + j]);
        }
    }
    free(x), free(w), free(want), free(gp), free(gm), free(xs);
}
END_TEST

/* ---- kinks, edges, NaN-safe and strict ------------------------------------------ */

/* At the documented points the second partials are the documented values:
 * fabs'' = 0 at 0, hypot and atan2 at the origin 0, each raising a kink;
 * cbrt'' at 0 is 0 (its first partial is +Inf, so in NaN-safe mode, where
 * the zero directions stay zero); sqrt'' at 0 is -Inf, an edge. */
#define KINKS(T, y, x, n, m, ctx)                                              \
    y[0] = dj_add(dj_add(dj_fabs(x[0]), dj_hypot(x[1], x[2])), dj_atan2(x[3], x[4]));
DJ_FN_INSTANTIATE(kinks, KINKS);
#define CBRT_KINK(T, y, x, n, m, ctx) y[0] = dj_add(dj_cbrt(x[0]), dj_mul(x[1], x[1]));
DJ_FN_INSTANTIATE(cbrt_kink, CBRT_KINK);
#define SQRT_EDGE(T, y, x, n, m, ctx) y[0] = dj_add(dj_sqrt(x[0]), dj_mul(x[1], x[1]));
DJ_FN_INSTANTIATE(sqrt_edge, SQRT_EDGE);
START_TEST(test_kinks_take_the_documented_values)
{
    dj_fn f = DJ_FN_INIT(kinks, 5, 1, NULL);
    double x[5] = {0, 0, 0, 0, 0}, H[25];
    dj_report rep;
    ck_assert_int_eq(dj_hessian(H, NULL, NULL, &f, x, NULL, NULL, &rep), DJ_OK);
    for (int i = 0; i < 25; i++)
        ck_assert_msg(H[i] == 0, "H[%d] = %g at the kinks", i, H[i]);
    ck_assert(rep.events & DJ_EVENT_KINK);

    dj_fn c = DJ_FN_INIT(cbrt_kink, 2, 1, NULL);
    double z[2] = {0, 1.5}, Hc[4];
    dj_opts safe = {.nansafe = 1};
    ck_assert_int_eq(dj_hessian(Hc, NULL, NULL, &c, z, NULL, &safe, &rep), DJ_OK);
    ck_assert(Hc[0] == 0 && Hc[1] == 0 && Hc[2] == 0 && Hc[3] == 2);
    ck_assert(rep.events & DJ_EVENT_KINK);

    /* sqrt's first partial is +Inf too: IEEE makes H_00 NaN (Inf·0 from
     * the zero adjoint tangent), NaN-safe mode gives the documented -Inf */
    dj_fn e = DJ_FN_INIT(sqrt_edge, 2, 1, NULL);
    double He[4];
    ck_assert_int_eq(dj_hessian(He, NULL, NULL, &e, z, NULL, NULL, &rep), DJ_OK);
    ck_assert(!isfinite(He[0]));
    ck_assert(rep.events & DJ_EVENT_EDGE);
    ck_assert_int_eq(dj_hessian(He, NULL, NULL, &e, z, NULL, &safe, &rep), DJ_OK);
    ck_assert(isinf(He[0]) && He[0] < 0);
    ck_assert(rep.events & DJ_EVENT_EDGE);
    ck_assert(He[1] == 0 && He[2] == 0 && He[3] == 2);
}
END_TEST

/* NaN-safe mode: an infinite partial meets zero tangents and adjoints in
 * the other directions, which stay exact; without it the cross entry is
 * NaN (IEEE: Inf·0). */
START_TEST(test_nansafe_keeps_other_directions)
{
    dj_fn e = DJ_FN_INIT(sqrt_edge, 2, 1, NULL);
    double z[2] = {0, 1.5}, H[4], v[2] = {0, 1}, Hv[2];
    dj_opts safe = {.nansafe = 1};
    ck_assert_int_eq(dj_hessian(H, NULL, NULL, &e, z, NULL, &safe, NULL), DJ_OK);
    ck_assert(H[1] == 0 && H[2] == 0 && H[3] == 2);
    ck_assert_int_eq(dj_hvp(Hv, NULL, NULL, &e, z, v, NULL, &safe), DJ_OK);
    ck_assert(Hv[0] == 0 && Hv[1] == 2);
    ck_assert_int_eq(dj_nansafe(), 0); /* restored */
}
END_TEST

#define POLE(T, y, x, n, m, ctx) y[0] = dj_div(1, x[0]);
DJ_FN_INSTANTIATE(pole, POLE);

START_TEST(test_strict_reports_nonfinite)
{
    dj_fn f = DJ_FN_INIT(pole, 1, 1, NULL);
    double x = 0, H, Hv, v = 1;
    dj_opts strict = {.strict = 1};
    dj_report rep;
    ck_assert_int_eq(dj_hessian(&H, NULL, NULL, &f, &x, NULL, &strict, &rep), DJ_ENONFINITE);
    ck_assert(rep.events & DJ_EVENT_NONFINITE);
    ck_assert_int_eq(dj_hvp(&Hv, NULL, NULL, &f, &x, &v, NULL, &strict), DJ_ENONFINITE);
    ck_assert_int_eq(dj_hessian(&H, NULL, NULL, &f, &x, NULL, NULL, NULL), DJ_OK);
    x = 2;
    ck_assert_int_eq(dj_hessian(&H, NULL, NULL, &f, &x, NULL, &strict, NULL), DJ_OK);
    ck_assert(H == 0.25);
}
END_TEST

/* ---- blocks, primitives, replay ---------------------------------------------------- */

/* A dense layer with W as variables, y = W·x, f = sum tanh(y_i)·c_i: the
 * graph's Hessian in (W, x) equals that of the same sums recorded node by
 * node. */
START_TEST(test_dense_block_is_bilinear)
{
    enum { M = 3, N = 4, V = M * N + N };
    double vals[V], c[M] = {0.5, -1.2, 0.8};
    for (int i = 0; i < V; i++)
        vals[i] = 0.1 * (i % 7) - 0.25 + 0.03 * i;
    dj_graph a, b;
    dj_graph_init(&a);
    dj_graph_init(&b);
    ck_assert_int_eq(dj_graph_keep_values(&a, 1), DJ_OK);
    ck_assert_int_eq(dj_graph_keep_values(&b, 1), DJ_OK);
    dj_var va[V], vb[V], ya[M], yb[M];
    ck_assert_int_eq(dj_graph_inputs(&a, va, vals, V), DJ_OK);
    ck_assert_int_eq(dj_graph_inputs(&b, vb, vals, V), DJ_OK);
    dj_var_dense(ya, va, va + M * N, NULL, M, N);
    for (int i = 0; i < M; i++) {
        yb[i] = dj_var_const(0);
        for (int j = 0; j < N; j++)
            dj_add_to(yb[i], dj_mul(vb[i * N + j], vb[M * N + j]));
    }
    dj_var fa = dj_var_const(0), fb = dj_var_const(0);
    for (int i = 0; i < M; i++) {
        dj_add_to(fa, dj_mul(c[i], dj_tanh(ya[i])));
        dj_add_to(fb, dj_mul(c[i], dj_tanh(yb[i])));
    }
    ck_assert_int_eq(dj_graph_outputs(&a, &fa, 1), DJ_OK);
    ck_assert_int_eq(dj_graph_outputs(&b, &fb, 1), DJ_OK);
    double E[V * V], Ha[V * V], Hb[V * V], ga[V], gb[V];
    memset(E, 0, sizeof E);
    for (int i = 0; i < V; i++)
        E[i * V + i] = 1;
    for (int i = 0; i < V; i++) {
        ck_assert_int_eq(dj_graph_hvp(&a, Ha + i * V, ga, NULL, E + i * V, 1), DJ_OK);
        ck_assert_int_eq(dj_graph_hvp(&b, Hb + i * V, gb, NULL, E + i * V, 1), DJ_OK);
    }
    for (int i = 0; i < V * V; i++)
        tl_assert_close(Ha[i], Hb[i], TOL, "dense block H entry %d", i);
    for (int i = 0; i < V; i++)
        tl_assert_close(ga[i], gb[i], TOL, "dense block gradient %d", i);
    dj_graph_clear(&a);
    dj_graph_clear(&b);
}
END_TEST

static void sq_eval(double *y, double *saved, const double *x, const void *ctx)
{
    (void)saved, (void)ctx;
    y[0] = x[0] * x[0];
}
static void sq_jvp(double *jv, const double *v, const double *x, const double *y,
                   const double *saved, const void *ctx)
{
    (void)y, (void)saved, (void)ctx;
    jv[0] = 2 * x[0] * v[0];
}
static void sq_vjp(double *ju, const double *u, const double *x, const double *y,
                   const double *saved, const void *ctx)
{
    (void)y, (void)saved, (void)ctx;
    ju[0] = 2 * x[0] * u[0];
}
static const dj_primitive square_prim = {"my_square", 1, 1, 0, sq_eval, sq_jvp, sq_vjp, NULL};
#define WITH_PRIMITIVE(T, y, x, n, m, ctx) y[0] = dj_apply1(&square_prim, dj_sin(x[0]));
DJ_FN_INSTANTIATE(with_primitive, WITH_PRIMITIVE);

/* A custom primitive has no second-order rule: DJ_ENOTSUP, naming it. */
START_TEST(test_primitive_is_not_supported_by_name)
{
    dj_fn f = DJ_FN_INIT(with_primitive, 1, 1, NULL);
    double x = 0.3, H, v = 1, Hv;
    dj_report rep;
    ck_assert_int_eq(dj_hessian(&H, NULL, NULL, &f, &x, NULL, NULL, &rep), DJ_ENOTSUP);
    ck_assert_str_eq(rep.unsupported, "my_square");
    ck_assert_int_eq(dj_hvp(&Hv, NULL, NULL, &f, &x, &v, NULL, NULL), DJ_ENOTSUP);
    dj_hsparse s;
    dj_hsparse_init(&s);
    ck_assert_int_eq(dj_hsparse_analyze(&s, &f, &x, NULL, NULL), DJ_ENOTSUP);
    dj_hsparse_clear(&s);
}
END_TEST

/* After a replay at a new point the graph's Hessian is that of a fresh
 * recording there; a graph recorded without values is refused. */
START_TEST(test_replay_updates_second_order)
{
    const hfn *t = &table[7]; /* tridiagonal */
    size_t n = t->fn.n;
    double x0[19], x1[19], E[19] = {0}, h0[19], h1[19], want[19 * 19];
    for (size_t j = 0; j < n; j++)
        x0[j] = 0.1 * (double)j - 0.8, x1[j] = 0.05 * (double)j + 0.2;
    dj_graph g;
    dj_graph_init(&g);
    ck_assert_int_eq(dj_graph_record(&g, &t->fn, x0), DJ_OK);
    E[3] = 1;
    ck_assert_int_eq(dj_graph_hvp(&g, h0, NULL, NULL, E, 1), DJ_EINVAL);
    ck_assert_int_eq(dj_graph_keep_values(&g, 1), DJ_OK);
    ck_assert_int_eq(dj_graph_record(&g, &t->fn, x0), DJ_OK);
    ck_assert_int_eq(dj_graph_hvp(&g, h0, NULL, NULL, E, 1), DJ_OK);
    ck_assert_int_eq(dj_graph_replay(&g, NULL, x1), DJ_OK);
    ck_assert_int_eq(dj_graph_hvp(&g, h1, NULL, NULL, E, 1), DJ_OK);
    t->hess(want, x1, NULL, n, NULL);
    for (size_t i = 0; i < n; i++)
        tl_assert_close(h1[i], want[i * n + 3], TOL, "after replay, H[%zu][3]", i);
    t->hess(want, x0, NULL, n, NULL);
    tl_assert_close(h0[3], want[3 * n + 3], TOL, "before replay");
    dj_graph_clear(&g);
}
END_TEST

/* The second partials a recording writes as it goes (graph.h) are those a
 * replay writes from the op codes as it goes (replay.c): at the same point,
 * a fresh recording and a replay hold bitwise the same values and second
 * partials and give bitwise the same H·v, for every function of the table,
 * plain and NaN-safe. */
START_TEST(test_recorded_seconds_match_replayed)
{
    const hfn *t = &table[_i];
    size_t n = t->fn.n, m = t->fn.m;
    tl_rng rng;
    tl_rng_seed(&rng, 1600u + (unsigned)_i);
    double x0[32], x1[32], w[32], v[32], fresh[32], replayed[32], gf[32], gr[32];
    point(t, &rng, x0, w);
    for (size_t j = 0; j < n; j++)
        x1[j] = x0[j] * (1 + 1e-3), v[j] = tl_uniform(&rng, -1, 1);
    for (int safe = 0; safe < 2; safe++) {
        int was = dj_nansafe_set(safe);
        dj_graph a, b;
        dj_graph_init(&a);
        dj_graph_init(&b);
        ck_assert_int_eq(dj_graph_keep_values(&a, 1), DJ_OK);
        ck_assert_int_eq(dj_graph_keep_values(&b, 1), DJ_OK);
        ck_assert_int_eq(dj_graph_record(&a, &t->fn, x1), DJ_OK);
        ck_assert_int_eq(dj_graph_record(&b, &t->fn, x0), DJ_OK);
        int replay = dj_graph_replay(&b, NULL, x1);
        if (replay == DJ_OK) {
            ck_assert_uint_eq(dj_graph_size(&a), dj_graph_size(&b));
            ck_assert_msg(memcmp(a.second, b.second, 3 * dj_graph_size(&a) * sizeof *a.second) ==
                              0,
                          "%s: second partials recorded and replayed differ (NaN-safe %d)",
                          t->name, safe);
            /* the replay writes the kept values in place (a comparison
             * node has none) */
            for (size_t i = 0; i < dj_graph_size(&a); i++)
                ck_assert_msg(a.op[i] == DJ_OP_COMPARE ||
                                  memcmp(&a.values[i], &b.values[i], sizeof *a.values) == 0,
                              "%s: node %zu's value recorded and replayed differ", t->name, i);
            ck_assert_int_eq(dj_graph_hvp(&a, fresh, gf, m > 1 ? w : NULL, v, 1), DJ_OK);
            ck_assert_int_eq(dj_graph_hvp(&b, replayed, gr, m > 1 ? w : NULL, v, 1), DJ_OK);
            ck_assert_msg(memcmp(fresh, replayed, n * sizeof *fresh) == 0,
                          "%s: H·v recorded and replayed differ (NaN-safe %d)", t->name, safe);
            ck_assert(memcmp(gf, gr, n * sizeof *gf) == 0);
        } else {
            ck_assert_int_eq(replay, DJ_EBRANCH);
        }
        dj_graph_clear(&a);
        dj_graph_clear(&b);
        dj_nansafe_set(was);
    }
}
END_TEST

/* ---- limits and allocation failure ------------------------------------------------- */

START_TEST(test_limits_get_a_status)
{
    const hfn *t = &table[0];
    double x[2] = {0.5, 0.5}, H[4], v[2] = {1, 0};
    dj_opts bad_chunk = {.chunk = 3}, small_ld = {.ld = 1}, huge_ld = {.ld = SIZE_MAX / 2};
    dj_opts bad_layout = {.layout = (dj_layout)7};
    ck_assert_int_eq(dj_hessian(H, NULL, NULL, &t->fn, x, NULL, &bad_chunk, NULL), DJ_ECHUNK);
    ck_assert_int_eq(dj_hessian(H, NULL, NULL, &t->fn, x, NULL, &small_ld, NULL), DJ_EDIM);
    ck_assert_int_eq(dj_hessian(H, NULL, NULL, &t->fn, x, NULL, &huge_ld, NULL), DJ_ERANGE);
    ck_assert_int_eq(dj_hessian(H, NULL, NULL, &t->fn, x, NULL, &bad_layout, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_hessian(NULL, NULL, NULL, &t->fn, x, NULL, NULL, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_hessian(H, NULL, NULL, &t->fn, NULL, NULL, NULL, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_hvp(H, NULL, NULL, &t->fn, x, NULL, NULL, NULL), DJ_EINVAL);
    dj_fn empty = t->fn;
    empty.n = 0;
    ck_assert_int_eq(dj_hessian(H, NULL, NULL, &empty, x, NULL, NULL, NULL), DJ_EDIM);
    dj_fn forward_only = t->fn;
    forward_only.eval_var = NULL;
    ck_assert_int_eq(dj_hvp(H, NULL, NULL, &forward_only, x, v, NULL, NULL), DJ_ENOTSUP);
    /* a Jacobian driver refuses the Hessians' packed storage */
    dj_opts packed = {.layout = DJ_PACKED_LOWER};
    ck_assert_int_eq(dj_jacobian(H, NULL, &t->fn, x, &packed, NULL), DJ_EINVAL);
    /* a sparse analysis of another size */
    dj_hsparse s;
    dj_hsparse_init(&s);
    ck_assert_int_eq(dj_sparse_hessian(H, NULL, NULL, &s, &t->fn, x, NULL, NULL, NULL), DJ_EINVAL);
    dj_hsparse_clear(&s);
    dj_hsparse_clear(&s);
    dj_hsparse_init(NULL);
    /* bytes, not only cells: ld whose n·ld fits and whose bytes do not */
    for (int i = 0; i < 4; i++)
        H[i] = -7;
    dj_opts wrap_ld = {.ld = (size_t)PTRDIFF_MAX / 16 + 1}; /* bytes 2^63: past PTRDIFF_MAX */
    ck_assert_int_eq(dj_hessian(H, NULL, NULL, &t->fn, x, NULL, &wrap_ld, NULL), DJ_ERANGE);
    ck_assert(H[0] == -7 && H[3] == -7);
    /* as the Jacobian drivers: threads < 0 and outputs over inputs */
    dj_opts negative = {.threads = -3};
    ck_assert_int_eq(dj_hessian(H, NULL, NULL, &t->fn, x, NULL, &negative, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_hvp(H, NULL, NULL, &t->fn, x, v, NULL, &negative), DJ_EINVAL);
    double buf[8] = {0.5, 0.5, 1, 0};
    ck_assert_int_eq(dj_hessian(buf + 1, NULL, NULL, &t->fn, buf, NULL, NULL, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_hvp(buf + 2, NULL, NULL, &t->fn, buf, buf + 3, NULL, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_hvp(H, buf, NULL, &t->fn, buf, v, NULL, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_hessian(buf + 2, NULL, NULL, &t->fn, buf, NULL, NULL, NULL), DJ_OK);
}
END_TEST

typedef struct {
    const hfn *t;
    double x[32], w[32], H[32 * 32], v[32], out[32 * 32];
    dj_workspace ws;
    dj_opts opts;
    dj_hsparse s;
} alloc_state;

typedef int (*op_fn)(alloc_state *st);

static int op_hessian(alloc_state *st)
{
    return dj_hessian(st->H, NULL, NULL, &st->t->fn, st->x, st->w, &st->opts, NULL);
}
static int op_hvp(alloc_state *st)
{
    return dj_hvp(st->out, NULL, NULL, &st->t->fn, st->x, st->v, st->w, &st->opts);
}
static int op_analyze(alloc_state *st)
{
    return dj_hsparse_analyze(&st->s, &st->t->fn, st->x, NULL, NULL);
}
static int op_sparse(alloc_state *st)
{
    if (st->s.read_ptr == NULL) {
        dj__alloc_fail_set(0);
        int status = dj_hsparse_analyze(&st->s, &st->t->fn, st->x, NULL, NULL);
        if (status != DJ_OK)
            return status;
    }
    return dj_sparse_hessian(st->out, NULL, NULL, &st->s, &st->t->fn, st->x, st->w, &st->opts,
                             NULL);
}

/* Every allocation of each driver fails in turn: DJ_ENOMEM, nothing leaks,
 * and the same objects work afterwards; with and without a workspace. */
START_TEST(test_every_allocation_failure)
{
    static const op_fn ops[] = {op_hessian, op_hvp, op_analyze, op_sparse};
    static const char *names[] = {"dj_hessian", "dj_hvp", "dj_hsparse_analyze",
                                  "dj_sparse_hessian"};
    alloc_state *st = calloc(1, sizeof *st);
    st->t = &table[6]; /* arrowhead */
    for (size_t j = 0; j < st->t->fn.n; j++)
        st->x[j] = 0.1 * (double)j - 0.3, st->v[j] = 1.0 / (double)(j + 1);
    st->w[0] = 1.5;
    for (int use_ws = 0; use_ws < 2; use_ws++)
        for (size_t o = 0; o < sizeof ops / sizeof *ops; o++) {
            dj_workspace_init(&st->ws);
            dj_hsparse_init(&st->s);
            st->opts = (dj_opts){.ws = use_ws ? &st->ws : NULL, .chunk = 4};
            dj__alloc_fail_set(0);
            ck_assert_int_eq(ops[o](st), DJ_OK);
            long total = dj__alloc_fail_set(0);
            for (long nth = 1; nth <= total; nth++) {
                dj__alloc_fail_set(nth);
                int status = ops[o](st);
                dj__alloc_fail_set(0);
                ck_assert_msg(status == DJ_ENOMEM || status == DJ_OK, "%s, allocation %ld: %s",
                              names[o], nth, dj_strerror(status));
                ck_assert_msg(ops[o](st) == DJ_OK, "%s after failing allocation %ld", names[o],
                              nth);
            }
            dj_hsparse_clear(&st->s);
            dj_workspace_clear(&st->ws);
        }
    free(st);
}
END_TEST

/* A workspace makes repeated Hessians allocation-free. */
START_TEST(test_workspace_makes_repeats_allocation_free)
{
    const hfn *t = &table[7];
    double x[19], H[19 * 19], h[19 * 2];
    for (int j = 0; j < 19; j++)
        x[j] = 0.1 * j;
    dj_workspace ws;
    dj_workspace_init(&ws);
    dj_opts o = {.ws = &ws};
    dj_hsparse s;
    dj_hsparse_init(&s);
    ck_assert_int_eq(dj_hsparse_analyze(&s, &t->fn, x, NULL, NULL), DJ_OK);
    ck_assert_int_eq(dj_hessian(H, NULL, NULL, &t->fn, x, NULL, &o, NULL), DJ_OK);
    ck_assert_int_eq(dj_sparse_hessian(h, NULL, NULL, &s, &t->fn, x, NULL, &o, NULL), DJ_OK);
    dj__alloc_fail_set(0);
    for (int r = 0; r < 3; r++) {
        x[r] += 0.01;
        ck_assert_int_eq(dj_hessian(H, NULL, NULL, &t->fn, x, NULL, &o, NULL), DJ_OK);
        ck_assert_int_eq(dj_sparse_hessian(h, NULL, NULL, &s, &t->fn, x, NULL, &o, NULL), DJ_OK);
    }
    ck_assert_int_eq(dj__alloc_fail_set(0), 0);
    dj_hsparse_clear(&s);
    dj_workspace_clear(&ws);
}
END_TEST

/* A first-order driver after a Hessian on the same workspace records first
 * order only (it went on keeping values and second partials, 4 times the
 * bytes a node), and its gradient equals the one without a workspace. */
START_TEST(test_workspace_returns_to_first_order)
{
    const hfn *t = &table[0];
    size_t n = t->fn.n;
    double x[32], H[32 * 32], g0[32], g1[32];
    for (size_t j = 0; j < n; j++)
        x[j] = 0.3 + 0.1 * (double)j;
    dj_workspace ws;
    dj_workspace_init(&ws);
    dj_opts o = {.ws = &ws};
    ck_assert_int_eq(dj_hessian(H, NULL, NULL, &t->fn, x, NULL, &o, NULL), DJ_OK);
    ck_assert(ws.graph != NULL && ws.graph->keep_values);
    ck_assert_int_eq(dj_gradient(g1, NULL, &t->fn, x, &o), DJ_OK);
    ck_assert(!ws.graph->keep_values && !ws.graph->has_values);
    ck_assert_int_eq(dj_gradient(g0, NULL, &t->fn, x, NULL), DJ_OK);
    ck_assert(memcmp(g0, g1, n * sizeof *g0) == 0);
    /* and the Hessian after it is the same again */
    double H2[32 * 32];
    ck_assert_int_eq(dj_hessian(H2, NULL, NULL, &t->fn, x, NULL, &o, NULL), DJ_OK);
    ck_assert(memcmp(H, H2, n * n * sizeof *H) == 0);
    dj_workspace_clear(&ws);
}
END_TEST

/* ---- threads ---------------------------------------------------------------------- */

typedef struct {
    const hfn *t;
    double x[32], H[32 * 32];
    int status;
} thread_job;

static void *hessian_thread(void *arg)
{
    thread_job *j = arg;
    for (int r = 0; r < 20 && j->status == DJ_OK; r++)
        j->status = dj_hessian(j->H, NULL, NULL, &j->t->fn, j->x, NULL, NULL, NULL);
    return NULL;
}

/* Two threads computing Hessians at once get bitwise those of one. */
START_TEST(test_two_threads_match_one)
{
    thread_job a = {&table[6], {0}, {0}, DJ_OK}, b = {&table[7], {0}, {0}, DJ_OK};
    for (int j = 0; j < 32; j++)
        a.x[j] = 0.05 * j - 0.2, b.x[j] = 0.5 - 0.03 * j;
    double Ha[32 * 32], Hb[32 * 32];
    ck_assert_int_eq(dj_hessian(Ha, NULL, NULL, &a.t->fn, a.x, NULL, NULL, NULL), DJ_OK);
    ck_assert_int_eq(dj_hessian(Hb, NULL, NULL, &b.t->fn, b.x, NULL, NULL, NULL), DJ_OK);
    pthread_t ta, tb;
    ck_assert_int_eq(pthread_create(&ta, NULL, hessian_thread, &a), 0);
    ck_assert_int_eq(pthread_create(&tb, NULL, hessian_thread, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    ck_assert_int_eq(a.status, DJ_OK);
    ck_assert_int_eq(b.status, DJ_OK);
    size_t na = a.t->fn.n, nb = b.t->fn.n;
    ck_assert(memcmp(Ha, a.H, na * na * sizeof *Ha) == 0);
    ck_assert(memcmp(Hb, b.H, nb * nb * sizeof *Hb) == 0);
}
END_TEST

/* The threads a run of `sweeps` sweeps reports for a request of t: the
 * first sweep runs alone, the rest on at most t threads (fewer than two
 * left: serially); a build without OpenMP runs serially. */
static int threads_expected(int t, size_t sweeps, int got)
{
    size_t rest = sweeps - 1;
    int want = rest < 2 ? 1 : (size_t)t < rest ? t : (int)rest;
    return got == want || (got == 1 && dj_threads_max() == 1);
}

/* dj_hessian and dj_sparse_hessian on 2, 3 and 4 threads, and automatic,
 * give bitwise what one thread gives, in every storage, with the threads
 * they report. */
START_TEST(test_threads_match_serial)
{
    static const int functions[] = {2, 5, 6, 7, 11}; /* brown, layer, arrowhead, tridiagonal, binaries */
    for (size_t fi = 0; fi < sizeof functions / sizeof *functions; fi++) {
        const hfn *t = &table[functions[fi]];
        size_t n = t->fn.n, m = t->fn.m;
        tl_rng rng;
        tl_rng_seed(&rng, 1601u + (unsigned)fi);
        double x[32], w[32], H1[32 * 32], Ht[32 * 32], g1[32], gt[32];
        point(t, &rng, x, w);
        static const dj_layout layouts[] = {DJ_ROW_MAJOR, DJ_PACKED_LOWER};
        for (int li = 0; li < 2; li++)
            for (int k = 1; k <= 2; k++) {
                dj_workspace ws;
                dj_workspace_init(&ws);
                dj_opts o = {.chunk = k, .layout = layouts[li], .threads = 1, .ws = &ws};
                dj_report r;
                ck_assert_int_eq(dj_hessian(H1, g1, NULL, &t->fn, x, w, &o, &r), DJ_OK);
                ck_assert_int_eq(r.threads, 1);
                size_t cells = layouts[li] == DJ_PACKED_LOWER ? n * (n + 1) / 2 : n * n;
                for (int threads = 0; threads <= 4; threads++) {
                    if (threads == 1)
                        continue;
                    o.threads = threads;
                    o.ws = threads % 2 ? &ws : NULL;
                    memset(Ht, 0xff, sizeof Ht);
                    ck_assert_int_eq(dj_hessian(Ht, gt, NULL, &t->fn, x, w, &o, &r), DJ_OK);
                    ck_assert_msg(memcmp(H1, Ht, cells * sizeof *Ht) == 0,
                                  "%s: H on %d threads (chunk %d, layout %d) differs", t->name,
                                  threads, k, li);
                    ck_assert(memcmp(g1, gt, n * sizeof *gt) == 0);
                    if (threads > 1)
                        ck_assert_msg(threads_expected(threads, r.sweeps, r.threads),
                                      "%s: %d threads asked, %d reported for %zu sweeps",
                                      t->name, threads, r.threads, r.sweeps);
                    else
                        ck_assert(r.threads >= 1);
                }
                dj_workspace_clear(&ws);
            }
        /* sparse: one direction per color */
        dj_hsparse s;
        dj_hsparse_init(&s);
        ck_assert_int_eq(dj_hsparse_analyze(&s, &t->fn, x, NULL, NULL), DJ_OK);
        double v1[32 * 32], vt[32 * 32];
        dj_opts o = {.chunk = 1, .threads = 1};
        dj_report r;
        ck_assert_int_eq(dj_sparse_hessian(v1, g1, NULL, &s, &t->fn, x, m > 1 ? w : NULL, &o, &r),
                         DJ_OK);
        ck_assert_int_eq(r.threads, 1);
        for (int threads = 0; threads <= 4; threads++) {
            if (threads == 1)
                continue;
            o.threads = threads;
            ck_assert_int_eq(
                dj_sparse_hessian(vt, gt, NULL, &s, &t->fn, x, m > 1 ? w : NULL, &o, &r), DJ_OK);
            ck_assert(memcmp(v1, vt, s.pattern.nnz * sizeof *vt) == 0);
            ck_assert(memcmp(g1, gt, n * sizeof *gt) == 0);
            if (threads > 1)
                ck_assert_msg(threads_expected(threads, r.sweeps, r.threads),
                              "%s sparse: %d threads asked, %d reported for %zu sweeps", t->name,
                              threads, r.threads, r.sweeps);
        }
        dj_hsparse_clear(&s);
    }
}
END_TEST

static Suite *hessian_suite(void)
{
    Suite *s = suite_create("hessian");
    TCase *tc = tcase_create("oracle");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_hessian_matches_analytic, 0, table_count);
    tcase_add_loop_test(tc, test_hvp_equals_h_times_v, 0, table_count);
    tcase_add_loop_test(tc, test_sparse_equals_dense, 0, table_count);
    tcase_add_loop_test(tc, test_analytic_matches_gradient_differences, 0, table_count);
    suite_add_tcase(s, tc);

    tc = tcase_create("edges");
    tcase_add_test(tc, test_kinks_take_the_documented_values);
    tcase_add_test(tc, test_nansafe_keeps_other_directions);
    tcase_add_test(tc, test_strict_reports_nonfinite);
    suite_add_tcase(s, tc);

    tc = tcase_create("graph");
    tcase_add_test(tc, test_dense_block_is_bilinear);
    tcase_add_test(tc, test_primitive_is_not_supported_by_name);
    tcase_add_test(tc, test_replay_updates_second_order);
    tcase_add_loop_test(tc, test_recorded_seconds_match_replayed, 0, table_count);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_limits_get_a_status);
    tcase_add_test(tc, test_every_allocation_failure);
    tcase_add_test(tc, test_workspace_makes_repeats_allocation_free);
    tcase_add_test(tc, test_workspace_returns_to_first_order);
    tcase_add_test(tc, test_two_threads_match_one);
    tcase_add_test(tc, test_threads_match_serial);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tl_main(hessian_suite); }
