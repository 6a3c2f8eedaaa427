/* lexer.h: the tokens of jacdump's expression language. */
#ifndef JACDUMP_LEXER_H
#define JACDUMP_LEXER_H

#include <stddef.h>

typedef enum token_kind {
    TOK_END,
    TOK_NUMBER,
    TOK_IDENT,
    TOK_NEWLINE,
    TOK_PLUS,
    TOK_MINUS,
    TOK_STAR,
    TOK_SLASH,
    TOK_CARET,
    TOK_LPAREN,
    TOK_RPAREN,
    TOK_COMMA,
    TOK_SEMICOLON,
    TOK_ASSIGN,
    TOK_ERROR /* a character or number the language does not have */
} token_kind;

typedef struct token {
    token_kind kind;
    size_t start, length;  /* bytes in the text */
    size_t line, column;   /* 1-based */
    size_t line_start;     /* offset of the token's line */
    double number;         /* TOK_NUMBER */
} token;

typedef struct lexer {
    const char *text;
    size_t pos, line, line_start;
} lexer;

void lexer_init(lexer *lx, const char *text);

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0 when s does
 * not start one (a stray continuation byte, an overlong or surrogate form,
 * a truncated sequence: s is NUL-terminated). */
size_t utf8_length(const char *s);

/* Reads the next token. Comments run from '#' to the end of the line. */
token lexer_next(lexer *lx);

#endif
