/* The headers a user includes compile without a warning under strict flags
 * (compile_errors.sh adds -Wconversion, -Wdouble-promotion and more). */
#include <dualjac.h>

int strict_include(void);

int strict_include(void) { return DJ_OK; }
