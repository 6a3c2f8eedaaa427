/*
 * gsl.c: the GSL callbacks of dualjac/gsl.h.
 */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "dualjac/gsl.h"

#include "adapter.h"

/* GSL's code for a dualjac status. */
static int outcome(dj_gsl *a, int status)
{
    a->status = status;
    switch (status) {
    case DJ_OK:
        return GSL_SUCCESS;
    case DJ_ENONFINITE:
        return GSL_EBADFUNC;
    case DJ_ENOMEM:
        return GSL_ENOMEM;
    case DJ_EDIM:
        return GSL_EBADLEN;
    case DJ_EINVAL:
        return GSL_EINVAL;
    default:
        return GSL_EFAILED;
    }
}

int dj_gsl_init(dj_gsl *a, const dj_fn *f)
{
    if (a == NULL || f == NULL)
        return DJ_EINVAL;
    int status = dj_fn_check(f);
    if (status != DJ_OK)
        return status;
    memset(a, 0, sizeof *a);
    a->f = *f;
    dj_workspace_init(&a->ws);
    return DJ_OK;
}

void dj_gsl_clear(dj_gsl *a)
{
    if (a == NULL)
        return;
    dj_workspace_clear(&a->ws);
    free(a->x);
    free(a->y);
    a->x = a->y = NULL;
}

int dj_gsl_multiroot_fdf(gsl_multiroot_function_fdf *fdf, dj_gsl *a)
{
    if (fdf == NULL || a == NULL)
        return DJ_EINVAL;
    if (a->f.n != a->f.m)
        return DJ_EDIM;
    fdf->f = dj_gsl_f;
    fdf->df = dj_gsl_df;
    fdf->fdf = dj_gsl_fdf;
    fdf->n = a->f.n;
    fdf->params = a;
    return DJ_OK;
}

int dj_gsl_multifit_fdf(gsl_multifit_nlinear_fdf *fdf, dj_gsl *a)
{
    if (fdf == NULL || a == NULL)
        return DJ_EINVAL;
    memset(fdf, 0, sizeof *fdf);
    fdf->f = dj_gsl_f;
    fdf->df = dj_gsl_df;
    fdf->fvv = NULL;
    fdf->n = a->f.m;
    fdf->p = a->f.n;
    fdf->params = a;
    return DJ_OK;
}

/* x as a contiguous array: its own data, or a copy in a->x. */
static const double *input(dj_gsl *a, const gsl_vector *x)
{
    if (x->stride == 1)
        return x->data;
    if (a->x == NULL && (a->x = malloc(a->f.n * sizeof *a->x)) == NULL)
        return NULL;
    for (size_t j = 0; j < a->f.n; j++)
        a->x[j] = gsl_vector_get(x, j);
    return a->x;
}

/* Where f(x) goes: f's own data, or a->y (copied out by output_done). */
static double *output(dj_gsl *a, gsl_vector *f)
{
    if (f->stride == 1)
        return f->data;
    if (a->y == NULL && (a->y = malloc(a->f.m * sizeof *a->y)) == NULL)
        return NULL;
    return a->y;
}

static void output_done(dj_gsl *a, gsl_vector *f, const double *y)
{
    if (y != f->data)
        for (size_t i = 0; i < a->f.m; i++)
            gsl_vector_set(f, i, y[i]);
}


/* f and/or J at x; either may be NULL. */
static int evaluate(dj_gsl *a, const gsl_vector *x, gsl_vector *f, gsl_matrix *J)
{
    if (x == NULL || x->size != a->f.n || (f && f->size != a->f.m) ||
        (J && (J->size1 != a->f.m || J->size2 != a->f.n)))
        return DJ_EDIM;
    const double *xv = input(a, x);
    double *y = f ? output(a, f) : NULL;
    if (xv == NULL || (f && y == NULL))
        return DJ_ENOMEM;
    int status;
    if (J == NULL) {
        status = dj_eval(y, &a->f, xv);
        if (status == DJ_OK && !dj__adapter_finite(y, a->f.m))
            status = DJ_ENONFINITE;
    } else {
        dj_opts o = a->opts;
        o.ws = &a->ws;
        o.strict = 1;
        o.layout = DJ_ROW_MAJOR;
        o.ld = J->tda;
        status = dj_jacobian(J->data, y, &a->f, xv, &o, &a->report);
        if (status == DJ_OK || status == DJ_ENONFINITE)
            a->njev++;
    }
    if (f && (status == DJ_OK || status == DJ_ENONFINITE)) {
        a->nfev++;
        output_done(a, f, y);
    }
    return status;
}

int dj_gsl_f(const gsl_vector *x, void *params, gsl_vector *f)
{
    dj_gsl *a = params;
    if (a == NULL || f == NULL)
        return GSL_EINVAL;
    return outcome(a, evaluate(a, x, f, NULL));
}

int dj_gsl_df(const gsl_vector *x, void *params, gsl_matrix *J)
{
    dj_gsl *a = params;
    if (a == NULL || J == NULL)
        return GSL_EINVAL;
    return outcome(a, evaluate(a, x, NULL, J));
}

int dj_gsl_fdf(const gsl_vector *x, void *params, gsl_vector *f, gsl_matrix *J)
{
    dj_gsl *a = params;
    if (a == NULL || f == NULL || J == NULL)
        return GSL_EINVAL;
    return outcome(a, evaluate(a, x, f, J));
}
