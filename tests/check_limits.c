/* check_limits.c: allocation failure at every allocation, and the limits:
 * empty and overflowing sizes, graphs past their node limit, chunk widths. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../src/problems/problems.h"
#include "known.h"
#include "testlib.h"

/* Test-only hooks of the library (src/internal.h, src/graph_internal.h). */
long dj__alloc_fail_set(long nth);
size_t dj__graph_limit_set(size_t limit);

/* Runs op with the nth allocation failing, for every n up to the number of
 * allocations op makes; each failure must come back as DJ_ENOMEM (or as
 * documented NaN outputs), and op must then succeed again on the same
 * objects. Leaks show under valgrind and ASan, which CI runs this under. */
typedef int (*op_fn)(void *state);

static void walk_failures(const char *name, op_fn op, void *state)
{
    dj__alloc_fail_set(0);
    ck_assert_int_eq(op(state), DJ_OK);
    long total = dj__alloc_fail_set(0);
    ck_assert_msg(total > 0, "%s allocates nothing?", name);
    for (long nth = 1; nth <= total; nth++) {
        dj__alloc_fail_set(nth);
        int st = op(state);
        dj__alloc_fail_set(0);
        ck_assert_msg(st == DJ_ENOMEM || st == DJ_OK, "%s, allocation %ld of %ld: %s", name, nth,
                      total, dj_strerror(st));
        st = op(state);
        ck_assert_msg(st == DJ_OK, "%s after failing allocation %ld: %s", name, nth,
                      dj_strerror(st));
    }
}

/* The chain through BLAS layers (known[7]) and the arrowhead (known[10]). */
typedef struct {
    const known_fn *k;
    double x[20], J[400], y[20];
    dj_opts opts;
    dj_workspace ws;
    dj_graph g;
} state;

static void state_init(state *s, int which, dj_mode mode, int chunk, int use_ws)
{
    memset(s, 0, sizeof *s);
    s->k = &known[which];
    for (size_t j = 0; j < s->k->fn.n; j++)
        s->x[j] = 0.1 + 0.05 * (double)j;
    dj_workspace_init(&s->ws);
    dj_graph_init(&s->g);
    s->opts = (dj_opts){.mode = mode, .chunk = chunk, .ws = use_ws ? &s->ws : NULL};
}

static void state_clear(state *s)
{
    dj_workspace_clear(&s->ws);
    dj_graph_clear(&s->g);
}

/* Each op also checks its result, so a failure cannot corrupt a later run. */
static int check_jacobian(state *s)
{
    double want[400];
    s->k->jac(want, s->x, s->k->fn.n, s->k->fn.m);
    for (size_t t = 0; t < s->k->fn.n * s->k->fn.m; t++)
        if (!tl_close(s->J[t], want[t], 1e-12))
            return DJ_EINVAL;
    return DJ_OK;
}

static int op_jacobian(void *p)
{
    state *s = p;
    memset(s->J, 0, sizeof s->J);
    int st = dj_jacobian(s->J, s->y, &s->k->fn, s->x, &s->opts, NULL);
    return st != DJ_OK ? st : check_jacobian(s);
}

static int op_record_and_sweep(void *p)
{
    state *s = p;
    int st = dj_graph_record(&s->g, &s->k->fn, s->x);
    if (st != DJ_OK)
        return st;
    double u[20] = {0}, ju[20];
    u[0] = 1;
    st = dj_graph_vjp(&s->g, ju, u, 1);
    if (st != DJ_OK)
        return st;
    st = dj_graph_replay(&s->g, s->y, s->x);
    if (st != DJ_OK)
        return st;
    return dj_graph_jvp(&s->g, s->J, s->x, 2);
}

static int op_vjp_jvp_gradient(void *p)
{
    state *s = p;
    double u[20], out[20];
    for (int i = 0; i < 20; i++)
        u[i] = 1;
    int st = dj_vjp(s->y, out, &s->k->fn, s->x, u, &s->opts);
    if (st == DJ_OK)
        st = dj_jvp(s->y, out, &s->k->fn, s->x, u, &s->opts);
    return st;
}

/* Passes of 2 columns go through the runner of passes, which allocates; a
 * Jacobian of one pass (chunk 8 >= n) keeps its duals on the stack and
 * allocates nothing, with a workspace or without. */
START_TEST(test_allocation_failure_forward_jacobian)
{
    state s;
    for (int use_ws = 0; use_ws < 2; use_ws++) {
        state_init(&s, 7, DJ_MODE_FORWARD, 2, use_ws);
        walk_failures("forward Jacobian", op_jacobian, &s);
        state_clear(&s);
        state_init(&s, 7, DJ_MODE_FORWARD, 8, use_ws);
        dj__alloc_fail_set(0);
        ck_assert_int_eq(op_jacobian(&s), DJ_OK);
        ck_assert_int_eq(dj__alloc_fail_set(0), 0);
        state_clear(&s);
    }
}
END_TEST

START_TEST(test_allocation_failure_reverse_jacobian)
{
    state s;
    for (int which = 7; which <= 10; which += 3)
        for (int use_ws = 0; use_ws < 2; use_ws++) {
            state_init(&s, which, DJ_MODE_REVERSE, 4, use_ws);
            walk_failures("reverse Jacobian", op_jacobian, &s);
            state_clear(&s);
        }
}
END_TEST

START_TEST(test_allocation_failure_graph_recording)
{
    state s;
    for (int which = 7; which <= 10; which += 3) {
        state_init(&s, which, DJ_MODE_REVERSE, 1, 0);
        walk_failures("graph recording", op_record_and_sweep, &s);
        state_clear(&s);
    }
}
END_TEST

START_TEST(test_allocation_failure_vjp_jvp)
{
    state s;
    for (int use_ws = 0; use_ws < 2; use_ws++) {
        state_init(&s, 10, DJ_MODE_AUTO, 0, use_ws);
        walk_failures("vjp and jvp", op_vjp_jvp_gradient, &s);
        state_clear(&s);
    }
}
END_TEST

/* A graph that reaches its node limit keeps a sticky DJ_ERANGE, goes on
 * computing values, and records again after a reset. */
/* dj_jacobian's colored passes (Broyden at n = 256, 3 colors): a failed
 * allocation in the recording, the walk or the coloring falls back to the
 * dense passes, one in the passes is DJ_ENOMEM; J is right whenever the
 * call succeeds, on a workspace and without one. */
typedef struct {
    dj_problem_instance p;
    double J[256 * 256], D[256 * 256];
    dj_opts opts;
    dj_workspace ws;
} colored_state;

static int op_colored(void *q)
{
    colored_state *s = q;
    memset(s->J, 0, sizeof s->J);
    /* a fresh workspace each time, so that its first allocations fail */
    if (s->opts.ws != NULL)
        dj_workspace_clear(s->opts.ws);
    int st = dj_jacobian(s->J, NULL, &s->p.fn, s->p.x0, &s->opts, NULL);
    if (st != DJ_OK)
        return st;
    return memcmp(s->J, s->D, sizeof s->J) == 0 ? DJ_OK : DJ_EINVAL;
}

START_TEST(test_allocation_failure_colored_jacobian)
{
    static colored_state s;
    ck_assert_int_eq(dj_problem_create(&s.p, dj_problem_find("broyden"), 256), DJ_OK);
    dj_opts dense = {.sparsity = DJ_SPARSITY_DENSE};
    ck_assert_int_eq(dj_jacobian(s.D, NULL, &s.p.fn, s.p.x0, &dense, NULL), DJ_OK);
    dj_workspace_init(&s.ws);
    for (int use_ws = 0; use_ws < 2; use_ws++) {
        s.opts = (dj_opts){.threads = 1, .ws = use_ws ? &s.ws : NULL};
        dj_report rep;
        ck_assert_int_eq(dj_jacobian(s.J, NULL, &s.p.fn, s.p.x0, &s.opts, &rep), DJ_OK);
        ck_assert_uint_eq(rep.colors, 3);
        walk_failures(use_ws ? "colored jacobian, workspace" : "colored jacobian", op_colored,
                      &s);
        dj_workspace_clear(&s.ws);
    }
    dj_problem_destroy(&s.p);
}
END_TEST

START_TEST(test_graph_node_limit)
{
    const known_fn *k = &known[10]; /* arrowhead: ~60 nodes */
    double x[15], J[225];
    for (int j = 0; j < 15; j++)
        x[j] = 0.1 * j;
    dj_graph g;
    dj_graph_init(&g);
    size_t old = dj__graph_limit_set(40);
    ck_assert_int_eq(dj_graph_record(&g, &k->fn, x), DJ_ERANGE);
    ck_assert_int_eq(dj_graph_status(&g), DJ_ERANGE);
    double u[15] = {1};
    ck_assert_int_eq(dj_graph_vjp(&g, J, u, 1), DJ_ERANGE);
    ck_assert_int_eq(dj_graph_replay(&g, NULL, x), DJ_ERANGE);
    /* values are still right while the graph is full */
    dj_var xv[15], yv[15];
    dj_graph_reset(&g);
    ck_assert_int_eq(dj_graph_inputs(&g, xv, x, 15), DJ_OK);
    k->fn.eval_var(yv, xv, 15, 15, NULL);
    double yd[15];
    k->fn.eval_double(yd, x, 15, 15, NULL);
    for (int i = 0; i < 15; i++)
        ck_assert(yv[i].v == yd[i]);
    ck_assert_int_eq(dj_graph_status(&g), DJ_ERANGE);
    dj_opts o = {.mode = DJ_MODE_REVERSE};
    ck_assert_int_eq(dj_jacobian(J, NULL, &k->fn, x, &o, NULL), DJ_ERANGE);
    dj__graph_limit_set(old);
    ck_assert_int_eq(dj_graph_record(&g, &k->fn, x), DJ_OK);
    ck_assert_int_eq(dj_graph_vjp(&g, J, u, 1), DJ_OK);
    /* reserving past 2^32 - 1 nodes is refused up front */
    ck_assert_int_eq(dj_graph_reserve(&g, (size_t)UINT32_MAX), DJ_ERANGE);
    ck_assert_int_eq(dj_graph_reserve(&g, SIZE_MAX), DJ_ERANGE);
    dj_graph_clear(&g);
}
END_TEST

/* A layer whose outputs would pass the node limit is refused the same way. */
START_TEST(test_graph_block_past_limit)
{
    dj_graph g;
    dj_graph_init(&g);
    size_t old = dj__graph_limit_set(50);
    dj_var x[4], y[64];
    double xv[4] = {1, 2, 3, 4}, W[64 * 4] = {0};
    ck_assert_int_eq(dj_graph_inputs(&g, x, xv, 4), DJ_OK);
    dj_var_linear(y, W, x, NULL, 64, 4);
    ck_assert_int_eq(dj_graph_status(&g), DJ_ERANGE);
    dj__graph_limit_set(old);
    dj_graph_clear(&g);
}
END_TEST

/* Sizes: zero, overflowing, and a chunk width the library does not have. */
START_TEST(test_sizes_and_chunks)
{
    dj_fn f = known[1].fn;
    double x[2] = {1, 2}, J[4], v[2] = {1, 0}, out[2];
    for (int mode = DJ_MODE_AUTO; mode <= DJ_MODE_REVERSE; mode++) {
        dj_opts o = {.mode = (dj_mode)mode};
        f = known[1].fn;
        f.n = 0;
        ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, NULL), DJ_EDIM);
        f = known[1].fn;
        f.m = 0;
        ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, NULL), DJ_EDIM);
        /* n·m·8 bytes of J overflow size_t: refused before anything runs */
        f = known[1].fn;
        f.n = (SIZE_MAX >> 2) + 1;
        f.m = 8;
        ck_assert_int_eq(dj_jacobian(J, NULL, &f, x, &o, NULL), DJ_ERANGE);
        f = known[1].fn;
        for (int k = -3; k <= 40; k++) {
            o.chunk = k;
            int st = dj_jacobian(J, NULL, &f, x, &o, NULL);
            ck_assert_int_eq(st, (k == 0 || dj_chunk_valid(k)) ? DJ_OK : DJ_ECHUNK);
        }
    }
    f = known[1].fn;
    f.n = SIZE_MAX / 2;
    ck_assert_int_eq(dj_jvp(NULL, out, &f, x, v, NULL), DJ_ERANGE);
    ck_assert_int_eq(dj_vjp(NULL, out, &f, x, v, NULL), DJ_ERANGE);
    ck_assert_int_eq(dj_graph_record(NULL, &known[1].fn, x), DJ_EINVAL);
    dj_graph g;
    dj_graph_init(&g);
    ck_assert_int_eq(dj_graph_record(&g, &known[1].fn, x), DJ_OK);
    for (int k = -1; k <= 40; k++)
        if (!dj_chunk_valid(k))
            ck_assert_int_eq(dj_graph_vjp(&g, J, v, k), DJ_ECHUNK);
    dj_graph_clear(&g);
}
END_TEST

/* A leading dimension whose cell count fits in size_t but whose bytes do
 * not: J[1·ld + j] would wrap around to before J. Refused in every mode and
 * layout, and J is not written (ASan would see a write out of bounds). */
START_TEST(test_huge_leading_dimension)
{
    dj_fn f = known[1].fn; /* 2 x 2 */
    double x[2] = {1, 2}, J[8], y[2] = {-1, -1};
    const size_t lds[] = {SIZE_MAX / 4, SIZE_MAX / 8 + 1, (size_t)PTRDIFF_MAX, SIZE_MAX / 2};
    for (size_t t = 0; t < sizeof lds / sizeof lds[0]; t++)
        for (int mode = DJ_MODE_AUTO; mode <= DJ_MODE_REVERSE; mode++)
            for (int layout = DJ_ROW_MAJOR; layout <= DJ_COL_MAJOR; layout++) {
                for (int i = 0; i < 8; i++)
                    J[i] = -7.0;
                dj_opts o = {.mode = (dj_mode)mode, .layout = (dj_layout)layout, .ld = lds[t]};
                ck_assert_int_eq(dj_jacobian(J, y, &f, x, &o, NULL), DJ_ERANGE);
                for (int i = 0; i < 8; i++)
                    ck_assert(J[i] == -7.0);
                ck_assert(y[0] == -1 && y[1] == -1);
            }
    dj_pattern p;
    dj_pattern_init(&p);
    const size_t rows[] = {0, 1}, cols[] = {0, 1};
    ck_assert_int_eq(dj_pattern_set(&p, 2, 2, 2, rows, cols), DJ_OK);
    const double values[2] = {1, 2};
    for (size_t t = 0; t < sizeof lds / sizeof lds[0]; t++) {
        ck_assert_int_eq(dj_sparse_to_dense(J, &p, values, DJ_ROW_MAJOR, lds[t]), DJ_ERANGE);
        ck_assert_int_eq(dj_sparse_to_dense(J, &p, values, DJ_COL_MAJOR, lds[t]), DJ_ERANGE);
    }
    ck_assert_int_eq(dj_sparse_to_dense(J, &p, values, DJ_ROW_MAJOR, 3), DJ_OK);
    ck_assert(J[0] == 1 && J[1] == 0 && J[3] == 0 && J[4] == 2);
    dj_pattern_clear(&p);
}
END_TEST

/* A dense layer BLAS cannot take (2^31 columns: its int sizes would wrap)
 * is refused before W, x or b is read: NaN outputs, DJ_ERANGE on the graph,
 * and NaN from the dual and double layers. */
START_TEST(test_layer_too_large_for_blas)
{
    dj_graph g;
    dj_graph_init(&g);
    dj_var x[2], y[2];
    double xv[2] = {1, 2}, W[4] = {1, 2, 3, 4};
    ck_assert_int_eq(dj_graph_inputs(&g, x, xv, 2), DJ_OK);
    size_t huge = (size_t)INT32_MAX + 1;
    dj_var_linear(y, W, x, NULL, 2, huge);
    ck_assert_int_eq(dj_graph_status(&g), DJ_ERANGE);
    ck_assert(isnan(y[0].v) && isnan(y[1].v));
    dj_graph_reset(&g);
    ck_assert_int_eq(dj_graph_inputs(&g, x, xv, 2), DJ_OK);
    dj_var Wv[4];
    ck_assert_int_eq(dj_graph_inputs(&g, Wv, W, 4), DJ_OK);
    dj_var_dense(y, Wv, x, NULL, 2, SIZE_MAX / 2);
    ck_assert_int_eq(dj_graph_status(&g), DJ_ERANGE);
    dj_graph_clear(&g);
    double yd[2];
    dj_double_linear(yd, W, xv, NULL, 2, huge);
    ck_assert(isnan(yd[0]) && isnan(yd[1]));
    dj_dual8 xd[2] = {{.v = 1}, {.v = 2}}, yd8[2];
    dj_dual8_linear(yd8, W, xd, NULL, 2, huge);
    ck_assert(isnan(yd8[0].v) && isnan(yd8[1].d[7]));
}
END_TEST

static Suite *limits_suite(void)
{
    Suite *s = suite_create("limits");
    TCase *tc = tcase_create("allocation");
    tcase_add_unchecked_fixture(tc, known_setup, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_allocation_failure_forward_jacobian);
    tcase_add_test(tc, test_allocation_failure_reverse_jacobian);
    tcase_add_test(tc, test_allocation_failure_graph_recording);
    tcase_add_test(tc, test_allocation_failure_vjp_jvp);
    tcase_add_test(tc, test_allocation_failure_colored_jacobian);
    suite_add_tcase(s, tc);

    tc = tcase_create("sizes");
    tcase_add_unchecked_fixture(tc, known_setup, NULL);
    tcase_add_test(tc, test_graph_node_limit);
    tcase_add_test(tc, test_graph_block_past_limit);
    tcase_add_test(tc, test_sizes_and_chunks);
    tcase_add_test(tc, test_huge_leading_dimension);
    tcase_add_test(tc, test_layer_too_large_for_blas);
    suite_add_tcase(s, tc);

    return s;
}

int main(void) { return tl_main(limits_suite); }
