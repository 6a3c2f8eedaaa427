/*
 * peer_common.hpp: what the C++ programs of `make bench-peers` share: the
 * chunked forward-mode driver every forward tool gets (K directions a
 * pass, seeding only the K inputs of the pass and clearing them after, the
 * way an engineer writes it for Ceres' Jet, Eigen's AutoDiffScalar or
 * Sacado's SFad), its second-order form (forward over forward, for tools
 * whose scalar nests), and measure(), which hands a C++ callable to the C
 * harness.
 *
 * A tool adapter is a struct with
 *     typedef ... type;                      the scalar
 *     static const int K;                    directions a pass (0: all n)
 *     static type make(double v, int k);     value v, k zero directions
 *     static void set_val(type &, double);   the value
 *     static void set_dx(type &, int i, double);  direction i
 *     static double dx(const type &, int i);
 */
#ifndef DJ_BENCH_PEERS_COMMON_HPP
#define DJ_BENCH_PEERS_COMMON_HPP

#include <algorithm>
#include <initializer_list>
#include <cstdio>
#include <string>
#include <vector>

#include "functions.hpp"
#include "harness.h"

namespace peer {

static volatile double sink;

/* The Jacobian (or gradient: m = 1) by forward passes of K directions. */
template <class Tool> struct forward {
    typedef typename Tool::type S;
    const peer_case *c;
    std::size_t m;
    int k;
    std::vector<S> X, Y;
    std::vector<double> out;

    explicit forward(const peer_case *c_)
        : c(c_), m(c_->kind == PEER_GRADIENT ? 1 : c_->m),
          k(Tool::K > 0 ? Tool::K : int(c_->n)), out(c_->nref)
    {
        for (std::size_t j = 0; j < c->n; j++)
            X.push_back(Tool::make(c->x[j], k));
        for (std::size_t i = 0; i < m; i++)
            Y.push_back(Tool::make(0.0, k));
    }

    void operator()()
    {
        std::size_t n = c->n;
        for (std::size_t j = 0; j < n; j++)
            Tool::set_val(X[j], c->x[j]);
        for (std::size_t p0 = 0; p0 < n; p0 += std::size_t(k)) {
            int kk = int(std::min<std::size_t>(std::size_t(k), n - p0));
            for (int d = 0; d < kk; d++)
                Tool::set_dx(X[p0 + d], d, 1.0);
            eval(Y.data(), X.data(), c);
            for (int d = 0; d < kk; d++)
                Tool::set_dx(X[p0 + d], d, 0.0);
            for (std::size_t i = 0; i < m; i++)
                for (int d = 0; d < kk; d++)
                    out[i * n + p0 + std::size_t(d)] = Tool::dx(Y[i], d);
        }
        sink = out[0];
    }
};

/* Second derivatives by forward over forward, for a nested tool adapter:
 *     typedef ... type;                     outer over inner scalar
 *     static const int KI, KO;              inner and outer directions
 *     static std::string name();
 *     static type make(double v);           value v, every direction zero
 *     static void set_val(type &, double);  the value (directions kept)
 *     static void set_inner(type &, int a, double);  inner direction a
 *     static void set_outer(type &, int b, double);  outer direction b
 *     static double second(const type &, int b, int a);
 * H v: the inner direction is v (KI = 1), KO outer unit vectors a pass,
 * n/KO passes, each giving KO entries of H v. The dense H: inner unit
 * vectors of a block I, outer ones of a block J, one pass giving H[I][J];
 * with KI = KO only the blocks J >= I are computed and mirrored, the
 * (n/K)(n/K + 1)/2 passes a user who knows H is symmetric runs. */
template <class Tool> struct forward2 {
    typedef typename Tool::type S;
    const peer_case *c;
    std::vector<S> X;
    S y;
    std::vector<double> out;

    explicit forward2(const peer_case *c_) : c(c_), y(Tool::make(0.0)), out(c_->nref)
    {
        for (std::size_t j = 0; j < c->n; j++)
            X.push_back(Tool::make(c->x[j]));
    }

    void hvp()
    {
        std::size_t n = c->n, k = std::size_t(Tool::KO);
        for (std::size_t j = 0; j < n; j++) {
            Tool::set_val(X[j], c->x[j]);
            Tool::set_inner(X[j], 0, c->v[j]);
        }
        for (std::size_t p0 = 0; p0 < n; p0 += k) {
            int kk = int(std::min(k, n - p0));
            for (int b = 0; b < kk; b++)
                Tool::set_outer(X[p0 + std::size_t(b)], b, 1.0);
            eval(&y, X.data(), c);
            for (int b = 0; b < kk; b++) {
                Tool::set_outer(X[p0 + std::size_t(b)], b, 0.0);
                out[p0 + std::size_t(b)] = Tool::second(y, b, 0);
            }
        }
    }

    void hessian()
    {
        static_assert(Tool::KI == Tool::KO, "the symmetric blocks need KI = KO");
        std::size_t n = c->n, k = std::size_t(Tool::KO);
        for (std::size_t j = 0; j < n; j++)
            Tool::set_val(X[j], c->x[j]);
        for (std::size_t i0 = 0; i0 < n; i0 += k) {
            int ki = int(std::min(k, n - i0));
            for (int a = 0; a < ki; a++)
                Tool::set_inner(X[i0 + std::size_t(a)], a, 1.0);
            for (std::size_t j0 = i0; j0 < n; j0 += k) {
                int kj = int(std::min(k, n - j0));
                for (int b = 0; b < kj; b++)
                    Tool::set_outer(X[j0 + std::size_t(b)], b, 1.0);
                eval(&y, X.data(), c);
                for (int b = 0; b < kj; b++)
                    Tool::set_outer(X[j0 + std::size_t(b)], b, 0.0);
                for (int a = 0; a < ki; a++)
                    for (int b = 0; b < kj; b++) {
                        std::size_t i = i0 + std::size_t(a), j = j0 + std::size_t(b);
                        out[i * n + j] = out[j * n + i] = Tool::second(y, b, a);
                    }
            }
            for (int a = 0; a < ki; a++)
                Tool::set_inner(X[i0 + std::size_t(a)], a, 0.0);
        }
    }

    void operator()()
    {
        if (c->kind == PEER_HVP)
            hvp();
        else if constexpr (Tool::KI == Tool::KO) /* an H v adapter has no blocks */
            hessian();
        sink = out[0];
    }
};

template <class F> void call(void *p) { (*static_cast<F *>(p))(); }

/* Checks f's result (out) against dualjac's, then times f against the
 * primal (harness.h). */
template <class F>
void measure(peer_run *r, const peer_case *c, const std::string &method, F &f, const double *out,
             double tol = PEER_TOL_EXACT)
{
    peer_measure(r, c, method.c_str(), call<F>, &f, out, tol);
}

/* Forward passes of every width in Ks... that suits the case: the widest
 * for wide inputs, the narrowest that holds all n otherwise; a gradient
 * of more than 10^4 inputs (n/K passes over n) is left out. */
template <template <int> class Tool> void forward_one(peer_run *r, const peer_case *c, int K)
{
    (void)r, (void)c, (void)K;
}

template <template <int> class Tool, int K, int... Ks>
void forward_one(peer_run *r, const peer_case *c, int want)
{
    if (K == want) {
        forward<Tool<K>> f(c);
        measure(r, c, Tool<K>::name(), f, f.out.data());
        return;
    }
    forward_one<Tool, Ks...>(r, c, want);
}

/* The widths tried: 4 for n <= 4, 8 for n <= 8, else 8 and 16. */
template <template <int> class Tool> void forward_widths(peer_run *r, const peer_case *c)
{
    if (c->kind == PEER_SPARSE)
        return;
    if (c->kind == PEER_GRADIENT && c->n > 10000) {
        peer_unavailable(r, c, (Tool<16>::name() + std::string(" (n/16 passes)")).c_str(),
                         "skipped: a forward gradient of 10^5 inputs");
        return;
    }
    if (c->n <= 4)
        forward_one<Tool, 4, 8, 16>(r, c, 4);
    else if (c->n <= 8)
        forward_one<Tool, 4, 8, 16>(r, c, 8);
    else {
        if (c->kind != PEER_GRADIENT || c->n < 1000)
            forward_one<Tool, 4, 8, 16>(r, c, 8);
        forward_one<Tool, 4, 8, 16>(r, c, 16);
    }
}

/* The forward-over-forward methods that suit a Hessian case: H v by
 * Tool1 (KI = 1) up to 10^4 inputs (n/KO passes over n, as the forward
 * gradients), the dense H by every ToolK; none for a sparse Hessian. */
template <class Tool1> void forward2_hvp(peer_run *r, const peer_case *c)
{
    if (c->n > 10000) {
        std::string what = Tool1::name() + " (n/" + std::to_string(Tool1::KO) + " passes)";
        peer_unavailable(r, c, what.c_str(), "skipped: forward over forward of 10^5 inputs");
        return;
    }
    forward2<Tool1> f(c);
    measure(r, c, Tool1::name(), f, f.out.data());
}

template <class... ToolK> void forward2_dense(peer_run *r, const peer_case *c)
{
    (void)std::initializer_list<int>{(
        [&] {
            forward2<ToolK> f(c);
            measure(r, c, ToolK::name(), f, f.out.data());
        }(),
        0)...};
}

/* Runs body(r, case) over the cases; the exit status of main. */
template <class Body> int run_cases(int argc, char **argv, const char *tool, Body body)
{
    peer_run r;
    if (!peer_run_begin(&r, argc, argv, tool))
        return 2;
    std::size_t count;
    peer_case *cases = peer_cases(r.quick, r.only, &count);
    if (cases == nullptr)
        return 2;
    for (std::size_t i = 0; i < count; i++) {
        peer_case_header(&r, &cases[i]);
        body(&r, &cases[i]);
    }
    peer_cases_free(cases, count);
    return peer_run_end(&r);
}

} // namespace peer

#endif
