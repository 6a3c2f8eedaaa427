/* primitive_internal.h: a custom primitive's block on the graph. */
#ifndef DUALJAC_PRIMITIVE_INTERNAL_H
#define DUALJAC_PRIMITIVE_INTERNAL_H

#include "graph_internal.h"

void dj__primitive_reverse(const dj_graph *g, const struct dj__block *b, double *A, int k,
                           double *scratch);
void dj__primitive_forward(const dj_graph *g, const struct dj__block *b, double *T, int k,
                           double *scratch);
int dj__primitive_replay(dj_graph *g, struct dj__block *b, double *V, double *scratch);

/* Scratch a sweep needs for a primitive: x, y-sized vectors for one direction. */
size_t dj__primitive_scratch(const struct dj__block *b);

#endif
