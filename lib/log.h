/*
 * log.h - one line per message, to the right place.
 *
 * Outside a request lines go to the process's stderr.  While a request is
 * served (log_begin_request .. log_end_request) they go to that request's
 * error stream, which every FastCGI server copies into its error log, and
 * carry the request's method, path and remote address.  Bytes that came
 * from the client are escaped so no one can forge a log line.
 *
 * Word messages the PostgreSQL way: lower case, no trailing period,
 * "could not <do X>: <reason>".  Never pass a secret.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Writes len bytes of one finished line to a request's error stream. */
typedef void (*log_sink_fn)(void *ctx, const char *line, size_t len);

/* Name used in every line (the executable's base name). */
void log_init(const char *progname);

/* Route lines to a request's stream and tag them with the request. */
void log_begin_request(log_sink_fn sink, void *ctx, const char *method,
    const char *path, const char *remote);
void log_end_request(void);

/*
 * printf-style; every %s argument is escaped (log_escape) before it is
 * written, so a value from a client can never forge a field or a line,
 * whatever the caller remembered to do.
 */
void log_msg(enum log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The formatting behind log_msg into out (outsz bytes, NUL-terminated,
 * truncated): the conversions d i u x X o c s p f g e with l, ll, z, a
 * precision (also .*) and plain flags.
 */
void log_vformat(char *out, size_t outsz, const char *fmt, va_list ap);

/*
 * Copy src into dst (size dstsz) escaping control bytes, quotes and
 * backslashes, truncating with "..." when it does not fit.  Returns dst.
 */
char *log_escape(char *dst, size_t dstsz, const char *src);

#endif
