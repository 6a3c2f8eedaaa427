/* pattern_walk.h: J's pattern on a recorded graph, walked into buffers kept
 * between calls and stopped early when it is dense; what
 * dj_pattern_of_graph and dj_jacobian's colored passes (jacobian_colored.c)
 * share. */
#ifndef DUALJAC_PATTERN_WALK_H
#define DUALJAC_PATTERN_WALK_H

#include "graph_internal.h"

/* Not a dj_status: the walk stopped because J is denser than asked. */
enum { DJ__WALK_DENSE = -1 };

/* The walk's buffers, grown as needed and kept. */
typedef struct dj__pattern_walk {
    size_t *stamp;     /* per node: the last output + 1 that visited it */
    uint32_t *stack;   /* per node: nodes to visit */
    size_t *input_of;  /* per node: its input index + 1, or 0 */
    size_t stamp_cap, stack_cap, input_cap;
    size_t *cols;      /* the columns found, row after row, unsorted */
    size_t cols_len, cols_cap;
    size_t *row_ptr;   /* m + 1: row i is cols[row_ptr[i] .. row_ptr[i+1]) */
    size_t rows_cap;
} dj__pattern_walk;

void dj__pattern_walk_init(dj__pattern_walk *b);
void dj__pattern_walk_clear(dj__pattern_walk *b);

/* J's pattern on g into b->row_ptr and b->cols (rows in the graph's order,
 * each row's columns unsorted, no repeats). Returns DJ__WALK_DENSE as soon
 * as a row holds more than max_row columns or the walk has taken more than
 * max_visits nodes (b's contents are then partial); else a status. */
int dj__pattern_walk_graph(dj__pattern_walk *b, const dj_graph *g, size_t max_row,
                           size_t max_visits);

#endif /* DUALJAC_PATTERN_WALK_H */
