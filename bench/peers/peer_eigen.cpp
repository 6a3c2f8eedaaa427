/*
 * peer_eigen.cpp: Eigen's AutoDiffScalar (unsupported/Eigen/AutoDiff) in
 * `make bench-peers`, with a fixed-size derivative vector of K directions
 * (Eigen::Matrix<double, K, 1>, its fastest form): dense Jacobians and
 * gradients by forward passes. Eigen has no reverse mode and no sparse
 * Jacobian driver.
 *
 * Second derivatives by nesting it, forward over forward (Eigen has no
 * Hessian driver): AutoDiffScalar<Matrix<AutoDiffScalar<Matrix<double,
 * KI, 1>>, KO, 1>>, H v by n/KO passes (KI = 1, the inner direction v),
 * the dense H by symmetric blocks (peer_common.hpp's forward2). No sparse
 * Hessian: a compressed seed needs reverse mode, one pass per color pair
 * forward.
 *
 * Usage: peer_eigen [--quick] [--only TEXT] [--out DIR]
 */
#include <Eigen/Core>
#include <unsupported/Eigen/AutoDiff>

#include "peer_common.hpp"

namespace {

template <int N> struct eigen_tool {
    typedef Eigen::AutoDiffScalar<Eigen::Matrix<double, N, 1>> type;
    static const int K = N;
    static std::string name() { return "AutoDiffScalar<" + std::to_string(N) + "> fwd"; }
    static type make(double v, int) { return type(v); }
    static void set_val(type &t, double v) { t.value() = v; }
    static void set_dx(type &t, int i, double d) { t.derivatives()[i] = d; }
    static double dx(const type &t, int i) { return t.derivatives()[i]; }
};

template <int KI_, int KO_> struct eigen2_tool {
    typedef Eigen::AutoDiffScalar<Eigen::Matrix<double, KI_, 1>> inner;
    typedef Eigen::AutoDiffScalar<Eigen::Matrix<inner, KO_, 1>> type;
    static const int KI = KI_, KO = KO_;
    static std::string name()
    {
        return "AutoDiffScalar<AutoDiffScalar<" + std::to_string(KI) + ">; " +
               std::to_string(KO) + "> fwd-over-fwd";
    }
    static type make(double v) { return type(inner(v)); }
    static void set_val(type &t, double v) { t.value().value() = v; }
    static void set_inner(type &t, int a, double d) { t.value().derivatives()[a] = d; }
    static void set_outer(type &t, int b, double d) { t.derivatives()[b].value() = d; }
    static double second(const type &t, int b, int a)
    {
        return t.derivatives()[b].derivatives()[a];
    }
};

void body(peer_run *r, const peer_case *c)
{
    switch (c->kind) {
    case PEER_HVP: peer::forward2_hvp<eigen2_tool<1, 16>>(r, c); return;
    case PEER_HESSIAN: peer::forward2_dense<eigen2_tool<8, 8>, eigen2_tool<16, 16>>(r, c); return;
    case PEER_SPARSE_HESSIAN:
        peer_unavailable(r, c, "sparse", "none: Eigen has no sparse Hessian driver");
        return;
    default: break;
    }
    peer::forward_widths<eigen_tool>(r, c);
    if (c->kind == PEER_SPARSE)
        peer_unavailable(r, c, "sparse", "none: Eigen has no sparse Jacobian driver");
}

} // namespace

int main(int argc, char **argv) { return peer::run_cases(argc, argv, "Eigen", body); }
