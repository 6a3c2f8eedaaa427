/* workspace.c: buffers that drivers keep between calls. */
#include "internal.h"

void dj_workspace_init(dj_workspace *ws)
{
    ws->buf = NULL;
    ws->size = 0;
    ws->graph = NULL;
}

void dj_workspace_clear(dj_workspace *ws)
{
    if (ws == NULL)
        return;
    dj__free(ws->buf);
    ws->buf = NULL;
    ws->size = 0;
    if (ws->graph != NULL) {
        dj_graph_clear(ws->graph);
        dj__free(ws->graph);
        ws->graph = NULL;
    }
}

void *dj__workspace_reserve(dj_workspace *ws, size_t size, void **tmp)
{
    *tmp = NULL;
    if (ws == NULL) {
        *tmp = dj__malloc(size);
        return *tmp;
    }
    if (ws->size >= size)
        return ws->buf;
    /* Grow geometrically so a caller whose sizes creep up reallocates rarely;
     * the old contents are not needed, and on failure ws is left as it was. */
    size_t grown = ws->size + ws->size / 2;
    if (grown < size)
        grown = size;
    void *p = dj__malloc(grown);
    if (p == NULL && grown > size)
        p = dj__malloc(grown = size);
    if (p == NULL)
        return NULL;
    dj__free(ws->buf);
    ws->buf = p;
    ws->size = grown;
    return p;
}
