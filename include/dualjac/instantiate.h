/*
 * dualjac/instantiate.h: a template file, instantiated for every scalar type.
 *
 * A function written once as ordinary C over the scalar type T, in a file
 * of its own:
 *
 *     // rosenbrock.dj.h: f(x) = sum of 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2
 *     #define square DJ_OVERLOAD(square)
 *     static T square(T a) { return dj_mul(a, a); }
 *
 *     DJ_FUNCTION(rosenbrock)(T *y, const T *x, size_t n, size_t m, const void *ctx)
 *     {
 *         T s = dj_zero(T);
 *         for (size_t i = 0; i + 1 < n; i++)
 *             dj_add_to(s, dj_add(dj_mul(100, square(dj_sub(x[i + 1], square(x[i])))),
 *                                 square(dj_sub(1, x[i]))));
 *         y[0] = s;
 *     }
 *
 * and in a C file:
 *
 *     #include <dualjac.h>
 *     #define DJ_TEMPLATE "rosenbrock.dj.h"
 *     #include <dualjac/instantiate.h>
 *     const dj_fn rosenbrock = DJ_FN_INIT(rosenbrock, 10, 1, NULL);
 *
 * This header includes DJ_TEMPLATE once per type with the macro T defined
 * as that type (and DJ_INSTANTIATING defined), then undefines T and
 * DJ_TEMPLATE; include it again for another template. The template is found
 * like any header named from here, through the include path and not from
 * the including file's folder: compile with -I and its folder (-I. for the
 * current one). Everything in it is instantiated, so it holds only what
 * depends on T: types, constants and helpers of plain doubles go before
 * the #include. Helpers over T are named with DJ_OVERLOAD (fn.h) so that
 * each type gets its own. The template may also be a block of the C file
 * itself, under #ifdef DJ_INSTANTIATING, with DJ_TEMPLATE naming the file.
 *
 * In C the template is compiled first for a type that is never run, whose
 * name turns the first error of a body that keeps a T in a double into
 * advice (probe.h). Unused parameters are not warned about inside the
 * template: a body rarely needs all of y, x, n, m and ctx.
 */
/* No include guard: included once per template. */

#ifndef DJ_TEMPLATE
#error "dualjac/instantiate.h: #define DJ_TEMPLATE \"file\", the template to instantiate, before including it"
#endif
#if defined(__has_include)
#if !__has_include(DJ_TEMPLATE)
#error "dualjac/instantiate.h: DJ_TEMPLATE not found; it is looked up through the include path, not from the including file's folder: add -I and that folder (-I. for the current one)"
#endif
#endif
#ifdef T
#error "dualjac/instantiate.h: T is already a macro; the template's type is T"
#endif

#include "../dualjac.h"

#define DJ_INSTANTIATING 1
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#endif

#define DJ__TEMPLATE_ONCE(x)

#ifndef __cplusplus
#define T dj_declare_as_T_not_double
#include DJ_TEMPLATE
#undef T
#endif

#undef DJ__TEMPLATE_ONCE
#define DJ__TEMPLATE_ONCE(x) x
#define T double
#include DJ_TEMPLATE
#undef T
#undef DJ__TEMPLATE_ONCE
#define DJ__TEMPLATE_ONCE(x)

#define T dj_dual
#include DJ_TEMPLATE
#undef T

#define T dj_dual2
#include DJ_TEMPLATE
#undef T

#define T dj_dual4
#include DJ_TEMPLATE
#undef T

#define T dj_dual8
#include DJ_TEMPLATE
#undef T

#define T dj_dual16
#include DJ_TEMPLATE
#undef T

#define T dj_var
#include DJ_TEMPLATE
#undef T

#undef DJ__TEMPLATE_ONCE
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif
#undef DJ_INSTANTIATING
#undef DJ_TEMPLATE
