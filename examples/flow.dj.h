/*
 * flow.dj.h: the map of examples/flow.c, written once over the scalar type
 * T: two affine coupling layers on R^6 with the halves swapped between
 * them. flow.c defines the sizes D and H and the weights `layers` before
 * it instantiates this file.
 */

/* One coupling layer: b <- b * exp(s(a)) + t(a), with
 * s(a) = tanh(scale_w a + scale_b) and t(a) = shift_w a + shift_b. */
#define couple DJ_OVERLOAD(couple)
static void couple(const coupling *L, const T *a, T *b)
{
    for (int i = 0; i < H; i++) {
        T s = dj_const(T, L->scale_b[i]), t = dj_const(T, L->shift_b[i]);
        for (int j = 0; j < H; j++) {
            dj_add_to(s, dj_mul(L->scale_w[i][j], a[j]));
            dj_add_to(t, dj_mul(L->shift_w[i][j], a[j]));
        }
        b[i] = dj_add(dj_mul(b[i], dj_exp(dj_tanh(s))), t);
    }
}

DJ_FUNCTION(flow)(T *y, const T *x, size_t n, size_t m, const void *ctx)
{
    T a[H], b[H];
    for (int i = 0; i < H; i++) {
        a[i] = x[i];
        b[i] = x[H + i];
    }
    couple(&layers[0], a, b);
    couple(&layers[1], b, a); /* the halves swapped: b now conditions a */
    for (int i = 0; i < H; i++) {
        y[i] = b[i];
        y[H + i] = a[i];
    }
}
