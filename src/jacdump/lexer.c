/* lexer.c: splits expression text into tokens with their line and column. */
#include <ctype.h>
#include <stdlib.h>

#include "lexer.h"

void lexer_init(lexer *lx, const char *text)
{
    lx->text = text;
    lx->pos = 0;
    lx->line = 1;
    lx->line_start = 0;
}

size_t utf8_length(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    if (s[0] < 0x80)
        return 1;
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (len == 0 || s[0] > 0xF4)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
        return 0;
    return len;
}

static int ident_start(int c) { return isalpha(c) || c == '_'; }
static int ident_char(int c) { return isalnum(c) || c == '_'; }

token lexer_next(lexer *lx)
{
    const char *s = lx->text;
    /* blanks and comments */
    for (;;) {
        char c = s[lx->pos];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            lx->pos++;
        } else if (c == '#') {
            while (s[lx->pos] != '\0' && s[lx->pos] != '\n')
                lx->pos++;
        } else {
            break;
        }
    }
    token t = {TOK_END, lx->pos, 0, lx->line, lx->pos - lx->line_start + 1, lx->line_start, 0.0};
    unsigned char c = (unsigned char)s[lx->pos];
    if (c == '\0')
        return t;
    if (c == '\n') {
        t.kind = TOK_NEWLINE;
        t.length = 1;
        lx->pos++;
        lx->line++;
        lx->line_start = lx->pos;
        return t;
    }
    /* number: C syntax as strtod reads it, starting with a digit or '.' */
    if (isdigit(c) || (c == '.' && isdigit((unsigned char)s[lx->pos + 1]))) {
        char *end;
        t.number = strtod(s + lx->pos, &end);
        size_t len = (size_t)(end - (s + lx->pos));
        /* "2x" or "1e" is a mistake, not implicit multiplication */
        if (len == 0 || ident_char((unsigned char)s[lx->pos + len]) || s[lx->pos + len] == '.') {
            while (ident_char((unsigned char)s[lx->pos + len]) || s[lx->pos + len] == '.')
                len++;
            t.kind = TOK_ERROR;
        } else {
            t.kind = TOK_NUMBER;
        }
        t.length = len;
        lx->pos += len;
        return t;
    }
    if (ident_start(c)) {
        size_t len = 1;
        while (ident_char((unsigned char)s[lx->pos + len]))
            len++;
        t.kind = TOK_IDENT;
        t.length = len;
        lx->pos += len;
        return t;
    }
    switch (c) {
    case '+': t.kind = TOK_PLUS; break;
    case '-': t.kind = TOK_MINUS; break;
    case '*': t.kind = TOK_STAR; break;
    case '/': t.kind = TOK_SLASH; break;
    case '^': t.kind = TOK_CARET; break;
    case '(': t.kind = TOK_LPAREN; break;
    case ')': t.kind = TOK_RPAREN; break;
    case ',': t.kind = TOK_COMMA; break;
    case ';': t.kind = TOK_SEMICOLON; break;
    case '=': t.kind = TOK_ASSIGN; break;
    default: t.kind = TOK_ERROR; break;
    }
    /* a character of several bytes is one token (messages show it whole);
     * a byte that starts no valid UTF-8 character is one on its own */
    t.length = c >= 0x80 && utf8_length(s + lx->pos) > 0 ? utf8_length(s + lx->pos) : 1;
    lx->pos += t.length;
    return t;
}
