/* The template of double_temporary_template.c. */
DJ_FUNCTION(temporary)(T *y, const T *x, size_t n, size_t m, const void *ctx)
{
#ifdef DJ_EXPECT_OK
    T t = dj_mul(x[0], x[1]);
#else
    double t = dj_mul(x[0], x[1]);
#endif
    y[0] = dj_add(x[0], t);
}
