/* hessian.c: Hessian-vector products and dense Hessians, forward over
 * reverse on one recording (the sweeps are in hessian_sweep.c). */
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "graph_internal.h"
#include "hessian_internal.h"

#ifdef _OPENMP
#define DJ__OMP(directive) _Pragma(#directive)
#else
#define DJ__OMP(directive)
#endif

int dj__hessian_check(const dj_fn *f, const double *x)
{
    int status = dj_fn_check(f);
    if (status != DJ_OK)
        return status;
    if (x == NULL)
        return DJ_EINVAL;
    return f->eval_var ? DJ_OK : DJ_ENOTSUP;
}

void dj__hessian_begin(dj__hessian_call *call, const dj_opts *opts, dj_report *report)
{
    static const dj_opts defaults = {0};
    dj__driver_begin(&call->driver, opts, report);
    call->opts = opts ? opts : &defaults;
    call->g = NULL;
    call->vars_tmp = call->work_tmp = call->threads_tmp = NULL;
    call->holds_ws = 0;
    dj_graph_init(&call->tmp);
}

int dj__hessian_arguments(const dj__hessian_call *call, const double *x, size_t n,
                          const double *const *out, const size_t *out_count, int nout,
                          const double *const *in, const size_t *in_count, int nin)
{
    if (call->opts->threads < 0)
        return DJ_EINVAL;
    for (int a = 0; a < nout; a++) {
        if (dj__overlap(out[a], out_count[a], x, n))
            return DJ_EINVAL;
        for (int b = 0; b < nin; b++)
            if (dj__overlap(out[a], out_count[a], in[b], in_count[b]))
                return DJ_EINVAL;
        for (int b = a + 1; b < nout; b++)
            if (dj__overlap(out[a], out_count[a], out[b], out_count[b]))
                return DJ_EINVAL;
    }
    return DJ_OK;
}

int dj__hessian_end(dj__hessian_call *call, int status)
{
    dj__free(call->vars_tmp);
    dj__free(call->work_tmp);
    dj__free(call->threads_tmp);
    dj_graph_clear(&call->tmp);
    if (call->holds_ws)
        dj__workspace_release(call->opts->ws);
    return dj__driver_end(&call->driver, status);
}

int dj__hessian_record(dj__hessian_call *call, const dj_fn *f, const double *x)
{
    dj_workspace *ws = call->opts->ws;
    dj_graph *g = &call->tmp;
    if (!call->holds_ws) {
        int busy = dj__workspace_acquire(ws);
        if (busy != DJ_OK)
            return busy;
        call->holds_ws = ws != NULL;
    }
    if (ws != NULL) {
        if (ws->graph == NULL) {
            ws->graph = dj__malloc(sizeof *ws->graph);
            if (ws->graph == NULL)
                return DJ_ENOMEM;
            dj_graph_init(ws->graph);
        }
        g = ws->graph;
    }
    int status = dj_graph_keep_values(g, 1);
    if (status != DJ_OK)
        return status;
    size_t bytes;
    if (f->n + f->m < f->n || !dj__bytes(f->n + f->m, sizeof(dj_var), &bytes))
        return DJ_ERANGE;
    dj_var *xv = dj__workspace_reserve(ws, bytes, &call->vars_tmp);
    if (xv == NULL)
        return DJ_ENOMEM;
    dj_var *yv = xv + f->n;
    dj_graph_reset(g);
    status = dj_graph_inputs(g, xv, x, f->n);
    if (status != DJ_OK)
        return status;
    f->eval_var(yv, xv, f->n, f->m, f->ctx);
    status = dj_graph_status(g);
    if (status == DJ_OK)
        status = dj_graph_outputs(g, yv, f->m);
    /* the dj_var arrays are done with: the buffer is the sweeps' next */
    dj__free(call->vars_tmp);
    call->vars_tmp = NULL;
    if (status != DJ_OK)
        return status;
    const char *unsupported = NULL;
    status = dj__graph_second_prepare(g, &unsupported);
    dj_report *facts = dj__driver_facts(&call->driver);
    facts->graph_nodes = dj_graph_size(g);
    facts->unsupported = unsupported;
    if (status == DJ_OK)
        call->g = g;
    return status;
}

double *dj__hessian_work(dj__hessian_call *call, int k, size_t extra, size_t *sweep_doubles)
{
    size_t doubles;
    if (dj__graph_hvp_doubles(call->g, k, &doubles) != DJ_OK)
        return NULL;
    size_t total = doubles + extra, bytes;
    if (total < doubles || !dj__bytes(total, sizeof(double), &bytes))
        return NULL;
    *sweep_doubles = doubles;
    return dj__workspace_reserve(call->opts->ws, bytes, &call->work_tmp);
}

void dj__hessian_outputs(const dj__hessian_call *call, double *y, const double *x, size_t n,
                         int results_finite)
{
    const dj_graph *g = call->g;
    int finite = results_finite && dj__all_finite(g->output_values, g->noutputs);
    if (y != NULL)
        memcpy(y, g->output_values, g->noutputs * sizeof *y);
    dj__note_produced(finite, x, n);
}

/* ---- the sweeps of a Hessian, serial or on threads ----------------------------- */

/* Below this much remaining work (seconds) automatic threads are not
 * started: passes.c's floor, for the same reason (a worker on a busy
 * machine may wait a scheduler slice to run). */
#define HESSIAN_PARALLEL_MIN_SECONDS 1e-3

/* C11's clock: the OpenMP runtime is touched only when threads will run
 * (its first call allocates, and a failure there ends the process). */
static double seconds_now(void)
{
    struct timespec t;
    if (timespec_get(&t, TIME_UTC) == 0)
        return 0.0;
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#ifdef _OPENMP
/* Through volatile pointers, as in passes.c: a compiler that knows them
 * free of side effects may hoist them and start the runtime on every call. */
static int (*volatile hessian_in_parallel)(void) = omp_in_parallel;
static int (*volatile hessian_max_threads)(void) = omp_get_max_threads;
#endif

/* Threads for `remaining` sweeps after one took `first` seconds. */
static int hessian_threads_for(int requested, size_t remaining, double first)
{
#ifdef _OPENMP
    if (remaining < 2 || requested == 1)
        return 1;
    if (requested <= 0 && first * (double)remaining < HESSIAN_PARALLEL_MIN_SECONDS)
        return 1;
    if (hessian_in_parallel())
        return 1;
    int t = requested > 1 ? requested : hessian_max_threads();
    if ((size_t)t > remaining)
        t = (int)remaining;
    return t > 1 ? t : 1;
#else
    (void)requested, (void)remaining, (void)first;
    return 1;
#endif
}

/* Sweep r with the buffers at buf: the sweep's work (sweep doubles), then V
 * (k×n, left zero) and HV (k×n). Returns the sweep's status; *finite &= the
 * store's word. */
static int hessian_sweep_once(const dj_graph *g, const dj__hsweeps *job, double *buf,
                              size_t sweep, size_t r, double *grad, int *finite)
{
    size_t n = g->ninputs;
    double *V = buf + sweep, *HV = V + (size_t)job->k * n;
    size_t kw = job->seed(job, V, r, 1.0);
    int status = dj__graph_hvp_with(g, HV, grad, job->w, V, job->k, buf);
    job->seed(job, V, r, 0.0);
    if (status == DJ_OK && !job->store(job, HV, r, kw))
        *finite = 0;
    return status;
}

/* Sweeps from .. count-1 on t threads, each with its buffers at many + its
 * number times per; each thread takes the caller's NaN-safe mode and hands
 * its events back. Out of line, as in passes.c. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static void hessian_on_threads(const dj_graph *g, const dj__hsweeps *job, double *many,
                               size_t per, size_t sweep, int t, size_t from, int *finite)
{
    size_t n = g->ninputs, K = (size_t)job->k;
    int nansafe = dj_nansafe(), all_finite = 1;
    unsigned events = 0;
    DJ__OMP(omp parallel num_threads(t) reduction(| : events) reduction(& : all_finite))
    {
        unsigned saved_events = dj_events();
        int saved_nansafe = dj_nansafe_set(nansafe);
        dj_events_clear();
#ifdef _OPENMP
        double *buf = many + (size_t)omp_get_thread_num() * per;
#else
        double *buf = many;
        (void)per;
#endif
        memset(buf + sweep, 0, K * n * sizeof *buf);
        DJ__OMP(omp for schedule(dynamic, 1))
        for (size_t r = from; r < job->count; r++)
            (void)hessian_sweep_once(g, job, buf, sweep, r, NULL, &all_finite);
        events |= dj_events();
        dj_events_clear();
        dj_event_raise(saved_events);
        dj_nansafe_set(saved_nansafe);
    }
    (void)t;
    dj_event_raise(events);
    *finite &= all_finite;
}

int dj__hessian_sweeps(dj__hessian_call *call, const dj__hsweeps *job, const double **grad,
                       int *finite, int *threads_used)
{
    const dj_graph *graph = call->g;
    size_t n = graph->ninputs, K = (size_t)job->k, sweep, extra, per, all;
    int threads = call->opts->threads;
    *finite = 1;
    *threads_used = 1;
    /* after the sweep's work: V (k×n, kept zero between sweeps), HV (k×n),
     * and in the first buffer only the gradient (n) */
    if (!dj__mul_size(2 * K, n, &extra) || extra + n < extra)
        return DJ_ERANGE;
    double *buf = dj__hessian_work(call, job->k, extra + n, &sweep);
    if (buf == NULL)
        return DJ_ENOMEM; /* or a size past size_t: the graph's checks ran */
    memset(buf + sweep, 0, K * n * sizeof *buf);
    double *g = buf + sweep + extra;
    *grad = g;
    int timed = threads <= 0 && job->count > 2;
    double t0 = timed ? seconds_now() : 0.0;
    int status = hessian_sweep_once(graph, job, buf, sweep, 0, g, finite);
    double first = timed ? seconds_now() - t0 : 0.0;
    size_t next = 1;
    if (status == DJ_OK && threads <= 0 &&
        hessian_threads_for(threads, job->count - 1, first) > 1) {
        /* a first sweep that was preempted looks slow: a second opinion */
        t0 = seconds_now();
        status = hessian_sweep_once(graph, job, buf, sweep, next++, NULL, finite);
        double second = seconds_now() - t0;
        first = second < first ? second : first;
    }
    if (status != DJ_OK)
        return status;
    int t = hessian_threads_for(threads, job->count - next, first);
    double *many = NULL;
    per = sweep + extra;
    if (t > 1 && dj__mul_size(per, (size_t)t, &all) && dj__bytes(all, sizeof(double), &all))
        many = dj__workspace_reserve_passes(call->opts->ws, all, &call->threads_tmp);
    if (many == NULL) {
        /* serial, also when the threads' buffers could not be had */
        for (size_t r = next; status == DJ_OK && r < job->count; r++)
            status = hessian_sweep_once(graph, job, buf, sweep, r, NULL, finite);
        return status;
    }
    *threads_used = t;
    hessian_on_threads(graph, job, many, per, sweep, t, next, finite);
    return DJ_OK;
}

int dj_hvp(double *Hv, double *grad, double *y, const dj_fn *f, const double *x,
           const double *v, const double *w, const dj_opts *opts)
{
    dj__hessian_call call;
    dj__hessian_begin(&call, opts, NULL);
    int status = dj__hessian_check(f, x);
    if (status == DJ_OK && (Hv == NULL || v == NULL))
        status = DJ_EINVAL;
    if (status == DJ_OK) {
        size_t n = f->n, m = f->m;
        const double *out[] = {Hv, grad, y}, *in[] = {v, w};
        const size_t oc[] = {n, n, m}, ic[] = {n, m};
        status = dj__hessian_arguments(&call, x, n, out, oc, 3, in, ic, 2);
    }
    if (status == DJ_OK)
        status = dj__hessian_record(&call, f, x);
    size_t sweep = 0, n = status == DJ_OK ? f->n : 0;
    double *work = status == DJ_OK ? dj__hessian_work(&call, 1, n, &sweep) : NULL;
    if (status == DJ_OK && work == NULL)
        status = DJ_ENOMEM;
    if (status == DJ_OK) {
        double *g = grad ? grad : work + sweep;
        status = dj__graph_hvp_with(call.g, Hv, g, w, v, 1, work);
        if (status == DJ_OK)
            dj__hessian_outputs(&call, y, x, n,
                                dj__all_finite(Hv, n) && dj__all_finite(g, n));
    }
    return dj__hessian_end(&call, status);
}

/* Row r of H (from one lane of a sweep) into full storage, or its halves
 * into the lower triangle of packed storage: entry (r, c) and (c, r) each
 * add half, so that each stored H_ij is the average of the two sweeps'
 * values (halving is exact). The two halves of an entry come from two
 * sweeps, maybe on two threads: each adds atomically, and a zero plus two
 * terms is the same sum in either order, so threads change no bit. */
static void store_row(double *H, dj_layout layout, size_t ld, size_t n, size_t r,
                      const double *row)
{
    if (layout != DJ_PACKED_LOWER) {
        memcpy(H + r * ld, row, n * sizeof *row);
        return;
    }
    for (size_t c = 0; c < r; c++) {
        double *h = H + r * (r + 1) / 2 + c, half = 0.5 * row[c];
        DJ__OMP(omp atomic)
        *h += half;
    }
    H[r * (r + 1) / 2 + r] = row[r];
    for (size_t c = r + 1; c < n; c++) {
        double *h = H + c * (c + 1) / 2 + r, half = 0.5 * row[c];
        DJ__OMP(omp atomic)
        *h += half;
    }
}

/* The dense Hessian's sweeps: sweep r seeds the unit directions of
 * columns rK .. rK + kw - 1 and stores those rows. */
typedef struct dense_target {
    double *H;
    dj_layout layout;
    size_t ld, n;
} dense_target;

static size_t dense_seed(const dj__hsweeps *job, double *V, size_t r, double value)
{
    const dense_target *d = job->ctx;
    size_t K = (size_t)job->k, first = r * K, kw = d->n - first < K ? d->n - first : K;
    for (size_t s = 0; s < kw; s++)
        V[s * d->n + first + s] = value;
    return kw;
}

static int dense_store(const dj__hsweeps *job, const double *HV, size_t r, size_t kw)
{
    const dense_target *d = job->ctx;
    for (size_t s = 0; s < kw; s++)
        store_row(d->H, d->layout, d->ld, d->n, r * (size_t)job->k + s, HV + s * d->n);
    return 1; /* the whole of H is checked once at the end */
}

/* Full storage: each off-diagonal pair set to the average of both. */
static void symmetrize(double *H, size_t ld, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double avg = 0.5 * H[i * ld + j] + 0.5 * H[j * ld + i];
            H[i * ld + j] = H[j * ld + i] = avg;
        }
}

static int hessian_finite(const double *H, dj_layout layout, size_t ld, size_t n)
{
    if (layout == DJ_PACKED_LOWER)
        return dj__all_finite(H, n * (n + 1) / 2);
    for (size_t i = 0; i < n; i++)
        if (!dj__all_finite(H + i * ld, n))
            return 0;
    return 1;
}

int dj_hessian(double *H, double *grad, double *y, const dj_fn *f, const double *x,
               const double *w, const dj_opts *opts, dj_report *report)
{
    dj__hessian_call call;
    dj__hessian_begin(&call, opts, report);
    opts = call.opts;
    int status = dj__hessian_check(f, x);
    if (status != DJ_OK || H == NULL)
        return dj__hessian_end(&call, status != DJ_OK ? status : DJ_EINVAL);
    size_t n = f->n, ld = opts->ld ? opts->ld : n, cells;
    dj_layout layout = opts->layout;
    if (layout != DJ_ROW_MAJOR && layout != DJ_COL_MAJOR && layout != DJ_PACKED_LOWER)
        return dj__hessian_end(&call, DJ_EINVAL);
    if (layout != DJ_PACKED_LOWER && ld < n)
        return dj__hessian_end(&call, DJ_EDIM);
    /* H's bytes, not only its cells, must fit (as for dj_jacobian's ld);
     * packed storage holds n(n+1)/2 */
    size_t bytes;
    if (layout == DJ_PACKED_LOWER
            ? n + 1 == 0 || !dj__mul_size(n, n + 1, &cells) ||
                  !dj__bytes(cells / 2, sizeof(double), &bytes)
            : !dj__mul_size(n, ld, &cells) || !dj__bytes(cells, sizeof(double), &bytes))
        return dj__hessian_end(&call, DJ_ERANGE);
    if (opts->chunk != 0 && !dj_chunk_valid(opts->chunk))
        return dj__hessian_end(&call, DJ_ECHUNK);
    int k = opts->chunk ? opts->chunk : dj_chunk_auto(n);
    {
        const double *out[] = {H, grad, y}, *in[] = {w};
        const size_t oc[] = {layout == DJ_PACKED_LOWER ? cells / 2 : cells - ld + n, n, f->m},
                     ic[] = {f->m};
        if ((status = dj__hessian_arguments(&call, x, n, out, oc, 3, in, ic, 1)) != DJ_OK)
            return dj__hessian_end(&call, status);
    }

    status = dj__hessian_record(&call, f, x);
    if (status != DJ_OK)
        return dj__hessian_end(&call, status);
    size_t K = (size_t)k, sweeps = (n + K - 1) / K;
    if (layout == DJ_PACKED_LOWER)
        memset(H, 0, n * (n + 1) / 2 * sizeof *H);
    dense_target target = {H, layout, ld, n};
    dj__hsweeps job = {sweeps ? sweeps : 1, k, w, dense_seed, dense_store, &target};
    int finite, threads = 1;
    const double *g = NULL;
    status = dj__hessian_sweeps(&call, &job, &g, &finite, &threads);
    if (status == DJ_OK) {
        if (layout != DJ_PACKED_LOWER)
            symmetrize(H, ld, n);
        if (grad != NULL)
            memcpy(grad, g, n * sizeof *g);
        dj__hessian_outputs(&call, y, x, n, hessian_finite(H, layout, ld, n) &&
                                                dj__all_finite(g, n));
        dj_report *facts = dj__driver_facts(&call.driver);
        facts->mode = DJ_MODE_REVERSE;
        facts->chunk = k;
        facts->sweeps = sweeps;
        facts->threads = threads;
    }
    return dj__hessian_end(&call, status);
}
