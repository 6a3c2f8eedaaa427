/*
 * cases.h: the functions of `make bench-peers`, their points, their plain C
 * primals, and dualjac's reference derivatives.
 *
 * Every program of the comparison (one per tool) links this file and
 * primal.c, so each times the same primal, compiled once with the same
 * flags, and checks its results against the same reference: dualjac's
 * Jacobian, gradient, sparse Jacobian, Hessian-vector product, Hessian or
 * sparse Hessian at the same point, computed in the same process before
 * anything is timed.
 *
 * A case is one function at one size, of one kind: a dense Jacobian, a
 * gradient, the nonzeros of a sparse Jacobian (in the CSR order of
 * dualjac's pattern), or, for the scalar functions, a Hessian-vector
 * product, a dense Hessian, or the nonzeros of a sparse Hessian's lower
 * triangle (in the CSR order of dualjac's dj_hsparse pattern). The
 * functions are written once per tool: for dualjac in functions.dj.h, for
 * the C++ tools in functions.hpp, in plain C in primal.c.
 */
#ifndef DJ_BENCH_PEERS_CASES_H
#define DJ_BENCH_PEERS_CASES_H

#include <stddef.h>

#include <dualjac.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Which function. */
typedef enum peer_fn_id {
    PEER_CHAIN,      /* y = W3 tanh(W2 tanh(W1 x + b1) + b2) */
    PEER_BROWN,      /* Brown almost-linear (MGH 27): dense J */
    PEER_BOUNDARY,   /* discrete boundary value (MGH 28): tridiagonal */
    PEER_BROYDEN,    /* Broyden tridiagonal (MGH 30) */
    PEER_BANDED,     /* Broyden banded (MGH 31): 5 below, 1 above */
    PEER_ROSENBROCK, /* extended Rosenbrock residuals (MGH 21): 2x2 blocks */
    PEER_ARROW,      /* arrowhead: full first row and column, diagonal */
    PEER_ROSEN_SUM,  /* sum of 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2: a scalar */
    PEER_LOGISTIC,   /* logistic-regression loss of a weight vector: a scalar */
    PEER_TRIG_SUM,   /* sum of sin(x_i) exp(cos(x_{i+1})) + log(1 + x_i^2): a scalar */
    PEER_BROWN_SQ,   /* sum of squares of Brown's residuals: a scalar, dense H */
    PEER_ARROW_SUM   /* sum of (x_0 x_i)^2 + exp(x_i)/16: a scalar, arrowhead H */
} peer_fn_id;

/* What is asked of a tool. */
typedef enum peer_kind {
    PEER_JACOBIAN, /* the dense m x n Jacobian, row-major */
    PEER_GRADIENT, /* the gradient, n values */
    PEER_SPARSE,   /* the nonzeros of J in the order of `pattern` */
    PEER_HVP,      /* H v, n values, v the case's fixed direction */
    PEER_HESSIAN,  /* the dense n x n Hessian, row-major, both triangles */
    PEER_SPARSE_HESSIAN /* the nonzeros of H's lower triangle in the order
                           of hsparse.pattern */
} peer_kind;

enum { PEER_HIDDEN = 64, PEER_SAMPLES = 32 };

/* The chain's weights: W1 h x n, W2 h x h, W3 m x h, row-major. */
typedef struct peer_chain {
    size_t n, h, m;
    double *W1, *b1, *W2, *b2, *W3;
} peer_chain;

/* The logistic loss (1/N) sum_s log(1 + exp(-t_s X_s.w)) + (lambda/2)|w|^2,
 * X N x n row-major, labels t_s = +-1. */
typedef struct peer_logistic {
    size_t N, n;
    double *X, *t, lambda;
} peer_logistic;

typedef struct peer_case {
    const char *family; /* "chain", "mgh", "gradient", "sparse", "hessian" */
    const char *name;   /* the function's name */
    char size[40];      /* "8-64-8", "n=1000" */
    char label[64];     /* name and size, for tables; Hessian kinds lead
                           with "hvp", "dense" or "sparse" */
    peer_fn_id id;
    peer_kind kind;
    size_t n, m;
    void *params;       /* peer_chain or peer_logistic, else NULL */
    dj_fn fn;           /* dualjac's function */
    double *x;          /* the point, n values */
    double *v;          /* PEER_HVP: the direction, n values */
    double *ref;        /* dualjac's answer: m*n, n, n*n or nnz values */
    size_t nref;
    dj_sparse sparse;   /* PEER_SPARSE: pattern and colorings (analysed at x) */
    dj_hsparse hsparse; /* PEER_SPARSE_HESSIAN: lower pattern, star coloring */
    /* PEER_SPARSE_HESSIAN: where each entry e is read from H S, S the n x
     * colors seed of the star coloring (column g the sum of color g's unit
     * vectors): row hread_row[e], column hread_color[e], the seed's entry
     * for variable hread_var[e] (whose step finite differences divide by) */
    size_t *hread_row, *hread_color, *hread_var;
} peer_case;

/* y = f(x) in plain double loops: the primal every ratio divides by. */
void peer_primal(double *y, const double *x, const peer_case *c);

/* The cases of a run, all built (points, parameters, references);
 * quick: the small ones of the smoke run; only: when not NULL, the cases
 * whose family or label holds it. Returns NULL, having said why, on
 * failure. */
peer_case *peer_cases(int quick, const char *only, size_t *count);
void peer_cases_free(peer_case *cases, size_t count);

/* The largest error of out against the case's reference, each entry's
 * difference relative to that entry, or to 1e-8 of the largest reference
 * entry where that is larger (an entry that is zero in the reference). */
double peer_error(const peer_case *c, const double *out);

#ifdef __cplusplus
}
#endif

#endif
