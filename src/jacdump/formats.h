/* formats.h: how jacdump writes a Jacobian: text, csv, json, mm, npy. */
#ifndef JACDUMP_FORMATS_H
#define JACDUMP_FORMATS_H

#include <stddef.h>
#include <stdio.h>

#include <dualjac.h>

typedef struct jd_result {
    size_t n, m;
    const double *x, *f, *J; /* J is m×n, row-major */
    char *const *inputs;     /* n names, or NULL for x1..xn */
    char *const *outputs;    /* m source texts, or NULL */
    const char *mode;        /* "forward", "reverse", "finite differences" */
    int chunk;               /* directions per pass or sweep (0: none) */
    double seconds;          /* time of the Jacobian */
    int precision;           /* significant digits; 0: the format's default */
    int transpose;           /* write Jᵀ */
    int want_det, want_logdet;
    double det, logdet;
    int det_sign;
    const dj_sparse *sparse; /* when set, J is NULL: J's nonzeros are values, */
    const double *values;    /* in sparse->pattern's order (mm, sparsity only) */
    /* A Hessian instead of a Jacobian: J is the n×n ∇²(wᵀf) (m == n), or
     * NULL with hsparse's lower triangle in values; grad is ∇(wᵀf), value
     * wᵀf, weights the m_f weights (NULL: the one output itself). */
    int hessian;
    const double *grad, *weights;
    double value;
    size_t m_f;
    const dj_hsparse *hsparse;
} jd_result;

/* Nonzero when name is a format jacdump writes. */
int format_known(const char *name);

/* Writes r in the named format; returns 0, or -1 on a write error. With
 * want_det or want_logdet, text and csv write only those lines; json adds
 * them as fields. */
int format_write(FILE *out, const char *name, const jd_result *r);

/* The nonzero pattern as a character picture: '.' zero; with a sparse
 * result each entry shows its column's color (0-9, a-z, A-Z, then '*'),
 * otherwise '*' nonzero; '!' a NaN or Inf. */
int format_sparsity(FILE *out, const jd_result *r);

#endif
