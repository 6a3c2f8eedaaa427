/*
 * dualjac/fn.h: a function written once, instantiated for every scalar type.
 *
 * The user writes the body of f : R^n -> R^m once, as a macro over the scalar
 * type, using the generic operations of generic.h:
 *
 *     #define POLAR(T, y, x, n, m, ctx)                         \
 *         y[0] = dj_mul(x[0], dj_cos(x[1]));                    \
 *         y[1] = dj_mul(x[0], dj_sin(x[1]));
 *
 *     DJ_FN_DEFINE(polar, 2, 2, POLAR);
 *
 * DJ_FN_DEFINE expands the body once per type (double, dj_dual, dj_dual2, ...,
 * dj_dual16, and dj_var for reverse mode) and defines `const dj_fn polar`, the
 * one value every driver takes.
 * In the body, y and x are arrays of T (y has m elements, x has n), n and m
 * are size_t, ctx is the dj_fn's user pointer. The body must write every y[i]
 * and must not keep pointers into x or y. y and x are restrict pointers: an
 * instantiation called directly must get arrays that do not overlap (the
 * drivers and dj_eval see to it).
 *
 * For sizes known only at run time, instantiate and initialise separately:
 *
 *     DJ_FN_INSTANTIATE(brown, BROWN);
 *     ...
 *     dj_fn f = DJ_FN_INIT(brown, n, n, &params);
 *
 * A dj_fn is a plain value: copy it and change n, m or ctx freely.
 */
#ifndef DUALJAC_FN_H
#define DUALJAC_FN_H

#include <stddef.h>

#include "common.h"
#include "dual.h"
#include "graph.h"
#include "mdual.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The layout of dj_fn; a loader (jacdump --lib) refuses another. */
#define DJ_FN_ABI 1u

/* One instantiation: y = f(x) on arrays of T. */
#define DJ__EVAL_TYPEDEF(T)                                                    \
    typedef void T##_eval_fn(T *DJ_RESTRICT y, const T *DJ_RESTRICT x, size_t n, size_t m, \
                             const void *ctx);
typedef void dj_double_eval_fn(double *DJ_RESTRICT y, const double *DJ_RESTRICT x, size_t n,
                               size_t m, const void *ctx);
DJ__EVAL_TYPEDEF(dj_dual)
DJ__EVAL_TYPEDEF(dj_dual2)
DJ__EVAL_TYPEDEF(dj_dual4)
DJ__EVAL_TYPEDEF(dj_dual8)
DJ__EVAL_TYPEDEF(dj_dual16)
DJ__EVAL_TYPEDEF(dj_var)
#undef DJ__EVAL_TYPEDEF

/* A function f : R^n -> R^m with its instantiations. A null instantiation
 * means that type is not available; drivers that need it return DJ_ENOTSUP. */
typedef struct dj_fn {
    unsigned abi;          /* DJ_FN_ABI */
    const char *name;      /* for messages */
    size_t n;              /* number of inputs */
    size_t m;              /* number of outputs */
    const void *ctx;       /* passed to every instantiation */
    dj_double_eval_fn *eval_double;
    dj_dual_eval_fn *eval_dual;
    dj_dual2_eval_fn *eval_dual2;
    dj_dual4_eval_fn *eval_dual4;
    dj_dual8_eval_fn *eval_dual8;
    dj_dual16_eval_fn *eval_dual16;
    dj_var_eval_fn *eval_var; /* records on the graph of its inputs */
} dj_fn;

/* With gcc on x86-64 glibc the dual instantiations are built twice, once
 * for any CPU and once for AVX, and the loader picks one when the program
 * starts (target_clones). Both builds also use the vectorizer's dynamic
 * cost model, which plain -O2 does not: it vectorizes a loop across
 * elements where -O2's cheapest model gives up because the length is not
 * known. AVX does a multi-dual's 4-double tangent vector in one
 * instruction instead of two. Every build gives the same bits: AVX brings
 * no fused multiply-add, and the vectorizer does not reorder sums
 * (check_clones compares them with a plain build). gcc calls its optimize
 * attribute a debugging aid; here it names that one cost-model option and
 * nothing else. Define DJ_NO_CLONES before including dualjac.h for one
 * build with the compiler's own settings. Left out: clang, whose version 14 makes a
 * clone's resolver a global symbol even for a static function, so two
 * files instantiating the same name would clash; and the double and
 * dj_var instantiations, which are the plain evaluation and the graph
 * recording. */
#if defined(__GNUC__) && !defined(__clang__) && !defined(__INTEL_COMPILER) &&            \
    __GNUC__ >= 8 && defined(__x86_64__) && defined(__ELF__) && defined(__GLIBC__) &&    \
    !defined(__AVX__) && !defined(DJ_NO_CLONES)
#define DJ__TUNED                                                              \
    __attribute__((target_clones("avx", "default"), optimize("-fvect-cost-model=dynamic")))
#else
#define DJ__TUNED
#endif
#define DJ__TUNING_double
#define DJ__TUNING_dj_dual DJ__TUNED
#define DJ__TUNING_dj_dual2 DJ__TUNED
#define DJ__TUNING_dj_dual4 DJ__TUNED
#define DJ__TUNING_dj_dual8 DJ__TUNED
#define DJ__TUNING_dj_dual16 DJ__TUNED
#define DJ__TUNING_dj_var
#define DJ__TUNING_dj_declare_as_T_not_double

#if defined(__GNUC__) || defined(__clang__)
#define DJ__MAYBE_UNUSED __attribute__((unused))
#define DJ__BODY_INLINE inline __attribute__((always_inline))
#else
#define DJ__MAYBE_UNUSED
#define DJ__BODY_INLINE inline
#endif

#define DJ__CAT(a, b) a##b
#define DJ__XCAT(a, b) DJ__CAT(a, b)
#define DJ__CAT3(a, b, c) a##b##c
#define DJ__XCAT3(a, b, c) DJ__CAT3(a, b, c)

/* Declared by every instantiation and named by DJ_FN_INIT: forgetting to
 * instantiate makes the first error name what is missing. */
#define DJ__INSTANTIATED(name) name##__not_instantiated__use_DJ_FN_INSTANTIATE_or_DJ_FUNCTION

/* Defines the static function name##_dj_<T>, the body instantiated for T. */
#define DJ__FN_INSTANCE(name, T, BODY)                                         \
    DJ__TUNING_##T DJ__MAYBE_UNUSED static void name##_dj_##T(                 \
        T *DJ_RESTRICT y, const T *DJ_RESTRICT x, size_t n, size_t m,          \
        const void *ctx)                                                       \
    {                                                                          \
        (void)n;                                                               \
        (void)m;                                                               \
        (void)ctx;                                                             \
        BODY(T, y, x, n, m, ctx)                                               \
    }

/* In C the body is compiled first for the type whose name is the advice in
 * the first error of a body that stores a T in a double (probe.h). */
#ifndef __cplusplus
#define DJ__FN_PROBE_INSTANCE(name, BODY)                                      \
    DJ__FN_INSTANCE(name, dj_declare_as_T_not_double, BODY)
#else
#define DJ__FN_PROBE_INSTANCE(name, BODY)
#endif

/* Instantiates BODY(T, y, x, n, m, ctx) for every scalar type. The trailing
 * declaration lets the use end with a semicolon like any declaration. */
#define DJ_FN_INSTANTIATE(name, BODY)                                          \
    DJ__FN_PROBE_INSTANCE(name, BODY)                                          \
    DJ__FN_INSTANCE(name, double, BODY)                                        \
    DJ__FN_INSTANCE(name, dj_dual, BODY)                                       \
    DJ__FN_INSTANCE(name, dj_dual2, BODY)                                      \
    DJ__FN_INSTANCE(name, dj_dual4, BODY)                                      \
    DJ__FN_INSTANCE(name, dj_dual8, BODY)                                      \
    DJ__FN_INSTANCE(name, dj_dual16, BODY)                                     \
    DJ__FN_INSTANCE(name, dj_var, BODY)                                        \
    enum { DJ__INSTANTIATED(name) = DJ_FN_ABI }

/* An initialiser for the dj_fn of a function instantiated by
 * DJ_FN_INSTANTIATE or by a template (dualjac/instantiate.h). */
#define DJ_FN_INIT(name, n_, m_, ctx_)                                         \
    {                                                                          \
        (unsigned)DJ__INSTANTIATED(name), #name, (n_), (m_), (ctx_),           \
        name##_dj_double, name##_dj_dj_dual, name##_dj_dj_dual2,               \
        name##_dj_dj_dual4, name##_dj_dj_dual8, name##_dj_dj_dual16,           \
        name##_dj_dj_var                                                       \
    }

/* Instantiates BODY and defines the external `const dj_fn name`. */
#define DJ_FN_DEFINE(name, n_, m_, BODY)                                       \
    DJ_FN_INSTANTIATE(name, BODY);                                             \
    extern const dj_fn name;                                                   \
    const dj_fn name = DJ_FN_INIT(name, n_, m_, NULL)

/* ---- templates: the body as an ordinary C function ----------------------
 * In a file that dualjac/instantiate.h includes once per scalar type, with
 * the macro T naming the type:
 *
 *     DJ_FUNCTION(name)(T *y, const T *x, size_t n, size_t m, const void *ctx)
 *     {
 *         ...
 *     }
 *
 * defines name's instantiation for T, as DJ_FN_INSTANTIATE does for a
 * macro body. The parameters are the user's to name; the instantiation that
 * DJ_FN_INIT takes calls the body with y and x as restrict pointers, built
 * for AVX too (as above), and the body is inlined into it.
 *
 * DJ_OVERLOAD(name) is name with the type appended, for helper functions
 * over T: `#define square DJ_OVERLOAD(square)` once, then
 * `static T square(T a) { ... }` defines and `square(x[0])` calls the
 * helper of the type being instantiated. */
#define DJ_OVERLOAD(name) DJ__XCAT3(name, _dj_, T)
#define DJ_FUNCTION(name)                                                      \
    DJ__TEMPLATE_ONCE(enum { DJ__INSTANTIATED(name) = DJ_FN_ABI };)            \
    static DJ__BODY_INLINE void DJ_OVERLOAD(name##__body)(                     \
        T *, const T *, size_t, size_t, const void *);                         \
    DJ__XCAT(DJ__TUNING_, T) DJ__MAYBE_UNUSED static void DJ_OVERLOAD(name)(   \
        T *DJ_RESTRICT y, const T *DJ_RESTRICT x, size_t n, size_t m,          \
        const void *ctx)                                                       \
    {                                                                          \
        DJ_OVERLOAD(name##__body)(y, x, n, m, ctx);                            \
    }                                                                          \
    static DJ__BODY_INLINE void DJ_OVERLOAD(name##__body)

/* Returns DJ_OK when f is usable: the right ABI, n and m nonzero, and a
 * double instantiation; DJ_EINVAL or DJ_EDIM otherwise. */
DJ_API DJ_NODISCARD int dj_fn_check(const dj_fn *f);

/* y = f(x) in plain doubles. Errors: those of dj_fn_check; DJ_EINVAL when
 * y and x are null or overlap. */
DJ_API DJ_NODISCARD int dj_eval(double *y, const dj_fn *f, const double *x);

#ifdef __cplusplus
}
#endif

#endif /* DUALJAC_FN_H */
