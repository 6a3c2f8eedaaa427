/* known.h: functions with analytic Jacobians, shared by the Jacobian,
 * graph, limits and threads suites: square, tall and wide; dense, banded and
 * sparse; linear; a chain through BLAS layers; transcendental. The classic
 * problems among them are the registry's (src/problems), defined once. */
#ifndef DJ_TEST_KNOWN_H
#define DJ_TEST_KNOWN_H

#include <stdint.h>

#include <dualjac.h>

typedef struct {
    const char *name;
    const char *problem; /* the registry's name, or NULL: defined in known.c */
    dj_fn fn;            /* a problem's is made by known_setup */
    void (*jac)(double *J, const double *x, size_t n, size_t m);
    double lo, hi; /* random points */
} known_fn;

extern known_fn known[];
extern const int known_count;

/* The second witness of an oracle: at a random point (from seed) the
 * analytic Jacobian k->jac agrees with central differences (Check assertions;
 * call it inside a test). */
void known_assert_witnessed(const known_fn *k, uint64_t seed);

/* Makes the problems' dj_fn and fills the random matrices the linear and
 * chain functions use: the fixture of every test case that reads known. */
void known_setup(void);

#endif
