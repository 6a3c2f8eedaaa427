/*
 * peers_table.c: the summary of `make bench-peers`. Reads the CSVs the
 * programs wrote (one per tool) and writes, for every case, each tool's
 * best method (the lowest median ratio to the primal), the best of the
 * other tools, and dualjac's margin over it (that tool's ratio over
 * dualjac's: above 1, dualjac is faster):
 *
 *   DIR/peers-table.md   the table, as in docs/peers.md
 *   DIR/peers.csv        the same, one row per case and tool
 *   DIR/peers-FAMILY.dat each family's best ratios, a column per tool,
 *                        for bench/peers/peers.gp
 *   DIR/peers-FAMILY.cols which of those columns hold a row, for the same
 *
 * Usage: peers_table [--out DIR] FILE.csv...
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_CASES = 128, MAX_TOOLS = 8, FIELD = 160 };

static const char *tools[MAX_TOOLS] = {"dualjac", "ADOL-C", "Ceres", "Eigen", "Sacado", "FD"};
static const int ntools = 6;

typedef struct best {
    double median, fastest, primal;
    char method[FIELD];
} best;

typedef struct entry {
    char family[FIELD], label[FIELD];
    best tool[MAX_TOOLS];
} entry;

static entry cases[MAX_CASES];
static int ncases;
static char machine[FIELD * 2], date[64];

static int tool_index(const char *name)
{
    for (int t = 0; t < ntools; t++)
        if (strcmp(tools[t], name) == 0)
            return t;
    return -1;
}

static entry *find_case(const char *family, const char *label)
{
    for (int i = 0; i < ncases; i++)
        if (strcmp(cases[i].family, family) == 0 && strcmp(cases[i].label, label) == 0)
            return &cases[i];
    if (ncases == MAX_CASES)
        return NULL;
    entry *e = &cases[ncases++];
    memset(e, 0, sizeof *e);
    snprintf(e->family, sizeof e->family, "%s", family);
    snprintf(e->label, sizeof e->label, "%s", label);
    for (int t = 0; t < MAX_TOOLS; t++)
        e->tool[t].median = e->tool[t].fastest = INFINITY;
    return e;
}

/* Splits a CSV line in place (no quoting: the writers keep commas out). */
static int split(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < max;) {
        f[n++] = p;
        p = strchr(p, ',');
        if (p == NULL)
            break;
        *p++ = '\0';
    }
    return n;
}

/* "tool: method" and a suffix such as " (fastest samples)". */
static int parse_measure(const char *measure, int *tool, char *method, const char **suffix)
{
    const char *colon = strstr(measure, ": ");
    if (colon == NULL)
        return 0;
    char name[FIELD];
    snprintf(name, sizeof name, "%.*s", (int)(colon - measure), measure);
    *tool = tool_index(name);
    const char *rest = colon + 2, *paren = strstr(rest, " (fastest samples)");
    if (paren == NULL)
        paren = strstr(rest, " (primal)");
    if (paren == NULL)
        paren = strstr(rest, " (error)");
    *suffix = paren != NULL ? paren : "";
    snprintf(method, FIELD, "%.*s", (int)(paren ? paren - rest : (long)strlen(rest)), rest);
    return *tool >= 0;
}

static int read_csv(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return 0;
    }
    char line[2048];
    /* method medians first, so that the fastest and primal rows attach to
     * the chosen method: two passes */
    for (int pass = 0; pass < 2; pass++) {
        rewind(f);
        if (fgets(line, sizeof line, f) == NULL)
            break;
        while (fgets(line, sizeof line, f) != NULL) {
            char *fld[12];
            if (split(line, fld, 12) < 12)
                continue;
            int t;
            char method[FIELD];
            const char *suffix;
            if (!parse_measure(fld[2], &t, method, &suffix))
                continue;
            entry *e = find_case(fld[0], fld[1]);
            if (e == NULL)
                continue;
            if (!machine[0]) {
                snprintf(machine, sizeof machine, "%s; %s; flags %s", fld[8], fld[9], fld[10]);
                snprintf(date, sizeof date, "%s", fld[11]);
            }
            best *b = &e->tool[t];
            double v = atof(fld[3]);
            if (pass == 0 && suffix[0] == '\0' && strcmp(fld[7], "ratio") == 0 && v < b->median) {
                b->median = v;
                snprintf(b->method, sizeof b->method, "%s", method);
            } else if (pass == 1 && strcmp(method, b->method) == 0) {
                if (strcmp(suffix, " (fastest samples)") == 0)
                    b->fastest = v;
                else if (strcmp(suffix, " (primal)") == 0)
                    b->primal = v;
            }
        }
    }
    fclose(f);
    return 1;
}

/* The tool other than dualjac with the lowest median, or -1. */
static int best_peer(const entry *e)
{
    int b = -1;
    for (int t = 1; t < ntools; t++)
        if (isfinite(e->tool[t].median) && (b < 0 || e->tool[t].median < e->tool[b].median))
            b = t;
    return b;
}

static void cell(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, v < 10 ? " %.2f |" : v < 100 ? " %.1f |" : " %.0f |", v);
    else
        fprintf(f, " — |");
}

static void write_table(FILE *f)
{
    fprintf(f, "Machine: %s; run %s. Every figure: time / time of the plain C primal, "
               "median of interleaved pairs (the tool's best method).\n\n",
            machine, date);
    fprintf(f, "| family | case | primal µs | dualjac | ADOL-C | Ceres | Eigen | Sacado | FD |"
               " fastest peer | dualjac's margin (median / fastest) |\n");
    fprintf(f, "|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < ncases; i++) {
        const entry *e = &cases[i];
        fprintf(f, "| %s | %s | %.3g |", e->family, e->label, e->tool[0].primal * 1e6);
        for (int t = 0; t < ntools; t++)
            cell(f, e->tool[t].median);
        int p = best_peer(e);
        if (p < 0 || !isfinite(e->tool[0].median)) {
            fprintf(f, " — | — |\n");
            continue;
        }
        const best *d = &e->tool[0], *b = &e->tool[p];
        fprintf(f, " %s %s | %.2fx / %.2fx |\n", tools[p], b->method, b->median / d->median,
                b->fastest / d->fastest);
    }
    fprintf(f, "\nMethods (each tool's best per case):\n\n");
    for (int i = 0; i < ncases; i++) {
        const entry *e = &cases[i];
        fprintf(f, "- %s %s:", e->family, e->label);
        for (int t = 0; t < ntools; t++)
            if (isfinite(e->tool[t].median))
                fprintf(f, " %s %s (%.3g);", tools[t], e->tool[t].method, e->tool[t].median);
        fprintf(f, "\n");
    }
}

static void write_csv(FILE *f)
{
    fprintf(f, "family,case,tool,method,median,fastest,primal_s,machine,date\n");
    for (int i = 0; i < ncases; i++)
        for (int t = 0; t < ntools; t++) {
            const best *b = &cases[i].tool[t];
            if (isfinite(b->median))
                fprintf(f, "%s,%s,%s,%s,%.6g,%.6g,%.6g,%s,%s\n", cases[i].family, cases[i].label,
                        tools[t], b->method, b->median, b->fastest, b->primal, machine, date);
        }
}

static int write_dat(const char *dir)
{
    for (int i = 0; i < ncases; i++) {
        int first = 1;
        for (int k = 0; k < i; k++)
            if (strcmp(cases[k].family, cases[i].family) == 0)
                first = 0;
        if (!first)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%.900s/peers-%.64s.dat", dir, cases[i].family);
        FILE *f = fopen(path, "w");
        if (f == NULL) {
            perror(path);
            return 0;
        }
        fprintf(f, "case");
        for (int t = 0; t < ntools; t++)
            fprintf(f, " \"%s\"", tools[t]);
        fprintf(f, "\n");
        for (int k = i; k < ncases; k++) {
            if (strcmp(cases[k].family, cases[i].family) != 0)
                continue;
            fprintf(f, "\"%s\"", cases[k].label);
            for (int t = 0; t < ntools; t++)
                fprintf(f, isfinite(cases[k].tool[t].median) ? " %.6g" : " NaN",
                        cases[k].tool[t].median);
            fprintf(f, "\n");
        }
        fclose(f);
        /* the columns of the tools with a row in this family: peers.gp plots
         * only those (an all-NaN column makes gnuplot warn) */
        snprintf(path, sizeof path, "%.900s/peers-%.64s.cols", dir, cases[i].family);
        if ((f = fopen(path, "w")) == NULL) {
            perror(path);
            return 0;
        }
        fprintf(f, "cols = \"");
        const char *sep = "";
        for (int t = 0; t < ntools; t++)
            for (int k = i; k < ncases; k++)
                if (strcmp(cases[k].family, cases[i].family) == 0 &&
                    isfinite(cases[k].tool[t].median)) {
                    fprintf(f, "%s%d", sep, t + 2);
                    sep = " ";
                    break;
                }
        fprintf(f, "\"\n");
        fclose(f);
    }
    return 1;
}

int main(int argc, char **argv)
{
    const char *dir = "bench/results";
    int files = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (read_csv(argv[i]))
            files++;
        else
            return 2;
    }
    if (files == 0 || ncases == 0) {
        fprintf(stderr, "usage: peers_table [--out DIR] FILE.csv...\n");
        return 2;
    }
    char path[1024];
    snprintf(path, sizeof path, "%.900s/peers-table.md", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return 2;
    }
    write_table(f);
    fclose(f);
    write_table(stdout);
    snprintf(path, sizeof path, "%.900s/peers.csv", dir);
    f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return 2;
    }
    write_csv(f);
    fclose(f);
    return write_dat(dir) ? 0 : 2;
}
