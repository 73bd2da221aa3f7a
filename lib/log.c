#include <stdarg.h>
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

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	char msg[1024], line[1700], ts[32];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
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
