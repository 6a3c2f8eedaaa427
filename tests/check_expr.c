/* check_expr.c: jacdump's expression language: precedence, definitions,
 * errors with their places, and Jacobians of expressions covering every
 * function of the language against analytic derivatives, in forward and
 * reverse mode. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/jacdump/program.h"
#include "../src/jacdump/readers.h"
#include "testlib.h"

/* x = 0.3, y = 0.7 everywhere below */
static const double X = 0.3, Y = 0.7;

typedef struct {
    const char *text;
    size_t m;                      /* outputs; inputs are x, y */
    void (*jac)(double *J);        /* m×2 analytic Jacobian at (X, Y) */
    void (*val)(double *f);        /* the values */
    double tol;
} case_t;

#define ROWS(...) const double rows[] = {__VA_ARGS__}; memcpy(J, rows, sizeof rows)
#define VALS(...) const double vals[] = {__VA_ARGS__}; memcpy(f, vals, sizeof vals)

static void j_arith(double *J) { ROWS(1, 1, 1, -1, Y, X, 1 / Y, -X / (Y * Y), -1, 0, Y * pow(X, Y - 1), pow(X, Y) * log(X)); }
static void f_arith(double *f) { VALS(X + Y, X - Y, X * Y, X / Y, -X, pow(X, Y)); }
static void j_powers(double *J) { ROWS(0.5 / sqrt(X), 0, 1 / (3 * cbrt(X) * cbrt(X)), 0, exp(X), 0, log(2.0) * exp2(X), 0, exp(X), 0); }
static void f_powers(double *f) { VALS(sqrt(X), cbrt(X), exp(X), exp2(X), expm1(X)); }
static void j_logs(double *J) { ROWS(1 / X, 0, 1 / (X * log(2.0)), 0, 1 / (X * log(10.0)), 0, 1 / (1 + X), 0); }
static void f_logs(double *f) { VALS(log(X), log2(X), log10(X), log1p(X)); }
static void j_trig(double *J) { ROWS(cos(X), 0, -sin(X), 0, 1 / (cos(X) * cos(X)), 0); }
static void f_trig(double *f) { VALS(sin(X), cos(X), tan(X)); }
static void j_inverse(double *J)
{
    double r2 = X * X + Y * Y;
    ROWS(1 / sqrt(1 - X * X), 0, -1 / sqrt(1 - X * X), 0, 1 / (1 + X * X), 0, -Y / r2, X / r2);
}
static void f_inverse(double *f) { VALS(asin(X), acos(X), atan(X), atan2(Y, X)); }
static void j_hyper(double *J) { ROWS(cosh(X), 0, sinh(X), 0, 1 - tanh(X) * tanh(X), 0); }
static void f_hyper(double *f) { VALS(sinh(X), cosh(X), tanh(X)); }
static void j_ahyper(double *J)
{
    ROWS(1 / sqrt(X * X + 1), 0, 0, 1 / sqrt((1 + Y) * (1 + Y) - 1), 1 / (1 - X * X), 0);
}
static void f_ahyper(double *f) { VALS(asinh(X), acosh(1 + Y), atanh(X)); }
static void j_norms(double *J)
{
    double h = hypot(X, Y);
    ROWS(X / h, Y / h, -1, 1, -1, 1); /* |x - y| with x < y, |y - x| */
}
static void f_norms(double *f) { VALS(hypot(X, Y), fabs(X - Y), fabs(Y - X)); }
static void j_minmax(double *J) { ROWS(1, 0, 1, 0, 0, 1, 0, 1); }
static void f_minmax(double *f) { VALS(X, X, Y, Y); }
static void j_special(double *J)
{
    ROWS(-1, 0, 2 / sqrt(DJ_PI) * exp(-X * X), 0, 0, -2 / sqrt(DJ_PI) * exp(-Y * Y));
}
static void f_special(double *f) { VALS(copysign(X, Y - 1), erf(X), erfc(Y)); }
static double psi(double z) { return dj_digamma(z); }
static void j_gamma(double *J) { ROWS(tgamma(1 + X) * psi(1 + X), 0, 0, psi(2 + Y)); }
static void f_gamma(double *f) { VALS(tgamma(1 + X), lgamma(2 + Y)); }
static void j_rounding(double *J) { ROWS(1, 0, 0, 1, 0, trunc(5 * X), round(5 * Y), 0); }
static void f_rounding(double *f)
{
    VALS(floor(3 * X) + X, ceil(3 * Y) + Y, trunc(5 * X) * Y, round(5 * Y) * X);
}
static void j_fmod(double *J)
{
    ROWS(5, -trunc(5 * X / Y), Y * pow(X, Y - 1), pow(X, Y) * log(X), 3 * X * X, 0);
}
static void f_fmod(double *f) { VALS(fmod(5 * X, Y), pow(X, Y), pow(X, 3)); }
static void j_fma(double *J) { ROWS(Y + 2 * X, X); }
static void f_fma(double *f) { VALS(fma(X, Y, X * X)); }
static void j_defs(double *J)
{
    double r = hypot(X, Y);
    ROWS(X / r * cos(Y), Y / r * cos(Y) - r * sin(Y), X / r * sin(Y), Y / r * sin(Y) + r * cos(Y));
}
static void f_defs(double *f) { VALS(hypot(X, Y) * cos(Y), hypot(X, Y) * sin(Y)); }
static void j_precedence(double *J)
{
    ROWS(DJ_PI, exp(1.0), -log(2.0) * pow(2, -X), 0, -2 * X, 0, 0, 512, 0, -2 * pow(Y, -3));
}
static void f_precedence(double *f)
{
    VALS(DJ_PI * X + exp(1.0) * Y, pow(2, -X), -(X * X), 512 * Y, pow(Y, -2));
}
static void j_lines(double *J) { ROWS(2 * X * Y, X * X, 0, 1); }
static void f_lines(double *f) { VALS(X * X * Y, Y + 1); }
static void j_negbase(double *J) { ROWS(2 * (X - 1), 0, 0, 3 * (Y - 1) * (Y - 1)); }
static void f_negbase(double *f) { VALS((X - 1) * (X - 1), pow(Y - 1, 3)); }

static const case_t cases[] = {
    {"x + y, x - y, x * y, x / y, -x, x^y", 6, j_arith, f_arith, 1e-13},
    {"sqrt(x), cbrt(x), exp(x), exp2(x), expm1(x)", 5, j_powers, f_powers, 1e-13},
    {"log(x), log2(x), log10(x), log1p(x)", 4, j_logs, f_logs, 1e-13},
    {"sin(x), cos(x), tan(x)", 3, j_trig, f_trig, 1e-13},
    {"asin(x), acos(x), atan(x), atan2(y, x)", 4, j_inverse, f_inverse, 1e-13},
    {"sinh(x), cosh(x), tanh(x)", 3, j_hyper, f_hyper, 1e-13},
    {"asinh(x), acosh(1 + y), atanh(x)", 3, j_ahyper, f_ahyper, 1e-13},
    {"hypot(x, y), fabs(x - y), abs(y - x)", 3, j_norms, f_norms, 1e-13},
    {"fmin(x, y), min(x, y), fmax(x, y), max(x, y)", 4, j_minmax, f_minmax, 1e-13},
    {"copysign(x, y - 1), erf(x), erfc(y)", 3, j_special, f_special, 1e-13},
    {"tgamma(1 + x), lgamma(2 + y)", 2, j_gamma, f_gamma, 1e-12},
    {"floor(3*x) + x, ceil(3*y) + y, trunc(5*x) * y, round(5*y) * x", 4, j_rounding,
     f_rounding, 1e-13},
    {"fmod(5*x, y), pow(x, y), pow(x, 3)", 3, j_fmod, f_fmod, 1e-13},
    {"fma(x, y, x*x)", 1, j_fma, f_fma, 1e-13},
    {"r = hypot(x, y); r*cos(y), r*sin(y)", 2, j_defs, f_defs, 1e-13},
    {"pi*x + e*y, 2^-x, -x^2, 2^3^2*y, y^-2", 5, j_precedence, f_precedence, 1e-13},
    {"# comments and line breaks\nxx = x*x   # a definition\nxx*y\n\ny +\n  1\n", 2, j_lines,
     f_lines, 1e-13},
    {"(x - 1)^2, (y - 1)^3", 2, j_negbase, f_negbase, 1e-13},
};
enum { NCASES = sizeof cases / sizeof cases[0] };

START_TEST(test_expression_jacobian_matches_analytic)
{
    const case_t *c = &cases[_i];
    const char *vars[] = {"x", "y"};
    expr_program *p;
    expr_error e;
    int st = expr_compile(&p, c->text, vars, 2, &e);
    ck_assert_msg(st == DJ_OK, "'%s': %s at %zu:%zu", c->text, e.message, e.line, e.column);
    ck_assert_uint_eq(p->noutputs, c->m);
    dj_fn f = expr_fn(p);
    double x[2] = {X, Y}, want[12], wantf[6], J[12], y[6];
    c->jac(want);
    c->val(wantf);
    for (int mode = DJ_MODE_FORWARD; mode <= DJ_MODE_REVERSE; mode++)
        for (int k = 1; k <= 2; k++) {
            dj_opts o = {.mode = (dj_mode)mode, .chunk = k};
            ck_assert_int_eq(dj_jacobian(J, y, &f, x, &o, NULL), DJ_OK);
            for (size_t i = 0; i < c->m; i++) {
                tl_assert_close(y[i], wantf[i], 1e-14, "'%s' f%zu", c->text, i + 1);
                for (size_t j = 0; j < 2; j++)
                    tl_assert_close(J[i * 2 + j], want[i * 2 + j], c->tol,
                                    "'%s' J[%zu][%zu] mode %d", c->text, i, j, mode);
            }
        }
    expr_free(p);
}
END_TEST

/* Inputs by first appearance, or x1..xn by number. */
START_TEST(test_input_order)
{
    expr_program *p;
    ck_assert_int_eq(expr_compile(&p, "b*a + c, a", NULL, 0, NULL), DJ_OK);
    ck_assert_uint_eq(p->ninputs, 3);
    ck_assert_str_eq(p->inputs[0], "b");
    ck_assert_str_eq(p->inputs[1], "a");
    ck_assert_str_eq(p->inputs[2], "c");
    expr_free(p);
    ck_assert_int_eq(expr_compile(&p, "x3 * x1", NULL, 0, NULL), DJ_OK);
    ck_assert_uint_eq(p->ninputs, 3);
    ck_assert_str_eq(p->inputs[0], "x1");
    ck_assert_str_eq(p->inputs[2], "x3");
    dj_fn f = expr_fn(p);
    double x[3] = {2, 5, 7}, J[3], y;
    ck_assert_int_eq(dj_jacobian(J, &y, &f, x, NULL, NULL), DJ_OK);
    ck_assert(y == 14 && J[0] == 7 && J[1] == 0 && J[2] == 2);
    expr_free(p);
}
END_TEST

typedef struct {
    const char *text;
    size_t line, column;
    const char *message;
} error_case;

static const error_case errors[] = {
    {"sinn(x)", 1, 1, "unknown function 'sinn'"},
    {"x + sinn(x)", 1, 5, "unknown function 'sinn'"},
    {"x*(y", 1, 3, "unclosed '('"},
    {"x +", 1, 4, "expected a number, a name or '(', found end of input"},
    {"2x", 1, 1, "invalid number '2x'"},
    {"1.2.3", 1, 1, "invalid number '1.2.3'"},
    {"x $ y", 1, 3, "unexpected character '$'"},
    {"atan2(x)", 1, 1, "atan2 takes 2 arguments, not 1"},
    {"sin", 1, 1, "'sin' is a function: write sin(...)"},
    {"r = x; r = y; r", 1, 8, "'r' is defined twice"},
    {"y + r; r = x", 1, 5, "'r' is used before it is defined"},
    {"r = r + 1; r", 1, 5, "'r' is used before it is defined"},
    {"e = 1; x", 1, 1, "'e' is a constant and cannot be defined"},
    {"sin = 1; x", 1, 1, "'sin' is a function and cannot be defined"},
    {"", 1, 1, "no output: write at least one expression"},
    {"x,,y", 1, 3, "expected a number, a name or '(', found ','"},
    {"x y", 1, 3, "expected an operator, ',' or the end of the expression, found 'y'"},
    {"x\n  + )", 2, 5, "expected a number, a name or '(', found ')'"},
    {"(x", 1, 1, "unclosed '('"},
    {"x)", 1, 2, "expected an operator, ',' or the end of the expression, found ')'"},
};

START_TEST(test_errors_name_their_place)
{
    const error_case *c = &errors[_i];
    expr_program *p = NULL;
    expr_error e;
    ck_assert_int_eq(expr_compile(&p, c->text, NULL, 0, &e), DJ_EPARSE);
    ck_assert_ptr_null(p);
    ck_assert_str_eq(e.message, c->message);
    ck_assert_msg(e.line == c->line && e.column == c->column, "'%s': at %zu:%zu, not %zu:%zu",
                  c->text, e.line, e.column, c->line, c->column);
}
END_TEST

START_TEST(test_fixed_vars)
{
    const char *vars[] = {"t", "x"};
    expr_program *p;
    expr_error e;
    ck_assert_int_eq(expr_compile(&p, "x*t", vars, 2, &e), DJ_OK);
    ck_assert_str_eq(p->inputs[0], "t");
    expr_free(p);
    ck_assert_int_eq(expr_compile(&p, "x*w", vars, 2, &e), DJ_EPARSE);
    ck_assert_str_eq(e.message, "unknown variable 'w' (not in --vars)");
    ck_assert_int_eq(expr_compile(&p, "x = 1; x", vars, 2, &e), DJ_EPARSE);
}
END_TEST

/* Constants are operands of the double-operand forms, and operations on
 * constants only are folded: no constant reaches a dual or the graph, so
 * sqrt(0)·x (a constant with an infinite partial) and 1/(x - x0) at the
 * pole have the same Jacobian in forward and reverse mode. */
START_TEST(test_constants_are_constants)
{
    static const char *texts[] = {"1 - 2*x + 3/x - x/4 + 2^x + x^3 + pow(2, x) + atan2(1, x)",
                                  "sqrt(0)*x + exp(-pi)*x + fmax(x, 0.5) + hypot(3, 4)"};
    for (size_t t = 0; t < 2; t++) {
        expr_program *p;
        ck_assert_int_eq(expr_compile(&p, texts[t], NULL, 0, NULL), DJ_OK);
        for (size_t c = 0; c < p->ncode; c++)
            ck_assert_msg(p->code[c].op != OP_CONST, "'%s': a constant at %zu", texts[t], c);
        dj_fn f = expr_fn(p);
        double x = 0.75, Jf, Jr;
        dj_opts fo = {.mode = DJ_MODE_FORWARD}, ro = {.mode = DJ_MODE_REVERSE};
        ck_assert_int_eq(dj_jacobian(&Jf, NULL, &f, &x, &fo, NULL), DJ_OK);
        ck_assert_int_eq(dj_jacobian(&Jr, NULL, &f, &x, &ro, NULL), DJ_OK);
        ck_assert_msg(isfinite(Jf), "'%s': %g", texts[t], Jf);
        tl_assert_close(Jr, Jf, 1e-14, "'%s' forward vs reverse", texts[t]);
        expr_free(p);
    }
    /* "(2)" and "-(3)" are constants too; a constant output stays one */
    expr_program *p;
    ck_assert_int_eq(expr_compile(&p, "x*(2) - (3), 4", NULL, 0, NULL), DJ_OK);
    dj_fn f = expr_fn(p);
    double x = 5, y[2];
    ck_assert_int_eq(dj_eval(y, &f, &x), DJ_OK);
    ck_assert(y[0] == 7 && y[1] == 4);
    expr_free(p);
}
END_TEST

/* text made of prefix repeated `times`, then middle, then suffix repeated. */
static char *repeat(const char *prefix, size_t times, const char *middle, const char *suffix)
{
    size_t lp = strlen(prefix), lm = strlen(middle), ls = strlen(suffix);
    char *t = malloc(times * (lp + ls) + lm + 1), *p = t;
    ck_assert_ptr_nonnull(t);
    for (size_t i = 0; i < times; i++, p += lp)
        memcpy(p, prefix, lp);
    memcpy(p, middle, lm);
    p += lm;
    for (size_t i = 0; i < times; i++, p += ls)
        memcpy(p, suffix, ls);
    *p = '\0';
    return t;
}

/* Deep nesting is an error at the token that goes too deep, never a stack
 * overflow: parentheses, signs, right-associative powers and calls. */
static const struct {
    const char *prefix, *middle, *suffix;
    size_t times, column; /* column of the error: the level past the limit */
} deep[] = {
    {"(", "x", ")", 20000, EXPR_MAX_NESTING + 1},
    {"-", "x", "", 25000, EXPR_MAX_NESTING + 1},
    {"x^", "x", "", 1000000, 2 * EXPR_MAX_NESTING + 1},
    {"sin(", "x", ")", 100000, 4 * EXPR_MAX_NESTING + 1},
    {"2*(", "x", ")", 5000, 3 * EXPR_MAX_NESTING + 1},
};

START_TEST(test_deep_nesting_is_an_error)
{
    char *text = repeat(deep[_i].prefix, deep[_i].times, deep[_i].middle, deep[_i].suffix);
    expr_program *p = NULL;
    expr_error e;
    ck_assert_int_eq(expr_compile(&p, text, NULL, 0, &e), DJ_EPARSE);
    ck_assert_ptr_null(p);
    ck_assert_str_eq(e.message, "nested more than 1000 levels deep (parentheses, signs, powers "
                                "and calls)");
    ck_assert_uint_eq(e.line, 1);
    ck_assert_uint_eq(e.column, deep[_i].column);
    free(text);
}
END_TEST

/* Just under the limit compiles and differentiates in both modes. */
START_TEST(test_nesting_under_the_limit)
{
    char *text = repeat("(", EXPR_MAX_NESTING - 1, "x", ")");
    expr_program *p;
    ck_assert_int_eq(expr_compile(&p, text, NULL, 0, NULL), DJ_OK);
    free(text);
    dj_fn f = expr_fn(p);
    double x = 2, J, y;
    dj_opts o = {.mode = DJ_MODE_REVERSE};
    ck_assert_int_eq(dj_jacobian(&J, &y, &f, &x, &o, NULL), DJ_OK);
    ck_assert(y == 2 && J == 1);
    expr_free(p);
    text = repeat("-", EXPR_MAX_NESTING - 1, "x", "");
    ck_assert_int_eq(expr_compile(&p, text, NULL, 0, NULL), DJ_OK);
    free(text);
    expr_free(p);
}
END_TEST

/* 10^5 distinct inputs, and a chain of 10^5 definitions, compile (the
 * lookup is hashed; bench/bench_parse shows the time growing linearly). */
START_TEST(test_many_names)
{
    enum { N = 100000 };
    char *text = malloc((size_t)N * 24 + 32), *t = text;
    ck_assert_ptr_nonnull(text);
    for (int i = 1; i <= N; i++)
        t += sprintf(t, i == 1 ? "v%d" : " + v%d", i);
    expr_program *p;
    ck_assert_int_eq(expr_compile(&p, text, NULL, 0, NULL), DJ_OK);
    ck_assert_uint_eq(p->ninputs, N);
    ck_assert_str_eq(p->inputs[N - 1], "v100000");
    expr_free(p);
    t = text;
    t += sprintf(t, "d1 = v\n");
    for (int i = 2; i <= N; i++)
        t += sprintf(t, "d%d = d%d + v\n", i, i - 1);
    sprintf(t, "d%d\n", N);
    ck_assert_int_eq(expr_compile(&p, text, NULL, 0, NULL), DJ_OK);
    ck_assert_uint_eq(p->nlocals, N);
    ck_assert_uint_eq(p->ninputs, 1);
    dj_fn f = expr_fn(p);
    double x = 0.5, J, y;
    ck_assert_int_eq(dj_jacobian(&J, &y, &f, &x, NULL, NULL), DJ_OK);
    ck_assert(J == N && y == 0.5 * N);
    expr_free(p);
    free(text);
}
END_TEST

/* --at by name looks names up by hash: 10^5 of them are read at once. */
START_TEST(test_point_many_names)
{
    enum { N = 100000 };
    char **names = malloc(N * sizeof *names), *text = malloc((size_t)N * 24), *t = text;
    double *x = malloc(N * sizeof *x);
    ck_assert(names != NULL && text != NULL && x != NULL);
    for (int i = 0; i < N; i++) {
        names[i] = malloc(16);
        ck_assert_ptr_nonnull(names[i]);
        snprintf(names[i], 16, "v%d", i);
    }
    for (int i = N; i-- > 0;) /* in reverse order */
        t += sprintf(t, i == N - 1 ? "v%d=%d" : ",v%d=%d", i, i);
    reader_error e;
    ck_assert_int_eq(point_parse(x, N, names, text, &e), 0);
    for (int i = 0; i < N; i++)
        ck_assert(x[i] == i);
    strcat(text, ",v7=1");
    ck_assert_int_eq(point_parse(x, N, names, text, &e), -1);
    ck_assert_msg(strstr(e.message, "'v7' is given twice") != NULL, "%s", e.message);
    for (int i = 0; i < N; i++)
        free(names[i]);
    free(names), free(text), free(x);
}
END_TEST

static Suite *expr_suite(void)
{
    Suite *s = suite_create("expr");
    TCase *tc = tcase_create("language");
    tcase_add_loop_test(tc, test_expression_jacobian_matches_analytic, 0, NCASES);
    tcase_add_test(tc, test_input_order);
    tcase_add_test(tc, test_fixed_vars);
    tcase_add_test(tc, test_constants_are_constants);
    tcase_add_loop_test(tc, test_errors_name_their_place, 0,
                        (int)(sizeof errors / sizeof errors[0]));
    suite_add_tcase(s, tc);
    tc = tcase_create("limits");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_deep_nesting_is_an_error, 0, (int)(sizeof deep / sizeof deep[0]));
    tcase_add_test(tc, test_nesting_under_the_limit);
    tcase_add_test(tc, test_many_names);
    tcase_add_test(tc, test_point_many_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tl_main(expr_suite); }
