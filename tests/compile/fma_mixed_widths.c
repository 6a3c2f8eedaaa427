/* Two dual widths among fma's three arguments must not compile. */
#include <dualjac.h>

dj_dual8 f(dj_dual8 a, dj_dual8 b, dj_dual4 c);

dj_dual8 f(dj_dual8 a, dj_dual8 b, dj_dual4 c)
{
#ifdef DJ_EXPECT_OK
    return dj_fma(a, b, dj_value(c));
#else
    return dj_fma(a, b, c);
#endif
}
