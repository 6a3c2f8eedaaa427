/* workspace.c: buffers that drivers keep between calls. */
#include "internal.h"
#include "jacobian_colored.h"

void dj_workspace_init(dj_workspace *ws)
{
    if (ws == NULL)
        return;
    ws->busy = 0;
    ws->buf = NULL;
    ws->size = 0;
    ws->graph = NULL;
    ws->pass_buf = NULL;
    ws->pass_size = 0;
    ws->threads_slow = 0;
    ws->threads_retry = 0.0;
    ws->colored = NULL;
}

void dj_workspace_clear(dj_workspace *ws)
{
    if (ws == NULL)
        return;
    dj__free(ws->buf);
    ws->buf = NULL;
    ws->size = 0;
    dj__free(ws->pass_buf);
    ws->pass_buf = NULL;
    ws->pass_size = 0;
    ws->threads_slow = 0;
    ws->threads_retry = 0.0;
    dj__colored_free(ws->colored);
    ws->colored = NULL;
    if (ws->graph != NULL) {
        dj_graph_clear(ws->graph);
        dj__free(ws->graph);
        ws->graph = NULL;
    }
}

/* The busy flag: an atomic exchange, so that of two calls starting at once
 * exactly one gets the workspace. */
int dj__workspace_acquire(dj_workspace *ws)
{
    if (ws == NULL)
        return DJ_OK;
#if defined(__GNUC__) || defined(__clang__)
    if (__atomic_exchange_n(&ws->busy, 1, __ATOMIC_ACQUIRE) != 0)
        return DJ_EBUSY;
#else
    if (ws->busy) /* no atomics known here: a check, not a guarantee */
        return DJ_EBUSY;
    ws->busy = 1;
#endif
    return DJ_OK;
}

void dj__workspace_release(dj_workspace *ws)
{
    if (ws == NULL)
        return;
#if defined(__GNUC__) || defined(__clang__)
    __atomic_store_n(&ws->busy, 0, __ATOMIC_RELEASE);
#else
    ws->busy = 0;
#endif
}

/* Grows *buf (of *have bytes) to at least size bytes, contents not kept. */
static void *reserve(void **buf, size_t *have, size_t size)
{
    if (*have >= size)
        return *buf;
    /* Grow geometrically so a caller whose sizes creep up reallocates rarely;
     * the old contents are not needed, and on failure ws is left as it was. */
    size_t grown = *have + *have / 2;
    if (grown < size)
        grown = size;
    void *p = dj__malloc(grown);
    if (p == NULL && grown > size)
        p = dj__malloc(grown = size);
    if (p == NULL)
        return NULL;
    dj__free(*buf);
    *buf = p;
    *have = grown;
    return p;
}

void *dj__workspace_reserve(dj_workspace *ws, size_t size, void **tmp)
{
    *tmp = NULL;
    if (ws == NULL) {
        *tmp = dj__malloc(size);
        return *tmp;
    }
    return reserve(&ws->buf, &ws->size, size);
}

void *dj__workspace_reserve_passes(dj_workspace *ws, size_t size, void **tmp)
{
    if (ws == NULL) {
        /* a temporary that may be grown again; on failure the old one stays */
        void *p = dj__malloc(size);
        if (p == NULL)
            return NULL;
        dj__free(*tmp);
        *tmp = p;
        return p;
    }
    return reserve(&ws->pass_buf, &ws->pass_size, size);
}
