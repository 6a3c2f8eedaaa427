/*
 * dualjac/primitive.h: custom primitives with their own derivative rules.
 *
 * A function the library should not look inside (a solver, a lookup table,
 * an exp that keeps its result for the backward pass) is registered as a
 * dj_primitive: its evaluation, its JVP and its VJP, the way
 * torch.autograd.Function or jax.custom_vjp do it. Applied with dj_apply in a
 * body written once, it works in every mode: on the dual types its JVP rule
 * moves each tangent direction; on the graph it is one node whose reverse
 * sweep calls the VJP rule and whose replay calls eval again.
 *
 *     static void exp_eval(double *y, double *saved, const double *x, const void *ctx)
 *     { y[0] = exp(x[0]); }
 *     static void exp_jvp(double *jv, const double *v, const double *x,
 *                         const double *y, const double *saved, const void *ctx)
 *     { jv[0] = y[0] * v[0]; }     // uses the saved result, not exp again
 *     static void exp_vjp(double *ju, const double *u, ...) { ju[0] = u[0] * y[0]; }
 *     static const dj_primitive my_exp = {"my_exp", 1, 1, 0, exp_eval, exp_jvp, exp_vjp, NULL};
 *     ...
 *     y[0] = dj_apply1(&my_exp, x[0]);
 *
 * The rules see x (n_in values), y (n_out values) and `saved`, n_saved
 * doubles that eval may fill for them. They must not keep pointers.
 */
#ifndef DUALJAC_PRIMITIVE_H
#define DUALJAC_PRIMITIVE_H

#include <stddef.h>

#include "common.h"
#include "dual.h"
#include "graph.h"
#include "mdual.h"
#include "probe.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dj_primitive {
    const char *name;
    size_t n_in, n_out; /* sizes of x and y */
    size_t n_saved;     /* doubles eval keeps for the rules */
    /* y = f(x); may fill saved[0..n_saved) */
    void (*eval)(double *y, double *saved, const double *x, const void *ctx);
    /* jv = J·v, n_out values */
    void (*jvp)(double *jv, const double *v, const double *x, const double *y,
                const double *saved, const void *ctx);
    /* ju = uᵀ·J, n_in values */
    void (*vjp)(double *ju, const double *u, const double *x, const double *y,
                const double *saved, const void *ctx);
    const void *ctx;    /* passed to every callback */
} dj_primitive;

/* y = p(x) on arrays of each type. Scratch up to a few hundred doubles lives
 * on the stack; beyond that it is allocated, and if that fails the outputs
 * are NaN (reported as DJ_EVENT_NONFINITE by the drivers). On the graph a
 * failure sets the graph's sticky status instead. */
DJ_API void dj_double_apply(double *y, const dj_primitive *p, const double *x);
DJ_API void dj_dual_apply(dj_dual *y, const dj_primitive *p, const dj_dual *x);
DJ_API void dj_dual2_apply(dj_dual2 *y, const dj_primitive *p, const dj_dual2 *x);
DJ_API void dj_dual4_apply(dj_dual4 *y, const dj_primitive *p, const dj_dual4 *x);
DJ_API void dj_dual8_apply(dj_dual8 *y, const dj_primitive *p, const dj_dual8 *x);
DJ_API void dj_dual16_apply(dj_dual16 *y, const dj_primitive *p, const dj_dual16 *x);
DJ_API void dj_var_apply(dj_var *y, const dj_primitive *p, const dj_var *x);

#ifndef __cplusplus
/* For the type bodies are compiled for first and never run (probe.h), laid
 * out as dj_dual. */
static inline void dj_declare_as_T_not_double_apply(dj_declare_as_T_not_double *y,
                                                    const dj_primitive *p,
                                                    const dj_declare_as_T_not_double *x)
{
    dj_dual_apply((dj_dual *)(void *)y, p, (const dj_dual *)(const void *)x);
}

/* y = p(x), selected by the element type of x (const or not). */
#define dj_apply(y, p, x)                                                      \
    _Generic((x),                                                              \
        double *: dj_double_apply, const double *: dj_double_apply,           \
        dj_dual *: dj_dual_apply, const dj_dual *: dj_dual_apply,             \
        dj_dual2 *: dj_dual2_apply, const dj_dual2 *: dj_dual2_apply,         \
        dj_dual4 *: dj_dual4_apply, const dj_dual4 *: dj_dual4_apply,         \
        dj_dual8 *: dj_dual8_apply, const dj_dual8 *: dj_dual8_apply,         \
        dj_dual16 *: dj_dual16_apply, const dj_dual16 *: dj_dual16_apply,     \
        dj_var *: dj_var_apply, const dj_var *: dj_var_apply,                 \
        dj_declare_as_T_not_double *: dj_declare_as_T_not_double_apply,        \
        const dj_declare_as_T_not_double *: dj_declare_as_T_not_double_apply)((y), (p), (x))

/* The scalar case: returns p(a) for a primitive with one input and output. */
#define DJ__APPLY1(T)                                                          \
    static inline T T##_apply1(const dj_primitive *p, T a)                     \
    {                                                                          \
        T r;                                                                   \
        T##_apply(&r, p, &a);                                                  \
        return r;                                                              \
    }
DJ__APPLY1(dj_dual)
DJ__APPLY1(dj_dual2)
DJ__APPLY1(dj_dual4)
DJ__APPLY1(dj_dual8)
DJ__APPLY1(dj_dual16)
DJ__APPLY1(dj_var)
DJ__APPLY1(dj_declare_as_T_not_double)
#undef DJ__APPLY1
static inline double dj_double_apply1(const dj_primitive *p, double a)
{
    double r;
    dj_double_apply(&r, p, &a);
    return r;
}
#define dj_apply1(p, a)                                                        \
    _Generic((a), double: dj_double_apply1, dj_dual: dj_dual_apply1,           \
             dj_dual2: dj_dual2_apply1, dj_dual4: dj_dual4_apply1,             \
             dj_dual8: dj_dual8_apply1, dj_dual16: dj_dual16_apply1,           \
             dj_var: dj_var_apply1,                                            \
             dj_declare_as_T_not_double: dj_declare_as_T_not_double_apply1)((p), (a))
#endif

#ifdef __cplusplus
}

/* C++: dj_apply and dj_apply1 as overloads on the element type. */
#define DJ__CXX_APPLY(T, prefix)                                               \
    inline void dj_apply(T *y, const dj_primitive *p, const T *x)              \
    {                                                                          \
        prefix##_apply(y, p, x);                                               \
    }                                                                          \
    inline T dj_apply1(const dj_primitive *p, T a)                             \
    {                                                                          \
        T r;                                                                   \
        prefix##_apply(&r, p, &a);                                             \
        return r;                                                              \
    }
DJ__CXX_APPLY(double, dj_double)
DJ__CXX_APPLY(dj_dual, dj_dual)
DJ__CXX_APPLY(dj_dual2, dj_dual2)
DJ__CXX_APPLY(dj_dual4, dj_dual4)
DJ__CXX_APPLY(dj_dual8, dj_dual8)
DJ__CXX_APPLY(dj_dual16, dj_dual16)
DJ__CXX_APPLY(dj_var, dj_var)
#undef DJ__CXX_APPLY
#endif

#endif /* DUALJAC_PRIMITIVE_H */
