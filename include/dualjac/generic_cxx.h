/*
 * dualjac/generic_cxx.h: the generic names for C++, as overloads.
 *
 * C++ has no _Generic, so generic.h includes this instead: dj_add, dj_sin,
 * ... are inline overloads for double and every differentiable type, in
 * every pairing with double (integer arguments convert), and dj_const(T, c)
 * selects by type. A body written once with them compiles in C and C++ alike,
 * DJ_FN_INSTANTIATE and templates (instantiate.h) included. Two different
 * dual widths in one call find no overload: "no matching function for call
 * to 'dj_add(dj_dual8&, dj_dual4&)'".
 *
 * C++ code may also use the operators: +, -, *, / (unary and binary, with a
 * double on either side), +=, -=, *=, /=, and the comparisons, which
 * compare values and are recorded on the graph like dj_lt. A body that uses
 * them no longer compiles as C.
 */
#ifndef DUALJAC_GENERIC_CXX_H
#define DUALJAC_GENERIC_CXX_H

#ifdef __cplusplus

#include <type_traits>

/* X(T) for every differentiable type. */
#define DJ__CXX_TYPES(X, op) X(dj_dual, op) X(dj_dual2, op) X(dj_dual4, op) X(dj_dual8, op) \
    X(dj_dual16, op) X(dj_var, op)

#define DJ__CXX_UNARY_T(T, op)                                                 \
    inline T dj_##op(T a) { return T##_##op(a); }
#define DJ__CXX_UNARY(op)                                                      \
    inline double dj_##op(double a) { return dj_double_##op(a); }              \
    DJ__CXX_TYPES(DJ__CXX_UNARY_T, op)

#define DJ__CXX_BINARY_T(T, op)                                                \
    inline T dj_##op(T a, T b) { return T##_##op(a, b); }                      \
    inline T dj_##op(T a, double b) { return T##_##op##_d(a, b); }             \
    inline T dj_##op(double a, T b) { return T##_d_##op(a, b); }
#define DJ__CXX_BINARY(op)                                                     \
    inline double dj_##op(double a, double b) { return dj_double_##op(a, b); } \
    DJ__CXX_TYPES(DJ__CXX_BINARY_T, op)

#define DJ__CXX_COMPARE_T(T, op)                                               \
    inline int dj_##op(T a, T b) { return T##_##op(a, b); }                    \
    inline int dj_##op(T a, double b) { return T##_##op##_d(a, b); }           \
    inline int dj_##op(double a, T b) { return T##_d_##op(a, b); }
#define DJ__CXX_COMPARE(op)                                                    \
    inline int dj_##op(double a, double b) { return dj_double_##op(a, b); }    \
    DJ__CXX_TYPES(DJ__CXX_COMPARE_T, op)

/* fma: each argument a T or a plain number; plain ones become constants. */
#define DJ__CXX_FMA_T(T, unused)                                               \
    inline T dj_fma(T a, T b, T c) { return T##_fma(a, b, c); }                \
    inline T dj_fma(T a, T b, double c) { return T##_fma(a, b, T##_const(c)); } \
    inline T dj_fma(T a, double b, T c) { return T##_fma(a, T##_const(b), c); } \
    inline T dj_fma(double a, T b, T c) { return T##_fma(T##_const(a), b, c); } \
    inline T dj_fma(T a, double b, double c)                                   \
    {                                                                          \
        return T##_fma(a, T##_const(b), T##_const(c));                         \
    }                                                                          \
    inline T dj_fma(double a, T b, double c)                                   \
    {                                                                          \
        return T##_fma(T##_const(a), b, T##_const(c));                         \
    }                                                                          \
    inline T dj_fma(double a, double b, T c)                                   \
    {                                                                          \
        return T##_fma(T##_const(a), T##_const(b), c);                         \
    }

#define DJ__CXX_ACCESS_T(T, unused)                                            \
    inline double dj_value(T a) { return T##_value(a); }                       \
    inline double dj_tangent(T a, int i) { return T##_tangent(a, i); }         \
    inline T dj__const(T *, double c) { return T##_const(c); }

DJ__CXX_UNARY(acos)
DJ__CXX_UNARY(acosh)
DJ__CXX_UNARY(asin)
DJ__CXX_UNARY(asinh)
DJ__CXX_UNARY(atan)
DJ__CXX_UNARY(atanh)
DJ__CXX_UNARY(cbrt)
DJ__CXX_UNARY(ceil)
DJ__CXX_UNARY(cos)
DJ__CXX_UNARY(cosh)
DJ__CXX_UNARY(erf)
DJ__CXX_UNARY(erfc)
DJ__CXX_UNARY(exp)
DJ__CXX_UNARY(exp2)
DJ__CXX_UNARY(expm1)
DJ__CXX_UNARY(fabs)
DJ__CXX_UNARY(floor)
DJ__CXX_UNARY(lgamma)
DJ__CXX_UNARY(log)
DJ__CXX_UNARY(log10)
DJ__CXX_UNARY(log1p)
DJ__CXX_UNARY(log2)
DJ__CXX_UNARY(neg)
DJ__CXX_UNARY(round)
DJ__CXX_UNARY(sin)
DJ__CXX_UNARY(sinh)
DJ__CXX_UNARY(sqrt)
DJ__CXX_UNARY(tan)
DJ__CXX_UNARY(tanh)
DJ__CXX_UNARY(tgamma)
DJ__CXX_UNARY(trunc)

DJ__CXX_BINARY(add)
DJ__CXX_BINARY(atan2)
DJ__CXX_BINARY(copysign)
DJ__CXX_BINARY(div)
DJ__CXX_BINARY(fmax)
DJ__CXX_BINARY(fmin)
DJ__CXX_BINARY(fmod)
DJ__CXX_BINARY(hypot)
DJ__CXX_BINARY(mul)
DJ__CXX_BINARY(pow)
DJ__CXX_BINARY(sub)

DJ__CXX_COMPARE(eq)
DJ__CXX_COMPARE(ge)
DJ__CXX_COMPARE(gt)
DJ__CXX_COMPARE(le)
DJ__CXX_COMPARE(lt)
DJ__CXX_COMPARE(ne)

inline double dj_fma(double a, double b, double c) { return dj_double_fma(a, b, c); }
DJ__CXX_TYPES(DJ__CXX_FMA_T, )

inline double dj_value(double a) { return a; }
inline double dj_tangent(double a, int i) { return dj_double_tangent(a, i); }
inline double dj__const(double *, double c) { return c; }
DJ__CXX_TYPES(DJ__CXX_ACCESS_T, )

/* Operators and compound assignments, so that a C++ body may also write
 * a * b + 1 where C writes dj_add(dj_mul(a, b), 1). They call the same
 * typed functions; comparisons compare values and, on dj_var, are recorded
 * like dj_lt. */
#define DJ__CXX_OPERATORS_T(T, unused)                                         \
    inline T operator+(T a) { return a; }                                      \
    inline T operator-(T a) { return T##_neg(a); }                             \
    DJ__CXX_ARITH_OP(T, +, add, add_to)                                        \
    DJ__CXX_ARITH_OP(T, -, sub, sub_from)                                      \
    DJ__CXX_ARITH_OP(T, *, mul, mul_by)                                        \
    DJ__CXX_ARITH_OP(T, /, div, div_by)                                        \
    DJ__CXX_COMPARE_OP(T, <, lt)                                               \
    DJ__CXX_COMPARE_OP(T, <=, le)                                              \
    DJ__CXX_COMPARE_OP(T, >, gt)                                               \
    DJ__CXX_COMPARE_OP(T, >=, ge)                                              \
    DJ__CXX_COMPARE_OP(T, ==, eq)                                              \
    DJ__CXX_COMPARE_OP(T, !=, ne)
#define DJ__CXX_ARITH_OP(T, sym, op, assign)                                   \
    inline T operator sym(T a, T b) { return T##_##op(a, b); }                 \
    inline T operator sym(T a, double b) { return T##_##op##_d(a, b); }        \
    inline T operator sym(double a, T b) { return T##_d_##op(a, b); }          \
    inline T &operator sym##=(T &a, T b) { T##_##assign(&a, b); return a; }    \
    inline T &operator sym##=(T &a, double b) { T##_##assign##_d(&a, b); return a; } \
    inline void dj_##assign(T &s, T b) { T##_##assign(&s, b); }                \
    inline void dj_##assign(T &s, double b) { T##_##assign##_d(&s, b); }
#define DJ__CXX_COMPARE_OP(T, sym, op)                                         \
    inline bool operator sym(T a, T b) { return T##_##op(a, b) != 0; }         \
    inline bool operator sym(T a, double b) { return T##_##op##_d(a, b) != 0; } \
    inline bool operator sym(double a, T b) { return T##_d_##op(a, b) != 0; }
DJ__CXX_TYPES(DJ__CXX_OPERATORS_T, )

inline void dj_add_to(double &s, double b) { s += b; }
inline void dj_sub_from(double &s, double b) { s -= b; }
inline void dj_mul_by(double &s, double b) { s *= b; }
inline void dj_div_by(double &s, double b) { s /= b; }

/* Reductions over an array, and over the arguments (all of one type). */
#define DJ__CXX_REDUCE_T(T, unused)                                            \
    inline T dj_sum_n(const T *x, size_t n) { return T##_sum_n(x, n); }        \
    inline T dj_prod_n(const T *x, size_t n) { return T##_prod_n(x, n); }
inline double dj_sum_n(const double *x, size_t n) { return dj_double_sum_n(x, n); }
inline double dj_prod_n(const double *x, size_t n) { return dj_double_prod_n(x, n); }
DJ__CXX_TYPES(DJ__CXX_REDUCE_T, )
template <class S> inline S dj_sum(S a) { return a; }
template <class S, class... R> inline S dj_sum(S a, S b, R... rest)
{
    return dj_sum(dj_add(a, b), rest...);
}
template <class S> inline S dj_prod(S a) { return a; }
template <class S, class... R> inline S dj_prod(S a, S b, R... rest)
{
    return dj_prod(dj_mul(a, b), rest...);
}

/* dj_const(T, c): the number c as a T with zero tangents. */
#define dj_const(T, c) dj__const(static_cast<T *>(nullptr), (c))
#define dj_zero(T) dj_const(T, 0.0)
#define dj_one(T) dj_const(T, 1.0)
/* dj_const_like(a, c): c as a constant of a's type; a is not evaluated. */
#define dj_const_like(a, c)                                                    \
    dj__const(static_cast<typename std::decay<decltype(a)>::type *>(nullptr), (c))

#undef DJ__CXX_UNARY_T
#undef DJ__CXX_UNARY
#undef DJ__CXX_BINARY_T
#undef DJ__CXX_BINARY
#undef DJ__CXX_COMPARE_T
#undef DJ__CXX_COMPARE
#undef DJ__CXX_FMA_T
#undef DJ__CXX_ACCESS_T
#undef DJ__CXX_OPERATORS_T
#undef DJ__CXX_ARITH_OP
#undef DJ__CXX_COMPARE_OP
#undef DJ__CXX_REDUCE_T

#endif /* __cplusplus */

#endif /* DUALJAC_GENERIC_CXX_H */
