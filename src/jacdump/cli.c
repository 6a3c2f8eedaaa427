/*
 * cli.c: jacdump, the command that prints the Jacobian of a function at a
 * point. The function comes from an expression, a file of expressions, a
 * built-in problem or a user's shared object; the maths is the library's.
 * Exit status: 0 success, 1 a non-finite result or a failed --check, 2 bad
 * input (with one line naming the place).
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <dualjac.h>

#include "../problems/problems.h"
#include "det.h"
#include "formats.h"
#include "lexer.h"
#include "program.h"
#include "readers.h"

#define EXIT_BAD_RESULT 1
#define EXIT_BAD_INPUT 2

typedef struct options {
    const char *expr, *file, *fn_name, *lib, *sym, *vars, *at, *at_file;
    const char *mode, *format, *output, *weights;
    size_t n;
    int chunk, precision, transpose, check, det, logdet, sparsity, stats, nansafe, hessian;
    int threads; /* --threads: 0 automatic */
    unsigned given; /* the OPT_ and short options seen, as bits (given_bit) */
} options;

/* Everything main owns, released in one place. */
typedef struct session {
    options o;
    char *text;              /* expression text (from -f) */
    expr_program *prog;
    dj_problem_instance prob;
    void *lib;
    dj_fn fn;
    char **var_names;        /* --vars, split */
    size_t nvar_names;
    double *x, *f, *J, *J2, *J3;
    int sparse;              /* J as a sparse Jacobian: sp and values, no dense J */
    dj_sparse sp;
    double *values;
    double *w, *grad;        /* --hessian: the output weights (or NULL), ∇(wᵀf) */
    dj_hsparse hs;           /* --hessian in sparse form: the analysis */
    FILE *out;
} session;

static void session_free(session *s)
{
    free(s->text);
    expr_free(s->prog);
    dj_problem_destroy(&s->prob);
    if (s->lib)
        dlclose(s->lib);
    for (size_t i = 0; i < s->nvar_names; i++)
        free(s->var_names[i]);
    free(s->var_names);
    free(s->x);
    free(s->f);
    free(s->J);
    free(s->J2);
    free(s->J3);
    dj_sparse_clear(&s->sp);
    free(s->values);
    free(s->w);
    free(s->grad);
    dj_hsparse_clear(&s->hs);
    if (s->out && s->out != stdout)
        fclose(s->out);
}

/* Writes len bytes of s as a terminal can show them: control bytes other
 * than tab and invalid UTF-8 as \xHH, valid UTF-8 as it is. Returns the
 * columns written before byte `mark` (for a caret under it); a tab counts
 * as one column, and the caret line repeats it. */
static size_t put_clean(FILE *f, const char *s, size_t len, size_t mark, char *pad, size_t pad_size)
{
    size_t cols = 0, padlen = 0;
    for (size_t i = 0; i < len;) {
        const unsigned char *u = (const unsigned char *)s + i;
        size_t n = u[0] == '\t' ? 1 : u[0] < 0x20 || u[0] == 0x7F ? 0 : utf8_length((const char *)u);
        if (n > len - i)
            n = 0;
        size_t width = n ? 1 : 4;
        if (i < mark && padlen + width < pad_size) {
            if (u[0] == '\t')
                pad[padlen++] = '\t';
            else
                for (size_t w = 0; w < width; w++)
                    pad[padlen++] = ' ';
        }
        if (i < mark)
            cols += width;
        if (n)
            fwrite(u, 1, n, f);
        else
            fprintf(f, "\\x%02X", u[0]);
        i += n ? n : 1;
    }
    if (pad_size > 0)
        pad[padlen < pad_size ? padlen : pad_size - 1] = '\0';
    return cols;
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 2)))
#endif
static int error(const char *fmt, ...)
{
    /* what the user typed or a file held is echoed: cleaned, on one line */
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (len < 0)
        len = 0;
    if ((size_t)len >= sizeof msg)
        len = (int)sizeof msg - 1;
    fputs("jacdump: error: ", stderr);
    put_clean(stderr, msg, (size_t)len, 0, NULL, 0);
    fputc('\n', stderr);
    return EXIT_BAD_INPUT;
}

/* After --help, --list or --version: their output must have been written. */
static int stdout_written(void)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        return error("cannot write to standard output: %s", strerror(errno));
    return 0;
}

static void usage(FILE *out)
{
    fputs(
        "usage: jacdump (-e EXPR | -f FILE | --fn NAME [--n N] | --lib SO --sym NAME)\n"
        "               [--at VALUES | --at-file FILE] [options]\n"
        "Prints the Jacobian J = df/dx of a function at a point.\n"
        "\n"
        "The function:\n"
        "  -e, --expr EXPR     expressions, e.g. 'x*y, sin(x) + y^2' or\n"
        "                      'r = hypot(x, y); r*cos(t), r*sin(t)'\n"
        "  -f, --file FILE     the same language from a file ('-' for stdin)\n"
        "      --vars LIST     input names and their order, e.g. x,y,t\n"
        "                      (default: order of first appearance; x1..xn by number)\n"
        "      --fn NAME       a built-in problem (see --list), at its standard start\n"
        "      --n N           its size\n"
        "      --lib SO        a shared object exporting a dj_fn ...\n"
        "      --sym NAME      ... called NAME (built with DJ_FN_DEFINE)\n"
        "      --list          list the built-in problems\n"
        "The point:\n"
        "      --at VALUES     1,2,3 in input order, or x=1,y=2 by name\n"
        "      --at-file FILE  numbers separated by blanks, newlines or commas\n"
        "What to compute:\n"
        "      --mode MODE     fwd, rev, auto (default) or fd (central differences)\n"
        "      --chunk K       directions per pass or sweep: 1, 2, 4, 8 or 16\n"
        "      --check         compute every mode, print their differences; exit 1 if\n"
        "                      forward and reverse differ beyond 1e-12 (relative)\n"
        "      --nansafe       0 times an infinite partial stays 0 (see dualjac docs)\n"
        "      --det, --logdet determinant, or log|det| and sign, of a square J\n"
        "      --hessian       the Hessian of the one output instead of J (forward\n"
        "                      over reverse), with the gradient; --check compares it\n"
        "                      with central differences of the gradient\n"
        "      --weights W     with --hessian: the Hessian of w1*f1 + ... + wm*fm\n"
        "      --sparsity      the nonzero pattern as a picture, with the coloring\n"
        "      --threads N     threads for the passes and sweeps: 0 automatic (default),\n"
        "                      1 serial, N at most N\n"
        "      --stats         passes, sweeps, graph size, threads and why, time, on stderr\n"
        "How to print it:\n"
        "      --format FMT    text (default), csv, json, mm (Matrix Market, sparse), npy\n"
        "      --precision P   significant digits\n"
        "      --transpose     print J transposed\n"
        "  -o, --output FILE   write to FILE instead of standard output\n"
        "  -h, --help          this help;  --version  the version\n"
        "\n"
        "Examples:\n"
        "  jacdump -e 'x*y, sin(x) + y^2' --at x=1,y=2\n"
        "  jacdump --fn broyden --n 8 --sparsity\n"
        "  jacdump -e 'x^2*y + exp(x*y)' --at 1,2 --hessian\n"
        "  jacdump -f model.txt --at-file point.txt --format npy -o J.npy\n"
        "Exit status: 0 success, 1 a NaN or Inf result or a failed --check, 2 bad input.\n",
        out);
}

enum {
    OPT_FN = 256, OPT_N, OPT_LIB, OPT_SYM, OPT_LIST, OPT_VARS, OPT_AT, OPT_AT_FILE, OPT_MODE,
    OPT_CHUNK, OPT_CHECK, OPT_NANSAFE, OPT_DET, OPT_LOGDET, OPT_SPARSITY, OPT_STATS,
    OPT_FORMAT, OPT_PRECISION, OPT_TRANSPOSE, OPT_VERSION, OPT_HESSIAN, OPT_WEIGHTS, OPT_THREADS
};

/* A whole-string non-negative integer. */
static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    if (s[0] < '0' || s[0] > '9')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || errno != 0 || v > (unsigned long long)((size_t)-1))
        return -1;
    *out = (size_t)v;
    return 0;
}

static int list_problems(void)
{
    size_t count;
    const dj_problem *p = dj_problem_all(&count);
    printf("built-in problems (--fn NAME [--n N]):\n");
    for (size_t i = 0; i < count; i++) {
        printf("  %-15s n = %zu by default (n >= %zu", p[i].name, p[i].n_default, p[i].n_min);
        if (p[i].n_step > 1)
            printf(", a multiple of %zu", p[i].n_step);
        if (p[i].n_max)
            printf(", <= %zu", p[i].n_max);
        printf(")\n  %15s %s\n", "", p[i].summary);
    }
    return 0;
}

/* Reads a whole file ('-': stdin) into a string. */
static char *read_text(const char *path, const char **why)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (f == NULL) {
        *why = strerror(errno);
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (len < cap - 1)
            break;
        char *bigger = cap < (1u << 30) ? realloc(buf, 2 * cap) : NULL;
        if (bigger == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int failed = ferror(f);
    if (f != stdin)
        fclose(f);
    if (buf == NULL || failed) {
        *why = buf == NULL ? "too large or out of memory" : "read error";
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    if (memchr(buf, '\0', len) != NULL) {
        *why = "it is not text (a NUL byte)";
        free(buf);
        return NULL;
    }
    /* a UTF-8 byte order mark, as some editors write, is not text */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        memmove(buf, buf + 3, len - 2);
    return buf;
}

/* A compile error: one line with the place, then the source line and a
 * caret. What came from the text is cleaned (put_clean), the caret placed
 * under the cleaned line. */
static int report_parse_error(const session *s, const char *text, const expr_error *e)
{
    int single_line = strchr(text, '\n') == NULL;
    if (s->o.file)
        error("%s:%zu:%zu: %s", strcmp(s->o.file, "-") == 0 ? "<stdin>" : s->o.file, e->line,
              e->column, e->message);
    else if (single_line)
        error("%s at column %zu", e->message, e->column);
    else
        error("%s at line %zu, column %zu", e->message, e->line, e->column);
    const char *line = text + e->line_start;
    size_t len = strcspn(line, "\n");
    if (len < 200) {
        char pad[1024];
        fputs("  ", stderr);
        put_clean(stderr, line, len, e->column - 1, pad, sizeof pad);
        fprintf(stderr, "\n  %s^\n", pad);
    }
    return EXIT_BAD_INPUT;
}

/* Splits --vars and checks the names. */
static int split_vars(session *s)
{
    const char *p = s->o.vars;
    size_t count = 1;
    for (const char *c = p; *c; c++)
        count += *c == ',';
    s->var_names = calloc(count, sizeof *s->var_names);
    if (s->var_names == NULL)
        return error("out of memory");
    for (size_t i = 0; i < count; i++) {
        size_t len = strcspn(p, ",");
        const char *name = p;
        while (len > 0 && (*name == ' ' || *name == '\t'))
            name++, len--;
        while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
            len--;
        int ok = len > 0 && (name[0] == '_' || (name[0] >= 'a' && name[0] <= 'z') ||
                             (name[0] >= 'A' && name[0] <= 'Z'));
        for (size_t k = 1; k < len && ok; k++)
            ok = name[k] == '_' || (name[k] >= 'a' && name[k] <= 'z') ||
                 (name[k] >= 'A' && name[k] <= 'Z') || (name[k] >= '0' && name[k] <= '9');
        if (!ok)
            return error("--vars: '%.*s' is not a name (item %zu)", (int)len, name, i + 1);
        s->var_names[i] = strndup(name, len);
        if (s->var_names[i] == NULL)
            return error("out of memory");
        s->nvar_names = i + 1;
        /* pi as an input would be a column of zeros: the text's pi is 3.14 */
        const char *what = expr_reserved(s->var_names[i]);
        if (what != NULL)
            return error("--vars: '%s' is %s of the language, not a variable", s->var_names[i],
                         what);
        for (size_t k = 0; k < i; k++)
            if (strcmp(s->var_names[k], s->var_names[i]) == 0)
                return error("--vars: '%s' is listed twice", s->var_names[i]);
        p += strcspn(p, ",");
        if (*p == ',')
            p++;
    }
    return 0;
}

/* Whether the run goes through the sparse driver (when f also records on
 * the graph): Matrix Market and the pattern picture, with passes by colors
 * and memory by nonzeros; the other outputs and modes need the dense J. */
static int wants_sparse(const options *o)
{
    return (o->sparsity || strcmp(o->format, "mm") == 0) && !o->check && !o->det &&
           !o->logdet && !o->transpose && strcmp(o->mode, "fd") != 0;
}

/* The same for --hessian, whose transpose is itself. */
static int hessian_sparse(const options *o)
{
    return (o->sparsity || strcmp(o->format, "mm") == 0) && !o->check && !o->det &&
           !o->logdet && strcmp(o->mode, "fd") != 0;
}

/* Bytes of memory on this machine, or SIZE_MAX when unknown. */
static size_t machine_memory(void)
{
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    if (pages > 0 && size > 0 && (size_t)pages <= SIZE_MAX / (size_t)size)
        return (size_t)pages * (size_t)size;
#endif
    return SIZE_MAX;
}

/* Whether a run with n inputs and m outputs can have its memory: x, f and
 * a starting point, and the dense rows×n J or H (three of them with
 * --check) unless the sparse driver runs. Compared with the machine's
 * memory, and the dense matrix is allocated here already, so that what the
 * system refuses is refused before anything is built. */
static int memory_for(session *s, size_t n, size_t m, size_t rows, int sparse)
{
    size_t vectors = n + n + m, bytes, cells = 0;
    if (vectors < n || vectors > SIZE_MAX / sizeof(double))
        return 0;
    bytes = vectors * sizeof(double);
    if (!sparse) {
        if (n > SIZE_MAX / sizeof(double) / rows)
            return 0;
        cells = n * rows;
        size_t copies = s->o.check ? 3 : 1;
        if (cells > (SIZE_MAX - bytes) / sizeof(double) / copies)
            return 0;
        bytes += copies * cells * sizeof(double);
    }
    if (bytes > machine_memory())
        return 0;
    if (!sparse && s->J == NULL && (s->J = malloc(cells * sizeof *s->J)) == NULL)
        return 0;
    return 1;
}

/* Sets s->fn from whichever source was given. */
static int load_function(session *s)
{
    const options *o = &s->o;
    int sources = (o->expr != NULL) + (o->file != NULL) + (o->fn_name != NULL) + (o->lib != NULL);
    if (sources == 0)
        return error("no function: give -e EXPR, -f FILE, --fn NAME or --lib SO --sym NAME "
                     "(see --help)");
    if (sources > 1)
        return error("give only one of -e, -f, --fn and --lib");
    if (o->n && !o->fn_name)
        return error("--n is for built-in problems (--fn)");
    if (o->sym && !o->lib)
        return error("--sym needs --lib");
    if (o->vars && !(o->expr || o->file))
        return error("--vars is for expressions (-e, -f)");

    if (o->expr || o->file) {
        const char *text = o->expr;
        if (o->file) {
            const char *why = "";
            s->text = read_text(o->file, &why);
            if (s->text == NULL)
                return error("cannot read '%s': %s", o->file, why);
            text = s->text;
        }
        if (o->vars && split_vars(s) != 0)
            return EXIT_BAD_INPUT;
        expr_error e;
        int st = expr_compile(&s->prog, text, o->vars ? (const char *const *)s->var_names : NULL,
                              s->nvar_names, &e);
        if (st == DJ_EPARSE)
            return report_parse_error(s, text, &e);
        if (st != DJ_OK)
            return error("cannot compile the expressions: %s", dj_strerror(st));
        if (s->prog->ninputs == 0)
            return error("the expressions have no variables: nothing to differentiate");
        s->fn = expr_fn(s->prog);
        return 0;
    }
    if (o->fn_name) {
        const dj_problem *p = dj_problem_find(o->fn_name);
        if (p == NULL)
            return error("unknown problem '%s' (see --list)", o->fn_name);
        /* sizes first: building the problem's data takes time and memory
         * (broyden at n = 10^9 had built 6 GB in 60 s before J was refused) */
        size_t n = o->n ? o->n : p->n_default, m = dj_problem_outputs(p, n);
        if (p->n_max && n > p->n_max)
            return error("--n %zu: %s takes n <= %zu", n, p->name, p->n_max);
        if (n < p->n_min || n % p->n_step != 0)
            return error("--n %zu: %s needs n >= %zu%s", n, p->name, p->n_min,
                         p->n_step > 1 ? " in steps of its block size" : "");
        int sparse = o->hessian ? hessian_sparse(o) : wants_sparse(o);
        if (m == 0 || !memory_for(s, n, m, o->hessian ? n : m, sparse))
            return sparse && m != 0
                       ? error("--fn %s with n = %zu: its vectors of n doubles do not fit in "
                               "memory", p->name, n)
                       : error("a %zu x %zu Jacobian does not fit in memory", m ? m : n, n);
        int st = dj_problem_create(&s->prob, p, o->n);
        if (st != DJ_OK)
            return error("--fn %s with n = %zu: %s", p->name, o->n ? o->n : p->n_default,
                         dj_strerror(st));
        s->fn = s->prob.fn;
        return 0;
    }
    if (!o->sym)
        return error("--lib needs --sym NAME, the dj_fn to load");
    /* dlopen looks a name without '/' up in the system's library path only;
     * a file of that name here is what the user means (as for -f) */
    int bare = strchr(o->lib, '/') == NULL;
    char *here = NULL;
    if (bare && access(o->lib, F_OK) == 0) {
        here = malloc(strlen(o->lib) + 3);
        if (here == NULL)
            return error("out of memory");
        strcpy(here, "./");
        strcat(here, o->lib);
    }
    s->lib = dlopen(here ? here : o->lib, RTLD_NOW | RTLD_LOCAL);
    free(here);
    if (s->lib == NULL) {
        const char *why = dlerror();
        return error("cannot load '%s': %s%s", o->lib, why ? why : "unknown reason",
                     bare && !here ? " (looked for in the current directory, then in the "
                                     "system's library path)"
                                   : "");
    }
    const dj_fn *fn = dlsym(s->lib, o->sym);
    if (fn == NULL)
        return error("'%s' has no symbol '%s'", o->lib, o->sym);
    if (fn->abi != DJ_FN_ABI)
        return error("'%s' in '%s' is not a dj_fn of this dualjac (layout %u, expected %u)",
                     o->sym, o->lib, fn->abi, DJ_FN_ABI);
    int st = dj_fn_check(fn);
    if (st != DJ_OK)
        return error("'%s' in '%s' is not usable: %s", o->sym, o->lib, dj_strerror(st));
    s->fn = *fn;
    return 0;
}

/* Allocates x, f and J, checking that m·n doubles can exist. */
static int allocate(session *s)
{
    size_t n = s->fn.n, m = s->fn.m;
    if (s->sparse) {
        /* the sparse driver allocates by the number of nonzeros */
        s->x = malloc(n * sizeof *s->x);
        s->f = malloc(m * sizeof *s->f);
        if (s->x == NULL || s->f == NULL)
            return error("out of memory for %zu inputs and %zu outputs", n, m);
        return 0;
    }
    if (n > ((size_t)-1) / sizeof(double) / m)
        return error("a %zu x %zu Jacobian does not fit in memory", m, n);
    s->x = malloc(n * sizeof *s->x);
    s->f = malloc(m * sizeof *s->f);
    if (s->J == NULL) /* --fn allocated it before building the problem */
        s->J = malloc(m * n * sizeof *s->J);
    if (s->x == NULL || s->f == NULL || s->J == NULL)
        return error("out of memory for a %zu x %zu Jacobian (%.3g GB)", m, n,
                     (double)m * (double)n * 8e-9);
    return 0;
}

static int read_point(session *s)
{
    size_t n = s->fn.n;
    char *const *names = s->prog ? s->prog->inputs : NULL;
    if (s->o.at && s->o.at_file)
        return error("give --at or --at-file, not both");
    if (s->o.at) {
        reader_error e;
        if (point_parse(s->x, n, names, s->o.at, &e) != 0)
            return error("%s", e.message);
        return 0;
    }
    if (s->o.at_file) {
        reader_error e;
        double *v;
        size_t count;
        if (point_read_file(&v, &count, s->o.at_file, n, &e) != 0)
            return error("%s", e.message);
        if (count != n) {
            free(v);
            return error("%s: %zu number%s for a function of %zu input%s", s->o.at_file, count,
                         count == 1 ? "" : "s", n, n == 1 ? "" : "s");
        }
        memcpy(s->x, v, n * sizeof *v);
        free(v);
        return 0;
    }
    if (s->prob.x0 != NULL) {
        memcpy(s->x, s->prob.x0, n * sizeof *s->x);
        return 0;
    }
    return error("no point: give --at VALUES or --at-file FILE");
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Central differences, h = cbrt(eps)·max(1, |x_j|): truncation O(h²)
 * balances rounding O(eps/h). J is m×n row-major. */
static int finite_differences(double *J, const dj_fn *f, const double *x)
{
    size_t n = f->n, m = f->m;
    double *xp = malloc(n * sizeof *xp), *yp = malloc(m * sizeof *yp), *ym = malloc(m * sizeof *ym);
    if (xp == NULL || yp == NULL || ym == NULL) {
        free(xp), free(yp), free(ym);
        return DJ_ENOMEM;
    }
    memcpy(xp, x, n * sizeof *xp);
    for (size_t j = 0; j < n; j++) {
        double h = 6.055454452393343e-06 * (fabs(x[j]) > 1 ? fabs(x[j]) : 1);
        xp[j] = x[j] + h;
        double hp = xp[j] - x[j]; /* the step actually taken */
        f->eval_double(yp, xp, n, m, f->ctx);
        xp[j] = x[j] - h;
        double hm = x[j] - xp[j];
        f->eval_double(ym, xp, n, m, f->ctx);
        xp[j] = x[j];
        for (size_t i = 0; i < m; i++)
            J[i * n + j] = (yp[i] - ym[i]) / (hp + hm);
    }
    free(xp), free(yp), free(ym);
    return DJ_OK;
}

static const char *mode_name(dj_mode m)
{
    return m == DJ_MODE_REVERSE ? "reverse" : m == DJ_MODE_FORWARD ? "forward" : "auto";
}

/* One Jacobian in the named mode; fills *report and *seconds. */
static int jacobian(session *s, double *J, const char *mode, dj_report *rep, double *seconds)
{
    double t0 = seconds_now();
    int st;
    memset(rep, 0, sizeof *rep);
    if (strcmp(mode, "fd") == 0) {
        st = finite_differences(J, &s->fn, s->x);
        s->fn.eval_double(s->f, s->x, s->fn.n, s->fn.m, s->fn.ctx);
    } else {
        dj_opts o = {.mode = strcmp(mode, "fwd") == 0   ? DJ_MODE_FORWARD
                             : strcmp(mode, "rev") == 0 ? DJ_MODE_REVERSE
                                                        : DJ_MODE_AUTO,
                     .chunk = s->o.chunk,
                     .nansafe = s->o.nansafe,
                     .threads = s->o.threads};
        st = dj_jacobian(J, s->f, &s->fn, s->x, &o, rep);
    }
    *seconds = seconds_now() - t0;
    /* auto mode found J sparse at x and colored its columns (dj_sparsity) */
    char colored[64] = "";
    if (rep->colors > 0)
        snprintf(colored, sizeof colored, " by %zu column colors of J's pattern", rep->colors);
    if (s->o.stats && st == DJ_OK)
        fprintf(stderr,
                "jacdump: stats: mode %s%s, chunk %d, passes %zu, sweeps %zu, graph nodes %zu, "
                "threads %d (%s), time %.3g s\n",
                strcmp(mode, "fd") == 0 ? "finite differences" : mode_name(rep->mode),
                colored, rep->chunk, rep->passes, rep->sweeps, rep->graph_nodes, rep->threads,
                dj_threads_why_name(rep->threads_why), *seconds);
    return st;
}

/* The sparse path: pattern and colorings, then the compressed passes or
 * sweeps; J is never formed. */
static int sparse_jacobian(session *s, dj_report *rep, double *seconds)
{
    double t0 = seconds_now();
    int st = dj_sparse_analyze(&s->sp, &s->fn, s->x, NULL);
    if (st == DJ_OK && (s->values = malloc((s->sp.pattern.nnz + 1) * sizeof *s->values)) == NULL)
        st = DJ_ENOMEM;
    if (st == DJ_OK) {
        dj_opts o = {.mode = strcmp(s->o.mode, "fwd") == 0   ? DJ_MODE_FORWARD
                             : strcmp(s->o.mode, "rev") == 0 ? DJ_MODE_REVERSE
                                                             : DJ_MODE_AUTO,
                     .chunk = s->o.chunk,
                     .nansafe = s->o.nansafe,
                     .threads = s->o.threads};
        st = dj_sparse_jacobian(s->values, s->f, &s->sp, &s->fn, s->x, &o, rep);
    }
    *seconds = seconds_now() - t0;
    if (s->o.stats && st == DJ_OK)
        fprintf(stderr,
                "jacdump: stats: sparse, mode %s, %zu nonzeros, %zu column colors (lower bound "
                "%zu), %zu row colors (lower bound %zu), chunk %d, passes %zu, sweeps %zu, "
                "threads %d (%s), time %.3g s\n",
                mode_name(rep->mode), s->sp.pattern.nnz, s->sp.columns.count,
                s->sp.columns.lower_bound, s->sp.rows.count, s->sp.rows.lower_bound, rep->chunk,
                rep->passes, rep->sweeps, rep->threads, dj_threads_why_name(rep->threads_why),
                *seconds);
    return st;
}

static int jacobian_failed(const char *mode, int st)
{
    if (st == DJ_ENOTSUP)
        return error("mode %s is not available for this function (%s)", mode, dj_strerror(st));
    if (st == DJ_ENOMEM || st == DJ_ERANGE)
        return error("the Jacobian is too large: %s", dj_strerror(st));
    return error("cannot compute the Jacobian: %s", dj_strerror(st));
}

/* max |a-b| and max |a-b| / max(1, |a|, |b|) over the entries. */
static void differences(const double *a, const double *b, size_t count, double *abs_d,
                        double *rel_d)
{
    *abs_d = 0, *rel_d = 0;
    for (size_t i = 0; i < count; i++) {
        double d = fabs(a[i] - b[i]);
        if (isnan(d))
            d = (isnan(a[i]) && isnan(b[i])) || a[i] == b[i] ? 0 : INFINITY;
        double scale = fmax(1.0, fmax(fabs(a[i]), fabs(b[i])));
        *abs_d = fmax(*abs_d, d);
        *rel_d = fmax(*rel_d, isinf(scale) ? (d == 0 ? 0 : INFINITY) : d / scale);
    }
}

/* --check: every mode; returns 1 when forward and reverse disagree. */
static int run_check(session *s, FILE *out)
{
    size_t cells = s->fn.m * s->fn.n;
    dj_report rep;
    double t;
    s->J2 = malloc(cells * sizeof *s->J2);
    s->J3 = malloc(cells * sizeof *s->J3);
    if (s->J2 == NULL || s->J3 == NULL)
        return -error("out of memory for --check");
    int st = jacobian(s, s->J, "fwd", &rep, &t);
    if (st != DJ_OK)
        return -jacobian_failed("fwd", st);
    int have_rev = s->fn.eval_var != NULL;
    if (have_rev && (st = jacobian(s, s->J2, "rev", &rep, &t)) != DJ_OK)
        return -jacobian_failed("rev", st);
    if ((st = jacobian(s, s->J3, "fd", &rep, &t)) != DJ_OK)
        return -jacobian_failed("fd", st);
    double a, r;
    int disagree = 0;
    if (have_rev) {
        differences(s->J, s->J2, cells, &a, &r);
        fprintf(out, "check: forward vs reverse             max abs %.3g  max rel %.3g\n", a, r);
        disagree = !(r <= 1e-12);
    } else {
        fprintf(out, "check: reverse mode not available (no dj_var instantiation)\n");
    }
    differences(s->J, s->J3, cells, &a, &r);
    fprintf(out, "check: forward vs finite differences  max abs %.3g  max rel %.3g\n", a, r);
    fprintf(out, "check: %s\n", disagree ? "FAILED: forward and reverse differ beyond 1e-12"
                                          : "forward and reverse agree within 1e-12");
    return disagree;
}

static const char *nonfinite_name(double v)
{
    return isnan(v) ? "nan" : v < 0 ? "-inf" : "inf";
}

/* Reports NaN and Inf in f and J on stderr; returns 1 if there are any. */
static int warn_nonfinite(const session *s)
{
    size_t n = s->fn.n, m = s->fn.m;
    for (size_t i = 0; i < m; i++)
        if (!isfinite(s->f[i])) {
            fprintf(stderr, "jacdump: warning: f%zu = %s at this point\n", i + 1,
                    nonfinite_name(s->f[i]));
            return 1;
        }
    if (s->sparse) {
        const dj_pattern *p = &s->sp.pattern;
        for (size_t i = 0; i < m; i++)
            for (size_t e = p->row_ptr[i]; e < p->row_ptr[i + 1]; e++)
                if (!isfinite(s->values[e])) {
                    fprintf(stderr, "jacdump: warning: J[%zu][%zu] = %s: f%zu is not "
                                    "differentiable in input %zu here\n",
                            i + 1, p->col[e] + 1, nonfinite_name(s->values[e]), i + 1,
                            p->col[e] + 1);
                    return 1;
                }
        return 0;
    }
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            if (!isfinite(s->J[i * n + j])) {
                fprintf(stderr, "jacdump: warning: J[%zu][%zu] = %s: f%zu is not "
                                "differentiable in input %zu here\n",
                        i + 1, j + 1, nonfinite_name(s->J[i * n + j]), i + 1, j + 1);
                return 1;
            }
    return 0;
}

/* ---- --hessian ------------------------------------------------------------------ */

/* The Hessian of wᵀf by central differences of reverse gradients (n×n,
 * the average of both halves, as the library's is symmetric). */
static int hessian_differences(double *H, const session *s)
{
    size_t n = s->fn.n;
    double *xs = malloc(n * sizeof *xs), *gp = malloc(n * sizeof *gp), *gm = malloc(n * sizeof *gm);
    int st = (xs && gp && gm) ? DJ_OK : DJ_ENOMEM;
    const double *u = s->w;
    double one = 1.0;
    if (u == NULL)
        u = &one;
    if (st == DJ_OK)
        memcpy(xs, s->x, n * sizeof *xs);
    for (size_t j = 0; j < n && st == DJ_OK; j++) {
        double h = 6.055454452393343e-06 * (fabs(s->x[j]) > 1 ? fabs(s->x[j]) : 1);
        xs[j] = s->x[j] + h;
        double hp = xs[j] - s->x[j];
        st = dj_vjp(NULL, gp, &s->fn, xs, u, NULL);
        xs[j] = s->x[j] - h;
        double hm = s->x[j] - xs[j];
        if (st == DJ_OK)
            st = dj_vjp(NULL, gm, &s->fn, xs, u, NULL);
        xs[j] = s->x[j];
        for (size_t i = 0; i < n && st == DJ_OK; i++)
            H[i * n + j] = (gp[i] - gm[i]) / (hp + hm);
    }
    for (size_t i = 0; i < n && st == DJ_OK; i++)
        for (size_t j = i + 1; j < n; j++)
            H[i * n + j] = H[j * n + i] = 0.5 * H[i * n + j] + 0.5 * H[j * n + i];
    free(xs), free(gp), free(gm);
    return st;
}

/* The options --hessian takes, and its weights. */
static int hessian_setup(session *s)
{
    const options *o = &s->o;
    size_t n = s->fn.n, m = s->fn.m;
    if (o->weights && !o->hessian)
        return error("--weights is for --hessian");
    if (!o->hessian)
        return 0;
    if (strcmp(o->mode, "fwd") == 0 || strcmp(o->mode, "rev") == 0)
        return error("--mode %s is for Jacobians: a Hessian is forward over reverse (or --mode fd)",
                     o->mode);
    if (o->transpose)
        return error("--transpose does nothing to a symmetric Hessian");
    if (s->fn.eval_var == NULL)
        return error("--hessian needs the function's graph instantiation (dj_var)");
    if (m > 1 && o->weights == NULL)
        return error("--hessian of %zu outputs needs --weights with %zu values "
                     "(e.g. 1,0,... for the first)", m, m);
    s->w = o->weights ? malloc(m * sizeof *s->w) : NULL;
    s->grad = malloc(n * sizeof *s->grad);
    if ((o->weights && s->w == NULL) || s->grad == NULL)
        return error("out of memory for %zu weights and %zu inputs", m, n);
    if (o->weights) {
        reader_error e;
        if (point_parse(s->w, m, NULL, o->weights, &e) != 0) {
            /* the reader speaks of --at, which reads the same way */
            const char *why = strncmp(e.message, "--at: ", 6) == 0 ? e.message + 6 : e.message;
            return error("--weights: %s", why);
        }
    }
    return 0;
}

static int hessian_failed(int st, const dj_report *rep)
{
    if (st == DJ_ENOTSUP && rep->unsupported != NULL)
        return error("no Hessian: the custom primitive '%s' has no second-order rule",
                     rep->unsupported);
    if (st == DJ_ENOMEM || st == DJ_ERANGE)
        return error("the Hessian is too large: %s", dj_strerror(st));
    return error("cannot compute the Hessian: %s", dj_strerror(st));
}

/* One Hessian: dense (s->J is n×n), sparse (s->hs and s->values) or by
 * differences. */
static int hessian_compute(session *s, int sparse, const char *mode, dj_report *rep,
                           double *seconds)
{
    double t0 = seconds_now();
    dj_opts o = {.chunk = s->o.chunk, .nansafe = s->o.nansafe, .threads = s->o.threads};
    int st;
    memset(rep, 0, sizeof *rep);
    if (strcmp(mode, "fd") == 0) {
        st = hessian_differences(s->J, s);
        if (st == DJ_OK)
            st = dj_vjp(s->f, s->grad, &s->fn, s->x, s->w ? s->w : (const double[]){1.0}, NULL);
    } else if (sparse) {
        st = dj_hsparse_analyze(&s->hs, &s->fn, s->x, NULL, &o);
        free(s->values);
        s->values = NULL;
        if (st == DJ_OK &&
            (s->values = malloc((s->hs.pattern.nnz + 1) * sizeof *s->values)) == NULL)
            st = DJ_ENOMEM;
        if (st == DJ_OK)
            st = dj_sparse_hessian(s->values, s->grad, s->f, &s->hs, &s->fn, s->x, s->w, &o, rep);
    } else {
        st = dj_hessian(s->J, s->grad, s->f, &s->fn, s->x, s->w, &o, rep);
    }
    *seconds = seconds_now() - t0;
    /* the sweeps' threads and why (central differences report none) */
    char threads[96] = "";
    if (rep->threads > 0)
        snprintf(threads, sizeof threads, "threads %d (%s), ", rep->threads,
                 dj_threads_why_name(rep->threads_why));
    if (s->o.stats && st == DJ_OK)
        fprintf(stderr,
                "jacdump: stats: Hessian, %s, chunk %d, sweeps %zu, graph nodes %zu, colors %zu, "
                "%stime %.3g s\n",
                strcmp(mode, "fd") == 0 ? "central differences of 2n gradients"
                : sparse                ? "sparse, forward over reverse"
                                        : "dense, forward over reverse",
                rep->chunk, rep->sweeps, rep->graph_nodes, rep->colors, threads, *seconds);
    return st;
}

/* --check with --hessian: the dense Hessian against the sparse one (both
 * exact: they must agree to 1e-12) and against central differences of the
 * gradient (a second witness: printed). Returns 1 on a disagreement. */
static int hessian_check(session *s, FILE *out)
{
    size_t n = s->fn.n, cells = n * n;
    dj_report rep;
    double t, a, r;
    s->J2 = malloc(cells * sizeof *s->J2);
    s->J3 = malloc(cells * sizeof *s->J3);
    if (s->J2 == NULL || s->J3 == NULL)
        return -error("out of memory for --check");
    int st = hessian_compute(s, 0, "auto", &rep, &t);
    if (st == DJ_OK)
        st = hessian_compute(s, 1, "auto", &rep, &t);
    if (st != DJ_OK)
        return -hessian_failed(st, &rep);
    if (dj_sparse_to_dense(s->J2, &s->hs.pattern, s->values, DJ_ROW_MAJOR, 0) != DJ_OK)
        return -error("out of memory for --check");
    for (size_t i = 0; i < n; i++) /* the sparse lower triangle, mirrored */
        for (size_t j = i + 1; j < n; j++)
            s->J2[i * n + j] = s->J2[j * n + i];
    differences(s->J, s->J2, cells, &a, &r);
    fprintf(out, "check: dense vs sparse Hessian                 max abs %.3g  max rel %.3g\n", a,
            r);
    int disagree = !(r <= 1e-12);
    double *keep = s->J;
    s->J = s->J3;
    st = hessian_compute(s, 0, "fd", &rep, &t);
    s->J = keep;
    if (st != DJ_OK)
        return -hessian_failed(st, &rep);
    differences(s->J, s->J3, cells, &a, &r);
    fprintf(out, "check: Hessian vs differences of the gradient  max abs %.3g  max rel %.3g\n", a,
            r);
    fprintf(out, "check: %s\n", disagree ? "FAILED: dense and sparse Hessians differ beyond 1e-12"
                                          : "dense and sparse Hessians agree within 1e-12");
    /* the printed result is the dense Hessian at x */
    st = hessian_compute(s, 0, "auto", &rep, &t);
    return st == DJ_OK ? disagree : -hessian_failed(st, &rep);
}

/* The bit of an option that takes a value, in options.given; 0 for a flag
 * (a repeated flag changes nothing). */
static unsigned given_bit(int c)
{
    switch (c) {
    case 'e': return 1u << 0;
    case 'f': return 1u << 1;
    case 'o': return 1u << 2;
    case OPT_FN: return 1u << 3;
    case OPT_N: return 1u << 4;
    case OPT_LIB: return 1u << 5;
    case OPT_SYM: return 1u << 6;
    case OPT_VARS: return 1u << 7;
    case OPT_AT: return 1u << 8;
    case OPT_AT_FILE: return 1u << 9;
    case OPT_MODE: return 1u << 10;
    case OPT_CHUNK: return 1u << 11;
    case OPT_FORMAT: return 1u << 12;
    case OPT_PRECISION: return 1u << 13;
    case OPT_WEIGHTS: return 1u << 14;
    case OPT_THREADS: return 1u << 15;
    default: return 0;
    }
}

static const char *option_name(int c)
{
    switch (c) {
    case 'e': return "-e/--expr";
    case 'f': return "-f/--file";
    case 'o': return "-o/--output";
    case OPT_FN: return "--fn";
    case OPT_N: return "--n";
    case OPT_LIB: return "--lib";
    case OPT_SYM: return "--sym";
    case OPT_VARS: return "--vars";
    case OPT_AT: return "--at";
    case OPT_AT_FILE: return "--at-file";
    case OPT_MODE: return "--mode";
    case OPT_CHUNK: return "--chunk";
    case OPT_FORMAT: return "--format";
    case OPT_WEIGHTS: return "--weights";
    case OPT_THREADS: return "--threads";
    default: return "--precision";
    }
}

/* Options that would be silently ignored together are refused. */
static int check_combinations(const options *o)
{
    int fd = strcmp(o->mode, "fd") == 0, det = o->det || o->logdet;
    if (fd && (o->given & given_bit(OPT_CHUNK)))
        return error("--chunk is for the modes fwd, rev and auto; --mode fd takes none");
    if (fd && o->nansafe)
        return error("--nansafe is for the modes fwd, rev and auto; --mode fd takes none");
    if (fd && (o->given & given_bit(OPT_THREADS)))
        return error("--threads is for the modes fwd, rev and auto; --mode fd is serial");
    if (o->check && (o->given & given_bit(OPT_MODE)))
        return error("--check computes every mode; give no --mode with it");
    if (det && (strcmp(o->format, "mm") == 0 || strcmp(o->format, "npy") == 0))
        return error("--det and --logdet are written as text, csv or json, not --format %s",
                     o->format);
    if (o->sparsity && det)
        return error("give --sparsity or --det/--logdet, not both");
    if (o->sparsity && (o->given & given_bit(OPT_FORMAT)))
        return error("--sparsity draws the pattern as text; it takes no --format");
    if (o->precision && strcmp(o->format, "npy") == 0)
        return error("--precision does not apply to --format npy (binary doubles)");
    if (o->file && o->at_file && strcmp(o->file, "-") == 0 && strcmp(o->at_file, "-") == 0)
        return error("-f - and --at-file - both read standard input; give one of them a file");
    return 0;
}

static int parse_options(options *o, int argc, char **argv, int *done)
{
    static const struct option longopts[] = {
        {"expr", required_argument, NULL, 'e'},
        {"file", required_argument, NULL, 'f'},
        {"fn", required_argument, NULL, OPT_FN},
        {"n", required_argument, NULL, OPT_N},
        {"lib", required_argument, NULL, OPT_LIB},
        {"sym", required_argument, NULL, OPT_SYM},
        {"list", no_argument, NULL, OPT_LIST},
        {"vars", required_argument, NULL, OPT_VARS},
        {"at", required_argument, NULL, OPT_AT},
        {"at-file", required_argument, NULL, OPT_AT_FILE},
        {"mode", required_argument, NULL, OPT_MODE},
        {"chunk", required_argument, NULL, OPT_CHUNK},
        {"check", no_argument, NULL, OPT_CHECK},
        {"nansafe", no_argument, NULL, OPT_NANSAFE},
        {"det", no_argument, NULL, OPT_DET},
        {"logdet", no_argument, NULL, OPT_LOGDET},
        {"sparsity", no_argument, NULL, OPT_SPARSITY},
        {"stats", no_argument, NULL, OPT_STATS},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"precision", required_argument, NULL, OPT_PRECISION},
        {"transpose", no_argument, NULL, OPT_TRANSPOSE},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {"hessian", no_argument, NULL, OPT_HESSIAN},
        {"weights", required_argument, NULL, OPT_WEIGHTS},
        {"threads", required_argument, NULL, OPT_THREADS},
        {NULL, 0, NULL, 0},
    };
    *done = 0;
    o->mode = "auto";
    o->format = "text";
    opterr = 0;
    int c;
    size_t v;
    while ((c = getopt_long(argc, argv, ":e:f:o:h", longopts, NULL)) != -1) {
        /* an option that takes a value, given twice, is a mistake: the
         * first would be silently lost */
        unsigned bit = given_bit(c);
        if (bit != 0 && (o->given & bit))
            return error("%s is given twice", option_name(c));
        o->given |= bit;
        switch (c) {
        case 'e': o->expr = optarg; break;
        case 'f': o->file = optarg; break;
        case 'o': o->output = optarg; break;
        case OPT_FN: o->fn_name = optarg; break;
        case OPT_N:
            if (parse_size(optarg, &o->n) != 0 || o->n == 0)
                return error("--n: '%s' is not a positive integer", optarg);
            break;
        case OPT_LIB: o->lib = optarg; break;
        case OPT_SYM: o->sym = optarg; break;
        case OPT_LIST:
            *done = 1;
            list_problems();
            return stdout_written();
        case OPT_VARS: o->vars = optarg; break;
        case OPT_AT: o->at = optarg; break;
        case OPT_AT_FILE: o->at_file = optarg; break;
        case OPT_MODE:
            if (strcmp(optarg, "fwd") && strcmp(optarg, "rev") && strcmp(optarg, "auto") &&
                strcmp(optarg, "fd"))
                return error("--mode: '%s' is not one of fwd, rev, auto, fd", optarg);
            o->mode = optarg;
            break;
        case OPT_CHUNK:
            if (parse_size(optarg, &v) != 0 || v > 16 || !dj_chunk_valid((int)v))
                return error("--chunk: '%s' is not a chunk width (1, 2, 4, 8 or 16)", optarg);
            o->chunk = (int)v;
            break;
        case OPT_CHECK: o->check = 1; break;
        case OPT_NANSAFE: o->nansafe = 1; break;
        case OPT_DET: o->det = 1; break;
        case OPT_LOGDET: o->logdet = 1; break;
        case OPT_SPARSITY: o->sparsity = 1; break;
        case OPT_STATS: o->stats = 1; break;
        case OPT_FORMAT:
            if (!format_known(optarg))
                return error("--format: '%s' is not one of text, csv, json, mm, npy", optarg);
            o->format = optarg;
            break;
        case OPT_PRECISION:
            if (parse_size(optarg, &v) != 0 || v < 1 || v > 17)
                return error("--precision: '%s' is not a number of digits from 1 to 17", optarg);
            o->precision = (int)v;
            break;
        case OPT_TRANSPOSE: o->transpose = 1; break;
        case OPT_HESSIAN: o->hessian = 1; break;
        case OPT_WEIGHTS: o->weights = optarg; break;
        case OPT_THREADS:
            if (parse_size(optarg, &v) != 0 || v > 4096)
                return error("--threads: '%s' is not a number of threads from 0 to 4096", optarg);
            o->threads = (int)v;
            break;
        case 'h': usage(stdout); *done = 1; return stdout_written();
        case OPT_VERSION:
            printf("jacdump (dualjac) %s\n", dj_version());
            *done = 1;
            return stdout_written();
        case ':': return error("%s needs a value", argv[optind - 1]);
        default:
            return error("unknown option '%s' (see --help)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return error("unexpected argument '%s' (see --help)", argv[optind]);
    return check_combinations(o);
}

/* Opens -o FILE, or standard output. */
static int open_output(session *s)
{
    if (s->o.output) {
        s->out = fopen(s->o.output, "wb");
        if (s->out == NULL)
            return error("cannot write '%s': %s", s->o.output, strerror(errno));
    } else {
        s->out = stdout;
    }
    return 0;
}

/* Flushes and closes the output after format_write's status `wrote`: a full
 * disk shows at the flush, or only when a file is closed. The error names
 * the file, or standard output. */
static int finish_output(session *s, int wrote)
{
    int failed = wrote != 0 || fflush(s->out) != 0, e = errno;
    if (s->out != stdout) {
        if (fclose(s->out) != 0 && !failed)
            failed = 1, e = errno;
        s->out = NULL;
    }
    if (failed && s->o.output)
        return error("cannot write '%s': %s", s->o.output, strerror(e));
    if (failed)
        return error("cannot write to standard output: %s", strerror(e));
    return 0;
}

/* jacdump --hessian: ∇²(wᵀf) at x with the gradient, dense, or sparse for
 * --sparsity and --format mm (memory by nonzeros). */
static int run_hessian(session *s)
{
    size_t n = s->fn.n, m = s->fn.m;
    int sparse = hessian_sparse(&s->o);
    if (!sparse && n > ((size_t)-1) / sizeof(double) / n)
        return error("a %zu x %zu Hessian does not fit in memory", n, n);
    s->x = malloc(n * sizeof *s->x);
    s->f = malloc(m * sizeof *s->f);
    if (!sparse && s->J == NULL) /* --fn allocated it before building the problem */
        s->J = malloc(n * n * sizeof *s->J);
    if (s->x == NULL || s->f == NULL || (!sparse && s->J == NULL))
        return error("out of memory for a %zu x %zu Hessian (%.3g GB)", n, n,
                     (double)n * (double)n * 8e-9);
    int rc = read_point(s);
    if (rc == 0)
        rc = open_output(s);
    if (rc != 0)
        return rc;
    int check_failed = 0;
    dj_report rep = {0};
    double seconds = 0;
    if (s->o.check) {
        check_failed = hessian_check(s, s->out);
        if (check_failed < 0)
            return -check_failed;
    } else {
        int st = hessian_compute(s, sparse, s->o.mode, &rep, &seconds);
        if (st != DJ_OK)
            return hessian_failed(st, &rep);
    }
    double value = 0;
    for (size_t i = 0; i < m; i++)
        value += (s->w ? s->w[i] : 1.0) * s->f[i];
    jd_result r = {.n = n, .m = n, .x = s->x, .f = s->f, .J = s->J,
                   .inputs = s->prog ? s->prog->inputs : NULL,
                   .outputs = s->prog ? s->prog->outputs : NULL,
                   .mode = strcmp(s->o.mode, "fd") == 0 ? "central differences of the gradient"
                                                        : "forward over reverse",
                   .chunk = rep.chunk, .seconds = seconds, .precision = s->o.precision,
                   .want_det = s->o.det, .want_logdet = s->o.logdet,
                   .values = sparse ? s->values : NULL, .hessian = 1, .grad = s->grad,
                   .weights = s->w, .value = value, .m_f = m,
                   .hsparse = sparse ? &s->hs : NULL};
    if (s->o.det || s->o.logdet) {
        if (jd_logdet(s->J, n, &r.logdet, &r.det_sign) != 0)
            return error("out of memory for the determinant");
        r.det = r.det_sign == 0 ? 0.0 : r.det_sign * exp(r.logdet);
    }
    int wrote = s->o.sparsity ? format_sparsity(s->out, &r) : format_write(s->out, s->o.format, &r);
    if ((rc = finish_output(s, wrote)) != 0)
        return rc;
    int nonfinite = !isfinite(value);
    size_t cells = sparse ? s->hs.pattern.nnz : n * n;
    const double *h = sparse ? s->values : s->J;
    for (size_t e = 0; e < cells && !nonfinite; e++)
        nonfinite = !isfinite(h[e]);
    for (size_t j = 0; j < n && !nonfinite; j++)
        nonfinite = !isfinite(s->grad[j]);
    if (nonfinite)
        fprintf(stderr, "jacdump: warning: the Hessian, the gradient or the value is NaN or Inf "
                        "at this point\n");
    return (check_failed || nonfinite) ? EXIT_BAD_RESULT : 0;
}

static int run(session *s, int argc, char **argv)
{
    int done, rc = parse_options(&s->o, argc, argv, &done);
    if (rc != 0 || done)
        return rc;
    if (strcmp(s->o.format, "npy") == 0 && s->o.output == NULL && isatty(STDOUT_FILENO))
        return error("--format npy writes binary data, not for a terminal: give -o FILE or "
                     "redirect standard output");
    if ((rc = load_function(s)) != 0 || (rc = hessian_setup(s)) != 0)
        return rc;
    if (s->o.hessian)
        return run_hessian(s);
    s->sparse = wants_sparse(&s->o) && s->fn.eval_var != NULL;
    if ((rc = allocate(s)) != 0 || (rc = read_point(s)) != 0)
        return rc;
    if ((s->o.det || s->o.logdet) && s->fn.n != s->fn.m)
        return error("--det and --logdet need a square Jacobian; this one is %zu x %zu",
                     s->fn.m, s->fn.n);
    if ((rc = open_output(s)) != 0)
        return rc;

    int check_failed = 0;
    dj_report rep = {0};
    double seconds = 0;
    const char *mode_used = NULL;
    if (s->o.check) {
        check_failed = run_check(s, s->out);
        if (check_failed < 0)
            return -check_failed;
        mode_used = "forward";
        rep.chunk = s->o.chunk ? s->o.chunk : dj_chunk_auto(s->fn.n);
    } else if (s->sparse) {
        int st = sparse_jacobian(s, &rep, &seconds);
        if (st != DJ_OK)
            return jacobian_failed(s->o.mode, st);
        mode_used = mode_name(rep.mode);
    } else {
        int st = jacobian(s, s->J, s->o.mode, &rep, &seconds);
        if (st != DJ_OK)
            return jacobian_failed(s->o.mode, st);
        mode_used = strcmp(s->o.mode, "fd") == 0 ? "finite differences" : mode_name(rep.mode);
    }

    jd_result r = {.n = s->fn.n, .m = s->fn.m, .x = s->x, .f = s->f, .J = s->J,
                   .inputs = s->prog ? s->prog->inputs : NULL,
                   .outputs = s->prog ? s->prog->outputs : NULL,
                   .mode = mode_used, .chunk = rep.chunk, .seconds = seconds,
                   .precision = s->o.precision, .transpose = s->o.transpose,
                   .want_det = s->o.det, .want_logdet = s->o.logdet,
                   .sparse = s->sparse ? &s->sp : NULL, .values = s->values};
    if (s->o.det || s->o.logdet) {
        if (jd_logdet(s->J, s->fn.n, &r.logdet, &r.det_sign) != 0)
            return error("out of memory for the determinant");
        r.det = r.det_sign == 0 ? 0.0 : r.det_sign * exp(r.logdet);
    }
    int wrote = s->o.sparsity ? format_sparsity(s->out, &r) : format_write(s->out, s->o.format, &r);
    if ((rc = finish_output(s, wrote)) != 0)
        return rc;
    int nonfinite = warn_nonfinite(s);
    return (check_failed || nonfinite) ? EXIT_BAD_RESULT : 0;
}

/* OpenBLAS starts its thread pool when it is loaded, before main, sized by
 * OPENBLAS_NUM_THREADS or the number of cores. Under an address-space limit
 * (ulimit -v 100000) a worker cannot allocate its 128 MB buffer, retries
 * forever, and the process hangs at exit joining it. jacdump's Jacobians
 * gain nothing from BLAS threads, so when such a limit is set and the user
 * chose no number of BLAS threads, jacdump runs itself again with one: the
 * variable must be set before OpenBLAS loads, and exec ends the stuck worker
 * with the old image. (Setting it from a .preinit_array function does not
 * work: glibc's own initialiser, which runs later, restores the environment
 * the process started with.) */
static void one_blas_thread_under_limits(char **argv)
{
#if defined(__linux__)
    struct rlimit as, data;
    if (getenv("OPENBLAS_NUM_THREADS") != NULL || getenv("GOTO_NUM_THREADS") != NULL)
        return;
    if (getrlimit(RLIMIT_AS, &as) != 0 || getrlimit(RLIMIT_DATA, &data) != 0 ||
        (as.rlim_cur == RLIM_INFINITY && data.rlim_cur == RLIM_INFINITY))
        return;
    if (setenv("OPENBLAS_NUM_THREADS", "1", 1) == 0)
        execv("/proc/self/exe", argv);
    /* not run again (no /proc): go on as we are */
#else
    (void)argv;
#endif
}

int main(int argc, char **argv)
{
    one_blas_thread_under_limits(argv);
    session s;
    memset(&s, 0, sizeof s);
    int rc = run(&s, argc, argv);
    session_free(&s);
    return rc;
}
