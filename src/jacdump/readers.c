/* readers.c: parsing the point from --at and from --at-file, with messages
 * that name the place of the problem. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "readers.h"

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static void failf(reader_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

int parse_number(const char *text, size_t len, double *out)
{
    char buf[128];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + len || isspace((unsigned char)buf[0]))
        return -1;
    /* "inf" is a number the user wrote; 1e999 overflowing to it is not.
     * Underflow to a subnormal or zero is IEEE's gradual underflow: kept. */
    if (errno == ERANGE && isinf(v))
        return -2;
    *out = v;
    return 0;
}

/* Trims blanks around [*s, *s + *len). */
static void trim(const char **s, size_t *len)
{
    while (*len > 0 && isspace((unsigned char)**s))
        (*s)++, (*len)--;
    while (*len > 0 && isspace((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

/* Explains why [text, len) is not a value: empty, out of range or junk. */
static void bad_value(reader_error *err, const char *what, const char *text, size_t len,
                      size_t col, int why)
{
    if (len == 0)
        failf(err, "%s: empty value (column %zu)", what, col);
    else if (why == -2)
        failf(err, "%s: '%.*s' is out of range: beyond the largest double, 1.8e308 (column %zu)",
              what, (int)(len < 60 ? len : 60), text, col);
    else
        failf(err, "%s: '%.*s' is not a number (column %zu)", what, (int)(len < 60 ? len : 60),
              text, col);
}

int point_parse(double *x, size_t n, char *const *names, const char *text, reader_error *err)
{
    size_t count = 0, pos = 0;
    int named = -1; /* decided by the first item */
    char *seen = calloc(n ? n : 1, 1);
    name_index ix = {0};
    if (seen == NULL) {
        snprintf(err->message, sizeof err->message, "--at: out of memory");
        return -1;
    }
    int status = 0;
    for (;;) {
        size_t start = pos;
        while (text[pos] != '\0' && text[pos] != ',')
            pos++;
        const char *item = text + start;
        size_t len = pos - start;
        size_t col = start + 1;
        trim(&item, &len);
        col = (size_t)(item - text) + 1;
        const char *eq = memchr(item, '=', len);
        if (named < 0) {
            named = eq != NULL;
            /* names looked up by hash: 10^5 of them cost 10^5 lookups */
            if (named && names != NULL && name_index_build(&ix, names, n) != 0) {
                failf(err, "--at: out of memory");
                status = -1;
                break;
            }
        }
        if (len > 0 && (eq != NULL) != named) {
            failf(err, "--at: '%.*s' mixes named and positional values (column %zu)",
                  (int)(len < 60 ? len : 60), item, col);
            status = -1;
            break;
        }
        if (named) {
            if (len == 0) {
                failf(err, "--at: empty item (column %zu)", col);
                status = -1;
                break;
            }
            const char *name = item, *val = eq + 1;
            size_t nlen = (size_t)(eq - item), vlen = len - nlen - 1;
            trim(&name, &nlen);
            trim(&val, &vlen);
            ptrdiff_t j = names ? name_index_find(&ix, names, name, nlen) : -1;
            if (j < 0) {
                failf(err, "--at: unknown variable '%.*s' (column %zu)",
                      (int)(nlen < 60 ? nlen : 60), name, col);
                status = -1;
                break;
            }
            if (seen[j]) {
                failf(err, "--at: '%.*s' is given twice (column %zu)", (int)nlen, name, col);
                status = -1;
                break;
            }
            size_t vcol = vlen ? (size_t)(val - text) + 1 : (size_t)(eq - text) + 2;
            int why = parse_number(val, vlen, &x[j]);
            if (why != 0) {
                bad_value(err, "--at", val, vlen, vcol, why);
                status = -1;
                break;
            }
            seen[j] = 1;
        } else {
            /* an empty value is reported as such, even past the last input */
            int why = -1;
            double v = 0;
            if (len > 0)
                why = parse_number(item, len, &v);
            if (why != 0) {
                bad_value(err, "--at", item, len, col, why);
                status = -1;
                break;
            }
            if (count >= n) {
                snprintf(err->message, sizeof err->message,
                         "--at: too many values: the function has %zu input%s", n,
                         n == 1 ? "" : "s");
                status = -1;
                break;
            }
            x[count] = v;
        }
        count++;
        if (text[pos] == '\0')
            break;
        pos++; /* ',' */
    }
    if (status == 0 && named == 1) {
        for (size_t j = 0; j < n; j++)
            if (!seen[j]) {
                snprintf(err->message, sizeof err->message, "--at: no value for '%.60s'",
                         names ? names[j] : "?");
                status = -1;
                break;
            }
    } else if (status == 0 && count != n) {
        snprintf(err->message, sizeof err->message,
                 "--at: %zu value%s for a function of %zu input%s", count, count == 1 ? "" : "s",
                 n, n == 1 ? "" : "s");
        status = -1;
    }
    name_index_free(&ix);
    free(seen);
    return status;
}

int point_read_file(double **values, size_t *count, const char *path, size_t max,
                    reader_error *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (f == NULL) {
        snprintf(err->message, sizeof err->message, "--at-file: cannot read '%s': %s", path,
                 strerror(errno));
        return -1;
    }
    int status = point_read_stream(values, count, f, path, max, err);
    if (f != stdin)
        fclose(f);
    return status;
}

/* The file reader's state: where it is, and the word being read. */
typedef struct file_reader {
    const char *path;
    size_t line, col;          /* of the next byte */
    char word[128];
    size_t wlen, wline, wcol;  /* the word so far and where it began */
    int comma;                 /* a ',' was read since the last word */
    size_t cline, ccol;        /* where */
    reader_error *err;
} file_reader;

/* Ends the word being read: a value into v, or an error. */
static int end_word(file_reader *r, double **v, size_t *n, size_t *cap, size_t max)
{
    double d;
    int why = parse_number(r->word, r->wlen, &d);
    if (why != 0) {
        snprintf(r->err->message, sizeof r->err->message, "%s:%zu:%zu: '%.*s' is %s", r->path,
                 r->wline, r->wcol, (int)(r->wlen < 60 ? r->wlen : 60), r->word,
                 why == -2 ? "out of range: beyond the largest double, 1.8e308"
                           : "not a number");
        return -1;
    }
    if (*n == max) {
        snprintf(r->err->message, sizeof r->err->message,
                 "%s:%zu:%zu: more numbers than the function's %zu input%s", r->path, r->wline,
                 r->wcol, max, max == 1 ? "" : "s");
        return -1;
    }
    if (*n == *cap) {
        double *w = *cap < ((size_t)-1) / 2 / sizeof **v ? realloc(*v, 2 * *cap * sizeof **v)
                                                         : NULL;
        if (w == NULL) {
            snprintf(r->err->message, sizeof r->err->message, "--at-file: out of memory");
            return -1;
        }
        *v = w;
        *cap *= 2;
    }
    (*v)[(*n)++] = d;
    r->wlen = 0;
    r->comma = 0;
    return 0;
}

int point_read_stream(double **values, size_t *count, FILE *f, const char *path, size_t max,
                      reader_error *err)
{
    size_t cap = 1024, n = 0;
    double *v = malloc(cap * sizeof *v);
    file_reader r = {path, 1, 1, {0}, 0, 0, 0, 0, 0, 0, err};
    int status = v ? 0 : -1, c;
    if (v == NULL)
        snprintf(err->message, sizeof err->message, "--at-file: out of memory");
    /* a UTF-8 byte order mark, as some editors write, is not part of the text */
    if (status == 0) {
        c = fgetc(f);
        if (c == 0xEF) {
            int c2 = fgetc(f), c3 = c2 == 0xBB ? fgetc(f) : EOF;
            if (c2 != 0xBB || c3 != 0xBF) {
                snprintf(err->message, sizeof err->message,
                         "%s:1:1: the file does not start with a number", path);
                status = -1;
            }
        } else if (c != EOF) {
            ungetc(c, f);
        }
    }
    while (status == 0) {
        c = fgetc(f);
        if (c == EOF || isspace(c) || c == ',') {
            if (r.wlen > 0 && end_word(&r, &v, &n, &cap, max) != 0) {
                status = -1;
                break;
            }
            if (c == ',') {
                /* numbers are separated by one comma, as in --at: "1,,2" and a
                 * comma with no number before it are empty values */
                if (r.comma || n == 0) {
                    snprintf(err->message, sizeof err->message, "%s:%zu:%zu: empty value "
                             "before this ','", path, r.line, r.col);
                    status = -1;
                    break;
                }
                r.comma = 1;
                r.cline = r.line;
                r.ccol = r.col;
            }
            if (c == EOF)
                break;
            if (c == '\n') {
                r.line++;
                r.col = 1;
                continue;
            }
        } else if (c == '\0') {
            /* NUL is not text; reading on would make a word of /dev/zero */
            snprintf(err->message, sizeof err->message,
                     "%s:%zu:%zu: a NUL byte: this is not a text file of numbers", path, r.line,
                     r.col);
            status = -1;
            break;
        } else {
            if (r.wlen == 0) {
                r.wline = r.line;
                r.wcol = r.col;
            }
            if (r.wlen == sizeof r.word - 1) {
                /* no number is this long: stop here, not at the end of the file */
                snprintf(err->message, sizeof err->message,
                         "%s:%zu:%zu: '%.40s...' is not a number (longer than %zu bytes)", path,
                         r.wline, r.wcol, r.word, sizeof r.word - 1);
                status = -1;
                break;
            }
            r.word[r.wlen++] = (char)c;
        }
        r.col++;
    }
    if (status == 0 && r.comma) {
        snprintf(err->message, sizeof err->message, "%s:%zu:%zu: empty value after this ','",
                 path, r.cline, r.ccol);
        status = -1;
    }
    if (status == 0 && ferror(f)) {
        snprintf(err->message, sizeof err->message, "--at-file: error reading '%s'", path);
        status = -1;
    }
    if (status != 0) {
        free(v);
        return -1;
    }
    *values = v;
    *count = n;
    return 0;
}
