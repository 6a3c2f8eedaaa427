/*
 * dualjac/generic.h: one name per operation for every scalar type.
 *
 * dj_add(a, b), dj_sin(a), ... accept double, the integer types and float, and
 * every differentiable type (dj_dual, dj_dual2, dj_dual4, dj_dual8, dj_dual16
 * and the graph variable dj_var), in any
 * pairing of a dual type with a plain number; the result has the dual type,
 * or is double when both are plain numbers. So one function body reads the
 * same for every type. Each macro selects a typed function with C11
 * _Generic and calls it once: each argument is evaluated exactly once.
 *
 * A wrong argument (a pointer, a struct), first or second, fails to compile
 * at the user's line with
 *   error: '_Generic' selector of type 'struct foo' is not compatible with any
 *   association
 * which names the offending type. Two different dual widths, dj_add(a8, b4),
 * fail with
 *   error: incompatible type for argument 1 of 'dj__operand_types_do_not_match'
 *   note: expected 'struct dj__no_such_type *' but argument is of type 'dj_dual8'
 * and the same for argument 2 and 'dj_dual4' (gcc; clang stops at the first).
 *
 * C++ has no _Generic: there the same names are overloads (generic_cxx.h).
 */
#ifndef DUALJAC_GENERIC_H
#define DUALJAC_GENERIC_H

#include "double.h"
#include "dual.h"
#include "graph.h"
#include "mdual.h"

#ifndef __cplusplus

/* Never defined: a call to it is the compile error for mixed dual widths. */
struct dj__no_such_type;
void dj__operand_types_do_not_match(struct dj__no_such_type *, struct dj__no_such_type *);

/* Plain numbers accepted wherever a double is. */
#define DJ__SCALARS(fn)                                                        \
    int: fn, unsigned: fn, long: fn, unsigned long: fn, long long: fn,         \
    unsigned long long: fn, float: fn, double: fn

/* Every differentiable type T, mapped to T##suffix (T_op, T_op_d) ... */
#define DJ__AD(prefix, suffix)                                                 \
    dj_dual: prefix##dj_dual##suffix, dj_dual2: prefix##dj_dual2##suffix,      \
    dj_dual4: prefix##dj_dual4##suffix, dj_dual8: prefix##dj_dual8##suffix,    \
    dj_dual16: prefix##dj_dual16##suffix, dj_var: prefix##dj_var##suffix

/* The second argument beside a first of type T: a plain number selects
 * T_op_d, another T selects T_op. Unselected branches of a _Generic must
 * still be valid, so anything else falls to dj__operand_types_do_not_match,
 * whose call then fails naming both argument types. */
#define DJ__AD_PAIR(T, op, b)                                                  \
    _Generic((b), DJ__SCALARS(T##_##op##_d),                                   \
             default: _Generic((b), T: T##_##op, default: dj__operand_types_do_not_match))

/* One-argument operation: selects dj_<type>_<op>. */
#define DJ__UNARY(op, a) _Generic((a), DJ__SCALARS(dj_double_##op), DJ__AD(, _##op))(a)

/* Two-argument operation: T op T, T op double, double op T, double op double. */
#define DJ__BINARY(op, a, b)                                                   \
    _Generic((a),                                                              \
        DJ__SCALARS(_Generic((b), DJ__SCALARS(dj_double_##op), DJ__AD(, _d_##op))), \
        dj_dual: DJ__AD_PAIR(dj_dual, op, b),                                  \
        dj_dual2: DJ__AD_PAIR(dj_dual2, op, b),                                \
        dj_dual4: DJ__AD_PAIR(dj_dual4, op, b),                                \
        dj_dual8: DJ__AD_PAIR(dj_dual8, op, b),                                \
        dj_dual16: DJ__AD_PAIR(dj_dual16, op, b),                              \
        dj_var: DJ__AD_PAIR(dj_var, op, b))((a), (b))

/* fma in two steps: bind (a, b) to their common type, then apply with c. */
#define DJ__FMA_BIND_PAIR(T, b)                                                \
    _Generic((b), DJ__SCALARS(T##_fma_bind_d_),                                \
             default: _Generic((b), T: T##_fma_bind_, default: dj__operand_types_do_not_match))
#define DJ__FMA_BIND(a, b)                                                     \
    _Generic((a),                                                              \
        DJ__SCALARS(_Generic((b), DJ__SCALARS(dj_double_fma_bind_), DJ__AD(, _d_fma_bind_))), \
        dj_dual: DJ__FMA_BIND_PAIR(dj_dual, b),                                \
        dj_dual2: DJ__FMA_BIND_PAIR(dj_dual2, b),                              \
        dj_dual4: DJ__FMA_BIND_PAIR(dj_dual4, b),                              \
        dj_dual8: DJ__FMA_BIND_PAIR(dj_dual8, b),                              \
        dj_dual16: DJ__FMA_BIND_PAIR(dj_dual16, b),                            \
        dj_var: DJ__FMA_BIND_PAIR(dj_var, b))((a), (b))
#define DJ__FMA_APPLY_PAIR(T, c)                                               \
    _Generic((c), DJ__SCALARS(T##_fma_apply_d_),                               \
             default: _Generic((c), T: T##_fma_apply_, default: dj__operand_types_do_not_match))
#define DJ__FMA_APPLY(p, c)                                                    \
    _Generic((p),                                                              \
        dj_double_fma_args_: _Generic((c), DJ__SCALARS(dj_double_fma_apply_), DJ__AD(, _d_fma_apply_)), \
        dj_dual_fma_args_: DJ__FMA_APPLY_PAIR(dj_dual, c),                     \
        dj_dual2_fma_args_: DJ__FMA_APPLY_PAIR(dj_dual2, c),                   \
        dj_dual4_fma_args_: DJ__FMA_APPLY_PAIR(dj_dual4, c),                   \
        dj_dual8_fma_args_: DJ__FMA_APPLY_PAIR(dj_dual8, c),                   \
        dj_dual16_fma_args_: DJ__FMA_APPLY_PAIR(dj_dual16, c),                 \
        dj_var_fma_args_: DJ__FMA_APPLY_PAIR(dj_var, c))((p), (c))

/* ---- the table ------------------------------------------------------------- */

#define dj_acos(a)          DJ__UNARY(acos, a)
#define dj_acosh(a)         DJ__UNARY(acosh, a)
#define dj_add(a, b)        DJ__BINARY(add, a, b)
#define dj_asin(a)          DJ__UNARY(asin, a)
#define dj_asinh(a)         DJ__UNARY(asinh, a)
#define dj_atan(a)          DJ__UNARY(atan, a)
#define dj_atan2(a, b)      DJ__BINARY(atan2, a, b)
#define dj_atanh(a)         DJ__UNARY(atanh, a)
#define dj_cbrt(a)          DJ__UNARY(cbrt, a)
#define dj_ceil(a)          DJ__UNARY(ceil, a)
/* dj_const(T, c): the number c as a T with zero tangents. */
#define dj_const(T, c)      _Generic((T){0}, double: dj_double_const, DJ__AD(, _const))(c)
#define dj_copysign(a, b)   DJ__BINARY(copysign, a, b)
#define dj_cos(a)           DJ__UNARY(cos, a)
#define dj_cosh(a)          DJ__UNARY(cosh, a)
#define dj_div(a, b)        DJ__BINARY(div, a, b)
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
#define dj_ne(a, b)         DJ__BINARY(ne, a, b)
#define dj_neg(a)           DJ__UNARY(neg, a)
#define dj_pow(a, b)        DJ__BINARY(pow, a, b)
#define dj_round(a)         DJ__UNARY(round, a)
#define dj_sin(a)           DJ__UNARY(sin, a)
#define dj_sinh(a)          DJ__UNARY(sinh, a)
#define dj_sqrt(a)          DJ__UNARY(sqrt, a)
#define dj_sub(a, b)        DJ__BINARY(sub, a, b)
#define dj_tan(a)           DJ__UNARY(tan, a)
#define dj_tangent(a, i)    _Generic((a), DJ__SCALARS(dj_double_tangent), DJ__AD(, _tangent))((a), (i))
#define dj_tanh(a)          DJ__UNARY(tanh, a)
#define dj_tgamma(a)        DJ__UNARY(tgamma, a)
#define dj_trunc(a)         DJ__UNARY(trunc, a)
#define dj_value(a)         DJ__UNARY(value, a)

#else /* __cplusplus */
#include "generic_cxx.h"
#endif

#endif /* DUALJAC_GENERIC_H */
