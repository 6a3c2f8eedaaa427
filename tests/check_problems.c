/* check_problems.c: the shared test problems: sizes, starting points, and
 * forward Jacobians that agree with central differences. */
#include <math.h>
#include <stdlib.h>

#include "../src/problems/problems.h"
#include "testlib.h"

START_TEST(test_problem_jacobian_matches_finite_differences)
{
    size_t count;
    const dj_problem *prob = &dj_problem_all(&count)[_i];
    dj_problem_instance p;
    size_t n = prob->n_min * (prob->n_step > 1 ? 3 : 7);
    if (prob->n_max && n > prob->n_max)
        n = prob->n_max;
    ck_assert_int_eq(dj_problem_create(&p, prob, n), DJ_OK);
    ck_assert_int_eq(dj_fn_check(&p.fn), DJ_OK);
    ck_assert_uint_eq(p.fn.n, n);
    size_t m = p.fn.m;
    double *J = malloc(m * n * sizeof *J), *y = malloc(m * sizeof *y);
    /* perturb the start so no problem sits on a kink of its own */
    for (size_t j = 0; j < n; j++)
        p.x0[j] += 0.01 * (double)(j % 3);
    ck_assert_int_eq(dj_jacobian(J, y, &p.fn, p.x0, NULL, NULL), DJ_OK);
    for (size_t i = 0; i < m; i += (m > 40 ? 7 : 1))
        for (size_t j = 0; j < n; j++) {
            double fd = tl_central_diff(&p.fn, p.x0, i, j);
            tl_assert_close(J[i * n + j], fd, 1e-6 * (1 + fabs(fd)), "%s J[%zu][%zu]",
                            prob->name, i, j);
        }
    free(J), free(y);
    dj_problem_destroy(&p);
    dj_problem_destroy(&p);
}
END_TEST

START_TEST(test_problem_sizes_checked)
{
    dj_problem_instance p;
    ck_assert_ptr_null(dj_problem_find("no-such"));
    ck_assert_int_eq(dj_problem_create(&p, dj_problem_find("rosenbrock"), 3), DJ_EDIM);
    ck_assert_int_eq(dj_problem_create(&p, dj_problem_find("powell"), 6), DJ_EDIM);
    ck_assert_int_eq(dj_problem_create(&p, dj_problem_find("chain-vec"), 1000), DJ_EDIM);
    ck_assert_int_eq(dj_problem_create(&p, NULL, 3), DJ_EINVAL);
    ck_assert_int_eq(dj_problem_create(&p, dj_problem_find("broyden"), 0), DJ_OK);
    ck_assert_uint_eq(p.fn.n, 10);
    ck_assert(p.x0[0] == -1.0);
    dj_problem_destroy(&p);
    ck_assert_int_eq(dj_problem_chain(&p, 4, 300, 8, 2), DJ_EDIM);
}
END_TEST

static Suite *problems_suite(void)
{
    size_t count;
    dj_problem_all(&count);
    Suite *s = suite_create("problems");
    TCase *tc = tcase_create("all");
    tcase_add_loop_test(tc, test_problem_jacobian_matches_finite_differences, 0, (int)count);
    tcase_add_test(tc, test_problem_sizes_checked);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tl_main(problems_suite); }
