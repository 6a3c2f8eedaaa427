/* A wrong second argument: dj_mul(dual, string) must not compile. */
#include <dualjac.h>

dj_dual8 f(dj_dual8 a, const char *s);

dj_dual8 f(dj_dual8 a, const char *s)
{
#ifdef DJ_EXPECT_OK
    (void)s;
    return dj_mul(a, 2);
#else
    return dj_mul(a, s);
#endif
}
