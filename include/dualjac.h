/*
 * dualjac.h: the whole library. Include this one header.
 *
 *   dualjac/common.h    status codes, events, NaN-safe mode, version
 *   dualjac/partials.h  the local derivative of every elementary function
 *   dualjac/double.h    double as a member of the family
 *   dualjac/dual.h      dj_dual: a value and one tangent
 *   dualjac/mdual.h     dj_dual2 ... dj_dual16: a value and k tangents
 *   dualjac/ops.h       the elementary operations as one table
 *   dualjac/graph.h     dj_var and the recorded graph: VJPs, JVPs, replay
 *   dualjac/probe.h     the type a body written once is compiled for first
 *   dualjac/generic.h   dj_add, dj_sin, ...: one name for every type
 *   dualjac/fn.h        dj_fn: a body written once, instantiated per type
 *   dualjac/jacobian.h  dj_jvp, dj_jacobian and their options
 *   dualjac/linalg.h    dense layers y = W·x + b on dual arrays through BLAS
 *   dualjac/primitive.h custom primitives with their own JVP and VJP rules
 *   dualjac/pattern.h   sparsity patterns of Jacobians: given or detected
 *   dualjac/coloring.h  column and row colorings of a pattern
 *   dualjac/sparse.h    sparse Jacobians by compressed passes or sweeps
 *   dualjac/hessian.h   Hessian-vector products, dense and sparse Hessians
 *
 * Not included here: dualjac/instantiate.h, which instantiates a template
 * file (a function written as ordinary C over T) each time it is included.
 */
#ifndef DUALJAC_H
#define DUALJAC_H

#include "dualjac/common.h"
#include "dualjac/partials.h"
#include "dualjac/double.h"
#include "dualjac/dual.h"
#include "dualjac/mdual.h"
#include "dualjac/probe.h"
#include "dualjac/ops.h"
#include "dualjac/graph.h"
#include "dualjac/generic.h"
#include "dualjac/fn.h"
#include "dualjac/jacobian.h"
#include "dualjac/linalg.h"
#include "dualjac/primitive.h"
#include "dualjac/pattern.h"
#include "dualjac/coloring.h"
#include "dualjac/sparse.h"
#include "dualjac/hessian.h"

#endif /* DUALJAC_H */
