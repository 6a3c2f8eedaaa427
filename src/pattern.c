/* pattern.c: sparsity patterns in CSR: building, copying, transposing (and
 * pattern_detect.c detects them). */
#include <string.h>

#include "internal.h"

void dj_pattern_init(dj_pattern *p)
{
    if (p == NULL)
        return;
    p->m = p->n = p->nnz = 0;
    p->row_ptr = NULL;
    p->col = NULL;
}

void dj_pattern_clear(dj_pattern *p)
{
    if (p == NULL)
        return;
    dj__free(p->row_ptr);
    dj__free(p->col);
    dj_pattern_init(p);
}

int dj__pattern_alloc(dj_pattern *out, size_t m, size_t n, size_t nnz)
{
    size_t rb, cb;
    if (m + 1 == 0 || !dj__bytes(m + 1, sizeof(size_t), &rb) ||
        !dj__bytes(nnz, sizeof(size_t), &cb))
        return DJ_ERANGE;
    size_t *row_ptr = dj__malloc(rb), *col = dj__malloc(cb);
    if (row_ptr == NULL || col == NULL) {
        dj__free(row_ptr);
        dj__free(col);
        return DJ_ENOMEM;
    }
    out->m = m;
    out->n = n;
    out->nnz = nnz;
    out->row_ptr = row_ptr;
    out->col = col;
    return DJ_OK;
}

void dj__pattern_replace(dj_pattern *p, dj_pattern *fresh)
{
    dj_pattern_clear(p);
    *p = *fresh;
}

/* Short rows by insertion sort; a long one by marking its columns in seen
 * and reading them back in order, O(n). */
size_t dj__pattern_sort_rows(dj_pattern *p, unsigned char *seen)
{
    size_t out = 0;
    for (size_t i = 0; i < p->m; i++) {
        size_t lo = p->row_ptr[i], hi = p->row_ptr[i + 1];
        p->row_ptr[i] = out;
        size_t *c = p->col;
        if (hi - lo > 32) {
            /* mark and sweep the columns: O(n) for a long row */
            for (size_t e = lo; e < hi; e++)
                seen[c[e]] = 1;
            size_t w = out;
            for (size_t j = 0; j < p->n; j++)
                if (seen[j]) {
                    c[w++] = j;
                    seen[j] = 0;
                }
            out = w;
            continue;
        }
        for (size_t e = lo + 1; e < hi; e++) {
            size_t v = c[e], f = e;
            while (f > lo && c[f - 1] > v) {
                c[f] = c[f - 1];
                f--;
            }
            c[f] = v;
        }
        for (size_t e = lo; e < hi; e++)
            if (e == lo || c[e] != c[e - 1])
                c[out++] = c[e];
    }
    p->row_ptr[p->m] = out;
    p->nnz = out;
    return out;
}

int dj_pattern_set(dj_pattern *p, size_t m, size_t n, size_t nnz, const size_t *rows,
                   const size_t *cols)
{
    if (p == NULL || (nnz > 0 && (rows == NULL || cols == NULL)))
        return DJ_EINVAL;
    if (m == 0 || n == 0)
        return DJ_EDIM;
    for (size_t e = 0; e < nnz; e++)
        if (rows[e] >= m || cols[e] >= n)
            return DJ_EDIM;
    dj_pattern q;
    int status = dj__pattern_alloc(&q, m, n, nnz);
    if (status != DJ_OK)
        return status;
    unsigned char *seen = dj__calloc(n, 1);
    if (seen == NULL) {
        dj_pattern_clear(&q);
        return DJ_ENOMEM;
    }
    /* counting sort by row */
    memset(q.row_ptr, 0, (m + 1) * sizeof *q.row_ptr);
    for (size_t e = 0; e < nnz; e++)
        q.row_ptr[rows[e] + 1]++;
    for (size_t i = 0; i < m; i++)
        q.row_ptr[i + 1] += q.row_ptr[i];
    for (size_t e = 0; e < nnz; e++)
        q.col[q.row_ptr[rows[e]]++] = cols[e];
    for (size_t i = m; i > 0; i--)
        q.row_ptr[i] = q.row_ptr[i - 1];
    q.row_ptr[0] = 0;
    dj__pattern_sort_rows(&q, seen);
    dj__free(seen);
    dj__pattern_replace(p, &q);
    return DJ_OK;
}

int dj_pattern_copy(dj_pattern *dst, const dj_pattern *src)
{
    if (dst == NULL || src == NULL || src->row_ptr == NULL)
        return DJ_EINVAL;
    if (dst == src)
        return DJ_OK;
    dj_pattern q;
    int status = dj__pattern_alloc(&q, src->m, src->n, src->nnz);
    if (status != DJ_OK)
        return status;
    memcpy(q.row_ptr, src->row_ptr, (src->m + 1) * sizeof *q.row_ptr);
    if (src->nnz > 0)
        memcpy(q.col, src->col, src->nnz * sizeof *q.col);
    dj__pattern_replace(dst, &q);
    return DJ_OK;
}

void dj__pattern_transpose_into(const dj_pattern *src, size_t *col_ptr, size_t *rows)
{
    /* counting sort by column; rows come out ascending because they are
     * visited in order */
    memset(col_ptr, 0, (src->n + 1) * sizeof *col_ptr);
    for (size_t e = 0; e < src->nnz; e++)
        col_ptr[src->col[e] + 1]++;
    for (size_t j = 0; j < src->n; j++)
        col_ptr[j + 1] += col_ptr[j];
    for (size_t i = 0; i < src->m; i++)
        for (size_t e = src->row_ptr[i]; e < src->row_ptr[i + 1]; e++)
            rows[col_ptr[src->col[e]]++] = i;
    for (size_t j = src->n; j > 0; j--)
        col_ptr[j] = col_ptr[j - 1];
    col_ptr[0] = 0;
}

int dj_pattern_transpose(dj_pattern *dst, const dj_pattern *src)
{
    if (dst == NULL || src == NULL || src->row_ptr == NULL || dst == src)
        return DJ_EINVAL;
    dj_pattern q;
    int status = dj__pattern_alloc(&q, src->n, src->m, src->nnz);
    if (status != DJ_OK)
        return status;
    dj__pattern_transpose_into(src, q.row_ptr, q.col);
    dj__pattern_replace(dst, &q);
    return DJ_OK;
}

void dj_pattern_rows(const dj_pattern *p, size_t *rows)
{
    if (p == NULL || rows == NULL || p->row_ptr == NULL)
        return;
    for (size_t i = 0; i < p->m; i++)
        for (size_t e = p->row_ptr[i]; e < p->row_ptr[i + 1]; e++)
            rows[e] = i;
}

size_t dj_pattern_max_row(const dj_pattern *p)
{
    size_t best = 0;
    if (p == NULL || p->row_ptr == NULL)
        return 0;
    for (size_t i = 0; i < p->m; i++)
        if (p->row_ptr[i + 1] - p->row_ptr[i] > best)
            best = p->row_ptr[i + 1] - p->row_ptr[i];
    return best;
}

int dj_pattern_has(const dj_pattern *p, size_t i, size_t j)
{
    if (p == NULL || p->row_ptr == NULL || i >= p->m)
        return 0;
    size_t lo = p->row_ptr[i], hi = p->row_ptr[i + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->col[mid] == j)
            return 1;
        if (p->col[mid] < j)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}
