/* hessian_internal.h: what the dense and sparse Hessian drivers share. */
#ifndef DUALJAC_HESSIAN_INTERNAL_H
#define DUALJAC_HESSIAN_INTERNAL_H

#include "driver.h"

/* One Hessian driver call: its options, its recording and its buffers. */
typedef struct dj__hessian_call {
    dj__driver driver;    /* the begin and end every driver shares */
    const dj_opts *opts;  /* never NULL: the defaults stand in */
    dj_graph *g;          /* the recording, once made and prepared */
    dj_graph tmp;         /* the graph when there is no workspace */
    void *vars_tmp, *work_tmp; /* buffers when there is no workspace */
    void *threads_tmp;    /* the threads' buffers when there is no workspace */
    int holds_ws;         /* opts->ws is this call's (dj__workspace_acquire) */
} dj__hessian_call;

/* DJ_OK when f can be differentiated twice at x (f valid, x not NULL, a
 * dj_var instantiation); DJ_EINVAL, DJ_EDIM, DJ_ENOTSUP otherwise. */
int dj__hessian_check(const dj_fn *f, const double *x);

/* The start of a call: dj__driver_begin, and no recording or buffers yet.
 * What the call did goes into dj__driver_facts(&call->driver). */
void dj__hessian_begin(dj__hessian_call *call, const dj_opts *opts, dj_report *report);
/* The end, on every path: buffers freed, then dj__driver_end (NaN-safe
 * mode restored, the report, strict mode's DJ_ENONFINITE). Returns the
 * status. */
int dj__hessian_end(dj__hessian_call *call, int status);

/* DJ_OK, or DJ_EINVAL for options a Hessian driver refuses whatever the
 * call (threads < 0), or outputs (count doubles each; NULL ones skipped)
 * overlapping x (n doubles) or the other inputs. */
int dj__hessian_arguments(const dj__hessian_call *call, const double *x, size_t n,
                          const double *const *out, const size_t *out_count, int nout,
                          const double *const *in, const size_t *in_count, int nin);

/* Records f at x with values kept (on the workspace's graph or the call's
 * own, which the call then holds: DJ_EBUSY when another call does) and
 * prepares its second partials; call->g is then the recording.
 * The facts get the graph's size and, for DJ_ENOTSUP, the primitive
 * without a second-order rule. */
int dj__hessian_record(dj__hessian_call *call, const dj_fn *f, const double *x);

/* A buffer for sweeps of width k (*sweep_doubles of it) and extra doubles
 * after them, from the workspace or the call; NULL on overflow or ENOMEM. */
double *dj__hessian_work(dj__hessian_call *call, int k, size_t extra, size_t *sweep_doubles);

/* y = f(x) from the recording when y is not NULL, and DJ_EVENT_NONFINITE
 * when a value or a result (results_finite == 0) is not finite while x is. */
void dj__hessian_outputs(const dj__hessian_call *call, double *y, const double *x, size_t n,
                         int results_finite);

/* count second-order sweeps of width at most k over call->g, the dense
 * and sparse Hessians' runner. */
typedef struct dj__hsweeps {
    size_t count;       /* >= 1 */
    int k;
    const double *w;    /* the output weights (NULL: all 1) */
    /* Sets (value 1) or clears (value 0) sweep r's directions in V (k×n,
     * zero elsewhere) and returns its width kw <= k. */
    size_t (*seed)(const struct dj__hsweeps *job, double *V, size_t r, double value);
    /* Stores sweep r's products HV (kw rows of n); returns 0 when a stored
     * value is NaN or Inf. Sweeps on threads store at once: what two
     * sweeps write must be apart, or combine the same in either order. */
    int (*store)(const struct dj__hsweeps *job, const double *HV, size_t r, size_t kw);
    const void *ctx;
} dj__hsweeps;

/* Runs the sweeps on call->g (recorded); *grad is then the gradient (n),
 * from the first, in the call's buffers. threads
 * as in dj_opts: the first sweep runs on the calling thread and, when
 * threads is 0 (automatic), its time tells whether threads would pay; then
 * the rest, on threads with OpenMP (schedule(dynamic), each thread its own
 * buffers), every value computed by the same code as serially. *finite
 * is 0 when a store said so, *threads_used the threads that ran sweeps.
 * Errors: DJ_ERANGE, DJ_ENOMEM, the sweep's. */
int dj__hessian_sweeps(dj__hessian_call *call, const dj__hsweeps *job, const double **grad,
                       int *finite, int *threads_used);

#endif
