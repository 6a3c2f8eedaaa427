/* names.c: names with a hashed index (open addressing, linear probing). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <dualjac.h>

#include "names.h"

/* FNV-1a: a few operations a byte, and it spreads the names people write
 * (x1, x2, ..., r_12) over the table as well as slower hashes do. */
static uint64_t hash(const char *s, size_t len)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return h;
}

/* Whether the NUL-terminated name equals s[0..len) (s has no NUL there). */
static int same(const char *name, const char *s, size_t len)
{
    return strncmp(name, s, len) == 0 && name[len] == '\0';
}

static void insert(size_t *slot, size_t nslots, const char *name, size_t pos)
{
    size_t mask = nslots - 1, i = (size_t)hash(name, strlen(name)) & mask;
    while (slot[i] != 0)
        i = (i + 1) & mask;
    slot[i] = pos + 1;
}

/* Makes room for n names: at most half the slots are used, so a lookup
 * probes about two slots on average. */
static int reserve(name_index *ix, char *const *v, size_t have, size_t n)
{
    if (ix->nslots / 2 > n)
        return DJ_OK;
    size_t nslots = ix->nslots ? ix->nslots : 16;
    while (nslots / 2 <= n) {
        if (nslots > SIZE_MAX / 2 / sizeof *ix->slot)
            return DJ_ENOMEM;
        nslots *= 2;
    }
    size_t *slot = calloc(nslots, sizeof *slot);
    if (slot == NULL)
        return DJ_ENOMEM;
    for (size_t i = 0; i < have; i++)
        insert(slot, nslots, v[i], i);
    free(ix->slot);
    ix->slot = slot;
    ix->nslots = nslots;
    return DJ_OK;
}

int name_index_build(name_index *ix, char *const *v, size_t n)
{
    ix->slot = NULL;
    ix->nslots = 0;
    return reserve(ix, v, n, n);
}

ptrdiff_t name_index_find(const name_index *ix, char *const *v, const char *s, size_t len)
{
    if (ix->nslots == 0)
        return -1;
    size_t mask = ix->nslots - 1, i = (size_t)hash(s, len) & mask;
    for (; ix->slot[i] != 0; i = (i + 1) & mask)
        if (same(v[ix->slot[i] - 1], s, len))
            return (ptrdiff_t)(ix->slot[i] - 1);
    return -1;
}

void name_index_free(name_index *ix)
{
    free(ix->slot);
    ix->slot = NULL;
    ix->nslots = 0;
}

int names_add(name_list *ns, const char *s, size_t len)
{
    if (ns->n == ns->cap) {
        if (ns->cap > SIZE_MAX / 4 / sizeof *ns->v)
            return DJ_ENOMEM;
        size_t cap = ns->cap ? 2 * ns->cap : 8;
        char **v = realloc(ns->v, cap * sizeof *v);
        if (v == NULL)
            return DJ_ENOMEM;
        ns->v = v;
        ns->cap = cap;
    }
    if (reserve(&ns->ix, ns->v, ns->n, ns->n + 1) != DJ_OK)
        return DJ_ENOMEM;
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return DJ_ENOMEM;
    memcpy(copy, s, len);
    copy[len] = '\0';
    ns->v[ns->n] = copy;
    insert(ns->ix.slot, ns->ix.nslots, copy, ns->n);
    ns->n++;
    return DJ_OK;
}

ptrdiff_t names_find(const name_list *ns, const char *s, size_t len)
{
    return name_index_find(&ns->ix, ns->v, s, len);
}

void names_free(name_list *ns)
{
    for (size_t i = 0; i < ns->n; i++)
        free(ns->v[i]);
    free(ns->v);
    name_index_free(&ns->ix);
    ns->v = NULL;
    ns->n = ns->cap = 0;
}
