/* sparse_hessian.c: sparse Hessians, one sweep direction per color of a
 * star coloring, each entry read directly from one product. */
#include <string.h>

#include "graph_internal.h"
#include "hessian_internal.h"
#include "passes.h"

void dj_hsparse_init(dj_hsparse *s)
{
    if (s == NULL)
        return;
    memset(s, 0, sizeof *s);
    dj_pattern_init(&s->pattern);
    dj_coloring_init(&s->colors);
}

void dj_hsparse_clear(dj_hsparse *s)
{
    if (s == NULL)
        return;
    dj_pattern_clear(&s->pattern);
    dj_coloring_clear(&s->colors);
    dj__free(s->group_vars);
    dj__free(s->group_ptr);
    dj__free(s->read_entries);
    dj__free(s->read_ptr);
    dj__free(s->read_row);
    dj_hsparse_init(s);
}

/* The lower triangle of a symmetric pattern given whole or in part: (i, j)
 * and (j, i) are one entry, kept as (max, min). */
static int lower_of(dj_pattern *out, const dj_pattern *p)
{
    size_t nnz = p->nnz, *rows = dj__malloc_array(nnz ? nnz : 1, sizeof *rows);
    size_t *cols = dj__malloc_array(nnz ? nnz : 1, sizeof *cols);
    int status = DJ_ENOMEM;
    if (rows != NULL && cols != NULL) {
        for (size_t i = 0; i < p->m; i++)
            for (size_t a = p->row_ptr[i]; a < p->row_ptr[i + 1]; a++) {
                size_t j = p->col[a];
                rows[a] = i > j ? i : j;
                cols[a] = i > j ? j : i;
            }
        status = dj_pattern_set(out, p->n, p->n, nnz, rows, cols);
    }
    dj__free(rows);
    dj__free(cols);
    return status;
}

/* The reading of every entry: the diagonal from its own color's product;
 * (i, j) from the product of j's color at row i when i has no other
 * neighbour of that color, else from that of i's color at row j. */
static int plan_reading(dj_hsparse *s)
{
    const dj_pattern *p = &s->pattern;
    size_t n = p->n, nnz = p->nnz, colors = s->colors.count;
    const size_t *color = s->colors.color;
    dj_pattern t;
    dj_pattern_init(&t);
    int status = dj_pattern_transpose(&t, p);
    if (status != DJ_OK)
        return status;
    size_t *seen = dj__malloc_array(colors ? colors : 1, sizeof *seen);
    size_t *count = dj__calloc(colors ? colors : 1, sizeof *count);
    size_t *read_color = dj__malloc_array(nnz ? nnz : 1, sizeof *read_color);
    size_t *read_at = dj__malloc_array(nnz ? nnz : 1, sizeof *read_at);
    size_t *groups = dj__malloc_array(n ? n : 1, sizeof *groups);
    size_t *group_ptr = dj__calloc(colors + 1, sizeof *group_ptr);
    size_t *entries = dj__malloc_array(nnz ? nnz : 1, sizeof *entries);
    size_t *entry_ptr = dj__calloc(colors + 1, sizeof *entry_ptr);
    size_t *rows = dj__malloc_array(nnz ? nnz : 1, sizeof *rows);
    if (!seen || !count || !read_color || !read_at || !groups || !group_ptr || !entries ||
        !entry_ptr || !rows) {
        status = DJ_ENOMEM;
        goto fail;
    }
    for (size_t c = 0; c < colors; c++)
        seen[c] = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        /* the colors around i: its row's columns and its column's rows */
        for (size_t a = p->row_ptr[i]; a < p->row_ptr[i + 1]; a++)
            if (p->col[a] != i) {
                size_t c = color[p->col[a]];
                count[c] = seen[c] == i ? count[c] + 1 : 1, seen[c] = i;
            }
        for (size_t a = t.row_ptr[i]; a < t.row_ptr[i + 1]; a++)
            if (t.col[a] != i) {
                size_t c = color[t.col[a]];
                count[c] = seen[c] == i ? count[c] + 1 : 1, seen[c] = i;
            }
        for (size_t a = p->row_ptr[i]; a < p->row_ptr[i + 1]; a++) {
            size_t j = p->col[a];
            if (j == i || count[color[j]] == 1) {
                read_color[a] = color[j];
                read_at[a] = i;
            } else {
                read_color[a] = color[i];
                read_at[a] = j;
            }
        }
    }
    /* variables and entries grouped by color (counting sorts) */
    for (size_t v = 0; v < n; v++)
        group_ptr[color[v] + 1]++;
    for (size_t e = 0; e < nnz; e++)
        entry_ptr[read_color[e] + 1]++;
    for (size_t c = 0; c < colors; c++) {
        group_ptr[c + 1] += group_ptr[c];
        entry_ptr[c + 1] += entry_ptr[c];
    }
    for (size_t v = 0; v < n; v++)
        groups[group_ptr[color[v]]++] = v;
    for (size_t e = 0; e < nnz; e++) {
        size_t at = entry_ptr[read_color[e]]++;
        entries[at] = e;
        rows[at] = read_at[e];
    }
    for (size_t c = colors; c > 0; c--) {
        group_ptr[c] = group_ptr[c - 1];
        entry_ptr[c] = entry_ptr[c - 1];
    }
    group_ptr[0] = entry_ptr[0] = 0;
    s->group_vars = groups;
    s->group_ptr = group_ptr;
    s->read_entries = entries;
    s->read_ptr = entry_ptr;
    s->read_row = rows;
    groups = group_ptr = entries = entry_ptr = rows = NULL;
fail:
    dj_pattern_clear(&t);
    dj__free(seen);
    dj__free(count);
    dj__free(read_color);
    dj__free(read_at);
    dj__free(groups);
    dj__free(group_ptr);
    dj__free(entries);
    dj__free(entry_ptr);
    dj__free(rows);
    return status;
}

int dj_hsparse_analyze(dj_hsparse *s, const dj_fn *f, const double *x,
                       const dj_pattern *known, const dj_opts *opts)
{
    (void)opts;
    if (s == NULL)
        return DJ_EINVAL;
    int status = dj_fn_check(f);
    if (status != DJ_OK)
        return status;
    if (known == NULL && x == NULL)
        return DJ_EINVAL;
    if (known != NULL && (known->m != f->n || known->n != f->n))
        return DJ_EDIM;
    dj_hsparse fresh;
    dj_hsparse_init(&fresh);
    status = known ? lower_of(&fresh.pattern, known)
                   : dj_hessian_pattern_detect(&fresh.pattern, f, x);
    if (status == DJ_OK)
        status = dj_color_star(&fresh.colors, &fresh.pattern, DJ_ORDER_BEST);
    if (status == DJ_OK)
        status = plan_reading(&fresh);
    if (status != DJ_OK) {
        dj_hsparse_clear(&fresh);
        return status;
    }
    dj_hsparse_clear(s);
    *s = fresh;
    return DJ_OK;
}

/* What the sparse Hessian's sweeps fill. */
typedef struct sparse_target {
    const dj_hsparse *s;
    double *values;
} sparse_target;

/* Sweep r seeds colors rK .. rK + kw - 1, one direction each: the sum of
 * the unit vectors of the color's variables. Each entry is read from one
 * color's product, so sweeps store apart. */
static size_t color_seed(const dj__hsweeps *job, double *V, size_t r, double value)
{
    const dj_hsparse *s = ((const sparse_target *)job->ctx)->s;
    size_t n = s->pattern.n, colors = s->colors.count, K = (size_t)job->k;
    size_t first = r * K, kw = colors > first ? colors - first : 0;
    if (kw > K)
        kw = K;
    for (size_t c = 0; c < kw; c++)
        for (size_t a = s->group_ptr[first + c]; a < s->group_ptr[first + c + 1]; a++)
            V[c * n + s->group_vars[a]] = value;
    return kw;
}

static int color_store(const dj__hsweeps *job, const double *HV, size_t r, size_t kw)
{
    const sparse_target *t = job->ctx;
    const dj_hsparse *s = t->s;
    size_t n = s->pattern.n, first = r * (size_t)job->k;
    int finite = 1;
    for (size_t c = 0; c < kw; c++) {
        const double *h = HV + c * n;
        for (size_t a = s->read_ptr[first + c]; a < s->read_ptr[first + c + 1]; a++) {
            double v = h[s->read_row[a]];
            t->values[s->read_entries[a]] = v;
            finite &= v - v == 0;
        }
    }
    return finite;
}

int dj_sparse_hessian(double *values, double *grad, double *y, const dj_hsparse *s,
                      const dj_fn *f, const double *x, const double *w, const dj_opts *opts,
                      dj_report *report)
{
    dj__hessian_call call;
    dj__hessian_begin(&call, opts, report);
    opts = call.opts;
    int status = dj__hessian_check(f, x);
    if (status != DJ_OK)
        return dj__hessian_end(&call, status);
    if (s == NULL || (values == NULL && s->pattern.nnz > 0) || s->pattern.n != f->n ||
        s->colors.size != f->n || s->read_ptr == NULL)
        return dj__hessian_end(&call, DJ_EINVAL);
    if (opts->chunk != 0 && !dj_chunk_valid(opts->chunk))
        return dj__hessian_end(&call, DJ_ECHUNK);
    {
        const double *out[] = {values, grad, y}, *in[] = {w};
        const size_t oc[] = {s->pattern.nnz, f->n, f->m}, ic[] = {f->m};
        if ((status = dj__hessian_arguments(&call, x, f->n, out, oc, 3, in, ic, 1)) != DJ_OK)
            return dj__hessian_end(&call, status);
    }
    size_t n = f->n, colors = s->colors.count;
    int k = opts->chunk ? opts->chunk : dj__width_for(colors);
    size_t K = (size_t)k, sweeps = (colors + K - 1) / K;
    if (sweeps == 0)
        sweeps = 1; /* the gradient and y still come from one */

    status = dj__hessian_record(&call, f, x);
    if (status != DJ_OK)
        return dj__hessian_end(&call, status);
    sparse_target target = {s, values};
    dj__hsweeps job = {sweeps, k, w, color_seed, color_store, &target};
    int finite, threads = 1;
    const double *g = NULL;
    status = dj__hessian_sweeps(&call, &job, &g, &finite, &threads);
    if (status == DJ_OK) {
        if (grad != NULL)
            memcpy(grad, g, n * sizeof *g);
        dj__hessian_outputs(&call, y, x, n, finite && dj__all_finite(g, n));
        dj_report *facts = dj__driver_facts(&call.driver);
        facts->mode = DJ_MODE_REVERSE;
        facts->chunk = k;
        facts->sweeps = sweeps;
        facts->threads = threads;
        facts->colors = colors;
    }
    return dj__hessian_end(&call, status);
}
