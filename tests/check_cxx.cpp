// check_cxx.cpp: the library from C++: the headers compile cleanly, the
// generic names resolve as overloads, the operators and compound
// assignments match them on every type, and a body written once (the same
// macro or template a C file would use, or a template with operators)
// differentiates in every mode.
//
// The block under DJ_INSTANTIATING is a template of this file: the
// boundary value function of tests/templates/boundary.dj.h written with
// operators, which C cannot compile.
#ifdef DJ_INSTANTIATING

DJ_FUNCTION(boundary_ops)(T *f, const T *x, size_t n, size_t m, const void *ctx)
{
    const double h = 1.0 / (double)(n + 1);
    for (size_t i = 0; i < n; i++) {
        T xl = i > 0 ? x[i - 1] : dj_zero(T);
        T xr = i + 1 < n ? x[i + 1] : dj_zero(T);
        T c = x[i] + ((double)(i + 1) * h + 1);
        f[i] = 2 * x[i] - xl - xr + h * h * (c * c * c) / 2;
    }
}

#else

#include <check.h>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <dualjac.h>

#include "runner.h"

#define DJ_TEMPLATE "boundary.dj.h"
#include <dualjac/instantiate.h>
#define DJ_TEMPLATE "check_cxx.cpp"
#include <dualjac/instantiate.h>

// The polar map and a mixed body using most generic names.
#define POLAR(T, y, x, n, m, ctx)                                              \
    y[0] = dj_mul(x[0], dj_cos(x[1]));                                         \
    y[1] = dj_mul(x[0], dj_sin(x[1]));
DJ_FN_INSTANTIATE(polar, POLAR);

#define MIXED(T, y, x, n, m, ctx)                                              \
    {                                                                          \
        T s = dj_const(T, 0);                                                  \
        for (size_t j = 0; j < n; j++)                                         \
            s = dj_add(s, dj_mul(x[j], 2));                                    \
        y[0] = dj_fma(s, x[0], 1.0);                                           \
        y[1] = dj_sub(1, dj_div(dj_exp(x[1]), dj_hypot(x[0], 3)));             \
        y[2] = dj_lt(x[0], x[1]) ? dj_pow(x[2], 3) : dj_atan2(x[0], x[2]);     \
    }
DJ_FN_INSTANTIATE(mixed, MIXED);

static bool close_to(double a, double b) { return std::fabs(a - b) <= 1e-13 * (1 + std::fabs(b)); }

START_TEST(test_polar_every_mode)
{
    dj_fn f = DJ_FN_INIT(polar, 2, 2, NULL);
    double x[2] = {2.0, 0.3}, J[4];
    const double want[4] = {std::cos(0.3), -2 * std::sin(0.3), std::sin(0.3), 2 * std::cos(0.3)};
    for (int mode = DJ_MODE_AUTO; mode <= DJ_MODE_REVERSE; mode++) {
        dj_opts o = {};
        o.mode = static_cast<dj_mode>(mode);
        ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, NULL), DJ_OK);
        for (int t = 0; t < 4; t++)
            ck_assert_msg(close_to(J[t], want[t]), "mode %d J[%d] = %g", mode, t, J[t]);
    }
}
END_TEST

START_TEST(test_mixed_forward_equals_reverse)
{
    dj_fn f = DJ_FN_INIT(mixed, 3, 3, NULL);
    double x[3] = {0.5, 1.0, 2.0}, Jf[9], Jr[9];
    dj_opts o = {};
    o.mode = DJ_MODE_FORWARD;
    ck_assert_int_eq(dj_jacobian(Jf, NULL, &f, x, &o, NULL), DJ_OK);
    o.mode = DJ_MODE_REVERSE;
    ck_assert_int_eq(dj_jacobian(Jr, NULL, &f, x, &o, NULL), DJ_OK);
    for (int t = 0; t < 9; t++)
        ck_assert_msg(close_to(Jf[t], Jr[t]), "J[%d]: %g vs %g", t, Jf[t], Jr[t]);
    ck_assert(close_to(Jf[8], 12.0)); // d/dx2 x2^3 at 2
}
END_TEST

START_TEST(test_overloads_pick_the_type)
{
    dj_dual8 a = dj_dual8_seed(1.5, 3);
    dj_dual8 r = dj_add(dj_mul(2, a), 1.0); // int and double on either side
    ck_assert(r.v == 4.0 && r.d[3] == 2.0);
    ck_assert(dj_value(dj_sin(0.0)) == 0.0);
    ck_assert(dj_tangent(dj_exp(a), 3) == std::exp(1.5));
    dj_dual c = dj_const(dj_dual, 7);
    ck_assert(c.v == 7 && c.d == 0);
    ck_assert(dj_gt(a, 1) && dj_le(1, a));
}
END_TEST

// The same bits, or for dj_var the same value.
template <class S> static bool same(S a, S b) { return std::memcmp(&a, &b, sizeof a) == 0; }
static bool same(dj_var a, dj_var b) { return std::memcmp(&a.v, &b.v, sizeof a.v) == 0; }

// Every operator on T against the generic name it stands for.
template <class S> static void check_operators(S a, S b, const char *type)
{
    S s;
    ck_assert_msg(same(a + b, dj_add(a, b)) && same(a + 2.5, dj_add(a, 2.5)) &&
                      same(2.5 + a, dj_add(2.5, a)), "%s: +", type);
    ck_assert_msg(same(a - b, dj_sub(a, b)) && same(a - 2.5, dj_sub(a, 2.5)) &&
                      same(2.5 - a, dj_sub(2.5, a)), "%s: -", type);
    ck_assert_msg(same(a * b, dj_mul(a, b)) && same(a * 3, dj_mul(a, 3)) &&
                      same(3 * a, dj_mul(3, a)), "%s: *", type);
    ck_assert_msg(same(a / b, dj_div(a, b)) && same(a / 3, dj_div(a, 3)) &&
                      same(3 / a, dj_div(3, a)), "%s: /", type);
    ck_assert_msg(same(-a, dj_neg(a)) && same(+a, a), "%s: unary", type);
    s = a, s += b;
    ck_assert_msg(same(s, dj_add(a, b)), "%s: +=", type);
    s = a, s -= 0.5;
    ck_assert_msg(same(s, dj_sub(a, 0.5)), "%s: -=", type);
    s = a, s *= b;
    ck_assert_msg(same(s, dj_mul(a, b)), "%s: *=", type);
    s = a, s /= 4;
    ck_assert_msg(same(s, dj_div(a, 4)), "%s: /=", type);
    s = a, dj_add_to(s, b), dj_mul_by(s, 2.0);
    ck_assert_msg(same(s, dj_mul(dj_add(a, b), 2.0)), "%s: dj_add_to, dj_mul_by", type);
    ck_assert_msg((a < b) == (dj_lt(a, b) != 0) && (a <= 1.25) == (dj_le(a, 1.25) != 0) &&
                      (a > b) == (dj_gt(a, b) != 0) && (1.25 >= a) == (dj_ge(1.25, a) != 0) &&
                      (a == a) && !(a != a) && (a != b),
                  "%s: comparisons", type);
    S terms[3] = {a, b, a};
    ck_assert_msg(same(dj_sum(a, b, a), dj_sum_n(terms, 3)) &&
                      same(dj_prod(a, b, a), dj_prod_n(terms, 3)), "%s: sum, prod", type);
    ck_assert_msg(same(dj_const_like(a, 2.0), dj_const(S, 2.0)) &&
                      same(dj_zero(S), dj_const(S, 0)) && same(dj_one(S), dj_const(S, 1)),
                  "%s: constants", type);
}

// A dual of value v with distinct tangents, slot apart from another's.
template <class S> static S seeded(double v, int slot);
template <> dj_dual seeded<dj_dual>(double v, int slot) { return dj_dual_make(v, 0.25 + slot); }
#define DJ__SEEDED(S)                                                          \
    template <> S seeded<S>(double v, int slot)                                \
    {                                                                          \
        S r = dj_const(S, v);                                                  \
        for (int i = 0; i < (int)(sizeof r.d / sizeof r.d[0]); i++)            \
            r.d[i] = 0.125 * (i + 1) + slot;                                   \
        return r;                                                              \
    }
DJ__SEEDED(dj_dual2)
DJ__SEEDED(dj_dual4)
DJ__SEEDED(dj_dual8)
DJ__SEEDED(dj_dual16)

START_TEST(test_operators_match_generic_names)
{
    check_operators(1.5, -0.75, "double");
    check_operators(seeded<dj_dual>(1.5, 0), seeded<dj_dual>(-0.75, 1), "dj_dual");
    check_operators(seeded<dj_dual2>(1.5, 0), seeded<dj_dual2>(-0.75, 1), "dj_dual2");
    check_operators(seeded<dj_dual4>(1.5, 0), seeded<dj_dual4>(-0.75, 1), "dj_dual4");
    check_operators(seeded<dj_dual8>(1.5, 0), seeded<dj_dual8>(-0.75, 1), "dj_dual8");
    check_operators(seeded<dj_dual16>(1.5, 0), seeded<dj_dual16>(-0.75, 1), "dj_dual16");
    dj_graph g;
    dj_graph_init(&g);
    double v[2] = {1.5, -0.75};
    dj_var x[2];
    ck_assert_int_eq(dj_graph_inputs(&g, x, v, 2), DJ_OK);
    check_operators(x[0], x[1], "dj_var");
    ck_assert_int_eq(dj_graph_status(&g), DJ_OK);
    ck_assert(dj_graph_compares(&g) > 0); // comparisons are recorded
    dj_graph_clear(&g);
}
END_TEST

// The boundary value function as a C template and as a C++ template with
// operators: the same Jacobian, bit for bit, in both modes.
START_TEST(test_operator_template_equals_c_template)
{
    enum { N = 12 };
    dj_fn c = DJ_FN_INIT(boundary, N, N, NULL);
    dj_fn ops = DJ_FN_INIT(boundary_ops, N, N, NULL);
    double x[N], J1[N * N], J2[N * N], y1[N], y2[N];
    for (int i = 0; i < N; i++)
        x[i] = 0.05 * i - 0.3;
    for (int mode = DJ_MODE_FORWARD; mode <= DJ_MODE_REVERSE; mode++) {
        dj_opts o = {};
        o.mode = static_cast<dj_mode>(mode);
        ck_assert_int_eq(dj_jacobian(J1, y1, &c, x, &o, NULL), DJ_OK);
        ck_assert_int_eq(dj_jacobian(J2, y2, &ops, x, &o, NULL), DJ_OK);
        ck_assert(std::memcmp(y1, y2, sizeof y1) == 0);
        ck_assert_msg(std::memcmp(J1, J2, sizeof J1) == 0, "mode %d", mode);
    }
    double h = 1.0 / (N + 1), c0 = x[0] + h + 1;
    ck_assert(close_to(J1[0], 2 + 1.5 * h * h * c0 * c0) && J1[1] == -1);
}
END_TEST

static Suite *cxx_suite()
{
    Suite *s = suite_create("cxx");
    TCase *tc = tcase_create("overloads");
    tcase_add_test(tc, test_polar_every_mode);
    tcase_add_test(tc, test_mixed_forward_equals_reverse);
    tcase_add_test(tc, test_overloads_pick_the_type);
    suite_add_tcase(s, tc);
    tc = tcase_create("operators");
    tcase_add_test(tc, test_operators_match_generic_names);
    tcase_add_test(tc, test_operator_template_equals_c_template);
    suite_add_tcase(s, tc);
    return s;
}

int main() { return tl_main(cxx_suite); }

#endif // DJ_INSTANTIATING
