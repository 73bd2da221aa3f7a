#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *prog = "app";
static log_sink_fn cur_sink;
static void *cur_ctx;
static char cur_tag[512]; /* escaped `remote "METHOD /path"` */

static const char *const level_names[] = { "error", "warning", "info", "debug" };

void
log_init(const char *progname)
{
	const char *slash = strrchr(progname, '/');

	prog = slash ? slash + 1 : progname;
}

char *
log_escape(char *dst, size_t dstsz, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (dstsz == 0)
		return dst;
	for (; src != NULL && *src != '\0'; src++) {
		unsigned char c = (unsigned char)*src;
		char tmp[4];
		size_t n;

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
			tmp[0] = '\\';
			tmp[1] = 'x';
			tmp[2] = hex[c >> 4];
			tmp[3] = hex[c & 15];
			n = 4;
		} else {
			tmp[0] = (char)c;
			n = 1;
		}
		if (o + n + 4 > dstsz) {
			if (dstsz >= 4) {
				o = o < dstsz - 4 ? o : dstsz - 4;
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(dst + o, tmp, n);
		o += n;
	}
	dst[o] = '\0';
	return dst;
}

void
log_begin_request(log_sink_fn sink, void *ctx, const char *method,
    const char *path, const char *remote)
{
	char m[32], p[320], r[64];

	cur_sink = sink;
	cur_ctx = ctx;
	snprintf(cur_tag, sizeof(cur_tag), "%s \"%s %s\"",
	    log_escape(r, sizeof(r), remote ? remote : "-"),
	    log_escape(m, sizeof(m), method ? method : "-"),
	    log_escape(p, sizeof(p), path ? path : "-"));
}

void
log_end_request(void)
{
	cur_sink = NULL;
	cur_ctx = NULL;
	cur_tag[0] = '\0';
}

/* Append text to out (size outsz, used *o), truncating. */
static void
put(char *out, size_t outsz, size_t *o, const char *text)
{
	size_t n = strlen(text);

	if (*o + 1 >= outsz)
		return;
	if (n > outsz - 1 - *o)
		n = outsz - 1 - *o;
	memcpy(out + *o, text, n);
	*o += n;
	out[*o] = '\0';
}

void
log_vformat(char *out, size_t outsz, const char *fmt, va_list ap)
{
	size_t o = 0;

	if (outsz == 0)
		return;
	out[0] = '\0';
	while (*fmt != '\0') {
		char spec[32], piece[512];
		const char *start = fmt;
		size_t sl;
		int prec = -1, lng = 0, size_t_mod = 0;

		if (*fmt != '%') {
			size_t run = strcspn(fmt, "%");

			snprintf(piece, sizeof(piece), "%.*s", (int)(run < 511 ? run : 511), fmt);
			put(out, outsz, &o, piece);
			fmt += run < 511 ? run : 511;
			continue;
		}
		fmt++;
		if (*fmt == '%') {
			put(out, outsz, &o, "%");
			fmt++;
			continue;
		}
		/* Flags and width: the messages use none but a precision. */
		while (*fmt != '\0' && strchr("-+ #0123456789", *fmt) != NULL)
			fmt++;
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else {
				prec = 0;
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		for (; *fmt == 'l' || *fmt == 'z' || *fmt == 'h'; fmt++) {
			if (*fmt == 'l')
				lng++;
			if (*fmt == 'z')
				size_t_mod = 1;
		}
		if (*fmt == '\0')
			break;
		sl = (size_t)(fmt - start) + 1;
		if (sl >= sizeof(spec))
			sl = sizeof(spec) - 1;
		memcpy(spec, start, sl);
		spec[sl] = '\0';
		switch (*fmt++) {
		case 's': {
			/* Every string is escaped: values may come from a client. */
			const char *v = va_arg(ap, const char *);
			char raw[512];

			snprintf(raw, sizeof(raw), "%.*s", prec >= 0 ? prec : 511,
			    v != NULL ? v : "(null)");
			log_escape(piece, sizeof(piece), raw);
			break;
		}
		case 'd': case 'i':
			if (lng >= 2)
				snprintf(piece, sizeof(piece), spec, va_arg(ap, long long));
			else if (lng == 1)
				snprintf(piece, sizeof(piece), spec, va_arg(ap, long));
			else
				snprintf(piece, sizeof(piece), spec, va_arg(ap, int));
			break;
		case 'u': case 'x': case 'X': case 'o':
			if (size_t_mod)
				snprintf(piece, sizeof(piece), spec, va_arg(ap, size_t));
			else if (lng >= 2)
				snprintf(piece, sizeof(piece), spec, va_arg(ap, unsigned long long));
			else if (lng == 1)
				snprintf(piece, sizeof(piece), spec, va_arg(ap, unsigned long));
			else
				snprintf(piece, sizeof(piece), spec, va_arg(ap, unsigned));
			break;
		case 'c': {
			char ch[2] = { (char)va_arg(ap, int), '\0' };

			log_escape(piece, sizeof(piece), ch);
			break;
		}
		case 'p':
			snprintf(piece, sizeof(piece), "%p", va_arg(ap, void *));
			break;
		case 'f': case 'g': case 'e':
			snprintf(piece, sizeof(piece), spec, va_arg(ap, double));
			break;
		default:
			snprintf(piece, sizeof(piece), "%s", "?");
			break;
		}
		put(out, outsz, &o, piece);
	}
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	char msg[1024], line[1700], ts[32];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	int n;

	va_start(ap, fmt);
	log_vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Messages may quote client bytes; keep each one on one line. */
	for (char *c = msg; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' ';
	/* GMT so lines from hosts in different zones sort together. */
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (cur_tag[0] != '\0')
		n = snprintf(line, sizeof(line), "%s %s[%ld] %s: %s: %s\n", ts,
		    prog, (long)getpid(), level_names[lvl], cur_tag, msg);
	else
		n = snprintf(line, sizeof(line), "%s %s[%ld] %s: %s\n", ts,
		    prog, (long)getpid(), level_names[lvl], msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (cur_sink != NULL)
		cur_sink(cur_ctx, line, (size_t)n);
	else {
		fputs(line, stderr);
		fflush(stderr);
	}
}
