/* cases.c: the cases of `make bench-peers`: sizes, points, parameters, and
 * dualjac's reference derivatives (see cases.h). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"

#define DJ_TEMPLATE "functions.dj.h"
#include <dualjac/instantiate.h>

typedef struct spec {
    const char *family, *name;
    peer_fn_id id;
    peer_kind kind;
    size_t n, m; /* m = 0: as many as n; for the chain, n, PEER_HIDDEN, m */
    int quick;   /* part of the smoke run */
} spec;

static const spec specs[] = {
    {"chain", "chain", PEER_CHAIN, PEER_JACOBIAN, 8, 8, 1},
    {"chain", "chain", PEER_CHAIN, PEER_JACOBIAN, 64, 64, 0},
    {"chain", "chain", PEER_CHAIN, PEER_JACOBIAN, 4, 256, 0},
    {"chain", "chain", PEER_CHAIN, PEER_JACOBIAN, 256, 4, 1},
    {"mgh", "brown", PEER_BROWN, PEER_JACOBIAN, 10, 0, 1},
    {"mgh", "brown", PEER_BROWN, PEER_JACOBIAN, 100, 0, 0},
    {"mgh", "brown", PEER_BROWN, PEER_JACOBIAN, 1000, 0, 0},
    {"mgh", "boundary", PEER_BOUNDARY, PEER_JACOBIAN, 10, 0, 1},
    {"mgh", "boundary", PEER_BOUNDARY, PEER_JACOBIAN, 100, 0, 0},
    {"mgh", "boundary", PEER_BOUNDARY, PEER_JACOBIAN, 1000, 0, 0},
    {"mgh", "broyden", PEER_BROYDEN, PEER_JACOBIAN, 10, 0, 0},
    {"mgh", "broyden", PEER_BROYDEN, PEER_JACOBIAN, 100, 0, 0},
    {"mgh", "broyden", PEER_BROYDEN, PEER_JACOBIAN, 1000, 0, 0},
    {"mgh", "rosenbrock", PEER_ROSENBROCK, PEER_JACOBIAN, 10, 0, 0},
    {"mgh", "rosenbrock", PEER_ROSENBROCK, PEER_JACOBIAN, 100, 0, 0},
    {"mgh", "rosenbrock", PEER_ROSENBROCK, PEER_JACOBIAN, 1000, 0, 0},
    {"gradient", "rosenbrock-sum", PEER_ROSEN_SUM, PEER_GRADIENT, 100, 1, 1},
    {"gradient", "rosenbrock-sum", PEER_ROSEN_SUM, PEER_GRADIENT, 1000, 1, 0},
    {"gradient", "rosenbrock-sum", PEER_ROSEN_SUM, PEER_GRADIENT, 10000, 1, 0},
    {"gradient", "rosenbrock-sum", PEER_ROSEN_SUM, PEER_GRADIENT, 100000, 1, 0},
    {"gradient", "logistic", PEER_LOGISTIC, PEER_GRADIENT, 100, 1, 1},
    {"gradient", "logistic", PEER_LOGISTIC, PEER_GRADIENT, 1000, 1, 0},
    {"gradient", "logistic", PEER_LOGISTIC, PEER_GRADIENT, 10000, 1, 0},
    {"gradient", "logistic", PEER_LOGISTIC, PEER_GRADIENT, 100000, 1, 0},
    {"sparse", "broyden", PEER_BROYDEN, PEER_SPARSE, 1000, 0, 1},
    {"sparse", "broyden", PEER_BROYDEN, PEER_SPARSE, 10000, 0, 0},
    {"sparse", "broyden", PEER_BROYDEN, PEER_SPARSE, 100000, 0, 0},
    {"sparse", "banded", PEER_BANDED, PEER_SPARSE, 1000, 0, 0},
    {"sparse", "banded", PEER_BANDED, PEER_SPARSE, 10000, 0, 0},
    {"sparse", "banded", PEER_BANDED, PEER_SPARSE, 100000, 0, 0},
    {"sparse", "arrowhead", PEER_ARROW, PEER_SPARSE, 1000, 0, 1},
    {"sparse", "arrowhead", PEER_ARROW, PEER_SPARSE, 10000, 0, 0},
    /* second derivatives of scalar functions: H v on arithmetic, dense
     * layers and transcendental code; a dense Hessian; sparse Hessians
     * whose star coloring needs 3 (tridiagonal) and 2 (arrowhead) colors */
    {"hessian", "rosenbrock-sum", PEER_ROSEN_SUM, PEER_HVP, 100, 1, 1},
    {"hessian", "rosenbrock-sum", PEER_ROSEN_SUM, PEER_HVP, 1000, 1, 0},
    {"hessian", "rosenbrock-sum", PEER_ROSEN_SUM, PEER_HVP, 10000, 1, 0},
    {"hessian", "rosenbrock-sum", PEER_ROSEN_SUM, PEER_HVP, 100000, 1, 0},
    {"hessian", "logistic", PEER_LOGISTIC, PEER_HVP, 100, 1, 0},
    {"hessian", "logistic", PEER_LOGISTIC, PEER_HVP, 1000, 1, 0},
    {"hessian", "logistic", PEER_LOGISTIC, PEER_HVP, 10000, 1, 0},
    {"hessian", "trig-sum", PEER_TRIG_SUM, PEER_HVP, 100, 1, 0},
    {"hessian", "trig-sum", PEER_TRIG_SUM, PEER_HVP, 1000, 1, 0},
    {"hessian", "trig-sum", PEER_TRIG_SUM, PEER_HVP, 10000, 1, 0},
    {"hessian", "trig-sum", PEER_TRIG_SUM, PEER_HVP, 100000, 1, 0},
    {"hessian", "brown-sq", PEER_BROWN_SQ, PEER_HESSIAN, 10, 1, 0},
    {"hessian", "brown-sq", PEER_BROWN_SQ, PEER_HESSIAN, 100, 1, 0},
    {"hessian", "brown-sq", PEER_BROWN_SQ, PEER_HESSIAN, 200, 1, 0},
    {"hessian", "rosenbrock-sum", PEER_ROSEN_SUM, PEER_SPARSE_HESSIAN, 1000, 1, 0},
    {"hessian", "rosenbrock-sum", PEER_ROSEN_SUM, PEER_SPARSE_HESSIAN, 10000, 1, 0},
    {"hessian", "rosenbrock-sum", PEER_ROSEN_SUM, PEER_SPARSE_HESSIAN, 100000, 1, 0},
    {"hessian", "arrowhead-sum", PEER_ARROW_SUM, PEER_SPARSE_HESSIAN, 1000, 1, 1},
    {"hessian", "arrowhead-sum", PEER_ARROW_SUM, PEER_SPARSE_HESSIAN, 10000, 1, 0},
    {"hessian", "arrowhead-sum", PEER_ARROW_SUM, PEER_SPARSE_HESSIAN, 100000, 1, 0},
};

/* splitmix64: the same numbers on every machine, uniform in [-1, 1). */
static double uniform(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-52 - 1.0;
}

static void *checked_malloc(size_t count, size_t size)
{
    void *p = calloc(count, size);
    if (p == NULL) {
        fprintf(stderr, "bench-peers: out of memory\n");
        exit(2);
    }
    return p;
}

static void *chain_params(size_t n, size_t m, uint64_t *state)
{
    size_t h = PEER_HIDDEN;
    peer_chain *c = checked_malloc(1, sizeof *c);
    double *w = checked_malloc(h * n + h + h * h + h + m * h, sizeof *w);
    *c = (peer_chain){n, h, m, w, w + h * n, w + h * n + h, w + h * n + h + h * h,
                      w + h * n + 2 * h + h * h};
    for (size_t i = 0; i < h * n; i++)
        c->W1[i] = uniform(state) / sqrt((double)n);
    for (size_t i = 0; i < h; i++)
        c->b1[i] = 0.1 * uniform(state), c->b2[i] = 0.1 * uniform(state);
    for (size_t i = 0; i < h * h; i++)
        c->W2[i] = uniform(state) / sqrt((double)h);
    for (size_t i = 0; i < m * h; i++)
        c->W3[i] = uniform(state) / sqrt((double)h);
    return c;
}

static void *logistic_params(size_t n, uint64_t *state)
{
    peer_logistic *d = checked_malloc(1, sizeof *d);
    *d = (peer_logistic){PEER_SAMPLES, n, checked_malloc(PEER_SAMPLES * n, sizeof(double)),
                         checked_malloc(PEER_SAMPLES, sizeof(double)), 1e-3};
    for (size_t k = 0; k < d->N; k++) {
        double z = 0;
        for (size_t j = 0; j < n; j++) {
            d->X[k * n + j] = uniform(state);
            z += d->X[k * n + j] * sin((double)j);
        }
        d->t[k] = (z + 0.3 * uniform(state) >= 0) ? 1.0 : -1.0;
    }
    return d;
}

static dj_fn make_fn(const peer_case *c)
{
    switch (c->id) {
    case PEER_CHAIN: return (dj_fn)DJ_FN_INIT(pchain, c->n, c->m, c->params);
    case PEER_BROWN: return (dj_fn)DJ_FN_INIT(pbrown, c->n, c->m, NULL);
    case PEER_BOUNDARY: return (dj_fn)DJ_FN_INIT(pboundary, c->n, c->m, NULL);
    case PEER_BROYDEN: return (dj_fn)DJ_FN_INIT(pbroyden, c->n, c->m, NULL);
    case PEER_BANDED: return (dj_fn)DJ_FN_INIT(pbanded, c->n, c->m, NULL);
    case PEER_ROSENBROCK: return (dj_fn)DJ_FN_INIT(prosenbrock, c->n, c->m, NULL);
    case PEER_ARROW: return (dj_fn)DJ_FN_INIT(parrow, c->n, c->m, NULL);
    case PEER_ROSEN_SUM: return (dj_fn)DJ_FN_INIT(prosen_sum, c->n, c->m, NULL);
    case PEER_LOGISTIC: return (dj_fn)DJ_FN_INIT(plogistic, c->n, c->m, c->params);
    case PEER_TRIG_SUM: return (dj_fn)DJ_FN_INIT(ptrig_sum, c->n, c->m, NULL);
    case PEER_BROWN_SQ: return (dj_fn)DJ_FN_INIT(pbrown_sq, c->n, c->m, NULL);
    case PEER_ARROW_SUM: return (dj_fn)DJ_FN_INIT(arrowhead, c->n, c->m, NULL);
    }
    abort();
}

/* The standard starting points of the MGH problems; smooth points elsewhere. */
static void fill_point(const peer_case *c, double *x)
{
    size_t n = c->n;
    for (size_t j = 0; j < n; j++) {
        double t = (double)(j + 1) / (double)(n + 1);
        switch (c->id) {
        case PEER_CHAIN: x[j] = sin((double)j + 1); break;
        case PEER_BROWN:
        case PEER_BROWN_SQ: x[j] = 0.5; break;
        case PEER_BOUNDARY: x[j] = t * (t - 1); break;
        case PEER_BROYDEN:
        case PEER_BANDED: x[j] = -1.0; break;
        case PEER_ROSENBROCK:
        case PEER_ROSEN_SUM: x[j] = (j % 2 == 0) ? -1.2 : 1.0; break;
        case PEER_ARROW:
        case PEER_ARROW_SUM: x[j] = 1.0 + 0.5 * cos((double)j); break;
        case PEER_TRIG_SUM: x[j] = 0.5 + 0.25 * sin((double)j); break;
        case PEER_LOGISTIC: x[j] = 0.01 * sin(0.5 * (double)j); break;
        }
    }
}

/* Where each entry of the lower triangle is read from the product H S
 * (cases.h), for the peers that compute H S themselves (finite
 * differences of gradients, ADOL-C's hess_mat). Entry (i, j) is read at
 * row i in column color(j) when no other neighbour of i has j's color
 * (always so on the diagonal: neighbours differ), else at row j in column
 * color(i); a star coloring makes one of the two hold. Returns 0, having
 * said why, when neither does. */
static int hessian_reads(peer_case *c)
{
    const dj_pattern *p = &c->hsparse.pattern;
    const size_t *color = c->hsparse.colors.color;
    size_t n = p->n, nnz = p->nnz, colors = c->hsparse.colors.count;
    /* the upper triangle by rows: the lower one's columns transposed */
    size_t *up_ptr = checked_malloc(n + 1, sizeof *up_ptr), *up = checked_malloc(nnz, sizeof *up);
    size_t *fill = checked_malloc(n, sizeof *fill), *count = checked_malloc(colors, sizeof *count);
    for (size_t e = 0; e < nnz; e++)
        up_ptr[p->col[e] + 1]++;
    for (size_t i = 0; i < n; i++)
        up_ptr[i + 1] += up_ptr[i];
    for (size_t i = 0; i < n; i++)
        for (size_t e = p->row_ptr[i]; e < p->row_ptr[i + 1]; e++)
            up[up_ptr[p->col[e]] + fill[p->col[e]]++] = i;
    c->hread_row = checked_malloc(nnz, sizeof *c->hread_row);
    c->hread_color = checked_malloc(nnz, sizeof *c->hread_color);
    c->hread_var = checked_malloc(nnz, sizeof *c->hread_var);
    /* first choice for every entry: its own row */
    for (size_t i = 0; i < n; i++) {
        for (size_t e = p->row_ptr[i]; e < p->row_ptr[i + 1]; e++)
            count[color[p->col[e]]]++;
        for (size_t q = up_ptr[i]; q < up_ptr[i + 1]; q++)
            if (up[q] != i)
                count[color[up[q]]]++;
        for (size_t e = p->row_ptr[i]; e < p->row_ptr[i + 1]; e++) {
            size_t j = p->col[e];
            int here = count[color[j]] == 1;
            c->hread_row[e] = here ? i : j;
            c->hread_color[e] = here ? color[j] : color[i];
            c->hread_var[e] = here ? j : i;
        }
        for (size_t e = p->row_ptr[i]; e < p->row_ptr[i + 1]; e++)
            count[color[p->col[e]]] = 0;
        for (size_t q = up_ptr[i]; q < up_ptr[i + 1]; q++)
            count[color[up[q]]] = 0;
    }
    /* the second choice must be unique in its row: count row j's
     * neighbours of color(i) */
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++)
        for (size_t e = p->row_ptr[i]; e < p->row_ptr[i + 1] && ok; e++) {
            size_t j = c->hread_row[e];
            if (j == i)
                continue;
            size_t same = 0;
            for (size_t a = p->row_ptr[j]; a < p->row_ptr[j + 1]; a++)
                same += color[p->col[a]] == color[i];
            for (size_t q = up_ptr[j]; q < up_ptr[j + 1]; q++)
                same += up[q] != j && color[up[q]] == color[i];
            ok = same == 1;
        }
    if (!ok)
        fprintf(stderr, "bench-peers: %s: an entry no product reads alone\n", c->label);
    free(up_ptr), free(up), free(fill), free(count);
    return ok;
}

static int reference(peer_case *c)
{
    dj_opts opts = {.mode = DJ_MODE_FORWARD, .threads = 1};
    int status;
    switch (c->kind) {
    case PEER_JACOBIAN:
        c->nref = c->m * c->n;
        c->ref = checked_malloc(c->nref, sizeof *c->ref);
        status = dj_jacobian(c->ref, NULL, &c->fn, c->x, &opts, NULL);
        break;
    case PEER_GRADIENT:
        c->nref = c->n;
        c->ref = checked_malloc(c->nref, sizeof *c->ref);
        status = dj_gradient(c->ref, NULL, &c->fn, c->x, NULL);
        break;
    case PEER_SPARSE:
        dj_sparse_init(&c->sparse);
        status = dj_sparse_analyze(&c->sparse, &c->fn, c->x, NULL);
        if (status != DJ_OK)
            break;
        c->nref = c->sparse.pattern.nnz;
        c->ref = checked_malloc(c->nref, sizeof *c->ref);
        opts.mode = DJ_MODE_AUTO;
        status = dj_sparse_jacobian(c->ref, NULL, &c->sparse, &c->fn, c->x, &opts, NULL);
        break;
    case PEER_HVP:
        c->nref = c->n;
        c->ref = checked_malloc(c->nref, sizeof *c->ref);
        status = dj_hvp(c->ref, NULL, NULL, &c->fn, c->x, c->v, NULL, &opts);
        break;
    case PEER_HESSIAN:
        c->nref = c->n * c->n;
        c->ref = checked_malloc(c->nref, sizeof *c->ref);
        status = dj_hessian(c->ref, NULL, NULL, &c->fn, c->x, NULL, &opts, NULL);
        break;
    case PEER_SPARSE_HESSIAN:
        dj_hsparse_init(&c->hsparse);
        status = dj_hsparse_analyze(&c->hsparse, &c->fn, c->x, NULL, NULL);
        if (status != DJ_OK)
            break;
        c->nref = c->hsparse.pattern.nnz;
        c->ref = checked_malloc(c->nref, sizeof *c->ref);
        status = dj_sparse_hessian(c->ref, NULL, NULL, &c->hsparse, &c->fn, c->x, NULL, &opts,
                                   NULL);
        if (status == DJ_OK && !hessian_reads(c))
            status = DJ_EINVAL;
        break;
    default:
        status = DJ_EINVAL;
    }
    if (status != DJ_OK)
        fprintf(stderr, "bench-peers: %s: dualjac's reference failed: %s\n", c->label,
                dj_strerror(status));
    return status == DJ_OK;
}

/* A case's chain weights or logistic data. */
static void free_params(peer_case *c)
{
    if (c->id == PEER_CHAIN) {
        const peer_chain *p = c->params;
        free(p->W1);
    } else if (c->id == PEER_LOGISTIC) {
        const peer_logistic *p = c->params;
        free(p->X), free(p->t);
    }
    free(c->params);
    c->params = NULL;
}

peer_case *peer_cases(int quick, const char *only, size_t *count)
{
    size_t total = sizeof specs / sizeof specs[0], k = 0;
    peer_case *cases = checked_malloc(total, sizeof *cases);
    uint64_t state = 20240519;
    for (size_t i = 0; i < total; i++) {
        const spec *s = &specs[i];
        if (quick && !s->quick)
            continue;
        peer_case *c = &cases[k];
        *c = (peer_case){.family = s->family, .name = s->name, .id = s->id, .kind = s->kind,
                         .n = s->n, .m = s->m ? s->m : s->n};
        if (s->id == PEER_CHAIN)
            snprintf(c->size, sizeof c->size, "%zu-%d-%zu", c->n, PEER_HIDDEN, c->m);
        else
            snprintf(c->size, sizeof c->size, "n=%zu", c->n);
        /* a Hessian row says which: one family holds three kinds */
        const char *kind = c->kind == PEER_HVP               ? "hvp "
                           : c->kind == PEER_HESSIAN         ? "dense "
                           : c->kind == PEER_SPARSE_HESSIAN ? "sparse "
                                                             : "";
        snprintf(c->label, sizeof c->label, "%s%s %s", kind, c->name, c->size);
        /* drawn for every case, chosen by --only or not, so that a case's
         * weights are the same in a run of a few */
        if (s->id == PEER_CHAIN)
            c->params = chain_params(c->n, c->m, &state);
        else if (s->id == PEER_LOGISTIC)
            c->params = logistic_params(c->n, &state);
        if (only != NULL && strstr(c->family, only) == NULL && strstr(c->label, only) == NULL) {
            free_params(c);
            continue;
        }
        k++;
        c->fn = make_fn(c);
        c->x = checked_malloc(c->n, sizeof *c->x);
        fill_point(c, c->x);
        if (c->kind == PEER_HVP) {
            c->v = checked_malloc(c->n, sizeof *c->v);
            for (size_t j = 0; j < c->n; j++)
                c->v[j] = sin(1.0 + (double)j);
        }
        if (!reference(c)) {
            peer_cases_free(cases, k);
            return NULL;
        }
    }
    *count = k;
    return cases;
}

void peer_cases_free(peer_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        peer_case *c = &cases[i];
        if (c->kind == PEER_SPARSE)
            dj_sparse_clear(&c->sparse);
        if (c->kind == PEER_SPARSE_HESSIAN)
            dj_hsparse_clear(&c->hsparse);
        free(c->hread_row), free(c->hread_color), free(c->hread_var), free(c->v);
        free_params(c);
        free(c->x), free(c->ref);
    }
    free(cases);
}

double peer_error(const peer_case *c, const double *out)
{
    double big = 0, err = 0;
    for (size_t i = 0; i < c->nref; i++)
        big = fmax(big, fabs(c->ref[i]));
    double floor = 1e-8 * big;
    for (size_t i = 0; i < c->nref; i++) {
        double d = fabs(out[i] - c->ref[i]) / fmax(fabs(c->ref[i]), floor > 0 ? floor : 1e-300);
        if (!(d <= err)) /* NaN counts */
            err = isnan(d) ? INFINITY : d;
    }
    return err;
}
