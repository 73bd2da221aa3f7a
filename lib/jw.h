/*
 * jw.h - a streaming JSON writer into an sbuf.
 *
 * The writer places commas and colons; callers say what comes next.
 * Strings are escaped, and bytes that are not valid UTF-8 are written as
 * U+FFFD, so the output is always valid JSON whatever the input held.
 * Errors are the sbuf's sticky error.
 */
#ifndef JW_H
#define JW_H

#include <stdbool.h>

#include "sbuf.h"

#define JW_MAX_DEPTH 32

struct jw {
	struct sbuf *sb;
	int depth;
	bool after_key;
	bool first[JW_MAX_DEPTH];
};

void jw_init(struct jw *w, struct sbuf *sb);
void jw_obj_open(struct jw *w);
void jw_obj_close(struct jw *w);
void jw_arr_open(struct jw *w);
void jw_arr_close(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s);           /* NULL writes null */
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, long long v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* A member: jw_key() then the value. */
void jw_kstr(struct jw *w, const char *key, const char *s); /* NULL: null */
void jw_kint(struct jw *w, const char *key, long long v);
void jw_kbool(struct jw *w, const char *key, bool v);

/* Write text that already is one JSON value. */
void jw_raw(struct jw *w, const char *json);

/* Append s escaped as a JSON string (with its quotes) to sb. */
void jw_escape(struct sbuf *sb, const char *s, size_t n);

#endif
