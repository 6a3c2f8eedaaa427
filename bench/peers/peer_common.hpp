/*
 * peer_common.hpp: what the C++ programs of `make bench-peers` share: the
 * chunked forward-mode driver every forward tool gets (K directions a
 * pass, seeding only the K inputs of the pass and clearing them after, the
 * way an engineer writes it for Ceres' Jet, Eigen's AutoDiffScalar or
 * Sacado's SFad), and measure(), which hands a C++ callable to the C
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

/* Runs body(r, case) over the cases; the exit status of main. */
template <class Body> int run_cases(int argc, char **argv, const char *tool, Body body)
{
    peer_run r;
    if (!peer_run_begin(&r, argc, argv, tool))
        return 2;
    std::size_t count;
    peer_case *cases = peer_cases(r.quick, &count);
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
