/*
 * peer_eigen.cpp: Eigen's AutoDiffScalar (unsupported/Eigen/AutoDiff) in
 * `make bench-peers`, with a fixed-size derivative vector of K directions
 * (Eigen::Matrix<double, K, 1>, its fastest form): dense Jacobians and
 * gradients by forward passes. Eigen has no reverse mode and no sparse
 * Jacobian driver.
 *
 * Usage: peer_eigen [--quick] [--out DIR]
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

void body(peer_run *r, const peer_case *c)
{
    peer::forward_widths<eigen_tool>(r, c);
    if (c->kind == PEER_SPARSE)
        peer_unavailable(r, c, "sparse", "none: Eigen has no sparse Jacobian driver");
}

} // namespace

int main(int argc, char **argv) { return peer::run_cases(argc, argv, "Eigen", body); }
