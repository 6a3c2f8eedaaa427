/*
 * bratu.dj.h: the residuals of the 2-D Bratu problem (PETSc's SNES
 * tutorial ex5), -Laplace(u) - lambda exp(u) = 0 on the unit square with
 * u = 0 on the boundary, on the points one process owns, from the values of
 * its ghosted local vector. Five-point differences scaled by hx hy, as ex5
 * writes them; a boundary row is 2 (hy/hx + hx/hy) u.
 *
 * The context is struct bratu (declared before the instantiation): the
 * process's box (dualjac/petsc.h) and lambda.
 */
DJ_FUNCTION(bratu)(T *F, const T *u, size_t n, size_t m, const void *ctx)
{
    const struct bratu *p = ctx;
    const dj_petsc_box *b = &p->box;
    const double hx = 1.0 / (double)(b->M - 1), hy = 1.0 / (double)(b->N - 1);
    const double hxdhy = hx / hy, hydhx = hy / hx, sc = hx * hy * p->lambda;
    for (PetscInt j = b->ys; j < b->ys + b->ym; j++)
        for (PetscInt i = b->xs; i < b->xs + b->xm; i++) {
            PetscInt k = (j - b->gys) * b->gxm + (i - b->gxs); /* in the ghosted array */
            PetscInt r = (j - b->ys) * b->xm + (i - b->xs);    /* among the owned points */
            if (i == 0 || j == 0 || i == b->M - 1 || j == b->N - 1) {
                F[r] = dj_mul(2 * (hydhx + hxdhy), u[k]);
                continue;
            }
            T twice = dj_mul(2, u[k]);
            T uxx = dj_mul(hydhx, dj_sub(dj_sub(twice, u[k - 1]), u[k + 1]));
            T uyy = dj_mul(hxdhy, dj_sub(dj_sub(twice, u[k - b->gxm]), u[k + b->gxm]));
            F[r] = dj_sub(dj_add(uxx, uyy), dj_mul(sc, dj_exp(u[k])));
        }
}
