/*
 * dualjac/generic.h: one name per operation for every scalar type.
 *
 * dj_add(a, b), dj_sin(a), ... accept every arithmetic type (the integer
 * types, _Bool, float, double, long double: they convert to double) and
 * every differentiable type (dj_dual, dj_dual2, dj_dual4, dj_dual8,
 * dj_dual16 and the graph variable dj_var), in any pairing of a
 * differentiable type with a plain number; the result has the
 * differentiable type, or is double when both are plain numbers. So one
 * function body reads the same for every type. Each macro selects a typed
 * function with C11 _Generic and calls it once: each argument is evaluated
 * exactly once.
 *
 * Beside the operations of <math.h>: dj_const(T, c), dj_zero(T), dj_one(T)
 * and dj_const_like(a, c) make constants; dj_add_to(s, b), dj_sub_from,
 * dj_mul_by and dj_div_by are +=, -=, *= and /= on an lvalue s; dj_sum(a, b,
 * ...) and dj_prod(...) (gcc and clang) and dj_sum_n(x, n), dj_prod_n(x, n)
 * over an array reduce left to right.
 *
 * A wrong argument (a pointer, a struct) fails to compile at the user's
 * line, naming its type: for a one-argument operation or a second argument
 *   error: '_Generic' selector of type 'struct foo' is not compatible with any
 *   association
 * and for a first argument the typed function's "incompatible type for
 * argument 1". Two different differentiable types, dj_add(a8, b4), fail
 * with
 *   error: incompatible type for argument 1 of
 *          'dj_operands_of_two_dual_types__declare_both_as_T'
 *   note: expected 'struct dj_operands_of_two_dual_types__declare_both_as_T *'
 *         but argument is of type 'dj_dual8'
 * and the same for argument 2 and 'dj_dual4' (gcc; clang stops at the first
 * and says "passing 'dj_dual8' to parameter of incompatible type 'struct
 * dj_operands_of_two_dual_types__declare_both_as_T *'").
 *
 * C++ has no _Generic: there the same names are overloads, and the
 * operators +, -, *, / and their compound assignments work too
 * (generic_cxx.h).
 */
#ifndef DUALJAC_GENERIC_H
#define DUALJAC_GENERIC_H

#include "double.h"
#include "dual.h"
#include "graph.h"
#include "mdual.h"

#ifndef __cplusplus

#include "probe.h"

/* Never defined: a call to it is the compile error for operands of two
 * different differentiable types (dj_dual8 and dj_dual4, dj_var and a dual),
 * and its name, which gcc prints, and its parameters' type, which clang
 * prints, say what to do. */
struct dj_operands_of_two_dual_types__declare_both_as_T;
void dj_operands_of_two_dual_types__declare_both_as_T(
    struct dj_operands_of_two_dual_types__declare_both_as_T *,
    struct dj_operands_of_two_dual_types__declare_both_as_T *);
#define DJ__MISMATCH dj_operands_of_two_dual_types__declare_both_as_T

/* Plain numbers: every arithmetic type but the complex ones converts to
 * double. */
#define DJ__SCALARS(fn)                                                        \
    _Bool: fn, char: fn, signed char: fn, unsigned char: fn, short: fn,        \
    unsigned short: fn, int: fn, unsigned: fn, long: fn, unsigned long: fn,    \
    long long: fn, unsigned long long: fn, float: fn, double: fn,              \
    long double: fn

/* Every differentiable type T, mapped to prefix##T##suffix (T_op, T_d_op).
 * The last is the type a body is compiled for first (probe.h). */
#define DJ__AD(prefix, suffix)                                                 \
    dj_dual: prefix##dj_dual##suffix, dj_dual2: prefix##dj_dual2##suffix,      \
    dj_dual4: prefix##dj_dual4##suffix, dj_dual8: prefix##dj_dual8##suffix,    \
    dj_dual16: prefix##dj_dual16##suffix, dj_var: prefix##dj_var##suffix,      \
    dj_declare_as_T_not_double: prefix##dj_declare_as_T_not_double##suffix

/* M(T, a, b) for every differentiable type; each M begins with a comma. */
#define DJ__EACH_AD(M, a, b)                                                   \
    M(dj_dual, a, b) M(dj_dual2, a, b) M(dj_dual4, a, b) M(dj_dual8, a, b)     \
    M(dj_dual16, a, b) M(dj_var, a, b) M(dj_declare_as_T_not_double, a, b)

/* The second argument beside a first of type T: a plain number selects
 * T_op_d, another T selects T_op. Unselected branches of a _Generic must
 * still be valid, so anything else falls to DJ__MISMATCH, whose call then
 * fails naming both argument types. */
#define DJ__AD_PAIR(T, op, b)                                                  \
    _Generic((b), DJ__SCALARS(T##_##op##_d),                                   \
             default: _Generic((b), T: T##_##op, default: DJ__MISMATCH))
#define DJ__AD_FIRST(T, op, b) , T: DJ__AD_PAIR(T, op, b)

/* One-argument operation: selects dj_<type>_<op>. */
#define DJ__UNARY(op, a) _Generic((a), DJ__SCALARS(dj_double_##op), DJ__AD(, _##op))(a)

/* Two-argument operation: T op T, T op double, double op T, double op double.
 * A first argument of no differentiable type takes the default branch, which
 * selects on the second alone; the call then converts it to double or, for a
 * pointer or a struct, fails naming its type. Listing the plain types there
 * instead would repeat the second argument's text once per plain type, and
 * nested calls multiply that. */
#define DJ__BINARY(op, a, b)                                                   \
    _Generic((a),                                                              \
        default: _Generic((b), DJ__SCALARS(dj_double_##op), DJ__AD(, _d_##op))  \
        DJ__EACH_AD(DJ__AD_FIRST, op, b))((a), (b))

/* fma in two steps: bind (a, b) to their common type, then apply with c. */
#define DJ__FMA_BIND_PAIR(T, unused, b)                                        \
    , T: _Generic((b), DJ__SCALARS(T##_fma_bind_d_),                           \
             default: _Generic((b), T: T##_fma_bind_, default: DJ__MISMATCH))
#define DJ__FMA_BIND(a, b)                                                     \
    _Generic((a),                                                              \
        default: _Generic((b), DJ__SCALARS(dj_double_fma_bind_), DJ__AD(, _d_fma_bind_)) \
        DJ__EACH_AD(DJ__FMA_BIND_PAIR, _, b))((a), (b))
#define DJ__FMA_APPLY_PAIR(T, unused, c)                                       \
    , T##_fma_args_: _Generic((c), DJ__SCALARS(T##_fma_apply_d_),              \
             default: _Generic((c), T: T##_fma_apply_, default: DJ__MISMATCH))
#define DJ__FMA_APPLY(p, c)                                                    \
    _Generic((p),                                                              \
        dj_double_fma_args_: _Generic((c), DJ__SCALARS(dj_double_fma_apply_), DJ__AD(, _d_fma_apply_)) \
        DJ__EACH_AD(DJ__FMA_APPLY_PAIR, _, c))((p), (c))

/* s op= b through T_op(T *s, T b) or T_op_d(T *s, double b): s is an
 * lvalue, evaluated once. */
#define DJ__ASSIGN_PAIR(T, op, b) , T *: DJ__AD_PAIR(T, op, b)
#define DJ__ASSIGN(op, s, b)                                                   \
    _Generic(&(s), double *: _Generic((b), DJ__SCALARS(dj_double_##op), default: DJ__MISMATCH) \
             DJ__EACH_AD(DJ__ASSIGN_PAIR, op, b))(&(s), (b))

/* A reduction over an array of T (const or not). */
#define DJ__ARRAY_ONE(T, op, unused) , T *: T##_##op, const T *: T##_##op
#define DJ__ARRAY(op, x, n)                                                    \
    _Generic((x), double *: dj_double_##op, const double *: dj_double_##op    \
             DJ__EACH_AD(DJ__ARRAY_ONE, op, _))((x), (n))

/* The terms of dj_sum and dj_prod as an array of the first one's type, so
 * that they are named once each (a fold of nested dj_add would repeat them).
 * __typeof__ is what gcc and clang (and C23, as typeof) have for it. */
#if defined(__GNUC__) || defined(__clang__)
#define DJ__TERMS(a, ...) ((const __typeof__(a)[]){(a), __VA_ARGS__})
#define DJ__REDUCE(op, a, ...)                                                 \
    _Generic((a), DJ__SCALARS(dj_double_##op), DJ__AD(, _##op))(              \
        DJ__TERMS(a, __VA_ARGS__), sizeof DJ__TERMS(a, __VA_ARGS__) / sizeof(a))
#endif

/* ---- the table ------------------------------------------------------------- */

#define dj_acos(a)          DJ__UNARY(acos, a)
#define dj_acosh(a)         DJ__UNARY(acosh, a)
#define dj_add(a, b)        DJ__BINARY(add, a, b)
/* dj_add_to(s, b): s = s + b for an lvalue s, the += of a body. */
#define dj_add_to(s, b)     DJ__ASSIGN(add_to, s, b)
#define dj_asin(a)          DJ__UNARY(asin, a)
#define dj_asinh(a)         DJ__UNARY(asinh, a)
#define dj_atan(a)          DJ__UNARY(atan, a)
#define dj_atan2(a, b)      DJ__BINARY(atan2, a, b)
#define dj_atanh(a)         DJ__UNARY(atanh, a)
#define dj_cbrt(a)          DJ__UNARY(cbrt, a)
#define dj_ceil(a)          DJ__UNARY(ceil, a)
/* dj_const(T, c): the number c as a T with zero tangents. */
#define dj_const(T, c)      _Generic((T){0}, double: dj_double_const, DJ__AD(, _const))(c)
/* dj_const_like(a, c): c as a constant of a's type (a is not evaluated), for
 * helper macros that cannot name T. */
#define dj_const_like(a, c) _Generic((a), DJ__SCALARS(dj_double_const), DJ__AD(, _const))(c)
#define dj_copysign(a, b)   DJ__BINARY(copysign, a, b)
#define dj_cos(a)           DJ__UNARY(cos, a)
#define dj_cosh(a)          DJ__UNARY(cosh, a)
#define dj_div(a, b)        DJ__BINARY(div, a, b)
/* dj_div_by(s, b): s = s / b. */
#define dj_div_by(s, b)     DJ__ASSIGN(div_by, s, b)
#define dj_eq(a, b)         DJ__BINARY(eq, a, b)
#define dj_erf(a)           DJ__UNARY(erf, a)
#define dj_erfc(a)          DJ__UNARY(erfc, a)
#define dj_exp(a)           DJ__UNARY(exp, a)
#define dj_exp2(a)          DJ__UNARY(exp2, a)
#define dj_expm1(a)         DJ__UNARY(expm1, a)
#define dj_fabs(a)          DJ__UNARY(fabs, a)
#define dj_floor(a)         DJ__UNARY(floor, a)
#define dj_fma(a, b, c)     DJ__FMA_APPLY(DJ__FMA_BIND(a, b), c)
#define dj_fmax(a, b)       DJ__BINARY(fmax, a, b)
#define dj_fmin(a, b)       DJ__BINARY(fmin, a, b)
#define dj_fmod(a, b)       DJ__BINARY(fmod, a, b)
#define dj_ge(a, b)         DJ__BINARY(ge, a, b)
#define dj_gt(a, b)         DJ__BINARY(gt, a, b)
#define dj_hypot(a, b)      DJ__BINARY(hypot, a, b)
#define dj_le(a, b)         DJ__BINARY(le, a, b)
#define dj_lgamma(a)        DJ__UNARY(lgamma, a)
#define dj_log(a)           DJ__UNARY(log, a)
#define dj_log10(a)         DJ__UNARY(log10, a)
#define dj_log1p(a)         DJ__UNARY(log1p, a)
#define dj_log2(a)          DJ__UNARY(log2, a)
#define dj_lt(a, b)         DJ__BINARY(lt, a, b)
#define dj_mul(a, b)        DJ__BINARY(mul, a, b)
/* dj_mul_by(s, b): s = s·b. */
#define dj_mul_by(s, b)     DJ__ASSIGN(mul_by, s, b)
#define dj_ne(a, b)         DJ__BINARY(ne, a, b)
#define dj_neg(a)           DJ__UNARY(neg, a)
/* dj_one(T): 1 as a T with zero tangents. */
#define dj_one(T)           dj_const(T, 1.0)
#define dj_pow(a, b)        DJ__BINARY(pow, a, b)
#if defined(__GNUC__) || defined(__clang__)
/* dj_prod(a, b, ...): a·b·..., left to right; every term has a's type. */
#define dj_prod(...)        DJ__REDUCE(prod_n, __VA_ARGS__)
#endif
/* dj_prod_n(x, n): x[0]·...·x[n-1] for an array of T (1 when n = 0). */
#define dj_prod_n(x, n)     DJ__ARRAY(prod_n, x, n)
#define dj_round(a)         DJ__UNARY(round, a)
#define dj_sin(a)           DJ__UNARY(sin, a)
#define dj_sinh(a)          DJ__UNARY(sinh, a)
#define dj_sqrt(a)          DJ__UNARY(sqrt, a)
#define dj_sub(a, b)        DJ__BINARY(sub, a, b)
/* dj_sub_from(s, b): s = s - b. */
#define dj_sub_from(s, b)   DJ__ASSIGN(sub_from, s, b)
#if defined(__GNUC__) || defined(__clang__)
/* dj_sum(a, b, ...): a + b + ..., left to right; every term has a's type. */
#define dj_sum(...)         DJ__REDUCE(sum_n, __VA_ARGS__)
#endif
/* dj_sum_n(x, n): x[0] + ... + x[n-1] for an array of T (0 when n = 0). */
#define dj_sum_n(x, n)      DJ__ARRAY(sum_n, x, n)
#define dj_tan(a)           DJ__UNARY(tan, a)
#define dj_tangent(a, i)    _Generic((a), DJ__SCALARS(dj_double_tangent), DJ__AD(, _tangent))((a), (i))
#define dj_tanh(a)          DJ__UNARY(tanh, a)
#define dj_tgamma(a)        DJ__UNARY(tgamma, a)
#define dj_trunc(a)         DJ__UNARY(trunc, a)
#define dj_value(a)         DJ__UNARY(value, a)
/* dj_zero(T): 0 as a T with zero tangents. */
#define dj_zero(T)          dj_const(T, 0.0)

#else /* __cplusplus */
#include "generic_cxx.h"
#endif

#endif /* DUALJAC_GENERIC_H */
