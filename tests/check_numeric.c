/* check_numeric.c: IEEE edges: NaN and Inf inputs, overflow, huge and tiny
 * magnitudes, subnormals. Results follow IEEE arithmetic and the documented
 * choices of partials.h, on the dual types and on the graph alike. */
#include <float.h>
#include <math.h>
#include <string.h>
#include <stdlib.h>

#include "testlib.h"

/* Every unary function: NaN in, NaN value out, no trap. */
START_TEST(test_nan_input_propagates)
{
    const tl_unary *u = &tl_unaries[_i];
    dj_dual8 x = dj_dual8_seed(NAN, 2);
    dj_dual8 r = u->f8(x);
    ck_assert_msg(isnan(r.v), "%s(NaN) = %g", u->name, r.v);
    for (int s = 0; s < 8; s++)
        if (s != 2)
            ck_assert_msg(r.d[s] == 0 || isnan(r.d[s]), "%s slot %d", u->name, s);
}
END_TEST

START_TEST(test_infinite_inputs)
{
    dj_dual pinf = dj_dual_make(INFINITY, 1.0), ninf = dj_dual_make(-INFINITY, 1.0);
    ck_assert(dj_exp(pinf).v == INFINITY && dj_exp(pinf).d == INFINITY);
    ck_assert(dj_exp(ninf).v == 0 && dj_exp(ninf).d == 0);
    ck_assert(dj_tanh(pinf).v == 1 && dj_tanh(pinf).d == 0);
    ck_assert(dj_atan(pinf).v == DJ_PI / 2 && dj_atan(pinf).d == 0);
    ck_assert(dj_sqrt(pinf).v == INFINITY && dj_sqrt(pinf).d == 0);
    ck_assert(dj_log(pinf).v == INFINITY && dj_log(pinf).d == 0);
    ck_assert(dj_erf(ninf).v == -1 && dj_erf(ninf).d == 0);
    ck_assert(dj_fabs(ninf).v == INFINITY && dj_fabs(ninf).d == -1);
    ck_assert(isnan(dj_sin(pinf).v) && isnan(dj_sin(pinf).d));
    ck_assert(dj_div(1.0, pinf).v == 0 && dj_div(1.0, pinf).d == 0);
}
END_TEST

START_TEST(test_exp_overflow)
{
    dj_dual2 x = dj_dual2_seed(710.0, 0); /* exp(710) > DBL_MAX */
    dj_dual2 r = dj_exp(x);
    ck_assert(r.v == INFINITY && r.d[0] == INFINITY);
    ck_assert(isnan(r.d[1])); /* 0 · Inf by IEEE ... */
    int old = dj_nansafe_set(1);
    r = dj_exp(x);
    ck_assert(r.d[1] == 0); /* ... and 0 in NaN-safe mode */
    dj_nansafe_set(old);
    ck_assert(dj_exp(dj_dual2_seed(709.0, 0)).d[0] < INFINITY);
    ck_assert(dj_exp(dj_dual2_seed(-746.0, 0)).v == 0); /* underflow to 0 */
}
END_TEST

/* Huge arguments whose naive derivative formula would overflow. */
START_TEST(test_huge_magnitudes)
{
    double big = 1e300;
    dj_dual2 a = dj_dual2_seed(big, 0), b = dj_dual2_seed(big, 1);
    dj_dual2 h = dj_hypot(a, b);
    tl_assert_close(h.v, big * sqrt(2.0), 1e-15, "hypot value");
    tl_assert_close(h.d[0], 1 / sqrt(2.0), 1e-15, "hypot d/da");
    dj_dual2 t = dj_atan2(a, b);
    tl_assert_close(t.d[0] * big, 0.5, 1e-15, "atan2 d/dy scaled");
    tl_assert_close(t.d[1] * big, -0.5, 1e-15, "atan2 d/dx scaled");
    dj_dual s = dj_asinh(dj_dual_make(big, 1.0));
    tl_assert_close(s.d * big, 1.0, 1e-15, "asinh'(1e300)·1e300");
    dj_dual p = dj_pow(dj_dual_make(1e100, 1.0), 3.0); /* 1e300 */
    tl_assert_close(p.d / 3e200, 1.0, 1e-15, "pow'(1e100, 3)");
    ck_assert(isfinite(dj_mul(dj_dual_make(big, 1.0), dj_dual_make(1e-300, 1.0)).d));
}
END_TEST

/* Tiny and subnormal numbers: no trap, IEEE results. */
/* A row of J whose entries are finite but whose sum overflows: the forward
 * driver's quick finiteness test (a sum of the copied tangents) must not
 * report a NaN or Inf that is not there; a real Inf must still be reported. */
#define BIGROW(T, y, x, n, m, ctx)                                             \
    y[0] = dj_add(dj_mul(1e308, x[0]), dj_mul(1e308, x[1]));                   \
    y[1] = dj_mul(dj_mul(1e308, x[0]), x[2]);
DJ_FN_DEFINE(bigrow, 4, 2, BIGROW);

START_TEST(test_overflowing_row_sum_is_not_nonfinite)
{
    double x[4] = {1e-10, 1e-10, 0.5, 0}, J[8];
    for (int k = 1; k <= 4; k *= 2) {
        dj_opts o = {.mode = DJ_MODE_FORWARD, .chunk = k, .strict = 1};
        dj_report rep;
        ck_assert_int_eq(dj_jacobian(J, NULL, &bigrow, x, &o, &rep), DJ_OK);
        ck_assert_uint_eq(rep.events & DJ_EVENT_NONFINITE, 0);
        ck_assert(J[0] == 1e308 && J[1] == 1e308 && J[4] == 5e307);
        ck_assert(tl_close(J[6], 1e308 * 1e-10, 1e-15));
    }
    /* the same quick test in dj_jvp: J·v = (1.7e308, 5e307), finite, whose
     * sum is not */
    const double v[4] = {1, 0.7, 0, 0};
    double y[2], jv[2];
    dj_opts strict = {.strict = 1};
    ck_assert_int_eq(dj_jvp(y, jv, &bigrow, x, v, &strict), DJ_OK);
    ck_assert_uint_eq(dj_events() & DJ_EVENT_NONFINITE, 0);
    ck_assert(tl_close(jv[0], 1.7e308, 1e-15) && jv[1] == 5e307);
    ck_assert_int_eq(dj_jvp(NULL, jv, &bigrow, x, v, &strict), DJ_OK);
    x[2] = 1e300; /* now J[1][0] = 1e308 * 1e300 = Inf from finite inputs */
    dj_opts o = {.mode = DJ_MODE_FORWARD, .chunk = 4, .strict = 1};
    ck_assert_int_eq(dj_jacobian(J, NULL, &bigrow, x, &o, NULL), DJ_ENONFINITE);
    ck_assert(isinf(J[4]));
    ck_assert_int_eq(dj_jvp(y, jv, &bigrow, x, v, &strict), DJ_ENONFINITE);
}
END_TEST

START_TEST(test_tiny_and_subnormal)
{
    double sub = DBL_MIN / 16; /* subnormal */
    ck_assert(fpclassify(sub) == FP_SUBNORMAL);
    dj_dual r = dj_mul(dj_dual_make(sub, 1.0), dj_dual_make(0.5, 0.0));
    ck_assert(r.v == sub / 2 && r.d == 0.5);
    dj_dual q = dj_sqrt(dj_dual_make(sub, 1.0));
    tl_assert_close(q.d, 0.5 / sqrt(sub), 1e-15, "sqrt'(subnormal)");
    /* pow's partial uses c·r/x only where r is normal; here r underflows */
    dj_dual p = dj_pow(dj_dual_make(1e-200, 1.0), 1.5); /* r = 1e-300 normal */
    tl_assert_close(p.d, 1.5e-100, 1e-13, "pow'(1e-200, 1.5)");
    p = dj_pow(dj_dual_make(1e-300, 1.0), 1.5); /* r ~ 1e-450 underflows to 0 */
    ck_assert(p.v == 0);
    tl_assert_close(p.d, 1.5 * 1e-150, 1e-13, "pow'(1e-300, 1.5) despite r = 0");
    ck_assert(dj_log(dj_dual_make(4.9e-324, 1.0)).d == INFINITY); /* 1/x overflows */
    dj_dual e = dj_exp(dj_dual_make(-740.0, 1.0)); /* subnormal result */
    ck_assert(e.v > 0 && e.d == e.v);
}
END_TEST

/* The graph makes the same choices at the same edges. */
#define EDGE_FN(T, y, x, n, m, ctx)                                            \
    y[0] = dj_exp(x[0]);                                                       \
    y[1] = dj_hypot(x[1], x[2]);                                               \
    y[2] = dj_sqrt(x[3]);                                                      \
    y[3] = dj_pow(x[4], 1.5);
DJ_FN_INSTANTIATE(edges, EDGE_FN);

START_TEST(test_graph_matches_duals_at_edges)
{
    dj_fn f = DJ_FN_INIT(edges, 5, 4, NULL);
    double x[5] = {710.0, 1e300, 1e300, 0.0, 1e-300}, Jf[20], Jr[20];
    for (int nansafe = 0; nansafe < 2; nansafe++) {
        dj_opts fo = {.mode = DJ_MODE_FORWARD, .chunk = 8, .nansafe = nansafe};
        dj_opts ro = {.mode = DJ_MODE_REVERSE, .chunk = 4, .nansafe = nansafe};
        dj_report fr, rr;
        ck_assert_int_eq(dj_jacobian(Jf, NULL, &f, x, &fo, &fr), DJ_OK);
        ck_assert_int_eq(dj_jacobian(Jr, NULL, &f, x, &ro, &rr), DJ_OK);
        /* the diagonal-ish entries, where each output depends on its input */
        ck_assert(Jf[0] == INFINITY && Jr[0] == INFINITY);
        tl_assert_close(Jr[5 + 1], 1 / sqrt(2.0), 1e-15, "graph hypot");
        ck_assert(Jf[10 + 3] == INFINITY && Jr[10 + 3] == INFINITY);
        tl_assert_close(Jr[15 + 4], 1.5e-150, 1e-13, "graph pow at underflow");
        ck_assert(fr.events & DJ_EVENT_EDGE);
        ck_assert(rr.events & DJ_EVENT_EDGE);
        ck_assert(fr.events & DJ_EVENT_NONFINITE);
        if (nansafe) {
            /* the other columns of those rows stay exact zeros in both modes */
            ck_assert(Jf[1] == 0 && Jf[13 - 1] == 0);
            ck_assert(Jr[1] == 0 && Jr[13 - 1] == 0);
        }
    }
    /* a non-finite input is not reported as produced by the function */
    double xn[5] = {NAN, 1, 1, 1, 1};
    dj_report rep;
    ck_assert_int_eq(dj_jacobian(Jf, NULL, &f, xn, NULL, &rep), DJ_OK);
    ck_assert(!(rep.events & DJ_EVENT_NONFINITE));
}
END_TEST

/* Division by zero: the pole's partials (1/y, -x/y²) in every mode, with
 * or without a constant operand. */
#define POLES(T, y, x, n, m, ctx)                                              \
    y[0] = dj_div(x[0], x[1]);                                                 \
    y[1] = dj_mul(x[1], 2.0);                                                  \
    y[2] = dj_div(3.0, x[1]);                                                  \
    y[3] = dj_div(x[0], 0.0);                                                  \
    y[4] = dj_div(1.0, dj_sub(x[0], 1.0));                                     \
    y[5] = dj_sqrt(x[1]);
DJ_FN_INSTANTIATE(poles, POLES);
#define POLES1(T, y, x, n, m, ctx)                                             \
    y[0] = dj_div(x[0], 0.0);                                                  \
    y[1] = dj_div(1.0, x[1]);
DJ_FN_INSTANTIATE(poles1, POLES1);

/* Bitwise equal, NaN equal to NaN. */
static void assert_same(const double *a, const double *b, size_t count, const char *what)
{
    for (size_t i = 0; i < count; i++)
        ck_assert_msg((isnan(a[i]) && isnan(b[i])) || memcmp(&a[i], &b[i], sizeof a[i]) == 0,
                      "%s: entry %zu: %g vs %g", what, i, a[i], b[i]);
}

START_TEST(test_division_by_zero_same_in_every_mode)
{
    dj_fn f = DJ_FN_INIT(poles, 2, 6, NULL);
    double x[2] = {1.0, 0.0}, Jf[12], Jr[12], Jr1[12];
    /* with NaN-safe mode, forward and reverse agree bitwise, and each pole
     * has its documented value */
    dj_opts fo = {.mode = DJ_MODE_FORWARD, .chunk = 2, .nansafe = 1};
    dj_opts ro = {.mode = DJ_MODE_REVERSE, .chunk = 8, .nansafe = 1};
    dj_opts r1 = {.mode = DJ_MODE_REVERSE, .chunk = 1, .nansafe = 1};
    dj_report fr, rr;
    ck_assert_int_eq(dj_jacobian(Jf, NULL, &f, x, &fo, &fr), DJ_OK);
    ck_assert_int_eq(dj_jacobian(Jr, NULL, &f, x, &ro, &rr), DJ_OK);
    ck_assert_int_eq(dj_jacobian(Jr1, NULL, &f, x, &r1, NULL), DJ_OK);
    assert_same(Jf, Jr, 12, "forward vs reverse, NaN-safe");
    assert_same(Jf, Jr1, 12, "forward vs reverse k = 1, NaN-safe");
    const double want[12] = {INFINITY, -INFINITY, 0, 2, 0, -INFINITY,
                             INFINITY, 0,         -INFINITY, 0, 0, INFINITY};
    assert_same(Jf, want, 12, "the documented values");
    ck_assert(fr.events & DJ_EVENT_EDGE);
    ck_assert(rr.events & DJ_EVENT_EDGE);
    /* without it, where a constant is the other operand both modes give the
     * pole's value too: x/0 and 1/x at 0 (IEEE's 0·Inf = NaN reaches only
     * the entries off the diagonal here) */
    dj_fn p1 = DJ_FN_INIT(poles1, 2, 2, NULL);
    fo.nansafe = ro.nansafe = 0;
    ck_assert_int_eq(dj_jacobian(Jf, NULL, &p1, x, &fo, NULL), DJ_OK);
    ck_assert_int_eq(dj_jacobian(Jr, NULL, &p1, x, &ro, NULL), DJ_OK);
    ck_assert(Jf[0] == INFINITY && Jr[0] == INFINITY);
    ck_assert(Jf[3] == -INFINITY && Jr[3] == -INFINITY);
    /* the graph's own sweeps and a replay follow the thread's mode */
    dj_graph g;
    dj_graph_init(&g);
    ck_assert_int_eq(dj_graph_record(&g, &f, x), DJ_OK);
    double u[6] = {0, 1, 0, 0, 0, 0}, ju[2], v[2] = {1, 0}, jv[6];
    dj_nansafe_set(1);
    ck_assert_int_eq(dj_graph_vjp(&g, ju, u, 1), DJ_OK);
    ck_assert(ju[0] == 0 && ju[1] == 2);
    ck_assert_int_eq(dj_graph_jvp(&g, jv, v, 1), DJ_OK);
    ck_assert(jv[0] == INFINITY && jv[1] == 0 && jv[2] == 0 && jv[5] == 0);
    dj_nansafe_set(0);
    ck_assert_int_eq(dj_graph_vjp(&g, ju, u, 1), DJ_OK);
    ck_assert(isnan(ju[0])); /* IEEE: 0·Inf from the rows not seeded */
    dj_graph_clear(&g);
}
END_TEST

/* The elementary functions' edges too: with NaN-safe mode the whole
 * Jacobian is the same in both modes (reverse sweeps seeded other rows with
 * a zero adjoint times sqrt'(0) = Inf, which gave NaN). */
START_TEST(test_nansafe_reverse_equals_forward)
{
    dj_fn f = DJ_FN_INIT(edges, 5, 4, NULL);
    double x[5] = {0.5, 0.0, 0.0, 0.0, 0.0}, Jf[20], Jr[20];
    for (int k = 1; k <= 4; k *= 2) {
        dj_opts fo = {.mode = DJ_MODE_FORWARD, .chunk = k, .nansafe = 1};
        dj_opts ro = {.mode = DJ_MODE_REVERSE, .chunk = k, .nansafe = 1};
        ck_assert_int_eq(dj_jacobian(Jf, NULL, &f, x, &fo, NULL), DJ_OK);
        ck_assert_int_eq(dj_jacobian(Jr, NULL, &f, x, &ro, NULL), DJ_OK);
        assert_same(Jf, Jr, 20, "edges, NaN-safe");
        ck_assert(Jr[3] == 0 && Jr[13] == INFINITY);
    }
}
END_TEST

static Suite *numeric_suite(void)
{
    Suite *s = suite_create("numeric");
    TCase *tc = tcase_create("ieee");
    tcase_add_loop_test(tc, test_nan_input_propagates, 0, tl_unary_count);
    tcase_add_test(tc, test_infinite_inputs);
    tcase_add_test(tc, test_exp_overflow);
    tcase_add_test(tc, test_huge_magnitudes);
    tcase_add_test(tc, test_overflowing_row_sum_is_not_nonfinite);
    tcase_add_test(tc, test_tiny_and_subnormal);
    tcase_add_test(tc, test_graph_matches_duals_at_edges);
    tcase_add_test(tc, test_division_by_zero_same_in_every_mode);
    tcase_add_test(tc, test_nansafe_reverse_equals_forward);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tl_main(numeric_suite); }
