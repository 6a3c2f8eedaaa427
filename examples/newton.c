/*
 * newton.c: Newton's method on the Broyden tridiagonal system, n = 1000,
 * from the standard start x = (-1, ..., -1).
 *
 *   f_i(x) = (3 - 2 x_i) x_i - x_{i-1} - 2 x_{i+1} + 1,   x_0 = x_{n+1} = 0
 *
 * The Jacobian is tridiagonal. dualjac finds that once (dj_sparse_analyze:
 * the pattern and a coloring with 3 colors), so each step's Jacobian is one
 * forward pass whatever n is, and never an n×n matrix; LAPACK's banded
 * solver dgbsv then solves J·dx = -f in O(n) instead of the O(n^3) of a
 * dense dgesv. Newton converges quadratically: once the residual is small,
 * each step roughly squares it. Exits 1 if that does not happen.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <dualjac.h>

#define BROYDEN(T, y, x, n, m, ctx)                                            \
    for (size_t i = 0; i < n; i++) {                                           \
        T r = dj_add(dj_mul(dj_sub(3, dj_mul(2, x[i])), x[i]), 1);             \
        if (i > 0)                                                             \
            r = dj_sub(r, x[i - 1]);                                           \
        if (i + 1 < n)                                                         \
            r = dj_sub(r, dj_mul(2, x[i + 1]));                                \
        y[i] = r;                                                              \
    }
DJ_FN_INSTANTIATE(broyden, BROYDEN);

/* LAPACK: solve a banded system (Fortran interface, column-major band). */
void dgbsv_(const int *n, const int *kl, const int *ku, const int *nrhs, double *ab,
            const int *ldab, int *ipiv, double *b, const int *ldb, int *info);

static double norm2(const double *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i] * v[i];
    return sqrt(s);
}

int main(void)
{
    enum { N = 1000, KL = 1, KU = 1, LDAB = 2 * KL + KU + 1 };
    dj_fn f = DJ_FN_INIT(broyden, N, N, NULL);
    double *x = malloc(N * sizeof *x), *r = malloc(N * sizeof *r);
    double *ab = malloc(LDAB * N * sizeof *ab);
    int *ipiv = malloc(N * sizeof *ipiv);
    if (!x || !r || !ab || !ipiv) {
        fprintf(stderr, "newton: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < N; i++)
        x[i] = -1.0;

    /* the pattern and its coloring, once */
    dj_sparse sp;
    dj_sparse_init(&sp);
    int status = dj_sparse_analyze(&sp, &f, x, NULL);
    double *J = status == DJ_OK ? malloc(sp.pattern.nnz * sizeof *J) : NULL; /* nonzeros */
    if (J == NULL) {
        fprintf(stderr, "newton: %s\n", status == DJ_OK ? "out of memory" : dj_strerror(status));
        return 1;
    }
    const dj_pattern *p = &sp.pattern; /* J in CSR: row_ptr, col */
    for (size_t i = 0; i < N; i++)
        for (size_t e = p->row_ptr[i]; e < p->row_ptr[i + 1]; e++)
            if (i > p->col[e] + KL || p->col[e] > i + KU) {
                fprintf(stderr, "newton: entry (%zu, %zu) lies outside the band\n", i, p->col[e]);
                return 1;
            }
    printf("sparse Jacobian: %zu nonzeros, %zu colors (at least %zu): one forward pass per "
           "step\n",
           p->nnz, sp.columns.count, sp.columns.lower_bound);

    dj_workspace ws;
    dj_workspace_init(&ws);
    dj_opts opts = {.mode = DJ_MODE_FORWARD, .ws = &ws};
    int ok = 1, converged = 0;
    double previous = INFINITY;
    printf("Newton on Broyden tridiagonal, n = %d\n iter   ||f(x)||       ratio ||f_k+1|| / ||f_k||^2\n",
           N);
    for (int iter = 0; iter < 20 && ok; iter++) {
        status = dj_sparse_jacobian(J, r, &sp, &f, x, &opts, NULL);
        if (status != DJ_OK) {
            fprintf(stderr, "newton: %s\n", dj_strerror(status));
            ok = 0;
            break;
        }
        double res = norm2(r, N);
        if (iter == 0)
            printf(" %3d   %.6e\n", iter, res);
        else if (res > 1e-12)
            printf(" %3d   %.6e   %.3g\n", iter, res, res / (previous * previous));
        else
            printf(" %3d   %.6e   (rounding level)\n", iter, res);
        /* quadratic convergence: close to the root the ratio stays bounded
         * (until the residual reaches rounding level, where it is noise) */
        if (iter > 0 && previous < 1e-2 && res > 1e-12 && res / (previous * previous) > 10) {
            fprintf(stderr, "newton: convergence is not quadratic\n");
            ok = 0;
        }
        if (res < 1e-12) {
            converged = 1;
            break;
        }
        previous = res;
        /* J's entries into LAPACK's band storage: ab[KL + KU + i - j][j] =
         * J[i][j]; the other cells (and dgbsv's fill-in rows) start at zero */
        for (size_t c = 0; c < (size_t)LDAB * N; c++)
            ab[c] = 0.0;
        for (size_t i = 0; i < N; i++)
            for (size_t e = p->row_ptr[i]; e < p->row_ptr[i + 1]; e++)
                ab[p->col[e] * LDAB + KL + KU + i - p->col[e]] = J[e];
        for (size_t i = 0; i < N; i++)
            r[i] = -r[i];
        int n = N, kl = KL, ku = KU, nrhs = 1, ldab = LDAB, info;
        dgbsv_(&n, &kl, &ku, &nrhs, ab, &ldab, ipiv, r, &n, &info);
        if (info != 0) {
            fprintf(stderr, "newton: dgbsv failed (info %d)\n", info);
            ok = 0;
            break;
        }
        for (size_t i = 0; i < N; i++)
            x[i] += r[i];
    }
    if (ok && converged)
        printf("converged: x_1 = %.15f, x_n = %.15f\n", x[0], x[N - 1]);
    else if (ok)
        fprintf(stderr, "newton: no convergence in 20 iterations\n");
    dj_workspace_clear(&ws);
    dj_sparse_clear(&sp);
    free(x), free(r), free(J), free(ab), free(ipiv);
    return ok && converged ? 0 : 1;
}
