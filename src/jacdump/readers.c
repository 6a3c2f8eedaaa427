/* readers.c: parsing the point from --at and from --at-file, with messages
 * that name the place of the problem. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    /* overflow to ±HUGE_VAL is a number the user wrote; junk is not */
    if (end != buf + len || isspace((unsigned char)buf[0]))
        return -1;
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

int point_parse(double *x, size_t n, char *const *names, const char *text, reader_error *err)
{
    size_t count = 0, pos = 0;
    int named = -1; /* decided by the first item */
    char *seen = calloc(n ? n : 1, 1);
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
        const char *eq = memchr(item, '=', len);
        if (named < 0)
            named = eq != NULL;
        if ((eq != NULL) != named) {
            failf(err, "--at: '%.*s' mixes named and positional values (column %zu)", (int)len,
                  item, col);
            status = -1;
            break;
        }
        if (named) {
            const char *name = item, *val = eq + 1;
            size_t nlen = (size_t)(eq - item), vlen = len - nlen - 1;
            trim(&name, &nlen);
            trim(&val, &vlen);
            size_t j = 0;
            while (j < n && !(names && strlen(names[j]) == nlen &&
                              memcmp(names[j], name, nlen) == 0))
                j++;
            if (j == n) {
                failf(err, "--at: unknown variable '%.*s' (column %zu)", (int)nlen, name, col);
                status = -1;
                break;
            }
            if (seen[j]) {
                failf(err, "--at: '%.*s' is given twice (column %zu)", (int)nlen, name, col);
                status = -1;
                break;
            }
            if (parse_number(val, vlen, &x[j]) != 0) {
                failf(err, "--at: '%.*s' is not a number (column %zu)", (int)vlen, val,
                      col + (size_t)(val - item));
                status = -1;
                break;
            }
            seen[j] = 1;
        } else {
            if (count >= n) {
                snprintf(err->message, sizeof err->message,
                         "--at: too many values: the function has %zu input%s", n,
                         n == 1 ? "" : "s");
                status = -1;
                break;
            }
            if (parse_number(item, len, &x[count]) != 0) {
                if (len)
                    failf(err, "--at: '%.*s' is not a number (column %zu)", (int)len, item, col);
                else
                    failf(err, "--at: empty value (column %zu)", col);
                status = -1;
                break;
            }
        }
        count++;
        if (text[pos] == '\0')
            break;
        pos++; /* ',' */
    }
    if (status == 0 && named == 1) {
        for (size_t j = 0; j < n; j++)
            if (!seen[j]) {
                snprintf(err->message, sizeof err->message, "--at: no value for '%s'",
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
    free(seen);
    return status;
}

int point_read_file(double **values, size_t *count, const char *path, reader_error *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (f == NULL) {
        snprintf(err->message, sizeof err->message, "--at-file: cannot read '%s': %s", path,
                 strerror(errno));
        return -1;
    }
    int status = point_read_stream(values, count, f, path, err);
    if (f != stdin)
        fclose(f);
    return status;
}

int point_read_stream(double **values, size_t *count, FILE *f, const char *path,
                      reader_error *err)
{
    size_t cap = 1024, n = 0, line = 1, col = 1;
    double *v = malloc(cap * sizeof *v);
    char word[128];
    size_t wlen = 0, wcol = 0;
    int status = v ? 0 : -1, c;
    if (v == NULL)
        snprintf(err->message, sizeof err->message, "--at-file: out of memory");
    while (status == 0) {
        c = fgetc(f);
        if (c == EOF || isspace(c) || c == ',') {
            if (wlen > 0) {
                double d;
                if (wlen >= sizeof word || parse_number(word, wlen, &d) != 0) {
                    snprintf(err->message, sizeof err->message,
                             "%s:%zu:%zu: '%.*s' is not a number", path, line, wcol,
                             (int)(wlen < sizeof word ? wlen : 40), word);
                    status = -1;
                    break;
                }
                if (n == cap) {
                    double *w = cap < ((size_t)-1) / 2 / sizeof *v ? realloc(v, 2 * cap * sizeof *v)
                                                                   : NULL;
                    if (w == NULL) {
                        snprintf(err->message, sizeof err->message, "--at-file: out of memory");
                        status = -1;
                        break;
                    }
                    v = w;
                    cap *= 2;
                }
                v[n++] = d;
                wlen = 0;
            }
            if (c == EOF)
                break;
            if (c == '\n') {
                line++;
                col = 1;
                continue;
            }
        } else {
            if (wlen == 0)
                wcol = col;
            if (wlen < sizeof word)
                word[wlen] = (char)c;
            wlen++;
        }
        col++;
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
