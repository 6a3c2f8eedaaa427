/* jacobian_colored.h: dj_jacobian's colored passes for a J that is mostly
 * zero (jacobian_colored.c; the rule is dj_sparsity's in jacobian.h). */
#ifndef DUALJAC_JACOBIAN_COLORED_H
#define DUALJAC_JACOBIAN_COLORED_H

#include "internal.h"

/* Not a dj_status: J is not sparse enough at x (or f cannot be recorded);
 * nothing was written and the caller runs the dense passes. */
enum { DJ__COLORED_DECLINED = -2 };

/* Forward mode's J by colored passes when they are at most half of the
 * dense_passes it would otherwise run (chunk: opts->chunk, 0 = automatic).
 * Returns DJ__COLORED_DECLINED, or the passes' status with J and y written
 * and facts filled. ws may be NULL (nothing is then kept). */
int dj__jacobian_colored(double *J, double *y, const dj_fn *f, const double *x, int chunk,
                         size_t dense_passes, dj_layout layout, size_t ld, dj_workspace *ws,
                         int threads, dj_report *facts);

/* Frees what a workspace keeps for the colored passes (NULL is ignored). */
void dj__colored_free(void *kept);

#endif /* DUALJAC_JACOBIAN_COLORED_H */
