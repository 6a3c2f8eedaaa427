/* DJ_FN_INIT of a function nobody instantiated: the first error says how. */
#include <dualjac.h>

#ifdef DJ_EXPECT_OK
#define BODY(T, y, x, n, m, ctx) y[0] = dj_mul(x[0], x[1]);
DJ_FN_INSTANTIATE(product, BODY);
#endif

extern const dj_fn product;
const dj_fn product = DJ_FN_INIT(product, 2, 1, NULL);
