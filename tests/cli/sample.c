/* sample.c: a function for `jacdump --lib`, built as a shared object:
 *   cc -shared -fPIC -o libsample.so sample.c $(pkg-config --cflags --libs dualjac)
 *   jacdump --lib ./libsample.so --sym sample --at 1,2
 */
#include <dualjac.h>

/* f(x, y) = (x·y, exp(x) - y², atan2(y, x)) */
#define SAMPLE(T, y, x, n, m, ctx)                                             \
    y[0] = dj_mul(x[0], x[1]);                                                 \
    y[1] = dj_sub(dj_exp(x[0]), dj_mul(x[1], x[1]));                           \
    y[2] = dj_atan2(x[1], x[0]);

DJ_FN_DEFINE(sample, 2, 3, SAMPLE);

/* Not a dj_fn: for the error test. */
const int not_a_function = 42;
