/* clone_twin.c: check_clones' bodies built once, without AVX clones, to
 * compare the clones with bit for bit. */
#define DJ_NO_CLONES 1
#include "clone_bodies.h"
#include "clone_twin.h"

DJ_FN_INSTANTIATE(twin_mixed, CLONE_MIXED);
DJ_FN_INSTANTIATE(twin_stencil, CLONE_STENCIL);

dj_fn clone_twin_mixed(size_t n, size_t m) { return (dj_fn)DJ_FN_INIT(twin_mixed, n, m, NULL); }

dj_fn clone_twin_stencil(size_t n) { return (dj_fn)DJ_FN_INIT(twin_stencil, n, n, NULL); }
