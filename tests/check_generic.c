/* check_generic.c: every macro of generic.h, with every type it accepts.
 *
 * Every call is generated: each macro with every type (eight plain number
 * types, five dual types, the graph variable dj_var and the type a body is
 * compiled for first, probe.h), every pairing of two (dual with the same
 * dual, dual with number, number with dual, two numbers) and every mix of
 * three for dj_fma. The other arithmetic types (_Bool, the char and short
 * types, long double) go through the same association lists, so they are
 * paired with every differentiable type in a few operations of each kind
 * (calls_numbers) rather than in every one. Each call is checked three ways: the type
 * of its result at compile time (_Static_assert), its value, bit for bit,
 * against the typed function the macro should have selected, and that each
 * argument, passed as x[i++], is evaluated exactly once. The tables below
 * list every macro of generic.h; tests/compile_errors.sh checks that they
 * still do. A macro nobody calls can hide a broken association: musl once
 * shipped such a tgmath macro. */

/* Thousands of small functions whose optimisation proves nothing about the
 * macros under test: built unoptimised, the file compiles 3x faster (23 s
 * against 73 s with gcc), which CI pays in every one of its builds. */
#if defined(__clang__)
#pragma clang optimize off
#elif defined(__GNUC__)
#pragma GCC optimize("O0")
#endif

#include <math.h>
#include <string.h>

#include "testlib.h"

/* ---- the macros under test ------------------------------------------------
 * Each with the class of its result: `same` (the differentiable type among
 * the arguments, double when all are plain numbers), `cmp` (int) or `value`
 * (double). */
#define UNARY_OPS(X)                                                           \
    X(acos, same) X(acosh, same) X(asin, same) X(asinh, same) X(atan, same)    \
    X(atanh, same) X(cbrt, same) X(ceil, same) X(cos, same) X(cosh, same)      \
    X(erf, same) X(erfc, same) X(exp, same) X(exp2, same) X(expm1, same)       \
    X(fabs, same) X(floor, same) X(lgamma, same) X(log, same) X(log10, same)   \
    X(log1p, same) X(log2, same) X(neg, same) X(round, same) X(sin, same)      \
    X(sinh, same) X(sqrt, same) X(tan, same) X(tanh, same) X(tgamma, same)     \
    X(trunc, same) X(value, value)

#define BINARY_OPS(X)                                                          \
    X(add, same) X(atan2, same) X(copysign, same) X(div, same) X(eq, cmp)      \
    X(fmax, same) X(fmin, same) X(fmod, same) X(ge, cmp) X(gt, cmp)            \
    X(hypot, same) X(le, cmp) X(lt, cmp) X(mul, same) X(ne, cmp) X(pow, same)  \
    X(sub, same)

/* s op= b: the lvalue s, with the typed function that does it. */
#define ASSIGN_OPS(X) X(add_to, _) X(div_by, _) X(mul_by, _) X(sub_from, _)

/* Reductions over an array and over their arguments. */
#define ARRAY_OPS(X) X(prod_n, _) X(sum_n, _)
#define VARIADIC_OPS(X) X(prod, prod_n) X(sum, sum_n)

/* dj_fma, dj_const, dj_const_like, dj_one, dj_zero and dj_tangent have
 * tests of their own below. */

/* ---- the types --------------------------------------------------------------
 * Each type has a one-token name t: T_t is the type, K_t its kind (N for a
 * plain number, D for a differentiable type: a dual or the graph variable).
 * NUMBERS_A(X, ...) calls X(t, ...) for every plain number type generic.h
 * accepts; the preprocessor does not expand a macro inside itself, so pairs
 * and triples need the copies B and C. AD_TYPES(X, ...) calls X(t, ...) for
 * every differentiable type. */
#define T_int int
#define T_unsigned unsigned
#define T_long long
#define T_ulong unsigned long
#define T_llong long long
#define T_ullong unsigned long long
#define T_float float
#define T_double double
#define T_dj_dual dj_dual
#define T_dj_dual2 dj_dual2
#define T_dj_dual4 dj_dual4
#define T_dj_dual8 dj_dual8
#define T_dj_dual16 dj_dual16
#define T_dj_var dj_var
#define T_dj_declare_as_T_not_double dj_declare_as_T_not_double
#define T_bool _Bool
#define T_char char
#define T_schar signed char
#define T_uchar unsigned char
#define T_short short
#define T_ushort unsigned short
#define T_ldouble long double
#define K_int N
#define K_unsigned N
#define K_long N
#define K_ulong N
#define K_llong N
#define K_ullong N
#define K_float N
#define K_double N
#define K_dj_dual D
#define K_dj_dual2 D
#define K_dj_dual4 D
#define K_dj_dual8 D
#define K_dj_dual16 D
#define K_dj_var D
#define K_dj_declare_as_T_not_double D
#define K_bool N
#define K_char N
#define K_schar N
#define K_uchar N
#define K_short N
#define K_ushort N
#define K_ldouble N

#define NUMBERS_A(X, ...)                                                      \
    X(int, __VA_ARGS__) X(unsigned, __VA_ARGS__) X(long, __VA_ARGS__)          \
    X(ulong, __VA_ARGS__) X(llong, __VA_ARGS__) X(ullong, __VA_ARGS__)         \
    X(float, __VA_ARGS__) X(double, __VA_ARGS__)
#define NUMBERS_B(X, ...)                                                      \
    X(int, __VA_ARGS__) X(unsigned, __VA_ARGS__) X(long, __VA_ARGS__)          \
    X(ulong, __VA_ARGS__) X(llong, __VA_ARGS__) X(ullong, __VA_ARGS__)         \
    X(float, __VA_ARGS__) X(double, __VA_ARGS__)
#define NUMBERS_C(X, ...)                                                      \
    X(int, __VA_ARGS__) X(unsigned, __VA_ARGS__) X(long, __VA_ARGS__)          \
    X(ulong, __VA_ARGS__) X(llong, __VA_ARGS__) X(ullong, __VA_ARGS__)         \
    X(float, __VA_ARGS__) X(double, __VA_ARGS__)
/* The other arithmetic types, which go through the same lists. */
#define NUMBERS_X(X, ...)                                                      \
    X(bool, __VA_ARGS__) X(char, __VA_ARGS__) X(schar, __VA_ARGS__)            \
    X(uchar, __VA_ARGS__) X(short, __VA_ARGS__) X(ushort, __VA_ARGS__)         \
    X(ldouble, __VA_ARGS__)
#define DUALS(X, ...)                                                          \
    X(dj_dual, __VA_ARGS__) X(dj_dual2, __VA_ARGS__) X(dj_dual4, __VA_ARGS__)  \
    X(dj_dual8, __VA_ARGS__) X(dj_dual16, __VA_ARGS__)                         \
    X(dj_declare_as_T_not_double, __VA_ARGS__)
#define AD_TYPES(X, ...) DUALS(X, __VA_ARGS__) X(dj_var, __VA_ARGS__)
/* The types dj_const accepts as its first argument. */
#define CONST_TYPES(X, ...) X(double, __VA_ARGS__) AD_TYPES(X, __VA_ARGS__)

#define STR_(x) #x
#define STR(x) STR_(x)
#define CAT_(a, b, c, d) a##b##c##d
#define CAT(a, b, c, d) CAT_(a, b, c, d)

/* ---- pairings and triples ---------------------------------------------------- */

/* X(ta, tb, ...) for every pairing the two-argument macros accept: a
 * differentiable type with itself, with a number, a number with it, two
 * numbers. */
#define ALL_PAIRS(X, ...)                                                      \
    AD_TYPES(PAIR_SELF_, X, __VA_ARGS__)                                       \
    AD_TYPES(PAIR_DN_, X, __VA_ARGS__)                                         \
    NUMBERS_A(PAIR_NX_, X, __VA_ARGS__)
#define PAIR_SELF_(t, X, ...) X(t, t, __VA_ARGS__)
#define PAIR_DN_(t, X, ...) NUMBERS_B(PAIR_, X, t, __VA_ARGS__)
#define PAIR_NX_(t, X, ...) AD_TYPES(PAIR_, X, t, __VA_ARGS__) NUMBERS_B(PAIR_, X, t, __VA_ARGS__)
#define PAIR_(tb, X, ta, ...) X(ta, tb, __VA_ARGS__)

/* X(ta, tb, ...) for every pairing of dj_add_to and its kin: a
 * differentiable lvalue with itself or a number, a double with a number. */
#define ASSIGN_PAIRS(X, ...)                                                   \
    AD_TYPES(PAIR_SELF_, X, __VA_ARGS__)                                       \
    AD_TYPES(PAIR_DN_, X, __VA_ARGS__)                                         \
    NUMBERS_B(PAIR_, X, double, __VA_ARGS__)

/* X(ta, tb, ...) for each other arithmetic type beside every
 * differentiable type and double, in both orders. */
#define NUMBER_X_PAIRS(X, ...) NUMBERS_X(NUMBER_X_PAIRS_, X, __VA_ARGS__)
#define NUMBER_X_PAIRS_(t, X, ...)                                             \
    CONST_TYPES(NUMBER_X_PAIR_, X, t, __VA_ARGS__)
#define NUMBER_X_PAIR_(d, X, t, ...) X(t, d, __VA_ARGS__) X(d, t, __VA_ARGS__)

/* X(ta, tb, tc, ...) for every mix of three that dj_fma accepts: plain
 * numbers and at most one differentiable type. */
#define ALL_TRIPLES(X, ...)                                                    \
    AD_TYPES(TRIPLES_WITH_, X, __VA_ARGS__)                                    \
    NUMBERS_A(TRIPLE_NNN_A_, X, __VA_ARGS__)
#define TRIPLES_WITH_(t, X, ...)                                               \
    X(t, t, t, __VA_ARGS__)                                                    \
    NUMBERS_A(TRIPLE_DDN_, X, t, __VA_ARGS__)                                  \
    NUMBERS_A(TRIPLE_DND_, X, t, __VA_ARGS__)                                  \
    NUMBERS_A(TRIPLE_NDD_, X, t, __VA_ARGS__)                                  \
    NUMBERS_A(TRIPLE_DNN_A_, X, t, __VA_ARGS__)                                \
    NUMBERS_A(TRIPLE_NDN_A_, X, t, __VA_ARGS__)                                \
    NUMBERS_A(TRIPLE_NND_A_, X, t, __VA_ARGS__)
#define TRIPLE_DDN_(n, X, d, ...) X(d, d, n, __VA_ARGS__)
#define TRIPLE_DND_(n, X, d, ...) X(d, n, d, __VA_ARGS__)
#define TRIPLE_NDD_(n, X, d, ...) X(n, d, d, __VA_ARGS__)
#define TRIPLE_DNN_A_(n, X, d, ...) NUMBERS_B(TRIPLE_DNN_B_, X, d, n, __VA_ARGS__)
#define TRIPLE_DNN_B_(m, X, d, n, ...) X(d, n, m, __VA_ARGS__)
#define TRIPLE_NDN_A_(n, X, d, ...) NUMBERS_B(TRIPLE_NDN_B_, X, d, n, __VA_ARGS__)
#define TRIPLE_NDN_B_(m, X, d, n, ...) X(n, d, m, __VA_ARGS__)
#define TRIPLE_NND_A_(n, X, d, ...) NUMBERS_B(TRIPLE_NND_B_, X, d, n, __VA_ARGS__)
#define TRIPLE_NND_B_(m, X, d, n, ...) X(n, m, d, __VA_ARGS__)
#define TRIPLE_NNN_A_(n, X, ...) NUMBERS_B(TRIPLE_NNN_B_, X, n, __VA_ARGS__)
#define TRIPLE_NNN_B_(m, X, n, ...) NUMBERS_C(TRIPLE_NNN_C_, X, n, m, __VA_ARGS__)
#define TRIPLE_NNN_C_(p, X, n, m, ...) X(n, m, p, __VA_ARGS__)

/* ---- what each call must select -------------------------------------------- */

/* The result type, by class and kinds of the arguments. */
#define RESULT_sameD(ta) T_##ta
#define RESULT_sameN(ta) double
#define RESULT_valueD(ta) double
#define RESULT_valueN(ta) double
#define RESULT_sameDD(ta, tb) T_##ta
#define RESULT_sameDN(ta, tb) T_##ta
#define RESULT_sameND(ta, tb) T_##tb
#define RESULT_sameNN(ta, tb) double
#define RESULT_cmpDD(ta, tb) int
#define RESULT_cmpDN(ta, tb) int
#define RESULT_cmpND(ta, tb) int
#define RESULT_cmpNN(ta, tb) int
#define RESULT1(cls, ta) CAT(RESULT_, cls, K_##ta, )(ta)
#define RESULT2(cls, ta, tb) CAT(RESULT_, cls, K_##ta, K_##tb)(ta, tb)

/* The typed function: dj_<type>_<op>, with _d or d_ for a plain number,
 * which goes in as a double. */
#define REF_D(op, ta, a) ta##_##op(a)
#define REF_N(op, ta, a) dj_double_##op((double)(a))
#define REF_DD(op, ta, tb, a, b) ta##_##op(a, b)
#define REF_DN(op, ta, tb, a, b) ta##_##op##_d(a, (double)(b))
#define REF_ND(op, ta, tb, a, b) tb##_d_##op((double)(a), b)
#define REF_NN(op, ta, tb, a, b) dj_double_##op((double)(a), (double)(b))
#define REF1(op, ta, a) CAT(REF_, K_##ta, , )(op, ta, a)
#define REF2(op, ta, tb, a, b) CAT(REF_, K_##ta, K_##tb, )(op, ta, tb, a, b)

/* IS_TYPE(T, e): 1 when e has exactly the type T (e is not evaluated). */
#define IS_TYPE(T, e) _Generic((e), T: 1, default: 0)

/* ---- inputs ---------------------------------------------------------------------
 * Three per type, for the first, second and third argument, set at run time
 * so that the compiler cannot fold one side of a comparison. Dual inputs have
 * distinct tangents in every slot, so a wrong width or slot shows. The macro
 * calls take in_<t>, the typed references ref_<t>: the same values, except
 * that the graph variables of ref_dj_var are the inputs of a second graph,
 * which the typed calls record on as the macros record on the first. */
#define DECLARE_INPUTS(t, _) static T_##t in_##t[3], ref_##t[3];
NUMBERS_A(DECLARE_INPUTS, _)
NUMBERS_X(DECLARE_INPUTS, _)
AD_TYPES(DECLARE_INPUTS, _)
static dj_graph graph_in, graph_ref;

/* Writes value v and tangent i = ±(i + 1)·h into a dual of any width, as
 * the K + 1 unpadded doubles mdual.h documents. */
static void fill_dual(void *x, size_t size, double v, double h)
{
    double buf[17];
    size_t n = size / sizeof(double);
    ck_assert(n >= 2 && n <= 17 && n * sizeof(double) == size);
    buf[0] = v;
    for (size_t s = 1; s < n; s++)
        buf[s] = (s % 2 ? 1.0 : -1.0) * (double)s * h;
    memcpy(x, buf, size);
}

static void setup_inputs(void)
{
#define SET3(t, a, b, c) (in_##t[0] = (a), in_##t[1] = (b), in_##t[2] = (c))
    SET3(int, -3, 2, 5);
    SET3(unsigned, 7u, 2u, 3u);
    SET3(long, -4L, 3L, 6L);
    SET3(ulong, 5ul, 4ul, 9ul);
    SET3(llong, -6LL, 5LL, 2LL);
    SET3(ullong, 3ull, 6ull, 4ull);
    SET3(float, 0.25f, -1.5f, 2.75f);
    SET3(double, 0.375, -1.25, 3.5);
    SET3(bool, 1, 0, 1);
    SET3(char, 'a', 3, 7);
    SET3(schar, -5, 4, 2);
    SET3(uchar, 200, 3, 9);
    SET3(short, -300, 2, 11);
    SET3(ushort, 60000, 5, 3);
    SET3(ldouble, 0.5L, -2.25L, 1.75L);
#undef SET3
    /* Some inputs lie outside a domain (acosh, log of a negative): both
     * sides are then NaN, which compares equal. */
    static const double v[3] = {0.625, 0.3125, -0.875};
#define FILL_DUALS(t, _)                                                       \
    for (int j = 0; j < 3; j++)                                                \
        fill_dual(&in_##t[j], sizeof in_##t[j], v[j], 0.0625 * (j + 1));
    DUALS(FILL_DUALS, _)
#undef FILL_DUALS
#define COPY_TO_REF(t, _) memcpy(ref_##t, in_##t, sizeof ref_##t);
    NUMBERS_A(COPY_TO_REF, _)
    NUMBERS_X(COPY_TO_REF, _)
    DUALS(COPY_TO_REF, _)
#undef COPY_TO_REF
    dj_graph_init(&graph_in);
    dj_graph_init(&graph_ref);
    ck_assert_int_eq(dj_graph_inputs(&graph_in, in_dj_var, v, 3), DJ_OK);
    ck_assert_int_eq(dj_graph_inputs(&graph_ref, ref_dj_var, v, 3), DJ_OK);
}

static void teardown_inputs(void)
{
    dj_graph_clear(&graph_in);
    dj_graph_clear(&graph_ref);
}

/* ---- comparing results ---------------------------------------------------------- */

/* Equal doubles, bit for bit, except that any NaN equals any NaN (a NaN's
 * sign and payload are not part of the contract). */
static int same_doubles(const void *x, const void *y, size_t size)
{
    for (size_t i = 0; i < size / sizeof(double); i++) {
        double a, b;
        memcpy(&a, (const char *)x + i * sizeof a, sizeof a);
        memcpy(&b, (const char *)y + i * sizeof b, sizeof b);
        if (isnan(a) && isnan(b))
            continue;
        if (memcmp(&a, &b, sizeof a) != 0)
            return 0;
    }
    return 1;
}

static int same_ints(const void *x, const void *y, size_t size)
{
    return memcmp(x, y, size) == 0;
}

/* Graph variables: the same value, and the same node of the corresponding
 * graph (both graphs record the same operations in the same order) or both
 * constants. */
static int same_vars(const void *x, const void *y, size_t size)
{
    dj_var a, b;
    ck_assert(size == sizeof a);
    memcpy(&a, x, sizeof a);
    memcpy(&b, y, sizeof b);
    int same_graph = (a.g == NULL && b.g == NULL) || (a.g == &graph_in && b.g == &graph_ref);
    return same_doubles(&a.v, &b.v, sizeof a.v) && a.id == b.id && same_graph;
}

/* 1 when got and want, of the same type, hold the same result. */
#define SAME(got, want)                                                        \
    _Generic((got), int: same_ints, dj_var: same_vars, default: same_doubles)(&(got), &(want), \
                                                                             sizeof(got))

/* ---- one function per call ------------------------------------------------------
 * Each makes one call of a macro, with arguments x[i++], and returns what it
 * saw. The matches_typed and evaluates_once tests run every function of a
 * macro's table and look at one field each. (A call per function also keeps
 * compile times down: gcc -O2 took minutes over one function holding a
 * thousand of them.) */
typedef struct outcome {
    const char *call;  /* the macro and its argument types */
    int same;          /* the result equals the typed function's in every bit */
    int reads[3];      /* times each argument was evaluated (1 if absent) */
    double got, want;  /* the values of both results, for the message */
} outcome;

typedef outcome call_fn(void);

static outcome make_outcome(const char *call, int same, int ra, int rb, int rc, double got,
                            double want)
{
    outcome o;
    o.call = call;
    o.same = same;
    o.reads[0] = ra;
    o.reads[1] = rb;
    o.reads[2] = rc;
    o.got = got;
    o.want = want;
    return o;
}

/* The end of a call function: compare and report. */
#define RETURN_OUTCOME(call, ra, rb, rc)                                       \
    return make_outcome(call, SAME(got, want), ra, rb, rc, (double)dj_value(got), \
                        (double)dj_value(want))

/* dj_<op>(a). */
#define DEFINE_UNARY_CALL(ta, op, cls)                                         \
    static outcome call_##op##__##ta(void)                                     \
    {                                                                          \
        typedef RESULT1(cls, ta) R;                                            \
        _Static_assert(IS_TYPE(R, dj_##op(in_##ta[0])),                        \
                       "dj_" #op "(" STR(T_##ta) ") is not " STR(RESULT1(cls, ta))); \
        int ia = 0;                                                            \
        R got = dj_##op(in_##ta[ia++]);                                        \
        R want = REF1(op, ta, ref_##ta[0]);                                     \
        RETURN_OUTCOME("dj_" #op "(" STR(T_##ta) ")", ia, 1, 1);               \
    }
#define UNARY_CALL_NAME(ta, op, cls) call_##op##__##ta,

/* dj_<op>(a, b). */
#define DEFINE_BINARY_CALL(ta, tb, op, cls)                                    \
    static outcome call_##op##__##ta##__##tb(void)                             \
    {                                                                          \
        typedef RESULT2(cls, ta, tb) R;                                        \
        _Static_assert(IS_TYPE(R, dj_##op(in_##ta[0], in_##tb[1])),            \
                       "dj_" #op "(" STR(T_##ta) ", " STR(T_##tb) ") is not "  \
                       STR(RESULT2(cls, ta, tb)));                             \
        int ia = 0, ib = 1;                                                    \
        R got = dj_##op(in_##ta[ia++], in_##tb[ib++]);                         \
        R want = REF2(op, ta, tb, ref_##ta[0], ref_##tb[1]);                     \
        RETURN_OUTCOME("dj_" #op "(" STR(T_##ta) ", " STR(T_##tb) ")", ia, ib - 1, 1); \
    }
#define BINARY_CALL_NAME(ta, tb, op, cls) call_##op##__##ta##__##tb,

/* dj_fma(a, b, c): the type is the dual among the three, or double; the
 * reference is that dual's typed fma, a plain number going in as the
 * constant dj_<dual>_const(x). */
#define FMA_TYPE(ta, tb, tc) CAT(FMA_TYPE_, K_##ta, K_##tb, K_##tc)(ta, tb, tc)
#define FMA_TYPE_DDD(ta, tb, tc) T_##ta
#define FMA_TYPE_DDN(ta, tb, tc) T_##ta
#define FMA_TYPE_DND(ta, tb, tc) T_##ta
#define FMA_TYPE_DNN(ta, tb, tc) T_##ta
#define FMA_TYPE_NDD(ta, tb, tc) T_##tb
#define FMA_TYPE_NDN(ta, tb, tc) T_##tb
#define FMA_TYPE_NND(ta, tb, tc) T_##tc
#define FMA_TYPE_NNN(ta, tb, tc) double
#define FMA_REF(ta, tb, tc, a, b, c) CAT(FMA_REF_, K_##ta, K_##tb, K_##tc)(ta, tb, tc, a, b, c)
#define FMA_REF_DDD(ta, tb, tc, a, b, c) FMA_REF_IN(ta, ta, tb, tc, a, b, c)
#define FMA_REF_DDN(ta, tb, tc, a, b, c) FMA_REF_IN(ta, ta, tb, tc, a, b, c)
#define FMA_REF_DND(ta, tb, tc, a, b, c) FMA_REF_IN(ta, ta, tb, tc, a, b, c)
#define FMA_REF_DNN(ta, tb, tc, a, b, c) FMA_REF_IN(ta, ta, tb, tc, a, b, c)
#define FMA_REF_NDD(ta, tb, tc, a, b, c) FMA_REF_IN(tb, ta, tb, tc, a, b, c)
#define FMA_REF_NDN(ta, tb, tc, a, b, c) FMA_REF_IN(tb, ta, tb, tc, a, b, c)
#define FMA_REF_NND(ta, tb, tc, a, b, c) FMA_REF_IN(tc, ta, tb, tc, a, b, c)
#define FMA_REF_NNN(ta, tb, tc, a, b, c) dj_double_fma((double)(a), (double)(b), (double)(c))
#define FMA_REF_IN(t, ta, tb, tc, a, b, c) t##_fma(AS_D(t, a, ta), AS_D(t, b, tb), AS_D(t, c, tc))
#define AS_D(t, x, tx) CAT(AS_D_, K_##tx, , )(t, x)
#define AS_D_D(t, x) (x)
#define AS_D_N(t, x) t##_const((double)(x))

#define DEFINE_FMA_CALL(ta, tb, tc, _)                                         \
    static outcome call_fma__##ta##__##tb##__##tc(void)                        \
    {                                                                          \
        typedef FMA_TYPE(ta, tb, tc) R;                                        \
        _Static_assert(IS_TYPE(R, dj_fma(in_##ta[0], in_##tb[1], in_##tc[2])), \
                       "dj_fma(" STR(T_##ta) ", " STR(T_##tb) ", " STR(T_##tc) ") is not " \
                       STR(FMA_TYPE(ta, tb, tc)));                             \
        int ia = 0, ib = 1, ic = 2;                                            \
        R got = dj_fma(in_##ta[ia++], in_##tb[ib++], in_##tc[ic++]);           \
        R want = FMA_REF(ta, tb, tc, ref_##ta[0], ref_##tb[1], ref_##tc[2]);      \
        RETURN_OUTCOME("dj_fma(" STR(T_##ta) ", " STR(T_##tb) ", " STR(T_##tc) ")", ia, \
                       ib - 1, ic - 2);                                        \
    }
#define FMA_CALL_NAME(ta, tb, tc, _) call_fma__##ta##__##tb##__##tc,

/* dj_const(T, c) for T double or a dual: c as a T with zero tangents. */
#define CONST_REF(t, c) CAT(CONST_REF_, K_##t, , )(t, c)
#define CONST_REF_D(t, c) t##_const((double)(c))
#define CONST_REF_N(t, c) dj_double_const((double)(c))
#define DEFINE_CONST_CALL(tc, t)                                               \
    static outcome call_const__##t##__##tc(void)                               \
    {                                                                          \
        _Static_assert(IS_TYPE(T_##t, dj_const(T_##t, in_##tc[0])),            \
                       "dj_const(" STR(T_##t) ", " STR(T_##tc) ") is not " STR(T_##t)); \
        int ic = 0;                                                            \
        T_##t got = dj_const(T_##t, in_##tc[ic++]);                            \
        T_##t want = CONST_REF(t, ref_##tc[0]);                                 \
        RETURN_OUTCOME("dj_const(" STR(T_##t) ", " STR(T_##tc) ")", 1, ic, 1); \
    }
#define CONST_CALLS(t, _) NUMBERS_A(DEFINE_CONST_CALL, t)
#define CONST_CALL_NAME(tc, t) call_const__##t##__##tc,
#define CONST_CALL_NAMES(t, _) NUMBERS_A(CONST_CALL_NAME, t)

/* dj_tangent(a, i) for every i from -1 to 17: in range and out of it. */
#define TANGENT_REF(ta, a, i) CAT(TANGENT_REF_, K_##ta, , )(ta, a, i)
#define TANGENT_REF_D(ta, a, i) ta##_tangent(a, i)
#define TANGENT_REF_N(ta, a, i) dj_double_tangent((double)(a), i)
#define DEFINE_TANGENT_CALL(ta, _)                                             \
    static outcome call_tangent__##ta(void)                                    \
    {                                                                          \
        _Static_assert(IS_TYPE(double, dj_tangent(in_##ta[0], 0)),             \
                       "dj_tangent(" STR(T_##ta) ", int) is not double");      \
        outcome o = make_outcome("dj_tangent(" STR(T_##ta) ", int)", 1, 1, 1, 1, 0, 0); \
        for (int i = -1; i <= 17; i++) {                                       \
            const int index[1] = {i};                                          \
            int ia = 0, ii = 0;                                                \
            double got = dj_tangent(in_##ta[ia++], index[ii++]);               \
            double want = TANGENT_REF(ta, ref_##ta[0], i);                      \
            if (!SAME(got, want))                                              \
                o.same = 0, o.got = got, o.want = want;                        \
            if (ia != 1 || ii != 1)                                            \
                o.reads[0] = ia, o.reads[1] = ii;                              \
        }                                                                      \
        return o;                                                              \
    }
#define TANGENT_CALL_NAME(ta, _) call_tangent__##ta,

/* dj_<op>(s, b) for an lvalue s: s op= b, the lvalue and b evaluated once;
 * the reference is the typed T_<op>(&s, b), or T_<op>_d. */
#define ASSIGN_REF(op, ta, tb, s, b) CAT(ASSIGN_REF_, K_##ta, K_##tb, )(op, ta, s, b)
#define ASSIGN_REF_DD(op, ta, s, b) ta##_##op(s, b)
#define ASSIGN_REF_DN(op, ta, s, b) ta##_##op##_d(s, (double)(b))
#define ASSIGN_REF_NN(op, ta, s, b) dj_double_##op(s, (double)(b))
#define DEFINE_ASSIGN_CALL(ta, tb, op, _)                                      \
    static outcome call_##op##__##ta##__##tb(void)                             \
    {                                                                          \
        T_##ta s[1] = {in_##ta[0]}, want = ref_##ta[0];                        \
        int is = 0, ib = 1;                                                    \
        dj_##op(s[is++], in_##tb[ib++]);                                       \
        ASSIGN_REF(op, ta, tb, &want, ref_##tb[1]);                            \
        T_##ta got = s[0];                                                     \
        RETURN_OUTCOME("dj_" #op "(" STR(T_##ta) ", " STR(T_##tb) ")", is, ib - 1, 1); \
    }
#define ASSIGN_CALL_NAME(ta, tb, op, _) call_##op##__##ta##__##tb,

/* dj_<op>(x, n) over an array of three, const or not. */
#define DEFINE_ARRAY_CALL(ta, op, _)                                           \
    static outcome call_##op##__##ta(void)                                     \
    {                                                                          \
        _Static_assert(IS_TYPE(T_##ta, dj_##op((const T_##ta *)in_##ta, 3)),   \
                       "dj_" #op "(const " STR(T_##ta) " *) is not " STR(T_##ta)); \
        T_##ta *const arrays[1] = {in_##ta};                                   \
        int ix = 0, in = 0;                                                    \
        const size_t count[1] = {3};                                           \
        T_##ta got = dj_##op(arrays[ix++], count[in++]);                       \
        T_##ta want = CAT(REF_ARRAY_, K_##ta, , )(op, ta, ref_##ta);           \
        RETURN_OUTCOME("dj_" #op "(" STR(T_##ta) " *, size_t)", ix, in, 1);    \
    }
#define REF_ARRAY_D(op, ta, x) ta##_##op(x, 3)
#define REF_ARRAY_N(op, ta, x) dj_double_##op(x, 3)
#define ARRAY_CALL_NAME(ta, op, _) call_##op##__##ta,

/* dj_sum(a, b, c) and dj_prod: the array function over {a, b, c}. */
#define DEFINE_VARIADIC_CALL(ta, op, array_op)                                 \
    static outcome call_##op##__##ta(void)                                     \
    {                                                                          \
        _Static_assert(IS_TYPE(T_##ta, dj_##op(in_##ta[0], in_##ta[1])),       \
                       "dj_" #op "(" STR(T_##ta) ", ...) is not " STR(T_##ta)); \
        int ia = 0, ib = 1, ic = 2;                                            \
        T_##ta got = dj_##op(in_##ta[ia++], in_##ta[ib++], in_##ta[ic++]);     \
        T_##ta want = CAT(REF_ARRAY_, K_##ta, , )(array_op, ta, ref_##ta);     \
        RETURN_OUTCOME("dj_" #op "(" STR(T_##ta) " x 3)", ia, ib - 1, ic - 2); \
    }
#define VARIADIC_CALL_NAME(ta, op, array_op) call_##op##__##ta,

/* dj_zero(T) and dj_one(T): the constants 0 and 1 of T. */
#define DEFINE_UNIT_CALLS(t, _)                                                \
    static outcome call_zero__##t(void)                                        \
    {                                                                          \
        T_##t got = dj_zero(T_##t), want = CONST_REF(t, 0.0);                  \
        RETURN_OUTCOME("dj_zero(" STR(T_##t) ")", 1, 1, 1);                    \
    }                                                                          \
    static outcome call_one__##t(void)                                         \
    {                                                                          \
        T_##t got = dj_one(T_##t), want = CONST_REF(t, 1.0);                   \
        RETURN_OUTCOME("dj_one(" STR(T_##t) ")", 1, 1, 1);                     \
    }
#define ZERO_CALL_NAME(t, _) call_zero__##t,
#define ONE_CALL_NAME(t, _) call_one__##t,

/* dj_const_like(a, c): c as a constant of a's type, for every type of a
 * beside every plain c. a is not evaluated: its count is 0, reported as 1
 * to the evaluates-once test. */
#define DEFINE_CONST_LIKE_CALL(tc, ta)                                         \
    static outcome call_const_like__##ta##__##tc(void)                         \
    {                                                                          \
        typedef RESULT1(same, ta) R;                                           \
        _Static_assert(IS_TYPE(R, dj_const_like(in_##ta[0], in_##tc[0])),      \
                       "dj_const_like(" STR(T_##ta) ", " STR(T_##tc) ") is not " \
                       STR(RESULT1(same, ta)));                                \
        int ia = 0, ic = 0;                                                    \
        R got = dj_const_like(in_##ta[ia++], in_##tc[ic++]);                   \
        R want = CONST_REF(ta, ref_##tc[0]);                                    \
        RETURN_OUTCOME("dj_const_like(" STR(T_##ta) ", " STR(T_##tc) ")", 1 + ia, ic, 1); \
    }
#define CONST_LIKE_CALLS(t, _) NUMBERS_B(DEFINE_CONST_LIKE_CALL, t)
#define CONST_LIKE_CALL_NAME(tc, t) call_const_like__##t##__##tc,
#define CONST_LIKE_CALL_NAMES(t, _) NUMBERS_B(CONST_LIKE_CALL_NAME, t)

/* ---- the tests ------------------------------------------------------------------- */

static void run_matches_typed(call_fn *const *calls, size_t n)
{
    ck_assert(n > 0);
    for (size_t i = 0; i < n; i++) {
        outcome o = calls[i]();
        ck_assert_msg(o.same, "%s: value %.17g, want %.17g (if equal, a tangent or node differs)",
                      o.call, o.got, o.want);
    }
}

static void run_evaluates_once(call_fn *const *calls, size_t n)
{
    ck_assert(n > 0);
    for (size_t i = 0; i < n; i++) {
        outcome o = calls[i]();
        ck_assert_msg(o.reads[0] == 1 && o.reads[1] == 1 && o.reads[2] == 1,
                      "%s evaluated its arguments %d, %d and %d times", o.call, o.reads[0],
                      o.reads[1], o.reads[2]);
    }
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* test_<op>_matches_typed and test_<op>_evaluates_once over the table calls_<op>. */
#define DEFINE_TESTS(op)                                                       \
    START_TEST(test_##op##_matches_typed) { run_matches_typed(calls_##op, COUNT(calls_##op)); } \
    END_TEST                                                                   \
    START_TEST(test_##op##_evaluates_once) { run_evaluates_once(calls_##op, COUNT(calls_##op)); } \
    END_TEST

#define DEFINE_UNARY(op, cls)                                                  \
    NUMBERS_A(DEFINE_UNARY_CALL, op, cls)                                      \
    AD_TYPES(DEFINE_UNARY_CALL, op, cls)                                       \
    static call_fn *const calls_##op[] = {NUMBERS_A(UNARY_CALL_NAME, op, cls)  \
                                              AD_TYPES(UNARY_CALL_NAME, op, cls)}; \
    DEFINE_TESTS(op)
UNARY_OPS(DEFINE_UNARY)

#define DEFINE_BINARY(op, cls)                                                 \
    ALL_PAIRS(DEFINE_BINARY_CALL, op, cls)                                     \
    static call_fn *const calls_##op[] = {ALL_PAIRS(BINARY_CALL_NAME, op, cls)}; \
    DEFINE_TESTS(op)
BINARY_OPS(DEFINE_BINARY)

ALL_TRIPLES(DEFINE_FMA_CALL, _)
static call_fn *const calls_fma[] = {ALL_TRIPLES(FMA_CALL_NAME, _)};
DEFINE_TESTS(fma)

CONST_TYPES(CONST_CALLS, _)
static call_fn *const calls_const[] = {CONST_TYPES(CONST_CALL_NAMES, _)};
DEFINE_TESTS(const)

NUMBERS_A(DEFINE_TANGENT_CALL, _)
AD_TYPES(DEFINE_TANGENT_CALL, _)
static call_fn *const calls_tangent[] = {NUMBERS_A(TANGENT_CALL_NAME, _)
                                             AD_TYPES(TANGENT_CALL_NAME, _)};
DEFINE_TESTS(tangent)

#define DEFINE_ASSIGN(op, _)                                                   \
    ASSIGN_PAIRS(DEFINE_ASSIGN_CALL, op, _)                                    \
    static call_fn *const calls_##op[] = {ASSIGN_PAIRS(ASSIGN_CALL_NAME, op, _)}; \
    DEFINE_TESTS(op)
ASSIGN_OPS(DEFINE_ASSIGN)

#define DEFINE_ARRAY(op, _)                                                    \
    CONST_TYPES(DEFINE_ARRAY_CALL, op, _)                                      \
    static call_fn *const calls_##op[] = {CONST_TYPES(ARRAY_CALL_NAME, op, _)}; \
    DEFINE_TESTS(op)
ARRAY_OPS(DEFINE_ARRAY)

#define DEFINE_VARIADIC(op, array_op)                                          \
    CONST_TYPES(DEFINE_VARIADIC_CALL, op, array_op)                            \
    static call_fn *const calls_##op[] = {CONST_TYPES(VARIADIC_CALL_NAME, op, array_op)}; \
    DEFINE_TESTS(op)
VARIADIC_OPS(DEFINE_VARIADIC)

CONST_TYPES(DEFINE_UNIT_CALLS, _)
static call_fn *const calls_zero[] = {CONST_TYPES(ZERO_CALL_NAME, _)};
static call_fn *const calls_one[] = {CONST_TYPES(ONE_CALL_NAME, _)};
DEFINE_TESTS(zero)
DEFINE_TESTS(one)

NUMBERS_A(CONST_LIKE_CALLS, _)
AD_TYPES(CONST_LIKE_CALLS, _)
static call_fn *const calls_const_like[] = {NUMBERS_A(CONST_LIKE_CALL_NAMES, _)
                                                AD_TYPES(CONST_LIKE_CALL_NAMES, _)};
DEFINE_TESTS(const_like)

/* The other arithmetic types: one operation of each kind of selection
 * (one argument, first, second, fma's three, an lvalue's right side,
 * constants) with every differentiable type and double. */
NUMBERS_X(DEFINE_UNARY_CALL, sin, same)
NUMBER_X_PAIRS(DEFINE_BINARY_CALL, pow, same)
NUMBER_X_PAIRS(DEFINE_BINARY_CALL, lt, cmp)
#define NUMBER_X_FMA(ta, tb, _) DEFINE_FMA_CALL(ta, tb, ta, _)
#define NUMBER_X_FMA_NAME(ta, tb, _) FMA_CALL_NAME(ta, tb, ta, _)
NUMBER_X_PAIRS(NUMBER_X_FMA, _)
#define NUMBER_X_ASSIGN(t, _)                                                  \
    AD_TYPES(NUMBER_X_ASSIGN_, t) DEFINE_ASSIGN_CALL(double, t, add_to, _)
#define NUMBER_X_ASSIGN_(d, t) DEFINE_ASSIGN_CALL(d, t, mul_by, _)
#define NUMBER_X_ASSIGN_NAMES(t, _)                                            \
    AD_TYPES(NUMBER_X_ASSIGN_NAME_, t) ASSIGN_CALL_NAME(double, t, add_to, _)
#define NUMBER_X_ASSIGN_NAME_(d, t) ASSIGN_CALL_NAME(d, t, mul_by, _)
NUMBERS_X(NUMBER_X_ASSIGN, _)
#define NUMBER_X_CONST(t, _)                                                   \
    CONST_TYPES(NUMBER_X_CONST_, t) DEFINE_CONST_LIKE_CALL(double, t)
#define NUMBER_X_CONST_(d, t) DEFINE_CONST_CALL(t, d) DEFINE_CONST_LIKE_CALL(t, d)
#define NUMBER_X_CONST_NAMES(t, _)                                             \
    CONST_TYPES(NUMBER_X_CONST_NAME_, t) CONST_LIKE_CALL_NAME(double, t)
#define NUMBER_X_CONST_NAME_(d, t) CONST_CALL_NAME(t, d) CONST_LIKE_CALL_NAME(t, d)
NUMBERS_X(NUMBER_X_CONST, _)
static call_fn *const calls_numbers[] = {
    NUMBERS_X(UNARY_CALL_NAME, sin, same)
    NUMBER_X_PAIRS(BINARY_CALL_NAME, pow, same)
    NUMBER_X_PAIRS(BINARY_CALL_NAME, lt, cmp)
    NUMBER_X_PAIRS(NUMBER_X_FMA_NAME, _)
    NUMBERS_X(NUMBER_X_ASSIGN_NAMES, _)
    NUMBERS_X(NUMBER_X_CONST_NAMES, _)
};
DEFINE_TESTS(numbers)

/* The generators above left nothing out: n types, then every pairing with at
 * most one dual width, then every such mix of three. */
#define ONE(t, _) +1
enum { N_NUMBERS = 0 NUMBERS_A(ONE, _), N_AD = 0 AD_TYPES(ONE, _), N_X = 0 NUMBERS_X(ONE, _) };
_Static_assert(COUNT(calls_numbers) == N_X * (1 + 3 * 2 * (1 + N_AD) + N_AD + 1 + 2 * (1 + N_AD) + 1),
               "a pairing of the other arithmetic types is missing");
_Static_assert(COUNT(calls_sin) == N_NUMBERS + N_AD, "a type is missing");
_Static_assert(COUNT(calls_add) == N_AD * (1 + N_NUMBERS) + N_NUMBERS * (N_AD + N_NUMBERS),
               "a pairing is missing");
_Static_assert(COUNT(calls_fma) == N_AD * ((N_NUMBERS + 1) * (N_NUMBERS + 1) * (N_NUMBERS + 1)
                                              - N_NUMBERS * N_NUMBERS * N_NUMBERS)
                                       + N_NUMBERS * N_NUMBERS * N_NUMBERS,
               "a mix is missing");
_Static_assert(COUNT(calls_const) == (1 + N_AD) * N_NUMBERS, "a dj_const pairing is missing");
_Static_assert(COUNT(calls_add_to) == N_AD * (1 + N_NUMBERS) + N_NUMBERS, "an lvalue pairing is missing");
_Static_assert(COUNT(calls_const_like) == (N_NUMBERS + N_AD) * N_NUMBERS,
               "a dj_const_like pairing is missing");

#define ADD_TEST(op, property) tcase_add_test(tc, test_##op##_##property);
#define ADD_TESTS(property)                                                    \
    UNARY_OPS(ADD_##property)                                                  \
    BINARY_OPS(ADD_##property)                                                 \
    ASSIGN_OPS(ADD_##property)                                                 \
    ARRAY_OPS(ADD_##property)                                                  \
    VARIADIC_OPS(ADD_##property)                                               \
    ADD_TEST(fma, property)                                                    \
    ADD_TEST(const, property)                                                  \
    ADD_TEST(const_like, property)                                             \
    ADD_TEST(one, property)                                                    \
    ADD_TEST(zero, property)                                                   \
    ADD_TEST(tangent, property)                                                \
    ADD_TEST(numbers, property)
#define ADD_matches_typed(op, cls) ADD_TEST(op, matches_typed)
#define ADD_evaluates_once(op, cls) ADD_TEST(op, evaluates_once)

static Suite *generic_suite(void)
{
    Suite *s = suite_create("generic");
    TCase *tc = tcase_create("matches_typed");
    tcase_add_checked_fixture(tc, setup_inputs, teardown_inputs);
    ADD_TESTS(matches_typed)
    suite_add_tcase(s, tc);

    tc = tcase_create("evaluates_once");
    tcase_add_checked_fixture(tc, setup_inputs, teardown_inputs);
    ADD_TESTS(evaluates_once)
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tl_main(generic_suite); }
