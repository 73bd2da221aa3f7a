#include <string.h>

#include "jw.h"

void
jw_init(struct jw *w, struct sbuf *sb)
{
	memset(w, 0, sizeof(*w));
	w->sb = sb;
	w->first[0] = true;
}

static void
sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		sbuf_putc(w->sb, ',');
	w->first[w->depth] = false;
}

static void
open_(struct jw *w, char c)
{
	sep(w);
	sbuf_putc(w->sb, c);
	if (w->depth + 1 >= JW_MAX_DEPTH) {
		w->sb->err = APP_EINTERNAL;
		return;
	}
	w->first[++w->depth] = true;
}

static void
close_(struct jw *w, char c)
{
	sbuf_putc(w->sb, c);
	if (w->depth > 0)
		w->depth--;
}

void jw_obj_open(struct jw *w) { open_(w, '{'); }
void jw_obj_close(struct jw *w) { close_(w, '}'); }
void jw_arr_open(struct jw *w) { open_(w, '['); }
void jw_arr_close(struct jw *w) { close_(w, ']'); }

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (s[0] == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (s[0] == 0xed && s[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (s[0] == 0xf0 && s[1] < 0x90)
			return 0;
		if (s[0] == 0xf4 && s[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

/*
 * The bytes a string cannot carry as they are: controls, '"', '\\', and
 * bytes of UTF-8 sequences (checked); < > & are \u escapes too: the same
 * JSON, but never markup, should an answer end up read as HTML.
 */
static const unsigned char special[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

void
jw_escape(struct sbuf *sb, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;

	sbuf_putc(sb, '"');
	while (i < n) {
		unsigned char c = s[i];
		size_t l;

		if (!special[c]) {
			i++;
			run++;
			continue;
		}
		sbuf_putn(sb, s + i - run, run);
		run = 0;
		if (c >= 0x80) {
			l = utf8_len(s + i, n - i);
			if (l == 0) {
				sbuf_puts(sb, "\\ufffd");
				i++;
			} else {
				sbuf_putn(sb, s + i, l);
				i += l;
			}
			continue;
		}
		switch (c) {
		case '"': sbuf_puts(sb, "\\\""); break;
		case '\\': sbuf_puts(sb, "\\\\"); break;
		case '\n': sbuf_puts(sb, "\\n"); break;
		case '\r': sbuf_puts(sb, "\\r"); break;
		case '\t': sbuf_puts(sb, "\\t"); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			sbuf_putn(sb, u, 6);
		}
		}
		i++;
	}
	sbuf_putn(sb, s + i - run, run);
	sbuf_putc(sb, '"');
}

void
jw_key(struct jw *w, const char *key)
{
	sep(w);
	jw_escape(w->sb, key, strlen(key));
	sbuf_putc(w->sb, ':');
	w->after_key = true;
}

void
jw_strn(struct jw *w, const char *s, size_t n)
{
	sep(w);
	jw_escape(w->sb, s, n);
}

void
jw_str(struct jw *w, const char *s)
{
	if (s == NULL)
		jw_null(w);
	else
		jw_strn(w, s, strlen(s));
}

void
jw_int(struct jw *w, long long v)
{
	sep(w);
	sbuf_printf(w->sb, "%lld", v);
}

void
jw_bool(struct jw *w, bool v)
{
	sep(w);
	sbuf_puts(w->sb, v ? "true" : "false");
}

void
jw_null(struct jw *w)
{
	sep(w);
	sbuf_puts(w->sb, "null");
}

void
jw_raw(struct jw *w, const char *json)
{
	sep(w);
	sbuf_puts(w->sb, json);
}

void
jw_kstr(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void
jw_kint(struct jw *w, const char *key, long long v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void
jw_kbool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}
