/* fn.c: checks on a dj_fn and its plain evaluation. */
#include <stdint.h>

#include "cpu.h"
#include "internal.h"

int dj_fn_check(const dj_fn *f)
{
    if (f == NULL || f->abi != DJ_FN_ABI || f->eval_double == NULL)
        return DJ_EINVAL;
    if (f->n == 0 || f->m == 0)
        return DJ_EDIM;
    return DJ_OK;
}

/* Compared as integers: ordering pointers into different arrays is
 * undefined in C. */
int dj__overlap(const double *a, size_t na, const double *b, size_t nb)
{
    if (a == NULL || b == NULL || na == 0 || nb == 0)
        return 0;
    uintptr_t aa = (uintptr_t)a, ba = (uintptr_t)b;
    size_t abytes, bbytes;
    if (!dj__bytes(na, sizeof *a, &abytes) || !dj__bytes(nb, sizeof *b, &bbytes))
        return 1; /* no such arrays exist */
    return aa < ba ? ba - aa < abytes : aa - ba < bbytes;
}

int dj_eval(double *y, const dj_fn *f, const double *x)
{
    int status = dj_fn_check(f);
    if (status != DJ_OK)
        return status;
    /* the instantiations take y and x as restrict pointers */
    if (y == NULL || x == NULL || dj__overlap(y, f->m, x, f->n))
        return DJ_EINVAL;
    f->eval_double(y, x, f->n, f->m, f->ctx);
    return DJ_OK;
}

static int eval_chunk(const dj_fn *f, int k, double *y, const double *x)
{
    /* An array of dj_dualK is laid out as doubles with stride k+1 (mdual.h). */
    switch (k) {
    case 1:
        if (!f->eval_dual)
            return DJ_ENOTSUP;
        f->eval_dual((dj_dual *)(void *)y, (const dj_dual *)(const void *)x, f->n, f->m, f->ctx);
        return DJ_OK;
    case 2:
        if (!f->eval_dual2)
            return DJ_ENOTSUP;
        f->eval_dual2((dj_dual2 *)(void *)y, (const dj_dual2 *)(const void *)x, f->n, f->m, f->ctx);
        return DJ_OK;
    case 4:
        if (!f->eval_dual4)
            return DJ_ENOTSUP;
        f->eval_dual4((dj_dual4 *)(void *)y, (const dj_dual4 *)(const void *)x, f->n, f->m, f->ctx);
        return DJ_OK;
    case 8:
        if (!f->eval_dual8)
            return DJ_ENOTSUP;
        f->eval_dual8((dj_dual8 *)(void *)y, (const dj_dual8 *)(const void *)x, f->n, f->m, f->ctx);
        return DJ_OK;
    case 16:
        if (!f->eval_dual16)
            return DJ_ENOTSUP;
        f->eval_dual16((dj_dual16 *)(void *)y, (const dj_dual16 *)(const void *)x, f->n, f->m,
                       f->ctx);
        return DJ_OK;
    default:
        return DJ_ECHUNK;
    }
}

int dj__eval_chunk(const dj_fn *f, int k, double *y, const double *x)
{
    int status = eval_chunk(f, k, y, x);
    /* an AVX clone (fn.h) may return with the upper halves dirty when its
     * body ends in a call; the copy into J is SSE code */
    dj__avx_settle();
    return status;
}
