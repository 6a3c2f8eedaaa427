/* A template the include path does not reach: one line says where it is
 * looked for (compile_errors.sh compiles this without -I for it). */
#include <dualjac.h>

#ifdef DJ_EXPECT_OK
#define DJ_TEMPLATE "dualjac/probe.h"
#else
#define DJ_TEMPLATE "no_such_template.dj.h"
#endif
#include <dualjac/instantiate.h>
