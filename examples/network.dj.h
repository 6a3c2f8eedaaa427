/*
 * network.dj.h: the training loss of examples/network.c as a function of
 * the network's P parameters, written once over the scalar type T; the
 * forward-mode check instantiates it for dual numbers. Parameters: W1
 * (HID×IN), b1, w2, b2; ctx is the data set. network.c defines the sizes
 * and the type `data` before it instantiates this file.
 */

DJ_FUNCTION(loss)(T *y, const T *p, size_t n, size_t m, const void *ctx)
{
    const data *d = ctx;
    T total = dj_zero(T);
    for (int s = 0; s < SAMPLES; s++) {
        T out = p[P - 1];
        for (int i = 0; i < HID; i++) {
            T a = p[HID * IN + i];
            for (int j = 0; j < IN; j++)
                dj_add_to(a, dj_mul(p[i * IN + j], d->x[s][j]));
            dj_add_to(out, dj_mul(p[HID * IN + HID + i], dj_tanh(a)));
        }
        T r = dj_sub(out, d->t[s]);
        dj_add_to(total, dj_mul(r, r));
    }
    y[0] = dj_mul(total, 0.5 / SAMPLES);
}
