/*
 * sundials.c: the SUNDIALS callbacks of dualjac/sundials.h.
 *
 * J is an n×n matrix in every case, but a DAE's function F(y, y') has 2n
 * inputs: its pattern (n×2n) is folded onto J's by taking each column modulo
 * n, and entry_of says where each of F's entries lands, to be added with
 * weight 1 (dF/dy) or cj (dF/dy'). For an ODE or a system, J's pattern is
 * F's own and nothing is folded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sunmatrix/sunmatrix_band.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunmatrix/sunmatrix_sparse.h>

#include "dualjac/sundials.h"

#include "adapter.h"

/* SUNDIALS' return convention: 0, recoverable (> 0), unrecoverable (< 0). */
static int outcome(dj_sundials *a, int status)
{
    a->status = status;
    if (status == DJ_OK)
        return 0;
    return status == DJ_ENONFINITE ? 1 : -1;
}


/* The data of an N_Vector of length n, or NULL (vector without an array, or
 * another length). */
static double *vector_data(N_Vector v, size_t n)
{
    if (v == NULL || N_VGetLength(v) < 0 || (size_t)N_VGetLength(v) != n)
        return NULL;
    return N_VGetArrayPointer(v);
}

static int init(dj_sundials *a, const dj_fn *f, double *t, int dae)
{
    if (a == NULL || f == NULL)
        return DJ_EINVAL;
    int status = dj_fn_check(f);
    if (status != DJ_OK)
        return status;
    if (dae ? f->n / 2 != f->m || f->n % 2 != 0 : f->n != f->m)
        return DJ_EDIM;
    memset(a, 0, sizeof *a);
    a->f = *f;
    a->t = t;
    a->n = f->m;
    a->dae = dae;
    dj_sparse_init(&a->sparse);
    dj_workspace_init(&a->ws);
    return DJ_OK;
}

int dj_sundials_init(dj_sundials *a, const dj_fn *f, double *t) { return init(a, f, t, 0); }

int dj_sundials_init_dae(dj_sundials *a, const dj_fn *F, double *t) { return init(a, F, t, 1); }

/* Frees what the analysis built. */
static void clear_analysis(dj_sundials *a)
{
    if (a->dae) {
        free(a->j_row_ptr);
        free(a->j_col);
    }
    free(a->csc_ptr);
    free(a->csc_row);
    free(a->csc_of);
    free(a->entry_of);
    free(a->values);
    free(a->jvalues);
    a->j_row_ptr = a->j_col = a->csc_ptr = a->csc_row = a->csc_of = a->entry_of = NULL;
    a->values = a->jvalues = NULL;
    a->nnz = a->mu = a->ml = 0;
    a->analysed = 0;
}

void dj_sundials_clear(dj_sundials *a)
{
    if (a == NULL)
        return;
    clear_analysis(a);
    dj_sparse_clear(&a->sparse);
    dj_workspace_clear(&a->ws);
    free(a->dense);
    free(a->x);
    a->dense = a->x = NULL;
}

/* The analysis's arrays, built apart and moved into a on success. */
typedef struct folded {
    size_t nnz, *row_ptr, *col, *entry_of;
    size_t *csc_ptr, *csc_row, *csc_of, mu, ml;
    double *values, *jvalues;
} folded;

static void folded_free(folded *g, int dae)
{
    if (dae) {
        free(g->row_ptr);
        free(g->col);
    }
    free(g->entry_of);
    free(g->csc_ptr);
    free(g->csc_row);
    free(g->csc_of);
    free(g->values);
    free(g->jvalues);
}

/* Folds the n×2n pattern p of a DAE's F onto J: in each row, F's columns j
 * (dF/dy) and n + j (dF/dy') both become J's column j. Both halves of a row
 * are ascending, so one merge gives J's row in order. */
static int fold(folded *g, const dj_pattern *p, size_t n)
{
    g->row_ptr = malloc((n + 1) * sizeof *g->row_ptr);
    g->col = malloc((p->nnz ? p->nnz : 1) * sizeof *g->col);
    g->entry_of = malloc((p->nnz ? p->nnz : 1) * sizeof *g->entry_of);
    if (!g->row_ptr || !g->col || !g->entry_of)
        return DJ_ENOMEM;
    size_t out = 0;
    g->row_ptr[0] = 0;
    for (size_t i = 0; i < n; i++) {
        size_t e = p->row_ptr[i], end = p->row_ptr[i + 1], mid = e;
        while (mid < end && p->col[mid] < n)
            mid++;
        size_t u = e, v = mid; /* the dF/dy part [e, mid), the dF/dy' part [mid, end) */
        while (u < mid || v < end) {
            size_t cu = u < mid ? p->col[u] : SIZE_MAX;
            size_t cv = v < end ? p->col[v] - n : SIZE_MAX;
            size_t c = cu < cv ? cu : cv;
            g->col[out] = c;
            if (cu == c)
                g->entry_of[u++] = out;
            if (cv == c)
                g->entry_of[v++] = out;
            out++;
        }
        g->row_ptr[i + 1] = out;
    }
    g->nnz = out;
    return DJ_OK;
}

/* J's CSC indices, the CSC position of each CSR entry, and the bandwidths. */
static int to_csc(folded *g, size_t n)
{
    size_t nz = g->nnz ? g->nnz : 1;
    g->csc_ptr = calloc(n + 1, sizeof *g->csc_ptr);
    g->csc_row = malloc(nz * sizeof *g->csc_row);
    g->csc_of = malloc(nz * sizeof *g->csc_of);
    if (!g->csc_ptr || !g->csc_row || !g->csc_of)
        return DJ_ENOMEM;
    for (size_t e = 0; e < g->nnz; e++)
        g->csc_ptr[g->col[e] + 1]++;
    for (size_t j = 0; j < n; j++)
        g->csc_ptr[j + 1] += g->csc_ptr[j];
    g->mu = g->ml = 0;
    /* rows in increasing order fill each column in increasing row order;
     * csc_ptr[j] serves as column j's cursor and is shifted back after */
    for (size_t i = 0; i < n; i++)
        for (size_t e = g->row_ptr[i]; e < g->row_ptr[i + 1]; e++) {
            size_t j = g->col[e], at = g->csc_ptr[j]++;
            g->csc_row[at] = i;
            g->csc_of[e] = at;
            if (j > i && j - i > g->mu)
                g->mu = j - i;
            if (i > j && i - j > g->ml)
                g->ml = i - j;
        }
    for (size_t j = n; j > 0; j--)
        g->csc_ptr[j] = g->csc_ptr[j - 1];
    g->csc_ptr[0] = 0;
    return DJ_OK;
}

/* Runs the sparse analysis at x ([y, y'] for a DAE) or from known. */
static int analyse(dj_sundials *a, const double *x, const dj_pattern *known)
{
    dj_sparse s;
    dj_sparse_init(&s);
    int status = dj_sparse_analyze(&s, &a->f, x, known);
    if (status != DJ_OK)
        return status;
    folded g;
    memset(&g, 0, sizeof g);
    const dj_pattern *p = &s.pattern;
    if (a->dae)
        status = fold(&g, p, a->n);
    else {
        g.nnz = p->nnz;
        g.row_ptr = p->row_ptr;
        g.col = p->col;
    }
    if (status == DJ_OK)
        status = to_csc(&g, a->n);
    if (status == DJ_OK) {
        g.values = malloc((p->nnz ? p->nnz : 1) * sizeof *g.values);
        if (a->dae)
            g.jvalues = malloc((g.nnz ? g.nnz : 1) * sizeof *g.jvalues);
        if (!g.values || (a->dae && !g.jvalues))
            status = DJ_ENOMEM;
    }
    if (status != DJ_OK) {
        folded_free(&g, a->dae);
        dj_sparse_clear(&s);
        return status;
    }
    clear_analysis(a);
    dj_sparse_clear(&a->sparse);
    a->sparse = s; /* a plain struct of owned arrays: moved */
    a->nnz = g.nnz;
    a->j_row_ptr = a->dae ? g.row_ptr : a->sparse.pattern.row_ptr;
    a->j_col = a->dae ? g.col : a->sparse.pattern.col;
    a->entry_of = g.entry_of;
    a->csc_ptr = g.csc_ptr;
    a->csc_row = g.csc_row;
    a->csc_of = g.csc_of;
    a->mu = g.mu;
    a->ml = g.ml;
    a->values = g.values;
    a->jvalues = g.jvalues;
    a->analysed = 1;
    return DJ_OK;
}

/* [y, y'] in a->x, allocated at the first call. */
static double *dae_point(dj_sundials *a, const double *y, const double *yp)
{
    if (a->x == NULL && (a->x = malloc(2 * a->n * sizeof *a->x)) == NULL)
        return NULL;
    memcpy(a->x, y, a->n * sizeof *y);
    memcpy(a->x + a->n, yp, a->n * sizeof *yp);
    return a->x;
}

int dj_sundials_analyze(dj_sundials *a, const double *y, const double *yp, const dj_pattern *known)
{
    if (a == NULL || (known == NULL && (y == NULL || (a->dae && yp == NULL))))
        return DJ_EINVAL;
    const double *x = y;
    if (known == NULL && a->dae && (x = dae_point(a, y, yp)) == NULL)
        return DJ_ENOMEM;
    return analyse(a, x, known);
}

size_t dj_sundials_nnz(const dj_sundials *a) { return a && a->analysed ? a->nnz : 0; }

int dj_sundials_bandwidths(const dj_sundials *a, sunindextype *mu, sunindextype *ml)
{
    if (a == NULL || !a->analysed || mu == NULL || ml == NULL)
        return DJ_EINVAL;
    *mu = (sunindextype)a->mu;
    *ml = (sunindextype)a->ml;
    return DJ_OK;
}

/* The drivers' options: the user's, with the workspace and strict mode (a
 * NaN or Inf becomes a recoverable failure). */
static dj_opts driver_opts(dj_sundials *a)
{
    dj_opts o = a->opts;
    o.ws = &a->ws;
    o.strict = 1;
    return o;
}

/* J's nonzeros in its CSR order (a->values, or a->jvalues for a DAE). */
static int sparse_values(dj_sundials *a, const double *x, double cj, const double **out)
{
    if (!a->analysed) {
        int status = analyse(a, x, NULL);
        if (status != DJ_OK)
            return status;
    }
    dj_opts o = driver_opts(a);
    int status = dj_sparse_jacobian(a->values, NULL, &a->sparse, &a->f, x, &o, &a->report);
    if (status != DJ_OK && status != DJ_ENONFINITE)
        return status;
    if (!a->dae) {
        *out = a->values;
        return status;
    }
    const dj_pattern *p = &a->sparse.pattern;
    memset(a->jvalues, 0, a->nnz * sizeof *a->jvalues);
    for (size_t e = 0; e < p->nnz; e++)
        a->jvalues[a->entry_of[e]] += p->col[e] < a->n ? a->values[e] : cj * a->values[e];
    *out = a->jvalues;
    return status;
}

static int fill_dense(dj_sundials *a, SUNMatrix J, const double *x, double cj)
{
    size_t n = a->n;
    if (SUNDenseMatrix_Rows(J) != (sunindextype)n || SUNDenseMatrix_Columns(J) != (sunindextype)n)
        return DJ_EDIM;
    double *data = SUNDenseMatrix_Data(J); /* column-major, column j at data + j·n */
    dj_opts o = driver_opts(a);
    o.layout = DJ_COL_MAJOR;
    o.ld = n;
    if (!a->dae)
        return dj_jacobian(data, NULL, &a->f, x, &o, &a->report);
    /* [dF/dy dF/dy'] (n×2n, column-major), then J = dF/dy + cj dF/dy' */
    if (a->dense == NULL) {
        if (n > SIZE_MAX / sizeof(double) / 2 / n)
            return DJ_ERANGE;
        if ((a->dense = malloc(2 * n * n * sizeof *a->dense)) == NULL)
            return DJ_ENOMEM;
    }
    int status = dj_jacobian(a->dense, NULL, &a->f, x, &o, &a->report);
    if (status != DJ_OK && status != DJ_ENONFINITE)
        return status;
    for (size_t k = 0; k < n * n; k++)
        data[k] = a->dense[k] + cj * a->dense[n * n + k];
    return status;
}

static int fill_band(dj_sundials *a, SUNMatrix J, const double *x, double cj)
{
    size_t n = a->n;
    if (SUNBandMatrix_Rows(J) != (sunindextype)n || SUNBandMatrix_Columns(J) != (sunindextype)n)
        return DJ_EDIM;
    const double *v;
    int status = sparse_values(a, x, cj, &v);
    if (status != DJ_OK && status != DJ_ENONFINITE)
        return status;
    if ((size_t)SUNBandMatrix_UpperBandwidth(J) < a->mu ||
        (size_t)SUNBandMatrix_LowerBandwidth(J) < a->ml)
        return DJ_EDIM; /* J has entries outside the matrix's band */
    SUNMatZero(J);
    for (size_t i = 0; i < n; i++)
        for (size_t e = a->j_row_ptr[i]; e < a->j_row_ptr[i + 1]; e++) {
            size_t j = a->j_col[e];
            /* SUNBandMatrix_Column(J, j)[i - j] is entry (i, j) */
            double *col = SUNBandMatrix_Column(J, (sunindextype)j);
            col[(ptrdiff_t)i - (ptrdiff_t)j] = v[e];
        }
    return status;
}

static int fill_sparse(dj_sundials *a, SUNMatrix J, const double *x, double cj)
{
    size_t n = a->n;
    if (SUNSparseMatrix_Rows(J) != (sunindextype)n || SUNSparseMatrix_Columns(J) != (sunindextype)n)
        return DJ_EDIM;
    const double *v;
    int status = sparse_values(a, x, cj, &v);
    if (status != DJ_OK && status != DJ_ENONFINITE)
        return status;
    /* a matrix created before the analysis may be too small: grown once */
    if ((size_t)SUNSparseMatrix_NNZ(J) < a->nnz &&
        SUNSparseMatrix_Reallocate(J, (sunindextype)a->nnz) != 0)
        return DJ_ENOMEM;
    double *data = SUNSparseMatrix_Data(J);
    sunindextype *ptr = SUNSparseMatrix_IndexPointers(J), *idx = SUNSparseMatrix_IndexValues(J);
    if (SUNSparseMatrix_SparseType(J) == CSR_MAT) {
        for (size_t i = 0; i <= n; i++)
            ptr[i] = (sunindextype)a->j_row_ptr[i];
        for (size_t e = 0; e < a->nnz; e++) {
            idx[e] = (sunindextype)a->j_col[e];
            data[e] = v[e];
        }
    } else {
        for (size_t j = 0; j <= n; j++)
            ptr[j] = (sunindextype)a->csc_ptr[j];
        for (size_t e = 0; e < a->nnz; e++) {
            idx[e] = (sunindextype)a->csc_row[e];
            data[a->csc_of[e]] = v[e];
        }
    }
    return status;
}

/* J at x (y, or [y, y'] for a DAE) into whatever matrix the solver holds. */
static int jacobian(dj_sundials *a, SUNMatrix J, const double *x, double cj)
{
    if (J == NULL)
        return DJ_EINVAL;
    int status;
    switch (SUNMatGetID(J)) {
    case SUNMATRIX_DENSE:
        status = fill_dense(a, J, x, cj);
        break;
    case SUNMATRIX_BAND:
        status = fill_band(a, J, x, cj);
        break;
    case SUNMATRIX_SPARSE:
        status = fill_sparse(a, J, x, cj);
        break;
    default:
        status = DJ_ENOTSUP;
    }
    if (status == DJ_OK || status == DJ_ENONFINITE)
        a->njev++;
    return status;
}

/* y = f(x) (ydot, r or fu) with the finiteness check of strict mode. */
static int evaluate(dj_sundials *a, double *y, const double *x)
{
    int status = dj_eval(y, &a->f, x);
    if (status == DJ_OK) {
        a->nfev++;
        if (!dj__adapter_finite(y, a->n))
            status = DJ_ENONFINITE;
    }
    return status;
}

int dj_sundials_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *user_data)
{
    dj_sundials *a = user_data;
    if (a == NULL || a->dae)
        return -1;
    const double *x = vector_data(y, a->n);
    double *out = vector_data(ydot, a->n);
    if (x == NULL || out == NULL)
        return outcome(a, DJ_EINVAL);
    if (a->t)
        *a->t = t;
    return outcome(a, evaluate(a, out, x));
}

int dj_sundials_rhs_jac(sunrealtype t, N_Vector y, N_Vector fy, SUNMatrix J, void *user_data,
                        N_Vector tmp1, N_Vector tmp2, N_Vector tmp3)
{
    (void)fy, (void)tmp1, (void)tmp2, (void)tmp3;
    dj_sundials *a = user_data;
    if (a == NULL || a->dae)
        return -1;
    const double *x = vector_data(y, a->n);
    if (x == NULL)
        return outcome(a, DJ_EINVAL);
    if (a->t)
        *a->t = t;
    return outcome(a, jacobian(a, J, x, 0.0));
}

int dj_sundials_res(sunrealtype t, N_Vector y, N_Vector yp, N_Vector r, void *user_data)
{
    dj_sundials *a = user_data;
    if (a == NULL || !a->dae)
        return -1;
    const double *py = vector_data(y, a->n), *pyp = vector_data(yp, a->n);
    double *out = vector_data(r, a->n);
    if (py == NULL || pyp == NULL || out == NULL)
        return outcome(a, DJ_EINVAL);
    const double *x = dae_point(a, py, pyp);
    if (x == NULL)
        return outcome(a, DJ_ENOMEM);
    if (a->t)
        *a->t = t;
    return outcome(a, evaluate(a, out, x));
}

int dj_sundials_res_jac(sunrealtype t, sunrealtype cj, N_Vector y, N_Vector yp, N_Vector r,
                        SUNMatrix J, void *user_data, N_Vector tmp1, N_Vector tmp2, N_Vector tmp3)
{
    (void)r, (void)tmp1, (void)tmp2, (void)tmp3;
    dj_sundials *a = user_data;
    if (a == NULL || !a->dae)
        return -1;
    const double *py = vector_data(y, a->n), *pyp = vector_data(yp, a->n);
    if (py == NULL || pyp == NULL)
        return outcome(a, DJ_EINVAL);
    const double *x = dae_point(a, py, pyp);
    if (x == NULL)
        return outcome(a, DJ_ENOMEM);
    if (a->t)
        *a->t = t;
    return outcome(a, jacobian(a, J, x, cj));
}

int dj_sundials_sys(N_Vector u, N_Vector fu, void *user_data)
{
    dj_sundials *a = user_data;
    if (a == NULL || a->dae)
        return -1;
    const double *x = vector_data(u, a->n);
    double *out = vector_data(fu, a->n);
    if (x == NULL || out == NULL)
        return outcome(a, DJ_EINVAL);
    return outcome(a, evaluate(a, out, x));
}

int dj_sundials_sys_jac(N_Vector u, N_Vector fu, SUNMatrix J, void *user_data, N_Vector tmp1,
                        N_Vector tmp2)
{
    (void)fu, (void)tmp1, (void)tmp2;
    dj_sundials *a = user_data;
    if (a == NULL || a->dae)
        return -1;
    const double *x = vector_data(u, a->n);
    if (x == NULL)
        return outcome(a, DJ_EINVAL);
    return outcome(a, jacobian(a, J, x, 0.0));
}
