/* primal.c: the functions of `make bench-peers` as plain double loops, the
 * code a user writes without any tool: the baseline of every ratio. One
 * object, linked into every program of the comparison, so that each
 * process times the same machine code. */
#include <math.h>

#include "cases.h"

static void chain(double *y, const double *x, const peer_chain *c)
{
    double h1[PEER_HIDDEN], h2[PEER_HIDDEN];
    for (size_t i = 0; i < c->h; i++) {
        double a = c->b1[i];
        for (size_t j = 0; j < c->n; j++)
            a += c->W1[i * c->n + j] * x[j];
        h1[i] = tanh(a);
    }
    for (size_t i = 0; i < c->h; i++) {
        double a = c->b2[i];
        for (size_t j = 0; j < c->h; j++)
            a += c->W2[i * c->h + j] * h1[j];
        h2[i] = tanh(a);
    }
    for (size_t i = 0; i < c->m; i++) {
        double a = 0;
        for (size_t j = 0; j < c->h; j++)
            a += c->W3[i * c->h + j] * h2[j];
        y[i] = a;
    }
}

static void brown(double *y, const double *x, size_t n)
{
    double s = x[0], p = x[0];
    for (size_t j = 1; j < n; j++) {
        s += x[j];
        p *= x[j];
    }
    double c = s - (double)(n + 1);
    for (size_t i = 0; i + 1 < n; i++)
        y[i] = x[i] + c;
    y[n - 1] = p - 1;
}

static void boundary(double *y, const double *x, size_t n)
{
    const double h = 1.0 / (double)(n + 1);
    for (size_t i = 0; i < n; i++) {
        double c = x[i] + (double)(i + 1) * h + 1;
        double r = 2 * x[i] + 0.5 * h * h * (c * c * c);
        if (i > 0)
            r -= x[i - 1];
        if (i + 1 < n)
            r -= x[i + 1];
        y[i] = r;
    }
}

static void broyden(double *y, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double r = (3 - 2 * x[i]) * x[i] + 1;
        if (i > 0)
            r -= x[i - 1];
        if (i + 1 < n)
            r -= 2 * x[i + 1];
        y[i] = r;
    }
}

static void banded(double *y, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double r = x[i] * (5 * (x[i] * x[i]) + 2) + 1;
        size_t lo = i >= 5 ? i - 5 : 0, hi = i + 1 < n ? i + 1 : n - 1;
        for (size_t j = lo; j <= hi; j++)
            if (j != i)
                r -= x[j] * (x[j] + 1);
        y[i] = r;
    }
}

static void rosenbrock(double *y, const double *x, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        y[i] = 10 * (x[i + 1] - x[i] * x[i]);
        y[i + 1] = 1 - x[i];
    }
}

static void arrow(double *y, const double *x, size_t n)
{
    double s = x[0] * x[0];
    for (size_t j = 1; j < n; j++)
        s += x[j] * x[j];
    y[0] = 0.5 * s;
    for (size_t i = 1; i < n; i++)
        y[i] = x[0] * x[i] + sin(x[i]);
}

static double rosen_sum(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
        s += 100 * (a * a) + b * b;
    }
    return s;
}

static double logistic(const double *w, const peer_logistic *d)
{
    double s = 0, r = 0;
    for (size_t k = 0; k < d->N; k++) {
        double z = 0;
        for (size_t j = 0; j < d->n; j++)
            z += d->X[k * d->n + j] * w[j];
        s += log(1 + exp(-d->t[k] * z));
    }
    for (size_t j = 0; j < d->n; j++)
        r += w[j] * w[j];
    return s / (double)d->N + 0.5 * d->lambda * r;
}

static double trig_sum(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i + 1 < n; i++)
        s += sin(x[i]) * exp(cos(x[i + 1])) + log(1 + x[i] * x[i]);
    return s;
}

static double brown_sq(const double *x, size_t n)
{
    double s = x[0], p = x[0];
    for (size_t j = 1; j < n; j++) {
        s += x[j];
        p *= x[j];
    }
    double c = s - (double)(n + 1), r = (p - 1) * (p - 1);
    for (size_t i = 0; i + 1 < n; i++)
        r += (x[i] + c) * (x[i] + c);
    return r;
}

static double arrow_sum(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 1; i < n; i++) {
        double t = x[0] * x[i];
        s += t * t + exp(x[i]) / 16;
    }
    return s;
}

void peer_primal(double *y, const double *x, const peer_case *c)
{
    switch (c->id) {
    case PEER_CHAIN: chain(y, x, c->params); break;
    case PEER_BROWN: brown(y, x, c->n); break;
    case PEER_BOUNDARY: boundary(y, x, c->n); break;
    case PEER_BROYDEN: broyden(y, x, c->n); break;
    case PEER_BANDED: banded(y, x, c->n); break;
    case PEER_ROSENBROCK: rosenbrock(y, x, c->n); break;
    case PEER_ARROW: arrow(y, x, c->n); break;
    case PEER_ROSEN_SUM: y[0] = rosen_sum(x, c->n); break;
    case PEER_LOGISTIC: y[0] = logistic(x, c->params); break;
    case PEER_TRIG_SUM: y[0] = trig_sum(x, c->n); break;
    case PEER_BROWN_SQ: y[0] = brown_sq(x, c->n); break;
    case PEER_ARROW_SUM: y[0] = arrow_sum(x, c->n); break;
    }
}
