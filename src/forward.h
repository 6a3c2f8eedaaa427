/* forward.h: the forward drivers' passes (forward.c), for the Jacobian
 * drivers above them. */
#ifndef DUALJAC_FORWARD_H
#define DUALJAC_FORWARD_H

#include "passes.h"

/* Forward-mode Jacobian: columns by ceil(n/k) passes. facts gets what
 * dj__forward_passes reports. One pass whose duals fit in 512 doubles runs
 * on the stack and allocates nothing. */
int dj__jacobian_forward(double *J, double *y, const dj_fn *f, const double *x, int k,
                         dj_layout layout, size_t ld, dj_workspace *ws, int threads,
                         dj_report *facts);

/* A forward driver's run: the passes, y = f(x) when y is not NULL, then
 * DJ_EVENT_NONFINITE when a value or a stored derivative is NaN or Inf
 * while x is finite: f produced it. facts gets the mode, chunk, passes,
 * threads and colors (0 for a dense Jacobian). Errors: those of
 * dj__run_passes. */
int dj__forward_passes(const dj__passes *job, double *y, dj_workspace *ws, int threads,
                       size_t colors, dj_report *facts);

#endif /* DUALJAC_FORWARD_H */
