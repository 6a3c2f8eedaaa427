/*
 * dualjac/probe.h: the type a written-once body is compiled for first.
 *
 * A body written once over T (fn.h) is compiled for every scalar type, and a
 * mistake in it used to be reported once per type, each time naming a type
 * (dj_dual, dj_dual8, ...) that says nothing of what to do. So the body is
 * compiled first for one more type, never run, whose name is the advice:
 *
 *   double t = dj_mul(x[0], x[1]);
 *   error: incompatible types when initializing type 'double' using type
 *          'dj_declare_as_T_not_double'
 *
 * The same name shows in the other errors of a body that mixes T with double
 * (a helper taking double, `x[0] * 2`, `sin(x[0])`). It is a one-tangent dual
 * with the whole arithmetic of dual_template.h, so a correct body compiles
 * for it as for dj_dual; no instantiation for it is ever emitted (it is a
 * static function nothing calls). C only: C++ reports overloads by the types
 * the user wrote.
 */
#ifndef DUALJAC_PROBE_H
#define DUALJAC_PROBE_H

#ifndef __cplusplus

#include "common.h"
#include "double.h"
#include "partials.h"

/* Laid out as dj_dual: a value and one tangent. */
typedef struct dj_declare_as_T_not_double {
    double v;
    double d;
} dj_declare_as_T_not_double;

#define DJ__T dj_declare_as_T_not_double
#define DJ__K 1
#define DJ__L 1
#define DJ__F(op) dj_declare_as_T_not_double_##op
#define DJ__D(x, i) ((&(x).d)[i])
#define DJ__LN(x, i) DJ__D(x, i)
#define DJ__LZERO 0.0
#include "dual_template.h"
#undef DJ__T
#undef DJ__K
#undef DJ__L
#undef DJ__F
#undef DJ__D
#undef DJ__LN
#undef DJ__LZERO

#endif /* !__cplusplus */

#endif /* DUALJAC_PROBE_H */
