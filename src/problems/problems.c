/* problems.c: the classic test functions and their starting points. Written
 * once against the generic operations, like a user's function. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "problems.h"

/* ---- Rosenbrock (n = 2) and extended Rosenbrock (n even) ---------------------
 * Residual form, f_{2i} = 10(x_{2i+1} - x_{2i}^2), f_{2i+1} = 1 - x_{2i};
 * start (-1.2, 1, -1.2, 1, ...) (Moré, Garbow and Hillstrom 1981). */
#define ROSENBROCK(T, y, x, n, m, ctx)                                         \
    for (size_t i = 0; i + 1 < n; i += 2) {                                    \
        y[i] = dj_mul(10, dj_sub(x[i + 1], dj_mul(x[i], x[i])));               \
        y[i + 1] = dj_sub(1, x[i]);                                            \
    }
DJ_FN_INSTANTIATE(rosenbrock, ROSENBROCK);

static int create_rosenbrock(dj_problem_instance *p, size_t n)
{
    p->fn = (dj_fn)DJ_FN_INIT(rosenbrock, n, n, NULL);
    for (size_t i = 0; i < n; i++)
        p->x0[i] = (i % 2 == 0) ? -1.2 : 1.0;
    return DJ_OK;
}

/* ---- Powell singular (n = 4, or a multiple of 4 extended) ------------------
 * Singular Jacobian at the solution 0; start (3, -1, 0, 1). */
#define POWELL(T, y, x, n, m, ctx)                                             \
    for (size_t i = 0; i + 3 < n; i += 4) {                                    \
        y[i] = dj_add(x[i], dj_mul(10, x[i + 1]));                             \
        y[i + 1] = dj_mul(sqrt(5.0), dj_sub(x[i + 2], x[i + 3]));              \
        y[i + 2] = dj_pow(dj_sub(x[i + 1], dj_mul(2, x[i + 2])), 2);           \
        y[i + 3] = dj_mul(sqrt(10.0), dj_pow(dj_sub(x[i], x[i + 3]), 2));      \
    }
DJ_FN_INSTANTIATE(powell, POWELL);

static int create_powell(dj_problem_instance *p, size_t n)
{
    static const double start[4] = {3, -1, 0, 1};
    p->fn = (dj_fn)DJ_FN_INIT(powell, n, n, NULL);
    for (size_t i = 0; i < n; i++)
        p->x0[i] = start[i % 4];
    return DJ_OK;
}

/* ---- Broyden tridiagonal ------------------------------------------------------
 * f_i = (3 - 2x_i)x_i - x_{i-1} - 2x_{i+1} + 1, x_0 = x_{n+1} = 0; start -1. */
#define BROYDEN(T, y, x, n, m, ctx)                                            \
    for (size_t i = 0; i < n; i++) {                                           \
        T r = dj_add(dj_mul(dj_sub(3, dj_mul(2, x[i])), x[i]), 1);             \
        if (i > 0)                                                             \
            r = dj_sub(r, x[i - 1]);                                           \
        if (i + 1 < n)                                                         \
            r = dj_sub(r, dj_mul(2, x[i + 1]));                                \
        y[i] = r;                                                              \
    }
DJ_FN_INSTANTIATE(broyden, BROYDEN);

static int create_broyden(dj_problem_instance *p, size_t n)
{
    p->fn = (dj_fn)DJ_FN_INIT(broyden, n, n, NULL);
    for (size_t i = 0; i < n; i++)
        p->x0[i] = -1.0;
    return DJ_OK;
}

/* ---- Brown almost-linear ------------------------------------------------------
 * f_i = x_i + sum(x) - (n+1) for i < n, f_n = prod(x) - 1; start 0.5. */
#define BROWN(T, y, x, n, m, ctx)                                              \
    {                                                                          \
        T s = x[0], p = x[0];                                                  \
        for (size_t j = 1; j < n; j++) {                                       \
            s = dj_add(s, x[j]);                                               \
            p = dj_mul(p, x[j]);                                               \
        }                                                                      \
        T c = dj_sub(s, (double)(n + 1));                                      \
        for (size_t i = 0; i + 1 < n; i++)                                     \
            y[i] = dj_add(x[i], c);                                            \
        y[n - 1] = dj_sub(p, 1);                                               \
    }
DJ_FN_INSTANTIATE(brown, BROWN);

static int create_brown(dj_problem_instance *p, size_t n)
{
    p->fn = (dj_fn)DJ_FN_INIT(brown, n, n, NULL);
    for (size_t i = 0; i < n; i++)
        p->x0[i] = 0.5;
    return DJ_OK;
}

/* ---- tall: few inputs, many outputs -------------------------------------------
 * f_k = exp(a_k·x)·cos(b_k·x) + x_{k mod n}^2, with a_k, b_k fixed small
 * vectors; m = 250·n. Start 0.1 in every input. */
#define TALL(T, y, x, n, m, ctx)                                               \
    for (size_t k = 0; k < m; k++) {                                           \
        T a = dj_const(T, 0), b = dj_const(T, 0);                              \
        for (size_t j = 0; j < n; j++) {                                       \
            double w = (double)((k + 3 * j) % 7 + 1) / 8.0;                    \
            a = dj_add(a, dj_mul(w / (double)n, x[j]));                        \
            b = dj_add(b, dj_mul((double)(k % 5 + 1) * w, x[j]));              \
        }                                                                      \
        y[k] = dj_add(dj_mul(dj_exp(a), dj_cos(b)), dj_mul(x[k % n], x[k % n])); \
    }
DJ_FN_INSTANTIATE(tall, TALL);

static int create_tall(dj_problem_instance *p, size_t n)
{
    p->fn = (dj_fn)DJ_FN_INIT(tall, n, 250 * n, NULL);
    for (size_t i = 0; i < n; i++)
        p->x0[i] = 0.1;
    return DJ_OK;
}

/* ---- trig: transcendental-heavy, banded ---------------------------------------
 * f_i = sin(x_i)·exp(cos(x_{i+1})) + log(1 + x_i^2) (cyclic); start 0.5. */
#define TRIG(T, y, x, n, m, ctx)                                               \
    for (size_t i = 0; i < n; i++) {                                           \
        T next = x[(i + 1) % n];                                               \
        y[i] = dj_add(dj_mul(dj_sin(x[i]), dj_exp(dj_cos(next))),              \
                      dj_log1p(dj_mul(x[i], x[i])));                           \
    }
DJ_FN_INSTANTIATE(trig, TRIG);

static int create_trig(dj_problem_instance *p, size_t n)
{
    p->fn = (dj_fn)DJ_FN_INIT(trig, n, n, NULL);
    for (size_t i = 0; i < n; i++)
        p->x0[i] = 0.5;
    return DJ_OK;
}

/* ---- full row: a full first row over a diagonal -------------------------------
 * f_0 = sum(x), f_i = x_i^2 for i >= 1; start 1 + j/n. Its columns need n
 * colors and its rows 2: the case for row coloring and reverse sweeps. */
#define FULLROW(T, y, x, n, m, ctx)                                            \
    {                                                                          \
        T s = x[0];                                                            \
        for (size_t j = 1; j < n; j++)                                         \
            s = dj_add(s, x[j]);                                               \
        y[0] = s;                                                              \
        for (size_t i = 1; i < m; i++)                                         \
            y[i] = dj_mul(x[i], x[i]);                                         \
    }
DJ_FN_INSTANTIATE(fullrow, FULLROW);

static int create_fullrow(dj_problem_instance *p, size_t n)
{
    p->fn = (dj_fn)DJ_FN_INIT(fullrow, n, n, NULL);
    for (size_t j = 0; j < n; j++)
        p->x0[j] = 1.0 + (double)j / (double)n;
    return DJ_OK;
}

/* ---- the dense chain --------------------------------------------------------- */

#define CHAIN(T, y, x, n, m, ctx)                                              \
    {                                                                          \
        const dj_chain_params *c = ctx;                                        \
        T h1[DJ_CHAIN_MAX_HIDDEN], h2[DJ_CHAIN_MAX_HIDDEN];                    \
        dj_linear(h1, c->W1, x, c->b1, c->h1, n);                              \
        for (size_t i = 0; i < c->h1; i++)                                     \
            h1[i] = dj_tanh(h1[i]);                                            \
        dj_linear(h2, c->W2, h1, c->b2, c->h2, c->h1);                         \
        for (size_t i = 0; i < c->h2; i++)                                     \
            h2[i] = dj_tanh(h2[i]);                                            \
        if (c->m > 0) {                                                        \
            dj_linear(y, c->W3, h2, NULL, m, c->h2);                           \
        } else {                                                               \
            T s = h2[0];                                                       \
            for (size_t i = 1; i < c->h2; i++)                                 \
                s = dj_add(s, h2[i]);                                          \
            y[0] = s;                                                          \
        }                                                                      \
    }
DJ_FN_INSTANTIATE(chain, CHAIN);

/* splitmix64: the same weights on every machine. */
static double uniform(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return 2.0 * (double)(z >> 11) * 0x1.0p-53 - 1.0;
}

static void fill(double *w, size_t count, double scale, uint64_t *state)
{
    for (size_t i = 0; i < count; i++)
        w[i] = scale * uniform(state);
}

int dj_problem_chain(dj_problem_instance *p, size_t n, size_t h1, size_t h2, size_t m)
{
    memset(p, 0, sizeof *p);
    if (n == 0 || h1 == 0 || h2 == 0 || h1 > DJ_CHAIN_MAX_HIDDEN || h2 > DJ_CHAIN_MAX_HIDDEN)
        return DJ_EDIM;
    size_t m_out = m > 0 ? m : 1;
    size_t weights = h1 * n + h1 + h2 * h1 + h2 + m * h2;
    if (n > SIZE_MAX / 8 / (h1 + 1))
        return DJ_ERANGE;
    dj_chain_params *c = malloc(sizeof *c + weights * sizeof(double));
    p->x0 = malloc(n * sizeof(double));
    if (c == NULL || p->x0 == NULL) {
        free(c);
        free(p->x0);
        p->x0 = NULL;
        return DJ_ENOMEM;
    }
    double *w = (double *)(c + 1);
    *c = (dj_chain_params){n, h1, h2, m, w, w + h1 * n, w + h1 * n + h1,
                           w + h1 * n + h1 + h2 * h1, w + h1 * n + h1 + h2 * h1 + h2};
    uint64_t state = 20261123;
    fill(c->W1, h1 * n, 1.0 / sqrt((double)n), &state);
    fill(c->b1, h1, 0.1, &state);
    fill(c->W2, h2 * h1, 1.0 / sqrt((double)h1), &state);
    fill(c->b2, h2, 0.1, &state);
    fill(c->W3, m * h2, 1.0 / sqrt((double)h2), &state);
    fill(p->x0, n, 1.0, &state);
    p->data = c;
    p->fn = (dj_fn)DJ_FN_INIT(chain, n, m_out, c);
    return DJ_OK;
}

static int create_chain_sum(dj_problem_instance *p, size_t n)
{
    return dj_problem_chain(p, n, 64, 64, 0);
}

static int create_chain_vec(dj_problem_instance *p, size_t n)
{
    return dj_problem_chain(p, n, 64, 64, n);
}

/* ---- the registry --------------------------------------------------------------- */

static const dj_problem problems[] = {
    {"rosenbrock", "Rosenbrock residuals, n = m = 2, start (-1.2, 1)", 2, 2, 2, 2, 1,
     create_rosenbrock},
    {"ext-rosenbrock", "extended Rosenbrock residuals, n = m even, start (-1.2, 1, ...)", 10,
     2, 2, 0, 1, create_rosenbrock},
    {"powell", "Powell singular (extended), n = m multiple of 4, start (3, -1, 0, 1, ...)",
     4, 4, 4, 0, 1, create_powell},
    {"broyden", "Broyden tridiagonal, n = m, start -1", 10, 1, 1, 0, 1, create_broyden},
    {"brown", "Brown almost-linear, n = m, start 0.5", 10, 1, 1, 0, 1, create_brown},
    {"chain", "chain R^n -> R^64 -> R^64 -> R: tanh layers then a sum", 256, 1, 1, 0, 0,
     create_chain_sum},
    {"chain-vec", "chain R^n -> R^64 -> R^64 -> R^n: tanh layers, linear output", 8, 1, 1,
     DJ_CHAIN_MAX_HIDDEN, 1, create_chain_vec},
    {"tall", "tall: R^n -> R^(250n), exp(a.x)cos(b.x) + x^2, start 0.1", 4, 1, 1, 0, 250,
     create_tall},
    {"trig", "transcendental, banded: sin(x_i)exp(cos(x_i+1)) + log(1 + x_i^2), start 0.5",
     10, 1, 1, 0, 1, create_trig},
    {"full-row", "full first row over a diagonal: sum(x), then x_i^2, n = m, start 1 + j/n", 10,
     1, 1, 0, 1, create_fullrow},
};

size_t dj_problem_outputs(const dj_problem *prob, size_t n)
{
    if (prob->m_per_n == 0)
        return 1;
    return n > SIZE_MAX / prob->m_per_n ? 0 : n * prob->m_per_n;
}

const dj_problem *dj_problem_all(size_t *count)
{
    *count = sizeof problems / sizeof problems[0];
    return problems;
}

const dj_problem *dj_problem_find(const char *name)
{
    for (size_t i = 0; i < sizeof problems / sizeof problems[0]; i++)
        if (strcmp(problems[i].name, name) == 0)
            return &problems[i];
    return NULL;
}

int dj_problem_create(dj_problem_instance *p, const dj_problem *prob, size_t n)
{
    if (p == NULL || prob == NULL)
        return DJ_EINVAL;
    memset(p, 0, sizeof *p);
    if (n == 0)
        n = prob->n_default;
    if (n < prob->n_min || n % prob->n_step != 0 || (prob->n_max && n > prob->n_max))
        return DJ_EDIM;
    if (prob->create == create_chain_sum || prob->create == create_chain_vec)
        return prob->create(p, n);
    if (n > SIZE_MAX / sizeof(double) / 250)
        return DJ_ERANGE;
    p->x0 = malloc(n * sizeof(double));
    if (p->x0 == NULL)
        return DJ_ENOMEM;
    return prob->create(p, n);
}

void dj_problem_destroy(dj_problem_instance *p)
{
    if (p == NULL)
        return;
    free(p->x0);
    free(p->data);
    p->x0 = NULL;
    p->data = NULL;
}
