/* eval.c: runs a compiled expression program, written once over the scalar
 * type and instantiated for double, every dual width and dj_var. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "program.h"

/* Values kept on the C stack before the frame is allocated instead. */
enum { EXPR_SMALL_FRAME = 64 };

#define EXPR_UNARY(NAME, FN)                                                   \
    case NAME:                                                                 \
        st[sp - 1] = FN(st[sp - 1]);                                           \
        break;
#define EXPR_BINARY(NAME, FN)                                                  \
    case NAME:                                                                 \
        sp--;                                                                  \
        st[sp - 1] = FN(st[sp - 1], st[sp]);                                   \
        break;

#define EXPR_CONST_RIGHT(NAME, FN)                                             \
    case NAME:                                                                 \
        st[sp - 1] = FN(st[sp - 1], in->value);                                \
        break;
#define EXPR_CONST_LEFT(NAME, FN)                                              \
    case NAME:                                                                 \
        st[sp - 1] = FN(in->value, st[sp - 1]);                                \
        break;

/* A two-argument function with one constant argument: fn(a, c), or fn(c, a)
 * when left; one per type, so that the evaluator stays one switch. */
#define EXPR_CALL2(T)                                                          \
    static T expr_call2_##T(int fn, int left, T a, double c)                   \
    {                                                                          \
        switch (fn) {                                                          \
        case FN_POW: return left ? dj_pow(c, a) : dj_pow(a, c);                \
        case FN_ATAN2: return left ? dj_atan2(c, a) : dj_atan2(a, c);          \
        case FN_HYPOT: return left ? dj_hypot(c, a) : dj_hypot(a, c);          \
        case FN_FMIN: return left ? dj_fmin(c, a) : dj_fmin(a, c);             \
        case FN_FMAX: return left ? dj_fmax(c, a) : dj_fmax(a, c);             \
        case FN_COPYSIGN: return left ? dj_copysign(c, a) : dj_copysign(a, c); \
        case FN_FMOD: return left ? dj_fmod(c, a) : dj_fmod(a, c);             \
        default: return dj_add(a, (double)NAN);                                \
        }                                                                      \
    }
EXPR_CALL2(double)
EXPR_CALL2(dj_declare_as_T_not_double) /* the probe type bodies compile for first (probe.h) */
EXPR_CALL2(dj_dual)
EXPR_CALL2(dj_dual2)
EXPR_CALL2(dj_dual4)
EXPR_CALL2(dj_dual8)
EXPR_CALL2(dj_dual16)
EXPR_CALL2(dj_var)

#define EXPR_EVAL(T, y, x, n, m, ctx)                                          \
    {                                                                          \
        const expr_program *P = ctx;                                           \
        T small[EXPR_SMALL_FRAME];                                             \
        size_t frame = expr_frame_size(P);                                     \
        T *st = frame <= EXPR_SMALL_FRAME ? small                              \
                : frame <= SIZE_MAX / sizeof(T) ? malloc(frame * sizeof(T)) : NULL; \
        if (st == NULL) {                                                      \
            /* no memory for the frame: NaN, which drivers report */          \
            for (size_t i = 0; i < m; i++)                                     \
                y[i] = dj_const(T, NAN);                                       \
        } else {                                                               \
            T *loc = st + P->max_stack;                                        \
            size_t sp = 0;                                                     \
            for (size_t pc = 0; pc < P->ncode; pc++) {                         \
                const expr_instr *in = &P->code[pc];                           \
                switch (in->op) {                                              \
                case OP_CONST: st[sp++] = dj_const(T, in->value); break;       \
                case OP_INPUT: st[sp++] = x[in->index]; break;                 \
                case OP_LOCAL: st[sp++] = loc[in->index]; break;               \
                case OP_STORE: loc[in->index] = st[--sp]; break;               \
                case OP_OUTPUT: y[in->index] = st[--sp]; break;                \
                case OP_NEG: st[sp - 1] = dj_neg(st[sp - 1]); break;           \
                EXPR_BINARY(OP_ADD, dj_add)                                    \
                EXPR_BINARY(OP_SUB, dj_sub)                                    \
                EXPR_BINARY(OP_MUL, dj_mul)                                    \
                EXPR_BINARY(OP_DIV, dj_div)                                    \
                EXPR_BINARY(OP_POW, dj_pow)                                    \
                EXPR_CONST_RIGHT(OP_ADDC, dj_add)                              \
                EXPR_CONST_RIGHT(OP_SUBC, dj_sub)                              \
                EXPR_CONST_RIGHT(OP_MULC, dj_mul)                              \
                EXPR_CONST_RIGHT(OP_DIVC, dj_div)                              \
                EXPR_CONST_RIGHT(OP_POWC, dj_pow)                              \
                EXPR_CONST_LEFT(OP_CSUB, dj_sub)                               \
                EXPR_CONST_LEFT(OP_CDIV, dj_div)                               \
                EXPR_CONST_LEFT(OP_CPOW, dj_pow)                               \
                case OP_CALLC:                                                 \
                case OP_CCALL:                                                 \
                    st[sp - 1] = expr_call2_##T(in->fn, in->op == OP_CCALL, st[sp - 1], \
                                                in->value);                    \
                    break;                                                     \
                case OP_CALL:                                                  \
                    switch (in->fn) {                                          \
                    EXPR_UNARY(FN_SQRT, dj_sqrt)                               \
                    EXPR_UNARY(FN_CBRT, dj_cbrt)                               \
                    EXPR_UNARY(FN_EXP, dj_exp)                                 \
                    EXPR_UNARY(FN_EXP2, dj_exp2)                               \
                    EXPR_UNARY(FN_EXPM1, dj_expm1)                             \
                    EXPR_UNARY(FN_LOG, dj_log)                                 \
                    EXPR_UNARY(FN_LOG2, dj_log2)                               \
                    EXPR_UNARY(FN_LOG10, dj_log10)                             \
                    EXPR_UNARY(FN_LOG1P, dj_log1p)                             \
                    EXPR_UNARY(FN_SIN, dj_sin)                                 \
                    EXPR_UNARY(FN_COS, dj_cos)                                 \
                    EXPR_UNARY(FN_TAN, dj_tan)                                 \
                    EXPR_UNARY(FN_ASIN, dj_asin)                               \
                    EXPR_UNARY(FN_ACOS, dj_acos)                               \
                    EXPR_UNARY(FN_ATAN, dj_atan)                               \
                    EXPR_UNARY(FN_SINH, dj_sinh)                               \
                    EXPR_UNARY(FN_COSH, dj_cosh)                               \
                    EXPR_UNARY(FN_TANH, dj_tanh)                               \
                    EXPR_UNARY(FN_ASINH, dj_asinh)                             \
                    EXPR_UNARY(FN_ACOSH, dj_acosh)                             \
                    EXPR_UNARY(FN_ATANH, dj_atanh)                             \
                    EXPR_UNARY(FN_FABS, dj_fabs)                               \
                    EXPR_UNARY(FN_ERF, dj_erf)                                 \
                    EXPR_UNARY(FN_ERFC, dj_erfc)                               \
                    EXPR_UNARY(FN_TGAMMA, dj_tgamma)                           \
                    EXPR_UNARY(FN_LGAMMA, dj_lgamma)                           \
                    EXPR_UNARY(FN_FLOOR, dj_floor)                             \
                    EXPR_UNARY(FN_CEIL, dj_ceil)                               \
                    EXPR_UNARY(FN_TRUNC, dj_trunc)                             \
                    EXPR_UNARY(FN_ROUND, dj_round)                             \
                    EXPR_BINARY(FN_POW, dj_pow)                                \
                    EXPR_BINARY(FN_ATAN2, dj_atan2)                            \
                    EXPR_BINARY(FN_HYPOT, dj_hypot)                            \
                    EXPR_BINARY(FN_FMIN, dj_fmin)                              \
                    EXPR_BINARY(FN_FMAX, dj_fmax)                              \
                    EXPR_BINARY(FN_COPYSIGN, dj_copysign)                      \
                    EXPR_BINARY(FN_FMOD, dj_fmod)                              \
                    case FN_FMA:                                               \
                        sp -= 2;                                               \
                        st[sp - 1] = dj_fma(st[sp - 1], st[sp], st[sp + 1]);   \
                        break;                                                 \
                    default:                                                   \
                        break;                                                 \
                    }                                                          \
                    break;                                                     \
                default:                                                       \
                    break;                                                     \
                }                                                              \
            }                                                                  \
            if (st != small)                                                   \
                free(st);                                                      \
        }                                                                      \
    }

DJ_FN_INSTANTIATE(expr_eval, EXPR_EVAL);

dj_fn expr_fn(const expr_program *p)
{
    dj_fn f = DJ_FN_INIT(expr_eval, p->ninputs, p->noutputs, p);
    f.name = "expression";
    return f;
}
