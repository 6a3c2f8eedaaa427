/* check_jacobian.c: forward-mode Jacobians of known functions against their
 * analytic Jacobians, for every chunk width and both layouts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/problems/problems.h"
#include "known.h"
#include "testlib.h"

/* Test-only hook of the library (src/internal.h): counts allocations. */
long dj__alloc_fail_set(long nth);

#define TOL 1e-13

static const int chunks[] = {1, 2, 4, 8, 16};

/* The oracle: for every chunk width and both layouts (with a padded leading
 * dimension), J equals the analytic Jacobian and y equals f(x). */
START_TEST(test_jacobian_matches_analytic)
{
    const known_fn *k = &known[_i];
    size_t n = k->fn.n, m = k->fn.m;
    tl_rng rng;
    tl_rng_seed(&rng, 500 + (uint64_t)_i);
    double *x = malloc(n * sizeof *x), *want = malloc(n * m * sizeof *want);
    double *y = malloc(m * sizeof *y), *y0 = malloc(m * sizeof *y0);
    size_t ld_pad = 3, cells = (m + ld_pad) * (n + ld_pad);
    double *J = malloc(cells * sizeof *J);
    for (int c = 0; c < tl_cases(3); c++) {
        for (size_t j = 0; j < n; j++)
            x[j] = tl_uniform(&rng, k->lo, k->hi);
        k->jac(want, x, n, m);
        k->fn.eval_double(y0, x, n, m, k->fn.ctx);
        for (int mode = DJ_MODE_AUTO; mode <= DJ_MODE_REVERSE; mode++)
        for (size_t ci = 0; ci < sizeof chunks / sizeof *chunks; ci++) {
            for (int layout = 0; layout < 2; layout++) {
                dj_opts o = {.mode = (dj_mode)mode, .chunk = chunks[ci],
                             .layout = layout ? DJ_COL_MAJOR : DJ_ROW_MAJOR,
                             .ld = (layout ? m : n) + ld_pad};
                dj_report rep;
                for (size_t t = 0; t < cells; t++)
                    J[t] = -777;
                int st = dj_jacobian(J, y, &k->fn, x, &o, &rep);
                ck_assert_msg(st == DJ_OK, "%s: %s", k->name, dj_strerror(st));
                size_t kk = (size_t)chunks[ci];
                if (mode == DJ_MODE_AUTO)
                    ck_assert_int_eq(rep.mode, dj_mode_auto(n, m));
                else
                    ck_assert_int_eq(rep.mode, mode);
                if (rep.mode == DJ_MODE_FORWARD && rep.colors > 0) {
                    /* auto mode found J sparse: colored passes, at most
                     * half the dense ones (dj_sparsity) */
                    ck_assert_int_eq(mode, DJ_MODE_AUTO);
                    ck_assert_uint_eq(rep.passes, (rep.colors + kk - 1) / kk);
                    ck_assert_uint_le(2 * rep.passes, (n + kk - 1) / kk);
                } else if (rep.mode == DJ_MODE_FORWARD)
                    ck_assert_uint_eq(rep.passes, (n + kk - 1) / kk);
                else
                    ck_assert_uint_eq(rep.sweeps, (m + kk - 1) / kk);
                ck_assert_int_eq(rep.chunk, chunks[ci]);
                for (size_t i = 0; i < m; i++) {
                    tl_assert_close(y[i], y0[i], 1e-15, "%s f_%zu", k->name, i);
                    for (size_t j = 0; j < n; j++) {
                        double got = layout ? J[j * o.ld + i] : J[i * o.ld + j];
                        tl_assert_close(got, want[i * n + j], TOL, "%s J[%zu][%zu] mode %d chunk %d %s",
                                        k->name, i, j, mode, chunks[ci], layout ? "col" : "row");
                    }
                }
                /* the padding beyond each row or column is untouched */
                for (size_t i = 0; i < (layout ? n : m); i++)
                    for (size_t p = (layout ? m : n); p < o.ld; p++)
                        ck_assert(J[i * o.ld + p] == -777);
            }
        }
    }
    free(x), free(want), free(y), free(y0), free(J);
}
END_TEST

/* Second witness: central differences agree with the analytic Jacobian. */
START_TEST(test_analytic_matches_finite_differences)
{
    known_assert_witnessed(&known[_i], 900 + (uint64_t)_i);
}
END_TEST

/* dj_jvp gives J·v in one pass. */
START_TEST(test_jvp_equals_j_times_v)
{
    const known_fn *k = &known[_i];
    size_t n = k->fn.n, m = k->fn.m;
    tl_rng rng;
    tl_rng_seed(&rng, 700 + (uint64_t)_i);
    double *x = malloc(n * sizeof *x), *v = malloc(n * sizeof *v), *J = malloc(n * m * sizeof *J);
    double *jv = malloc(m * sizeof *jv), *y = malloc(m * sizeof *y), *y0 = malloc(m * sizeof *y0);
    for (size_t j = 0; j < n; j++) {
        x[j] = tl_uniform(&rng, k->lo, k->hi);
        v[j] = tl_uniform(&rng, -1, 1);
    }
    k->jac(J, x, n, m);
    k->fn.eval_double(y0, x, n, m, k->fn.ctx);
    ck_assert_int_eq(dj_jvp(y, jv, &k->fn, x, v, NULL), DJ_OK);
    for (size_t i = 0; i < m; i++) {
        double want = 0, mag = 0;
        for (size_t j = 0; j < n; j++) {
            want += J[i * n + j] * v[j];
            mag += fabs(J[i * n + j] * v[j]);
        }
        tl_assert_close(jv[i], want, TOL * (1 + mag), "%s (Jv)_%zu", k->name, i);
        tl_assert_close(y[i], y0[i], 1e-15, "%s f_%zu", k->name, i);
    }
    free(x), free(v), free(J), free(jv), free(y), free(y0);
}
END_TEST

/* ---- sizes, options and errors ---------------------------------------------- */

/* Reads only a few inputs, so that n = 10^5 runs quickly: proves no buffer
 * is sized on the stack by n or m. */
#define SPARSE_BIG(T, y, x, n, m, ctx)                                         \
    y[0] = dj_mul(x[0], x[n - 1]);                                             \
    y[1] = dj_sin(x[n / 2]);                                                   \
    for (size_t i = 2; i < m; i++)                                             \
        y[i] = dj_mul((double)i, x[i % n]);
DJ_FN_INSTANTIATE(sparse_big, SPARSE_BIG);

START_TEST(test_large_sizes)
{
    const size_t big = 100000;
    dj_fn wide = DJ_FN_INIT(sparse_big, big, 3, NULL);
    double *x = malloc(big * sizeof *x), *J = malloc(3 * big * sizeof *J);
    for (size_t j = 0; j < big; j++)
        x[j] = 1.0 + (double)j / big;
    dj_workspace ws;
    dj_workspace_init(&ws);
    dj_opts o = {.ws = &ws};
    ck_assert_int_eq(dj_jacobian(J, NULL, &wide, x, &o, NULL), DJ_OK);
    ck_assert(J[0] == x[big - 1] && J[big - 1] == x[0] && J[1] == 0);
    tl_assert_close(J[big + big / 2], cos(x[big / 2]), TOL, "cos");
    ck_assert(J[2 * big + 2] == 2.0);

    dj_fn tall = DJ_FN_INIT(sparse_big, 2, big, NULL);
    double *Jt = malloc(2 * big * sizeof *Jt);
    ck_assert_int_eq(dj_jacobian(Jt, NULL, &tall, x, &o, NULL), DJ_OK);
    ck_assert(Jt[2 * (big - 1) + (big - 1) % 2] == (double)(big - 1));
    dj_workspace_clear(&ws);
    dj_workspace_clear(&ws); /* a second clear is safe */
    free(x), free(J), free(Jt);
}
END_TEST

START_TEST(test_workspace_reused)
{
    const known_fn *k = &known[4];
    double x[12], J[144], J2[144];
    for (int j = 0; j < 12; j++)
        x[j] = 0.1 * j;
    dj_workspace ws;
    dj_workspace_init(&ws);
    dj_opts o = {.chunk = 8, .ws = &ws};
    ck_assert_int_eq(dj_jacobian(J, NULL, &k->fn, x, &o, NULL), DJ_OK);
    /* forward passes keep their buffers in pass_buf (one set per thread) */
    void *buf = ws.pass_buf;
    size_t size = ws.pass_size;
    ck_assert(buf != NULL && size > 0);
    ck_assert_int_eq(dj_jacobian(J2, NULL, &k->fn, x, &o, NULL), DJ_OK);
    ck_assert(ws.pass_buf == buf && ws.pass_size == size);
    ck_assert(memcmp(J, J2, sizeof J) == 0);
    dj_workspace_clear(&ws);
    ck_assert(ws.buf == NULL && ws.size == 0 && ws.pass_buf == NULL && ws.pass_size == 0);
}
END_TEST

START_TEST(test_errors_are_status_codes)
{
    const known_fn *k = &known[1];
    double x[2] = {1, 2}, J[4];
    dj_opts o = {0};
    ck_assert_int_eq(dj_jacobian(J, NULL, NULL, x, NULL, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_jacobian(NULL, NULL, &k->fn, x, NULL, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_jacobian(J, NULL, &k->fn, NULL, NULL, NULL), DJ_EINVAL);
    o.chunk = 3;
    ck_assert_int_eq(dj_jacobian(J, NULL, &k->fn, x, &o, NULL), DJ_ECHUNK);
    o.chunk = 32;
    ck_assert_int_eq(dj_jacobian(J, NULL, &k->fn, x, &o, NULL), DJ_ECHUNK);
    o.chunk = 0;
    o.ld = 1;
    ck_assert_int_eq(dj_jacobian(J, NULL, &k->fn, x, &o, NULL), DJ_EDIM);
    o.ld = 0;
    o.layout = (dj_layout)7;
    ck_assert_int_eq(dj_jacobian(J, NULL, &k->fn, x, &o, NULL), DJ_EINVAL);
    dj_fn f = k->fn;
    f.n = 0;
    ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, NULL, NULL), DJ_EDIM);
    f = k->fn;
    f.abi = 99;
    ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, NULL, NULL), DJ_EINVAL);
    f = k->fn;
    f.eval_dual8 = NULL;
    o = (dj_opts){.chunk = 8};
    ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, NULL), DJ_ENOTSUP);
    f.eval_dual = NULL;
    double v[2] = {1, 0}, jv[2];
    ck_assert_int_eq(dj_jvp(NULL, jv, &f, x, v, NULL), DJ_ENOTSUP);
    /* sizes whose byte count overflows: refused before anything is read */
    f = k->fn;
    f.n = SIZE_MAX / 4;
    ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, NULL, NULL), DJ_ERANGE);
    ck_assert_str_eq(dj_strerror(DJ_ECHUNK), "chunk width not available (use 1, 2, 4, 8 or 16)");
    ck_assert_str_eq(dj_strerror(-1), "unknown status");
    ck_assert_str_eq(dj_strerror(DJ_STATUS_COUNT_), "unknown status");
    for (int s = 0; s < DJ_STATUS_COUNT_; s++)
        ck_assert(dj_strerror(s)[0] != '\0');
}
END_TEST

/* The instantiations take y and x as restrict pointers, so dj_eval refuses
 * arrays that overlap and accepts ones that only touch. */
#define SWAP_SCALE(T, y, x, n, m, ctx)                                         \
    y[0] = dj_mul(2, x[1]);                                                    \
    y[1] = dj_mul(3, x[0]);
DJ_FN_DEFINE(swap_scale, 2, 2, SWAP_SCALE);

/* The drivers refuse outputs that overlap their inputs (the passes read x
 * while they store), a negative thread count, and null objects to start. */
START_TEST(test_drivers_refuse_bad_arguments)
{
    double buf[8] = {1, 2, 0, 0, 0, 0, 0, 0}, J[4], y[2], v[2] = {1, 0};
    dj_fn f = swap_scale;
    /* y over x, J over x, J over y; touching arrays are fine */
    ck_assert_int_eq(dj_jacobian(J, buf, &f, buf, NULL, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_jacobian(J, buf + 1, &f, buf, NULL, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_jacobian(buf + 1, NULL, &f, buf, NULL, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_jacobian(buf + 2, buf + 5, &f, buf, NULL, NULL), DJ_EINVAL);
    dj_opts col = {.layout = DJ_COL_MAJOR, .ld = 3}; /* J spans 3 + 2 doubles */
    ck_assert_int_eq(dj_jacobian(buf + 2, buf + 6, &f, buf, &col, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_jacobian(buf + 2, buf + 4, &f, buf, &col, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_jacobian(buf + 2, buf + 6, &f, buf, NULL, NULL), DJ_OK);
    ck_assert(buf[2] == 0 && buf[3] == 2 && buf[4] == 3 && buf[5] == 0 && buf[6] == 4);
    ck_assert_int_eq(dj_jvp(buf, y, &f, buf, v, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_jvp(y, buf + 1, &f, buf, v, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_jvp(y, v, &f, buf, v, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_vjp(y, buf, &f, buf, v, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_vjp(v, y, &f, buf, v, NULL), DJ_EINVAL);
    ck_assert_int_eq(dj_vjp(y, y, &f, buf, v, NULL), DJ_EINVAL);
    double x[2] = {1, 2};
    for (int threads = -3; threads <= 0; threads++) {
        dj_opts o = {.threads = threads};
        ck_assert_int_eq(dj_jacobian(J, y, &f, x, &o, NULL), threads < 0 ? DJ_EINVAL : DJ_OK);
        dj_sparse sp;
        dj_sparse_init(&sp);
        ck_assert_int_eq(dj_sparse_analyze(&sp, &f, x, NULL), DJ_OK);
        ck_assert_int_eq(dj_sparse_jacobian(J, y, &sp, &f, x, &o, NULL),
                         threads < 0 ? DJ_EINVAL : DJ_OK);
        ck_assert_int_eq(dj_sparse_jacobian(J, y, &sp, &f, J, &o, NULL), DJ_EINVAL);
        dj_sparse_clear(&sp);
    }
    /* initialisers and clearers take NULL */
    dj_graph_init(NULL);
    dj_graph_clear(NULL);
    dj_workspace_init(NULL);
    dj_workspace_clear(NULL);
    dj_sparse_init(NULL);
    dj_sparse_clear(NULL);
    dj_pattern_init(NULL);
    dj_pattern_clear(NULL);
    dj_coloring_init(NULL);
    dj_coloring_clear(NULL);
}
END_TEST

START_TEST(test_eval_refuses_overlap)
{
    double buf[4] = {1, 2, 0, 0};
    ck_assert_int_eq(dj_eval(buf + 2, &swap_scale, buf), DJ_OK);
    ck_assert(buf[2] == 4 && buf[3] == 3);
    ck_assert_int_eq(dj_eval(buf, &swap_scale, buf + 2), DJ_OK);
    ck_assert(buf[0] == 6 && buf[1] == 12);
    ck_assert_int_eq(dj_eval(buf, &swap_scale, buf), DJ_EINVAL);
    ck_assert_int_eq(dj_eval(buf + 1, &swap_scale, buf), DJ_EINVAL);
    ck_assert_int_eq(dj_eval(buf, &swap_scale, buf + 1), DJ_EINVAL);
    ck_assert(buf[0] == 6 && buf[1] == 12 && buf[2] == 4 && buf[3] == 3);
    ck_assert_int_eq(dj_eval(NULL, &swap_scale, buf), DJ_EINVAL);
    dj_fn huge = swap_scale;
    huge.n = SIZE_MAX / 4; /* no array of that many doubles exists */
    ck_assert_int_eq(dj_eval(buf + 2, &huge, buf), DJ_EINVAL);
}
END_TEST

#define SQRT_PLUS(T, y, x, n, m, ctx) y[0] = dj_add(dj_sqrt(x[0]), x[1]);
DJ_FN_INSTANTIATE(sqrt_plus, SQRT_PLUS);

START_TEST(test_events_nansafe_and_strict)
{
    dj_fn f = DJ_FN_INIT(sqrt_plus, 2, 1, NULL);
    double x[2] = {0.0, 3.0}, J[2], y;
    dj_report rep;
    /* IEEE: the y column meets 0·Inf in the same pass */
    ck_assert_int_eq(dj_jacobian(J, &y, &f, x, NULL, &rep), DJ_OK);
    ck_assert(J[0] == INFINITY && isnan(J[1]));
    ck_assert(rep.events & DJ_EVENT_EDGE);
    ck_assert(rep.events & DJ_EVENT_NONFINITE);
    ck_assert(dj_events() == rep.events);
    /* NaN-safe: each direction is kept apart */
    dj_opts o = {.nansafe = 1};
    ck_assert_int_eq(dj_jacobian(J, &y, &f, x, &o, &rep), DJ_OK);
    ck_assert(J[0] == INFINITY && J[1] == 1.0);
    ck_assert(!dj_nansafe()); /* restored after the call */
    /* strict: a non-finite output is an error status, J still filled */
    o.strict = 1;
    ck_assert_int_eq(dj_jacobian(J, &y, &f, x, &o, &rep), DJ_ENONFINITE);
    ck_assert(J[1] == 1.0);
    /* away from the edge: no events */
    x[0] = 4.0;
    ck_assert_int_eq(dj_jacobian(J, &y, &f, x, &o, &rep), DJ_OK);
    ck_assert(rep.events == 0 && y == 5.0 && J[0] == 0.25 && J[1] == 1.0);
}
END_TEST

/* A NaN in the first of several passes is reported too (the check once
 * looked only at the last pass's tangents). */
#define FIRST_COLUMN_SQRT(T, y, x, n, m, ctx)                                  \
    {                                                                          \
        T s = dj_sqrt(x[0]);                                                   \
        for (size_t j = 1; j < n; j++)                                         \
            s = dj_add(s, x[j]);                                               \
        y[0] = s;                                                              \
    }
DJ_FN_INSTANTIATE(first_column_sqrt, FIRST_COLUMN_SQRT);

START_TEST(test_nonfinite_in_any_pass_reported)
{
    dj_fn f = DJ_FN_INIT(first_column_sqrt, 40, 1, NULL);
    double x[40], J[40];
    for (int j = 0; j < 40; j++)
        x[j] = 1.0;
    x[0] = -1.0; /* sqrt(-1): NaN in column 0, which the first pass computes */
    for (int mode = DJ_MODE_FORWARD; mode <= DJ_MODE_REVERSE; mode++)
        for (int layout = 0; layout < 2; layout++) {
            dj_opts o = {.mode = (dj_mode)mode, .chunk = 4, .layout = (dj_layout)layout};
            dj_report rep;
            ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, &rep), DJ_OK);
            /* reverse keeps the other entries exact; forward passes meet
             * 0·NaN in every direction by IEEE */
            ck_assert(isnan(J[0]));
            ck_assert(mode == DJ_MODE_FORWARD ? isnan(J[39]) : J[39] == 1.0);
            ck_assert_msg(rep.events & DJ_EVENT_NONFINITE, "mode %d layout %d", mode, layout);
        }
}
END_TEST

/* A single infinite derivative, sqrt'(0) at J[r][t] with r = t - 1 (mod n),
 * is found wherever it falls: in either layout, for every chunk width, in a
 * full pass or the last partial one, in either row of the column-major
 * store's row pairs or in its odd last row (t = 0, n odd). */
#define SQRT_NEXT(T, y, x, n, m, ctx)                                          \
    for (size_t i = 0; i < n; i++)                                             \
        y[i] = dj_sqrt(x[(i + 1) % n]);
DJ_FN_INSTANTIATE(sqrt_next, SQRT_NEXT);

START_TEST(test_nonfinite_found_in_every_position)
{
    for (size_t n = 7; n <= 18; n += 11) {
        dj_fn f = DJ_FN_INIT(sqrt_next, n, n, NULL);
        double x[18], J[18 * 18];
        for (size_t t = 0; t < n; t++)
            for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++)
                for (int layout = 0; layout < 2; layout++) {
                    size_t r = (t + n - 1) % n;
                    size_t at = layout == DJ_ROW_MAJOR ? r * n + t : t * n + r;
                    for (size_t j = 0; j < n; j++)
                        x[j] = 1.0 + (double)j;
                    x[t] = 0.0;
                    dj_opts o = {.mode = DJ_MODE_FORWARD, .chunk = chunks[c],
                                 .layout = (dj_layout)layout, .nansafe = 1};
                    dj_report rep;
                    ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, &rep), DJ_OK);
                    ck_assert(isinf(J[at]));
                    ck_assert_msg(rep.events & DJ_EVENT_NONFINITE, "n %zu t %zu k %d layout %d",
                                  n, t, chunks[c], layout);
                    x[t] = 4.0; /* and none where every derivative is finite */
                    ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, &rep), DJ_OK);
                    ck_assert(J[at] == 0.25);
                    ck_assert(!(rep.events & DJ_EVENT_NONFINITE));
                }
    }
}
END_TEST

/* An output that overflows while its derivative stays finite (floor has
 * derivative 0) is reported by every driver, whichever output it is: dj_vjp
 * once looked at the first output only. */
#define LATE_OVERFLOW(T, y, x, n, m, ctx)                                      \
    {                                                                          \
        y[0] = x[0];                                                           \
        y[1] = x[1];                                                           \
        y[2] = dj_floor(dj_mul(dj_mul(x[0], 1e308), 10.0));                    \
    }
DJ_FN_INSTANTIATE(late_overflow, LATE_OVERFLOW);

START_TEST(test_nonfinite_late_output_reported)
{
    dj_fn f = DJ_FN_INIT(late_overflow, 2, 3, NULL);
    const double x[2] = {2.0, 3.0}, u[3] = {1.0, 1.0, 0.0};
    double y[3], ju[2], J[6];
    dj_opts strict = {.strict = 1};
    ck_assert_int_eq(dj_vjp(y, ju, &f, x, u, NULL), DJ_OK);
    ck_assert(isinf(y[2]) && ju[0] == 1.0 && ju[1] == 1.0);
    ck_assert(dj_events() & DJ_EVENT_NONFINITE);
    ck_assert_int_eq(dj_vjp(y, ju, &f, x, u, &strict), DJ_ENONFINITE);
    for (int mode = DJ_MODE_FORWARD; mode <= DJ_MODE_REVERSE; mode++) {
        dj_opts o = {.mode = (dj_mode)mode, .strict = 1};
        ck_assert_int_eq(dj_jacobian(J, y, &f, x, &o, NULL), DJ_ENONFINITE);
    }
}
END_TEST

START_TEST(test_chunk_auto)
{
    ck_assert_int_eq(dj_chunk_auto(1), 1);
    ck_assert_int_eq(dj_chunk_auto(3), 4);
    ck_assert_int_eq(dj_chunk_auto(8), 8);
    ck_assert_int_eq(dj_chunk_auto(9), 16);
    ck_assert_int_eq(dj_chunk_auto(1000), 16);
    for (int k = -1; k < 40; k++)
        ck_assert_int_eq(dj_chunk_valid(k), k == 1 || k == 2 || k == 4 || k == 8 || k == 16);
}
END_TEST

/* A Jacobian of one pass (n <= chunk) runs on the stack when its duals fit
 * in 512 doubles, (n + m)(k + 1) of them, and through the runner of passes
 * otherwise: on both sides of that line, in both layouts, with and
 * without y, J is the same to the bit as n single-column passes give, the
 * report says one pass on one thread, and an output f makes non-finite is
 * reported. */
#define ONE_PASS(T, y, x, n, m, ctx)                                           \
    for (size_t i = 0; i < m; i++)                                             \
        y[i] = dj_add(dj_mul(x[i % n], dj_sin(x[(i + 1) % n])),                \
                      dj_log(dj_add(x[(i + 2) % n], (double)i)));
DJ_FN_INSTANTIATE(one_pass, ONE_PASS);

START_TEST(test_one_pass_equals_passes)
{
    enum { N = 10, MMAX = 40 };
    double x[N], J[MMAX * N], ref[MMAX * N], y[MMAX], yref[MMAX];
    for (size_t j = 0; j < N; j++)
        x[j] = 0.5 + 0.1 * (double)j;
    /* at k = 16: m = 20 fits ((10 + 20)·17 = 510), m = 21 does not */
    const size_t ms[] = {1, 20, 21, MMAX};
    for (size_t mi = 0; mi < sizeof ms / sizeof *ms; mi++)
        for (int layout = 0; layout < 2; layout++) {
            size_t m = ms[mi];
            dj_fn f = DJ_FN_INIT(one_pass, N, m, NULL);
            dj_opts one = {.mode = DJ_MODE_FORWARD, .chunk = 16, .layout = (dj_layout)layout};
            dj_opts each = one;
            each.chunk = 1;
            dj_report rep;
            ck_assert_int_eq(dj_jacobian(ref, yref, &f, x, &each, NULL), DJ_OK);
            ck_assert_int_eq(dj_jacobian(J, y, &f, x, &one, &rep), DJ_OK);
            ck_assert_msg(memcmp(J, ref, m * N * sizeof *J) == 0, "m %zu layout %d", m, layout);
            ck_assert(memcmp(y, yref, m * sizeof *y) == 0);
            ck_assert_uint_eq(rep.passes, 1);
            ck_assert_int_eq(rep.chunk, 16);
            ck_assert_int_eq(rep.threads, 1);
            ck_assert_int_eq(rep.threads_why, DJ_THREADS_FEW);
            ck_assert_uint_eq(rep.colors, 0);
            ck_assert_uint_eq(rep.events, 0);
            memset(J, 0, sizeof J);
            ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &one, NULL), DJ_OK);
            ck_assert(memcmp(J, ref, m * N * sizeof *J) == 0);
            /* log(x_2 + 0 - 0.7) at i = 0: a NaN value, found as f's */
            x[2] = -0.7;
            dj_opts strict = one;
            strict.strict = 1;
            ck_assert_int_eq(dj_jacobian(J, y, &f, x, &strict, &rep), DJ_ENONFINITE);
            ck_assert(rep.events & DJ_EVENT_NONFINITE);
            x[2] = 0.7;
        }
}
END_TEST

/* ---- the BLAS linear layer ----------------------------------------------------- */

#define CHECK_LINEAR(T, K)                                                     \
    do {                                                                       \
        T xs[6], ys[4];                                                        \
        for (int j = 0; j < 6; j++) {                                          \
            xs[j].v = x[j];                                                    \
            for (int s = 0; s < K; s++)                                        \
                ((double *)&xs[j])[1 + s] = t[j][s];                           \
        }                                                                      \
        dj_linear(ys, W, xs, use_b ? b : NULL, 4, 6);                          \
        for (int i = 0; i < 4; i++) {                                          \
            T acc = dj_const(T, use_b ? b[i] : 0);                             \
            for (int j = 0; j < 6; j++)                                        \
                acc = dj_add(acc, dj_mul(W[i * 6 + j], xs[j]));                \
            tl_assert_close(dj_value(ys[i]), dj_value(acc), TOL, "value row %d width %d", i, K); \
            for (int s = 0; s < K; s++)                                        \
                tl_assert_close(dj_tangent(ys[i], s), dj_tangent(acc, s), TOL, \
                                "tangent %d row %d width %d", s, i, K);        \
        }                                                                      \
    } while (0)

START_TEST(test_linear_layer_matches_loop)
{
    tl_rng rng;
    tl_rng_seed(&rng, 11);
    double W[24], b[4], x[6], t[6][16];
    for (int i = 0; i < 24; i++)
        W[i] = tl_uniform(&rng, -1, 1);
    for (int i = 0; i < 4; i++)
        b[i] = tl_uniform(&rng, -1, 1);
    for (int j = 0; j < 6; j++) {
        x[j] = tl_uniform(&rng, -1, 1);
        for (int s = 0; s < 16; s++)
            t[j][s] = tl_uniform(&rng, -1, 1);
    }
    for (int use_b = 0; use_b < 2; use_b++) {
        CHECK_LINEAR(dj_dual, 1);
        CHECK_LINEAR(dj_dual2, 2);
        CHECK_LINEAR(dj_dual4, 4);
        CHECK_LINEAR(dj_dual8, 8);
        CHECK_LINEAR(dj_dual16, 16);
        double yd[4];
        dj_linear(yd, W, x, use_b ? b : NULL, 4, 6);
        for (int i = 0; i < 4; i++) {
            double acc = use_b ? b[i] : 0;
            for (int j = 0; j < 6; j++)
                acc += W[i * 6 + j] * x[j];
            tl_assert_close(yd[i], acc, TOL, "double row %d", i);
        }
    }
}
END_TEST

/* ---- colored passes in auto mode (dj_sparsity) ------------------------------ */

/* Entries equal (== : the sign of a zero may differ), padding untouched.
 * One assertion for the lot: Check writes to its pipe at each one. */
static void assert_same_j(const double *a, const double *b, size_t outer, size_t ld,
                          const char *what)
{
    size_t bad = SIZE_MAX;
    for (size_t t = 0; t < outer * ld && bad == SIZE_MAX; t++)
        if (!(a[t] == b[t] || (isnan(a[t]) && isnan(b[t]))))
            bad = t;
    ck_assert_msg(bad == SIZE_MAX, "%s: cell %zu of line %zu: %.17g vs %.17g", what,
                  bad % ld, bad / ld, a[bad], b[bad]);
}

/* Banded and block-diagonal J at sizes past 12 dense passes: auto mode
 * colors them (3, 7 and 2 colors, one pass) and writes the dense J that the
 * dense passes write, in both layouts with a padded ld, with and without a
 * workspace, on one thread and on two. */
START_TEST(test_colored_equals_dense)
{
    static const char *names[] = {"broyden", "ext-rosenbrock", "trig", "powell"};
    static const size_t sizes[] = {200, 1000};
    const char *name = names[_i / 2];
    size_t n = sizes[_i % 2];
    dj_problem_instance p;
    ck_assert_int_eq(dj_problem_create(&p, dj_problem_find(name), n), DJ_OK);
    size_t m = p.fn.m, pad = 2, cells = (m + pad) * (n + pad);
    double *J = malloc(cells * sizeof *J), *D = malloc(cells * sizeof *D);
    double *y = malloc(m * sizeof *y), *yd = malloc(m * sizeof *yd);
    dj_workspace ws;
    dj_workspace_init(&ws);
    for (int variant = 0; variant < 6; variant++) {
        int layout = variant & 1, use_ws = (variant >> 1) & 1, threads = variant >= 4 ? 2 : 1;
        size_t ld = (layout ? m : n) + pad, outer = layout ? n : m;
        dj_opts o = {.layout = layout ? DJ_COL_MAJOR : DJ_ROW_MAJOR, .ld = ld,
                     .ws = use_ws ? &ws : NULL, .threads = threads};
        dj_opts od = o;
        od.sparsity = DJ_SPARSITY_DENSE;
        for (size_t t = 0; t < cells; t++)
            J[t] = D[t] = -777;
        dj_report rep, repd;
        ck_assert_int_eq(dj_jacobian(J, y, &p.fn, p.x0, &o, &rep), DJ_OK);
        ck_assert_int_eq(dj_jacobian(D, yd, &p.fn, p.x0, &od, &repd), DJ_OK);
        ck_assert_int_eq(rep.mode, DJ_MODE_FORWARD);
        ck_assert_msg(rep.colors > 0 && rep.colors <= 8, "%s n=%zu: %zu colors", name, n,
                      rep.colors);
        ck_assert_uint_eq(rep.passes, (rep.colors + (size_t)rep.chunk - 1) / (size_t)rep.chunk);
        ck_assert_uint_gt(rep.graph_nodes, n);
        ck_assert_uint_eq(repd.colors, 0);
        ck_assert_uint_eq(repd.passes, (n + 15) / 16);
        assert_same_j(J, D, outer, ld, name);
        ck_assert(memcmp(y, yd, m * sizeof *y) == 0);
    }
    dj_workspace_clear(&ws);
    ck_assert_ptr_null(ws.colored);
    free(J), free(D), free(y), free(yd);
    dj_problem_destroy(&p);
}
END_TEST

/* Brown's J is dense (its last row holds every column): auto mode runs the
 * dense passes, and 11 passes (n = 176) are too few to look at all. */
START_TEST(test_colored_declines_dense_and_small)
{
    for (int which = 0; which < 2; which++) {
        size_t n = which ? 176 : 300;
        dj_problem_instance p;
        ck_assert_int_eq(dj_problem_create(&p, dj_problem_find(which ? "broyden" : "brown"), n),
                         DJ_OK);
        double *J = malloc(n * n * sizeof *J), *D = malloc(n * n * sizeof *D);
        dj_report rep;
        dj_opts od = {.sparsity = DJ_SPARSITY_DENSE};
        ck_assert_int_eq(dj_jacobian(J, NULL, &p.fn, p.x0, NULL, &rep), DJ_OK);
        ck_assert_int_eq(dj_jacobian(D, NULL, &p.fn, p.x0, &od, NULL), DJ_OK);
        ck_assert_uint_eq(rep.colors, 0);
        ck_assert_uint_eq(rep.graph_nodes, 0);
        ck_assert_uint_eq(rep.passes, (n + 15) / 16);
        ck_assert(memcmp(J, D, n * n * sizeof *J) == 0);
        /* explicit forward mode never colors */
        dj_opts of = {.mode = DJ_MODE_FORWARD};
        ck_assert_int_eq(dj_jacobian(J, NULL, &p.fn, p.x0, &of, &rep), DJ_OK);
        ck_assert_uint_eq(rep.colors, 0);
        free(J), free(D);
        dj_problem_destroy(&p);
    }
}
END_TEST

/* Counts the calls of Brown's dj_var instantiation, each one a recording. */
static dj_var_eval_fn *counted_eval;
static int counted_calls;
static void counting_eval(dj_var *y, const dj_var *x, size_t n, size_t m, const void *ctx)
{
    counted_calls++;
    counted_eval(y, x, n, m, ctx);
}

/* With a workspace, a function found dense is not recorded again for its
 * next 63 calls; the 64th looks again. Another function is looked at. */
START_TEST(test_colored_remembers_dense)
{
    size_t n = 300;
    dj_problem_instance p;
    ck_assert_int_eq(dj_problem_create(&p, dj_problem_find("brown"), n), DJ_OK);
    dj_fn f = p.fn;
    counted_eval = f.eval_var;
    f.eval_var = counting_eval;
    counted_calls = 0;
    double *J = malloc(n * n * sizeof *J);
    dj_workspace ws;
    dj_workspace_init(&ws);
    dj_opts o = {.ws = &ws};
    for (int call = 0; call < 64; call++)
        ck_assert_int_eq(dj_jacobian(J, NULL, &f, p.x0, &o, NULL), DJ_OK);
    ck_assert_int_eq(counted_calls, 1);
    ck_assert_int_eq(dj_jacobian(J, NULL, &f, p.x0, &o, NULL), DJ_OK);
    ck_assert_int_eq(counted_calls, 2);
    dj_fn other = f;
    other.ctx = &n; /* Brown reads no context: another f to the workspace */
    ck_assert_int_eq(dj_jacobian(J, NULL, &other, p.x0, &o, NULL), DJ_OK);
    ck_assert_int_eq(counted_calls, 3);
    /* without a workspace nothing is remembered */
    o.ws = NULL;
    ck_assert_int_eq(dj_jacobian(J, NULL, &f, p.x0, &o, NULL), DJ_OK);
    ck_assert_int_eq(dj_jacobian(J, NULL, &f, p.x0, &o, NULL), DJ_OK);
    ck_assert_int_eq(counted_calls, 5);
    dj_workspace_clear(&ws);
    free(J);
    dj_problem_destroy(&p);
}
END_TEST

/* A pattern that changes with x through a branch on a value: y_i = x_i²
 * when x_0 > 0, else x_i·x_{i+1} (cyclic). */
#define SWITCHER(T, y, x, n, m, ctx)                                          \
    for (size_t i = 0; i < (n); i++)                                          \
        y[i] = dj_value(x[0]) > 0 ? dj_mul(x[i], x[i]) : dj_mul(x[i], x[(i + 1) % (n)]);
DJ_FN_INSTANTIATE(switcher, SWITCHER);

/* The pattern is found at every call: the workspace's kept pattern is not
 * trusted at a point where the function branches the other way, and a
 * loop at one pattern allocates nothing after its first call. */
START_TEST(test_colored_pattern_follows_x)
{
    enum { N = 256 };
    dj_fn f = DJ_FN_INIT(switcher, N, N, NULL);
    static double x[N], J[N * N];
    dj_workspace ws;
    dj_workspace_init(&ws);
    dj_opts o = {.ws = &ws, .threads = 1};
    dj_report rep;
    for (int round = 0; round < 4; round++) {
        int positive = round % 2 == 0;
        for (size_t j = 0; j < N; j++)
            x[j] = (positive ? 1.0 : -1.0) * (0.5 + 0.01 * (double)j);
        ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, &rep), DJ_OK);
        ck_assert_uint_eq(rep.colors, positive ? 1 : 2);
        size_t bad = SIZE_MAX;
        double want = 0;
        for (size_t t = 0; t < (size_t)N * N && bad == SIZE_MAX; t++) {
            size_t i = t / N, j = t % N, next = (i + 1) % N;
            want = positive ? (i == j ? 2 * x[i] : 0.0)
                            : (j == i ? x[next] : j == next ? x[i] : 0.0);
            if (J[t] != want)
                bad = t;
        }
        ck_assert_msg(bad == SIZE_MAX, "round %d J[%zu][%zu] = %g, want %g", round, bad / N,
                      bad % N, J[bad], want);
    }
    dj__alloc_fail_set(0);
    ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, &rep), DJ_OK);
    ck_assert_int_eq(dj__alloc_fail_set(0), 0);
    ck_assert_uint_eq(rep.colors, 2);
    dj_workspace_clear(&ws);
}
END_TEST

START_TEST(test_colored_refuses_bad_sparsity)
{
    const known_fn *k = &known[4];
    double x[12] = {0}, J[144];
    dj_opts o = {.sparsity = (dj_sparsity)7};
    ck_assert_int_eq(dj_jacobian(J, NULL, &k->fn, x, &o, NULL), DJ_EINVAL);
}
END_TEST

static Suite *jacobian_suite(void)
{
    Suite *s = suite_create("jacobian");
    TCase *tc = tcase_create("known");
    tcase_add_unchecked_fixture(tc, known_setup, NULL);
    tcase_add_loop_test(tc, test_jacobian_matches_analytic, 0, known_count);
    tcase_add_loop_test(tc, test_analytic_matches_finite_differences, 0, known_count);
    tcase_add_loop_test(tc, test_jvp_equals_j_times_v, 0, known_count);
    suite_add_tcase(s, tc);

    tc = tcase_create("driver");
    tcase_add_unchecked_fixture(tc, known_setup, NULL);
    tcase_add_test(tc, test_large_sizes);
    tcase_add_test(tc, test_workspace_reused);
    tcase_add_test(tc, test_errors_are_status_codes);
    tcase_add_test(tc, test_eval_refuses_overlap);
    tcase_add_test(tc, test_drivers_refuse_bad_arguments);
    tcase_add_test(tc, test_events_nansafe_and_strict);
    tcase_add_test(tc, test_chunk_auto);
    tcase_add_test(tc, test_one_pass_equals_passes);
    tcase_add_test(tc, test_nonfinite_in_any_pass_reported);
    tcase_add_test(tc, test_nonfinite_late_output_reported);
    tcase_add_test(tc, test_nonfinite_found_in_every_position);
    suite_add_tcase(s, tc);

    tc = tcase_create("colored");
    tcase_add_unchecked_fixture(tc, known_setup, NULL);
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, test_colored_equals_dense, 0, 8);
    tcase_add_test(tc, test_colored_declines_dense_and_small);
    tcase_add_test(tc, test_colored_remembers_dense);
    tcase_add_test(tc, test_colored_pattern_follows_x);
    tcase_add_test(tc, test_colored_refuses_bad_sparsity);
    suite_add_tcase(s, tc);

    tc = tcase_create("linalg");
    tcase_add_test(tc, test_linear_layer_matches_loop);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tl_main(jacobian_suite); }
