/* skip.c: the stand-in for a solver adapter's test when ./configure did not
 * build that adapter: it says why and exits 77, which automake reports as
 * SKIP. DJ_SKIP_WHAT and DJ_SKIP_WHY come from Makefile.am. */
#include <stdio.h>

int main(void)
{
    printf("SKIP: %s: %s\n", DJ_SKIP_WHAT, DJ_SKIP_WHY);
    return 77;
}
