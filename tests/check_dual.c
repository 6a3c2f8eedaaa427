/* check_dual.c: the dual and multi-dual types against analytic derivatives. */
#include <math.h>
#include <stdio.h>

#include "testlib.h"

#define TOL 1e-13

/* Tolerance per function: tgamma's derivative multiplies two computed
 * factors, digamma loses digits near its root at 1.4616. */
static double tol_for(const char *name)
{
    if (name[0] == 't' && name[1] == 'g')
        return 1e-11;
    if (name[0] == 'l' && name[1] == 'g')
        return 1e-11;
    return TOL;
}

/* Every slot of a K-wide result is f'(x) times the seed's tangent there. */
#define CHECK_WIDTH(T, K, fn)                                                  \
    do {                                                                       \
        T a;                                                                   \
        a.v = x;                                                               \
        for (int s = 0; s < K; s++)                                            \
            a.d[s] = tl_uniform(&rng, -2, 2);                                  \
        T rw = u->fn(a);                                                        \
        tl_assert_close(rw.v, u->f(x), 1e-15, "%s value at %g (width %d)", u->name, x, K); \
        for (int s = 0; s < K; s++)                                            \
            tl_assert_close(rw.d[s], df * a.d[s], tol, "%s slot %d at %g (width %d)", u->name, \
                            s, x, K);                                          \
    } while (0)

START_TEST(test_unary_matches_analytic)
{
    const tl_unary *u = &tl_unaries[_i];
    tl_rng rng;
    tl_rng_seed(&rng, 1000 + (uint64_t)_i);
    double tol = tol_for(u->name);
    int cases = tl_cases(60);
    for (int c = 0; c < cases; c++) {
        double x = tl_uniform(&rng, u->lo, u->hi);
        if (u->df == NULL)
            continue;
        double df = u->df(x);
        double t = tl_uniform(&rng, -2, 2);
        dj_dual r = u->f1(dj_dual_make(x, t));
        tl_assert_close(r.v, u->f(x), 1e-15, "%s value at %g", u->name, x);
        tl_assert_close(r.d, df * t, tol, "%s tangent at %g", u->name, x);
        CHECK_WIDTH(dj_dual2, 2, f2);
        CHECK_WIDTH(dj_dual4, 4, f4);
        CHECK_WIDTH(dj_dual8, 8, f8);
        CHECK_WIDTH(dj_dual16, 16, f16);
    }
}
END_TEST

/* Second witness: the analytic derivatives of the table agree with central
 * differences of the libm function (away from the jumps of floor & co). */
START_TEST(test_unary_matches_finite_differences)
{
    const tl_unary *u = &tl_unaries[_i];
    tl_rng rng;
    tl_rng_seed(&rng, 2000 + (uint64_t)_i);
    for (int c = 0; c < 20; c++) {
        double x = tl_uniform(&rng, u->lo, u->hi);
        double h = 1e-6 * (fabs(x) > 1 ? fabs(x) : 1);
        if (floor(x - h) != floor(x + h) || round(x - h) != round(x + h) || fabs(x) < 2 * h)
            continue;
        if (x - h < u->lo || x + h > u->hi)
            continue;
        double fd = (u->f(x + h) - u->f(x - h)) / (2 * h);
        dj_dual r = u->f1(dj_dual_make(x, 1.0));
        tl_assert_close(r.d, fd, 1e-5 * (1 + fabs(fd)), "%s vs finite differences at %g",
                        u->name, x);
    }
}
END_TEST

/* Binary operations: value and both partials, for (T,T), (T,double), (double,T). */
typedef struct {
    const char *name;
    double (*f)(double, double);
    void (*partials)(double, double, double *, double *);
    double lo1, hi1, lo2, hi2;
} binary_case;

static double op_add(double a, double b) { return a + b; }
static double op_sub(double a, double b) { return a - b; }
static double op_mul(double a, double b) { return a * b; }
static double op_div(double a, double b) { return a / b; }
static void p_add(double a, double b, double *pa, double *pb) { (void)a, (void)b, *pa = 1, *pb = 1; }
static void p_sub(double a, double b, double *pa, double *pb) { (void)a, (void)b, *pa = 1, *pb = -1; }
static void p_mul(double a, double b, double *pa, double *pb) { *pa = b, *pb = a; }
static void p_div(double a, double b, double *pa, double *pb) { *pa = 1 / b, *pb = -a / (b * b); }
static void p_pow(double a, double b, double *pa, double *pb)
{
    *pa = b * pow(a, b - 1);
    *pb = pow(a, b) * log(a);
}
static void p_atan2(double a, double b, double *pa, double *pb)
{
    *pa = b / (a * a + b * b);
    *pb = -a / (a * a + b * b);
}
static void p_hypot(double a, double b, double *pa, double *pb)
{
    *pa = a / sqrt(a * a + b * b);
    *pb = b / sqrt(a * a + b * b);
}
static void p_fmin(double a, double b, double *pa, double *pb) { *pa = a < b, *pb = b < a; }
static void p_fmax(double a, double b, double *pa, double *pb) { *pa = a > b, *pb = b > a; }
static void p_copysign(double a, double b, double *pa, double *pb)
{
    *pa = ((a > 0) == (b > 0)) ? 1 : -1;
    *pb = 0;
}
static void p_fmod(double a, double b, double *pa, double *pb)
{
    *pa = 1;
    *pb = -trunc(a / b);
}

static const binary_case binaries[] = {
    {"add", op_add, p_add, -5, 5, -5, 5},
    {"sub", op_sub, p_sub, -5, 5, -5, 5},
    {"mul", op_mul, p_mul, -5, 5, -5, 5},
    {"div", op_div, p_div, -5, 5, 0.5, 5},
    {"pow", pow, p_pow, 0.1, 5, -3, 3},
    {"atan2", atan2, p_atan2, -5, 5, -5, 5},
    {"hypot", hypot, p_hypot, -5, 5, -5, 5},
    {"fmin", fmin, p_fmin, -5, 5, -5, 5},
    {"fmax", fmax, p_fmax, -5, 5, -5, 5},
    {"copysign", copysign, p_copysign, -5, 5, -5, 5},
    {"fmod", fmod, p_fmod, -20, 20, 0.7, 3},
};

/* Applies binary op `name` through the generic macro to every pairing. */
#define APPLY(name, a, b)                                                      \
    (!strcmp(name, "add") ? dj_add(a, b) : !strcmp(name, "sub") ? dj_sub(a, b) \
     : !strcmp(name, "mul") ? dj_mul(a, b) : !strcmp(name, "div") ? dj_div(a, b) \
     : !strcmp(name, "pow") ? dj_pow(a, b) : !strcmp(name, "atan2") ? dj_atan2(a, b) \
     : !strcmp(name, "hypot") ? dj_hypot(a, b) : !strcmp(name, "fmin") ? dj_fmin(a, b) \
     : !strcmp(name, "fmax") ? dj_fmax(a, b) : !strcmp(name, "copysign") ? dj_copysign(a, b) \
     : dj_fmod(a, b))

#define CHECK_BINARY(T, K)                                                     \
    do {                                                                       \
        T a = dj_const(T, x1), b = dj_const(T, x2);                            \
        double ta[16], tb[16];                                                 \
        for (int s = 0; s < K; s++) {                                          \
            dj_tangent_ref_(T, a, s) = ta[s] = tl_uniform(&rng, -2, 2);        \
            dj_tangent_ref_(T, b, s) = tb[s] = tl_uniform(&rng, -2, 2);        \
        }                                                                      \
        T rab = APPLY(bc->name, a, b), rad = APPLY(bc->name, a, x2),           \
          rdb = APPLY(bc->name, x1, b);                                        \
        tl_assert_close(dj_value(rab), want, 1e-15, "%s(%g, %g) value", bc->name, x1, x2); \
        tl_assert_close(dj_value(rad), want, 1e-15, "%s(%g, %g) value, double b", bc->name, x1, x2); \
        tl_assert_close(dj_value(rdb), want, 1e-15, "%s(%g, %g) value, double a", bc->name, x1, x2); \
        for (int s = 0; s < K; s++) {                                          \
            tl_assert_close(dj_tangent(rab, s), pa * ta[s] + pb * tb[s], TOL,  \
                            "%s(%g, %g) slot %d of %d", bc->name, x1, x2, s, K); \
            tl_assert_close(dj_tangent(rad, s), pa * ta[s], TOL,               \
                            "%s(%g, dbl %g) slot %d of %d", bc->name, x1, x2, s, K); \
            tl_assert_close(dj_tangent(rdb, s), pb * tb[s], TOL,               \
                            "%s(dbl %g, %g) slot %d of %d", bc->name, x1, x2, s, K); \
        }                                                                      \
    } while (0)

/* An lvalue for tangent s of a, for any dual type. */
#define dj_tangent_ref_(T, a, s) (((double *)&(a))[1 + (s)])

#include <string.h>

START_TEST(test_binary_matches_analytic)
{
    const binary_case *bc = &binaries[_i];
    tl_rng rng;
    tl_rng_seed(&rng, 3000 + (uint64_t)_i);
    int cases = tl_cases(60);
    for (int c = 0; c < cases; c++) {
        double x1 = tl_uniform(&rng, bc->lo1, bc->hi1), x2 = tl_uniform(&rng, bc->lo2, bc->hi2);
        double want = bc->f(x1, x2), pa, pb;
        bc->partials(x1, x2, &pa, &pb);
        CHECK_BINARY(dj_dual, 1);
        CHECK_BINARY(dj_dual2, 2);
        CHECK_BINARY(dj_dual4, 4);
        CHECK_BINARY(dj_dual8, 8);
        CHECK_BINARY(dj_dual16, 16);
    }
}
END_TEST

START_TEST(test_fma_matches_analytic)
{
    tl_rng rng;
    tl_rng_seed(&rng, 77);
    for (int c = 0; c < tl_cases(50); c++) {
        double a = tl_uniform(&rng, -3, 3), b = tl_uniform(&rng, -3, 3), z = tl_uniform(&rng, -3, 3);
        dj_dual8 A = dj_dual8_seed(a, 0), B = dj_dual8_seed(b, 1), C = dj_dual8_seed(z, 2);
        dj_dual8 r = dj_fma(A, B, C);
        ck_assert(r.v == fma(a, b, z));
        tl_assert_close(r.d[0], b, TOL, "fma d/da");
        tl_assert_close(r.d[1], a, TOL, "fma d/db");
        tl_assert_close(r.d[2], 1, TOL, "fma d/dc");
        ck_assert(dj_fma(a, B, C).d[1] == a && dj_fma(a, B, C).d[0] == 0);
        ck_assert(dj_fma(A, b, z).d[0] == b);
        ck_assert(dj_fma(a, b, C).v == fma(a, b, z) && dj_fma(a, b, C).d[2] == 1);
        ck_assert(dj_fma(A, 2, 1).v == fma(a, 2, 1));
        ck_assert(dj_fma(a, b, z) == fma(a, b, z));
    }
}
END_TEST

/* ---- the documented choices at kinks and edges ------------------------------ */

START_TEST(test_fabs_kink_is_zero_with_event)
{
    dj_events_clear();
    dj_dual r = dj_fabs(dj_dual_make(0.0, 1.0));
    ck_assert(r.v == 0 && r.d == 0);
    ck_assert(dj_events() & DJ_EVENT_KINK);
    dj_events_clear();
    r = dj_fabs(dj_dual_make(-0.0, 1.0));
    ck_assert(r.d == 0);
    ck_assert(dj_fabs(dj_dual_make(-2.0, 1.0)).d == -1);
    ck_assert(dj_fabs(dj_dual_make(2.0, 1.0)).d == 1);
}
END_TEST

START_TEST(test_sqrt_edge_is_infinite_with_event)
{
    dj_events_clear();
    dj_dual r = dj_sqrt(dj_dual_make(0.0, 1.0));
    ck_assert(r.v == 0 && r.d == INFINITY);
    ck_assert(dj_events() & DJ_EVENT_EDGE);
    /* a zero tangent times the infinite partial is NaN by IEEE ... */
    ck_assert(isnan(dj_sqrt(dj_dual_make(0.0, 0.0)).d));
    /* ... and zero in NaN-safe mode, direction by direction */
    int old = dj_nansafe_set(1);
    ck_assert(dj_sqrt(dj_dual_make(0.0, 0.0)).d == 0);
    dj_dual8 x = dj_dual8_seed(0.0, 3);
    dj_dual8 s = dj_sqrt(x);
    for (int i = 0; i < 8; i++)
        ck_assert(i == 3 ? s.d[i] == INFINITY : s.d[i] == 0);
    dj_nansafe_set(old);
    ck_assert(isnan(dj_sqrt(dj_dual_make(-1.0, 1.0)).d));
}
END_TEST

START_TEST(test_log_edge_and_domain)
{
    dj_events_clear();
    dj_dual r = dj_log(dj_dual_make(0.0, 1.0));
    ck_assert(r.v == -INFINITY && r.d == INFINITY);
    ck_assert(dj_events() & DJ_EVENT_EDGE);
    r = dj_log(dj_dual_make(-0.0, 1.0));
    ck_assert(r.d == INFINITY);
    ck_assert(isnan(dj_log(dj_dual_make(-1.0, 1.0)).v));
    ck_assert(dj_log1p(dj_dual_make(-1.0, 1.0)).d == INFINITY);
    ck_assert(dj_log2(dj_dual_make(0.0, 1.0)).d == INFINITY);
    ck_assert(dj_log10(dj_dual_make(0.0, 1.0)).d == INFINITY);
}
END_TEST

START_TEST(test_pow_zero_base_cases)
{
    dj_dual x0 = dj_dual_make(0.0, 1.0);
    /* x^0 is the constant 1, even at 0 */
    ck_assert(dj_pow(x0, 0.0).v == 1 && dj_pow(x0, 0.0).d == 0);
    ck_assert(dj_pow(x0, 1.0).d == 1);
    ck_assert(dj_pow(x0, 2.0).d == 0);
    ck_assert(dj_pow(x0, 3.5).d == 0);
    dj_events_clear();
    ck_assert(dj_pow(x0, 0.5).d == INFINITY);
    ck_assert(dj_events() & DJ_EVENT_EDGE);
    ck_assert(dj_pow(x0, -1.0).v == INFINITY);
    /* 0^y in y: 0 for y > 0; EDGE at y <= 0 */
    dj_dual y = dj_dual_make(2.0, 1.0);
    ck_assert(dj_pow(0.0, y).v == 0 && dj_pow(0.0, y).d == 0);
    dj_events_clear();
    ck_assert(dj_pow(0.0, dj_dual_make(0.0, 1.0)).d == 0);
    ck_assert(dj_events() & DJ_EVENT_EDGE);
    /* negative base: derivative in y is not real */
    dj_events_clear();
    ck_assert(isnan(dj_pow(-2.0, dj_dual_make(3.0, 1.0)).d));
    ck_assert(dj_events() & DJ_EVENT_EDGE);
    /* negative base, integer constant exponent: fine */
    tl_assert_close(dj_pow(dj_dual_make(-2.0, 1.0), 3).d, 12.0, TOL, "(-2)^3");
    /* dual^dual at x = 0, y = 2: (0, 0) */
    dj_dual2 a = dj_dual2_seed(0.0, 0), b = dj_dual2_seed(2.0, 1);
    dj_dual2 r = dj_pow(a, b);
    ck_assert(r.v == 0 && r.d[0] == 0 && r.d[1] == 0);
}
END_TEST

START_TEST(test_atan2_and_hypot_origin)
{
    dj_events_clear();
    dj_dual2 y = dj_dual2_seed(0.0, 0), x = dj_dual2_seed(0.0, 1);
    dj_dual2 r = dj_atan2(y, x);
    ck_assert(r.v == 0 && r.d[0] == 0 && r.d[1] == 0);
    ck_assert(dj_events() & DJ_EVENT_KINK);
    r = dj_hypot(y, x);
    ck_assert(r.v == 0 && r.d[0] == 0 && r.d[1] == 0);
}
END_TEST

START_TEST(test_fmin_fmax_tie_average)
{
    dj_events_clear();
    dj_dual2 a = dj_dual2_seed(1.0, 0), b = dj_dual2_seed(1.0, 1);
    dj_dual2 lo = dj_fmin(a, b), hi = dj_fmax(a, b);
    ck_assert(lo.d[0] == 0.5 && lo.d[1] == 0.5 && hi.d[0] == 0.5 && hi.d[1] == 0.5);
    ck_assert(dj_events() & DJ_EVENT_KINK);
    /* NaN on one side selects the other, derivative included */
    dj_dual2 n = dj_dual2_seed(NAN, 0);
    ck_assert(dj_fmin(n, b).v == 1 && dj_fmin(n, b).d[1] == 1 && dj_fmin(n, b).d[0] == 0);
}
END_TEST

START_TEST(test_rounding_flat_and_kink_at_jump)
{
    dj_events_clear();
    ck_assert(dj_floor(dj_dual_make(2.5, 1.0)).d == 0);
    ck_assert(dj_events() == 0);
    ck_assert(dj_floor(dj_dual_make(2.0, 1.0)).d == 0);
    ck_assert(dj_events() & DJ_EVENT_KINK);
    dj_events_clear();
    ck_assert(dj_round(dj_dual_make(2.5, 1.0)).d == 0);
    ck_assert(dj_events() & DJ_EVENT_KINK);
    dj_events_clear();
    ck_assert(dj_trunc(dj_dual_make(0.0, 1.0)).d == 0);
    ck_assert(dj_events() == 0);
}
END_TEST

START_TEST(test_inverse_trig_edges)
{
    dj_events_clear();
    ck_assert(dj_asin(dj_dual_make(1.0, 1.0)).d == INFINITY);
    ck_assert(dj_acos(dj_dual_make(1.0, 1.0)).d == -INFINITY);
    ck_assert(dj_acosh(dj_dual_make(1.0, 1.0)).d == INFINITY);
    ck_assert(dj_atanh(dj_dual_make(-1.0, 1.0)).d == INFINITY);
    ck_assert(dj_events() & DJ_EVENT_EDGE);
    ck_assert(dj_cbrt(dj_dual_make(0.0, 1.0)).d == INFINITY);
}
END_TEST

START_TEST(test_copysign_and_fmod_choices)
{
    dj_events_clear();
    ck_assert(dj_copysign(dj_dual_make(0.0, 1.0), -1.0).d == 0);
    ck_assert(dj_events() & DJ_EVENT_KINK);
    ck_assert(dj_copysign(dj_dual_make(2.0, 1.0), -1.0).d == -1);
    ck_assert(dj_copysign(3.0, dj_dual_make(-1.0, 1.0)).d == 0);
    dj_events_clear();
    dj_dual2 r = dj_fmod(dj_dual2_seed(6.0, 0), dj_dual2_seed(3.0, 1));
    ck_assert(r.v == 0 && r.d[0] == 1 && r.d[1] == -2);
    ck_assert(dj_events() & DJ_EVENT_KINK);
}
END_TEST

START_TEST(test_nan_and_inf_propagate)
{
    dj_dual8 x = dj_dual8_seed(NAN, 0);
    ck_assert(isnan(dj_sin(x).v) && isnan(dj_sin(x).d[0]));
    ck_assert(isnan(dj_mul(x, 2.0).v));
    dj_dual8 inf = dj_dual8_seed(INFINITY, 0);
    ck_assert(dj_exp(inf).v == INFINITY);
    ck_assert(dj_exp(dj_dual8_seed(1000.0, 0)).v == INFINITY); /* overflow, no trap */
    ck_assert(dj_exp(dj_dual8_seed(-1000.0, 0)).v == 0 && dj_exp(dj_dual8_seed(-1000.0, 0)).d[0] == 0);
    /* an infinite value times a zero tangent is NaN by IEEE; NaN-safe mode
     * does not apply to arithmetic (its partials are values) */
    dj_dual8 y = dj_dual8_seed(2.0, 1);
    ck_assert(isnan(dj_mul(inf, y).d[0]) && isnan(dj_mul(inf, y).d[2]));
    ck_assert(dj_mul(inf, y).d[1] == INFINITY);
    int old = dj_nansafe_set(1);
    ck_assert(isnan(dj_mul(inf, y).d[2]));
    /* but it does apply where an elementary function's partial is infinite */
    dj_dual8 s = dj_sqrt(dj_mul(dj_dual8_seed(0.0, 0), y));
    ck_assert(s.d[0] == INFINITY && s.d[1] == 0 && s.d[2] == 0);
    dj_nansafe_set(old);
}
END_TEST

START_TEST(test_comparisons_on_values)
{
    dj_dual4 a = dj_dual4_seed(1.0, 0), b = dj_dual4_seed(2.0, 1);
    ck_assert(dj_lt(a, b) && dj_le(a, b) && !dj_gt(a, b) && !dj_ge(a, b));
    ck_assert(dj_ne(a, b) && !dj_eq(a, b));
    ck_assert(dj_lt(a, 1.5) && dj_gt(2, a) && dj_eq(a, 1) && dj_ge(b, 2u));
    ck_assert(dj_lt(1.0, 2.0));
}
END_TEST

START_TEST(test_access_and_constants)
{
    dj_dual16 a = dj_dual16_seed(3.0, 15);
    ck_assert(dj_value(a) == 3.0 && dj_tangent(a, 15) == 1 && dj_tangent(a, 0) == 0);
    ck_assert(dj_tangent(a, 16) == 0 && dj_tangent(a, -1) == 0);
    ck_assert(dj_value(2.5) == 2.5 && dj_tangent(2.5, 0) == 0);
    dj_dual c = dj_const(dj_dual, 4);
    ck_assert(c.v == 4 && c.d == 0);
    ck_assert(dj_const(double, 2) == 2.0);
    const double d[2] = {5, 6};
    dj_dual2 m = dj_dual2_make(1, d);
    ck_assert(m.v == 1 && m.d[0] == 5 && m.d[1] == 6);
    ck_assert(sizeof(dj_dual16) == 17 * sizeof(double));
}
END_TEST

START_TEST(test_digamma_known_values)
{
    /* psi(1) = -gamma, psi(1/2) = -gamma - 2 ln 2, psi(-1/2) = psi(1/2) + 2 */
    const double euler = 0.57721566490153286061;
    tl_assert_close(dj_digamma(1.0), -euler, 1e-14, "psi(1)");
    tl_assert_close(dj_digamma(0.5), -euler - 2 * log(2.0), 1e-14, "psi(1/2)");
    tl_assert_close(dj_digamma(-0.5), -euler - 2 * log(2.0) + 2, 1e-14, "psi(-1/2)");
    tl_assert_close(dj_digamma(100.0), 4.600161852738087, 1e-14, "psi(100)");
    ck_assert(isnan(dj_digamma(0.0)) && isnan(dj_digamma(-3.0)));
}
END_TEST

static Suite *dual_suite(void)
{
    Suite *s = suite_create("dual");
    TCase *tc = tcase_create("elementary");
    tcase_add_loop_test(tc, test_unary_matches_analytic, 0, tl_unary_count);
    tcase_add_loop_test(tc, test_unary_matches_finite_differences, 0, tl_unary_count);
    tcase_add_loop_test(tc, test_binary_matches_analytic, 0,
                        (int)(sizeof binaries / sizeof binaries[0]));
    tcase_add_test(tc, test_fma_matches_analytic);
    tcase_add_test(tc, test_digamma_known_values);
    suite_add_tcase(s, tc);

    tc = tcase_create("edges");
    tcase_add_test(tc, test_fabs_kink_is_zero_with_event);
    tcase_add_test(tc, test_sqrt_edge_is_infinite_with_event);
    tcase_add_test(tc, test_log_edge_and_domain);
    tcase_add_test(tc, test_pow_zero_base_cases);
    tcase_add_test(tc, test_atan2_and_hypot_origin);
    tcase_add_test(tc, test_fmin_fmax_tie_average);
    tcase_add_test(tc, test_rounding_flat_and_kink_at_jump);
    tcase_add_test(tc, test_inverse_trig_edges);
    tcase_add_test(tc, test_copysign_and_fmod_choices);
    tcase_add_test(tc, test_nan_and_inf_propagate);
    suite_add_tcase(s, tc);

    tc = tcase_create("access");
    tcase_add_test(tc, test_comparisons_on_values);
    tcase_add_test(tc, test_access_and_constants);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tl_main(dual_suite); }
