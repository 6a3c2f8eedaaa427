/*
 * peer_ceres.cpp: Ceres Solver's ceres::Jet<double, K> in `make bench-peers`:
 * dense Jacobians and gradients by forward passes of K directions (Ceres'
 * own automatic differentiation is this, K the number of parameters of a
 * block). Ceres has no reverse mode and no sparse Jacobian driver for a
 * function of its own: its sparsity is that of residual blocks, which the
 * user declares.
 *
 * Second derivatives: Ceres has no Hessian driver, and its Jet nested in
 * itself, Jet<Jet<double, 1>, K>, does not take the functions' double
 * constants (S(0.0), 2.0 * x, x - 1.0: Jet's mixed operators are for its
 * own scalar type only), so the hessian family is not run here.
 *
 * Usage: peer_ceres [--quick] [--only TEXT] [--out DIR]
 */
#include <ceres/jet.h>

#include "peer_common.hpp"

namespace {

template <int N> struct jet_tool {
    typedef ceres::Jet<double, N> type;
    static const int K = N;
    static std::string name() { return "Jet<" + std::to_string(N) + "> fwd"; }
    static type make(double v, int) { return type(v); }
    static void set_val(type &t, double v) { t.a = v; }
    static void set_dx(type &t, int i, double d) { t.v[i] = d; }
    static double dx(const type &t, int i) { return t.v[i]; }
};

void body(peer_run *r, const peer_case *c)
{
    if (c->kind == PEER_HVP || c->kind == PEER_HESSIAN || c->kind == PEER_SPARSE_HESSIAN) {
        peer_unavailable(r, c, "Jet<Jet<1>; K>",
                         "none: nested Jets take no double constants; no Hessian driver");
        return;
    }
    peer::forward_widths<jet_tool>(r, c);
    if (c->kind == PEER_SPARSE)
        peer_unavailable(r, c, "sparse", "none: Ceres has no sparse Jacobian driver for a function");
}

} // namespace

int main(int argc, char **argv) { return peer::run_cases(argc, argv, "Ceres", body); }
