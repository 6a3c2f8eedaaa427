/*
 * adapter.h: what the solver adapters' sources share; not installed.
 */
#ifndef DUALJAC_ADAPTER_H
#define DUALJAC_ADAPTER_H

#include <stddef.h>

/* Nonzero when the n values are all finite: v - v is NaN exactly for a NaN
 * or an infinity, and one NaN makes the sum NaN. */
static inline int dj__adapter_finite(const double *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i] - v[i];
    return s == 0;
}

#endif /* DUALJAC_ADAPTER_H */
