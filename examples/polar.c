/* polar.c: the Jacobian of the polar-to-Cartesian map at (r, t) = (2, pi/6).
 * The function is a template held by this file (the block under
 * DJ_INSTANTIATING), instantiated for every scalar type by naming the file
 * itself as DJ_TEMPLATE; compile with -I and this folder. */
#ifdef DJ_INSTANTIATING

DJ_FUNCTION(polar)(T *y, const T *x, size_t n, size_t m, const void *ctx)
{
    y[0] = dj_mul(x[0], dj_cos(x[1]));
    y[1] = dj_mul(x[0], dj_sin(x[1]));
}

#else

#include <stdio.h>

#include <dualjac.h>

#define DJ_TEMPLATE "polar.c"
#include <dualjac/instantiate.h>

static const dj_fn polar = DJ_FN_INIT(polar, 2, 2, NULL);

int main(void)
{
    const double x[2] = {2.0, DJ_PI / 6};
    double y[2], J[4];
    int status = dj_jacobian(J, y, &polar, x, NULL, NULL);
    if (status != DJ_OK) {
        fprintf(stderr, "polar: %s\n", dj_strerror(status));
        return 1;
    }
    printf("f(r, t) = (r cos t, r sin t) at r = %g, t = pi/6\n", x[0]);
    for (int i = 0; i < 2; i++)
        printf("f_%d = %9.6f   J_%d = [%9.6f %9.6f]\n", i, y[i], i, J[2 * i], J[2 * i + 1]);
    return 0;
}

#endif
