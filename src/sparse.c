/* sparse.c: sparse Jacobians by compressed forward passes (columns of one
 * color seeded together) or compressed reverse sweeps (rows of one color). */
#include <string.h>

#include "driver.h"
#include "forward.h"
#include "reverse.h"

void dj_sparse_init(dj_sparse *s)
{
    if (s == NULL)
        return;
    memset(s, 0, sizeof *s);
    dj_pattern_init(&s->pattern);
    dj_coloring_init(&s->columns);
    dj_coloring_init(&s->rows);
    s->mode = DJ_MODE_FORWARD;
}

static void free_index(dj_sparse *s)
{
    dj__free(s->entry_row);
    dj__free(s->entry_color);
    dj__free(s->col_groups);
    dj__free(s->col_group_ptr);
    dj__free(s->col_entries);
    dj__free(s->col_entry_ptr);
    dj__free(s->row_groups);
    dj__free(s->row_group_ptr);
    dj__free(s->row_entries);
    dj__free(s->row_entry_ptr);
}

void dj_sparse_clear(dj_sparse *s)
{
    if (s == NULL)
        return;
    dj_pattern_clear(&s->pattern);
    dj_coloring_clear(&s->columns);
    dj_coloring_clear(&s->rows);
    free_index(s);
    dj_sparse_init(s);
}

/* Groups the items 0..size-1 by color (counting sort): items in
 * groups[ptr[c] .. ptr[c+1]-1] have color c. */
static void group(size_t *groups, size_t *ptr, const size_t *color, size_t size, size_t colors)
{
    memset(ptr, 0, (colors + 1) * sizeof *ptr);
    for (size_t i = 0; i < size; i++)
        ptr[color[i] + 1]++;
    for (size_t c = 0; c < colors; c++)
        ptr[c + 1] += ptr[c];
    for (size_t i = 0; i < size; i++)
        groups[ptr[color[i]]++] = i;
    for (size_t c = colors; c > 0; c--)
        ptr[c] = ptr[c - 1];
    ptr[0] = 0;
}

/* The index arrays of an analysis whose pattern and colorings are set. */
static int build_index(dj_sparse *s)
{
    const dj_pattern *p = &s->pattern;
    size_t m = p->m, n = p->n, nnz = p->nnz, cc = s->columns.count, rc = s->rows.count;
    size_t z = sizeof(size_t), e1 = nnz ? nnz : 1;
    if (cc + 1 == 0 || rc + 1 == 0)
        return DJ_ERANGE;
    s->entry_row = dj__malloc_array(e1, z);
    s->entry_color = dj__malloc_array(e1, z);
    s->col_groups = dj__malloc_array(n, z);
    s->col_group_ptr = dj__malloc_array(cc + 1, z);
    s->col_entries = dj__malloc_array(e1, z);
    s->col_entry_ptr = dj__malloc_array(cc + 1, z);
    s->row_groups = dj__malloc_array(m, z);
    s->row_group_ptr = dj__malloc_array(rc + 1, z);
    s->row_entries = dj__malloc_array(e1, z);
    s->row_entry_ptr = dj__malloc_array(rc + 1, z);
    size_t *color = dj__malloc_array(e1, z);
    if (!s->entry_row || !s->entry_color || !s->col_groups || !s->col_group_ptr || !s->col_entries ||
        !s->col_entry_ptr || !s->row_groups || !s->row_group_ptr || !s->row_entries ||
        !s->row_entry_ptr || !color) {
        dj__free(color);
        return DJ_ENOMEM;
    }
    dj_pattern_rows(p, s->entry_row);
    group(s->col_groups, s->col_group_ptr, s->columns.color, n, cc);
    group(s->row_groups, s->row_group_ptr, s->rows.color, m, rc);
    for (size_t e = 0; e < nnz; e++)
        s->entry_color[e] = s->columns.color[p->col[e]];
    group(s->col_entries, s->col_entry_ptr, s->entry_color, nnz, cc);
    for (size_t e = 0; e < nnz; e++)
        color[e] = s->rows.color[s->entry_row[e]];
    group(s->row_entries, s->row_entry_ptr, color, nnz, rc);
    dj__free(color);
    return DJ_OK;
}

int dj_sparse_analyze(dj_sparse *s, const dj_fn *f, const double *x, const dj_pattern *known)
{
    if (s == NULL)
        return DJ_EINVAL;
    int status = dj_fn_check(f);
    if (status != DJ_OK)
        return status;
    if (known == NULL && x == NULL)
        return DJ_EINVAL;
    if (known != NULL && (known->row_ptr == NULL || known->col == NULL))
        return DJ_EINVAL;
    if (known != NULL && (known->m != f->m || known->n != f->n))
        return DJ_EDIM;
    dj_sparse t;
    dj_sparse_init(&t);
    status = known ? dj_pattern_copy(&t.pattern, known) : dj_pattern_detect(&t.pattern, f, x);
    if (status == DJ_OK)
        status = dj_color_columns(&t.columns, &t.pattern, DJ_ORDER_BEST);
    if (status == DJ_OK)
        status = dj_color_rows(&t.rows, &t.pattern, DJ_ORDER_BEST);
    if (status == DJ_OK)
        status = build_index(&t);
    if (status != DJ_OK) {
        dj_sparse_clear(&t);
        return status;
    }
    t.mode = f->eval_var ? dj_mode_auto(t.columns.count, t.rows.count) : DJ_MODE_FORWARD;
    dj_sparse_clear(s);
    *s = t;
    return DJ_OK;
}

/* ---- forward: color groups of columns ------------------------------------- */

typedef struct sparse_out {
    const dj_sparse *s;
    double *values;
} sparse_out;

/* The values are checked once, after every pass or sweep, not per store. */
static int values_finite(const sparse_out *out)
{
    return dj__all_finite(out->values, out->s->pattern.nnz);
}

/* The colors pass (or sweep) p covers: [*c0, *c1). */
static void colors_of(size_t p, int k, size_t colors, size_t *c0, size_t *c1)
{
    *c0 = p * (size_t)k;
    *c1 = colors - *c0 < (size_t)k ? colors : *c0 + (size_t)k;
}

/* A pass that covers a good share of the colors walks the columns and
 * entries in their natural order, a single stream through memory; one that
 * covers a few of many colors visits only its groups. */
static int walk_all(size_t c0, size_t c1, size_t colors) { return 4 * (c1 - c0) >= colors; }

static void column_seed(const dj__passes *job, double *X, size_t p, double value)
{
    const dj_sparse *s = ((const sparse_out *)job->ctx)->s;
    size_t st = dj__stride(job->k), c0, c1;
    colors_of(p, job->k, s->columns.count, &c0, &c1);
    const size_t *color = s->columns.color;
    if (c0 == 0 && c1 == s->columns.count) { /* every column, one pass */
        for (size_t j = 0; j < s->pattern.n; j++)
            X[j * st + 1 + color[j]] = value;
        return;
    }
    if (walk_all(c0, c1, s->columns.count)) {
        for (size_t j = 0; j < s->pattern.n; j++)
            if (color[j] >= c0 && color[j] < c1)
                X[j * st + 1 + (color[j] - c0)] = value;
        return;
    }
    for (size_t c = c0; c < c1; c++)
        for (size_t a = s->col_group_ptr[c]; a < s->col_group_ptr[c + 1]; a++)
            X[s->col_groups[a] * st + 1 + (c - c0)] = value;
}

static int column_store(const dj__passes *job, const double *Y, size_t p)
{
    const sparse_out *out = job->ctx;
    const dj_sparse *s = out->s;
    size_t st = dj__stride(job->k), m = job->f->m, c0, c1;
    colors_of(p, job->k, s->columns.count, &c0, &c1);
    const dj_pattern *pt = &s->pattern;
    const size_t *color = s->entry_color;
    if (c0 == 0 && c1 == s->columns.count) { /* every entry, one pass */
        for (size_t i = 0; i < m; i++) {
            const double *row = Y + i * st + 1;
            for (size_t e = pt->row_ptr[i]; e < pt->row_ptr[i + 1]; e++)
                out->values[e] = row[color[e]];
        }
    } else if (walk_all(c0, c1, s->columns.count)) {
        for (size_t i = 0; i < m; i++) {
            const double *row = Y + i * st + 1;
            for (size_t e = pt->row_ptr[i]; e < pt->row_ptr[i + 1]; e++) {
                size_t c = color[e];
                if (c >= c0 && c < c1)
                    out->values[e] = row[c - c0];
            }
        }
    } else {
        for (size_t c = c0; c < c1; c++)
            for (size_t a = s->col_entry_ptr[c]; a < s->col_entry_ptr[c + 1]; a++) {
                size_t e = s->col_entries[a];
                out->values[e] = Y[s->entry_row[e] * st + 1 + (c - c0)];
            }
    }
    return 1; /* checked by column_finite */
}

static int column_finite(const dj__passes *job) { return values_finite(job->ctx); }

/* ---- reverse: color groups of rows ----------------------------------------- */

static int row_seed(const dj__sweeps *job, double *U, size_t r, double value)
{
    const dj_sparse *s = ((const sparse_out *)job->ctx)->s;
    size_t m = s->pattern.m, c0, c1;
    colors_of(r, job->k, s->rows.count, &c0, &c1);
    if (walk_all(c0, c1, s->rows.count)) {
        const size_t *color = s->rows.color;
        for (size_t i = 0; i < m; i++)
            if (color[i] >= c0 && color[i] < c1)
                U[(color[i] - c0) * m + i] = value;
        return dj__width_for(c1 - c0);
    }
    for (size_t c = c0; c < c1; c++)
        for (size_t a = s->row_group_ptr[c]; a < s->row_group_ptr[c + 1]; a++)
            U[(c - c0) * m + s->row_groups[a]] = value;
    return dj__width_for(c1 - c0);
}

static void row_store(const dj__sweeps *job, const double *JU, size_t r, int kw)
{
    const sparse_out *out = job->ctx;
    const dj_sparse *s = out->s;
    size_t n = s->pattern.n, c0, c1;
    (void)kw;
    colors_of(r, job->k, s->rows.count, &c0, &c1);
    if (walk_all(c0, c1, s->rows.count)) {
        const dj_pattern *pt = &s->pattern;
        const size_t *color = s->rows.color;
        for (size_t i = 0; i < pt->m; i++)
            if (color[i] >= c0 && color[i] < c1) {
                const double *row = JU + (color[i] - c0) * n;
                for (size_t e = pt->row_ptr[i]; e < pt->row_ptr[i + 1]; e++)
                    out->values[e] = row[pt->col[e]];
            }
        return;
    }
    for (size_t c = c0; c < c1; c++)
        for (size_t a = s->row_entry_ptr[c]; a < s->row_entry_ptr[c + 1]; a++) {
            size_t e = s->row_entries[a];
            out->values[e] = JU[(c - c0) * n + s->pattern.col[e]];
        }
}

static int row_finite(const dj__sweeps *job) { return values_finite(job->ctx); }

/* dj_sparse_jacobian's work between the driver's begin and end; opts is
 * not NULL. */
static int sparse_jacobian(double *values, double *y, const dj_sparse *s, const dj_fn *f,
                           const double *x, const dj_opts *opts, dj_report *facts)
{
    int status = dj_fn_check(f);
    if (status != DJ_OK)
        return status;
    if (values == NULL || x == NULL || s == NULL || s->pattern.row_ptr == NULL ||
        s->entry_row == NULL || s->pattern.m != f->m || s->pattern.n != f->n)
        return DJ_EINVAL;
    if (opts->mode != DJ_MODE_AUTO && opts->mode != DJ_MODE_FORWARD &&
        opts->mode != DJ_MODE_REVERSE)
        return DJ_EINVAL;
    if (opts->chunk != 0 && !dj_chunk_valid(opts->chunk))
        return DJ_ECHUNK;
    if (opts->threads < 0)
        return DJ_EINVAL;
    size_t nnz = s->pattern.nnz;
    if (dj__overlap(values, nnz, x, f->n) || dj__overlap(y, f->m, x, f->n) ||
        dj__overlap(y, f->m, values, nnz))
        return DJ_EINVAL;
    dj_mode mode = opts->mode == DJ_MODE_AUTO ? s->mode : opts->mode;
    if (mode == DJ_MODE_REVERSE && f->eval_var == NULL)
        return DJ_ENOTSUP;
    size_t colors = mode == DJ_MODE_FORWARD ? s->columns.count : s->rows.count;
    int k = opts->chunk ? opts->chunk : dj_chunk_auto(colors);

    if ((status = dj__workspace_acquire(opts->ws)) != DJ_OK)
        return status;
    sparse_out out = {s, values};
    size_t count = (colors + (size_t)k - 1) / (size_t)k;
    if (mode == DJ_MODE_FORWARD) {
        dj__passes job = {f, x, k, count, column_seed, column_store, column_finite, &out};
        status = dj__forward_passes(&job, y, opts->ws, opts->threads, colors, facts);
    } else {
        dj__sweeps job = {NULL, k, count, row_seed, row_store, row_finite, &out};
        status = dj__reverse_sweeps(&job, y, f, x, opts->ws, opts->threads, colors, facts);
    }
    dj__workspace_release(opts->ws);
    return status;
}

int dj_sparse_jacobian(double *values, double *y, const dj_sparse *s, const dj_fn *f,
                       const double *x, const dj_opts *opts, dj_report *report)
{
    static const dj_opts defaults = {0};
    dj__driver d;
    dj__driver_begin(&d, opts, report);
    int status = sparse_jacobian(values, y, s, f, x, opts ? opts : &defaults, dj__driver_facts(&d));
    return dj__driver_end(&d, status);
}

int dj_sparse_to_dense(double *J, const dj_pattern *p, const double *values, dj_layout layout,
                       size_t ld)
{
    if (J == NULL || p == NULL || p->row_ptr == NULL || (values == NULL && p->nnz > 0))
        return DJ_EINVAL;
    if (layout != DJ_ROW_MAJOR && layout != DJ_COL_MAJOR)
        return DJ_EINVAL;
    size_t min_ld = layout == DJ_ROW_MAJOR ? p->n : p->m;
    if (ld == 0)
        ld = min_ld;
    if (ld < min_ld)
        return DJ_EDIM;
    size_t outer = layout == DJ_ROW_MAJOR ? p->m : p->n, cells, bytes;
    if (!dj__mul_size(outer, ld, &cells) || !dj__bytes(cells, sizeof(double), &bytes))
        return DJ_ERANGE;
    for (size_t o = 0; o < outer; o++)
        memset(J + o * ld, 0, min_ld * sizeof *J);
    for (size_t i = 0; i < p->m; i++)
        for (size_t e = p->row_ptr[i]; e < p->row_ptr[i + 1]; e++) {
            size_t j = p->col[e];
            J[layout == DJ_ROW_MAJOR ? i * ld + j : j * ld + i] = values[e];
        }
    return DJ_OK;
}
