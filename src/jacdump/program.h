/*
 * program.h: a compiled jacdump expression program.
 *
 * The parser turns text such as "r = hypot(x, y); r*cos(t), r*sin(t)" into a
 * flat list of stack-machine instructions; eval.c runs that list once per
 * scalar type (double, every dual width, dj_var), so the expression language
 * differentiates in every mode with the library's own operations.
 */
#ifndef JACDUMP_PROGRAM_H
#define JACDUMP_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include <dualjac.h>

/* The functions of the language; the first arity-1 group, then 2, then 3. */
typedef enum expr_function {
    FN_SQRT, FN_CBRT, FN_EXP, FN_EXP2, FN_EXPM1, FN_LOG, FN_LOG2, FN_LOG10, FN_LOG1P,
    FN_SIN, FN_COS, FN_TAN, FN_ASIN, FN_ACOS, FN_ATAN, FN_SINH, FN_COSH, FN_TANH,
    FN_ASINH, FN_ACOSH, FN_ATANH, FN_FABS, FN_ERF, FN_ERFC, FN_TGAMMA, FN_LGAMMA,
    FN_FLOOR, FN_CEIL, FN_TRUNC, FN_ROUND,
    FN_POW, FN_ATAN2, FN_HYPOT, FN_FMIN, FN_FMAX, FN_COPYSIGN, FN_FMOD,
    FN_FMA,
    FN_COUNT_
} expr_function;

typedef enum expr_opcode {
    OP_CONST,  /* push value */
    OP_INPUT,  /* push input[index] */
    OP_LOCAL,  /* push local[index] */
    OP_STORE,  /* pop into local[index] */
    OP_OUTPUT, /* pop into y[index] */
    OP_NEG,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_POW,
    OP_CALL,   /* function index, its arguments on the stack */
    /* An operation with a constant operand (value) takes the library's
     * double-operand form, as C code writes x/2.0: a constant then has no
     * tangent or adjoint to multiply, so x/0 has derivative +Inf in every
     * mode (a constant dual 0 gave 0·Inf = NaN in forward mode only). */
    OP_ADDC,   /* top + value (and value + top) */
    OP_SUBC,   /* top - value */
    OP_MULC,   /* top · value (and value · top) */
    OP_DIVC,   /* top / value */
    OP_POWC,   /* top ^ value: a constant exponent */
    OP_CSUB,   /* value - top */
    OP_CDIV,   /* value / top */
    OP_CPOW,   /* value ^ top */
    OP_CALLC,  /* fn(top, value), a two-argument function */
    OP_CCALL   /* fn(value, top) */
} expr_opcode;

typedef struct expr_instr {
    uint8_t op;
    uint8_t fn;     /* OP_CALL */
    uint32_t index; /* OP_INPUT, OP_LOCAL, OP_STORE, OP_OUTPUT */
    double value;   /* OP_CONST */
} expr_instr;

typedef struct expr_program {
    expr_instr *code;
    size_t ncode;
    char **inputs;     /* names, in input order */
    size_t ninputs;
    char **locals;     /* definitions */
    size_t nlocals;
    char **outputs;    /* the source text of each output, for labels */
    size_t noutputs;
    size_t max_stack;  /* deepest value stack the code needs */
} expr_program;

/* Where a compile error is, and what it is. */
typedef struct expr_error {
    size_t line, column; /* 1-based; column in bytes */
    size_t line_start;   /* offset of the line in the text, for the caret */
    char message[200];
} expr_error;

/* The deepest nesting of parentheses, signs, powers and calls the parser
 * accepts; deeper text is a DJ_EPARSE error at the token that goes too deep
 * (the recursive parser would otherwise run out of C stack). */
#define EXPR_MAX_NESTING 1000

/* Compiles text. vars, when not NULL, fixes the inputs and their order
 * (nvars names); otherwise inputs are the unknown names in order of first
 * appearance, or x1..xn by number when every name has that form. Returns
 * DJ_OK, DJ_EPARSE (err filled), DJ_ENOMEM or DJ_ERANGE. */
int expr_compile(expr_program **out, const char *text, const char *const *vars, size_t nvars,
                 expr_error *err);

void expr_free(expr_program *p);

/* The program as a function: n = inputs, m = outputs, ctx = p. */
dj_fn expr_fn(const expr_program *p);

/* Number of values (stack and locals) an evaluation keeps. */
size_t expr_frame_size(const expr_program *p);

/* What name is in the language, when it is not free for a variable: "a
 * constant" (pi, e), "a function" (sin, abs, ...); NULL otherwise. */
const char *expr_reserved(const char *name);

/* The names of the language's functions, for messages and the manual. */
const char *expr_function_name(expr_function f);

#endif
