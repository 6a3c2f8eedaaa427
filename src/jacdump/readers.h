/* readers.h: the point at which jacdump differentiates, from --at or a file. */
#ifndef JACDUMP_READERS_H
#define JACDUMP_READERS_H

#include <stddef.h>
#include <stdio.h>

/* A message naming the place of the problem. */
typedef struct reader_error {
    char message[256];
} reader_error;

/* Parses "1,2,3" (values in input order) or "x=1,y=2" (by name, every input
 * exactly once; names are looked up by hash) into x[0..n). names may be NULL
 * for unnamed inputs. An empty value and a number out of range are errors.
 * Returns 0 on success, -1 with err filled. */
int point_parse(double *x, size_t n, char *const *names, const char *text, reader_error *err);

/* Reads numbers separated by blanks, newlines or single commas from path
 * ("-" is stdin) into *values (malloc'd, *count of them), at most max of
 * them. A leading UTF-8 byte order mark is skipped; a NUL byte, a word of
 * 128 bytes or more, an empty value between commas and a number out of
 * range are errors at their line and column, found without reading the
 * rest. Returns 0 or -1 with err. */
int point_read_file(double **values, size_t *count, const char *path, size_t max,
                    reader_error *err);

/* The same from an open stream; name is used in messages. */
int point_read_stream(double **values, size_t *count, FILE *f, const char *name, size_t max,
                      reader_error *err);

/* Parses one number of C syntax (as strtod reads it) spanning all of text
 * [0, len); returns 0, -1 when it is not a number, or -2 when it overflows
 * (1e999; "inf" itself is a number). */
int parse_number(const char *text, size_t len, double *out);

#endif
