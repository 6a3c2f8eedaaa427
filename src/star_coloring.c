/* star_coloring.c: star colorings of a symmetric pattern, for Hessians.
 *
 * Variables are vertices, off-diagonal entries edges. A star coloring is a
 * distance-1 coloring in which every path on four vertices has at least
 * three colors (each pair of colors induces a forest of stars). Then every
 * off-diagonal entry H_ij is read directly from one Hessian-vector product
 * (Gebremedhin, Manne and Pothen, "What color is your Jacobian?", SIAM
 * Review 47, 2005): with d_c the sum of the unit vectors of color c,
 * H_ij = (H·d_c(j))_i when no other neighbour of i has j's color, else
 * H_ij = (H·d_c(i))_j; one of the two holds, or the path k-i-j-l with
 * c(k) = c(j), c(l) = c(i) would have two colors.
 *
 * The greedy rule (theirs): v may not take the color of a neighbour w, nor,
 * for a colored neighbour w, the color of a colored x ∈ N(w) that has
 * another neighbour of w's color (v-w-x-y would be two-colored), nor, for an
 * uncolored neighbour w, the color of any colored x ∈ N(w). The second test
 * is what makes a hub expensive (an arrowhead's row 0 has every variable):
 * each colored w keeps nbad(w), the number of its neighbours x for which it
 * holds, so that a hub with none is skipped in O(1); the counts of colors
 * around each vertex live in one hash table. Orders are tried as for the
 * Jacobian colorings, and an order stops as soon as it needs more colors
 * than the best so far (a hub colored late would cost O(n) a vertex). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NONE SIZE_MAX
#define EMPTY UINT64_MAX

/* The symmetric graph of a pattern (lower triangle or whole): adjacency in
 * CSR, the diagonal dropped, each edge in both directions once. */
typedef struct graph {
    size_t n, *ptr, *adj;
} graph;

static void graph_free(graph *g)
{
    dj__free(g->ptr);
    dj__free(g->adj);
}

static int graph_build(graph *g, const dj_pattern *p)
{
    size_t n = p->n;
    g->n = n;
    g->ptr = dj__calloc(n + 1, sizeof *g->ptr);
    if (g->ptr == NULL)
        return DJ_ENOMEM;
    /* past the check: an offset on a null pointer is undefined */
    size_t *deg = g->ptr + 1, edges = 0;
    /* a pattern given whole lists each edge twice: keep (i, j) with i > j
     * and its mirror only when the mirror is absent */
    for (size_t i = 0; i < p->m; i++)
        for (size_t a = p->row_ptr[i]; a < p->row_ptr[i + 1]; a++) {
            size_t j = p->col[a];
            if (j == i || (j > i && dj_pattern_has(p, j, i)))
                continue;
            deg[i]++, deg[j]++, edges++;
        }
    for (size_t i = 0; i < n; i++)
        g->ptr[i + 1] += g->ptr[i];
    /* edges <= nonzeros, so 2·edges + 1 and n + 1 cannot wrap; their bytes
     * are checked */
    g->adj = dj__malloc_array(2 * edges + 1, sizeof *g->adj);
    size_t *fill = dj__malloc_array(n + 1, sizeof *fill);
    if (g->adj == NULL || fill == NULL) {
        dj__free(fill);
        graph_free(g);
        return DJ_ENOMEM;
    }
    memcpy(fill, g->ptr, n * sizeof *fill);
    for (size_t i = 0; i < p->m; i++)
        for (size_t a = p->row_ptr[i]; a < p->row_ptr[i + 1]; a++) {
            size_t j = p->col[a];
            if (j == i || (j > i && dj_pattern_has(p, j, i)))
                continue;
            g->adj[fill[i]++] = j;
            g->adj[fill[j]++] = i;
        }
    dj__free(fill);
    return DJ_OK;
}

/* Counts of colors around each vertex: (vertex, color) -> neighbours of
 * that vertex with that color, open addressing. */
typedef struct counts {
    uint64_t *key;
    uint32_t *count;
    size_t mask;
    unsigned shift; /* 64 - log2 of the capacity */
} counts;

static int counts_init(counts *c, size_t entries)
{
    size_t cap = 64;
    unsigned bits = 6;
    while (cap < 2 * entries + 16) {
        if (cap > (size_t)PTRDIFF_MAX / 2 / sizeof(uint64_t))
            return DJ_ERANGE;
        cap *= 2;
        bits++;
    }
    c->shift = 64 - bits;
    c->key = dj__malloc_array(cap, sizeof *c->key);
    c->count = dj__malloc_array(cap, sizeof *c->count);
    if (c->key == NULL || c->count == NULL) {
        dj__free(c->key);
        dj__free(c->count);
        c->key = NULL;
        c->count = NULL;
        return DJ_ENOMEM;
    }
    memset(c->key, 0xff, cap * sizeof *c->key);
    c->mask = cap - 1;
    return DJ_OK;
}

static void counts_free(counts *c)
{
    dj__free(c->key);
    dj__free(c->count);
}

/* The slot of (v, color); empty when absent. There is always room: each
 * vertex-color pair comes from an edge end, and the table has twice that. */
static size_t counts_slot(const counts *c, size_t v, size_t color)
{
    /* Fibonacci hashing: the top bits of the product depend on every bit
     * of the key (its low bits would not see the vertex) */
    uint64_t k = ((uint64_t)v << 32) | (uint64_t)color;
    size_t h = (size_t)((k * 0x9e3779b97f4a7c15u) >> c->shift);
    while (c->key[h] != EMPTY && c->key[h] != k)
        h = (h + 1) & c->mask;
    return h;
}

static uint32_t counts_get(const counts *c, size_t v, size_t color)
{
    size_t h = counts_slot(c, v, color);
    return c->key[h] == EMPTY ? 0 : c->count[h];
}

static uint32_t counts_add(counts *c, size_t v, size_t color)
{
    size_t h = counts_slot(c, v, color);
    if (c->key[h] == EMPTY) {
        c->key[h] = ((uint64_t)v << 32) | (uint64_t)color;
        c->count[h] = 0;
    }
    return ++c->count[h];
}

/* Greedy star coloring in the given order; stops early, returning NONE,
 * once more than `limit` colors are needed. */
static size_t star_greedy(const graph *g, const size_t *order, size_t *color, size_t *forbid,
                          size_t *nbad, counts *cnt, size_t limit)
{
    size_t n = g->n, used = 0;
    for (size_t v = 0; v < n; v++)
        color[v] = forbid[v] = NONE, nbad[v] = 0;
    memset(cnt->key, 0xff, (cnt->mask + 1) * sizeof *cnt->key);
    for (size_t step = 0; step < n; step++) {
        size_t v = order[step];
        for (size_t a = g->ptr[v]; a < g->ptr[v + 1]; a++) {
            size_t w = g->adj[a];
            if (color[w] != NONE) {
                forbid[color[w]] = step;
                if (nbad[w] == 0)
                    continue;
                /* a colored x ∈ N(w) with another neighbour of w's color */
                for (size_t b = g->ptr[w]; b < g->ptr[w + 1]; b++) {
                    size_t x = g->adj[b];
                    if (color[x] != NONE && counts_get(cnt, x, color[w]) >= 2)
                        forbid[color[x]] = step;
                }
            } else {
                for (size_t b = g->ptr[w]; b < g->ptr[w + 1]; b++) {
                    size_t x = g->adj[b];
                    if (color[x] != NONE)
                        forbid[color[x]] = step;
                }
            }
        }
        size_t c = 0;
        while (c < n && forbid[c] == step)
            c++;
        if (c + 1 > limit)
            return NONE;
        color[v] = c;
        if (c + 1 > used)
            used = c + 1;
        /* v's color around its neighbours; a neighbour x that now has two
         * of it makes x bad for both (v, and the other found by a walk that
         * happens once per vertex and color) */
        for (size_t a = g->ptr[v]; a < g->ptr[v + 1]; a++) {
            size_t x = g->adj[a];
            if (counts_add(cnt, x, c) == 2 && color[x] != NONE)
                for (size_t b = g->ptr[x]; b < g->ptr[x + 1]; b++) {
                    size_t w = g->adj[b];
                    if (w != v && color[w] == c)
                        nbad[w]++;
                }
        }
        /* v's own count, and v as a bad neighbour of those it has two of */
        for (size_t a = g->ptr[v]; a < g->ptr[v + 1]; a++) {
            size_t x = g->adj[a];
            if (color[x] == NONE)
                continue;
            if (counts_get(cnt, x, c) >= 2)
                nbad[v]++;
            if (counts_get(cnt, v, color[x]) >= 2)
                nbad[x]++;
        }
    }
    return used;
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

/* The order for one of the dj_order values (not BEST). */
static int make_order(const graph *g, dj_order which, size_t *order)
{
    size_t n = g->n;
    if (which == DJ_ORDER_NATURAL) {
        for (size_t v = 0; v < n; v++)
            order[v] = v;
        return DJ_OK;
    }
    if (which == DJ_ORDER_LARGEST_FIRST) {
        keyed *k = dj__malloc_array(n ? n : 1, sizeof *k);
        if (k == NULL)
            return DJ_ENOMEM;
        for (size_t v = 0; v < n; v++)
            k[v] = (keyed){g->ptr[v + 1] - g->ptr[v], v};
        qsort(k, n, sizeof *k, by_key_desc);
        for (size_t v = 0; v < n; v++)
            order[v] = k[v].index;
        dj__free(k);
        return DJ_OK;
    }
    return dj__smallest_last(g->ptr, g->adj, n, order);
}

int dj_color_star(dj_coloring *c, const dj_pattern *p, dj_order order)
{
    if (c == NULL || p == NULL || p->m != p->n || order < DJ_ORDER_BEST ||
        order > DJ_ORDER_SMALLEST_LAST)
        return DJ_EINVAL;
    size_t n = p->n;
    graph g = {0, NULL, NULL};
    int status = graph_build(&g, p);
    if (status != DJ_OK)
        return status;
    size_t *color = dj__malloc_array(n ? n : 1, sizeof *color);
    size_t *best = dj__malloc_array(n ? n : 1, sizeof *best);
    size_t *forbid = dj__malloc_array(n ? n : 1, sizeof *forbid);
    size_t *nbad = dj__malloc_array(n ? n : 1, sizeof *nbad);
    size_t *ord = dj__malloc_array(n ? n : 1, sizeof *ord);
    counts cnt = {NULL, NULL, 0, 0};
    if (!color || !best || !forbid || !nbad || !ord) {
        status = DJ_ENOMEM;
        goto done;
    }
    if ((status = counts_init(&cnt, g.ptr[n])) != DJ_OK)
        goto done;
    /* largest-first first: hubs early, so the other orders stop soon when
     * they do worse */
    static const dj_order tries[] = {DJ_ORDER_LARGEST_FIRST, DJ_ORDER_SMALLEST_LAST,
                                     DJ_ORDER_NATURAL};
    size_t best_count = NONE;
    dj_order best_order = DJ_ORDER_NATURAL;
    for (size_t t = 0; t < sizeof tries / sizeof *tries; t++) {
        if (order != DJ_ORDER_BEST && order != tries[t])
            continue;
        status = make_order(&g, tries[t], ord);
        if (status == DJ_ENOTSUP)
            continue; /* smallest-last on a graph too large to keep */
        if (status != DJ_OK)
            goto done;
        size_t used = star_greedy(&g, ord, color, forbid, nbad, &cnt,
                                  best_count == NONE ? n + 1 : best_count - 1);
        if (used == NONE)
            continue;
        best_count = used;
        best_order = tries[t];
        memcpy(best, color, n * sizeof *best);
    }
    if (best_count == NONE) {
        status = DJ_ENOMEM; /* unreachable: the first order always ends */
        goto done;
    }
    dj__free(c->color);
    c->color = best;
    best = NULL;
    c->size = n;
    c->count = best_count;
    c->order = best_order;
    /* a vertex and its neighbours need not all differ (an arrowhead's hub
     * and its leaves take two colors): a pattern with an edge needs 2 */
    c->lower_bound = n == 0 ? 0 : (g.ptr[n] > 0 ? 2 : 1);
done:
    counts_free(&cnt);
    dj__free(color);
    dj__free(best);
    dj__free(forbid);
    dj__free(nbad);
    dj__free(ord);
    graph_free(&g);
    return status;
}

int dj_star_coloring_valid(const dj_coloring *c, const dj_pattern *p)
{
    if (c == NULL || p == NULL || c->size != p->n || p->m != p->n || c->color == NULL)
        return 0;
    graph g = {0, NULL, NULL};
    if (graph_build(&g, p) != DJ_OK)
        return 0;
    int ok = 1;
    for (size_t v = 0; v < g.n && ok; v++)
        if (c->color[v] >= c->count)
            ok = 0;
    /* neighbours differ, and every edge can be read from one of its ends:
     * i has no other neighbour of j's color, or j none of i's */
    for (size_t i = 0; i < g.n && ok; i++)
        for (size_t a = g.ptr[i]; a < g.ptr[i + 1] && ok; a++) {
            size_t j = g.adj[a], from_i = 0, from_j = 0;
            if (c->color[i] == c->color[j]) {
                ok = 0;
                break;
            }
            for (size_t b = g.ptr[i]; b < g.ptr[i + 1]; b++)
                from_i += g.adj[b] != j && c->color[g.adj[b]] == c->color[j];
            for (size_t b = g.ptr[j]; b < g.ptr[j + 1]; b++)
                from_j += g.adj[b] != i && c->color[g.adj[b]] == c->color[i];
            if (from_i && from_j)
                ok = 0;
        }
    graph_free(&g);
    return ok;
}
