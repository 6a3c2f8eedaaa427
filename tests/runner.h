/* runner.h: the one main of the Check suites, and the size of a soak run. */
#ifndef DJ_TEST_RUNNER_H
#define DJ_TEST_RUNNER_H

#include <check.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Builds the suite with make (NULL: it cannot run here), runs it and
 * returns main's status for make check: 0 when every test passed, 1 when
 * one failed, 77 (skipped) for NULL. A suite file ends with
 *     int main(void) { return tl_main(my_suite); }
 * The environment sets the options: Check's own (CK_FORK=no runs the
 * tests in one process, as valgrind wants; CK_RUN_SUITE, CK_RUN_CASE,
 * CK_VERBOSITY, CK_DEFAULT_TIMEOUT, CK_TIMEOUT_MULTIPLIER) and
 * DJ_TEST_MULTIPLIER for soak runs, which multiplies the random cases
 * (tl_cases) and, unless CK_TIMEOUT_MULTIPLIER is set, the timeouts. */
int tl_main(Suite *(*make)(void));

/* The number of random cases: base times $DJ_TEST_MULTIPLIER (default 1). */
int tl_cases(int base);

#ifdef __cplusplus
}
#endif

#endif
