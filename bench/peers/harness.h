/*
 * harness.h: what every program of `make bench-peers` shares: its command
 * line, the check of a result against dualjac's reference, the timing of
 * a method against the plain C primal (interleaved in this process, as
 * bench/timing.c does it), and the lines it prints and writes to its CSV.
 *
 * Each tool runs in its own process, as
 *     peer_<tool> [--quick] [--only TEXT] [--out DIR]
 * and writes DIR/peers-<tool>.csv (default DIR: bench/results). Every
 * figure is the time of one call of the method divided by the time of one
 * call of the primal, two ways: the median of the interleaved pairs'
 * ratios, and the fastest sample of the method over the fastest of the
 * primal.
 */
#ifndef DJ_BENCH_PEERS_HARNESS_H
#define DJ_BENCH_PEERS_HARNESS_H

#include "../report.h"
#include "../timing.h"
#include "cases.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct peer_run {
    const char *tool;
    int quick;
    const char *only; /* --only: the cases whose family or label hold it */
    char note[64];    /* appended to every method ("; note"), or empty */
    int failures;    /* results that did not match the reference */
    bench_config cfg;
    bench_report rep;
} peer_run;

/* Reads the command line, opens the CSV, prints the header. Returns 0,
 * having said why, on failure. */
int peer_run_begin(peer_run *r, int argc, char **argv, const char *tool);
/* The same for a second run of a tool under other conditions: its CSV is
 * peers-TOOL-TAG.csv and every method's name ends in "; NOTE", so its rows
 * stand beside the first run's in the table. */
int peer_run_begin_variant(peer_run *r, int argc, char **argv, const char *tool,
                           const char *tag, const char *note);
/* Closes the CSV; returns the exit status (1 when a result mismatched). */
int peer_run_end(peer_run *r);

/* A line for a case before its methods. */
void peer_case_header(const peer_run *r, const peer_case *c);

/* Calls fn(arg) once, which leaves its result in out (c->nref values),
 * checks it against the reference (tol: the largest error accepted), then
 * times fn against the primal. A mismatch is printed and counted, and not
 * timed. */
void peer_measure(peer_run *r, const peer_case *c, const char *method, bench_fn *fn, void *arg,
                  const double *out, double tol);

/* A method the tool lacks or cannot run here, with the reason. */
void peer_unavailable(peer_run *r, const peer_case *c, const char *method, const char *why);

/* Tolerances: exact methods agree with dualjac to rounding; finite
 * differences to about the cube root of the rounding error. */
#define PEER_TOL_EXACT 1e-9
#define PEER_TOL_FD 1e-3

#ifdef __cplusplus
}
#endif

#endif
