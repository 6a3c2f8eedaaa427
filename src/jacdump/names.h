/* names.h: names with a hashed index, so that looking one up costs the same
 * however many there are, and a text of 10^5 names compiles in time
 * linear in its length (a linear scan made it quadratic: 10^5 inputs took
 * 15.6 s). */
#ifndef JACDUMP_NAMES_H
#define JACDUMP_NAMES_H

#include <stddef.h>

/* An open-addressing index over an array of NUL-terminated names that
 * someone else owns. */
typedef struct name_index {
    size_t *slot;  /* 0: empty; otherwise the name's position + 1 */
    size_t nslots; /* a power of two, more than twice the names; 0 when empty */
} name_index;

/* Indexes v[0..n). Returns DJ_OK or DJ_ENOMEM (ix is then empty). */
int name_index_build(name_index *ix, char *const *v, size_t n);

/* The position in v of the name s[0..len), or -1. */
ptrdiff_t name_index_find(const name_index *ix, char *const *v, const char *s, size_t len);

void name_index_free(name_index *ix);

/* A growable array of names that owns its copies, with its index. */
typedef struct name_list {
    char **v;
    size_t n, cap;
    name_index ix;
} name_list;

/* Appends a copy of s[0..len). Returns DJ_OK or DJ_ENOMEM; on failure ns
 * is as it was. */
int names_add(name_list *ns, const char *s, size_t len);

/* The position of s[0..len) in ns, or -1. */
ptrdiff_t names_find(const name_list *ns, const char *s, size_t len);

/* Frees everything; ns is empty again. */
void names_free(name_list *ns);

#endif
