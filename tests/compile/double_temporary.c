/* A double temporary in a macro body: the first error names the advice. */
#include <dualjac.h>

#ifdef DJ_EXPECT_OK
#define BODY(T, y, x, n, m, ctx)                                               \
    T t = dj_mul(x[0], x[1]);                                                  \
    y[0] = dj_add(x[0], t);
#else
#define BODY(T, y, x, n, m, ctx)                                               \
    double t = dj_mul(x[0], x[1]);                                             \
    y[0] = dj_add(x[0], t);
#endif

DJ_FN_DEFINE(temporary, 2, 1, BODY);
