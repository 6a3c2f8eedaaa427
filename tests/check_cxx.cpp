// check_cxx.cpp: the library from C++: the headers compile cleanly, the
// generic names resolve as overloads, and a body written once (the same
// macro a C file would use) differentiates in every mode.
#include <check.h>
#include <cmath>
#include <cstdlib>

#include <dualjac.h>

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

int main()
{
    Suite *s = suite_create("cxx");
    TCase *tc = tcase_create("overloads");
    tcase_add_test(tc, test_polar_every_mode);
    tcase_add_test(tc, test_mixed_forward_equals_reverse);
    tcase_add_test(tc, test_overloads_pick_the_type);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
