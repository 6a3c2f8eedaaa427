/* testlib.h: what the Check suites share (runner.h: their main). */
#ifndef DJ_TESTLIB_H
#define DJ_TESTLIB_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <dualjac.h>

#include "runner.h"

/* |got - want| <= tol·max(1, |want|); NaN equals NaN, Inf equals same Inf. */
int tl_close(double got, double want, double tol);

/* Fails the test with the message and both values when not tl_close. */
#define tl_assert_close(got, want, tol, ...)                                   \
    do {                                                                       \
        double tl_g_ = (got), tl_w_ = (want);                                  \
        if (!tl_close(tl_g_, tl_w_, (tol))) {                                  \
            char tl_msg_[256];                                                 \
            snprintf(tl_msg_, sizeof tl_msg_, __VA_ARGS__);                    \
            ck_abort_msg("%s: got %.17g, want %.17g (tol %g)", tl_msg_, tl_g_, tl_w_, \
                         (double)(tol));                                       \
        }                                                                      \
    } while (0)

/* A seeded random stream (splitmix64): the same numbers on every run. */
typedef struct tl_rng {
    uint64_t state;
} tl_rng;
void tl_rng_seed(tl_rng *r, uint64_t seed);
double tl_uniform(tl_rng *r, double lo, double hi);

/* Central difference of the k-th output along direction e_j, step h·max(1,|x_j|). */
double tl_central_diff(const dj_fn *f, const double *x, size_t i, size_t j);

/* The elementary functions with their analytic derivatives and a domain. */
typedef struct tl_unary {
    const char *name;
    double (*f)(double);
    double (*df)(double);
    double lo, hi;
    dj_dual (*f1)(dj_dual);
    dj_dual2 (*f2)(dj_dual2);
    dj_dual4 (*f4)(dj_dual4);
    dj_dual8 (*f8)(dj_dual8);
    dj_dual16 (*f16)(dj_dual16);
} tl_unary;
extern const tl_unary tl_unaries[];
extern const int tl_unary_count;

#endif
