/* A double temporary in a template: the first error is at the template's
 * line and names the advice. */
#include <dualjac.h>

#define DJ_TEMPLATE "double_temporary.dj.h"
#include <dualjac/instantiate.h>

extern const dj_fn temporary;
const dj_fn temporary = DJ_FN_INIT(temporary, 2, 1, NULL);
