/* check_jacdump.c: the jacdump command, run as a user runs it: every input
 * source, mode and format, --check, --det, and every error path with its exit
 * status and message. Text outputs are compared with golden files in
 * tests/cli (listed in EXTRA_DIST); JSON is parsed; .npy is read byte by byte. */
#define _XOPEN_SOURCE 700 /* POSIX 2008 and posix_openpt */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

static const char *jacdump, *golden_dir, *sample_lib;

/* An address-space limit for the next child (0: none), as ulimit -v sets. */
static rlim_t child_as_limit;
/* The next child's standard output: a file (such as /dev/full) instead of
 * the pipe, or a terminal (a pseudo-terminal) when child_stdout_tty is set;
 * and its working directory. */
static const char *child_stdout, *child_dir;
static int child_stdout_tty;

typedef struct {
    char *out, *err;
    size_t out_len;
    int status; /* exit status, or -1 when killed by a signal */
} result;

static void result_free(result *r)
{
    free(r->out);
    free(r->err);
}

/* Reads a whole descriptor. */
static char *slurp(int fd, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    ck_assert(buf != NULL);
    for (;;) {
        if (n + 1 >= cap) {
            buf = realloc(buf, cap *= 2);
            ck_assert(buf != NULL);
        }
        ssize_t got = read(fd, buf + n, cap - n - 1);
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* Runs program with argv (NULL-terminated), stdin text and extra
 * environment entries "NAME=value" (NULL-terminated, may be NULL). */
static result run_argv(const char *program, const char **argv, const char *input,
                       char *const *env)
{
    int in[2], out[2], err[2];
    ck_assert(pipe(in) == 0 && pipe(out) == 0 && pipe(err) == 0);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        if (child_stdout != NULL) {
            int fd = open(child_stdout, O_WRONLY);
            if (fd < 0)
                _exit(126);
            dup2(fd, 1);
        }
        if (child_stdout_tty) {
            int master = posix_openpt(O_RDWR | O_NOCTTY);
            if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0)
                _exit(126);
            int fd = open(ptsname(master), O_WRONLY | O_NOCTTY);
            if (fd < 0)
                _exit(126);
            dup2(fd, 1);
        }
        if (child_dir != NULL && chdir(child_dir) != 0)
            _exit(126);
        close(in[1]), close(out[0]), close(err[0]);
        for (char *const *e = env; e && *e; e++) {
            char *eq = strchr(*e, '=');
            if (eq == NULL) { /* "NAME": unset it */
                unsetenv(*e);
                continue;
            }
            *eq = '\0'; /* the child's copy of the string */
            setenv(*e, eq + 1, 1);
        }
        if (child_as_limit != 0) {
            struct rlimit lim = {child_as_limit, child_as_limit};
            setrlimit(RLIMIT_AS, &lim);
            alarm(20); /* a hang ends as a signal, which the test reports */
        }
        /* execv's argv is char *const[] for historical reasons */
        union {
            const char **in;
            char *const *out;
        } av = {argv};
        execv(program, av.out);
        _exit(127);
    }
    close(in[0]), close(out[1]), close(err[1]);
    if (input)
        ck_assert(write(in[1], input, strlen(input)) == (ssize_t)strlen(input));
    close(in[1]);
    result r;
    /* stderr is small; reading stdout first cannot deadlock on it */
    r.out = slurp(out[0], &r.out_len);
    r.err = slurp(err[0], NULL);
    close(out[0]), close(err[0]);
    int status;
    ck_assert(waitpid(pid, &status, 0) == pid);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

/* Runs jacdump with the arguments (NULL-terminated) and optional stdin text. */
static result run_input(const char *input, const char *first, ...)
{
    const char *argv[64];
    int argc = 0;
    argv[argc++] = jacdump;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a != NULL && argc < 63; a = va_arg(ap, const char *))
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    return run_argv(jacdump, argv, input, NULL);
}

#define run(...) run_input(NULL, __VA_ARGS__, (const char *)NULL)

static char *golden(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", golden_dir, name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "missing golden file %s", path);
    char *text = slurp(fileno(f), NULL);
    fclose(f);
    return text;
}

static void assert_golden(result *r, const char *name)
{
    char *want = golden(name);
    ck_assert_msg(r->status == 0, "%s: exit %d, stderr: %s", name, r->status, r->err);
    ck_assert_msg(strcmp(r->out, want) == 0, "%s differs:\n--- got ---\n%s--- want ---\n%s", name,
                  r->out, want);
    free(want);
    result_free(r);
}

/* ---- every source and format against golden files ----------------------------------- */

START_TEST(test_expression_text)
{
    result r = run("-e", "x*y, sin(x) + y^2", "--at", "x=1,y=2");
    assert_golden(&r, "expr.out");
    r = run("-e", "x*y, sin(x) + y^2", "--at", "1,2", "--mode", "fwd");
    assert_golden(&r, "expr.out");
    r = run("-e", "x*y, sin(x) + y^2", "--at", "1,2", "--mode", "rev");
    assert_golden(&r, "expr.out");
    r = run("-e", "x*y, sin(x) + y^2", "--at", "1,2", "--mode", "auto", "--chunk", "1");
    assert_golden(&r, "expr.out");
    /* finite differences agree to the 6 digits printed */
    r = run("-e", "x*y, sin(x) + y^2", "--at", "1,2", "--mode", "fd");
    assert_golden(&r, "expr.out");
}
END_TEST

START_TEST(test_definitions_and_vars)
{
    result r = run("-e", "r = hypot(x, y); r*cos(t), r*sin(t)", "--at", "x=3,y=4,t=0.5",
                   "--vars", "x,y,t");
    assert_golden(&r, "defs.out");
}
END_TEST

START_TEST(test_formats)
{
    result r = run("-e", "x*y, sin(x) + y^2", "--at", "1,2", "--format", "csv");
    assert_golden(&r, "expr.csv");
    r = run("--fn", "broyden", "--n", "6", "--format", "mm");
    assert_golden(&r, "broyden6.mm");
    r = run("-e", "x*y, sin(x) + y^2", "--at", "1,2", "--transpose");
    assert_golden(&r, "expr-transposed.out");
    r = run("-e", "x*y, sin(x) + y^2", "--at", "1,2", "--precision", "12");
    assert_golden(&r, "expr-precision.out");
}
END_TEST

START_TEST(test_files_and_stdin)
{
    char path[1024], point[1024];
    snprintf(path, sizeof path, "%s/polar.txt", golden_dir);
    snprintf(point, sizeof point, "%s/point3.txt", golden_dir);
    result r = run("-f", path, "--at-file", point);
    assert_golden(&r, "polar.out");
    char *text = golden("polar.txt");
    r = run_input(text, "-f", "-", "--at", "2,0.5,0.25", (const char *)NULL);
    assert_golden(&r, "polar.out");
    free(text);
    /* -o writes the same to a file */
    char out[] = "/tmp/jacdump-test-XXXXXX";
    int fd = mkstemp(out);
    ck_assert(fd >= 0);
    close(fd);
    r = run("-e", "x*y, sin(x) + y^2", "--at", "1,2", "-o", out);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "");
    result_free(&r);
    FILE *f = fopen(out, "rb");
    char *got = slurp(fileno(f), NULL), *want = golden("expr.out");
    fclose(f);
    unlink(out);
    ck_assert_str_eq(got, want);
    free(got), free(want);
}
END_TEST

START_TEST(test_builtins)
{
    result r = run("--fn", "rosenbrock");
    assert_golden(&r, "rosenbrock.out");
    r = run("--fn", "broyden", "--n", "8", "--sparsity");
    assert_golden(&r, "broyden8-sparsity.out");
    r = run("--list");
    ck_assert_int_eq(r.status, 0);
    const char *names[] = {"rosenbrock", "ext-rosenbrock", "powell", "broyden", "brown", "chain",
                           "full-row"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        ck_assert_msg(strstr(r.out, names[i]) != NULL, "--list lacks %s", names[i]);
    result_free(&r);
}
END_TEST

/* mm and --sparsity go through the sparse driver: passes by colors and
 * memory by nonzeros, so a size whose dense J would take 3.2 GB is quick. */
START_TEST(test_sparse_outputs)
{
    result r = run("--fn", "broyden", "--n", "20000", "--format", "mm", "--stats");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "\n20000 20000 59998\n") != NULL, "mm header: %.200s", r.out);
    ck_assert_msg(strstr(r.out, "\n20000 19999 ") != NULL, "last row's subdiagonal entry");
    ck_assert_msg(strstr(r.err, "3 column colors (lower bound 3)") != NULL, "stats: %s", r.err);
    ck_assert_msg(strstr(r.err, "passes 1,") != NULL, "one pass: %s", r.err);
    result_free(&r);
    /* reverse mode pictures the row colors */
    r = run("--fn", "ext-rosenbrock", "--n", "4", "--sparsity", "--mode", "rev");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "4 x 4, 6 nonzeros, 10 zeros ('.')\n"
                            "column colors: 2 (at least 2), row colors: 2 (at least 2); entries "
                            "show the row colors\n"
                            "reverse mode: 1 sweep of width 2\n"
                            "00..\n1...\n..00\n..1.\n");
    result_free(&r);
    /* an expression: structural entries whose value is zero stay in the
     * picture (x*y at y = 0), and mm drops them as before */
    r = run("-e", "x*y, sin(z)", "--at", "x=1,y=0,z=0", "--sparsity");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "01.\n..0\n") != NULL, "picture: %s", r.out);
    result_free(&r);
    r = run("-e", "x*y, sin(z)", "--at", "x=1,y=0,z=0", "--format", "mm");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "\n2 3 2\n1 1 0\n") == NULL && strstr(r.out, "\n2 3 2\n") != NULL,
                  "mm: %s", r.out);
    result_free(&r);
}
END_TEST

START_TEST(test_shared_object)
{
    if (sample_lib == NULL || access(sample_lib, R_OK) != 0)
        return; /* a static-only build has no shared objects to load */
    result r = run("--lib", sample_lib, "--sym", "sample", "--at", "1,2");
    assert_golden(&r, "sample.out");
    r = run("--lib", sample_lib, "--sym", "nosuch", "--at", "1,2");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "has no symbol 'nosuch'") != NULL, "%s", r.err);
    result_free(&r);
    r = run("--lib", sample_lib, "--sym", "not_a_function", "--at", "1,2");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "is not a dj_fn") != NULL, "%s", r.err);
    result_free(&r);
}
END_TEST

/* ---- det, check and non-finite results ------------------------------------------------ */

/* --hessian: the Hessian and the gradient of one output, or of wᵀf, in
 * every format; sparse for --sparsity and mm; --check against differences
 * of the gradient. */
START_TEST(test_hessian)
{
    result r = run("-e", "x^2*y + exp(x*y)", "--at", "1,2", "--hessian");
    assert_golden(&r, "hessian.out");
    r = run("-e", "x*y, sin(x) + y^2", "--at", "1,2", "--hessian", "--weights", "2,3",
            "--format", "csv");
    assert_golden(&r, "hessian.csv");
    r = run("--fn", "ext-rosenbrock", "--n", "6", "--hessian", "--weights", "1,1,1,1,1,1",
            "--format", "mm");
    assert_golden(&r, "hessian6.mm");
    r = run("-e", "x0*x1 + x0*x2 + x0*x3 + exp(x1) + exp(x2) + exp(x3)", "--at", "1,2,3,4",
            "--hessian", "--sparsity");
    assert_golden(&r, "hessian-sparsity.out");
    r = run("-e", "x^2*y + exp(x*y)", "--at", "1,2", "--hessian", "--check");
    ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
    ck_assert(strstr(r.out, "dense vs sparse Hessian") != NULL);
    ck_assert(strstr(r.out, "differences of the gradient") != NULL);
    result_free(&r);
    r = run("-e", "x^2*y + exp(x*y)", "--at", "1,2", "--hessian", "--format", "json");
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "\"H\": [") != NULL && strstr(r.out, "\"gradient\": [") != NULL);
    result_free(&r);
    /* [[2, 1], [1, 0]]: det -1 */
    r = run("-e", "x^2 + x*y", "--at", "3,5", "--hessian", "--det");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "det(H) = -1\n");
    result_free(&r);
    /* by differences: the same to about 1e-9 */
    r = run("-e", "x^2*y", "--at", "1,2", "--hessian", "--mode", "fd", "--format", "csv",
            "--precision", "6");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "input,x,y,gradient\nd/dx,4,2,4\nd/dy,2,0,1\n");
    result_free(&r);
    /* a NaN in the Hessian exits 1 with a warning */
    r = run("-e", "sqrt(x) + y^2", "--at", "0,1", "--hessian");
    ck_assert_int_eq(r.status, 1);
    ck_assert(strstr(r.err, "NaN or Inf") != NULL);
    result_free(&r);
}
END_TEST

START_TEST(test_det_and_logdet)
{
    /* J = [[2, 1], [1, 3]]: det 5 */
    result r = run("-e", "2*x + y, x + 3*y", "--at", "0,0", "--det");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "det(J) = 5\n");
    result_free(&r);
    /* J = [[0, 1], [1, 0]]: det -1, log|det| 0 */
    r = run("-e", "y, x", "--vars", "x,y", "--at", "1,1", "--logdet", "--precision", "8");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "log|det(J)| = 0\nsign = -1\n");
    result_free(&r);
    r = run("-e", "x + y, x + y", "--at", "1,1", "--det");
    ck_assert_str_eq(r.out, "det(J) = 0\n");
    result_free(&r);
}
END_TEST

START_TEST(test_check_modes_agree)
{
    result r = run("--fn", "brown", "--n", "10", "--check");
    ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
    ck_assert(strstr(r.out, "check: forward vs reverse") != NULL);
    ck_assert(strstr(r.out, "forward vs finite differences") != NULL);
    ck_assert(strstr(r.out, "agree within 1e-12") != NULL);
    result_free(&r);
}
END_TEST

START_TEST(test_nonfinite_exit_1)
{
    result r = run("-e", "sqrt(x) + y", "--at", "0,1");
    ck_assert_int_eq(r.status, 1);
    ck_assert(strstr(r.out, "inf") != NULL);
    ck_assert_msg(strstr(r.err, "jacdump: warning: J[1][1] = inf") != NULL, "%s", r.err);
    result_free(&r);
    /* NaN-safe mode keeps the other column finite, but J[1][1] stays inf */
    r = run("-e", "sqrt(x) + y", "--at", "0,1", "--nansafe", "--format", "csv");
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "output,x,y,value\nf1,inf,1,1\n");
    result_free(&r);
}
END_TEST

/* x/0 at 1 and 1/x at 0 have one derivative, +Inf and -Inf, in forward and
 * reverse mode, so --check agrees (forward gave NaN: its constant 0 was a
 * dual whose zero tangent met an infinite partial); the non-finite result
 * still exits 1. With a second input, NaN-safe mode keeps its column 0 in
 * both modes. */
START_TEST(test_division_by_zero_check_agrees)
{
    static const struct {
        const char *expr, *at, *nansafe, *csv;
    } cases[] = {
        {"x/0", "1", NULL, "output,x,value\nf1,inf,inf\n"},
        {"1/x", "0", NULL, "output,x,value\nf1,-inf,inf\n"},
        {"1/x, y", "0,1", "--nansafe", "output,x,y,value\nf1,-inf,0,inf\nf2,0,1,1\n"},
        {"x/y, sqrt(y)", "1,0", "--nansafe",
         "output,x,y,value\nf1,inf,-inf,inf\nf2,0,inf,0\n"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const char *ns = cases[c].nansafe ? cases[c].nansafe : "--stats";
        result r = run("-e", cases[c].expr, "--at", cases[c].at, "--check", ns);
        ck_assert_msg(r.status == 1, "%s: exit %d", cases[c].expr, r.status);
        ck_assert_msg(strstr(r.out, "check: forward vs reverse             max abs 0  max rel 0") &&
                          strstr(r.out, "forward and reverse agree within 1e-12"),
                      "%s: %s", cases[c].expr, r.out);
        result_free(&r);
        for (int mode = 0; mode < 2; mode++) {
            r = run("-e", cases[c].expr, "--at", cases[c].at, "--mode", mode ? "rev" : "fwd",
                    "--format", "csv", ns);
            ck_assert_msg(strcmp(r.out, cases[c].csv) == 0, "%s, %s:\n%s", cases[c].expr,
                          mode ? "rev" : "fwd", r.out);
            result_free(&r);
        }
    }
}
END_TEST

/* ---- JSON and npy --------------------------------------------------------------------- */

/* A strict JSON reader: returns the end of the value at s, or NULL. */
static const char *json_value(const char *s);

static const char *json_ws(const char *s)
{
    while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
        s++;
    return s;
}

static const char *json_string(const char *s)
{
    if (*s != '"')
        return NULL;
    for (s++; *s != '"'; s++) {
        if (*s == '\0' || (unsigned char)*s < 0x20)
            return NULL;
        if (*s == '\\')
            s++;
    }
    return s + 1;
}

static const char *json_value(const char *s)
{
    s = json_ws(s);
    if (*s == '{' || *s == '[') {
        char close = *s == '{' ? '}' : ']';
        int object = *s == '{';
        s = json_ws(s + 1);
        if (*s == close)
            return s + 1;
        for (;;) {
            if (object) {
                s = json_string(json_ws(s));
                if (s == NULL || *(s = json_ws(s)) != ':')
                    return NULL;
                s++;
            }
            if ((s = json_value(s)) == NULL)
                return NULL;
            s = json_ws(s);
            if (*s == close)
                return s + 1;
            if (*s != ',')
                return NULL;
            s++;
        }
    }
    if (*s == '"')
        return json_string(s);
    if (strncmp(s, "true", 4) == 0 || strncmp(s, "null", 4) == 0)
        return s + 4;
    if (strncmp(s, "false", 5) == 0)
        return s + 5;
    char *end;
    strtod(s, &end);
    return end == s ? NULL : end;
}

START_TEST(test_json_parses)
{
    result r = run("-e", "x*y, sin(x) + y^2", "--at", "1,2", "--format", "json");
    ck_assert_int_eq(r.status, 0);
    const char *end = json_value(r.out);
    ck_assert_msg(end != NULL && *json_ws(end) == '\0', "not JSON:\n%s", r.out);
    ck_assert(strstr(r.out, "\"n\": 2,") && strstr(r.out, "\"m\": 2,"));
    ck_assert(strstr(r.out, "\"inputs\": [\"x\", \"y\"]"));
    ck_assert(strstr(r.out, "\"J\": [\n    [2, 1],\n    [0.54030230586813977, 4]\n  ]"));
    ck_assert(strstr(r.out, "\"mode\": \"forward\"") && strstr(r.out, "\"time\": "));
    result_free(&r);
    /* NaN and Inf become null, and the document stays valid */
    r = run("-e", "sqrt(x) + y", "--at", "0,1", "--format", "json", "--logdet");
    ck_assert_int_eq(r.status, 2); /* 1 x 2 is not square */
    result_free(&r);
    r = run("-e", "sqrt(x)", "--at", "0", "--format", "json", "--logdet");
    end = json_value(r.out);
    ck_assert_msg(end != NULL && *json_ws(end) == '\0', "not JSON:\n%s", r.out);
    ck_assert(strstr(r.out, "\"J\": [\n    [null]\n  ]") && strstr(r.out, "\"logdet\": null"));
    result_free(&r);
}
END_TEST

START_TEST(test_npy_bytes)
{
    result r = run("-e", "x*y, sin(x) + y^2, x - y", "--at", "1,2", "--format", "npy");
    ck_assert_int_eq(r.status, 0);
    const unsigned char *b = (const unsigned char *)r.out;
    /* magic, version 1.0, little-endian header length */
    static const unsigned char magic[8] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    ck_assert(r.out_len > 10 && memcmp(b, magic, 8) == 0);
    size_t hlen = b[8] | (size_t)b[9] << 8;
    ck_assert_uint_eq((10 + hlen) % 64, 0);
    const char *dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }";
    ck_assert(memcmp(b + 10, dict, strlen(dict)) == 0);
    for (size_t i = 10 + strlen(dict); i < 9 + hlen; i++)
        ck_assert_msg(b[i] == ' ', "padding byte %zu is %d", i, b[i]);
    ck_assert_int_eq(b[9 + hlen], '\n');
    ck_assert_uint_eq(r.out_len, 10 + hlen + 6 * 8);
    const double want[6] = {2, 1, cos(1.0), 4, 1, -1};
    for (int t = 0; t < 6; t++) {
        unsigned long long bits = 0;
        for (int k = 7; k >= 0; k--)
            bits = bits << 8 | b[10 + hlen + (size_t)t * 8 + (size_t)k];
        double v;
        memcpy(&v, &bits, sizeof v);
        ck_assert_msg(v == want[t], "npy value %d: %.17g, want %.17g", t, v, want[t]);
    }
    result_free(&r);
}
END_TEST

/* ---- bad input: exit 2 and a message naming the place --------------------------------- */

typedef struct {
    const char *args[8];
    const char *stderr_text; /* the whole of stderr, or its first line with a trailing '\n' */
} bad_case;

static const bad_case bad[] = {
    {{"-e", "x*y, x+y", "--at", "1,2", "--hessian"},
     "jacdump: error: --hessian of 2 outputs needs --weights with 2 values (e.g. 1,0,... for "
     "the first)\n"},
    {{"-e", "x*y", "--at", "1,2", "--hessian", "--mode", "fwd"},
     "jacdump: error: --mode fwd is for Jacobians: a Hessian is forward over reverse (or "
     "--mode fd)\n"},
    {{"-e", "x*y", "--at", "1,2", "--hessian", "--transpose"},
     "jacdump: error: --transpose does nothing to a symmetric Hessian\n"},
    {{"-e", "x*y", "--at", "1,2", "--weights", "2"},
     "jacdump: error: --weights is for --hessian\n"},
    {{"-e", "x*y, x", "--at", "1,2", "--hessian", "--weights", "1,two"},
     "jacdump: error: --weights: 'two' is not a number (column 3)\n"},
    {{"-e", "sinn(x) + y", "--at", "1,2"},
     "jacdump: error: unknown function 'sinn' at column 1\n  sinn(x) + y\n  ^\n"},
    {{"-e", "x + (y * 2", "--at", "1,2"},
     "jacdump: error: unclosed '(' at column 5\n  x + (y * 2\n      ^\n"},
    {{"-e", "x*y", "--vars", "x", "--at", "1"},
     "jacdump: error: unknown variable 'y' (not in --vars) at column 3\n  x*y\n    ^\n"},
    {{"-e", "x*y", "--at", "x=1"}, "jacdump: error: --at: no value for 'y'\n"},
    {{"-e", "x*y", "--at", "1,2,3"}, "jacdump: error: --at: too many values: the function has 2 inputs\n"},
    {{"-e", "x*y", "--at", "1"}, "jacdump: error: --at: 1 value for a function of 2 inputs\n"},
    {{"-e", "x*y", "--at", "1,two"}, "jacdump: error: --at: 'two' is not a number (column 3)\n"},
    {{"-e", "x", "--at", "1,"}, "jacdump: error: --at: empty value (column 3)\n"},
    {{"-e", "x*y", "--at", "1,,2"}, "jacdump: error: --at: empty value (column 3)\n"},
    {{"-e", "x*y", "--at", "x=1,y="}, "jacdump: error: --at: empty value (column 7)\n"},
    {{"-e", "x*y", "--at", "x=1,,y=2"}, "jacdump: error: --at: empty item (column 5)\n"},
    {{"-e", "x", "--at", "1e999"},
     "jacdump: error: --at: '1e999' is out of range: beyond the largest double, 1.8e308 "
     "(column 1)\n"},
    {{"-e", "x", "--at-file", "/dev/zero"},
     "jacdump: error: /dev/zero:1:1: a NUL byte: this is not a text file of numbers\n"},
    {{"-e", "x*y", "--at", "x=1,z=2"}, "jacdump: error: --at: unknown variable 'z' (column 5)\n"},
    {{"-e", "x*y"}, "jacdump: error: no point: give --at VALUES or --at-file FILE\n"},
    {{"-f", "/nonexistent/model.txt", "--at", "1"},
     "jacdump: error: cannot read '/nonexistent/model.txt': No such file or directory\n"},
    {{"-e", "x", "--at-file", "/nonexistent/point.txt"},
     "jacdump: error: --at-file: cannot read '/nonexistent/point.txt': No such file or directory\n"},
    {{"--lib", "/nonexistent/lib.so", "--sym", "f", "--at", "1"}, NULL},
    {{"--fn", "nosuch"}, "jacdump: error: unknown problem 'nosuch' (see --list)\n"},
    {{"--fn", "broyden", "--n", "3000000000"},
     "jacdump: error: a 3000000000 x 3000000000 Jacobian does not fit in memory\n"},
    {{"--fn", "rosenbrock", "--n", "3"}, "jacdump: error: --n 3: rosenbrock takes n <= 2\n"},
    {{"--fn", "ext-rosenbrock", "--n", "3"}, "jacdump: error: --n 3: ext-rosenbrock needs n >= 2 in steps of its block size\n"},
    {{"--at", "1"}, "jacdump: error: no function: give -e EXPR, -f FILE, --fn NAME or --lib SO --sym NAME (see --help)\n"},
    {{"-e", "x", "--fn", "brown"}, "jacdump: error: give only one of -e, -f, --fn and --lib\n"},
    {{"-e", "x", "--at", "1", "--mode", "fast"}, "jacdump: error: --mode: 'fast' is not one of fwd, rev, auto, fd\n"},
    {{"-e", "x", "--at", "1", "--chunk", "3"}, "jacdump: error: --chunk: '3' is not a chunk width (1, 2, 4, 8 or 16)\n"},
    {{"-e", "x", "--at", "1", "--format", "xml"}, "jacdump: error: --format: 'xml' is not one of text, csv, json, mm, npy\n"},
    {{"-e", "x", "--at", "1", "--precision", "0"}, "jacdump: error: --precision: '0' is not a number of digits from 1 to 17\n"},
    {{"-e", "x", "--at", "1", "--frobnicate"}, "jacdump: error: unknown option '--frobnicate' (see --help)\n"},
    {{"-e", "x", "--at"}, "jacdump: error: --at needs a value\n"},
    {{"-e", "x*y", "--at", "1,2", "--det"}, "jacdump: error: --det and --logdet need a square Jacobian; this one is 1 x 2\n"},
    {{"-e", "1 + 2", "--at", "1"}, "jacdump: error: the expressions have no variables: nothing to differentiate\n"},
    {{"-e", "x", "--vars", "x,x", "--at", "1"}, "jacdump: error: --vars: 'x' is listed twice\n"},
    {{"-e", "x", "--vars", "2x", "--at", "1"}, "jacdump: error: --vars: '2x' is not a name (item 1)\n"},
    {{"-e", "x", "--at", "1", "-o", "/nonexistent/out.txt"},
     "jacdump: error: cannot write '/nonexistent/out.txt': No such file or directory\n"},
    {{"-e", "x", "--at", "1", "-o", "/dev/full"},
     "jacdump: error: cannot write '/dev/full': No space left on device\n"},
    /* a value given twice is a mistake, not a choice of the last */
    {{"-e", "x", "-e", "y", "--at", "1"}, "jacdump: error: -e/--expr is given twice\n"},
    {{"--fn", "brown", "--n", "3", "--n", "4"}, "jacdump: error: --n is given twice\n"},
    {{"-e", "x", "--at", "1", "--at", "2"}, "jacdump: error: --at is given twice\n"},
    {{"-e", "x", "--at", "1", "--format", "csv", "--format", "json"},
     "jacdump: error: --format is given twice\n"},
    /* options that would be ignored together */
    {{"-e", "x, y", "--at", "1,2", "--det", "--format", "mm"},
     "jacdump: error: --det and --logdet are written as text, csv or json, not --format mm\n"},
    {{"-e", "x", "--at", "1", "--logdet", "--format", "npy"},
     "jacdump: error: --det and --logdet are written as text, csv or json, not --format npy\n"},
    {{"-e", "x, y", "--at", "1,2", "--sparsity", "--format", "json"},
     "jacdump: error: --sparsity draws the pattern as text; it takes no --format\n"},
    {{"-e", "x", "--at", "1", "--sparsity", "--det"},
     "jacdump: error: give --sparsity or --det/--logdet, not both\n"},
    {{"-e", "x", "--at", "1", "--mode", "fd", "--chunk", "16"},
     "jacdump: error: --chunk is for the modes fwd, rev and auto; --mode fd takes none\n"},
    {{"-e", "x", "--at", "1", "--mode", "fd", "--nansafe"},
     "jacdump: error: --nansafe is for the modes fwd, rev and auto; --mode fd takes none\n"},
    {{"-e", "x", "--at", "1", "--check", "--mode", "rev"},
     "jacdump: error: --check computes every mode; give no --mode with it\n"},
    {{"-e", "x", "--at", "1", "--format", "npy", "--precision", "3"},
     "jacdump: error: --precision does not apply to --format npy (binary doubles)\n"},
    {{"-f", "-", "--at-file", "-"},
     "jacdump: error: -f - and --at-file - both read standard input; give one of them a file\n"},
    /* names of the language are not variables */
    {{"-e", "pi*x", "--vars", "pi,x", "--at", "1,2"},
     "jacdump: error: --vars: 'pi' is a constant of the language, not a variable\n"},
    {{"-e", "x", "--vars", "x,abs", "--at", "1,2"},
     "jacdump: error: --vars: 'abs' is a function of the language, not a variable\n"},
    {{"-e", "x**2", "--at", "1"},
     "jacdump: error: use '^' for powers, not '**' at column 2\n  x**2\n   ^\n"},
    /* sizes are checked before the problem is built (it took 60 s and 6 GB) */
    {{"--fn", "broyden", "--n", "1000000000"},
     "jacdump: error: a 1000000000 x 1000000000 Jacobian does not fit in memory\n"},
    {{"--fn", "broyden", "--n", "1000000000000", "--format", "mm"},
     "jacdump: error: --fn broyden with n = 1000000000000: its vectors of n doubles do not fit "
     "in memory\n"},
    /* what the user typed is echoed cleaned: control bytes and invalid
     * UTF-8 as \xHH, a character of several bytes whole, the caret under it */
    {{"-e", "x\x01\xff", "--at", "1"},
     "jacdump: error: unexpected character '\\x01' at column 2\n  x\\x01\\xFF\n   ^\n"},
    {{"-e", "y + \xff", "--at", "1"},
     "jacdump: error: unexpected character '\\xFF' at column 5\n  y + \\xFF\n      ^\n"},
    {{"-e", "x*y", "--at", "1,\xff\x1b[2J"},
     "jacdump: error: --at: '\\xFF\\x1B[2J' is not a number (column 3)\n"},
    {{"-e", "\xc3\xa9 + x", "--at", "1"},
     "jacdump: error: unexpected character '\xc3\xa9' at column 1\n  \xc3\xa9 + x\n  ^\n"},
};

START_TEST(test_bad_input_exit_2)
{
    const bad_case *c = &bad[_i];
    const char *a[8] = {0};
    memcpy(a, c->args, sizeof a);
    result r = run_input("", a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], (const char *)NULL);
    ck_assert_msg(r.status == 2, "%s: exit %d, stderr %s", a[1], r.status, r.err);
    ck_assert_str_eq(r.out, "");
    if (c->stderr_text)
        ck_assert_str_eq(r.err, c->stderr_text);
    else
        ck_assert_msg(strncmp(r.err, "jacdump: error: cannot load", 27) == 0 &&
                          strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
                      "%s", r.err);
    result_free(&r);
}
END_TEST

START_TEST(test_bad_file_contents)
{
    result r = run_input("x + )\n", "-f", "-", "--at", "1", (const char *)NULL);
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "jacdump: error: <stdin>:1:5: expected a number, a name or '(', "
                            "found ')'\n  x + )\n      ^\n");
    result_free(&r);
    char point[] = "/tmp/jacdump-point-XXXXXX";
    int fd = mkstemp(point);
    ck_assert(fd >= 0);
    ck_assert(write(fd, "1.5\n2 x3\n", 9) == 9);
    close(fd);
    r = run("-e", "a + b + c", "--at-file", point);
    unlink(point);
    ck_assert_int_eq(r.status, 2);
    char want[256];
    snprintf(want, sizeof want, "jacdump: error: %s:2:3: 'x3' is not a number\n", point);
    ck_assert_str_eq(r.err, want);
    result_free(&r);
}
END_TEST

/* --at-file: the same values --at accepts, errors at their line and column,
 * found without reading on (a NUL byte, a word too long to be a number, more
 * numbers than inputs), and a UTF-8 byte order mark skipped. */
static const struct {
    const char *bytes;
    size_t len;
    const char *error; /* after "jacdump: error: FILE:", or NULL: success */
} point_files[] = {
    {"1,,2", 4, "1:3: empty value before this ','\n"},
    {",1 2", 4, "1:1: empty value before this ','\n"},
    {"1 2,\n", 5, "1:4: empty value after this ','\n"},
    {"1\n 2\0 3", 8, "2:3: a NUL byte: this is not a text file of numbers\n"},
    {"1 1e999", 7, "1:3: '1e999' is out of range: beyond the largest double, 1.8e308\n"},
    {"1 2 3", 5, "1:5: more numbers than the function's 2 inputs\n"},
    {"\xef\xbb\xbf" "1, 2\n", 8, NULL},
    {"1,\n2", 4, NULL},
};

START_TEST(test_point_file_contents)
{
    char point[] = "/tmp/jacdump-point-XXXXXX";
    int fd = mkstemp(point);
    ck_assert(fd >= 0);
    ck_assert(write(fd, point_files[_i].bytes, point_files[_i].len) ==
              (ssize_t)point_files[_i].len);
    close(fd);
    result r = run("-e", "x + y", "--at-file", point);
    unlink(point);
    if (point_files[_i].error == NULL) {
        ck_assert_msg(r.status == 0, "%s", r.err);
    } else {
        char want[512];
        snprintf(want, sizeof want, "jacdump: error: %s:%s", point, point_files[_i].error);
        ck_assert_int_eq(r.status, 2);
        ck_assert_str_eq(r.err, want);
    }
    result_free(&r);
}
END_TEST

/* A word longer than any number stops the reader at once. */
START_TEST(test_point_file_long_word)
{
    char point[] = "/tmp/jacdump-point-XXXXXX";
    int fd = mkstemp(point);
    ck_assert(fd >= 0);
    char chunk[4096];
    memset(chunk, '7', sizeof chunk);
    for (int i = 0; i < 256; i++) /* 1 MB without a separator */
        ck_assert(write(fd, chunk, sizeof chunk) == (ssize_t)sizeof chunk);
    close(fd);
    result r = run("-e", "x", "--at-file", point);
    unlink(point);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, ":1:1: '7777") && strstr(r.err, "...' is not a number (longer "
                                                                "than 127 bytes)\n"),
                  "%s", r.err);
    result_free(&r);
}
END_TEST

START_TEST(test_help_and_version)
{
    result r = run("--help");
    ck_assert_int_eq(r.status, 0);
    const char *options[] = {"--expr", "--file", "--vars", "--fn", "--n", "--lib", "--sym",
                             "--list", "--at", "--at-file", "--mode", "--chunk", "--check",
                             "--nansafe", "--det", "--logdet", "--sparsity", "--stats",
                             "--format", "--precision", "--transpose", "--output", "--version",
                             "--hessian", "--weights", "--threads"};
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        ck_assert_msg(strstr(r.out, options[i]) != NULL, "--help lacks %s", options[i]);
    result_free(&r);
    r = run("--version");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "jacdump (dualjac) " DJ_VERSION_STRING "\n");
    result_free(&r);
    r = run("-e", "x*y", "--at", "1,2", "--stats", "--mode", "rev");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.err, "jacdump: stats: mode reverse, chunk 1, passes 0, sweeps 1") != NULL,
                  "%s", r.err);
    ck_assert_msg(strstr(r.err, "threads 1 (fewer than two passes or sweeps)") != NULL, "%s",
                  r.err);
    result_free(&r);
    /* auto mode's colored passes on a sparse J, and the Hessian's threads */
    r = run("--fn", "broyden", "--n", "300", "--stats", "--format", "csv", "-o", "/dev/null");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.err, "jacdump: stats: mode forward by 3 column colors of J's pattern, "
                                "chunk 4, passes 1,") != NULL,
                  "%s", r.err);
    result_free(&r);
    r = run("-e", "x^2*y + exp(x*y)", "--at", "1,2", "--hessian", "--stats");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.err, "sweeps 1, graph nodes 7, colors 0, threads 1 (fewer than two "
                                "passes or sweeps), time") != NULL,
                  "%s", r.err);
    result_free(&r);
}
END_TEST

/* --threads N and --stats: the threads used and why, for the environments
 * that decide (a build without OpenMP says so instead). */
static void assert_threads_stats(const char *env_var, const char *threads, const char *want)
{
    const char *argv[] = {jacdump, "--fn", "brown", "--n", "300", "--mode", "fwd", "--stats",
                          threads ? "--threads" : NULL, threads, NULL};
    char var[64];
    snprintf(var, sizeof var, "%s", env_var ? env_var : "");
    char *env[] = {var, NULL};
    result r = run_argv(jacdump, argv, NULL, env_var ? env : NULL);
    ck_assert_int_eq(r.status, 0);
    int no_openmp = strstr(r.err, "threads 1 (built without OpenMP)") != NULL;
    ck_assert_msg(no_openmp || strstr(r.err, want) != NULL, "want '%s' in: %s", want, r.err);
    result_free(&r);
}

START_TEST(test_threads_option_and_stats)
{
    assert_threads_stats(NULL, "2", "threads 2 (as asked)");
    assert_threads_stats(NULL, "1", "threads 1 (as asked)");
    assert_threads_stats("OMP_NUM_THREADS=1", NULL, "threads 1 (one usable CPU)");
    assert_threads_stats("OMPI_COMM_WORLD_LOCAL_SIZE=4", NULL,
                         "threads 1 (one of several MPI ranks on this node)");
    assert_threads_stats("MPI_LOCALNRANKS=2", "2", "threads 2 (as asked)");
    result r = run("--fn", "brown", "--threads", "two");
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "jacdump: error: --threads: 'two' is not a number of threads from 0 "
                            "to 4096\n");
    result_free(&r);
    r = run("--fn", "brown", "--threads", "-1");
    ck_assert_int_eq(r.status, 2);
    result_free(&r);
    r = run("--fn", "brown", "--mode", "fd", "--threads", "2");
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "jacdump: error: --threads is for the modes fwd, rev and auto; "
                            "--mode fd is serial\n");
    result_free(&r);
    r = run("--fn", "brown", "--threads", "2", "--threads", "1");
    ck_assert_int_eq(r.status, 2);
    result_free(&r);
}
END_TEST

/* The real program behind libtool's wrapper script (which a test that sets
 * its own environment or limits would run instead), and the LD_LIBRARY_PATH
 * entry it needs; jacdump itself in a static build. */
static const char *real_program(const char *wrapper, const char *name, char *real, size_t size,
                                char *libdir, size_t libdir_size, const char *top)
{
    snprintf(real, size, "%.*s/.libs/%s", (int)(strrchr(wrapper, '/') - wrapper), wrapper, name);
    snprintf(libdir, libdir_size, "LD_LIBRARY_PATH=%s/.libs", top);
    return access(real, X_OK) == 0 ? real : wrapper;
}

/* Under ulimit -v 100000, OpenBLAS's worker thread cannot allocate its
 * buffer and retries forever, and the process hung at exit joining it;
 * jacdump then runs with one BLAS thread. A program that sets
 * OPENBLAS_NUM_THREADS=1 itself, as the README says, exits too. Skipped
 * under AddressSanitizer, which needs terabytes of address space. */
START_TEST(test_address_space_limit)
{
#if defined(__SANITIZE_ADDRESS__)
    return;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return;
#endif
#endif
    char real[1024], libdir[1100], top[1024];
    snprintf(top, sizeof top, "%.*s", (int)(strrchr(jacdump, '/') - jacdump), jacdump);
    const char *program = real_program(jacdump, "jacdump", real, sizeof real, libdir,
                                       sizeof libdir, top);
    const char *argv[] = {program, "-e", "x*y, sin(x) + y^2", "--at", "x=1,y=2", NULL};
    char unset1[] = "OPENBLAS_NUM_THREADS", unset2[] = "GOTO_NUM_THREADS";
    char *env[] = {libdir, unset1, unset2, NULL};
    child_as_limit = (rlim_t)100000 * 1024;
    result r = run_argv(program, argv, NULL, env);
    child_as_limit = 0;
    ck_assert_msg(r.status == 0, "exit %d (-1: killed, a hang ended by alarm), stderr: %s",
                  r.status, r.err);
    char *want = golden("expr.out");
    ck_assert_str_eq(r.out, want);
    free(want);
    result_free(&r);
    const char *examples = getenv("EXAMPLES_DIR");
    if (examples == NULL)
        return;
    char wrapper[1024], preal[1100];
    snprintf(wrapper, sizeof wrapper, "%s/polar", examples);
    const char *polar = real_program(wrapper, "polar", preal, sizeof preal, libdir, sizeof libdir,
                                     top);
    const char *pargv[] = {polar, NULL};
    char one[] = "OPENBLAS_NUM_THREADS=1";
    char *penv[] = {libdir, one, NULL};
    child_as_limit = (rlim_t)100000 * 1024;
    r = run_argv(polar, pargv, NULL, penv);
    child_as_limit = 0;
    ck_assert_msg(r.status == 0, "polar: exit %d, stderr: %s", r.status, r.err);
    result_free(&r);
}
END_TEST

/* Output that cannot be written is an error naming where it went, exit 2:
 * --help, --version and --list too (they exited 0 on a full disk). */
START_TEST(test_write_errors)
{
    static const char *const argvs[][8] = {
        {"--help"}, {"--version"}, {"--list"}, {"-e", "x*y", "--at", "1,2"},
        {"--fn", "broyden", "--n", "30", "--format", "npy"},
    };
    for (size_t t = 0; t < sizeof argvs / sizeof argvs[0]; t++) {
        const char *argv[10] = {jacdump};
        for (int i = 0; i < 8 && argvs[t][i]; i++)
            argv[i + 1] = argvs[t][i];
        child_stdout = "/dev/full";
        result r = run_argv(jacdump, argv, NULL, NULL);
        child_stdout = NULL;
        ck_assert_msg(r.status == 2, "%s: exit %d", argvs[t][0], r.status);
        ck_assert_str_eq(r.err, "jacdump: error: cannot write to standard output: No space left "
                                "on device\n");
        result_free(&r);
    }
}
END_TEST

/* NumPy's binary format is not written to a terminal. */
START_TEST(test_npy_not_to_a_terminal)
{
    const char *argv[] = {jacdump, "-e", "x*y", "--at", "1,2", "--format", "npy", NULL};
    child_stdout_tty = 1;
    result r = run_argv(jacdump, argv, NULL, NULL);
    child_stdout_tty = 0;
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "jacdump: error: --format npy writes binary data, not for a "
                            "terminal: give -o FILE or redirect standard output\n");
    result_free(&r);
}
END_TEST

/* --lib NAME without a slash: a file of that name in the current directory
 * is loaded (dlopen alone searches only the system's path); when there is
 * none, the error says where it looked. */
START_TEST(test_lib_in_current_directory)
{
    if (sample_lib == NULL || access(sample_lib, R_OK) != 0)
        return;
    char dir[1024];
    snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(sample_lib, '/') - sample_lib), sample_lib);
    const char *base = strrchr(sample_lib, '/') + 1;
    const char *argv[] = {jacdump, "--lib", base, "--sym", "sample", "--at", "1,2", NULL};
    child_dir = dir;
    result r = run_argv(jacdump, argv, NULL, NULL);
    child_dir = NULL;
    assert_golden(&r, "sample.out");
    r = run("--lib", "libnosuch-dualjac.so", "--sym", "f", "--at", "1");
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strncmp(r.err, "jacdump: error: cannot load 'libnosuch-dualjac.so': ", 52) == 0 &&
                      strstr(r.err, " (looked for in the current directory, then in the "
                                    "system's library path)\n"),
                  "%s", r.err);
    result_free(&r);
}
END_TEST

/* The point at -inf: the warning keeps the sign. Labels are the outputs'
 * text on one line, without comments; a byte order mark is skipped. */
START_TEST(test_warnings_labels_and_bom)
{
    result r = run("-e", "x, 2*y", "--at", "-inf,1");
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.err, "jacdump: warning: f1 = -inf at this point\n");
    result_free(&r);
    r = run_input("\xef\xbb\xbfx + # the first\n   y*2,\n x - y  # second\n", "-f", "-", "--at",
                  "1,2", "--format", "csv", (const char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_str_eq(r.out, "output,x,y,value\nf1,1,2,5\nf2,1,-1,-1\n");
    result_free(&r);
    r = run_input("\xef\xbb\xbfx + # the first\n   y*2,\n x - y  # second\n", "-f", "-", "--at",
                  "1,2", "--format", "json", (const char *)NULL);
    ck_assert_msg(strstr(r.out, "\"outputs\": [\"x + y*2\", \"x - y\"]") != NULL, "%s", r.out);
    result_free(&r);
}
END_TEST

/* Every allocation of a jacdump run, failed one at a time: each run ends
 * with status 0 (the allocation was not needed) or 2 and one error line,
 * never a crash or a hang. The real binary is run (libtool's wrapper is a
 * shell script, which the shim would break first). */
START_TEST(test_allocation_failure_walk)
{
    const char *shim = getenv("FAILALLOC_LIB");
    if (shim == NULL || access(shim, R_OK) != 0)
        return; /* a static-only build has no shim */
    char real[1024], libdir[1024];
    snprintf(real, sizeof real, "%.*s/.libs/jacdump", (int)(strrchr(jacdump, '/') - jacdump),
             jacdump);
    snprintf(libdir, sizeof libdir, "LD_LIBRARY_PATH=%.*s/.libs",
             (int)(strrchr(jacdump, '/') - jacdump), jacdump);
    const char *program = access(real, X_OK) == 0 ? real : jacdump;
    const char *argv[] = {program, "-e", "r = hypot(x, y); r*cos(t), r*sin(t)", "--at",
                          "x=3,y=4,t=0.5", "--check", "--format", "json", NULL};
    char preload[1100], report[] = "/tmp/jacdump-allocs-XXXXXX", report_env[64], nth[48];
    snprintf(preload, sizeof preload, "LD_PRELOAD=%s", shim);
    int fd = mkstemp(report);
    ck_assert(fd >= 0);
    close(fd);
    snprintf(report_env, sizeof report_env, "FAILALLOC_REPORT=%s", report);
    char *env0[] = {preload, libdir, report_env, NULL};
    result r = run_argv(program, argv, NULL, env0);
    ck_assert_msg(r.status == 0, "%s", r.err);
    result_free(&r);
    FILE *f = fopen(report, "r");
    long total = 0;
    ck_assert(f != NULL && fscanf(f, "%ld", &total) == 1);
    fclose(f);
    ck_assert_int_gt(total, 10);
    /* The shared libraries' constructors allocate before main (libgfortran,
     * which OpenBLAS uses, exits when that fails): count them with a run that
     * stops at once in main, and walk only what comes after. */
    const char *argv_early[] = {program, "--frobnicate", NULL};
    r = run_argv(program, argv_early, NULL, env0);
    ck_assert_int_eq(r.status, 2);
    result_free(&r);
    f = fopen(report, "r");
    long before_main = 0;
    ck_assert(f != NULL && fscanf(f, "%ld", &before_main) == 1);
    fclose(f);
    unlink(report);
    ck_assert(before_main < total);
    int failed_runs = 0;
    for (long n = before_main + 1; n <= total; n++) {
        snprintf(nth, sizeof nth, "FAILALLOC_NTH=%ld", n);
        char *env[] = {preload, libdir, nth, NULL};
        r = run_argv(program, argv, NULL, env);
        ck_assert_msg(r.status == 0 || r.status == 2,
                      "allocation %ld of %ld: status %d (a signal?), stderr: %s", n, total,
                      r.status, r.err);
        if (r.status == 2) {
            failed_runs++;
            ck_assert_msg(strncmp(r.err, "jacdump: error: ", 16) == 0 &&
                              strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
                          "allocation %ld: stderr %s", n, r.err);
        }
        result_free(&r);
    }
    ck_assert_int_gt(failed_runs, 0);
}
END_TEST

static Suite *jacdump_suite(void)
{
    jacdump = getenv("JACDUMP");
    golden_dir = getenv("GOLDEN");
    sample_lib = getenv("SAMPLE_LIB");
    if (jacdump == NULL || golden_dir == NULL) {
        fprintf(stderr, "check_jacdump: set JACDUMP and GOLDEN (make check does)\n");
        return NULL; /* skipped */
    }
    Suite *s = suite_create("jacdump");
    TCase *tc = tcase_create("outputs");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_expression_text);
    tcase_add_test(tc, test_definitions_and_vars);
    tcase_add_test(tc, test_formats);
    tcase_add_test(tc, test_files_and_stdin);
    tcase_add_test(tc, test_builtins);
    tcase_add_test(tc, test_sparse_outputs);
    tcase_add_test(tc, test_shared_object);
    tcase_add_test(tc, test_det_and_logdet);
    tcase_add_test(tc, test_hessian);
    tcase_add_test(tc, test_check_modes_agree);
    tcase_add_test(tc, test_nonfinite_exit_1);
    tcase_add_test(tc, test_division_by_zero_check_agrees);
    tcase_add_test(tc, test_json_parses);
    tcase_add_test(tc, test_npy_bytes);
    tcase_add_test(tc, test_help_and_version);
    tcase_add_test(tc, test_threads_option_and_stats);
    tcase_add_test(tc, test_address_space_limit);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_bad_input_exit_2, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, test_bad_file_contents);
    tcase_add_test(tc, test_write_errors);
    tcase_add_test(tc, test_npy_not_to_a_terminal);
    tcase_add_test(tc, test_lib_in_current_directory);
    tcase_add_test(tc, test_warnings_labels_and_bom);
    tcase_add_loop_test(tc, test_point_file_contents, 0,
                        (int)(sizeof point_files / sizeof point_files[0]));
    tcase_add_test(tc, test_point_file_long_word);
    tcase_add_test(tc, test_allocation_failure_walk);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tl_main(jacdump_suite); }
