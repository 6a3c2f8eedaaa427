/* reverse.h: the reverse drivers' sweeps (reverse.c), for the Jacobian
 * drivers above them. */
#ifndef DUALJAC_REVERSE_H
#define DUALJAC_REVERSE_H

#include "passes.h"

/* A driver's recording of f at x: on the workspace's graph (kept for its
 * capacity) or on tmp, its dj_vars in the workspace or in buf. */
typedef struct dj__recording {
    dj_graph *g; /* NULL when the buffers could not be had */
    dj_graph tmp;
    void *buf;
} dj__recording;

/* Records f at x on rec->g: DJ_OK, or an error and rec->g NULL when the
 * buffers could not be had (DJ_ERANGE, DJ_ENOMEM), or the recording's
 * status. dj__record_end frees what was taken, whatever the status. */
int dj__record_begin(dj__recording *rec, const dj_fn *f, const double *x, dj_workspace *ws);
void dj__record_end(dj__recording *rec);

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
