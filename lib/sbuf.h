/*
 * sbuf.h - a bounded, growable, always NUL-terminated byte string whose
 * memory comes from an arena.
 *
 * Appends that would pass the buffer's maximum (or find no memory) write
 * nothing and set a sticky error, so a caller builds a whole response and
 * checks sbuf_err() once.  Growing moves the data: pointers into
 * sb->data are invalid after any append.
 */
#ifndef SBUF_H
#define SBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "app.h"
#include "arena.h"

struct sbuf {
	struct arena *arena;
	char *data;   /* NUL-terminated; len bytes before the NUL */
	size_t len;
	size_t cap;   /* allocated bytes, including room for the NUL */
	size_t max;   /* len may never exceed this */
	enum app_err err;
};

/* An empty buffer that may grow up to max bytes. */
void sbuf_init(struct sbuf *sb, struct arena *a, size_t max);

void sbuf_putn(struct sbuf *sb, const void *p, size_t n);
void sbuf_puts(struct sbuf *sb, const char *s);
void sbuf_putc(struct sbuf *sb, char c);
void sbuf_printf(struct sbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sbuf_vprintf(struct sbuf *sb, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Make room for n more bytes; returns a pointer to them or NULL. */
char *sbuf_reserve(struct sbuf *sb, size_t n);
/* Count n bytes written into what sbuf_reserve() returned. */
void sbuf_commit(struct sbuf *sb, size_t n);

void sbuf_truncate(struct sbuf *sb, size_t len);

/* APP_OK, APP_ETOOBIG when the maximum was hit, or APP_ENOMEM. */
static inline enum app_err sbuf_err(const struct sbuf *sb) { return sb->err; }

/* The contents; "" for a buffer that never received a byte. */
static inline const char *sbuf_str(const struct sbuf *sb)
{
	return sb->data != NULL ? sb->data : "";
}

#endif
