/* Two dual widths: dj_add(dj_dual8, dj_dual4) must not compile. */
#include <dualjac.h>

dj_dual8 f(dj_dual8 a, dj_dual4 b);

dj_dual8 f(dj_dual8 a, dj_dual4 b)
{
#ifdef DJ_EXPECT_OK
    return dj_add(a, dj_value(b));
#else
    return dj_add(a, b);
#endif
}
