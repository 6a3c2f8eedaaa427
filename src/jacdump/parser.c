/*
 * parser.c: jacdump's expression language, parsed by recursive descent and
 * compiled to the stack program of program.h.
 *
 * Precedence is that of mathematics: ^ binds tighter than unary minus and is
 * right-associative (-x^2 is -(x^2), 2^-x and 2^3^2 = 2^9 work); then * and /,
 * then + and -, left to right. Statements are separated by ';' or newlines;
 * a statement is a definition "name = expr" or outputs "expr, expr, ...". A
 * newline after an operator, a comma or inside parentheses continues the
 * statement.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexer.h"
#include "names.h"
#include "program.h"

static const struct {
    const char *name;
    expr_function fn;
    int arity;
} functions[] = {
    {"sqrt", FN_SQRT, 1},   {"cbrt", FN_CBRT, 1},       {"exp", FN_EXP, 1},
    {"exp2", FN_EXP2, 1},   {"expm1", FN_EXPM1, 1},     {"log", FN_LOG, 1},
    {"log2", FN_LOG2, 1},   {"log10", FN_LOG10, 1},     {"log1p", FN_LOG1P, 1},
    {"sin", FN_SIN, 1},     {"cos", FN_COS, 1},         {"tan", FN_TAN, 1},
    {"asin", FN_ASIN, 1},   {"acos", FN_ACOS, 1},       {"atan", FN_ATAN, 1},
    {"sinh", FN_SINH, 1},   {"cosh", FN_COSH, 1},       {"tanh", FN_TANH, 1},
    {"asinh", FN_ASINH, 1}, {"acosh", FN_ACOSH, 1},     {"atanh", FN_ATANH, 1},
    {"fabs", FN_FABS, 1},   {"erf", FN_ERF, 1},         {"erfc", FN_ERFC, 1},
    {"tgamma", FN_TGAMMA, 1}, {"lgamma", FN_LGAMMA, 1}, {"floor", FN_FLOOR, 1},
    {"ceil", FN_CEIL, 1},   {"trunc", FN_TRUNC, 1},     {"round", FN_ROUND, 1},
    {"pow", FN_POW, 2},     {"atan2", FN_ATAN2, 2},     {"hypot", FN_HYPOT, 2},
    {"fmin", FN_FMIN, 2},   {"fmax", FN_FMAX, 2},       {"copysign", FN_COPYSIGN, 2},
    {"fmod", FN_FMOD, 2},   {"fma", FN_FMA, 3},
    /* the names people type */
    {"abs", FN_FABS, 1},    {"min", FN_FMIN, 2},        {"max", FN_FMAX, 2},
};
enum { NFUNCTIONS = sizeof functions / sizeof functions[0] };

const char *expr_reserved(const char *name)
{
    size_t len = strlen(name);
    if (strcmp(name, "pi") == 0 || strcmp(name, "e") == 0)
        return "a constant";
    for (size_t i = 0; i < NFUNCTIONS; i++)
        if (strlen(functions[i].name) == len && memcmp(functions[i].name, name, len) == 0)
            return "a function";
    return NULL;
}

const char *expr_function_name(expr_function f)
{
    for (size_t i = 0; i < NFUNCTIONS; i++)
        if (functions[i].fn == f)
            return functions[i].name;
    return "?";
}

static int find_function(const char *name, size_t len)
{
    for (size_t i = 0; i < NFUNCTIONS; i++)
        if (strlen(functions[i].name) == len && memcmp(functions[i].name, name, len) == 0)
            return (int)i;
    return -1;
}

typedef struct parser {
    lexer lx;
    token tok;
    const char *text;
    expr_instr *code;
    size_t ncode, cap;
    name_list inputs, locals, outputs;
    size_t nlocals_ready; /* locals defined so far, in order */
    int fixed_inputs;
    size_t depth, max_depth;
    int nesting; /* levels of parse_unary on the C stack */
    int paren; /* newlines inside parentheses are blanks */
    int status;
    expr_error *err;
} parser;

/* Records the first error, at token t. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail_at(parser *ps, const token *t, const char *fmt, ...)
{
    if (ps->status == DJ_OK) {
        ps->status = DJ_EPARSE;
        ps->err->line = t->line;
        ps->err->column = t->column;
        ps->err->line_start = t->line_start;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ps->err->message, sizeof ps->err->message, fmt, ap);
        va_end(ap);
    }
    return ps->status;
}

static int fail_nomem(parser *ps)
{
    if (ps->status == DJ_OK)
        ps->status = DJ_ENOMEM;
    return ps->status;
}

static void advance(parser *ps)
{
    do
        ps->tok = lexer_next(&ps->lx);
    while (ps->tok.kind == TOK_NEWLINE && ps->paren > 0);
}

/* Newlines where an operand must follow continue the statement. */
static void skip_newlines(parser *ps)
{
    while (ps->tok.kind == TOK_NEWLINE)
        advance(ps);
}

static int emit(parser *ps, expr_opcode op, int fn, size_t index, double value, int stack_change)
{
    /* -c is the constant -c, so that "x^-2" has a constant exponent */
    if (op == OP_NEG && ps->ncode > 0 && ps->code[ps->ncode - 1].op == OP_CONST) {
        ps->code[ps->ncode - 1].value = -ps->code[ps->ncode - 1].value;
        return DJ_OK;
    }
    if (ps->ncode == ps->cap) {
        size_t cap = ps->cap ? 2 * ps->cap : 64;
        expr_instr *c = realloc(ps->code, cap * sizeof *c);
        if (c == NULL)
            return fail_nomem(ps);
        ps->code = c;
        ps->cap = cap;
    }
    if (index > UINT32_MAX)
        return ps->status = DJ_ERANGE;
    ps->code[ps->ncode++] = (expr_instr){(uint8_t)op, (uint8_t)fn, (uint32_t)index, value};
    ps->depth = (size_t)((long)ps->depth + stack_change);
    if (ps->depth > ps->max_depth)
        ps->max_depth = ps->depth;
    return DJ_OK;
}

/* Whether the code from start to end is one constant. */
static int single_const(const parser *ps, size_t start, size_t end)
{
    return end == start + 1 && ps->code[start].op == OP_CONST;
}

/* The value of an operation on constants (code: the constants, then the
 * operation), computed by the double evaluator itself, so that a folded
 * constant is the value the program would have computed. */
static double fold(const expr_instr *code, size_t n)
{
    expr_instr prog[5];
    memcpy(prog, code, n * sizeof *code);
    prog[n] = (expr_instr){OP_OUTPUT, 0, 0, 0.0};
    expr_program p = {prog, n + 1, NULL, 0, NULL, 0, NULL, 1, n};
    dj_fn f = expr_fn(&p);
    double y = 0, none = 0;
    f.eval_double(&y, &none, 0, 1, &p);
    return y;
}

/* The forms of an operation with a constant on the right, or on the left. */
static expr_opcode constant_right(expr_opcode op, int fn)
{
    switch (op) {
    case OP_ADD: return OP_ADDC;
    case OP_SUB: return OP_SUBC;
    case OP_MUL: return OP_MULC;
    case OP_DIV: return OP_DIVC;
    case OP_POW: return OP_POWC;
    default: return fn == FN_POW ? OP_POWC : OP_CALLC;
    }
}

static expr_opcode constant_left(expr_opcode op, int fn)
{
    switch (op) {
    case OP_ADD: return OP_ADDC;
    case OP_SUB: return OP_CSUB;
    case OP_MUL: return OP_MULC;
    case OP_DIV: return OP_CDIV;
    case OP_POW: return OP_CPOW;
    default: return fn == FN_POW ? OP_CPOW : OP_CCALL;
    }
}

/* Emits an operation (OP_ADD .. OP_POW, or OP_CALL of fn) on nargs operands
 * whose code starts at start[0], start[1], ... Constants are not operands
 * like the others: an operation on constants only is folded into one, and a
 * binary one with a constant operand takes the double-operand form
 * (program.h), as C code would write it. So a constant contributes no
 * tangent and no adjoint, and x/0, 1/x at 0 or sqrt(0)·x have the same
 * derivative in every mode. It also keeps pow(x, c) from forming the
 * exponent's partial x^c·log x, NaN for x < 0, which would poison (-2)^2. */
static int emit_operation(parser *ps, expr_opcode op, int fn, const size_t *start, int nargs)
{
    size_t end = ps->ncode;
    int all = 1;
    for (int i = 0; i < nargs; i++)
        all = all && single_const(ps, start[i], i + 1 < nargs ? start[i + 1] : end);
    if (all) {
        expr_instr code[4];
        memcpy(code, ps->code + start[0], (size_t)nargs * sizeof *code);
        code[nargs] = (expr_instr){(uint8_t)op, (uint8_t)fn, 0, 0.0};
        double v = fold(code, (size_t)nargs + 1);
        ps->ncode = start[0];
        ps->depth -= (size_t)nargs;
        return emit(ps, OP_CONST, 0, 0, v, 1);
    }
    if (nargs == 2 && single_const(ps, start[1], end)) {
        double c = ps->code[start[1]].value;
        ps->ncode--;
        ps->depth--;
        return emit(ps, constant_right(op, fn), fn, 0, c, 0);
    }
    if (nargs == 2 && single_const(ps, start[0], start[1])) {
        double c = ps->code[start[0]].value;
        memmove(ps->code + start[0], ps->code + start[1], (end - start[1]) * sizeof *ps->code);
        ps->ncode--;
        ps->depth--;
        return emit(ps, constant_left(op, fn), fn, 0, c, 0);
    }
    return emit(ps, op, fn, 0, 0.0, 1 - nargs);
}

static const char *token_kind_name(token_kind k)
{
    switch (k) {
    case TOK_END: return "end of input";
    case TOK_NEWLINE: return "end of line";
    case TOK_RPAREN: return "')'";
    case TOK_COMMA: return "','";
    case TOK_SEMICOLON: return "';'";
    case TOK_ASSIGN: return "'='";
    default: return "this";
    }
}

/* Reports an unexpected token in words that say what it is. */
static int unexpected(parser *ps, const char *wanted)
{
    const token *t = &ps->tok;
    if (t->kind == TOK_ERROR) {
        if (isdigit((unsigned char)ps->text[t->start]) || ps->text[t->start] == '.')
            return fail_at(ps, t, "invalid number '%.*s'", (int)t->length, ps->text + t->start);
        return fail_at(ps, t, "unexpected character '%.*s'", (int)t->length, ps->text + t->start);
    }
    if (t->kind == TOK_END || t->kind == TOK_NEWLINE || t->kind == TOK_RPAREN ||
        t->kind == TOK_COMMA || t->kind == TOK_SEMICOLON || t->kind == TOK_ASSIGN)
        return fail_at(ps, t, "expected %s, found %s", wanted, token_kind_name(t->kind));
    return fail_at(ps, t, "expected %s, found '%.*s'", wanted, (int)t->length, ps->text + t->start);
}

static int parse_expr(parser *ps);
static int parse_unary(parser *ps);

/* call := IDENT '(' expr (',' expr)* ')' */
static int parse_call(parser *ps, token name)
{
    int f = find_function(ps->text + name.start, name.length);
    if (f < 0)
        return fail_at(ps, &name, "unknown function '%.*s'", (int)name.length,
                       ps->text + name.start);
    token open = ps->tok;
    ps->paren++;
    advance(ps); /* '(' */
    int nargs = 0;
    size_t start[3];
    if (ps->tok.kind != TOK_RPAREN) {
        for (;;) {
            if (nargs < 3)
                start[nargs] = ps->ncode;
            if (parse_expr(ps) != DJ_OK)
                return ps->status;
            nargs++;
            if (ps->tok.kind != TOK_COMMA)
                break;
            advance(ps);
        }
    }
    if (ps->tok.kind != TOK_RPAREN) {
        if (ps->tok.kind == TOK_END)
            return fail_at(ps, &open, "unclosed '(' of %s", functions[f].name);
        return unexpected(ps, "',' or ')'");
    }
    ps->paren--;
    advance(ps);
    if (nargs != functions[f].arity)
        return fail_at(ps, &name, "%s takes %d argument%s, not %d", functions[f].name,
                       functions[f].arity, functions[f].arity == 1 ? "" : "s", nargs);
    return emit_operation(ps, OP_CALL, (int)functions[f].fn, start, nargs);
}

/* A name in an expression: a constant, a definition or an input. */
static int parse_name(parser *ps, token name)
{
    const char *s = ps->text + name.start;
    size_t len = name.length;
    if (len == 2 && memcmp(s, "pi", 2) == 0)
        return emit(ps, OP_CONST, 0, 0, DJ_PI, 1);
    if (len == 1 && s[0] == 'e')
        return emit(ps, OP_CONST, 0, 0, 2.71828182845904523536028747135266250, 1);
    ptrdiff_t local = names_find(&ps->locals, s, len);
    if (local >= 0) {
        if ((size_t)local >= ps->nlocals_ready)
            return fail_at(ps, &name, "'%.*s' is used before it is defined", (int)len, s);
        return emit(ps, OP_LOCAL, 0, (size_t)local, 0.0, 1);
    }
    if (find_function(s, len) >= 0)
        return fail_at(ps, &name, "'%.*s' is a function: write %.*s(...)", (int)len, s,
                       (int)len, s);
    ptrdiff_t input = names_find(&ps->inputs, s, len);
    if (input < 0) {
        if (ps->fixed_inputs)
            return fail_at(ps, &name, "unknown variable '%.*s' (not in --vars)", (int)len, s);
        if (names_add(&ps->inputs, s, len) != DJ_OK)
            return fail_nomem(ps);
        input = (ptrdiff_t)ps->inputs.n - 1;
    }
    return emit(ps, OP_INPUT, 0, (size_t)input, 0.0, 1);
}

/* primary := NUMBER | IDENT | IDENT '(' args ')' | '(' expr ')' */
static int parse_primary(parser *ps)
{
    skip_newlines(ps);
    token t = ps->tok;
    switch (t.kind) {
    case TOK_NUMBER:
        advance(ps);
        return emit(ps, OP_CONST, 0, 0, t.number, 1);
    case TOK_IDENT:
        advance(ps);
        if (ps->tok.kind == TOK_LPAREN)
            return parse_call(ps, t);
        return parse_name(ps, t);
    case TOK_LPAREN:
        ps->paren++;
        advance(ps);
        if (parse_expr(ps) != DJ_OK)
            return ps->status;
        if (ps->tok.kind != TOK_RPAREN) {
            if (ps->tok.kind == TOK_END)
                return fail_at(ps, &t, "unclosed '('");
            return unexpected(ps, "')'");
        }
        ps->paren--;
        advance(ps);
        return DJ_OK;
    default:
        return unexpected(ps, "a number, a name or '('");
    }
}

/* power := primary ('^' unary)? -- the exponent may carry a sign, and being a
 * unary it recurses into power: right-associative. */
static int parse_power(parser *ps)
{
    size_t start[2] = {ps->ncode, 0};
    if (parse_primary(ps) != DJ_OK)
        return ps->status;
    if (ps->tok.kind == TOK_CARET) {
        advance(ps);
        start[1] = ps->ncode;
        if (parse_unary(ps) != DJ_OK)
            return ps->status;
        return emit_operation(ps, OP_POW, 0, start, 2);
    }
    return DJ_OK;
}

/* unary := ('-' | '+') unary | power */
static int parse_unary_nested(parser *ps)
{
    if (ps->tok.kind == TOK_MINUS || ps->tok.kind == TOK_PLUS) {
        int neg = ps->tok.kind == TOK_MINUS;
        advance(ps);
        if (parse_unary(ps) != DJ_OK)
            return ps->status;
        return neg ? emit(ps, OP_NEG, 0, 0, 0.0, 0) : DJ_OK;
    }
    return parse_power(ps);
}

/* Every recursion of the grammar (a sign, an exponent, a parenthesis, a
 * call's argument) passes through here, so counting levels here bounds the
 * C stack the parser takes: about EXPR_MAX_NESTING times five frames. */
static int parse_unary(parser *ps)
{
    skip_newlines(ps);
    if (ps->nesting == EXPR_MAX_NESTING)
        return fail_at(ps, &ps->tok, "nested more than %d levels deep (parentheses, signs, "
                                     "powers and calls)", EXPR_MAX_NESTING);
    ps->nesting++;
    int status = parse_unary_nested(ps);
    ps->nesting--;
    return status;
}

/* term := unary (('*' | '/') unary)* */
static int parse_term(parser *ps)
{
    size_t start[2] = {ps->ncode, 0};
    if (parse_unary(ps) != DJ_OK)
        return ps->status;
    while (ps->tok.kind == TOK_STAR || ps->tok.kind == TOK_SLASH) {
        expr_opcode op = ps->tok.kind == TOK_STAR ? OP_MUL : OP_DIV;
        token star = ps->tok;
        advance(ps);
        /* Python's and Fortran's power */
        if (op == OP_MUL && ps->tok.kind == TOK_STAR && ps->tok.start == star.start + 1)
            return fail_at(ps, &star, "use '^' for powers, not '**'");
        start[1] = ps->ncode;
        if (parse_unary(ps) != DJ_OK)
            return ps->status;
        if (emit_operation(ps, op, 0, start, 2) != DJ_OK)
            return ps->status;
    }
    return DJ_OK;
}

/* expr := term (('+' | '-') term)* */
static int parse_expr(parser *ps)
{
    size_t start[2] = {ps->ncode, 0};
    if (parse_term(ps) != DJ_OK)
        return ps->status;
    while (ps->tok.kind == TOK_PLUS || ps->tok.kind == TOK_MINUS) {
        expr_opcode op = ps->tok.kind == TOK_PLUS ? OP_ADD : OP_SUB;
        advance(ps);
        start[1] = ps->ncode;
        if (parse_term(ps) != DJ_OK)
            return ps->status;
        if (emit_operation(ps, op, 0, start, 2) != DJ_OK)
            return ps->status;
    }
    return DJ_OK;
}

static int at_separator(const parser *ps)
{
    return ps->tok.kind == TOK_SEMICOLON || ps->tok.kind == TOK_NEWLINE ||
           ps->tok.kind == TOK_END;
}

/* The label of an output: its text on one line, comments dropped and each
 * run of blanks and newlines one space (an output may continue over lines). */
static int add_label(parser *ps, size_t start, size_t end)
{
    char *label = malloc(end - start + 1);
    if (label == NULL)
        return DJ_ENOMEM;
    size_t len = 0;
    for (size_t i = start; i < end; i++) {
        char c = ps->text[i];
        if (c == '#') {
            while (i < end && ps->text[i] != '\n')
                i++;
            c = ' ';
        }
        if (isspace((unsigned char)c)) {
            if (len > 0 && label[len - 1] != ' ')
                label[len++] = ' ';
        } else {
            label[len++] = c;
        }
    }
    while (len > 0 && label[len - 1] == ' ')
        len--;
    int status = names_add(&ps->outputs, label, len);
    free(label);
    return status;
}

/* One output: an expression, its text kept as a label. */
static int parse_output(parser *ps)
{
    skip_newlines(ps);
    size_t start = ps->tok.start;
    if (parse_expr(ps) != DJ_OK)
        return ps->status;
    size_t end = ps->tok.start;
    if (add_label(ps, start, end) != DJ_OK)
        return fail_nomem(ps);
    return emit(ps, OP_OUTPUT, 0, ps->outputs.n - 1, 0.0, -1);
}

/* statement := IDENT '=' expr | expr (',' expr)* */
static int parse_statement(parser *ps)
{
    token t = ps->tok;
    if (t.kind == TOK_IDENT) {
        lexer peek = ps->lx;
        token next = lexer_next(&peek);
        if (next.kind == TOK_ASSIGN) {
            const char *s = ps->text + t.start;
            ptrdiff_t local = names_find(&ps->locals, s, t.length);
            advance(ps); /* name */
            advance(ps); /* '=' */
            if (parse_expr(ps) != DJ_OK)
                return ps->status;
            /* locals were collected in order by the pre-scan */
            ps->nlocals_ready = (size_t)local + 1;
            return emit(ps, OP_STORE, 0, (size_t)local, 0.0, -1);
        }
    }
    for (;;) {
        if (parse_output(ps) != DJ_OK)
            return ps->status;
        if (ps->tok.kind != TOK_COMMA)
            break;
        advance(ps);
    }
    if (!at_separator(ps))
        return unexpected(ps, "an operator, ',' or the end of the expression");
    return DJ_OK;
}

/* Finds every "name =" at the start of a statement, so that a definition is
 * known as such even where it is used too early (a clear error, not a
 * silently new input). */
static int prescan_definitions(parser *ps)
{
    lexer lx;
    lexer_init(&lx, ps->text);
    int at_start = 1, depth = 0;
    for (;;) {
        token t = lexer_next(&lx);
        if (t.kind == TOK_END)
            return DJ_OK;
        if (t.kind == TOK_LPAREN)
            depth++;
        if (t.kind == TOK_RPAREN && depth > 0)
            depth--;
        if (at_start && t.kind == TOK_IDENT) {
            lexer peek = lx;
            if (lexer_next(&peek).kind == TOK_ASSIGN) {
                const char *s = ps->text + t.start;
                if ((t.length == 2 && memcmp(s, "pi", 2) == 0) || (t.length == 1 && s[0] == 'e'))
                    return fail_at(ps, &t, "'%.*s' is a constant and cannot be defined",
                                   (int)t.length, s);
                if (find_function(s, t.length) >= 0)
                    return fail_at(ps, &t, "'%.*s' is a function and cannot be defined",
                                   (int)t.length, s);
                if (names_find(&ps->locals, s, t.length) >= 0)
                    return fail_at(ps, &t, "'%.*s' is defined twice", (int)t.length, s);
                if (ps->fixed_inputs && names_find(&ps->inputs, s, t.length) >= 0)
                    return fail_at(ps, &t, "'%.*s' is an input (--vars) and cannot be defined",
                                   (int)t.length, s);
                if (names_add(&ps->locals, s, t.length) != DJ_OK)
                    return fail_nomem(ps);
            }
        }
        at_start = depth == 0 && (t.kind == TOK_SEMICOLON || t.kind == TOK_NEWLINE);
    }
}

/* x1, x2, ...: when every input has that form, number them in order. */
static int number_inputs(parser *ps)
{
    if (ps->fixed_inputs || ps->inputs.n == 0)
        return DJ_OK;
    unsigned long max = 0;
    for (size_t i = 0; i < ps->inputs.n; i++) {
        const char *s = ps->inputs.v[i];
        if (s[0] != 'x' || s[1] < '1' || s[1] > '9')
            return DJ_OK;
        for (const char *c = s + 1; *c; c++)
            if (!isdigit((unsigned char)*c) || c - s > 7)
                return DJ_OK;
        unsigned long k = strtoul(s + 1, NULL, 10);
        if (k > max)
            max = k;
    }
    name_list numbered = {0};
    for (unsigned long k = 1; k <= max; k++) {
        char buf[16];
        int len = snprintf(buf, sizeof buf, "x%lu", k);
        if (names_add(&numbered, buf, (size_t)len) != DJ_OK) {
            names_free(&numbered);
            return fail_nomem(ps);
        }
    }
    for (size_t c = 0; c < ps->ncode; c++)
        if (ps->code[c].op == OP_INPUT) {
            const char *s = ps->inputs.v[ps->code[c].index];
            ps->code[c].index = (uint32_t)(strtoul(s + 1, NULL, 10) - 1);
        }
    names_free(&ps->inputs);
    ps->inputs = numbered;
    return DJ_OK;
}

int expr_compile(expr_program **out, const char *text, const char *const *vars, size_t nvars,
                 expr_error *err)
{
    expr_error scratch;
    parser ps = {0};
    ps.text = text;
    ps.err = err ? err : &scratch;
    memset(ps.err, 0, sizeof *ps.err);
    *out = NULL;
    if (vars != NULL) {
        ps.fixed_inputs = 1;
        for (size_t i = 0; i < nvars && ps.status == DJ_OK; i++) {
            size_t len = strlen(vars[i]);
            if (names_find(&ps.inputs, vars[i], len) >= 0)
                ps.status = DJ_EINVAL;
            else if (names_add(&ps.inputs, vars[i], len) != DJ_OK)
                ps.status = DJ_ENOMEM;
        }
    }
    if (ps.status == DJ_OK)
        prescan_definitions(&ps);
    if (ps.status == DJ_OK) {
        lexer_init(&ps.lx, text);
        advance(&ps);
        for (;;) {
            while (ps.tok.kind == TOK_SEMICOLON || ps.tok.kind == TOK_NEWLINE)
                advance(&ps);
            if (ps.tok.kind == TOK_END || parse_statement(&ps) != DJ_OK)
                break;
        }
    }
    if (ps.status == DJ_OK && ps.outputs.n == 0) {
        token end = ps.tok;
        fail_at(&ps, &end, "no output: write at least one expression");
    }
    if (ps.status == DJ_OK)
        number_inputs(&ps);
    expr_program *p = ps.status == DJ_OK ? calloc(1, sizeof *p) : NULL;
    if (p == NULL) {
        if (ps.status == DJ_OK)
            ps.status = DJ_ENOMEM;
        free(ps.code);
        names_free(&ps.inputs);
        names_free(&ps.locals);
        names_free(&ps.outputs);
        return ps.status;
    }
    p->code = ps.code;
    p->ncode = ps.ncode;
    p->inputs = ps.inputs.v;
    p->ninputs = ps.inputs.n;
    p->locals = ps.locals.v;
    p->nlocals = ps.locals.n;
    p->outputs = ps.outputs.v;
    p->noutputs = ps.outputs.n;
    p->max_stack = ps.max_depth;
    /* the program keeps the names, not their indexes */
    name_index_free(&ps.inputs.ix);
    name_index_free(&ps.locals.ix);
    name_index_free(&ps.outputs.ix);
    *out = p;
    return DJ_OK;
}

static void free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void expr_free(expr_program *p)
{
    if (p == NULL)
        return;
    free(p->code);
    free_names(p->inputs, p->ninputs);
    free_names(p->locals, p->nlocals);
    free_names(p->outputs, p->noutputs);
    free(p);
}

size_t expr_frame_size(const expr_program *p) { return p->max_stack + p->nlocals; }
