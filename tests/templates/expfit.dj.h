/*
 * expfit.dj.h: residuals of an exponential fit, a function with parameters:
 * r_k(a, b) = a exp(-b t_k) - y_k for the data (t_k, y_k) the dj_fn's
 * context points to (struct expfit_data, declared before the template is
 * instantiated, since everything in here is instantiated once per type).
 */
DJ_FUNCTION(expfit)(T *r, const T *p, size_t n, size_t m, const void *ctx)
{
    const struct expfit_data *d = ctx;
    for (size_t k = 0; k < m; k++)
        r[k] = dj_sub(dj_mul(p[0], dj_exp(dj_mul(-d->t[k], p[1]))), d->y[k]);
}
