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
 * passes, not n. The pattern must hold at every x: true for code whose
 * branches do not depend on x (pattern.h); otherwise pass it as `known`.
 * The gradient is one Jacobian of the 1×n objective (auto mode: reverse for
 * large n). No callback allocates after its first call.
 *
 * The Hessian of the Lagrangian: dualjac does not compute second
 * derivatives yet, so dj_ipopt_create sets Ipopt's option
 * `hessian_approximation limited-memory` (L-BFGS) and declares no Hessian
 * entries; dj_ipopt_eval_h returns FALSE. When exact Hessians land, eval_h
 * fills the lower triangle of the Lagrangian's Hessian from its sparse
 * pattern and dj_ipopt_create declares those entries instead of setting the
 * option: the callbacks and the way a program uses them stay as they are.
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

/* The adapter: the functions, options and statistics (public), the
 * constraints' analysis and buffers (private). */
typedef struct dj_ipopt {
    dj_fn objective;   /* f : R^n -> R (a copy) */
    dj_fn constraints; /* g : R^n -> R^m (a copy); m = 0 when there are none */
    size_t n, m;       /* variables and constraints */
    dj_opts opts;      /* the drivers' options (mode, chunk, threads, nansafe);
                          ws and strict are set by the adapter */
    long nfev;         /* objective values (eval_f) */
    long ngradev;      /* gradients (eval_grad_f) */
    long ngev;         /* constraint values (eval_g) */
    long njev;         /* constraint Jacobians (eval_jac_g with values) */
    int status;        /* the last dualjac status (DJ_OK) */
    dj_sparse sparse;  /* the analysis of g: pattern (nnz) and colors */
    /* private */
    dj_workspace ws_f, ws_g;
} dj_ipopt;

/* Starts an adapter: copies f and g (g may be NULL: no constraints), and
 * analyses g's Jacobian at x0, or takes its pattern `known` (m×n; x0 is then
 * only checked for NULL when g is given and known is not).
 * Errors: DJ_EINVAL (null), those of dj_fn_check, DJ_EDIM (f has m != 1,
 * or g's n is not f's), DJ_ERANGE (sizes beyond Ipopt's int indices), those
 * of dj_sparse_analyze. */
DJ_API DJ_NODISCARD int dj_ipopt_init(dj_ipopt *a, const dj_fn *f, const dj_fn *g,
                                      const double *x0, const dj_pattern *known);

/* Frees everything; a second clear is safe. */
DJ_API void dj_ipopt_clear(dj_ipopt *a);

/* The nonzeros of g's Jacobian, Ipopt's nele_jac. */
DJ_API size_t dj_ipopt_jac_nnz(const dj_ipopt *a);

/* CreateIpoptProblem with the callbacks below, the Jacobian's nonzeros, C
 * indexing, no Hessian entries, and the option hessian_approximation
 * limited-memory. Bounds as Ipopt takes them (copied by Ipopt; g_L and g_U
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
/* Not available yet (see above): returns FALSE. */
DJ_API Bool dj_ipopt_eval_h(Index n, Number *x, Bool new_x, Number obj_factor, Index m,
                            Number *lambda, Bool new_lambda, Index nele_hess, Index *iRow,
                            Index *jCol, Number *values, UserDataPtr user_data);

#ifdef __cplusplus
}
#endif

#endif /* DUALJAC_IPOPT_H */
