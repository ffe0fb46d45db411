/* utf8.h — the one UTF-8 decoder and display-width table, shared by the
 * scanner (lang/lexer.l: names, full-width punctuation, E0101), the
 * diagnostics printer (caret lines), the formatter (alignment) and the
 * result writers (tables), so that all of them agree on what a character
 * and a column are. */
#ifndef RUBRIC_UTF8_H
#define RUBRIC_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the code point at s[0..n) (n ≥ 1).  Returns its length in bytes
 * (1..4), or 0 for an invalid sequence (overlong, surrogate, beyond
 * U+10FFFF, truncated): then *cp is U+FFFD and the caller steps one byte. */
size_t rb_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Writes code point cp (at most U+10FFFF, not a surrogate: the caller
 * checked) as UTF-8 into out; returns its length in bytes (1..4). */
size_t rb_utf8_encode(uint32_t cp, char out[4]);

/* Length of the longest valid UTF-8 prefix of s[0..n): n when all of it is
 * valid, else the offset of the first bad byte. */
size_t rb_utf8_valid_prefix(const char *s, size_t n);

/* Length of the run of bytes at the start of s[0..n) none of which starts a
 * valid character: bytes >= 0x80, up to the first ASCII byte or valid
 * character.  0 when s starts with either.  (A file in another encoding is
 * reported run by run, not byte by byte.) */
size_t rb_utf8_invalid_run(const char *s, size_t n);

/* The largest length <= max that cuts s[0..len) on a character boundary. */
size_t rb_utf8_cut(const char *s, size_t len, size_t max);

/* Terminal columns a code point takes: East Asian Wide and Fullwidth
 * characters (UAX #11, the ranges that occur in forms) 2, combining marks,
 * zero-width and control characters 0, everything else 1. */
int rb_cp_width(uint32_t cp);

/* An invisible character that can change how a terminal shows the text
 * around it: C1 controls, zero-width and bidi controls (U+200B–U+200F,
 * U+2028–U+202E, U+2060–U+206F) and U+FEFF.  Human output shows these
 * instead of passing them through (a U+202E would reverse the line). */
int rb_cp_hidden(uint32_t cp);

/* Display width of s[0..n); an invalid byte counts as one column. */
size_t rb_display_width(const char *s, size_t n);

#endif
