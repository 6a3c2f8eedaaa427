/* formats.c: jacdump's output formats. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "formats.h"

static const char *const known[] = {"text", "csv", "json", "mm", "npy"};

int format_known(const char *name)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(name, known[i]) == 0)
            return 1;
    return 0;
}

/* Entry (i, j) of what is written: J or its transpose. */
static double entry(const jd_result *r, size_t i, size_t j)
{
    return r->transpose ? r->J[j * r->n + i] : r->J[i * r->n + j];
}

static size_t rows(const jd_result *r) { return r->transpose ? r->n : r->m; }
static size_t cols(const jd_result *r) { return r->transpose ? r->m : r->n; }

/* A number in C's %g with prec digits; NaN and Inf spelled the same way on
 * every platform, and -0 (as 0 - 0 often comes out of a derivative) as 0. */
static void number(char *buf, size_t size, double v, int prec)
{
    if (v == 0.0)
        snprintf(buf, size, "0");
    else if (isnan(v))
        snprintf(buf, size, "nan");
    else if (isinf(v))
        snprintf(buf, size, v > 0 ? "inf" : "-inf");
    else
        snprintf(buf, size, "%.*g", prec, v);
}

static void input_name(char *buf, size_t size, const jd_result *r, size_t j)
{
    if (r->inputs)
        snprintf(buf, size, "%s", r->inputs[j]);
    else
        snprintf(buf, size, "x%zu", j + 1);
}

/* Row and column labels of what is written (f_i and x_j, swapped by
 * --transpose). */
static void row_label(char *buf, size_t size, const jd_result *r, size_t i)
{
    if (r->hessian) {
        char name[48];
        input_name(name, sizeof name, r, i);
        snprintf(buf, size, "d/d%s", name);
    } else if (r->transpose) {
        input_name(buf, size, r, i);
    } else {
        snprintf(buf, size, "f%zu", i + 1);
    }
}

/* The last column: f(x) of a Jacobian's row, the gradient of a Hessian's. */
static double last_column(const jd_result *r, size_t i)
{
    return r->hessian ? r->grad[i] : r->f[i];
}

/* A Hessian's first line: of what, and its value there. */
static void hessian_title(FILE *out, const jd_result *r, int prec)
{
    char v[64];
    number(v, sizeof v, r->value, prec);
    if (r->weights != NULL)
        fprintf(out, "Hessian of the weighted sum of the %zu outputs = %s\n", r->m_f, v);
    else
        fprintf(out, "Hessian of f1 = %s%s%s\n", v, r->outputs ? "   " : "",
                r->outputs ? r->outputs[0] : "");
}

static void col_label(char *buf, size_t size, const jd_result *r, size_t j)
{
    if (r->transpose)
        snprintf(buf, size, "f%zu", j + 1);
    else
        input_name(buf, size, r, j);
}

static void write_det_lines(FILE *out, const jd_result *r, int prec)
{
    char a[64];
    const char *of = r->hessian ? "H" : "J";
    if (r->want_det) {
        number(a, sizeof a, r->det, prec);
        fprintf(out, "det(%s) = %s\n", of, a);
    }
    if (r->want_logdet) {
        number(a, sizeof a, r->logdet, prec);
        fprintf(out, "log|det(%s)| = %s\nsign = %d\n", of, a, r->det_sign);
    }
}

static void write_text(FILE *out, const jd_result *r)
{
    int prec = r->precision ? r->precision : 6;
    if (r->want_det || r->want_logdet) {
        write_det_lines(out, r, prec);
        return;
    }
    size_t R = rows(r), C = cols(r);
    /* one column width for every number, so the table lines up */
    char buf[64];
    size_t width = 1, label = 1;
    for (size_t i = 0; i < R; i++) {
        row_label(buf, sizeof buf, r, i);
        if (strlen(buf) > label)
            label = strlen(buf);
        for (size_t j = 0; j < C; j++) {
            number(buf, sizeof buf, entry(r, i, j), prec);
            if (strlen(buf) > width)
                width = strlen(buf);
        }
        if (!r->transpose) {
            number(buf, sizeof buf, last_column(r, i), prec);
            if (strlen(buf) > width)
                width = strlen(buf);
        }
    }
    if (r->hessian)
        hessian_title(out, r, prec);
    for (size_t j = 0; j < C; j++) {
        col_label(buf, sizeof buf, r, j);
        if (strlen(buf) + 2 > width)
            width = strlen(buf) + 2;
    }
    fprintf(out, "%*s", (int)label, "");
    for (size_t j = 0; j < C; j++) {
        char d[sizeof buf + 4];
        col_label(buf, sizeof buf, r, j);
        snprintf(d, sizeof d, "d/d%s", buf);
        fprintf(out, "  %*s", (int)width + 2, r->transpose ? buf : d);
    }
    if (!r->transpose)
        fprintf(out, "  %*s", (int)width + 2, r->hessian ? "gradient" : "f(x)");
    fputc('\n', out);
    for (size_t i = 0; i < R; i++) {
        row_label(buf, sizeof buf, r, i);
        fprintf(out, "%-*s", (int)label, buf);
        for (size_t j = 0; j < C; j++) {
            number(buf, sizeof buf, entry(r, i, j), prec);
            fprintf(out, "  %*s", (int)width + 2, buf);
        }
        if (!r->transpose) {
            number(buf, sizeof buf, last_column(r, i), prec);
            fprintf(out, "  %*s", (int)width + 2, buf);
            if (r->outputs && !r->hessian)
                fprintf(out, "   %s", r->outputs[i]);
        }
        fputc('\n', out);
    }
}

static void write_csv(FILE *out, const jd_result *r)
{
    int prec = r->precision ? r->precision : 17;
    if (r->want_det || r->want_logdet) {
        char a[64];
        fprintf(out, "quantity,value\n");
        if (r->want_det) {
            number(a, sizeof a, r->det, prec);
            fprintf(out, "det,%s\n", a);
        }
        if (r->want_logdet) {
            number(a, sizeof a, r->logdet, prec);
            fprintf(out, "logdet,%s\nsign,%d\n", a, r->det_sign);
        }
        return;
    }
    size_t R = rows(r), C = cols(r);
    char buf[64];
    fprintf(out, "%s", r->transpose || r->hessian ? "input" : "output");
    for (size_t j = 0; j < C; j++) {
        col_label(buf, sizeof buf, r, j);
        fprintf(out, ",%s", buf);
    }
    fprintf(out, "%s\n", r->transpose ? "" : r->hessian ? ",gradient" : ",value");
    for (size_t i = 0; i < R; i++) {
        row_label(buf, sizeof buf, r, i);
        fprintf(out, "%s", buf);
        for (size_t j = 0; j < C; j++) {
            number(buf, sizeof buf, entry(r, i, j), prec);
            fprintf(out, ",%s", buf);
        }
        if (!r->transpose) {
            number(buf, sizeof buf, last_column(r, i), prec);
            fprintf(out, ",%s", buf);
        }
        fputc('\n', out);
    }
}

/* JSON has no NaN or Inf: they are written as null. */
static void json_number(FILE *out, double v, int prec)
{
    if (v == 0.0)
        fprintf(out, "0");
    else if (isfinite(v))
        fprintf(out, "%.*g", prec, v);
    else
        fprintf(out, "null");
}

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void json_array(FILE *out, const double *v, size_t count, int prec)
{
    fputc('[', out);
    for (size_t i = 0; i < count; i++) {
        if (i)
            fputs(", ", out);
        json_number(out, v[i], prec);
    }
    fputc(']', out);
}

static void write_json(FILE *out, const jd_result *r)
{
    int prec = r->precision ? r->precision : 17;
    char buf[64];
    size_t mf = r->hessian ? r->m_f : r->m;
    fprintf(out, "{\n  \"n\": %zu,\n  \"m\": %zu,\n  \"inputs\": [", r->n, mf);
    for (size_t j = 0; j < r->n; j++) {
        input_name(buf, sizeof buf, r, j);
        if (j)
            fputs(", ", out);
        json_string(out, buf);
    }
    fprintf(out, "],\n  \"outputs\": [");
    for (size_t i = 0; i < mf; i++) {
        if (i)
            fputs(", ", out);
        if (r->outputs)
            json_string(out, r->outputs[i]);
        else {
            snprintf(buf, sizeof buf, "f%zu", i + 1);
            json_string(out, buf);
        }
    }
    fprintf(out, "],\n  \"x\": ");
    json_array(out, r->x, r->n, prec);
    fprintf(out, ",\n  \"f\": ");
    json_array(out, r->f, mf, prec);
    if (r->hessian) {
        fprintf(out, ",\n  \"weights\": ");
        if (r->weights)
            json_array(out, r->weights, mf, prec);
        else
            fputs("null", out);
        fprintf(out, ",\n  \"value\": ");
        json_number(out, r->value, prec);
        fprintf(out, ",\n  \"gradient\": ");
        json_array(out, r->grad, r->n, prec);
    }
    fprintf(out, ",\n  \"%s\": [", r->hessian ? "H" : "J");
    size_t R = rows(r), C = cols(r);
    for (size_t i = 0; i < R; i++) {
        fprintf(out, "%s\n    [", i ? "," : "");
        for (size_t j = 0; j < C; j++) {
            if (j)
                fputs(", ", out);
            json_number(out, entry(r, i, j), prec);
        }
        fputc(']', out);
    }
    fprintf(out, "\n  ],\n  \"transposed\": %s,\n  \"mode\": ", r->transpose ? "true" : "false");
    json_string(out, r->mode);
    fprintf(out, ",\n  \"chunk\": %d,\n  \"time\": %.6g", r->chunk, r->seconds);
    if (r->want_det) {
        fprintf(out, ",\n  \"det\": ");
        json_number(out, r->det, prec);
    }
    if (r->want_logdet) {
        fprintf(out, ",\n  \"logdet\": ");
        json_number(out, r->logdet, prec);
        fprintf(out, ",\n  \"sign\": %d", r->det_sign);
    }
    fprintf(out, "\n}\n");
}

/* A Hessian in Matrix Market's symmetric format: the lower triangle. */
static void write_mm_hessian(FILE *out, const jd_result *r, int prec)
{
    size_t n = r->n, nnz = 0;
    const dj_pattern *p = r->hsparse ? &r->hsparse->pattern : NULL;
    if (p != NULL)
        for (size_t e = 0; e < p->nnz; e++)
            nnz += r->values[e] != 0.0;
    else
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j <= i; j++)
                nnz += r->J[i * n + j] != 0.0;
    fprintf(out, "%%%%MatrixMarket matrix coordinate real symmetric\n");
    fprintf(out, "%% Hessian written by jacdump (lower triangle)\n");
    fprintf(out, "%zu %zu %zu\n", n, n, nnz);
    char buf[64];
    for (size_t i = 0; i < n; i++) {
        size_t lo = p ? p->row_ptr[i] : 0, hi = p ? p->row_ptr[i + 1] : i + 1;
        for (size_t e = lo; e < hi; e++) {
            size_t j = p ? p->col[e] : e;
            double v = p ? r->values[e] : r->J[i * n + j];
            if (v != 0.0) {
                number(buf, sizeof buf, v, prec);
                fprintf(out, "%zu %zu %s\n", i + 1, j + 1, buf);
            }
        }
    }
}

/* Matrix Market coordinate format; exact zeros are dropped. */
static void write_mm(FILE *out, const jd_result *r)
{
    int prec = r->precision ? r->precision : 17;
    if (r->hessian) {
        write_mm_hessian(out, r, prec);
        return;
    }
    size_t R = rows(r), C = cols(r), nnz = 0;
    if (r->sparse != NULL) {
        /* from the compressed rows: O(nonzeros), never the m×n matrix */
        const dj_pattern *p = &r->sparse->pattern;
        for (size_t e = 0; e < p->nnz; e++)
            nnz += r->values[e] != 0.0;
        fprintf(out, "%%%%MatrixMarket matrix coordinate real general\n");
        fprintf(out, "%% Jacobian written by jacdump, mode %s\n", r->mode);
        fprintf(out, "%zu %zu %zu\n", p->m, p->n, nnz);
        char buf[64];
        for (size_t i = 0; i < p->m; i++)
            for (size_t e = p->row_ptr[i]; e < p->row_ptr[i + 1]; e++)
                if (r->values[e] != 0.0) {
                    number(buf, sizeof buf, r->values[e], prec);
                    fprintf(out, "%zu %zu %s\n", i + 1, p->col[e] + 1, buf);
                }
        return;
    }
    for (size_t i = 0; i < R; i++)
        for (size_t j = 0; j < C; j++)
            nnz += entry(r, i, j) != 0.0;
    fprintf(out, "%%%%MatrixMarket matrix coordinate real general\n");
    fprintf(out, "%% Jacobian%s written by jacdump, mode %s\n", r->transpose ? " (transposed)" : "",
            r->mode);
    fprintf(out, "%zu %zu %zu\n", R, C, nnz);
    char buf[64];
    for (size_t i = 0; i < R; i++)
        for (size_t j = 0; j < C; j++) {
            double v = entry(r, i, j);
            if (v != 0.0) {
                number(buf, sizeof buf, v, prec);
                fprintf(out, "%zu %zu %s\n", i + 1, j + 1, buf);
            }
        }
}

/* NumPy .npy, version 1.0: magic, header length (little-endian), a dict
 * padded with spaces to a multiple of 64 bytes, then float64 data in C order. */
static void write_npy(FILE *out, const jd_result *r)
{
    char dict[128];
    int len = snprintf(dict, sizeof dict,
                       "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu, %zu), }", rows(r),
                       cols(r));
    size_t total = 10 + (size_t)len + 1; /* magic+version+length, dict, '\n' */
    size_t pad = (64 - total % 64) % 64;
    size_t hlen = (size_t)len + pad + 1;
    unsigned char head[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                              (unsigned char)(hlen & 0xff), (unsigned char)(hlen >> 8)};
    fwrite(head, 1, sizeof head, out);
    fwrite(dict, 1, (size_t)len, out);
    for (size_t i = 0; i < pad; i++)
        fputc(' ', out);
    fputc('\n', out);
    size_t R = rows(r), C = cols(r);
    for (size_t i = 0; i < R; i++)
        for (size_t j = 0; j < C; j++) {
            double v = entry(r, i, j);
            uint64_t bits;
            memcpy(&bits, &v, sizeof bits);
            unsigned char le[8];
            for (int b = 0; b < 8; b++)
                le[b] = (unsigned char)(bits >> (8 * b));
            fwrite(le, 1, sizeof le, out);
        }
}

int format_write(FILE *out, const char *name, const jd_result *r)
{
    if (strcmp(name, "text") == 0)
        write_text(out, r);
    else if (strcmp(name, "csv") == 0)
        write_csv(out, r);
    else if (strcmp(name, "json") == 0)
        write_json(out, r);
    else if (strcmp(name, "mm") == 0)
        write_mm(out, r);
    else if (strcmp(name, "npy") == 0)
        write_npy(out, r);
    else
        return -1;
    return ferror(out) ? -1 : 0;
}

static char color_char(size_t c)
{
    static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    return c < sizeof digits - 1 ? digits[c] : '*';
}

/* The structural pattern with each entry's column color, and the colorings. */
static int sparsity_colored(FILE *out, const jd_result *r)
{
    const dj_sparse *s = r->sparse;
    const dj_pattern *p = &s->pattern;
    fprintf(out, "%zu x %zu, %zu nonzero%s, %zu zeros ('.')\n", p->m, p->n, p->nnz,
            p->nnz == 1 ? "" : "s", p->m * p->n - p->nnz);
    int rev = strcmp(r->mode, "reverse") == 0;
    fprintf(out, "column colors: %zu (at least %zu), row colors: %zu (at least %zu); entries "
                 "show the %s colors\n",
            s->columns.count, s->columns.lower_bound, s->rows.count, s->rows.lower_bound,
            rev ? "row" : "column");
    size_t colors = rev ? s->rows.count : s->columns.count;
    size_t k = r->chunk > 0 ? (size_t)r->chunk : 1, runs = (colors + k - 1) / k;
    fprintf(out, "%s mode: %zu %s of width %d\n", r->mode, runs,
            rev ? (runs == 1 ? "sweep" : "sweeps") : (runs == 1 ? "pass" : "passes"), r->chunk);
    for (size_t i = 0; i < p->m; i++) {
        size_t e = p->row_ptr[i];
        for (size_t j = 0; j < p->n; j++) {
            if (e < p->row_ptr[i + 1] && p->col[e] == j) {
                double v = r->values[e++];
                size_t c = rev ? s->rows.color[i] : s->columns.color[j];
                fputc(isfinite(v) ? color_char(c) : '!', out);
            } else {
                fputc('.', out);
            }
        }
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

/* A sparse Hessian's pattern, both triangles, each entry showing its
 * column's star color. */
static int sparsity_hessian(FILE *out, const jd_result *r)
{
    const dj_hsparse *s = r->hsparse;
    const dj_pattern *p = &s->pattern;
    size_t n = p->n, offdiag = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t e = p->row_ptr[i]; e < p->row_ptr[i + 1]; e++)
            offdiag += p->col[e] != i;
    size_t full = p->nnz + offdiag;
    fprintf(out, "%zu x %zu Hessian, %zu nonzero%s (%zu in the lower triangle), %zu zeros ('.')\n",
            n, n, full, full == 1 ? "" : "s", p->nnz, n * n - full);
    size_t k = r->chunk > 0 ? (size_t)r->chunk : 1, runs = (s->colors.count + k - 1) / k;
    fprintf(out, "star coloring: %zu color%s (at least %zu); entries show their column's color\n",
            s->colors.count, s->colors.count == 1 ? "" : "s", s->colors.lower_bound);
    fprintf(out, "forward over reverse: %zu sweep%s of width %d\n", runs ? runs : 1,
            runs > 1 ? "s" : "", r->chunk);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            size_t a = i > j ? i : j, b = i > j ? j : i, e = p->row_ptr[a];
            while (e < p->row_ptr[a + 1] && p->col[e] < b)
                e++;
            if (e < p->row_ptr[a + 1] && p->col[e] == b)
                fputc(isfinite(r->values[e]) ? color_char(s->colors.color[j]) : '!', out);
            else
                fputc('.', out);
        }
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

int format_sparsity(FILE *out, const jd_result *r)
{
    if (r->hsparse != NULL)
        return sparsity_hessian(out, r);
    if (r->sparse != NULL)
        return sparsity_colored(out, r);
    size_t R = rows(r), C = cols(r), nnz = 0;
    fprintf(out, "%zu x %zu, ", R, C);
    for (size_t i = 0; i < R; i++)
        for (size_t j = 0; j < C; j++)
            nnz += entry(r, i, j) != 0.0;
    fprintf(out, "%zu nonzero%s ('*'), %zu zero ('.')\n", nnz, nnz == 1 ? "" : "s", R * C - nnz);
    for (size_t i = 0; i < R; i++) {
        for (size_t j = 0; j < C; j++) {
            double v = entry(r, i, j);
            fputc(v != 0.0 ? (isfinite(v) ? '*' : '!') : '.', out);
        }
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}
