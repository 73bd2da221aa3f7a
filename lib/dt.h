/*
 * dt.h - a datetime filter value read as Strapi v5 reads it.
 *
 * Strapi's database layer turns a datetime operand into a JavaScript Date
 * with date-fns 2.30: parseISO() first (ISO 8601 with 'T' or a space
 * between date and time; YYYY, YYYY-MM, YYYY-MM-DD, basic YYYYMMDD,
 * ordinal YYYY-DDD, week YYYY-Www-D, +YYYYYY years; hh, hh:mm,
 * hh:mm:ss, basic hhmmss, a fraction on the last unit; Z, +hh, +hh:mm),
 * then parse(value, 'T'): a Unix time in milliseconds.  The result has a
 * JavaScript Date's millisecond precision and range.  A value without a
 * time zone is local time in Strapi; here the server's zone is UTC.
 *
 * Nothing here allocates; the functions only read their input.
 */
#ifndef DT_H
#define DT_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"

/* "-271821-04-20T00:00:00.000Z BC" and the NUL fit. */
#define DT_TEXT_MAX 40

/*
 * The n bytes at s as milliseconds since 1970-01-01T00:00:00Z in *ms:
 * APP_OK, or APP_EINPUT for what JavaScript calls an Invalid Date and for
 * instants Postgres's timestamptz cannot hold (before 4714-11-24 BC).
 */
enum app_err dt_parse(const char *s, size_t n, long long *ms);

/*
 * ms as Postgres-readable ISO 8601 UTC text with milliseconds, e.g.
 * "2026-11-29T23:47:04.123Z"; years up to 0 (1 BC) as "… BC".  ms must
 * come from dt_parse().
 */
void dt_format(long long ms, char out[DT_TEXT_MAX]);

/*
 * Postgres's text for a timestamptz under DateStyle ISO, e.g.
 * "2026-11-30 04:13:59.214+00" (any zone offset, hh[:mm[:ss]]; up to 6
 * fraction digits; years of 4 to 7 digits; " BC"), as the suite's wire
 * form: ISO 8601 UTC with milliseconds, e.g. "2026-11-30T04:13:59.214Z",
 * the fraction cut (not rounded) to milliseconds as to_char's MS is.
 * APP_OK, or APP_EINPUT for any other text ("infinity", another
 * DateStyle); out is then untouched.
 */
enum app_err dt_from_pg(const char *s, char out[DT_TEXT_MAX]);

#endif
