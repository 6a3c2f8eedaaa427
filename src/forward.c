/* forward.c: JVPs and Jacobians by forward passes of multi-duals. */
#include "driver.h"
#include "forward.h"
#include "pack.h"

/* dj_jvp's work between the driver's begin and end. */
static int jvp(double *y, double *jv, const dj_fn *f, const double *x, const double *v,
               dj_workspace *ws)
{
    int status = dj_fn_check(f);
    if (status != DJ_OK)
        return status;
    if (jv == NULL || x == NULL || v == NULL)
        return DJ_EINVAL;
    if (f->eval_dual == NULL)
        return DJ_ENOTSUP;
    size_t n = f->n, m = f->m, nx, ny, bytes;
    if (!dj__mul_size(n, 2, &nx) || !dj__mul_size(m, 2, &ny) || nx + ny < nx ||
        !dj__bytes(nx + ny, sizeof(double), &bytes))
        return DJ_ERANGE;
    if (dj__overlap(y, m, x, n) || dj__overlap(y, m, v, n) || dj__overlap(jv, m, x, n) ||
        dj__overlap(jv, m, v, n) || dj__overlap(y, m, jv, m))
        return DJ_EINVAL;
    if ((status = dj__workspace_acquire(ws)) != DJ_OK)
        return status;
    void *tmp;
    double *X = dj__workspace_reserve(ws, bytes, &tmp);
    if (X == NULL) {
        dj__workspace_release(ws);
        return DJ_ENOMEM;
    }
    double *Y = X + nx;
    dj__pack_duals(X, x, v, f->n);
    f->eval_dual((dj_dual *)(void *)Y, (const dj_dual *)(const void *)X, f->n, f->m, f->ctx);
    /* the inputs (x and v, packed in X) count as finite or not together */
    dj__note_produced(dj__unpack_duals(y, jv, Y, f->m), X, nx);
    dj__free(tmp);
    dj__workspace_release(ws);
    return DJ_OK;
}

int dj_jvp(double *y, double *jv, const dj_fn *f, const double *x, const double *v,
           const dj_opts *opts)
{
    dj__driver d;
    dj__driver_begin(&d, opts, NULL);
    int status = jvp(y, jv, f, x, v, opts ? opts->ws : NULL);
    return dj__driver_end(&d, status);
}

/* The dense Jacobian's passes: pass p seeds columns p·k .. p·k+w-1. */
static size_t pass_width(const dj__passes *job, size_t p)
{
    return dj__block_width(job->f->n, p, job->k);
}

static void dense_seed(const dj__passes *job, double *X, size_t p, double value)
{
    size_t s = dj__stride(job->k), c0 = p * (size_t)job->k, w = pass_width(job, p);
    for (size_t t = 0; t < w; t++)
        X[(c0 + t) * s + 1 + t] = value;
}

/* Pass p's tangents into columns p·k.. of J; 0 when one is NaN or Inf. */
static int dense_store(const dj__passes *job, const double *Y, size_t p)
{
    const dj__dense *out = job->ctx;
    size_t c0 = p * (size_t)job->k;
    double *at = out->layout == DJ_ROW_MAJOR ? out->J + c0 : out->J + c0 * out->ld;
    return dj__store_tangents(at, out->ld, out->layout, Y, job->f->m, job->k,
                              pass_width(job, p));
}

/* The doubles of inputs and outputs a Jacobian of one pass may keep on the
 * stack: 4 KB, n + m <= 30 at k = 16. */
#define ONE_PASS_DOUBLES 512

/* Whether f's Jacobian is one pass of chunk width k (n <= k) whose inputs
 * and outputs fit on the stack. */
static int one_pass_fits(const dj_fn *f, int k)
{
    size_t n = f->n, m = f->m, s = dj__stride(k);
    return n > 0 && m > 0 && n <= (size_t)k && m <= ONE_PASS_DOUBLES / s - n;
}

/* That pass, without the runner of passes and without a workspace: for a
 * 10 x 10 Jacobian the runner's buffers, seeding through the job and
 * thread decision cost more than evaluating f (perf record). Writes J, y
 * and facts as the runner's passes do. */
static int jacobian_one_pass(double *J, double *y, const dj_fn *f, const double *x, int k,
                             dj_layout layout, size_t ld, dj_report *facts)
{
    size_t n = f->n, m = f->m, s = dj__stride(k);
    _Alignas(64) double buf[ONE_PASS_DOUBLES];
    double *X = buf, *Y = buf + n * s;
    dj__init_inputs(X, x, n, s);
    for (size_t j = 0; j < n; j++)
        X[j * s + 1 + j] = 1.0;
    facts->mode = DJ_MODE_FORWARD;
    facts->chunk = k;
    facts->passes = 0;
    facts->threads = 1;
    facts->threads_why = DJ_THREADS_FEW;
    facts->colors = 0;
    int status = dj__eval_chunk(f, k, Y, X);
    if (status != DJ_OK)
        return status;
    int finite = dj__store_tangents(J, ld, layout, Y, m, k, n);
    finite &= dj__values_finite(Y, m, s);
    if (y != NULL)
        for (size_t i = 0; i < m; i++)
            y[i] = Y[i * s];
    dj__note_produced(finite, x, n);
    facts->passes = 1;
    return DJ_OK;
}

int dj__jacobian_forward(double *J, double *y, const dj_fn *f, const double *x, int k,
                         dj_layout layout, size_t ld, dj_workspace *ws, int threads,
                         dj_report *facts)
{
    if (one_pass_fits(f, k))
        return jacobian_one_pass(J, y, f, x, k, layout, ld, facts);
    dj__dense out = {J, layout, ld};
    dj__passes job = {f, x, k, (f->n + (size_t)k - 1) / (size_t)k, dense_seed, dense_store, NULL,
                      &out};
    return dj__forward_passes(&job, y, ws, threads, 0, facts);
}

int dj__forward_passes(const dj__passes *job, double *y, dj_workspace *ws, int threads,
                       size_t colors, dj_report *facts)
{
    dj__run run;
    int status = dj__run_passes(job, y, ws, threads, &run);
    if (status == DJ_OK)
        dj__note_produced(run.finite && (job->finite == NULL || job->finite(job)), job->x,
                          job->f->n);
    facts->mode = DJ_MODE_FORWARD;
    facts->chunk = job->k;
    facts->passes = status == DJ_OK ? job->count : 0;
    facts->threads = run.threads;
    facts->threads_why = run.why;
    facts->colors = colors;
    return status;
}
