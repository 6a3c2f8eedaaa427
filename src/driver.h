/* driver.h: how every driver (dj_jvp, dj_vjp, dj_gradient, dj_jacobian,
 * dj_sparse_jacobian, dj_hvp, dj_hessian, dj_sparse_hessian) begins and
 * ends, so that events, NaN-safe mode, strict mode and the report mean the
 * same in each.
 *
 * The driver sources call each other top-down only:
 *   jacobian.c, sparse.c   dj_jacobian, dj_sparse_jacobian: their options
 *   hessian.c, sparse_hessian.c   dj_hvp, dj_hessian, dj_sparse_hessian,
 *                          over hessian_sweep.c
 *   forward.c, reverse.c   dj_jvp; dj_vjp, dj_gradient; passes and sweeps
 *   passes.c, pack.c       the runner of passes and sweeps; array kernels
 *   driver.h, mode_auto.c  this begin and end; the choice of mode and chunk
 */
#ifndef DUALJAC_DRIVER_H
#define DUALJAC_DRIVER_H

#include "internal.h"
#include "pack.h"

/* One driver call: its options, the caller's NaN-safe mode and report. */
typedef struct dj__driver {
    const dj_opts *opts;
    int saved_nansafe;
    dj_report *report;  /* may be NULL */
    dj_report scratch;  /* the facts when there is no report */
} dj__driver;

/* The start of a driver: clears this thread's events, sets its NaN-safe
 * mode from opts (NULL: off) and zeroes the report. Inline, like the end:
 * a JVP of a small function costs tens of nanoseconds, and a driver that
 * takes no report then pays for none. */
static inline void dj__driver_begin(dj__driver *d, const dj_opts *opts, dj_report *report)
{
    dj_events_clear();
    d->opts = opts;
    d->saved_nansafe = dj_nansafe_set(opts != NULL && opts->nansafe);
    d->report = report;
    if (report != NULL)
        *report = (dj_report){0};
}

/* Where the driver writes what it did (the report's fields but events):
 * the report, or scratch that nobody reads. */
static inline dj_report *dj__driver_facts(dj__driver *d)
{
    return d->report != NULL ? d->report : &d->scratch;
}

/* The end of a driver, on every path: restores NaN-safe mode, puts this
 * thread's events into the report, and returns status, or DJ_ENONFINITE
 * for a successful call in strict mode that produced a NaN or Inf. */
static inline int dj__driver_end(dj__driver *d, int status)
{
    dj_nansafe_set(d->saved_nansafe);
    if (d->report != NULL)
        d->report->events = dj_events();
    if (status == DJ_OK && d->opts != NULL && d->opts->strict &&
        (dj_events() & DJ_EVENT_NONFINITE))
        return DJ_ENONFINITE;
    return status;
}

/* DJ_EVENT_NONFINITE when a result is NaN or Inf (results_finite == 0)
 * while the count inputs at in are finite: f produced it. The inputs are
 * scanned only then. */
static inline void dj__note_produced(int results_finite, const double *in, size_t count)
{
    if (!results_finite && dj__all_finite(in, count))
        dj_event_raise(DJ_EVENT_NONFINITE);
}

#endif /* DUALJAC_DRIVER_H */
