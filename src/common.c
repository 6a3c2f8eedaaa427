/* common.c: status messages, version, per-thread events and NaN-safe mode. */
#include <math.h>
#include <string.h>

#include "internal.h"

static const char *const messages[DJ_STATUS_COUNT_] = {
    [DJ_OK] = "success",
    [DJ_ENOMEM] = "out of memory",
    [DJ_EDIM] = "sizes are zero, inconsistent or do not match",
    [DJ_EINVAL] = "invalid argument",
    [DJ_ERANGE] = "size exceeds what the library can represent",
    [DJ_ECHUNK] = "chunk width not available (use 1, 2, 4, 8 or 16)",
    [DJ_ENOTSUP] = "the function lacks the instantiation this mode needs",
    [DJ_EPARSE] = "parse error",
    [DJ_EBRANCH] = "the recorded graph would take another branch at this point",
    [DJ_EGRAPH] = "variables from another graph, or from a cleared one",
    [DJ_ENONFINITE] = "a value or derivative is NaN or infinite",
    [DJ_ESINGULAR] = "the matrix is singular",
};

const char *dj_strerror(int status)
{
    if (status < 0 || status >= DJ_STATUS_COUNT_)
        return "unknown status";
    return messages[status];
}

const char *dj_version(void) { return DJ_VERSION_STRING; }

/* Like errno: one word per thread, so threads never see each other's events. */
static _Thread_local unsigned thread_events;
static _Thread_local int thread_nansafe;

unsigned dj_events(void) { return thread_events; }

void dj_events_clear(void) { thread_events = 0; }

void dj_event_raise(unsigned events) { thread_events |= events; }

int dj_nansafe_set(int on)
{
    int old = thread_nansafe;
    thread_nansafe = on != 0;
    return old;
}

int dj_nansafe(void) { return thread_nansafe; }

int dj__matrix_finite(const double *J, dj_layout layout, size_t ld, size_t m, size_t n)
{
    size_t lines = layout == DJ_ROW_MAJOR ? m : n, len = layout == DJ_ROW_MAJOR ? n : m;
    for (size_t i = 0; i < lines; i++)
        if (!dj__all_finite(J + i * ld, len))
            return 0;
    return 1;
}

int dj__all_finite(const double *v, size_t count)
{
    /* x - x is 0 for finite x and NaN otherwise: no branch per value. Sums
     * in parallel lanes, because one running sum is a chain of dependent
     * additions that costs more than evaluating a cheap function. */
    size_t i = 0;
#if defined(__GNUC__) || defined(__clang__)
    dj__v2 a0 = dj__v2_zero(), a1 = dj__v2_zero();
    for (; i + 4 <= count; i += 4) {
        dj__v2 x0, x1;
        memcpy(&x0, v + i, sizeof x0);
        memcpy(&x1, v + i + 2, sizeof x1);
        a0 += x0 - x0;
        a1 += x1 - x1;
    }
    a0 += a1;
    double acc = a0[0] + a0[1];
#else
    double acc = 0.0;
#endif
    for (; i < count; i++)
        acc += v[i] - v[i];
    return acc == 0.0;
}
