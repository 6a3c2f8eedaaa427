/* A graph variable and a dual: dj_mul(dj_var, dj_dual) must not compile. */
#include <dualjac.h>

dj_var f(dj_var a, dj_dual b);

dj_var f(dj_var a, dj_dual b)
{
#ifdef DJ_EXPECT_OK
    return dj_mul(a, dj_value(b));
#else
    return dj_mul(a, b);
#endif
}
