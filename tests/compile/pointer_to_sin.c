/* A pointer is not a number: dj_sin(p) must not compile. */
#include <dualjac.h>

double f(double *p);

double f(double *p)
{
#ifdef DJ_EXPECT_OK
    return dj_sin(*p);
#else
    return dj_sin(p);
#endif
}
