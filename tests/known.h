/* known.h: functions with analytic Jacobians, shared by the Jacobian and
 * graph suites: square, tall and wide; dense, banded and sparse; linear; a
 * chain through BLAS layers; transcendental. */
#ifndef DJ_TEST_KNOWN_H
#define DJ_TEST_KNOWN_H

#include <dualjac.h>

typedef struct {
    const char *name;
    dj_fn fn;
    void (*jac)(double *J, const double *x, size_t n, size_t m);
    double lo, hi; /* random points */
} known_fn;

extern const known_fn known[];
extern const int known_count;

/* Fills the random matrices the linear and chain functions use. */
void known_setup(void);

#endif
