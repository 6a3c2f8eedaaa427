/* polar.c: the Jacobian of the polar-to-Cartesian map at (r, t) = (2, pi/6). */
#include <stdio.h>

#include <dualjac.h>

#define POLAR(T, y, x, n, m, ctx)                                              \
    y[0] = dj_mul(x[0], dj_cos(x[1]));                                         \
    y[1] = dj_mul(x[0], dj_sin(x[1]));

DJ_FN_DEFINE(polar, 2, 2, POLAR);

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
