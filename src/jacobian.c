/* jacobian.c: dj_jacobian, its options, and the choice of mode and chunk. */
#include "internal.h"

int dj_chunk_valid(int k) { return k == 1 || k == 2 || k == 4 || k == 8 || k == 16; }

int dj_chunk_auto(size_t n)
{
    /* One pass when n fits; otherwise the widest type, whose per-pass cost
     * (every value operation, the call) is shared by the most columns. */
    if (n <= 1)
        return 1;
    if (n <= 2)
        return 2;
    if (n <= 4)
        return 4;
    if (n <= 8)
        return 8;
    return 16;
}

int dj_jacobian(double *J, double *y, const dj_fn *f, const double *x, const dj_opts *opts,
                dj_report *report)
{
    static const dj_opts defaults = {0};
    dj_events_clear();
    if (report != NULL)
        *report = (dj_report){0};
    int status = dj_fn_check(f);
    if (status != DJ_OK)
        return status;
    if (J == NULL || x == NULL)
        return DJ_EINVAL;
    if (opts == NULL)
        opts = &defaults;
    if (opts->layout != DJ_ROW_MAJOR && opts->layout != DJ_COL_MAJOR)
        return DJ_EINVAL;
    if (opts->mode != DJ_MODE_AUTO && opts->mode != DJ_MODE_FORWARD &&
        opts->mode != DJ_MODE_REVERSE)
        return DJ_EINVAL;
    size_t ld = opts->ld;
    size_t min_ld = opts->layout == DJ_ROW_MAJOR ? f->n : f->m;
    if (ld == 0)
        ld = min_ld;
    if (ld < min_ld)
        return DJ_EDIM;
    size_t cells;
    if (!dj__mul_size(opts->layout == DJ_ROW_MAJOR ? f->m : f->n, ld, &cells))
        return DJ_ERANGE;
    int k = opts->chunk;
    if (k == 0)
        k = dj_chunk_auto(f->n);
    else if (!dj_chunk_valid(k))
        return DJ_ECHUNK;

    int old_nansafe = dj_nansafe_set(opts->nansafe);
    status = dj__jacobian_forward(J, y, f, x, k, opts->layout, ld, opts->ws, report);
    dj_nansafe_set(old_nansafe);

    unsigned events = dj_events();
    if (report != NULL)
        report->events = events;
    if (status == DJ_OK && opts->strict && (events & DJ_EVENT_NONFINITE))
        return DJ_ENONFINITE;
    return status;
}
