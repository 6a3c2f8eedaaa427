/* jacobian_colored.c: a dense J that is mostly zero, by colored forward
 * passes (dj_sparsity in jacobian.h says when and what is promised).
 *
 * One recording of f at x gives J's pattern there (pattern_walk.h) and a
 * greedy coloring of its columns in natural order: columns that share no
 * row share a color, and one tangent seeds a whole color. A tridiagonal J
 * of any n takes 3 colors, one pass, where dense forward mode takes n/16.
 * The pattern is found at every call, since f may branch on x; with a
 * workspace the last pattern and its coloring are kept, and reused when the
 * pattern found is the same, so a loop of Jacobians allocates nothing after
 * its first. The walk and the coloring stop as soon as they show that the
 * colored passes would not be at most half the dense ones, so a dense f
 * costs one recording and a short walk; a workspace then remembers it and
 * skips the examination for the next calls of the same f. */
#include <string.h>

#include "forward.h"
#include "jacobian_colored.h"
#include "passes.h"
#include "pattern_walk.h"
#include "reverse.h"

/* Forward mode tries colors only from this many dense passes: below it, the
 * recording and the walk cost about what they could save. */
enum { MIN_DENSE_PASSES = 12 };
/* A function found dense is left alone for this many calls more. */
enum { DENSE_SKIP = 63 };

/* What a workspace keeps between calls (ws->colored). */
typedef struct colored {
    dj__pattern_walk walk;
    /* the last pattern (as the walk gave it) and its coloring */
    size_t m, n, nnz;
    size_t *row_ptr, *cols, *color; /* m + 1, nnz, n */
    size_t rows_cap, cols_cap, color_cap;
    size_t colors;                  /* 0: nothing kept */
    /* the coloring's scratch: the transpose and the forbidden colors */
    size_t *col_ptr, *col_rows, *forbid;
    size_t tcols_cap, trows_cap, forbid_cap;
    /* the last f found dense, and how many of its calls to skip */
    dj_fn dense_f;
    int dense_skip;
} colored;

static void colored_init(colored *c)
{
    *c = (colored){0};
    dj__pattern_walk_init(&c->walk);
}

static void colored_release(colored *c)
{
    dj__pattern_walk_clear(&c->walk);
    dj__free(c->row_ptr);
    dj__free(c->cols);
    dj__free(c->color);
    dj__free(c->col_ptr);
    dj__free(c->col_rows);
    dj__free(c->forbid);
}

void dj__colored_free(void *kept)
{
    if (kept == NULL)
        return;
    colored_release(kept);
    dj__free(kept);
}

/* Grows a kept size_t array (dj__scratch_grow); at least one element. */
static int grow(size_t **p, size_t *cap, size_t want)
{
    return dj__scratch_grow((void **)p, cap, want ? want : 1, sizeof **p);
}

static int same_f(const dj_fn *a, const dj_fn *b)
{
    return a->eval_double == b->eval_double && a->eval_var == b->eval_var && a->n == b->n &&
           a->m == b->m && a->ctx == b->ctx;
}

/* Whether the walk found the pattern c keeps. */
static int same_pattern(const colored *c, const dj__pattern_walk *w, size_t m, size_t n)
{
    return c->colors > 0 && c->m == m && c->n == n && c->nnz == w->cols_len &&
           memcmp(c->row_ptr, w->row_ptr, (m + 1) * sizeof *c->row_ptr) == 0 &&
           memcmp(c->cols, w->cols, c->nnz * sizeof *c->cols) == 0;
}

/* Colors the walk's pattern greedily in natural order into c->color; stops
 * with DJ__WALK_DENSE at more than max_colors colors (coloring.c). */
static int color_columns(colored *c, const dj__pattern_walk *w, size_t m, size_t n,
                         size_t max_colors)
{
    size_t nnz = w->cols_len;
    int status = grow(&c->color, &c->color_cap, n);
    if (status == DJ_OK)
        status = grow(&c->col_ptr, &c->tcols_cap, n + 1);
    if (status == DJ_OK)
        status = grow(&c->col_rows, &c->trows_cap, nnz);
    if (status == DJ_OK)
        status = grow(&c->forbid, &c->forbid_cap, max_colors);
    if (status != DJ_OK)
        return status;
    /* the walk's rows are unsorted, which the greedy pass does not mind */
    const dj_pattern p = {m, n, nnz, w->row_ptr, w->cols};
    dj__pattern_transpose_into(&p, c->col_ptr, c->col_rows);
    const dj_pattern t = {n, m, nnz, c->col_ptr, c->col_rows};
    size_t used = dj__greedy_columns(&p, &t, NULL, c->color, c->forbid, max_colors);
    if (used == SIZE_MAX)
        return DJ__WALK_DENSE;
    c->colors = used;
    return DJ_OK;
}

/* Keeps the walk's pattern as the one c->color colors. */
static int keep_pattern(colored *c, const dj__pattern_walk *w, size_t m, size_t n)
{
    size_t nnz = w->cols_len;
    int status = grow(&c->row_ptr, &c->rows_cap, m + 1);
    if (status == DJ_OK)
        status = grow(&c->cols, &c->cols_cap, nnz);
    if (status != DJ_OK)
        return status;
    memcpy(c->row_ptr, w->row_ptr, (m + 1) * sizeof *c->row_ptr);
    memcpy(c->cols, w->cols, nnz * sizeof *c->cols);
    c->m = m;
    c->n = n;
    c->nnz = nnz;
    return DJ_OK;
}

/* ---- the passes ------------------------------------------------------------ */

typedef struct colored_out {
    const colored *c;
    double *J;
    dj_layout layout;
    size_t ld;
} colored_out;

/* Pass p seeds the columns of colors p·k .. p·k+k-1. */
static void colored_seed(const dj__passes *job, double *X, size_t p, double value)
{
    const colored *c = ((const colored_out *)job->ctx)->c;
    size_t st = dj__stride(job->k), c0 = p * (size_t)job->k;
    size_t w = dj__block_width(c->colors, p, job->k);
    for (size_t j = 0; j < c->n; j++)
        if (c->color[j] - c0 < w) /* unsigned: also below c0 */
            X[j * st + 1 + (c->color[j] - c0)] = value;
}

/* Each entry of the pattern whose column has one of pass p's colors takes
 * that color's tangent; J's other cells were zeroed before the passes. */
static int colored_store(const dj__passes *job, const double *Y, size_t p)
{
    const colored_out *out = job->ctx;
    const colored *c = out->c;
    size_t st = dj__stride(job->k), c0 = p * (size_t)job->k;
    size_t w = dj__block_width(c->colors, p, job->k);
    int row_major = out->layout == DJ_ROW_MAJOR;
    for (size_t i = 0; i < c->m; i++) {
        const double *t = Y + i * st + 1;
        for (size_t e = c->row_ptr[i]; e < c->row_ptr[i + 1]; e++) {
            size_t j = c->cols[e], k = c->color[j] - c0;
            if (k < w)
                out->J[row_major ? i * out->ld + j : j * out->ld + i] = t[k];
        }
    }
    return 1; /* checked once by colored_finite */
}

/* Whether every entry of the pattern is finite in J (the zeros are). */
static int colored_finite(const dj__passes *job)
{
    const colored_out *out = job->ctx;
    const colored *c = out->c;
    int row_major = out->layout == DJ_ROW_MAJOR;
    double acc = 0.0;
    for (size_t i = 0; i < c->m; i++)
        for (size_t e = c->row_ptr[i]; e < c->row_ptr[i + 1]; e++) {
            size_t j = c->cols[e];
            double v = out->J[row_major ? i * out->ld + j : j * out->ld + i];
            acc += v - v; /* 0 for finite v, NaN otherwise */
        }
    return acc == 0.0;
}

static size_t passes_for(size_t colors, int k) { return (colors + (size_t)k - 1) / (size_t)k; }

/* The chunk for `colors` colors: the caller's, or automatic. */
static int chunk_for(int chunk, size_t colors)
{
    return chunk ? chunk : dj_chunk_auto(colors);
}

/* Finds the pattern at x and its coloring into c. DJ_OK (c->colors set),
 * DJ__WALK_DENSE, or an error. facts->graph_nodes gets the recording's
 * size. */
static int examine(colored *c, const dj_fn *f, const double *x, int chunk, size_t dense_passes,
                   dj_workspace *ws, dj_report *facts)
{
    size_t m = f->m, n = f->n;
    dj__recording rec;
    int status = dj__record_begin(&rec, f, x, ws);
    if (status == DJ_OK) {
        const dj_graph *g = rec.g;
        facts->graph_nodes = g->count;
        /* colored passes must be at most half the dense ones: a row with
         * more entries needs more colors than that; the walk may cost a
         * quarter of the dense passes' node visits, at least 4 visits a
         * node */
        size_t max_colors = (dense_passes / 2) * (size_t)(chunk ? chunk : DJ_CHUNK_MAX);
        size_t visits, per = dense_passes / 4 > 4 ? dense_passes / 4 : 4;
        if (!dj__mul_size(g->count, per, &visits))
            visits = SIZE_MAX;
        status = dj__pattern_walk_graph(&c->walk, g, max_colors, visits);
        if (status == DJ_OK && !same_pattern(c, &c->walk, m, n)) {
            c->colors = 0;
            status = color_columns(c, &c->walk, m, n, max_colors);
            if (status == DJ_OK)
                status = keep_pattern(c, &c->walk, m, n);
            if (status != DJ_OK)
                c->colors = 0;
        }
        if (status == DJ_OK &&
            2 * passes_for(c->colors, chunk_for(chunk, c->colors)) > dense_passes)
            status = DJ__WALK_DENSE;
    }
    dj__record_end(&rec);
    return status;
}

int dj__jacobian_colored(double *J, double *y, const dj_fn *f, const double *x, int chunk,
                         size_t dense_passes, dj_layout layout, size_t ld, dj_workspace *ws,
                         int threads, dj_report *facts)
{
    if (f->eval_var == NULL || dense_passes < MIN_DENSE_PASSES)
        return DJ__COLORED_DECLINED;
    colored local, *c = &local;
    if (ws != NULL) {
        if (ws->colored == NULL) {
            ws->colored = dj__malloc(sizeof(colored));
            if (ws->colored == NULL)
                return DJ__COLORED_DECLINED;
            colored_init(ws->colored);
        }
        c = ws->colored;
        if (c->dense_skip > 0 && same_f(&c->dense_f, f)) {
            c->dense_skip--;
            return DJ__COLORED_DECLINED;
        }
    } else {
        colored_init(&local);
    }
    int status = examine(c, f, x, chunk, dense_passes, ws, facts);
    if (status != DJ_OK) {
        /* too dense, or f could not be recorded: the dense passes do not
         * need a recording, and a workspace remembers f for a while */
        if (ws != NULL && status == DJ__WALK_DENSE) {
            c->dense_f = *f;
            c->dense_skip = DENSE_SKIP;
        }
        if (c == &local)
            colored_release(&local);
        facts->graph_nodes = 0;
        return DJ__COLORED_DECLINED;
    }
    c->dense_skip = 0;

    size_t outer = layout == DJ_ROW_MAJOR ? f->m : f->n;
    size_t inner = layout == DJ_ROW_MAJOR ? f->n : f->m;
    for (size_t o = 0; o < outer; o++)
        memset(J + o * ld, 0, inner * sizeof *J);
    int k = chunk_for(chunk, c->colors);
    colored_out out = {c, J, layout, ld};
    dj__passes job = {f, x, k, passes_for(c->colors, k), colored_seed, colored_store,
                      colored_finite, &out};
    status = dj__forward_passes(&job, y, ws, threads, c->colors, facts);
    if (c == &local)
        colored_release(&local);
    return status;
}
