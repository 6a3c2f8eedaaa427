/* fuzz_point.c: libFuzzer harness for jacdump's point readers: --at text
 * ("1,2,3" or "x=1,y=2") and --at-file contents. Bad input must fail with a
 * message, never crash or leak. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/jacdump/readers.h"

/* Long inputs too: the parser's depth limit and the readers' word limit are
 * reached only past a few kilobytes (.ci/fuzz runs with -max_len=65536 and
 * seeds up to 100 KB). */
#define FUZZ_MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > FUZZ_MAX_INPUT)
        return 0;
    reader_error err;
    /* the first byte picks the reader, the rest is its input */
    if (data[0] & 1) {
        char *text = malloc(size);
        if (text == NULL)
            return 0;
        memcpy(text, data + 1, size - 1);
        text[size - 1] = '\0';
        char x_[] = "x", y_[] = "y", z_[] = "z";
        char *names[] = {x_, y_, z_};
        double x[3];
        if (point_parse(x, 3, names, text, &err) != 0 && err.message[0] == '\0')
            abort();
        free(text);
    } else {
        FILE *f = fmemopen((void *)(uintptr_t)(data + 1), size - 1, "r");
        if (f == NULL)
            return 0;
        double *v = NULL;
        size_t count = 0;
        if (point_read_stream(&v, &count, f, "fuzz", 64, &err) == 0)
            free(v);
        else if (err.message[0] == '\0')
            abort();
        fclose(f);
    }
    return 0;
}
