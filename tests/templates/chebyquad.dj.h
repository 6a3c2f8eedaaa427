/*
 * chebyquad.dj.h: the Chebyquad function (Moré, Garbow and Hillstrom, no. 35),
 * written once over the scalar type T; check_fn.c instantiates it.
 *
 *   f_i(x) = (1/n) sum_j C_i(x_j) - integral over [0, 1] of C_i,  i = 1..m,
 *
 * where C_i is the Chebyshev polynomial of degree i shifted to [0, 1]. The
 * integral is 0 for odd i and -1/(i^2 - 1) for even i.
 */

/* C_k(x) = T_k(2x - 1) by the three-term recurrence. A helper over T: each
 * scalar type gets its own, named by DJ_OVERLOAD. */
#define cheb_shifted DJ_OVERLOAD(cheb_shifted)
static T cheb_shifted(size_t k, T x)
{
    T s = dj_sub(dj_mul(2, x), 1);
    T prev = dj_one(T), cur = s;
    if (k == 0)
        return prev;
    for (size_t i = 1; i < k; i++) {
        T next = dj_sub(dj_mul(dj_mul(2, s), cur), prev);
        prev = cur;
        cur = next;
    }
    return cur;
}

DJ_FUNCTION(chebyquad)(T *y, const T *x, size_t n, size_t m, const void *ctx)
{
    for (size_t i = 1; i <= m; i++) {
        T sum = dj_zero(T);
        for (size_t j = 0; j < n; j++)
            dj_add_to(sum, cheb_shifted(i, x[j]));
        dj_div_by(sum, (double)n);
#if 1 /* an #if in a body: the even degrees have a nonzero integral */
        if (i % 2 == 0)
            dj_add_to(sum, 1.0 / ((double)(i * i) - 1.0));
#endif
        y[i - 1] = sum;
    }
}
