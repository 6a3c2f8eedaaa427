/*
 * ipopt.c: the Ipopt callbacks of dualjac/ipopt.h.
 */
#include <limits.h>
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

int dj_ipopt_init(dj_ipopt *a, const dj_fn *f, const dj_fn *g, const double *x0,
                  const dj_pattern *known)
{
    if (a == NULL || f == NULL || (g != NULL && x0 == NULL && known == NULL))
        return DJ_EINVAL;
    int status = dj_fn_check(f);
    if (status == DJ_OK && g != NULL)
        status = dj_fn_check(g);
    if (status != DJ_OK)
        return status;
    if (f->m != 1 || (g != NULL && g->n != f->n))
        return DJ_EDIM;
    if (f->n > INT_MAX || (g != NULL && g->m > INT_MAX))
        return DJ_ERANGE;
    dj_ipopt fresh;
    memset(&fresh, 0, sizeof fresh);
    fresh.objective = *f;
    fresh.n = f->n;
    dj_sparse_init(&fresh.sparse);
    dj_workspace_init(&fresh.ws_f);
    dj_workspace_init(&fresh.ws_g);
    if (g != NULL) {
        fresh.constraints = *g;
        fresh.m = g->m;
        status = dj_sparse_analyze(&fresh.sparse, g, x0, known);
        if (status == DJ_OK && fresh.sparse.pattern.nnz > INT_MAX)
            status = DJ_ERANGE;
        if (status != DJ_OK) {
            dj_sparse_clear(&fresh.sparse);
            return status;
        }
    }
    *a = fresh;
    return DJ_OK;
}

void dj_ipopt_clear(dj_ipopt *a)
{
    if (a == NULL)
        return;
    dj_sparse_clear(&a->sparse);
    dj_workspace_clear(&a->ws_f);
    dj_workspace_clear(&a->ws_g);
}

size_t dj_ipopt_jac_nnz(const dj_ipopt *a) { return a && a->m ? a->sparse.pattern.nnz : 0; }

IpoptProblem dj_ipopt_create(dj_ipopt *a, Number *x_L, Number *x_U, Number *g_L, Number *g_U)
{
    if (a == NULL || x_L == NULL || x_U == NULL || (a->m > 0 && (g_L == NULL || g_U == NULL)))
        return NULL;
    IpoptProblem p = CreateIpoptProblem((Index)a->n, x_L, x_U, (Index)a->m, g_L, g_U,
                                        (Index)dj_ipopt_jac_nnz(a), 0, 0, dj_ipopt_eval_f,
                                        dj_ipopt_eval_g, dj_ipopt_eval_grad_f,
                                        dj_ipopt_eval_jac_g, dj_ipopt_eval_h);
    /* no exact Hessian yet: Ipopt's L-BFGS approximation */
    char option[] = "hessian_approximation", value[] = "limited-memory";
    if (p != NULL && !AddIpoptStrOption(p, option, value)) {
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
    (void)n, (void)x, (void)new_x, (void)obj_factor, (void)m, (void)lambda, (void)new_lambda;
    (void)nele_hess, (void)iRow, (void)jCol, (void)values;
    dj_ipopt *a = user_data;
    if (a != NULL)
        a->status = DJ_ENOTSUP;
    return FALSE;
}
