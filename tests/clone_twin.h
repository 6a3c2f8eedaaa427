/* clone_twin.h: the single-build twin of check_clones' mixed body. */
#ifndef DJ_TEST_CLONE_TWIN_H
#define DJ_TEST_CLONE_TWIN_H

#include <dualjac.h>

dj_fn clone_twin_mixed(size_t n, size_t m);

#endif /* DJ_TEST_CLONE_TWIN_H */
