/*
 * dualjac/generic_cxx.h: the generic names for C++, as overloads.
 *
 * C++ has no _Generic, so generic.h includes this instead: dj_add, dj_sin,
 * ... are inline overloads for double and every differentiable type, in
 * every pairing with double (integer arguments convert), and dj_const(T, c)
 * selects by type. A body written once with them compiles in C and C++ alike,
 * DJ_FN_INSTANTIATE included. Two different dual widths in one call find no
 * overload: "no matching function for call to 'dj_add(dj_dual8&, dj_dual4&)'".
 */
#ifndef DUALJAC_GENERIC_CXX_H
#define DUALJAC_GENERIC_CXX_H

#ifdef __cplusplus

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

/* dj_const(T, c): the number c as a T with zero tangents. */
#define dj_const(T, c) dj__const(static_cast<T *>(nullptr), (c))

#undef DJ__CXX_UNARY_T
#undef DJ__CXX_UNARY
#undef DJ__CXX_BINARY_T
#undef DJ__CXX_BINARY
#undef DJ__CXX_COMPARE_T
#undef DJ__CXX_COMPARE
#undef DJ__CXX_FMA_T
#undef DJ__CXX_ACCESS_T

#endif /* __cplusplus */

#endif /* DUALJAC_GENERIC_CXX_H */
