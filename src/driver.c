/* driver.c: the begin and end every driver shares (see driver.h). */
#include "driver.h"

void dj__driver_begin(dj__driver *d, const dj_opts *opts)
{
    dj_events_clear();
    d->opts = opts;
    d->saved_nansafe = dj_nansafe_set(opts != NULL && opts->nansafe);
    d->facts = (dj_report){0};
}

int dj__driver_end(dj__driver *d, int status, dj_report *report)
{
    unsigned events = dj_events();
    dj_nansafe_set(d->saved_nansafe);
    if (report != NULL) {
        *report = d->facts;
        report->events = events;
    }
    if (status == DJ_OK && d->opts != NULL && d->opts->strict &&
        (events & DJ_EVENT_NONFINITE))
        return DJ_ENONFINITE;
    return status;
}
