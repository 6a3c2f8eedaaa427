/* fuzz_parser.c: libFuzzer harness for jacdump's expression language. Any
 * text must compile or fail with a message and a place inside the text; what
 * compiles must evaluate and differentiate in both modes without a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/jacdump/program.h"

/* Long inputs too: the parser's depth limit and the readers' word limit are
 * reached only past a few kilobytes (.ci/fuzz runs with -max_len=65536 and
 * seeds up to 100 KB). */
#define FUZZ_MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    expr_program *p = NULL;
    expr_error e;
    int st = expr_compile(&p, text, NULL, 0, &e);
    if (st == DJ_EPARSE) {
        /* the place is inside the text (or just past its end) */
        if (e.line_start > size || e.column == 0 || e.message[0] == '\0')
            abort();
    } else if (st == DJ_OK && p->ninputs > 0 && p->ninputs <= 64 && p->noutputs <= 64) {
        dj_fn f = expr_fn(p);
        double x[64], J[64 * 64], y[64];
        for (size_t j = 0; j < p->ninputs; j++)
            x[j] = 0.25 + 0.5 * (double)j;
        dj_opts o = {.mode = DJ_MODE_FORWARD};
        if (dj_jacobian(J, y, &f, x, &o, NULL) != DJ_OK)
            abort();
        o.mode = DJ_MODE_REVERSE;
        if (dj_jacobian(J, y, &f, x, &o, NULL) != DJ_OK)
            abort();
    }
    expr_free(p);
    free(text);
    return 0;
}
