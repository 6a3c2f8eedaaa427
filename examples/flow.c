/*
 * flow.c: the change of variables of a normalizing flow. Two affine
 * coupling layers on R^6 with the halves swapped between them:
 *
 *   layer: (a, b) -> (a, b * exp(s(a)) + t(a)),  s(a) = tanh(S a + c),
 *                                                t(a) = T a + e
 *   flow:  x = (a, b) -> layer -> swap halves -> layer' -> y
 *
 * Each layer's Jacobian is block triangular with diagonal exp(s), so
 * log|det J| = sum(s) + sum(s') exactly, and the swap of two halves of 3
 * contributes the sign (-1)^3. The program computes log|det J| from
 * dualjac's Jacobian and an LU factorization (LAPACK dgetrf) and compares it
 * with that analytic value; with --jacdump FILE it also writes the map in
 * jacdump's expression language, so that `jacdump -f FILE --logdet` can be
 * checked against the same number. Exits 1 if they differ beyond 1e-12.
 * The map is a template, flow.dj.h: compile with -I and this folder.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <dualjac.h>

enum { D = 6, H = 3 };

/* The weights of the two layers: s(a) = tanh(scale_w a + scale_b),
 * t(a) = shift_w a + shift_b. (No member may be called T: in the template
 * T is the macro naming the scalar type.) */
typedef struct coupling {
    double scale_w[H][H], scale_b[H], shift_w[H][H], shift_b[H];
} coupling;

static const coupling layers[2] = {
    {{{0.5, -0.3, 0.2}, {0.1, 0.4, -0.6}, {-0.2, 0.3, 0.7}},
     {0.1, -0.2, 0.05},
     {{1.0, 0.2, -0.5}, {0.3, -0.8, 0.1}, {0.4, 0.6, 0.9}},
     {0.3, -0.1, 0.2}},
    {{{-0.4, 0.6, 0.1}, {0.3, 0.2, 0.5}, {0.7, -0.1, -0.3}},
     {-0.05, 0.15, 0.2},
     {{0.2, -0.7, 0.4}, {0.5, 0.1, -0.2}, {-0.6, 0.3, 0.8}},
     {-0.2, 0.4, 0.1}},
};

/* The map, written once over T as ordinary C (flow.dj.h), instantiated
 * for every scalar type. */
#define DJ_TEMPLATE "flow.dj.h"
#include <dualjac/instantiate.h>

static const dj_fn flow = DJ_FN_INIT(flow, D, D, NULL);

void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);

/* The analytic log|det J|: the sum of both layers' s values at x. */
static double analytic_logdet(const double *x)
{
    double a[H], b[H], total = 0;
    memcpy(a, x, sizeof a);
    memcpy(b, x + H, sizeof b);
    for (int l = 0; l < 2; l++) {
        const coupling *L = &layers[l];
        const double *cond = l == 0 ? a : b;
        double *moved = l == 0 ? b : a, next[H];
        for (int i = 0; i < H; i++) {
            double s = L->scale_b[i], t = L->shift_b[i];
            for (int j = 0; j < H; j++) {
                s += L->scale_w[i][j] * cond[j];
                t += L->shift_w[i][j] * cond[j];
            }
            total += tanh(s);
            next[i] = moved[i] * exp(tanh(s)) + t;
        }
        memcpy(moved, next, sizeof next);
    }
    return total;
}

/* The map in jacdump's language, with its weights written out. */
static int write_jacdump(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    fprintf(f, "# two affine coupling layers on R^6 (examples/flow.c)\n");
    const char *in[2][H] = {{"x1", "x2", "x3"}, {"x4", "x5", "x6"}};
    /* layer 1: b = x4..x6 moved by a = x1..x3; layer 2: a moved by the new b */
    for (int l = 0; l < 2; l++) {
        const coupling *L = &layers[l];
        for (int i = 0; i < H; i++) {
            fprintf(f, "%s%d = ", l == 0 ? "b" : "a", i + 1);
            const char *moved = l == 0 ? in[1][i] : in[0][i];
            fprintf(f, "%s * exp(tanh(%.17g", moved, L->scale_b[i]);
            for (int j = 0; j < H; j++)
                fprintf(f, " + %.17g*%s%d", L->scale_w[i][j], l == 0 ? "x" : "b", j + 1);
            fprintf(f, ")) + %.17g", L->shift_b[i]);
            for (int j = 0; j < H; j++)
                fprintf(f, " + %.17g*%s%d", L->shift_w[i][j], l == 0 ? "x" : "b", j + 1);
            fprintf(f, "\n");
        }
    }
    fprintf(f, "b1, b2, b3, a1, a2, a3\n");
    return fclose(f);
}

int main(int argc, char **argv)
{
    const double x[D] = {0.3, -0.7, 1.1, 0.5, -0.2, 0.8};
    double J[D * D], lu[D * D];
    int status = dj_jacobian(J, NULL, &flow, x, NULL, NULL);
    if (status != DJ_OK) {
        fprintf(stderr, "flow: %s\n", dj_strerror(status));
        return 1;
    }
    /* LU of the row-major J (LAPACK sees Jᵀ, which has the same determinant) */
    memcpy(lu, J, sizeof lu);
    int n = D, info, piv[D], sign = 1;
    dgetrf_(&n, &n, lu, &n, piv, &info);
    double logdet = 0;
    for (int i = 0; i < D; i++) {
        logdet += log(fabs(lu[i * D + i]));
        if (lu[i * D + i] < 0)
            sign = -sign;
        if (piv[i] != i + 1)
            sign = -sign;
    }
    double want = analytic_logdet(x);
    printf("normalizing flow on R^6: two affine couplings, halves swapped between them\n");
    printf("  log|det J| from dualjac + LU  %.15f (sign %+d)\n", logdet, sign);
    printf("  analytic sum of the scales    %.15f (sign %+d)\n", want, -1);
    printf("  difference %.1e\n", fabs(logdet - want));
    int ok = info == 0 && fabs(logdet - want) <= 1e-12 && sign == -1;
    if (argc == 3 && strcmp(argv[1], "--jacdump") == 0)
        ok = write_jacdump(argv[2]) == 0 && ok;
    else if (argc != 1) {
        fprintf(stderr, "usage: flow [--jacdump FILE]\n");
        return 2;
    }
    if (!ok)
        fprintf(stderr, "flow: log|det J| does not match\n");
    return ok ? 0 : 1;
}
