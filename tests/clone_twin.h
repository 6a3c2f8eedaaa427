/* clone_twin.h: the single-build twins of check_clones' bodies. */
#ifndef DJ_TEST_CLONE_TWIN_H
#define DJ_TEST_CLONE_TWIN_H

#include <dualjac.h>

dj_fn clone_twin_mixed(size_t n, size_t m);
dj_fn clone_twin_stencil(size_t n);

#endif /* DJ_TEST_CLONE_TWIN_H */
