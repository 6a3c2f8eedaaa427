/* A struct that is not a dual: dj_sin(p) must not compile. */
#include <dualjac.h>

struct point {
    double x, y;
};

double f(struct point p);

double f(struct point p)
{
#ifdef DJ_EXPECT_OK
    return dj_sin(p.x);
#else
    return dj_sin(p);
#endif
}
