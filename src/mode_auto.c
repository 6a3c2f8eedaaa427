/* mode_auto.c: what auto mode picks, for the dense and the sparse
 * Jacobian drivers: the chunk width and, from a cost model, the mode. */
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

/* The cost model of auto mode, in units of one forward pass with a single
 * tangent. A forward pass with k tangents costs 1 + FWD_PER_SLOT·k; reverse
 * mode costs RECORD once plus SWEEP + REV_PER_SLOT·k per sweep of k seeds.
 * Both sides scale with the size of the function, so its graph size cancels
 * out. The constants are fitted so that the model's crossovers fall where
 * bench_modes measures them on the dense chains (gradient in n; outputs in
 * m at n = 64), while every square and tall function stays in forward
 * mode, where forward wins. Refit them from a `make bench` run when the
 * drivers' costs change. */
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
