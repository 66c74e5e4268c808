/*
 * strbuf.h — a growable byte buffer for building text (printers, error
 * messages). Owned by its creator; not thread-safe. Running out of memory
 * aborts: text building happens outside the paths that must survive it.
 */
#ifndef CB_STRBUF_H
#define CB_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
    char *data;   /* always NUL-terminated once anything was added */
    size_t len, cap;
} strbuf;

#define STRBUF_INIT { NULL, 0, 0 }

void sb_putc(strbuf *sb, char c);
void sb_put(strbuf *sb, const char *s, size_t n);
void sb_puts(strbuf *sb, const char *s);
void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(strbuf *sb, const char *fmt, va_list ap);
void sb_reset(strbuf *sb);   /* empties, keeps the memory */
void sb_free(strbuf *sb);
/* The text (an empty string if nothing was added). */
static inline const char *sb_str(const strbuf *sb) { return sb->data ? sb->data : ""; }

#endif
