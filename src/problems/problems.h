/*
 * problems.h: the classic test functions, as dj_fn values with their standard
 * starting points: their one definition, shared by jacdump (--fn), the
 * benchmarks and the tests; not part of the installed library.
 *
 *   dj_problem_instance p;
 *   if (dj_problem_create(&p, dj_problem_find("broyden"), 1000) == DJ_OK) {
 *       ... p.fn, p.x0 ...
 *       dj_problem_destroy(&p);
 *   }
 */
#ifndef DJ_PROBLEMS_H
#define DJ_PROBLEMS_H

#include <stddef.h>

#include <dualjac.h>

/* One instance of a problem at a size: the function and its starting point. */
typedef struct dj_problem_instance {
    dj_fn fn;     /* n, m, ctx set; ctx points into data */
    double *x0;   /* the standard starting point, fn.n values (owned) */
    void *data;   /* parameters such as weights (owned) */
} dj_problem_instance;

/* A family of test functions. */
typedef struct dj_problem {
    const char *name;    /* as typed after --fn */
    const char *summary; /* one line, with its sizes */
    size_t n_default;    /* size used when none is given */
    size_t n_min;        /* smallest n */
    size_t n_step;       /* n must be a multiple of this (1: any) */
    size_t n_max;        /* largest n (0: no limit but memory) */
    size_t m_per_n;      /* m = m_per_n·n, or 0 for one output */
    int (*create)(dj_problem_instance *p, size_t n);
} dj_problem;

/* The number of outputs of prob at size n (0 when n·m_per_n overflows). */
size_t dj_problem_outputs(const dj_problem *prob, size_t n);

/* All problems, in the order --list shows them; *count receives their number. */
const dj_problem *dj_problem_all(size_t *count);

/* The problem called name, or NULL. */
const dj_problem *dj_problem_find(const char *name);

/* Creates an instance with n inputs (0: the default). Errors: DJ_EINVAL
 * (null), DJ_EDIM (n not allowed for this problem), DJ_ENOMEM. */
int dj_problem_create(dj_problem_instance *p, const dj_problem *prob, size_t n);

/* Frees an instance; safe to call twice. */
void dj_problem_destroy(dj_problem_instance *p);

/* A dense chain of layers, y = L3(tanh(W2·tanh(W1·x + b1) + b2)) where L3 is
 * W3·(.) with m outputs, or the sum of the h2 values when m = 0 (the chain
 * R^n -> R^h1 -> R^h2 -> R of the backprop notes). Weights are uniform in
 * [-1, 1]/sqrt(fan-in) from a fixed seed; biases in [-0.1, 0.1]. */
enum { DJ_CHAIN_MAX_HIDDEN = 256 };
int dj_problem_chain(dj_problem_instance *p, size_t n, size_t h1, size_t h2, size_t m);

/* Read-only view of a chain's parameters (for benchmarks that also time
 * hand-written baselines). */
typedef struct dj_chain_params {
    size_t n, h1, h2, m; /* m = 0: summed output */
    double *W1, *b1, *W2, *b2, *W3;
} dj_chain_params;

#endif
