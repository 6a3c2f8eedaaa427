/*
 * logistic.dj.h: the loss of an L2-regularized logistic regression, written
 * once over the scalar type T (examples/logistic.c instantiates it):
 *
 *   f(w) = sum_i softplus(-y_i x_i.w) + lambda/2 |w|^2,
 *
 * softplus(z) = log(1 + e^z), computed without overflow.
 */

/* log(1 + e^z): for z > 0 as z + log1p(e^-z), so e^z never overflows. Both
 * branches are the same function, so branching on the value loses nothing. */
#define softplus DJ_OVERLOAD(softplus)
static T softplus(T z)
{
    if (dj_value(z) > 0)
        return dj_add(z, dj_log1p(dj_exp(dj_neg(z))));
    return dj_log1p(dj_exp(z));
}

DJ_FUNCTION(logistic_loss)(T *f, const T *w, size_t d, size_t m, const void *ctx)
{
    const struct logistic_data *data = ctx;
    T loss = dj_zero(T);
    for (size_t i = 0; i < data->count; i++) {
        const double *xi = data->x + i * d;
        T margin = dj_zero(T);
        for (size_t j = 0; j < d; j++)
            dj_add_to(margin, dj_mul(xi[j], w[j]));
        dj_add_to(loss, softplus(dj_mul(-data->y[i], margin)));
    }
    T norm2 = dj_zero(T);
    for (size_t j = 0; j < d; j++)
        dj_add_to(norm2, dj_mul(w[j], w[j]));
    f[0] = dj_add(loss, dj_mul(0.5 * data->lambda, norm2));
}
