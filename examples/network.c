/*
 * network.c: a small neural network, two dense layers with tanh,
 *
 *     out(x) = w2 · tanh(W1 x + b1) + b2,     x in R^2, 16 hidden units,
 *
 * trained by full-batch gradient descent (with momentum) on a synthetic
 * regression task, t = sin(2 x1) + x2^2 / 2 at 64 points, the loss
 * L = mean((out - t)^2) / 2. The gradient is one VJP on the graph: both
 * layers are single graph nodes (dj_var_dense) with the weights as graph
 * inputs, and the graph is reset every step, so training allocates nothing
 * after the first epoch. Once, the same gradient is checked against forward
 * mode (the loss written as a dj_fn of the 65 parameters). Exits 1 if the
 * final loss is not below 2e-3 or the gradients disagree. The loss is a
 * template, network.dj.h: compile with -I and this folder.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <dualjac.h>

enum { IN = 2, HID = 16, SAMPLES = 64, P = HID * IN + HID + HID + 1 };

typedef struct data {
    double x[SAMPLES][IN], t[SAMPLES];
} data;

/* splitmix64: the same data on every machine */
static double uniform(unsigned long long *s, double lo, double hi)
{
    unsigned long long z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return lo + (hi - lo) * (double)(z >> 11) * 0x1.0p-53;
}

/* The loss as a function of the parameters, written once over T as
 * ordinary C (network.dj.h), instantiated for every scalar type. */
#define DJ_TEMPLATE "network.dj.h"
#include <dualjac/instantiate.h>

/* One step's loss and gradient: the network recorded with dense-layer nodes
 * and swept back once. */
static int loss_and_gradient(dj_graph *g, const double *params, const data *d, double *loss,
                             double *grad)
{
    dj_var p[P], h[HID], out, x[IN];
    dj_graph_reset(g);
    int status = dj_graph_inputs(g, p, params, P);
    if (status != DJ_OK)
        return status;
    dj_var *W1 = p, *b1 = p + HID * IN, *w2 = b1 + HID, *b2 = w2 + HID;
    dj_var total = dj_var_const(0);
    for (int s = 0; s < SAMPLES; s++) {
        for (int j = 0; j < IN; j++)
            x[j] = dj_var_const(d->x[s][j]); /* data, not parameters */
        dj_var_dense(h, W1, x, b1, HID, IN);
        for (int i = 0; i < HID; i++)
            h[i] = dj_tanh(h[i]);
        dj_var_dense(&out, w2, h, b2, 1, HID);
        dj_var r = dj_sub(out, d->t[s]);
        total = dj_add(total, dj_mul(r, r));
    }
    dj_var L = dj_mul(total, 0.5 / SAMPLES);
    if ((status = dj_graph_outputs(g, &L, 1)) != DJ_OK)
        return status;
    *loss = L.v;
    const double one = 1.0;
    return dj_graph_vjp(g, grad, &one, 1);
}

int main(void)
{
    static data d;
    unsigned long long seed = 2026;
    for (int s = 0; s < SAMPLES; s++) {
        d.x[s][0] = uniform(&seed, -1, 1);
        d.x[s][1] = uniform(&seed, -1, 1);
        d.t[s] = sin(2 * d.x[s][0]) + 0.5 * d.x[s][1] * d.x[s][1];
    }
    double params[P], velocity[P] = {0}, grad[P], loss = 0;
    for (int k = 0; k < P; k++)
        params[k] = uniform(&seed, -0.5, 0.5);

    dj_graph g;
    dj_graph_init(&g);
    int status = DJ_OK, ok = 1;

    /* the graph's gradient against forward mode, once, at the start */
    dj_fn f = DJ_FN_INIT(loss, P, 1, &d);
    double fwd[P], y;
    dj_opts opts = {.mode = DJ_MODE_FORWARD};
    status = loss_and_gradient(&g, params, &d, &loss, grad);
    if (status == DJ_OK)
        status = dj_jacobian(fwd, &y, &f, params, &opts, NULL);
    double worst = 0;
    for (int k = 0; k < P && status == DJ_OK; k++)
        worst = fmax(worst, fabs(grad[k] - fwd[k]) / fmax(1e-300, fabs(fwd[k])));
    printf("gradient check: graph VJP vs forward mode, %d parameters, max relative "
           "difference %.1e\n", P, worst);
    if (status == DJ_OK && (worst > 1e-12 || fabs(loss - y) > 1e-15 * y)) {
        fprintf(stderr, "network: the gradients disagree\n");
        ok = 0;
    }

    const int epochs = 400;
    const double rate = 0.5, momentum = 0.9;
    printf("epoch  loss (every epoch, ten to a line)\n");
    for (int e = 0; e < epochs && status == DJ_OK; e++) {
        status = loss_and_gradient(&g, params, &d, &loss, grad);
        for (int k = 0; k < P; k++) {
            velocity[k] = momentum * velocity[k] - rate * grad[k];
            params[k] += velocity[k];
        }
        if (e % 10 == 0)
            printf("%5d ", e);
        printf(" %.5f", loss);
        if (e % 10 == 9)
            printf("\n");
    }
    dj_graph_clear(&g);
    if (status != DJ_OK) {
        fprintf(stderr, "network: %s\n", dj_strerror(status));
        return 1;
    }
    printf("final loss %.3e (bound 2e-3)\n", loss);
    if (!(loss < 2e-3)) {
        fprintf(stderr, "network: the loss did not fall below 2e-3\n");
        ok = 0;
    }
    return ok ? 0 : 1;
}
