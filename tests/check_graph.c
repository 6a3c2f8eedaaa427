/* check_graph.c: the recorded graph: VJPs by transposed seeding, JVPs by
 * forward sweeps, replay, branches, BLAS layer nodes, custom primitives,
 * threads and memory per node. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "known.h"
#include "testlib.h"

#define TOL 1e-13

/* Test-only hook of the library (src/internal.h). */
long dj__alloc_fail_set(long nth);

/* |got - want| within TOL relative to the magnitude of the terms summed. */
static void assert_dot(double got, const double *a, const double *b, size_t count,
                       size_t stride, const char *what, size_t index)
{
    double want = 0, mag = 0;
    for (size_t t = 0; t < count; t++) {
        want += a[t * stride] * b[t];
        mag += fabs(a[t * stride] * b[t]);
    }
    tl_assert_close(got, want, TOL * (1 + mag), "%s %zu", what, index);
}

/* ---- sweeps against the analytic Jacobian ------------------------------------------ */

START_TEST(test_vjp_equals_ut_j)
{
    const known_fn *k = &known[_i];
    size_t n = k->fn.n, m = k->fn.m;
    tl_rng rng;
    tl_rng_seed(&rng, 4000 + (uint64_t)_i);
    double *x = malloc(n * sizeof *x), *u = malloc(16 * m * sizeof *u);
    double *J = malloc(m * n * sizeof *J), *ju = malloc(16 * n * sizeof *ju);
    double *y = malloc(m * sizeof *y), *y0 = malloc(m * sizeof *y0);
    for (int c = 0; c < tl_cases(3); c++) {
        for (size_t j = 0; j < n; j++)
            x[j] = tl_uniform(&rng, k->lo, k->hi);
        for (size_t i = 0; i < 16 * m; i++)
            u[i] = tl_uniform(&rng, -1, 1);
        k->jac(J, x, n, m);
        k->fn.eval_double(y0, x, n, m, k->fn.ctx);
        ck_assert_int_eq(dj_vjp(y, ju, &k->fn, x, u, NULL), DJ_OK);
        for (size_t j = 0; j < n; j++)
            assert_dot(ju[j], J + j, u, m, n, k->name, j);
        for (size_t i = 0; i < m; i++)
            tl_assert_close(y[i], y0[i], 1e-15, "%s f_%zu", k->name, i);
        /* k seeds per sweep: each row of JU is one u_sᵀJ */
        dj_graph g;
        dj_graph_init(&g);
        ck_assert_int_eq(dj_graph_record(&g, &k->fn, x), DJ_OK);
        for (int kk = 1; kk <= 16; kk *= 2) {
            ck_assert_int_eq(dj_graph_vjp(&g, ju, u, kk), DJ_OK);
            for (int s = 0; s < kk; s++)
                for (size_t j = 0; j < n; j++)
                    assert_dot(ju[(size_t)s * n + j], J + j, u + (size_t)s * m, m, n, k->name, j);
        }
        dj_graph_clear(&g);
    }
    free(x), free(u), free(J), free(ju), free(y), free(y0);
}
END_TEST

START_TEST(test_graph_jvp_equals_j_v)
{
    const known_fn *k = &known[_i];
    size_t n = k->fn.n, m = k->fn.m;
    tl_rng rng;
    tl_rng_seed(&rng, 5000 + (uint64_t)_i);
    double *x = malloc(n * sizeof *x), *v = malloc(16 * n * sizeof *v);
    double *J = malloc(m * n * sizeof *J), *jv = malloc(16 * m * sizeof *jv);
    double *jv_fwd = malloc(m * sizeof *jv_fwd);
    for (size_t j = 0; j < n; j++)
        x[j] = tl_uniform(&rng, k->lo, k->hi);
    for (size_t j = 0; j < 16 * n; j++)
        v[j] = tl_uniform(&rng, -1, 1);
    k->jac(J, x, n, m);
    dj_graph g;
    dj_graph_init(&g);
    ck_assert_int_eq(dj_graph_record(&g, &k->fn, x), DJ_OK);
    for (int kk = 1; kk <= 16; kk *= 2) {
        ck_assert_int_eq(dj_graph_jvp(&g, jv, v, kk), DJ_OK);
        for (int s = 0; s < kk; s++)
            for (size_t i = 0; i < m; i++)
                assert_dot(jv[(size_t)s * m + i], J + i * n, v + (size_t)s * n, n, 1, k->name, i);
    }
    /* and the graph's JVP agrees with the dual numbers' to rounding */
    ck_assert_int_eq(dj_graph_jvp(&g, jv, v, 1), DJ_OK);
    ck_assert_int_eq(dj_jvp(NULL, jv_fwd, &k->fn, x, v, NULL), DJ_OK);
    for (size_t i = 0; i < m; i++)
        tl_assert_close(jv[i], jv_fwd[i], 1e-12, "%s graph vs dual JVP %zu", k->name, i);
    dj_graph_clear(&g);
    free(x), free(v), free(J), free(jv), free(jv_fwd);
}
END_TEST

START_TEST(test_replay_equals_fresh_recording)
{
    const known_fn *k = &known[_i];
    size_t n = k->fn.n, m = k->fn.m;
    tl_rng rng;
    tl_rng_seed(&rng, 6000 + (uint64_t)_i);
    double *x = malloc(n * sizeof *x), *u = malloc(m * sizeof *u);
    double *ju = malloc(n * sizeof *ju), *ju_fresh = malloc(n * sizeof *ju_fresh);
    double *y = malloc(m * sizeof *y), *y_fresh = malloc(m * sizeof *y_fresh);
    dj_graph g, fresh;
    dj_graph_init(&g);
    dj_graph_init(&fresh);
    for (size_t j = 0; j < n; j++)
        x[j] = tl_uniform(&rng, k->lo, k->hi);
    for (size_t i = 0; i < m; i++)
        u[i] = tl_uniform(&rng, -1, 1);
    ck_assert_int_eq(dj_graph_record(&g, &k->fn, x), DJ_OK);
    for (int c = 0; c < tl_cases(4); c++) {
        for (size_t j = 0; j < n; j++)
            x[j] = tl_uniform(&rng, k->lo, k->hi);
        ck_assert_int_eq(dj_graph_replay(&g, y, x), DJ_OK);
        ck_assert_int_eq(dj_graph_vjp(&g, ju, u, 1), DJ_OK);
        ck_assert_int_eq(dj_graph_record(&fresh, &k->fn, x), DJ_OK);
        ck_assert_int_eq(dj_graph_vjp(&fresh, ju_fresh, u, 1), DJ_OK);
        k->fn.eval_double(y_fresh, x, n, m, k->fn.ctx);
        for (size_t i = 0; i < m; i++)
            tl_assert_close(y[i], y_fresh[i], 1e-15, "%s replayed f_%zu", k->name, i);
        for (size_t j = 0; j < n; j++)
            tl_assert_close(ju[j], ju_fresh[j], 1e-14, "%s replayed vjp %zu", k->name, j);
    }
    dj_graph_clear(&g);
    dj_graph_clear(&fresh);
    free(x), free(u), free(ju), free(ju_fresh), free(y), free(y_fresh);
}
END_TEST

/* ---- branches ---------------------------------------------------------------------------- */

/* y = x0·x1 where x0 < x1, else sin(x0) + 2; and |x0 - 1| (a recomputed kink). */
#define BRANCHY(T, y, x, n, m, ctx)                                            \
    if (dj_lt(x[0], x[1]))                                                     \
        y[0] = dj_mul(x[0], x[1]);                                             \
    else                                                                       \
        y[0] = dj_add(dj_sin(x[0]), 2);                                        \
    y[1] = dj_fabs(dj_sub(x[0], 1.0));                                         \
    y[2] = dj_gt(x[1], 0.5) ? dj_mul(x[1], 3) : dj_const(T, 0);
DJ_FN_INSTANTIATE(branchy, BRANCHY);

START_TEST(test_replay_reports_branch_change)
{
    dj_fn f = DJ_FN_INIT(branchy, 2, 3, NULL);
    dj_graph g;
    dj_graph_init(&g);
    double x[2] = {0.5, 2.0}, y[3], ju[2], u[3] = {1, 0, 0};
    ck_assert_int_eq(dj_graph_record(&g, &f, x), DJ_OK);
    ck_assert_uint_eq(dj_graph_compares(&g), 2);
    /* same branches, the other side of fabs's kink: recomputed, no report */
    double x2[2] = {1.5, 3.0};
    ck_assert_int_eq(dj_graph_replay(&g, y, x2), DJ_OK);
    ck_assert(y[0] == 4.5 && y[1] == 0.5 && y[2] == 9.0);
    u[0] = 0, u[1] = 1;
    ck_assert_int_eq(dj_graph_vjp(&g, ju, u, 1), DJ_OK);
    ck_assert(ju[0] == 1.0 && ju[1] == 0.0);
    /* x0 > x1 would take the other branch: reported, y left as it was (the
     * recorded operations are not f's there), and the graph refuses */
    double x3[2] = {3.0, 2.0};
    y[0] = y[1] = y[2] = -99;
    ck_assert_int_eq(dj_graph_replay(&g, y, x3), DJ_EBRANCH);
    ck_assert(y[0] == -99 && y[1] == -99 && y[2] == -99);
    ck_assert_int_eq(dj_graph_vjp(&g, ju, u, 1), DJ_EBRANCH);
    ck_assert_int_eq(dj_graph_jvp(&g, ju, u, 1), DJ_EBRANCH);
    /* a comparison with a constant too */
    double x4[2] = {0.1, 0.2};
    ck_assert_int_eq(dj_graph_replay(&g, y, x4), DJ_EBRANCH);
    /* back on the recorded side: usable again */
    ck_assert_int_eq(dj_graph_replay(&g, y, x), DJ_OK);
    ck_assert_int_eq(dj_graph_vjp(&g, ju, u, 1), DJ_OK);
    ck_assert(ju[0] == -1.0);
    dj_graph_clear(&g);
}
END_TEST

/* ---- BLAS layer nodes ----------------------------------------------------------------------- */

/* f(x, W) = W·x: one node, vjp_x(u) = Wᵀu and vjp_W(u) = u·xᵀ. */
START_TEST(test_dense_node_vjp_x_and_vjp_w)
{
    enum { M = 3, N = 4 };
    tl_rng rng;
    tl_rng_seed(&rng, 31);
    double Wv[M * N], xv[N], u[M], grad[M * N + N];
    for (int i = 0; i < M * N; i++)
        Wv[i] = tl_uniform(&rng, -1, 1);
    for (int j = 0; j < N; j++)
        xv[j] = tl_uniform(&rng, -1, 1);
    for (int i = 0; i < M; i++)
        u[i] = tl_uniform(&rng, -1, 1);
    dj_graph g;
    dj_graph_init(&g);
    dj_var W[M * N], x[N], y[M];
    ck_assert_int_eq(dj_graph_inputs(&g, W, Wv, M * N), DJ_OK);
    ck_assert_int_eq(dj_graph_inputs(&g, x, xv, N), DJ_OK);
    size_t before = dj_graph_size(&g);
    dj_var_dense(y, W, x, NULL, M, N);
    ck_assert_uint_eq(dj_graph_size(&g) - before, M); /* one node, M outputs */
    ck_assert_int_eq(dj_graph_outputs(&g, y, M), DJ_OK);
    ck_assert_int_eq(dj_graph_vjp(&g, grad, u, 1), DJ_OK);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++)
            tl_assert_close(grad[i * N + j], u[i] * xv[j], TOL, "vjp_W[%d][%d]", i, j);
    for (int j = 0; j < N; j++) {
        double want = 0;
        for (int i = 0; i < M; i++)
            want += Wv[i * N + j] * u[i];
        tl_assert_close(grad[M * N + j], want, TOL, "vjp_x[%d]", j);
    }
    /* the graph's JVP: dy = dW·x + W·dx */
    double v[M * N + N], jv[M];
    for (int t = 0; t < M * N + N; t++)
        v[t] = tl_uniform(&rng, -1, 1);
    ck_assert_int_eq(dj_graph_jvp(&g, jv, v, 1), DJ_OK);
    for (int i = 0; i < M; i++) {
        double want = 0;
        for (int j = 0; j < N; j++)
            want += v[i * N + j] * xv[j] + Wv[i * N + j] * v[M * N + j];
        tl_assert_close(jv[i], want, TOL, "jvp[%d]", i);
    }
    dj_graph_clear(&g);
}
END_TEST

/* A two-layer network's gradient with respect to its weights equals the
 * backprop formula: L = ½(w2·tanh(W1·x + b1) + b2 - t)². */
enum { NET_IN = 5, NET_H = 7 };
START_TEST(test_two_layer_gradient_matches_backprop)
{
    tl_rng rng;
    tl_rng_seed(&rng, 99);
    /* parameters: W1 (H×IN), b1 (H), w2 (1×H), b2 (1) */
    enum { P = NET_H * NET_IN + NET_H + NET_H + 1 };
    double pv[P], xv[NET_IN], target = 0.3, grad[P];
    for (int t = 0; t < P; t++)
        pv[t] = tl_uniform(&rng, -1, 1);
    for (int j = 0; j < NET_IN; j++)
        xv[j] = tl_uniform(&rng, -1, 1);
    dj_graph g;
    dj_graph_init(&g);
    dj_var p[P], x[NET_IN], h[NET_H], out;
    ck_assert_int_eq(dj_graph_inputs(&g, p, pv, P), DJ_OK);
    for (int j = 0; j < NET_IN; j++)
        x[j] = dj_var_const(xv[j]); /* data, not parameters */
    dj_var *W1 = p, *b1 = p + NET_H * NET_IN, *w2 = b1 + NET_H, *b2 = w2 + NET_H;
    dj_var_dense(h, W1, x, b1, NET_H, NET_IN);
    for (int i = 0; i < NET_H; i++)
        h[i] = dj_tanh(h[i]);
    dj_var_dense(&out, w2, h, b2, 1, NET_H);
    dj_var r = dj_sub(out, target);
    dj_var loss = dj_mul(0.5, dj_mul(r, r));
    ck_assert_int_eq(dj_graph_outputs(&g, &loss, 1), DJ_OK);
    double one = 1;
    ck_assert_int_eq(dj_graph_vjp(&g, grad, &one, 1), DJ_OK);

    /* backprop by hand */
    double a[NET_H], hv[NET_H], y = pv[P - 1];
    for (int i = 0; i < NET_H; i++) {
        a[i] = pv[NET_H * NET_IN + i];
        for (int j = 0; j < NET_IN; j++)
            a[i] += pv[i * NET_IN + j] * xv[j];
        hv[i] = tanh(a[i]);
        y += pv[NET_H * NET_IN + NET_H + i] * hv[i];
    }
    double delta = y - target;
    for (int i = 0; i < NET_H; i++) {
        double w2i = pv[NET_H * NET_IN + NET_H + i];
        double dh = delta * w2i * (1 - hv[i] * hv[i]);
        for (int j = 0; j < NET_IN; j++)
            tl_assert_close(grad[i * NET_IN + j], dh * xv[j], TOL, "dL/dW1[%d][%d]", i, j);
        tl_assert_close(grad[NET_H * NET_IN + i], dh, TOL, "dL/db1[%d]", i);
        tl_assert_close(grad[NET_H * NET_IN + NET_H + i], delta * hv[i], TOL, "dL/dw2[%d]", i);
    }
    tl_assert_close(grad[P - 1], delta, TOL, "dL/db2");
    dj_graph_clear(&g);
}
END_TEST

/* A linear node whose inputs are not consecutive nodes and include a constant:
 * the gather and scatter paths. */
START_TEST(test_linear_node_scattered_inputs)
{
    double W[6] = {1, 2, 3, 4, 5, 6}, b[2] = {0.5, -0.5}, xv[3] = {0.3, -0.7, 1.1};
    dj_graph g;
    dj_graph_init(&g);
    dj_var in[3], x[3], y[2];
    ck_assert_int_eq(dj_graph_inputs(&g, in, xv, 3), DJ_OK);
    x[0] = dj_sin(in[2]);
    x[1] = dj_var_const(2.0);
    x[2] = dj_mul(in[0], in[1]);
    dj_linear(y, W, x, b, 2, 3);
    ck_assert_int_eq(dj_graph_outputs(&g, y, 2), DJ_OK);
    double J[6], U[2 * 2] = {1, 0, 0, 1};
    ck_assert_int_eq(dj_graph_vjp(&g, J, U, 2), DJ_OK);
    /* y_i = W_i0 sin(x2) + 2 W_i1 + W_i2 x0 x1 + b_i */
    for (int i = 0; i < 2; i++) {
        tl_assert_close(J[i * 3 + 0], W[i * 3 + 2] * xv[1], TOL, "dy%d/dx0", i);
        tl_assert_close(J[i * 3 + 1], W[i * 3 + 2] * xv[0], TOL, "dy%d/dx1", i);
        tl_assert_close(J[i * 3 + 2], W[i * 3 + 0] * cos(xv[2]), TOL, "dy%d/dx2", i);
    }
    double V[3] = {0.1, 0.2, 0.3}, jv[2];
    ck_assert_int_eq(dj_graph_jvp(&g, jv, V, 1), DJ_OK);
    for (int i = 0; i < 2; i++)
        tl_assert_close(jv[i], J[i * 3] * 0.1 + J[i * 3 + 1] * 0.2 + J[i * 3 + 2] * 0.3, TOL,
                        "jv%d", i);
    double x2[3] = {-0.4, 0.9, 2.0}, y2[2];
    ck_assert_int_eq(dj_graph_replay(&g, y2, x2), DJ_OK);
    for (int i = 0; i < 2; i++)
        tl_assert_close(y2[i], W[i * 3] * sin(2.0) + 2 * W[i * 3 + 1] + W[i * 3 + 2] * -0.36 + b[i],
                        TOL, "replayed y%d", i);
    dj_graph_clear(&g);
}
END_TEST

/* ---- custom primitives --------------------------------------------------------------------- */

static int exp_rule_calls;

/* exp that keeps its result: the rules use y instead of calling exp again. */
static void myexp_eval(double *y, double *saved, const double *x, const void *ctx)
{
    (void)saved, (void)ctx;
    y[0] = exp(x[0]);
}
static void myexp_jvp(double *jv, const double *v, const double *x, const double *y,
                      const double *saved, const void *ctx)
{
    (void)x, (void)saved, (void)ctx;
    exp_rule_calls++;
    jv[0] = y[0] * v[0];
}
static void myexp_vjp(double *ju, const double *u, const double *x, const double *y,
                      const double *saved, const void *ctx)
{
    (void)x, (void)saved, (void)ctx;
    exp_rule_calls++;
    ju[0] = u[0] * y[0];
}
static const dj_primitive myexp = {"myexp", 1, 1, 0, myexp_eval, myexp_jvp, myexp_vjp, NULL};

/* A vector primitive R^2 -> R^3, (a·b, sin a, b²), saving cos a for its rules. */
static void vec_eval(double *y, double *saved, const double *x, const void *ctx)
{
    (void)ctx;
    y[0] = x[0] * x[1];
    y[1] = sin(x[0]);
    y[2] = x[1] * x[1];
    saved[0] = cos(x[0]);
}
static void vec_jvp(double *jv, const double *v, const double *x, const double *y,
                    const double *saved, const void *ctx)
{
    (void)y, (void)ctx;
    jv[0] = x[1] * v[0] + x[0] * v[1];
    jv[1] = saved[0] * v[0];
    jv[2] = 2 * x[1] * v[1];
}
static void vec_vjp(double *ju, const double *u, const double *x, const double *y,
                    const double *saved, const void *ctx)
{
    (void)y, (void)ctx;
    ju[0] = u[0] * x[1] + u[1] * saved[0];
    ju[1] = u[0] * x[0] + u[2] * 2 * x[1];
}
static const dj_primitive vecprim = {"vec", 2, 3, 1, vec_eval, vec_jvp, vec_vjp, NULL};

/* y0 = myexp(x0)·x1, then vec(y0, x2) */
#define CUSTOM(T, y, x, n, m, ctx)                                             \
    {                                                                          \
        T in[2], out[3];                                                       \
        in[0] = dj_mul(dj_apply1(&myexp, x[0]), x[1]);                         \
        in[1] = x[2];                                                          \
        dj_apply(out, &vecprim, in);                                           \
        y[0] = out[0];                                                         \
        y[1] = dj_add(out[1], out[2]);                                         \
    }
DJ_FN_INSTANTIATE(custom, CUSTOM);

static void custom_jac(double *J, const double *x)
{
    double e = exp(x[0]), a = e * x[1], b = x[2];
    /* y0 = a·b, y1 = sin a + b² with a = e^x0·x1 */
    double da[3] = {a, e, 0}, db[3] = {0, 0, 1};
    for (int j = 0; j < 3; j++) {
        J[j] = da[j] * b + a * db[j];
        J[3 + j] = cos(a) * da[j] + 2 * b * db[j];
    }
}

START_TEST(test_custom_primitive_every_mode)
{
    dj_fn f = DJ_FN_INIT(custom, 3, 2, NULL);
    double x[3] = {0.3, -1.2, 0.8}, want[6], J[6];
    custom_jac(want, x);
    for (int mode = DJ_MODE_AUTO; mode <= DJ_MODE_REVERSE; mode++)
        for (int k = 1; k <= 16; k *= 2) {
            dj_opts o = {.mode = (dj_mode)mode, .chunk = k};
            exp_rule_calls = 0;
            ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, NULL), DJ_OK);
            ck_assert_int_gt(exp_rule_calls, 0); /* its own rule was used */
            for (int t = 0; t < 6; t++)
                tl_assert_close(J[t], want[t], TOL, "J[%d] mode %d chunk %d", t, mode, k);
        }
    double u[2] = {0.7, -0.3}, ju[3], v[3] = {1, 2, 3}, jv[2], y[2];
    ck_assert_int_eq(dj_vjp(y, ju, &f, x, u, NULL), DJ_OK);
    for (int j = 0; j < 3; j++)
        tl_assert_close(ju[j], u[0] * want[j] + u[1] * want[3 + j], TOL, "vjp %d", j);
    ck_assert_int_eq(dj_jvp(y, jv, &f, x, v, NULL), DJ_OK);
    for (int i = 0; i < 2; i++)
        tl_assert_close(jv[i], want[3 * i] + 2 * want[3 * i + 1] + 3 * want[3 * i + 2], TOL,
                        "jvp %d", i);
    /* replay calls eval again and refreshes what the rules see */
    dj_graph g;
    dj_graph_init(&g);
    ck_assert_int_eq(dj_graph_record(&g, &f, x), DJ_OK);
    double x2[3] = {-0.5, 0.4, 1.5}, y2[2], yd[2];
    ck_assert_int_eq(dj_graph_replay(&g, y2, x2), DJ_OK);
    f.eval_double(yd, x2, 3, 2, NULL);
    ck_assert(y2[0] == yd[0] && y2[1] == yd[1]);
    ck_assert_int_eq(dj_graph_vjp(&g, ju, u, 1), DJ_OK);
    custom_jac(want, x2);
    for (int j = 0; j < 3; j++)
        tl_assert_close(ju[j], u[0] * want[j] + u[1] * want[3 + j], TOL, "replayed vjp %d", j);
    dj_graph_clear(&g);
}
END_TEST

/* ---- gradient, memory, threads, errors ---------------------------------------------------- */

#define SUMSQ(T, y, x, n, m, ctx)                                              \
    {                                                                          \
        T s = dj_const(T, 0);                                                  \
        for (size_t i = 0; i < n; i++)                                         \
            s = dj_add(s, dj_mul(x[i], dj_sin(x[i])));                         \
        y[0] = s;                                                              \
    }
DJ_FN_INSTANTIATE(sumsq, SUMSQ);

START_TEST(test_gradient_matches_analytic)
{
    enum { N = 1000 };
    dj_fn f = DJ_FN_INIT(sumsq, N, 1, NULL);
    double *x = malloc(N * sizeof *x), *grad = malloc(N * sizeof *grad), y;
    for (int j = 0; j < N; j++)
        x[j] = 0.01 * j - 3;
    dj_workspace ws;
    dj_workspace_init(&ws);
    dj_opts o = {.ws = &ws};
    for (int rep = 0; rep < 2; rep++) {
        ck_assert_int_eq(dj_gradient(grad, &y, &f, x, &o), DJ_OK);
        for (int j = 0; j < N; j++)
            tl_assert_close(grad[j], sin(x[j]) + x[j] * cos(x[j]), TOL, "grad %d", j);
    }
    dj_fn two = DJ_FN_INIT(sumsq, N, 2, NULL);
    ck_assert_int_eq(dj_gradient(grad, &y, &two, x, NULL), DJ_EDIM);
    dj_workspace_clear(&ws);
    free(x), free(grad);
}
END_TEST

/* 10^6 and more binary operations (ctx: pairs of them): the graph holds at
 * most 32 bytes per node, at sizes on either side of a growth step. */
#define LONG_CHAIN(T, y, x, n, m, ctx)                                         \
    {                                                                          \
        T s = x[0];                                                            \
        for (size_t i = 0; i < *(const size_t *)ctx; i++) {                    \
            s = dj_mul(s, x[1]);                                               \
            s = dj_add(s, x[0]);                                               \
        }                                                                      \
        y[0] = s;                                                              \
    }
DJ_FN_INSTANTIATE(long_chain, LONG_CHAIN);

/* The same with a constant operand in every node (x·c, c - x, x/c, c^x,
 * x + c): the constants live in the nodes, not beside them (they took 38
 * bytes a node), and the sweeps and a replay use them right. */
#define CONST_CHAIN(T, y, x, n, m, ctx)                                        \
    {                                                                          \
        T s = x[0];                                                            \
        for (size_t i = 0; i < *(const size_t *)ctx; i++) {                    \
            s = dj_mul(s, 0.5);                                                \
            s = dj_sub(1.25, s);                                               \
            s = dj_div(s, 1.5);                                                \
            s = dj_add(dj_pow(1.0625, s), -1.0);                               \
        }                                                                      \
        y[0] = dj_mul(s, x[1]);                                                \
    }
DJ_FN_INSTANTIATE(const_chain, CONST_CHAIN);

START_TEST(test_memory_per_node_with_constants)
{
    static const size_t quads[] = {250000, 265000, 320000};
    dj_fn f = DJ_FN_INIT(const_chain, 2, 1, &quads[_i]);
    double x[2] = {0.3, 2.0};
    dj_graph g;
    dj_graph_init(&g);
    ck_assert_int_eq(dj_graph_record(&g, &f, x), DJ_OK);
    size_t nodes = dj_graph_size(&g), bytes = dj_graph_bytes(&g);
    ck_assert_uint_ge(nodes, 5 * quads[_i]);
    ck_assert_msg((double)bytes / (double)nodes <= 32.0, "%zu bytes for %zu nodes: %.2f B/node",
                  bytes, nodes, (double)bytes / (double)nodes);
    /* reverse, forward and replay against forward mode on duals */
    double grad[2], one = 1, J[2], y, y2, v[2] = {1, 0}, jv;
    ck_assert_int_eq(dj_graph_vjp(&g, grad, &one, 1), DJ_OK);
    ck_assert_int_eq(dj_graph_jvp(&g, &jv, v, 1), DJ_OK);
    dj_opts fwd = {.mode = DJ_MODE_FORWARD};
    ck_assert_int_eq(dj_jacobian(J, &y, &f, x, &fwd, NULL), DJ_OK);
    ck_assert(grad[0] == J[0] && grad[1] == J[1] && jv == J[0]);
    double x2[2] = {0.7, -1.0};
    ck_assert_int_eq(dj_graph_replay(&g, &y2, x2), DJ_OK);
    ck_assert_int_eq(dj_graph_vjp(&g, grad, &one, 1), DJ_OK);
    ck_assert_int_eq(dj_jacobian(J, &y, &f, x2, &fwd, NULL), DJ_OK);
    ck_assert(y2 == y && grad[0] == J[0] && grad[1] == J[1]);
    dj_graph_clear(&g);
}
END_TEST

START_TEST(test_memory_per_node_bounded)
{
    static const size_t pairs[] = {500000, 530000, 640000};
    dj_fn f = DJ_FN_INIT(long_chain, 2, 1, &pairs[_i]);
    double x[2] = {0.1, 0.5};
    dj_graph g;
    dj_graph_init(&g);
    ck_assert_int_eq(dj_graph_record(&g, &f, x), DJ_OK);
    size_t nodes = dj_graph_size(&g), bytes = dj_graph_bytes(&g);
    ck_assert_uint_ge(nodes, 2 * pairs[_i]);
    ck_assert_uint_eq(DJ_GRAPH_NODE_BYTES, 25);
    ck_assert_msg((double)bytes / (double)nodes <= 32.0, "%zu bytes for %zu nodes", bytes, nodes);
    /* and the sweep is right: s_{k+1} = s_k·x1 + x0 */
    double grad[2];
    double one = 1;
    ck_assert_int_eq(dj_graph_vjp(&g, grad, &one, 1), DJ_OK);
    tl_assert_close(grad[0], 1.0 / (1 - 0.5) , 1e-12, "ds/dx0 (geometric series)");
    dj_graph_clear(&g);
}
END_TEST

typedef struct {
    int which;
    double J[400];
    int status;
} thread_job;

static void run_job(thread_job *job)
{
    const known_fn *k = &known[job->which];
    double x[20];
    for (size_t j = 0; j < k->fn.n; j++)
        x[j] = k->lo + (k->hi - k->lo) * (double)(j + 1) / (double)(k->fn.n + 2);
    dj_workspace ws;
    dj_workspace_init(&ws);
    dj_opts o = {.mode = DJ_MODE_REVERSE, .ws = &ws};
    job->status = DJ_OK;
    for (int rep = 0; rep < 200 && job->status == DJ_OK; rep++)
        job->status = dj_jacobian(job->J, NULL, &k->fn, x, &o, NULL);
    dj_workspace_clear(&ws);
}

static void *thread_main(void *arg)
{
    run_job(arg);
    return NULL;
}

START_TEST(test_two_threads_independent)
{
    thread_job alone[2] = {{.which = 4}, {.which = 7}}, together[2] = {{.which = 4}, {.which = 7}};
    run_job(&alone[0]);
    run_job(&alone[1]);
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, thread_main, &together[i]), 0);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(together[i].status, DJ_OK);
        ck_assert(memcmp(alone[i].J, together[i].J, sizeof alone[i].J) == 0);
    }
}
END_TEST

START_TEST(test_graph_errors)
{
    dj_graph g1, g2;
    dj_graph_init(&g1);
    dj_graph_init(&g2);
    double one = 1, out[2];
    ck_assert_int_eq(dj_graph_vjp(&g1, out, &one, 1), DJ_EDIM); /* nothing recorded */
    dj_var a, b;
    ck_assert_int_eq(dj_graph_inputs(&g1, &a, &one, 1), DJ_OK);
    ck_assert_int_eq(dj_graph_inputs(&g2, &b, &one, 1), DJ_OK);
    dj_var c = dj_mul(a, b); /* two graphs meet */
    ck_assert_int_eq(dj_graph_status(&g1), DJ_EGRAPH);
    ck_assert_int_eq(dj_graph_outputs(&g1, &b, 1), DJ_EGRAPH);
    ck_assert_int_eq(dj_graph_vjp(&g1, out, &one, 1), DJ_EGRAPH);
    (void)c;
    dj_graph_reset(&g1);
    ck_assert_int_eq(dj_graph_status(&g1), DJ_OK);
    ck_assert_int_eq(dj_graph_inputs(&g1, &a, &one, 1), DJ_OK);
    dj_var d = dj_mul(a, 3.0);
    ck_assert_int_eq(dj_graph_outputs(&g1, &d, 1), DJ_OK);
    ck_assert_int_eq(dj_graph_vjp(&g1, out, &one, 3), DJ_ECHUNK);
    ck_assert_int_eq(dj_graph_vjp(&g1, out, &one, 1), DJ_OK);
    ck_assert(out[0] == 3.0);
    /* constants never touch a graph */
    dj_var k = dj_add(dj_var_const(2), 3);
    ck_assert(k.g == NULL && k.v == 5);
    dj_graph_clear(&g1);
    dj_graph_clear(&g2);
    dj_graph_clear(&g2);
    /* a function without the dj_var instantiation */
    dj_fn f = known[1].fn;
    f.eval_var = NULL;
    double x[2] = {1, 2}, J[4];
    dj_opts o = {.mode = DJ_MODE_REVERSE};
    ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, NULL), DJ_ENOTSUP);
    ck_assert_int_eq(dj_vjp(NULL, J, &f, x, x, NULL), DJ_ENOTSUP);
    o.mode = DJ_MODE_AUTO;
    ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, NULL), DJ_OK); /* falls back to forward */
}
END_TEST

/* pow with a constant exponent at a negative base is fine: no event, the
 * same derivative as the dual numbers (a spurious EDGE came from computing
 * the exponent's partial too). */
START_TEST(test_pow_negative_base_no_event)
{
    dj_graph g;
    dj_graph_init(&g);
    dj_var x;
    double xv = -2.0, grad, one = 1;
    ck_assert_int_eq(dj_graph_inputs(&g, &x, &xv, 1), DJ_OK);
    dj_events_clear();
    dj_var y = dj_pow(x, 3);
    ck_assert_uint_eq(dj_events(), 0);
    ck_assert_int_eq(dj_graph_outputs(&g, &y, 1), DJ_OK);
    ck_assert_int_eq(dj_graph_vjp(&g, &grad, &one, 1), DJ_OK);
    ck_assert(y.v == -8.0 && grad == 12.0);
    double x2 = -3.0, y2;
    ck_assert_int_eq(dj_graph_replay(&g, &y2, &x2), DJ_OK);
    ck_assert_uint_eq(dj_events(), 0);
    ck_assert(y2 == -27.0);
    dj_graph_clear(&g);
}
END_TEST

/* An allocation failure while recording is sticky and leaves the graph usable. */
START_TEST(test_allocation_failure_sticky)
{
    dj_fn f = known[10].fn; /* arrowhead, n = 15 */
    double x[15], J[225];
    for (int j = 0; j < 15; j++)
        x[j] = 0.1 * j;
    dj_graph g;
    dj_graph_init(&g);
    for (long nth = 1; nth < 12; nth++) {
        dj__alloc_fail_set(nth);
        int st = dj_graph_record(&g, &f, x);
        dj__alloc_fail_set(0);
        ck_assert(st == DJ_OK || st == DJ_ENOMEM);
        if (st == DJ_ENOMEM)
            ck_assert_int_eq(dj_graph_vjp(&g, J, x, 1), DJ_ENOMEM);
        ck_assert_int_eq(dj_graph_record(&g, &f, x), DJ_OK);
        ck_assert_int_eq(dj_graph_vjp(&g, J, x, 1), DJ_OK);
    }
    dj_graph_clear(&g);
}
END_TEST

static Suite *graph_suite(void)
{
    Suite *s = suite_create("graph");
    TCase *tc = tcase_create("sweeps");
    tcase_add_unchecked_fixture(tc, known_setup, NULL);
    tcase_add_loop_test(tc, test_vjp_equals_ut_j, 0, known_count);
    tcase_add_loop_test(tc, test_graph_jvp_equals_j_v, 0, known_count);
    tcase_add_loop_test(tc, test_replay_equals_fresh_recording, 0, known_count);
    tcase_add_test(tc, test_gradient_matches_analytic);
    suite_add_tcase(s, tc);

    tc = tcase_create("branches");
    tcase_add_test(tc, test_replay_reports_branch_change);
    suite_add_tcase(s, tc);

    tc = tcase_create("layers");
    tcase_add_test(tc, test_dense_node_vjp_x_and_vjp_w);
    tcase_add_test(tc, test_two_layer_gradient_matches_backprop);
    tcase_add_test(tc, test_linear_node_scattered_inputs);
    suite_add_tcase(s, tc);

    tc = tcase_create("primitives");
    tcase_add_test(tc, test_custom_primitive_every_mode);
    suite_add_tcase(s, tc);

    tc = tcase_create("resources");
    tcase_add_unchecked_fixture(tc, known_setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_memory_per_node_bounded, 0, 3);
    tcase_add_loop_test(tc, test_memory_per_node_with_constants, 0, 3);
    tcase_add_test(tc, test_two_threads_independent);
    tcase_add_test(tc, test_graph_errors);
    tcase_add_test(tc, test_pow_negative_base_no_event);
    tcase_add_test(tc, test_allocation_failure_sticky);
    suite_add_tcase(s, tc);

    return s;
}

int main(void) { return tl_main(graph_suite); }
