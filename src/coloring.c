/* coloring.c: greedy distance-2 colorings of a pattern's columns.
 *
 * Columns are the vertices of the column intersection graph (an edge where
 * two columns share a row). The graph is never built for the greedy pass:
 * a column's neighbours are read off the pattern (its rows, their columns).
 * Only smallest-last, which needs degrees that change as vertices leave,
 * builds the adjacency, and only when it is small enough. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NONE SIZE_MAX

/* smallest-last builds the intersection graph only up to this many edge
 * ends (8 bytes each): 400 MB would help no one's Jacobian */
#define SMALLEST_LAST_MAX_ENDS ((size_t)50 * 1000 * 1000)

void dj_coloring_init(dj_coloring *c)
{
    if (c == NULL)
        return;
    c->size = c->count = c->lower_bound = 0;
    c->order = DJ_ORDER_NATURAL;
    c->color = NULL;
}

void dj_coloring_clear(dj_coloring *c)
{
    if (c == NULL)
        return;
    dj__free(c->color);
    dj_coloring_init(c);
}

size_t dj__greedy_columns(const dj_pattern *p, const dj_pattern *t, const size_t *order,
                          size_t *color, size_t *forbid, size_t max_colors)
{
    size_t n = p->n, used = 0;
    for (size_t j = 0; j < n; j++)
        color[j] = NONE;
    for (size_t c = 0; c < max_colors; c++)
        forbid[c] = NONE;
    for (size_t step = 0; step < n; step++) {
        size_t j = order ? order[step] : step;
        for (size_t a = t->row_ptr[j]; a < t->row_ptr[j + 1]; a++) {
            size_t i = t->col[a];
            for (size_t b = p->row_ptr[i]; b < p->row_ptr[i + 1]; b++) {
                size_t c = color[p->col[b]];
                if (c != NONE && c < max_colors)
                    forbid[c] = step;
            }
        }
        size_t c = 0;
        while (c < max_colors && forbid[c] == step)
            c++;
        if (c == max_colors)
            return NONE;
        color[j] = c;
        if (c + 1 > used)
            used = c + 1;
    }
    return used;
}

/* The sum over column j's rows of their other entries: an upper bound on
 * j's degree in the intersection graph, cheap to compute. */
static size_t degree_bound(const dj_pattern *p, const dj_pattern *t, size_t j)
{
    size_t d = 0;
    for (size_t a = t->row_ptr[j]; a < t->row_ptr[j + 1]; a++) {
        size_t i = t->col[a];
        d += p->row_ptr[i + 1] - p->row_ptr[i] - 1;
    }
    return d;
}

typedef struct keyed {
    size_t key, index;
} keyed;

static int by_key_desc(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int largest_first(const dj_pattern *p, const dj_pattern *t, size_t *order)
{
    size_t n = p->n;
    keyed *k = dj__malloc_array(n, sizeof *k);
    if (k == NULL)
        return DJ_ENOMEM;
    for (size_t j = 0; j < n; j++)
        k[j] = (keyed){degree_bound(p, t, j), j};
    qsort(k, n, sizeof *k, by_key_desc);
    for (size_t j = 0; j < n; j++)
        order[j] = k[j].index;
    dj__free(k);
    return DJ_OK;
}

/* Smallest-last (Matula and Beck) on a graph given by its adjacency (ptr,
 * adj, no self loops): remove a vertex of least remaining degree until none
 * is left; order lists them in the reverse of removal, the coloring order.
 * Degrees live in buckets of doubly linked lists so each removal is O(its
 * degree). */
int dj__smallest_last(const size_t *ptr, const size_t *adj, size_t n, size_t *order)
{
    size_t *deg = dj__malloc_array(n ? n : 1, sizeof *deg);
    size_t *next = dj__malloc_array(n ? n : 1, sizeof *next);
    size_t *prev = dj__malloc_array(n ? n : 1, sizeof *prev);
    size_t *head = dj__malloc_array(n ? n : 1, sizeof *head); /* degrees are < n */
    unsigned char *gone = dj__calloc(n ? n : 1, 1);
    int status = DJ_OK;
    if (!deg || !next || !prev || !head || !gone) {
        status = DJ_ENOMEM;
        goto done;
    }
    for (size_t d = 0; d < n; d++)
        head[d] = NONE;
    for (size_t j = n; j-- > 0;) { /* lists in ascending index order */
        deg[j] = ptr[j + 1] - ptr[j];
        prev[j] = NONE;
        next[j] = head[deg[j]];
        if (head[deg[j]] != NONE)
            prev[head[deg[j]]] = j;
        head[deg[j]] = j;
    }
    size_t low = 0;
    for (size_t left = n; left-- > 0;) {
        while (head[low] == NONE)
            low++;
        size_t v = head[low];
        head[low] = next[v];
        if (next[v] != NONE)
            prev[next[v]] = NONE;
        gone[v] = 1;
        order[left] = v;
        for (size_t a = ptr[v]; a < ptr[v + 1]; a++) {
            size_t u = adj[a];
            if (gone[u])
                continue;
            /* move u one bucket down */
            size_t d = deg[u];
            if (prev[u] != NONE)
                next[prev[u]] = next[u];
            else
                head[d] = next[u];
            if (next[u] != NONE)
                prev[next[u]] = prev[u];
            deg[u] = d - 1;
            prev[u] = NONE;
            next[u] = head[d - 1];
            if (head[d - 1] != NONE)
                prev[head[d - 1]] = u;
            head[d - 1] = u;
        }
        low = low > 0 ? low - 1 : 0;
    }
done:
    dj__free(deg);
    dj__free(next);
    dj__free(prev);
    dj__free(head);
    dj__free(gone);
    return status;
}

/* Smallest-last on the column intersection graph, which it builds (with
 * duplicates removed by a stamp per vertex). Returns DJ_ENOTSUP when that
 * graph is too large to build. */
static int smallest_last(const dj_pattern *p, const dj_pattern *t, size_t *order)
{
    size_t n = p->n, ends = 0;
    for (size_t j = 0; j < n; j++) {
        size_t d = degree_bound(p, t, j);
        if (d > SMALLEST_LAST_MAX_ENDS - ends)
            return DJ_ENOTSUP;
        ends += d;
    }
    if (n + 1 == 0)
        return DJ_ERANGE;
    size_t *adj_ptr = dj__malloc_array(n + 1, sizeof *adj_ptr);
    size_t *adj = dj__malloc_array(ends ? ends : 1, sizeof *adj);
    size_t *mark = dj__malloc_array(n ? n : 1, sizeof *mark);
    int status = DJ_OK;
    if (!adj_ptr || !adj || !mark) {
        status = DJ_ENOMEM;
        goto done;
    }
    for (size_t j = 0; j < n; j++)
        mark[j] = NONE;
    size_t e = 0;
    for (size_t j = 0; j < n; j++) {
        adj_ptr[j] = e;
        mark[j] = j;
        for (size_t a = t->row_ptr[j]; a < t->row_ptr[j + 1]; a++) {
            size_t i = t->col[a];
            for (size_t b = p->row_ptr[i]; b < p->row_ptr[i + 1]; b++) {
                size_t v = p->col[b];
                if (mark[v] != j) {
                    mark[v] = j;
                    adj[e++] = v;
                }
            }
        }
    }
    adj_ptr[n] = e;
    status = dj__smallest_last(adj_ptr, adj, n, order);
done:
    dj__free(adj_ptr);
    dj__free(adj);
    dj__free(mark);
    return status;
}

/* Colors p's columns; t is p's transpose. */
static int color_columns(dj_coloring *c, const dj_pattern *p, const dj_pattern *t, dj_order order)
{
    size_t n = p->n, bytes;
    if (!dj__bytes(n, sizeof(size_t), &bytes))
        return DJ_ERANGE;
    size_t *best = dj__malloc(bytes), *color = dj__malloc(bytes); /* bytes: dj__bytes above */
    size_t *perm = dj__malloc(bytes), *forbid = dj__malloc(bytes);
    int status = DJ_OK;
    size_t best_count = NONE, bound = dj_pattern_max_row(p);
    dj_order best_order = DJ_ORDER_NATURAL;
    if (!best || !color || !perm || !forbid) {
        status = DJ_ENOMEM;
        goto done;
    }
    if (bound == n) {
        /* a full row: every column needs its own color, whatever the order */
        for (size_t j = 0; j < n; j++)
            best[j] = j;
        best_count = n;
        best_order = order == DJ_ORDER_BEST ? DJ_ORDER_NATURAL : order;
        goto done;
    }
    for (int o = DJ_ORDER_NATURAL; o <= DJ_ORDER_SMALLEST_LAST; o++) {
        if (order != DJ_ORDER_BEST && o != (int)order)
            continue;
        if (best_count == bound)
            break; /* optimal already */
        if (o == DJ_ORDER_NATURAL) {
            for (size_t j = 0; j < n; j++)
                perm[j] = j;
        } else if (o == DJ_ORDER_LARGEST_FIRST) {
            status = largest_first(p, t, perm);
        } else {
            status = smallest_last(p, t, perm);
            if (status == DJ_ENOTSUP && order == DJ_ORDER_BEST) {
                status = DJ_OK; /* too large to build: keep the others' best */
                continue;
            }
        }
        if (status != DJ_OK)
            goto done;
        size_t count = dj__greedy_columns(p, t, perm, color, forbid, n ? n : 1);
        if (count < best_count) {
            best_count = count;
            best_order = (dj_order)o;
            size_t *swap = best;
            best = color;
            color = swap;
        }
    }
done:
    if (status == DJ_OK && best_count == NONE)
        status = DJ_ENOTSUP; /* smallest-last alone, too large */
    if (status == DJ_OK) {
        dj__free(c->color);
        c->color = best;
        best = NULL;
        c->size = n;
        c->count = best_count;
        c->lower_bound = bound;
        c->order = best_order;
    }
    dj__free(best);
    dj__free(color);
    dj__free(perm);
    dj__free(forbid);
    return status;
}

/* Colors p's columns, or its rows (the columns of its transpose). */
static int color(dj_coloring *c, const dj_pattern *p, dj_order order, int rows)
{
    if (c == NULL || p == NULL || p->row_ptr == NULL)
        return DJ_EINVAL;
    if (order < DJ_ORDER_BEST || order > DJ_ORDER_SMALLEST_LAST)
        return DJ_EINVAL;
    dj_pattern t;
    dj_pattern_init(&t);
    int status = dj_pattern_transpose(&t, p);
    if (status == DJ_OK)
        status = rows ? color_columns(c, &t, p, order) : color_columns(c, p, &t, order);
    dj_pattern_clear(&t);
    return status;
}

int dj_color_columns(dj_coloring *c, const dj_pattern *p, dj_order order)
{
    return color(c, p, order, 0);
}

int dj_color_rows(dj_coloring *c, const dj_pattern *p, dj_order order)
{
    return color(c, p, order, 1);
}

int dj_coloring_valid(const dj_coloring *c, const dj_pattern *p)
{
    if (c == NULL || p == NULL || p->row_ptr == NULL || c->color == NULL || c->size != p->n)
        return 0;
    for (size_t j = 0; j < p->n; j++)
        if (c->color[j] >= c->count)
            return 0;
    size_t *seen = dj__malloc_array(c->count ? c->count : 1, sizeof *seen);
    if (seen == NULL)
        return 0;
    for (size_t k = 0; k < c->count; k++)
        seen[k] = NONE;
    int ok = 1;
    for (size_t i = 0; ok && i < p->m; i++)
        for (size_t e = p->row_ptr[i]; e < p->row_ptr[i + 1]; e++) {
            size_t k = c->color[p->col[e]];
            if (seen[k] == i) {
                ok = 0;
                break;
            }
            seen[k] = i;
        }
    dj__free(seen);
    return ok;
}
