/* runner.c: the one main of the Check suites (see runner.h). */
#define _POSIX_C_SOURCE 200112L /* setenv */
#include <stdio.h>
#include <stdlib.h>

#include "runner.h"

/* $DJ_TEST_MULTIPLIER, or 1 when it is unset or not a positive number. */
static int multiplier(void)
{
    const char *env = getenv("DJ_TEST_MULTIPLIER");
    int mult = env ? atoi(env) : 1;
    return mult > 0 ? mult : 1;
}

int tl_cases(int base) { return base * multiplier(); }

int tl_main(Suite *(*make)(void))
{
    int mult = multiplier();
    if (mult > 1) {
        /* Check reads it as each test case is created, so before make() */
        char text[16];
        snprintf(text, sizeof text, "%d", mult);
        if (getenv("CK_TIMEOUT_MULTIPLIER") == NULL)
            setenv("CK_TIMEOUT_MULTIPLIER", text, 1);
        printf("soak run: DJ_TEST_MULTIPLIER=%d times the random cases\n", mult);
    }
    Suite *s = make();
    if (s == NULL)
        return 77; /* skipped */
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV); /* CK_VERBOSITY, else CK_NORMAL */
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
