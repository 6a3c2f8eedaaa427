/* reverse.h: the reverse drivers' sweeps (reverse.c), for the Jacobian
 * drivers above them. */
#ifndef DUALJAC_REVERSE_H
#define DUALJAC_REVERSE_H

#include "passes.h"

/* Reverse-mode Jacobian: rows by ceil(m/k) sweeps over one recording.
 * facts gets what dj__reverse_sweeps reports. */
int dj__jacobian_reverse(double *J, double *y, const dj_fn *f, const double *x, int k,
                         dj_layout layout, size_t ld, dj_workspace *ws, int threads,
                         dj_report *facts);

/* A reverse driver's run: records f at x on ws's graph or a temporary one,
 * sets job->g to it and runs the sweeps; then y and DJ_EVENT_NONFINITE as
 * dj__forward_passes. facts gets the mode, chunk, sweeps, graph_nodes,
 * threads and colors, unless the recording's buffers could not be had.
 * Errors: DJ_ERANGE, DJ_ENOMEM, those of the recording and of
 * dj__run_sweeps. */
int dj__reverse_sweeps(dj__sweeps *job, double *y, const dj_fn *f, const double *x,
                       dj_workspace *ws, int threads, size_t colors, dj_report *facts);

#endif /* DUALJAC_REVERSE_H */
