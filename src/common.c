/* common.c: status messages, version, per-thread events and NaN-safe mode. */
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
    [DJ_EBUSY] = "the workspace is in use by another call",
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
