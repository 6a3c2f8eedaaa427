/* jacobian.c: dj_jacobian, its options, and the choice of mode and chunk. */
#include "driver.h"
#include "forward.h"
#include "reverse.h"

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

/* The cost model of auto mode, in units of one forward pass with a single
 * tangent. A forward pass with k tangents costs 1 + FWD_PER_SLOT·k; reverse
 * mode costs RECORD once plus SWEEP + REV_PER_SLOT·k per sweep of k seeds.
 * Both sides scale with the size of the function, so its graph size cancels
 * out. The constants put the model's crossovers where `make bench` measures
 * them on the dense chains (gradient: n = 2.5 against 2.6 measured; outputs at
 * n = 64: m = 48 against 61) while keeping every square and tall function in
 * forward mode, where it wins by 1.1x to 1400x. */
#define FWD_PER_SLOT 0.25
#define RECORD 1.0
#define SWEEP 0.5
#define REV_PER_SLOT 0.3

static double ceil_div(size_t a, size_t b) { return (double)((a + b - 1) / b); }

dj_mode dj_mode_auto(size_t n, size_t m)
{
    int kf = dj_chunk_auto(n), kr = dj_chunk_auto(m);
    double forward = ceil_div(n, (size_t)kf) * (1.0 + FWD_PER_SLOT * kf);
    double reverse = RECORD + ceil_div(m, (size_t)kr) * (SWEEP + REV_PER_SLOT * kr);
    return forward <= reverse ? DJ_MODE_FORWARD : DJ_MODE_REVERSE;
}

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
    size_t cells;
    if (!dj__mul_size(opts->layout == DJ_ROW_MAJOR ? f->m : f->n, ld, &cells))
        return DJ_ERANGE;
    if (opts->chunk != 0 && !dj_chunk_valid(opts->chunk))
        return DJ_ECHUNK;
    dj_mode mode = opts->mode;
    if (mode == DJ_MODE_AUTO)
        mode = f->eval_var ? dj_mode_auto(f->n, f->m) : DJ_MODE_FORWARD;
    if (mode == DJ_MODE_REVERSE && f->eval_var == NULL)
        return DJ_ENOTSUP;
    int k = opts->chunk ? opts->chunk : dj_chunk_auto(mode == DJ_MODE_FORWARD ? f->n : f->m);
    if (mode == DJ_MODE_FORWARD)
        return dj__jacobian_forward(J, y, f, x, k, opts->layout, ld, opts->ws, opts->threads,
                                    facts);
    return dj__jacobian_reverse(J, y, f, x, k, opts->layout, ld, opts->ws, opts->threads,
                                facts);
}

int dj_jacobian(double *J, double *y, const dj_fn *f, const double *x, const dj_opts *opts,
                dj_report *report)
{
    static const dj_opts defaults = {0};
    dj__driver d;
    dj__driver_begin(&d, opts);
    int status = jacobian(J, y, f, x, opts ? opts : &defaults, &d.facts);
    return dj__driver_end(&d, status, report);
}
