/* jacobian.c: dj_jacobian and its options. */
#include "driver.h"
#include "forward.h"
#include "jacobian_colored.h"
#include "reverse.h"

/* dj_jacobian's work between the driver's begin and end; opts is not
 * NULL. */
static int jacobian(double *J, double *y, const dj_fn *f, const double *x, const dj_opts *opts,
                    dj_report *facts)
{
    int status = dj_fn_check(f);
    if (status != DJ_OK)
        return status;
    if (J == NULL || x == NULL)
        return DJ_EINVAL;
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
    /* J spans outer·ld doubles: their bytes, not only their count, must fit
     * (m = n = 2, ld = SIZE_MAX/4 has a count that fits and bytes that wrap) */
    size_t cells, bytes;
    if (!dj__mul_size(opts->layout == DJ_ROW_MAJOR ? f->m : f->n, ld, &cells) ||
        !dj__bytes(cells, sizeof(double), &bytes))
        return DJ_ERANGE;
    if (opts->chunk != 0 && !dj_chunk_valid(opts->chunk))
        return DJ_ECHUNK;
    if (opts->threads < 0)
        return DJ_EINVAL;
    if (opts->sparsity != DJ_SPARSITY_AUTO && opts->sparsity != DJ_SPARSITY_DENSE)
        return DJ_EINVAL;
    /* J spans (outer - 1)·ld + inner doubles; no output may share memory
     * with x, nor J with y: the passes read x while they store */
    size_t span = cells - ld + min_ld;
    if (dj__overlap(y, f->m, x, f->n) || dj__overlap(J, span, x, f->n) ||
        dj__overlap(J, span, y, f->m))
        return DJ_EINVAL;
    dj_mode mode = opts->mode;
    if (mode == DJ_MODE_AUTO)
        mode = f->eval_var ? dj_mode_auto(f->n, f->m) : DJ_MODE_FORWARD;
    if (mode == DJ_MODE_REVERSE && f->eval_var == NULL)
        return DJ_ENOTSUP;
    int k = opts->chunk ? opts->chunk : dj_chunk_auto(mode == DJ_MODE_FORWARD ? f->n : f->m);

    if ((status = dj__workspace_acquire(opts->ws)) != DJ_OK)
        return status;
    /* auto mode may take J's sparsity (dj_sparsity); explicit modes never */
    if (mode == DJ_MODE_FORWARD && opts->mode == DJ_MODE_AUTO &&
        opts->sparsity == DJ_SPARSITY_AUTO)
        status = dj__jacobian_colored(J, y, f, x, opts->chunk, (f->n + (size_t)k - 1) / (size_t)k,
                                      opts->layout, ld, opts->ws, opts->threads, facts);
    else
        status = DJ__COLORED_DECLINED;
    if (status == DJ__COLORED_DECLINED && mode == DJ_MODE_FORWARD)
        status = dj__jacobian_forward(J, y, f, x, k, opts->layout, ld, opts->ws, opts->threads,
                                      facts);
    else if (status == DJ__COLORED_DECLINED)
        status = dj__jacobian_reverse(J, y, f, x, k, opts->layout, ld, opts->ws, opts->threads,
                                      facts);
    dj__workspace_release(opts->ws);
    return status;
}

int dj_jacobian(double *J, double *y, const dj_fn *f, const double *x, const dj_opts *opts,
                dj_report *report)
{
    static const dj_opts defaults = {0};
    dj__driver d;
    dj__driver_begin(&d, opts, report);
    int status = jacobian(J, y, f, x, opts ? opts : &defaults, dj__driver_facts(&d));
    return dj__driver_end(&d, status);
}
