/*
 * ipopt.c: the Ipopt callbacks of dualjac/ipopt.h, the Hessian of the
 * Lagrangian among them.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dualjac/ipopt.h"

#include "adapter.h"


/* Ipopt's TRUE or FALSE for a dualjac status. */
static Bool outcome(dj_ipopt *a, int status)
{
    a->status = status;
    return status == DJ_OK ? TRUE : FALSE;
}

/* y = f(x), counted, DJ_ENONFINITE for a NaN or Inf. */
static int evaluate(double *y, const dj_fn *f, const double *x, long *count)
{
    int status = dj_eval(y, f, x);
    if (status == DJ_OK) {
        ++*count;
        if (!dj__adapter_finite(y, f->m))
            status = DJ_ENONFINITE;
    }
    return status;
}

/* ---- the Lagrangian's function: f and g stacked, L = (f, g) ------------
 *
 * The instantiations call f's and g's with their own contexts; the
 * context of L is the adapter, set afresh each time L is made, so that an
 * adapter moved by the program after dj_ipopt_init still works. */

static void lagrangian_double(double *DJ_RESTRICT y, const double *DJ_RESTRICT x, size_t n,
                              size_t m, const void *ctx)
{
    const dj_ipopt *a = ctx;
    a->objective.eval_double(y, x, n, 1, a->objective.ctx);
    if (m > 1)
        a->constraints.eval_double(y + 1, x, n, m - 1, a->constraints.ctx);
}

static void lagrangian_var(dj_var *DJ_RESTRICT y, const dj_var *DJ_RESTRICT x, size_t n,
                           size_t m, const void *ctx)
{
    const dj_ipopt *a = ctx;
    a->objective.eval_var(y, x, n, 1, a->objective.ctx);
    if (m > 1)
        a->constraints.eval_var(y + 1, x, n, m - 1, a->constraints.ctx);
}

/* L for the adapter a; weights (σ, λ) make wᵀL the Lagrangian. */
static dj_fn lagrangian(const dj_ipopt *a)
{
    dj_fn L;
    memset(&L, 0, sizeof L);
    L.abi = DJ_FN_ABI;
    L.name = "Lagrangian";
    L.n = a->n;
    L.m = 1 + a->m;
    L.ctx = a;
    L.eval_double = lagrangian_double;
    L.eval_var = lagrangian_var;
    return L;
}

/* After dj_hsparse_analyze said DJ_ENOTSUP: the custom primitive it met,
 * from one sparse Hessian on the diagonal pattern, whose report names it
 * (NULL when that cannot be found: no memory, say). */
static const char *unsupported_primitive(const dj_fn *L, const double *x0)
{
    size_t n = L->n, *diag = malloc(n * sizeof *diag);
    double *values = malloc(n * sizeof *values);
    const char *name = NULL;
    dj_pattern p;
    dj_hsparse s;
    dj_pattern_init(&p);
    dj_hsparse_init(&s);
    if (diag != NULL && values != NULL) {
        for (size_t i = 0; i < n; i++)
            diag[i] = i;
        dj_report rep;
        memset(&rep, 0, sizeof rep);
        if (dj_pattern_set(&p, n, n, n, diag, diag) == DJ_OK &&
            dj_hsparse_analyze(&s, L, x0, &p, NULL) == DJ_OK &&
            dj_sparse_hessian(values, NULL, NULL, &s, L, x0, NULL, NULL, &rep) == DJ_ENOTSUP)
            name = rep.unsupported;
    }
    dj_hsparse_clear(&s);
    dj_pattern_clear(&p);
    free(diag);
    free(values);
    return name;
}

/* The exact Hessian's analysis into a fresh adapter: DJ_OK also when it
 * is not available (a->hessian then says DJ_IPOPT_LBFGS). */
static int analyse_hessian(dj_ipopt *a, const double *x0)
{
    if (a->objective.eval_var == NULL || (a->m > 0 && a->constraints.eval_var == NULL)) {
        a->hessian = DJ_IPOPT_LBFGS;
        a->hessian_status = DJ_ENOTSUP;
        return DJ_OK;
    }
    a->weights = malloc((1 + a->m) * sizeof *a->weights);
    if (a->weights == NULL)
        return DJ_ENOMEM;
    dj_fn L = lagrangian(a);
    int status = dj_hsparse_analyze(&a->hsparse, &L, x0, NULL, &a->opts);
    if (status == DJ_ENOTSUP) {
        a->hessian = DJ_IPOPT_LBFGS;
        a->hessian_status = DJ_ENOTSUP;
        a->unsupported = unsupported_primitive(&L, x0);
        return DJ_OK;
    }
    if (status == DJ_OK && a->hsparse.pattern.nnz > INT_MAX)
        status = DJ_ERANGE;
    return status;
}

int dj_ipopt_init(dj_ipopt *a, const dj_fn *f, const dj_fn *g, const double *x0,
                  const dj_pattern *known)
{
    if (a == NULL || f == NULL || x0 == NULL)
        return DJ_EINVAL;
    int status = dj_fn_check(f);
    if (status == DJ_OK && g != NULL)
        status = dj_fn_check(g);
    if (status != DJ_OK)
        return status;
    if (f->m != 1 || (g != NULL && g->n != f->n))
        return DJ_EDIM;
    if (f->n > INT_MAX || (g != NULL && g->m > INT_MAX - 1))
        return DJ_ERANGE;
    dj_ipopt fresh;
    memset(&fresh, 0, sizeof fresh);
    fresh.objective = *f;
    fresh.n = f->n;
    fresh.hessian = DJ_IPOPT_EXACT;
    fresh.hessian_status = DJ_OK;
    dj_sparse_init(&fresh.sparse);
    dj_hsparse_init(&fresh.hsparse);
    dj_workspace_init(&fresh.ws_f);
    dj_workspace_init(&fresh.ws_g);
    dj_workspace_init(&fresh.ws_h);
    if (g != NULL) {
        fresh.constraints = *g;
        fresh.m = g->m;
        status = dj_sparse_analyze(&fresh.sparse, g, x0, known);
        if (status == DJ_OK && fresh.sparse.pattern.nnz > INT_MAX)
            status = DJ_ERANGE;
    }
    if (status == DJ_OK)
        status = analyse_hessian(&fresh, x0);
    if (status != DJ_OK) {
        dj_ipopt_clear(&fresh);
        return status;
    }
    *a = fresh;
    return DJ_OK;
}

void dj_ipopt_clear(dj_ipopt *a)
{
    if (a == NULL)
        return;
    dj_sparse_clear(&a->sparse);
    dj_hsparse_clear(&a->hsparse);
    dj_workspace_clear(&a->ws_f);
    dj_workspace_clear(&a->ws_g);
    dj_workspace_clear(&a->ws_h);
    free(a->weights);
    a->weights = NULL;
}

size_t dj_ipopt_jac_nnz(const dj_ipopt *a) { return a && a->m ? a->sparse.pattern.nnz : 0; }

/* Nonzero when eval_h gives the exact Hessian: chosen, and analysed. */
static int exact(const dj_ipopt *a)
{
    return a->hessian == DJ_IPOPT_EXACT && a->hessian_status == DJ_OK && a->weights != NULL;
}

size_t dj_ipopt_hess_nnz(const dj_ipopt *a) { return a && exact(a) ? a->hsparse.pattern.nnz : 0; }

const char *dj_ipopt_hessian_text(const dj_ipopt *a, char *buf, size_t size)
{
    if (buf == NULL || size == 0)
        return "";
    if (a == NULL)
        snprintf(buf, size, "no adapter");
    else if (exact(a))
        snprintf(buf, size,
                 "exact Hessian of the Lagrangian from dualjac: %zu entries in the lower "
                 "triangle, %zu colors",
                 a->hsparse.pattern.nnz, a->hsparse.colors.count);
    else if (a->hessian_status == DJ_OK)
        snprintf(buf, size, "Ipopt's L-BFGS approximation of the Hessian, as the program chose");
    else if (a->unsupported != NULL)
        snprintf(buf, size,
                 "Ipopt's L-BFGS approximation of the Hessian: no exact Hessian, the custom "
                 "primitive '%s' has no second-order rule (%s)",
                 a->unsupported, dj_strerror(a->hessian_status));
    else
        snprintf(buf, size,
                 "Ipopt's L-BFGS approximation of the Hessian: no exact Hessian (%s)",
                 dj_strerror(a->hessian_status));
    return buf;
}

IpoptProblem dj_ipopt_create(dj_ipopt *a, Number *x_L, Number *x_U, Number *g_L, Number *g_U)
{
    if (a == NULL || x_L == NULL || x_U == NULL || (a->m > 0 && (g_L == NULL || g_U == NULL)))
        return NULL;
    IpoptProblem p = CreateIpoptProblem((Index)a->n, x_L, x_U, (Index)a->m, g_L, g_U,
                                        (Index)dj_ipopt_jac_nnz(a), (Index)dj_ipopt_hess_nnz(a),
                                        0, dj_ipopt_eval_f, dj_ipopt_eval_g,
                                        dj_ipopt_eval_grad_f, dj_ipopt_eval_jac_g,
                                        dj_ipopt_eval_h);
    char option[] = "hessian_approximation", value[] = "limited-memory";
    if (p != NULL && !exact(a) && !AddIpoptStrOption(p, option, value)) {
        FreeIpoptProblem(p);
        return NULL;
    }
    return p;
}

Bool dj_ipopt_eval_f(Index n, Number *x, Bool new_x, Number *obj_value, UserDataPtr user_data)
{
    (void)new_x;
    dj_ipopt *a = user_data;
    if (a == NULL || x == NULL || obj_value == NULL)
        return FALSE;
    if ((size_t)n != a->n)
        return outcome(a, DJ_EDIM);
    return outcome(a, evaluate(obj_value, &a->objective, x, &a->nfev));
}

Bool dj_ipopt_eval_grad_f(Index n, Number *x, Bool new_x, Number *grad_f, UserDataPtr user_data)
{
    (void)new_x;
    dj_ipopt *a = user_data;
    if (a == NULL || x == NULL || grad_f == NULL)
        return FALSE;
    if ((size_t)n != a->n)
        return outcome(a, DJ_EDIM);
    dj_opts o = a->opts;
    o.ws = &a->ws_f;
    o.strict = 1;
    o.layout = DJ_ROW_MAJOR;
    o.ld = 0;
    int status = dj_jacobian(grad_f, NULL, &a->objective, x, &o, NULL); /* 1×n: the gradient */
    if (status == DJ_OK)
        a->ngradev++;
    return outcome(a, status);
}

Bool dj_ipopt_eval_g(Index n, Number *x, Bool new_x, Index m, Number *g, UserDataPtr user_data)
{
    (void)new_x;
    dj_ipopt *a = user_data;
    if (a == NULL)
        return FALSE;
    if ((size_t)n != a->n || (size_t)m != a->m)
        return outcome(a, DJ_EDIM);
    if (m == 0)
        return outcome(a, DJ_OK);
    if (x == NULL || g == NULL)
        return outcome(a, DJ_EINVAL);
    return outcome(a, evaluate(g, &a->constraints, x, &a->ngev));
}

Bool dj_ipopt_eval_jac_g(Index n, Number *x, Bool new_x, Index m, Index nele_jac, Index *iRow,
                         Index *jCol, Number *values, UserDataPtr user_data)
{
    (void)new_x;
    dj_ipopt *a = user_data;
    if (a == NULL)
        return FALSE;
    if ((size_t)n != a->n || (size_t)m != a->m || (size_t)nele_jac != dj_ipopt_jac_nnz(a))
        return outcome(a, DJ_EDIM);
    if (m == 0)
        return outcome(a, DJ_OK);
    const dj_pattern *p = &a->sparse.pattern;
    if (values == NULL) { /* the structure, asked for once */
        if (iRow == NULL || jCol == NULL)
            return outcome(a, DJ_EINVAL);
        for (size_t i = 0; i < p->m; i++)
            for (size_t e = p->row_ptr[i]; e < p->row_ptr[i + 1]; e++) {
                iRow[e] = (Index)i;
                jCol[e] = (Index)p->col[e];
            }
        return outcome(a, DJ_OK);
    }
    if (x == NULL)
        return outcome(a, DJ_EINVAL);
    dj_opts o = a->opts;
    o.ws = &a->ws_g;
    o.strict = 1;
    int status = dj_sparse_jacobian(values, NULL, &a->sparse, &a->constraints, x, &o, NULL);
    if (status == DJ_OK)
        a->njev++;
    return outcome(a, status);
}

Bool dj_ipopt_eval_h(Index n, Number *x, Bool new_x, Number obj_factor, Index m, Number *lambda,
                     Bool new_lambda, Index nele_hess, Index *iRow, Index *jCol, Number *values,
                     UserDataPtr user_data)
{
    (void)new_x, (void)new_lambda;
    dj_ipopt *a = user_data;
    if (a == NULL)
        return FALSE;
    if (!exact(a))
        return outcome(a, DJ_ENOTSUP);
    if ((size_t)n != a->n || (size_t)m != a->m || (size_t)nele_hess != dj_ipopt_hess_nnz(a))
        return outcome(a, DJ_EDIM);
    const dj_pattern *p = &a->hsparse.pattern;
    if (values == NULL) { /* the structure, asked for once: the lower triangle */
        if (iRow == NULL || jCol == NULL)
            return outcome(a, DJ_EINVAL);
        for (size_t i = 0; i < p->m; i++)
            for (size_t e = p->row_ptr[i]; e < p->row_ptr[i + 1]; e++) {
                iRow[e] = (Index)i;
                jCol[e] = (Index)p->col[e];
            }
        return outcome(a, DJ_OK);
    }
    if (x == NULL || (m > 0 && lambda == NULL))
        return outcome(a, DJ_EINVAL);
    a->weights[0] = obj_factor;
    for (Index i = 0; i < m; i++)
        a->weights[1 + i] = lambda[i];
    dj_fn L = lagrangian(a);
    dj_opts o = a->opts;
    o.ws = &a->ws_h;
    o.strict = 1;
    int status = dj_sparse_hessian(values, NULL, NULL, &a->hsparse, &L, x, a->weights, &o, NULL);
    if (status == DJ_OK)
        a->nhev++;
    return outcome(a, status);
}
