/*
 * dualjac/ipopt.h: Ipopt's C interface (IpStdCInterface.h) from dj_fn's: the
 * objective, its gradient, the constraints and their sparse Jacobian. In
 * libdualjac-ipopt: `pkg-config --cflags --libs dualjac-ipopt`.
 *
 *     min f(x)  subject to  g_L <= g(x) <= g_U,  x_L <= x <= x_U
 *
 *     dj_ipopt a;
 *     dj_ipopt_init(&a, &f, &g, x0, NULL);      // f : R^n -> R, g : R^n -> R^m
 *     IpoptProblem p = dj_ipopt_create(&a, x_L, x_U, g_L, g_U);
 *     IpoptSolve(p, x, NULL, &obj, NULL, NULL, NULL, &a);   // user data: a
 *     FreeIpoptProblem(p);
 *     dj_ipopt_clear(&a);
 *
 * The constraints' Jacobian is sparse: dj_ipopt_init finds its pattern at x0
 * and colors it (sparse.h), so Ipopt gets the structure (iRow, jCol, C
 * indexing, row by row) and each evaluation costs the colors' forward
 * passes, not n. The gradient is one Jacobian of the 1×n objective (auto
 * mode: reverse for large n).
 *
 * The Hessian of the Lagrangian, σ∇²f(x) + Σ λ_i ∇²g_i(x), is exact: the
 * adapter stacks f and g into one function L = (f, g) : R^n -> R^(1+m) (no
 * second body from the user) and dj_ipopt_init finds the pattern of
 * ∇²(wᵀL) at x0 and star-colors it (hessian.h). dj_ipopt_create declares
 * its lower triangle to Ipopt, and eval_h fills it by dj_sparse_hessian
 * with the weights w = (σ, λ): one recording and ceil(colors/k) sweeps.
 * When L cannot be differentiated twice (a custom primitive without a
 * second-order rule, or f or g without a dj_var instantiation),
 * dj_ipopt_init still succeeds: a->hessian is then DJ_IPOPT_LBFGS,
 * a->hessian_status says why (DJ_ENOTSUP) and dj_ipopt_hessian_text a
 * sentence to print, and dj_ipopt_create sets Ipopt's option
 * `hessian_approximation limited-memory` (L-BFGS) instead. A program may
 * also choose L-BFGS itself: a->hessian = DJ_IPOPT_LBFGS before
 * dj_ipopt_create.
 *
 * Both patterns must hold at every x: true for code whose branches do not
 * depend on x (pattern.h); otherwise pass the Jacobian's as `known` and
 * choose L-BFGS. No callback allocates after its first call.
 *
 * Errors follow Ipopt: a callback returns TRUE, or FALSE when a value is
 * NaN or Inf or dualjac fails (Ipopt then shortens its step or stops);
 * a->status keeps the dualjac status.
 */
#ifndef DUALJAC_IPOPT_H
#define DUALJAC_IPOPT_H

#include <stddef.h>

#include <IpStdCInterface.h>

#include "../dualjac.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The Hessian of the Lagrangian that Ipopt gets. */
typedef enum dj_ipopt_hessian {
    DJ_IPOPT_EXACT = 0, /* dualjac's sparse Hessian, through eval_h */
    DJ_IPOPT_LBFGS = 1  /* Ipopt's limited-memory quasi-Newton approximation */
} dj_ipopt_hessian;

/* The adapter: the functions, options and statistics (public), the
 * analyses (public, read only) and buffers (private). */
typedef struct dj_ipopt {
    dj_fn objective;   /* f : R^n -> R (a copy) */
    dj_fn constraints; /* g : R^n -> R^m (a copy); m = 0 when there are none */
    size_t n, m;       /* variables and constraints */
    dj_opts opts;      /* the drivers' options (mode, chunk, threads, nansafe);
                          ws and strict are set by the adapter */
    dj_ipopt_hessian hessian; /* after init: DJ_IPOPT_EXACT, or DJ_IPOPT_LBFGS
                                 when the exact Hessian is not available; set
                                 DJ_IPOPT_LBFGS before dj_ipopt_create to
                                 choose L-BFGS */
    int hessian_status;       /* DJ_OK, or why there is no exact Hessian
                                 (DJ_ENOTSUP) */
    const char *unsupported;  /* with DJ_ENOTSUP: the custom primitive without
                                 a second-order rule, or NULL */
    long nfev;         /* objective values (eval_f) */
    long ngradev;      /* gradients (eval_grad_f) */
    long ngev;         /* constraint values (eval_g) */
    long njev;         /* constraint Jacobians (eval_jac_g with values) */
    long nhev;         /* Hessians of the Lagrangian (eval_h with values) */
    int status;        /* the last dualjac status (DJ_OK) */
    dj_sparse sparse;  /* the analysis of g: pattern (nnz) and colors */
    dj_hsparse hsparse; /* the analysis of the Lagrangian's Hessian: its lower
                           triangle (nnz) and star coloring; empty without
                           the exact Hessian */
    /* private */
    dj_workspace ws_f, ws_g, ws_h;
    double *weights; /* 1 + m: (σ, λ) for eval_h */
} dj_ipopt;

/* Starts an adapter: copies f and g (g may be NULL: no constraints), finds
 * at x0 the pattern of g's Jacobian (or takes `known`, m×n) and that of
 * the Lagrangian's Hessian, and colors both. x0 is Ipopt's starting point
 * or any point where f and g are defined. The exact Hessian not being
 * available is not an error (see above: a->hessian, a->hessian_status).
 * Errors: DJ_EINVAL (null a, f or x0), those of dj_fn_check, DJ_EDIM (f has
 * m != 1, or g's n is not f's), DJ_ERANGE (sizes beyond Ipopt's int
 * indices), DJ_ENOMEM, those of dj_sparse_analyze and dj_hsparse_analyze
 * other than DJ_ENOTSUP. */
DJ_API DJ_NODISCARD int dj_ipopt_init(dj_ipopt *a, const dj_fn *f, const dj_fn *g,
                                      const double *x0, const dj_pattern *known);

/* Frees everything; a second clear is safe. */
DJ_API void dj_ipopt_clear(dj_ipopt *a);

/* The nonzeros of g's Jacobian, Ipopt's nele_jac. */
DJ_API size_t dj_ipopt_jac_nnz(const dj_ipopt *a);

/* The nonzeros of the lower triangle of the Lagrangian's Hessian, Ipopt's
 * nele_hess: 0 when a->hessian is DJ_IPOPT_LBFGS. */
DJ_API size_t dj_ipopt_hess_nnz(const dj_ipopt *a);

/* Writes into buf (size bytes, NUL-terminated, truncated if need be) one
 * line saying which Hessian Ipopt gets and, for L-BFGS, why: what a
 * program prints before solving. Returns buf, or "" when buf is NULL or
 * size is 0. */
DJ_API const char *dj_ipopt_hessian_text(const dj_ipopt *a, char *buf, size_t size);

/* CreateIpoptProblem with the callbacks below, the Jacobian's nonzeros, C
 * indexing, and, as a->hessian says, the Hessian's nonzeros
 * (DJ_IPOPT_EXACT) or none and the option hessian_approximation
 * limited-memory (DJ_IPOPT_LBFGS, or no exact Hessian). Bounds as Ipopt takes them (copied by Ipopt; g_L and g_U
 * may be NULL when m = 0). Returns NULL when Ipopt refuses the problem.
 * Solve with IpoptSolve(..., user_data = a). */
DJ_API IpoptProblem dj_ipopt_create(dj_ipopt *a, Number *x_L, Number *x_U, Number *g_L,
                                    Number *g_U);

/* The callbacks (user_data is the dj_ipopt). */
DJ_API Bool dj_ipopt_eval_f(Index n, Number *x, Bool new_x, Number *obj_value,
                            UserDataPtr user_data);
DJ_API Bool dj_ipopt_eval_grad_f(Index n, Number *x, Bool new_x, Number *grad_f,
                                 UserDataPtr user_data);
DJ_API Bool dj_ipopt_eval_g(Index n, Number *x, Bool new_x, Index m, Number *g,
                            UserDataPtr user_data);
/* With values NULL: the structure (iRow, jCol, row by row, C indexing);
 * otherwise the values in that order. */
DJ_API Bool dj_ipopt_eval_jac_g(Index n, Number *x, Bool new_x, Index m, Index nele_jac,
                                Index *iRow, Index *jCol, Number *values,
                                UserDataPtr user_data);
/* With values NULL: the structure of the lower triangle of the
 * Lagrangian's Hessian (iRow >= jCol, row by row, C indexing); otherwise
 * the values of σ∇²f(x) + Σ λ_i ∇²g_i(x) (σ = obj_factor) in that order.
 * FALSE with a->status DJ_ENOTSUP when there is no exact Hessian. */
DJ_API Bool dj_ipopt_eval_h(Index n, Number *x, Bool new_x, Number obj_factor, Index m,
                            Number *lambda, Bool new_lambda, Index nele_hess, Index *iRow,
                            Index *jCol, Number *values, UserDataPtr user_data);

#ifdef __cplusplus
}
#endif

#endif /* DUALJAC_IPOPT_H */
