/* known.h: functions with analytic Jacobians, shared by the Jacobian and
 * graph suites: square, tall and wide; dense, banded and sparse; linear; a
 * chain through BLAS layers; transcendental. */
#ifndef DJ_TEST_KNOWN_H
#define DJ_TEST_KNOWN_H

#include <stdint.h>

#include <dualjac.h>

typedef struct {
    const char *name;
    dj_fn fn;
    void (*jac)(double *J, const double *x, size_t n, size_t m);
    double lo, hi; /* random points */
} known_fn;

extern const known_fn known[];
extern const int known_count;

/* The second witness of an oracle: at a random point (from seed) the
 * analytic Jacobian k->jac agrees with central differences (Check assertions;
 * call it inside a test). */
void known_assert_witnessed(const known_fn *k, uint64_t seed);

/* Fills the random matrices the linear and chain functions use. */
void known_setup(void);

#endif
