/*
 * dualjac/dual_template.h: the arithmetic of one dual type, written once.
 *
 * Not included directly: dual.h and mdual.h include it once per width with
 *   DJ__T  the type (dj_dual, dj_dual8, ...),
 *   DJ__K  its number of tangents,
 *   DJ__F(op) the name of its operation `op` (dj_dual8_##op),
 *   DJ__D(x, i) tangent i of x, as an lvalue,
 *   DJ__L, DJ__LN(x, i), DJ__LZERO: the tangents as DJ__L lanes (vectors of
 *       2 or 4 doubles on gcc and clang, see mdual.h; single doubles
 *       otherwise) and a zero lane;
 *       the hot kernels work lane by lane.
 *
 * Every operation takes and returns values. Each derivative is the value's
 * partial derivative (from partials.h) times the argument's tangents. The
 * elementary functions whose partial can be infinite at a finite point
 * (sqrt(0), log(0), asin(1), pow(0, 0.5), ...) use the *_checked kernels,
 * which take a slow path only when the partial is not finite and there apply
 * NaN-safe mode direction by direction; next to a libm call that branch costs
 * nothing measurable. Arithmetic (+, -, *, /, fma) follows IEEE with no check:
 * its partials are the operands' values, infinite only once a value has
 * overflowed, and a check there would cost more than the + or * it
 * guards.
 */

/* Returns the constant c: value c, every tangent zero. */
static inline DJ__T DJ__F(const)(double c)
{
    DJ__T r;
    r.v = c;
    DJ__UNROLL
    for (int i = 0; i < DJ__L; i++)
        DJ__LN(r, i) = DJ__LZERO;
    return r;
}

/* r = (v, p·a') with p finite. */
static inline DJ__T DJ__F(scale_)(double v, double p, DJ__T a)
{
    DJ__T r;
    r.v = v;
    DJ__UNROLL
    for (int i = 0; i < DJ__L; i++)
        DJ__LN(r, i) = p * DJ__LN(a, i);
    return r;
}

/* r = (v, pa·a' + pb·b') with pa, pb finite. */
static inline DJ__T DJ__F(comb_)(double v, double pa, DJ__T a, double pb, DJ__T b)
{
    DJ__T r;
    r.v = v;
    DJ__UNROLL
    for (int i = 0; i < DJ__L; i++)
        DJ__LN(r, i) = pa * DJ__LN(a, i) + pb * DJ__LN(b, i);
    return r;
}

/* pa·a' + pb·b' where a partial may be Inf or NaN. */
DJ_COLD static DJ__T DJ__F(comb_nonfinite_)(double v, double pa, DJ__T a, double pb, DJ__T b)
{
    int safe = dj_nansafe();
    DJ__T r;
    r.v = v;
    for (int i = 0; i < DJ__K; i++) {
        double ta = (safe && DJ__D(a, i) == 0) ? 0.0 : pa * DJ__D(a, i);
        double tb = (safe && DJ__D(b, i) == 0) ? 0.0 : pb * DJ__D(b, i);
        DJ__D(r, i) = ta + tb;
    }
    return r;
}

static inline DJ__T DJ__F(scale_checked_)(double v, double p, DJ__T a)
{
    if (DJ_LIKELY(isfinite(p)))
        return DJ__F(scale_)(v, p, a);
    return DJ__F(comb_nonfinite_)(v, p, a, 0.0, DJ__F(const)(0.0));
}

static inline DJ__T DJ__F(comb_checked_)(double v, double pa, DJ__T a, double pb, DJ__T b)
{
    if (DJ_LIKELY(isfinite(pa) && isfinite(pb)))
        return DJ__F(comb_)(v, pa, a, pb, b);
    return DJ__F(comb_nonfinite_)(v, pa, a, pb, b);
}

/* ---- construction and access ------------------------------------------- */

/* Returns the variable (v, e_slot): the seed of input direction `slot`. */
static inline DJ__T DJ__F(seed)(double v, int slot)
{
    DJ__T r = DJ__F(const)(v);
    if (slot >= 0 && slot < DJ__K)
        DJ__D(r, slot) = 1.0;
    return r;
}

/* Returns the value of a. */
static inline double DJ__F(value)(DJ__T a) { return a.v; }

/* Returns tangent i of a (0 for i out of range). */
static inline double DJ__F(tangent)(DJ__T a, int i)
{
    return (i >= 0 && i < DJ__K) ? DJ__D(a, i) : 0.0;
}

/* ---- arithmetic ----------------------------------------------------------- */

/* Returns a + b with tangent a' + b'. */
static inline DJ__T DJ__F(add)(DJ__T a, DJ__T b)
{
    DJ__T r;
    r.v = a.v + b.v;
    DJ__UNROLL
    for (int i = 0; i < DJ__L; i++)
        DJ__LN(r, i) = DJ__LN(a, i) + DJ__LN(b, i);
    return r;
}

static inline DJ__T DJ__F(add_d)(DJ__T a, double c)
{
    a.v += c;
    return a;
}

static inline DJ__T DJ__F(d_add)(double c, DJ__T b) { return DJ__F(add_d)(b, c); }

/* Returns a - b with tangent a' - b'. */
static inline DJ__T DJ__F(sub)(DJ__T a, DJ__T b)
{
    DJ__T r;
    r.v = a.v - b.v;
    DJ__UNROLL
    for (int i = 0; i < DJ__L; i++)
        DJ__LN(r, i) = DJ__LN(a, i) - DJ__LN(b, i);
    return r;
}

static inline DJ__T DJ__F(sub_d)(DJ__T a, double c)
{
    a.v -= c;
    return a;
}

/* Returns -a with tangent -a'. */
static inline DJ__T DJ__F(neg)(DJ__T a)
{
    DJ__T r;
    r.v = -a.v;
    DJ__UNROLL
    for (int i = 0; i < DJ__L; i++)
        DJ__LN(r, i) = -DJ__LN(a, i);
    return r;
}

static inline DJ__T DJ__F(d_sub)(double c, DJ__T b)
{
    DJ__T r = DJ__F(neg)(b);
    r.v = c - b.v;
    return r;
}

/* Returns a·b with tangent a'b + ab'. */
static inline DJ__T DJ__F(mul)(DJ__T a, DJ__T b)
{
    return DJ__F(comb_)(a.v * b.v, b.v, a, a.v, b);
}

static inline DJ__T DJ__F(mul_d)(DJ__T a, double c)
{
    return DJ__F(scale_)(a.v * c, c, a);
}

static inline DJ__T DJ__F(d_mul)(double c, DJ__T b) { return DJ__F(mul_d)(b, c); }

/* Returns a/b with tangent (a' - (a/b)·b')/b. At b = ±0, the pole, the
 * partials are infinite (partials.h): the checked kernels then apply
 * NaN-safe mode, and an edge event is raised. */
static inline DJ__T DJ__F(div)(DJ__T a, DJ__T b)
{
    double r = a.v / b.v;
    if (DJ_UNLIKELY(b.v == 0)) {
        double pa, pb;
        dj_partial_div(b.v, r, &pa, &pb);
        return DJ__F(comb_checked_)(r, pa, a, pb, b);
    }
    double inv = 1.0 / b.v;
    return DJ__F(comb_)(r, inv, a, -r * inv, b);
}

static inline DJ__T DJ__F(div_d)(DJ__T a, double c)
{
    if (DJ_UNLIKELY(c == 0)) {
        double pa, pc;
        dj_partial_div(c, a.v / c, &pa, &pc);
        return DJ__F(scale_checked_)(a.v / c, pa, a);
    }
    return DJ__F(scale_)(a.v / c, 1.0 / c, a);
}

static inline DJ__T DJ__F(d_div)(double c, DJ__T b)
{
    double r = c / b.v;
    if (DJ_UNLIKELY(b.v == 0)) {
        double pc, pb;
        dj_partial_div(b.v, r, &pc, &pb);
        return DJ__F(scale_checked_)(r, pb, b);
    }
    return DJ__F(scale_)(r, -r / b.v, b);
}

/* Returns a·b + c rounded once, with tangent a'b + ab' + c'. */
static inline DJ__T DJ__F(fma)(DJ__T a, DJ__T b, DJ__T c)
{
    DJ__T r = DJ__F(comb_)(fma(a.v, b.v, c.v), b.v, a, a.v, b);
    DJ__UNROLL
    for (int i = 0; i < DJ__L; i++)
        DJ__LN(r, i) += DJ__LN(c, i);
    return r;
}

/* ---- accumulation and reductions ------------------------------------------ */

/* *s = *s + b, *s - b, *s·b, *s/b: the +=, -=, *= and /= of a body
 * (dj_add_to, dj_sub_from, dj_mul_by, dj_div_by). */
DJ_INLINE void DJ__F(add_to)(DJ__T *s, DJ__T b) { *s = DJ__F(add)(*s, b); }
DJ_INLINE void DJ__F(add_to_d)(DJ__T *s, double c) { *s = DJ__F(add_d)(*s, c); }
DJ_INLINE void DJ__F(sub_from)(DJ__T *s, DJ__T b) { *s = DJ__F(sub)(*s, b); }
DJ_INLINE void DJ__F(sub_from_d)(DJ__T *s, double c) { *s = DJ__F(sub_d)(*s, c); }
DJ_INLINE void DJ__F(mul_by)(DJ__T *s, DJ__T b) { *s = DJ__F(mul)(*s, b); }
DJ_INLINE void DJ__F(mul_by_d)(DJ__T *s, double c) { *s = DJ__F(mul_d)(*s, c); }
DJ_INLINE void DJ__F(div_by)(DJ__T *s, DJ__T b) { *s = DJ__F(div)(*s, b); }
DJ_INLINE void DJ__F(div_by_d)(DJ__T *s, double c) { *s = DJ__F(div_d)(*s, c); }

/* Returns x[0] + ... + x[n-1], added left to right as a loop would (the
 * constant 0 for n = 0). */
static inline DJ__T DJ__F(sum_n)(const DJ__T *x, size_t n)
{
    if (n == 0)
        return DJ__F(const)(0.0);
    DJ__T s = x[0];
    for (size_t i = 1; i < n; i++)
        s = DJ__F(add)(s, x[i]);
    return s;
}

/* Returns x[0]·...·x[n-1], multiplied left to right (the constant 1 for
 * n = 0). */
static inline DJ__T DJ__F(prod_n)(const DJ__T *x, size_t n)
{
    if (n == 0)
        return DJ__F(const)(1.0);
    DJ__T p = x[0];
    for (size_t i = 1; i < n; i++)
        p = DJ__F(mul)(p, x[i]);
    return p;
}

/* ---- powers, exponentials and logarithms ------------------------------- */

static inline DJ__T DJ__F(sqrt)(DJ__T a)
{
    double r = sqrt(a.v);
    return DJ__F(scale_checked_)(r, dj_partial_sqrt(a.v, r), a);
}

static inline DJ__T DJ__F(cbrt)(DJ__T a)
{
    double r = cbrt(a.v);
    return DJ__F(scale_checked_)(r, dj_partial_cbrt(a.v, r), a);
}

static inline DJ__T DJ__F(exp)(DJ__T a)
{
    double r = exp(a.v);
    return DJ__F(scale_checked_)(r, r, a);
}

static inline DJ__T DJ__F(exp2)(DJ__T a)
{
    double r = exp2(a.v);
    return DJ__F(scale_checked_)(r, r * DJ_LN2, a);
}

static inline DJ__T DJ__F(expm1)(DJ__T a)
{
    double r = expm1(a.v);
    return DJ__F(scale_checked_)(r, r + 1.0, a);
}

static inline DJ__T DJ__F(log)(DJ__T a)
{
    return DJ__F(scale_checked_)(log(a.v), dj_partial_log(a.v), a);
}

static inline DJ__T DJ__F(log2)(DJ__T a)
{
    return DJ__F(scale_checked_)(log2(a.v), dj_partial_log(a.v) / DJ_LN2, a);
}

static inline DJ__T DJ__F(log10)(DJ__T a)
{
    return DJ__F(scale_checked_)(log10(a.v), dj_partial_log(a.v) / DJ_LN10, a);
}

static inline DJ__T DJ__F(log1p)(DJ__T a)
{
    return DJ__F(scale_checked_)(log1p(a.v), dj_partial_log1p(a.v), a);
}

/* Returns a^c for a constant exponent c. */
static inline DJ__T DJ__F(pow_d)(DJ__T a, double c)
{
    double r = (c == 2) ? a.v * a.v : pow(a.v, c);
    return DJ__F(scale_checked_)(r, dj_partial_pow_base(a.v, c, r), a);
}

/* Returns c^b for a constant base c. */
static inline DJ__T DJ__F(d_pow)(double c, DJ__T b)
{
    double r = pow(c, b.v);
    return DJ__F(scale_checked_)(r, dj_partial_pow_exponent(c, b.v, r), b);
}

/* Returns a^b with tangent b·a^(b-1)·a' + a^b·log(a)·b'. */
static inline DJ__T DJ__F(pow)(DJ__T a, DJ__T b)
{
    double r = pow(a.v, b.v), pa, pb;
    dj_partial_pow(a.v, b.v, r, &pa, &pb);
    return DJ__F(comb_checked_)(r, pa, a, pb, b);
}

/* ---- trigonometric and hyperbolic ----------------------------------------- */

static inline DJ__T DJ__F(sin)(DJ__T a)
{
    return DJ__F(scale_)(sin(a.v), cos(a.v), a);
}

static inline DJ__T DJ__F(cos)(DJ__T a)
{
    return DJ__F(scale_)(cos(a.v), -sin(a.v), a);
}

static inline DJ__T DJ__F(tan)(DJ__T a)
{
    double r = tan(a.v);
    return DJ__F(scale_checked_)(r, 1.0 + r * r, a);
}

static inline DJ__T DJ__F(asin)(DJ__T a)
{
    return DJ__F(scale_checked_)(asin(a.v), dj_partial_asin(a.v), a);
}

static inline DJ__T DJ__F(acos)(DJ__T a)
{
    return DJ__F(scale_checked_)(acos(a.v), -dj_partial_asin(a.v), a);
}

static inline DJ__T DJ__F(atan)(DJ__T a)
{
    return DJ__F(scale_checked_)(atan(a.v), dj_partial_atan(a.v), a);
}

/* Returns atan2(a, b), the angle of the point (b, a). */
static inline DJ__T DJ__F(atan2)(DJ__T a, DJ__T b)
{
    double pa, pb;
    dj_partial_atan2(a.v, b.v, &pa, &pb);
    return DJ__F(comb_checked_)(atan2(a.v, b.v), pa, a, pb, b);
}

static inline DJ__T DJ__F(atan2_d)(DJ__T a, double c)
{
    double pa, pc;
    dj_partial_atan2(a.v, c, &pa, &pc);
    return DJ__F(scale_checked_)(atan2(a.v, c), pa, a);
}

static inline DJ__T DJ__F(d_atan2)(double c, DJ__T b)
{
    double pc, pb;
    dj_partial_atan2(c, b.v, &pc, &pb);
    return DJ__F(scale_checked_)(atan2(c, b.v), pb, b);
}

static inline DJ__T DJ__F(sinh)(DJ__T a)
{
    return DJ__F(scale_checked_)(sinh(a.v), cosh(a.v), a);
}

static inline DJ__T DJ__F(cosh)(DJ__T a)
{
    return DJ__F(scale_checked_)(cosh(a.v), sinh(a.v), a);
}

static inline DJ__T DJ__F(tanh)(DJ__T a)
{
    double r = tanh(a.v);
    return DJ__F(scale_)(r, (1.0 - r) * (1.0 + r), a);
}

static inline DJ__T DJ__F(asinh)(DJ__T a)
{
    return DJ__F(scale_checked_)(asinh(a.v), dj_partial_asinh(a.v), a);
}

static inline DJ__T DJ__F(acosh)(DJ__T a)
{
    return DJ__F(scale_checked_)(acosh(a.v), dj_partial_acosh(a.v), a);
}

static inline DJ__T DJ__F(atanh)(DJ__T a)
{
    return DJ__F(scale_checked_)(atanh(a.v), dj_partial_atanh(a.v), a);
}

/* ---- norms, extrema and signs ---------------------------------------------- */

static inline DJ__T DJ__F(hypot)(DJ__T a, DJ__T b)
{
    double r = hypot(a.v, b.v), pa, pb;
    dj_partial_hypot(a.v, b.v, r, &pa, &pb);
    return DJ__F(comb_checked_)(r, pa, a, pb, b);
}

static inline DJ__T DJ__F(hypot_d)(DJ__T a, double c)
{
    double r = hypot(a.v, c), pa, pc;
    dj_partial_hypot(a.v, c, r, &pa, &pc);
    return DJ__F(scale_checked_)(r, pa, a);
}

static inline DJ__T DJ__F(d_hypot)(double c, DJ__T b) { return DJ__F(hypot_d)(b, c); }

static inline DJ__T DJ__F(fabs)(DJ__T a)
{
    return DJ__F(scale_checked_)(fabs(a.v), dj_partial_fabs(a.v), a);
}

static inline DJ__T DJ__F(fmin)(DJ__T a, DJ__T b)
{
    double pa, pb;
    dj_partial_fmin(a.v, b.v, &pa, &pb);
    return DJ__F(comb_)(fmin(a.v, b.v), pa, a, pb, b);
}

static inline DJ__T DJ__F(fmin_d)(DJ__T a, double c)
{
    double pa, pc;
    dj_partial_fmin(a.v, c, &pa, &pc);
    return DJ__F(scale_)(fmin(a.v, c), pa, a);
}

static inline DJ__T DJ__F(d_fmin)(double c, DJ__T b) { return DJ__F(fmin_d)(b, c); }

static inline DJ__T DJ__F(fmax)(DJ__T a, DJ__T b)
{
    double pa, pb;
    dj_partial_fmax(a.v, b.v, &pa, &pb);
    return DJ__F(comb_)(fmax(a.v, b.v), pa, a, pb, b);
}

static inline DJ__T DJ__F(fmax_d)(DJ__T a, double c)
{
    double pa, pc;
    dj_partial_fmax(a.v, c, &pa, &pc);
    return DJ__F(scale_)(fmax(a.v, c), pa, a);
}

static inline DJ__T DJ__F(d_fmax)(double c, DJ__T b) { return DJ__F(fmax_d)(b, c); }

/* Returns |a| with the sign of b; the derivative in b is zero. */
static inline DJ__T DJ__F(copysign)(DJ__T a, DJ__T b)
{
    double pa, pb;
    dj_partial_copysign(a.v, b.v, &pa, &pb);
    return DJ__F(scale_checked_)(copysign(a.v, b.v), pa, a);
}

static inline DJ__T DJ__F(copysign_d)(DJ__T a, double c)
{
    double pa, pc;
    dj_partial_copysign(a.v, c, &pa, &pc);
    return DJ__F(scale_checked_)(copysign(a.v, c), pa, a);
}

static inline DJ__T DJ__F(d_copysign)(double c, DJ__T b)
{
    double pc, pb;
    dj_partial_copysign(c, b.v, &pc, &pb);
    return DJ__F(const)(copysign(c, b.v));
}

/* ---- special functions --------------------------------------------------- */

static inline DJ__T DJ__F(erf)(DJ__T a)
{
    return DJ__F(scale_)(erf(a.v), dj_partial_erf(a.v), a);
}

static inline DJ__T DJ__F(erfc)(DJ__T a)
{
    return DJ__F(scale_)(erfc(a.v), -dj_partial_erf(a.v), a);
}

static inline DJ__T DJ__F(tgamma)(DJ__T a)
{
    double r = tgamma(a.v);
    return DJ__F(scale_checked_)(r, r * dj_digamma(a.v), a);
}

static inline DJ__T DJ__F(lgamma)(DJ__T a)
{
    return DJ__F(scale_checked_)(dj_double_lgamma(a.v), dj_digamma(a.v), a);
}

/* ---- rounding and remainder ------------------------------------------------ */

static inline DJ__T DJ__F(floor)(DJ__T a)
{
    double r = floor(a.v);
    return DJ__F(scale_)(r, dj_partial_floor(a.v, r), a);
}

static inline DJ__T DJ__F(ceil)(DJ__T a)
{
    double r = ceil(a.v);
    return DJ__F(scale_)(r, dj_partial_floor(a.v, r), a);
}

static inline DJ__T DJ__F(trunc)(DJ__T a)
{
    double r = trunc(a.v);
    return DJ__F(scale_)(r, dj_partial_trunc(a.v, r), a);
}

static inline DJ__T DJ__F(round)(DJ__T a)
{
    return DJ__F(scale_)(round(a.v), dj_partial_round(a.v), a);
}

/* Returns fmod(a, b) = a - trunc(a/b)·b with tangent a' - trunc(a/b)·b'. */
static inline DJ__T DJ__F(fmod)(DJ__T a, DJ__T b)
{
    double r = fmod(a.v, b.v), pa, pb;
    dj_partial_fmod(a.v, b.v, r, &pa, &pb);
    return DJ__F(comb_checked_)(r, pa, a, pb, b);
}

static inline DJ__T DJ__F(fmod_d)(DJ__T a, double c)
{
    double r = fmod(a.v, c), pa, pc;
    dj_partial_fmod(a.v, c, r, &pa, &pc);
    return DJ__F(scale_checked_)(r, pa, a);
}

static inline DJ__T DJ__F(d_fmod)(double c, DJ__T b)
{
    double r = fmod(c, b.v), pc, pb;
    dj_partial_fmod(c, b.v, r, &pc, &pb);
    return DJ__F(scale_checked_)(r, pb, b);
}

/* ---- comparisons (on values; tangents are ignored) ------------------------- */

static inline int DJ__F(lt)(DJ__T a, DJ__T b) { return a.v < b.v; }
static inline int DJ__F(le)(DJ__T a, DJ__T b) { return a.v <= b.v; }
static inline int DJ__F(gt)(DJ__T a, DJ__T b) { return a.v > b.v; }
static inline int DJ__F(ge)(DJ__T a, DJ__T b) { return a.v >= b.v; }
static inline int DJ__F(eq)(DJ__T a, DJ__T b) { return a.v == b.v; }
static inline int DJ__F(ne)(DJ__T a, DJ__T b) { return a.v != b.v; }
static inline int DJ__F(lt_d)(DJ__T a, double c) { return a.v < c; }
static inline int DJ__F(le_d)(DJ__T a, double c) { return a.v <= c; }
static inline int DJ__F(gt_d)(DJ__T a, double c) { return a.v > c; }
static inline int DJ__F(ge_d)(DJ__T a, double c) { return a.v >= c; }
static inline int DJ__F(eq_d)(DJ__T a, double c) { return a.v == c; }
static inline int DJ__F(ne_d)(DJ__T a, double c) { return a.v != c; }
static inline int DJ__F(d_lt)(double c, DJ__T b) { return c < b.v; }
static inline int DJ__F(d_le)(double c, DJ__T b) { return c <= b.v; }
static inline int DJ__F(d_gt)(double c, DJ__T b) { return c > b.v; }
static inline int DJ__F(d_ge)(double c, DJ__T b) { return c >= b.v; }
static inline int DJ__F(d_eq)(double c, DJ__T b) { return c == b.v; }
static inline int DJ__F(d_ne)(double c, DJ__T b) { return c != b.v; }

/* ---- fma with mixed arguments ----------------------------------------------
 * dj_fma(a, b, c) dispatches in two steps, each on two arguments: (a, b) are
 * bound into an fma_args_ of their common type, then applied with c. */

typedef struct { DJ__T a, b; } DJ__F(fma_args_);

static inline DJ__F(fma_args_) DJ__F(fma_bind_)(DJ__T a, DJ__T b)
{
    DJ__F(fma_args_) r;
    r.a = a;
    r.b = b;
    return r;
}

static inline DJ__F(fma_args_) DJ__F(fma_bind_d_)(DJ__T a, double b)
{
    return DJ__F(fma_bind_)(a, DJ__F(const)(b));
}

static inline DJ__F(fma_args_) DJ__F(d_fma_bind_)(double a, DJ__T b)
{
    return DJ__F(fma_bind_)(DJ__F(const)(a), b);
}

static inline DJ__T DJ__F(fma_apply_)(DJ__F(fma_args_) p, DJ__T c)
{
    return DJ__F(fma)(p.a, p.b, c);
}

static inline DJ__T DJ__F(fma_apply_d_)(DJ__F(fma_args_) p, double c)
{
    return DJ__F(fma)(p.a, p.b, DJ__F(const)(c));
}

static inline DJ__T DJ__F(d_fma_apply_)(dj_double_fma_args_ p, DJ__T c)
{
    return DJ__F(fma)(DJ__F(const)(p.a), DJ__F(const)(p.b), c);
}
