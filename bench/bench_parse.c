/*
 * bench_parse.c: how jacdump's compiler scales with the number of names.
 *
 * Compiles two families of generated text at sizes doubling from 12,500 to
 * 400,000 names: N distinct inputs summed ("v1 + v2 + ... + vN") and a chain
 * of N definitions ("d1 = v; d2 = d1 + v; ...; dN"). Each time is the best of
 * three compilations. Linear growth shows as a flat time per name and a
 * ratio near 2 from one size to the next; a linear scan per lookup (what the
 * parser did) showed as a ratio near 4 (10^5 inputs took 15.6 s, 10^5
 * definitions 72.7 s). Usage: bench_parse [MAX_N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/jacdump/program.h"
#include "timing.h"

/* "v1 + v2 + ... + vN" */
static char *inputs_text(size_t n)
{
    char *t = malloc(n * 16 + 16), *p = t;
    if (t == NULL)
        return NULL;
    for (size_t i = 1; i <= n; i++)
        p += sprintf(p, i == 1 ? "v%zu" : " + v%zu", i);
    return t;
}

/* "d1 = v\nd2 = d1 + v\n...\ndN" */
static char *definitions_text(size_t n)
{
    char *t = malloc(n * 32 + 32), *p = t;
    if (t == NULL)
        return NULL;
    p += sprintf(p, "d1 = v\n");
    for (size_t i = 2; i <= n; i++)
        p += sprintf(p, "d%zu = d%zu + v\n", i, i - 1);
    sprintf(p, "d%zu\n", n);
    return t;
}

/* Best of three compilations of text, in seconds; -1 on failure. */
static double compile_seconds(const char *text)
{
    double best = -1;
    for (int rep = 0; rep < 3; rep++) {
        expr_program *p;
        double t0 = bench_now();
        int st = expr_compile(&p, text, NULL, 0, NULL);
        double t = bench_now() - t0;
        if (st != DJ_OK)
            return -1;
        expr_free(p);
        if (best < 0 || t < best)
            best = t;
    }
    return best;
}

int main(int argc, char **argv)
{
    size_t max_n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 400000;
    static const struct {
        const char *name;
        char *(*make)(size_t n);
    } family[] = {{"distinct inputs", inputs_text}, {"definitions", definitions_text}};
    printf("jacdump's compiler: time against the number of names (best of 3)\n");
    printf("%-16s %8s %12s %12s %14s\n", "family", "N", "seconds", "ns / name",
           "t(N) / t(N/2)");
    for (size_t f = 0; f < 2; f++) {
        double previous = 0;
        for (size_t n = 12500; n <= max_n; n *= 2) {
            char *text = family[f].make(n);
            if (text == NULL)
                return 1;
            double t = compile_seconds(text);
            free(text);
            if (t < 0) {
                fprintf(stderr, "bench_parse: %s, N = %zu: does not compile\n", family[f].name,
                        n);
                return 1;
            }
            printf("%-16s %8zu %12.4f %12.1f", family[f].name, n, t, t / (double)n * 1e9);
            if (previous > 0)
                printf(" %14.2f", t / previous);
            printf("\n");
            previous = t;
        }
    }
    return 0;
}
