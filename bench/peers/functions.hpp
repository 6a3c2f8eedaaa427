/*
 * functions.hpp: the functions of `make bench-peers` for the C++ tools,
 * written once as templates over the scalar type S, the way users of
 * operator-overloading tools write them: loops of scalar operations,
 * constants as S(c) or plain doubles, elementary functions found by
 * argument-dependent lookup (ADOL-C's adouble, Ceres' Jet, Eigen's
 * AutoDiffScalar, Sacado's Fad and Rad types). The same mathematics as
 * functions.dj.h (dualjac) and primal.c (plain C).
 */
#ifndef DJ_BENCH_PEERS_FUNCTIONS_HPP
#define DJ_BENCH_PEERS_FUNCTIONS_HPP

#include <cmath>
#include <cstddef>

#include "cases.h"

namespace peer {

using std::cos;
using std::exp;
using std::log;
using std::sin;
using std::tanh;

template <class S> void chain(S *y, const S *x, const peer_chain *c)
{
    S h1[PEER_HIDDEN], h2[PEER_HIDDEN];
    for (std::size_t i = 0; i < c->h; i++) {
        S a(c->b1[i]);
        for (std::size_t j = 0; j < c->n; j++)
            a += c->W1[i * c->n + j] * x[j];
        h1[i] = tanh(a);
    }
    for (std::size_t i = 0; i < c->h; i++) {
        S a(c->b2[i]);
        for (std::size_t j = 0; j < c->h; j++)
            a += c->W2[i * c->h + j] * h1[j];
        h2[i] = tanh(a);
    }
    for (std::size_t i = 0; i < c->m; i++) {
        S a(0.0);
        for (std::size_t j = 0; j < c->h; j++)
            a += c->W3[i * c->h + j] * h2[j];
        y[i] = a;
    }
}

template <class S> void brown(S *y, const S *x, std::size_t n)
{
    S s(x[0]), p(x[0]);
    for (std::size_t j = 1; j < n; j++) {
        s += x[j];
        p *= x[j];
    }
    S c(s - double(n + 1));
    for (std::size_t i = 0; i + 1 < n; i++)
        y[i] = x[i] + c;
    y[n - 1] = p - 1.0;
}

template <class S> void boundary(S *y, const S *x, std::size_t n)
{
    const double h = 1.0 / double(n + 1);
    for (std::size_t i = 0; i < n; i++) {
        S c(x[i] + (double(i + 1) * h + 1));
        S r(2.0 * x[i] + 0.5 * h * h * (c * c * c));
        if (i > 0)
            r -= x[i - 1];
        if (i + 1 < n)
            r -= x[i + 1];
        y[i] = r;
    }
}

template <class S> void broyden(S *y, const S *x, std::size_t n)
{
    for (std::size_t i = 0; i < n; i++) {
        S r((3.0 - 2.0 * x[i]) * x[i] + 1.0);
        if (i > 0)
            r -= x[i - 1];
        if (i + 1 < n)
            r -= 2.0 * x[i + 1];
        y[i] = r;
    }
}

template <class S> void banded(S *y, const S *x, std::size_t n)
{
    for (std::size_t i = 0; i < n; i++) {
        S r(x[i] * (5.0 * (x[i] * x[i]) + 2.0) + 1.0);
        std::size_t lo = i >= 5 ? i - 5 : 0, hi = i + 1 < n ? i + 1 : n - 1;
        for (std::size_t j = lo; j <= hi; j++)
            if (j != i)
                r -= x[j] * (x[j] + 1.0);
        y[i] = r;
    }
}

template <class S> void rosenbrock(S *y, const S *x, std::size_t n)
{
    for (std::size_t i = 0; i + 1 < n; i += 2) {
        y[i] = 10.0 * (x[i + 1] - x[i] * x[i]);
        y[i + 1] = 1.0 - x[i];
    }
}

template <class S> void arrow(S *y, const S *x, std::size_t n)
{
    S s(x[0] * x[0]);
    for (std::size_t j = 1; j < n; j++)
        s += x[j] * x[j];
    y[0] = 0.5 * s;
    for (std::size_t i = 1; i < n; i++)
        y[i] = x[0] * x[i] + sin(x[i]);
}

template <class S> S rosen_sum(const S *x, std::size_t n)
{
    S s(0.0);
    for (std::size_t i = 0; i + 1 < n; i++) {
        S a(x[i + 1] - x[i] * x[i]), b(1.0 - x[i]);
        s += 100.0 * (a * a) + b * b;
    }
    return s;
}

template <class S> S logistic(const S *w, const peer_logistic *d)
{
    S s(0.0), r(0.0);
    for (std::size_t k = 0; k < d->N; k++) {
        S z(0.0);
        for (std::size_t j = 0; j < d->n; j++)
            z += d->X[k * d->n + j] * w[j];
        s += log(1.0 + exp(-d->t[k] * z));
    }
    for (std::size_t j = 0; j < d->n; j++)
        r += w[j] * w[j];
    return s / double(d->N) + 0.5 * d->lambda * r;
}

template <class S> S trig_sum(const S *x, std::size_t n)
{
    S s(0.0);
    for (std::size_t i = 0; i + 1 < n; i++)
        s += sin(x[i]) * exp(cos(x[i + 1])) + log(1.0 + x[i] * x[i]);
    return s;
}

template <class S> S brown_sq(const S *x, std::size_t n)
{
    S s(x[0]), p(x[0]);
    for (std::size_t j = 1; j < n; j++) {
        s += x[j];
        p *= x[j];
    }
    S c(s - double(n + 1)), q(p - 1.0);
    S r(q * q);
    for (std::size_t i = 0; i + 1 < n; i++) {
        S f(x[i] + c);
        r += f * f;
    }
    return r;
}

template <class S> S arrow_sum(const S *x, std::size_t n)
{
    S s(0.0);
    for (std::size_t i = 1; i < n; i++) {
        S t(x[0] * x[i]);
        s += t * t + exp(x[i]) / 16.0;
    }
    return s;
}

/* y = f(x) for the case's function (y[0] for the scalar ones). */
template <class S> void eval(S *y, const S *x, const peer_case *c)
{
    switch (c->id) {
    case PEER_CHAIN: chain(y, x, static_cast<const peer_chain *>(c->params)); break;
    case PEER_BROWN: brown(y, x, c->n); break;
    case PEER_BOUNDARY: boundary(y, x, c->n); break;
    case PEER_BROYDEN: broyden(y, x, c->n); break;
    case PEER_BANDED: banded(y, x, c->n); break;
    case PEER_ROSENBROCK: rosenbrock(y, x, c->n); break;
    case PEER_ARROW: arrow(y, x, c->n); break;
    case PEER_ROSEN_SUM: y[0] = rosen_sum(x, c->n); break;
    case PEER_LOGISTIC: y[0] = logistic(x, static_cast<const peer_logistic *>(c->params)); break;
    case PEER_TRIG_SUM: y[0] = trig_sum(x, c->n); break;
    case PEER_BROWN_SQ: y[0] = brown_sq(x, c->n); break;
    case PEER_ARROW_SUM: y[0] = arrow_sum(x, c->n); break;
    }
}

} // namespace peer

#endif
