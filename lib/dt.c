/*
 * dt.c - date-fns 2.30's parseISO() and parse(v, 'T') on a filter value,
 * with JavaScript's Date arithmetic (IEEE doubles, TimeClip); see dt.h.
 *
 * The shape of parseISO is followed step by step, quirks included (a
 * trailing "Z…" that is not a valid offset means UTC, "2026-" is the 1st
 * of January, a bare "20" is the year 2000), because a filter must match
 * the entries Strapi would match.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt.h"

#define MS_PER_DAY 86400000.0
#define TIME_CLIP 8.64e15        /* a JavaScript Date's range, in ms */
#define UNIT_MAX 48              /* digits of a time unit handed to strtod */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

static long long
num(const char *s, size_t n)
{
	long long v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static long long
days_from_civil(long long y, long long m, long long d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long long z, long long *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool
leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* TimeClip: false for NaN, infinities and |t| past 8.64e15. */
static bool
clip(double t, double *out)
{
	/* NaN fails both comparisons; the cast truncates toward zero. */
	if (!(t >= -TIME_CLIP && t <= TIME_CLIP))
		return false;
	*out = (double)(long long)t;
	return true;
}

/*
 * parseYear with additionalDigits 2:
 * ^(?:(\d{4}|[+-]\d{6})|(\d{2}|[+-]\d{4})$).  *rest is what follows.
 */
static bool
parse_year(const char *s, size_t n, long long *year, size_t *rest)
{
	bool sign = n > 0 && (s[0] == '+' || s[0] == '-');

	if (n >= 4 && all_digits(s, 4)) {
		*year = num(s, 4);
		*rest = 4;
	} else if (sign && n >= 7 && all_digits(s + 1, 6)) {
		*year = num(s + 1, 6) * (s[0] == '-' ? -1 : 1);
		*rest = 7;
	} else if (n == 2 && all_digits(s, 2)) {
		*year = num(s, 2) * 100;
		*rest = 2;
	} else if (sign && n == 5 && all_digits(s + 1, 4)) {
		*year = num(s + 1, 4) * 100 * (s[0] == '-' ? -1 : 1);
		*rest = 5;
	} else
		return false;
	return true;
}

/*
 * parseDate on what follows the year:
 * ^-?(?:(\d{3})|(\d{2})(?:-?(\d{2}))?|W(\d{2})(?:-?(\d{1}))?|)$,
 * as a day number (days since 1970-01-01).
 */
static bool
parse_date(const char *s, size_t n, long long year, long long *day)
{
	long long week, dow, month = 1, dom = 1, ordinal = 1, jan4;

	if (n > 0 && s[0] == '-') {
		s++;
		n--;
	}
	if (n == 0) {
		/* January 1st */
	} else if (n == 3 && all_digits(s, 3)) {
		ordinal = num(s, 3);
	} else if (n == 2 && all_digits(s, 2)) {
		month = num(s, 2);
	} else if (n == 4 && all_digits(s, 4)) {
		month = num(s, 2);
		dom = num(s + 2, 2);
	} else if (n == 5 && all_digits(s, 2) && s[2] == '-' && all_digits(s + 3, 2)) {
		month = num(s, 2);
		dom = num(s + 3, 2);
	} else if (s[0] == 'W' && (n == 3 || n == 4 || n == 5) && all_digits(s + 1, 2) &&
	    (n == 3 || (n == 4 && is_digit(s[3])) ||
	    (n == 5 && s[3] == '-' && is_digit(s[4])))) {
		week = num(s + 1, 2);
		dow = n == 3 ? 0 : s[n - 1] - '0' - 1;
		if (week < 1 || week > 53 || dow < 0 || dow > 6)
			return false;
		/* dayOfISOWeekYear: from the 4th of January's ISO weekday */
		jan4 = days_from_civil(year, 1, 4);
		*day = jan4 + (week - 1) * 7 + dow + 1 -
		    ((((jan4 + 4) % 7) + 7) % 7 == 0 ? 7 : (((jan4 + 4) % 7) + 7) % 7);
		return true;
	} else
		return false;
	if (month < 1 || month > 12 || dom < 1)
		return false;
	if (dom > (month == 2 ? (leap(year) ? 29 : 28) :
	    (month == 4 || month == 6 || month == 9 || month == 11) ? 30 : 31))
		return false;
	if (ordinal < 1 || ordinal > (leap(year) ? 366 : 365))
		return false;
	*day = days_from_civil(year, month, 1) + (dom > ordinal ? dom : ordinal) - 1;
	return true;
}

/* One time unit, \d{2}(?:[.,]\d*)?, as parseFloat reads it (',' as '.'). */
static double
unit_value(const char *s, size_t n)
{
	char buf[UNIT_MAX + 4];

	/* Digits past UNIT_MAX cannot move a value that is cut to ms. */
	if (n > UNIT_MAX)
		n = UNIT_MAX;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (n > 2)
		buf[2] = '.';
	return strtod(buf, NULL);
}

struct unit {
	size_t at, len;
};

/*
 * The time regex
 *   ^(\d{2}(?:[.,]\d*)?)(?::?(\d{2}(?:[.,]\d*)?))?(?::?(\d{2}(?:[.,]\d*)?))?$
 * from unit k at position i, with JavaScript's backtracking order.  A
 * fraction gives back at most 4 digits: more could never be taken, as
 * each unit after it takes exactly 2 digits before a non-digit.
 */
static bool
time_match(const char *s, size_t n, size_t i, int k, struct unit u[3])
{
	size_t j, end, give;

	if (k > 0 && k < 3) {
		/* an optional unit: present (with ':' first), else absent */
		if (i < n && s[i] == ':' && i + 1 < n && time_match(s, n, i + 1, -k, u))
			return true;
		if (time_match(s, n, i, -k, u))
			return true;
		u[k].len = 0;
		return i == n;
	}
	if (k == 3)
		return i == n;
	if (k < 0)
		k = -k;
	if (n - i < 2 || !is_digit(s[i]) || !is_digit(s[i + 1]))
		return false;
	j = i + 2;
	u[k].at = i;
	if (j < n && (s[j] == '.' || s[j] == ',')) {
		end = j + 1;
		while (end < n && is_digit(s[end]))
			end++;
		for (give = 0; give <= 4 && end - give > j; give++) {
			u[k].len = end - give - i;
			if (time_match(s, n, end - give, k + 1, u))
				return true;
		}
		return false; /* the '.' left alone matches nothing */
	}
	u[k].len = 2;
	return time_match(s, n, j, k + 1, u);
}

/* parseTime: milliseconds as a double, or false. */
static bool
parse_time(const char *s, size_t n, double *ms)
{
	struct unit u[3] = { { 0, 0 }, { 0, 0 }, { 0, 0 } };
	double h, m, sec;

	if (!time_match(s, n, 0, 0, u))
		return false;
	h = unit_value(s + u[0].at, u[0].len);
	m = u[1].len ? unit_value(s + u[1].at, u[1].len) : 0;
	sec = u[2].len ? unit_value(s + u[2].at, u[2].len) : 0;
	if (h == 24) {
		if (m != 0 || sec != 0)
			return false;
	} else if (!(sec >= 0 && sec < 60 && m >= 0 && m < 60 && h >= 0 && h < 25))
		return false;
	*ms = h * 3600000 + m * 60000 + sec * 1000;
	return true;
}

/* parseTimezone: "Z"; else ^([+-])(\d{2})(?::?(\d{2}))?$; else 0 (sic). */
static bool
parse_zone(const char *s, size_t n, double *offset)
{
	long long h, m = 0;

	*offset = 0;
	if (n == 1 && s[0] == 'Z')
		return true;
	if (n < 3 || (s[0] != '+' && s[0] != '-') || !all_digits(s + 1, 2))
		return true;
	if (n == 3)
		m = 0;
	else if (n == 5 && all_digits(s + 3, 2))
		m = num(s + 3, 2);
	else if (n == 6 && s[3] == ':' && all_digits(s + 4, 2))
		m = num(s + 4, 2);
	else
		return true;
	h = num(s + 1, 2);
	if (m > 59)
		return false;
	*offset = (s[0] == '+' ? -1.0 : 1.0) * (double)(h * 3600000 + m * 60000);
	return true;
}

/* A JavaScript line terminator (which '.' does not match) at s[i]: its length. */
static size_t
line_terminator(const char *s, size_t n, size_t i)
{
	if (s[i] == '\n' || s[i] == '\r')
		return 1;
	if (n - i >= 3 && (unsigned char)s[i] == 0xe2 && (unsigned char)s[i + 1] == 0x80 &&
	    ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9))
		return 3;
	return 0;
}

static bool
iso_parse(const char *s, size_t n, double *out)
{
	const char *delim = NULL, *date = s, *tstr = NULL, *zone = NULL;
	size_t dlen, tlen = 0, zlen = 0, rest, i, after;
	long long year, day;
	double ts, time = 0, offset = 0, t;

	/* splitDateString: at most one 'T' or ' ' */
	for (i = 0; i < n; i++) {
		if (s[i] != 'T' && s[i] != ' ')
			continue;
		if (delim != NULL)
			return false;
		delim = s + i;
	}
	dlen = delim != NULL ? (size_t)(delim - s) : n;
	if (memchr(s, ':', dlen) != NULL)
		return false; /* a time without a date */
	if (delim != NULL) {
		tstr = delim + 1;
		tlen = n - dlen - 1;
	}
	for (i = 0; i < dlen; i++) {
		if (s[i] == 'Z' || s[i] == 'z') {
			/* "2026-01-01Z…": the rest of the whole string is the time */
			tstr = s + i;
			tlen = n - i;
			dlen = i;
			break;
		}
	}
	if (dlen == 0)
		return false;
	if (tlen > 0) {
		/* /([Z+-].*)$/: the first Z, + or - after the last line terminator */
		after = 0;
		for (i = 0; i < tlen; i++) {
			size_t l = line_terminator(tstr, tlen, i);

			if (l > 0) {
				after = i + l;
				i += l - 1;
			}
		}
		for (i = after; i < tlen; i++)
			if (tstr[i] == 'Z' || tstr[i] == '+' || tstr[i] == '-')
				break;
		if (i < tlen) {
			zone = tstr + i;
			zlen = tlen - i;
			tlen = i;
		}
	}
	if (!parse_year(date, dlen, &year, &rest) ||
	    !parse_date(date + rest, dlen - rest, year, &day))
		return false;
	if (!clip((double)day * MS_PER_DAY, &ts))
		return false;
	if (tlen > 0 && !parse_time(tstr, tlen, &time))
		return false;
	if (zone != NULL && !parse_zone(zone, zlen, &offset))
		return false;
	t = ts + time;
	if (zone != NULL)
		t = t + offset;
	return clip(t, out);
}

/* JavaScript's \s, at s[i]: its length in bytes, or 0. */
static size_t
js_space(const char *str, size_t n, size_t i)
{
	const unsigned char *s = (const unsigned char *)str + i;
	size_t left = n - i;

	if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))
		return 1;
	if (left >= 2 && s[0] == 0xc2 && s[1] == 0xa0)
		return 2;
	if (left < 3)
		return 0;
	if ((s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) ||
	    (s[0] == 0xe2 && s[1] == 0x80 && ((s[2] >= 0x80 && s[2] <= 0x8a) ||
	    s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf)) ||
	    (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) ||
	    (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80) ||
	    (s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf))
		return 3;
	return 0;
}

/* parse(v, 'T'): ^-?\d+ then only white space. */
static bool
stamp_parse(const char *s, size_t n, double *out)
{
	size_t i = 0, start, l;
	bool neg = false;
	long long v;

	if (i < n && s[i] == '-') {
		neg = true;
		i++;
	}
	start = i;
	while (i < n && is_digit(s[i]))
		i++;
	if (i == start)
		return false;
	for (l = i; l < n;) {
		size_t w = js_space(s, n, l);

		if (w == 0)
			return false;
		l += w;
	}
	while (start < i - 1 && s[start] == '0')
		start++;
	if (i - start > 16)
		return false; /* past 8.64e15 whatever the digits */
	v = num(s + start, i - start);
	return clip(neg ? -(double)v : (double)v, out);
}

enum app_err
dt_parse(const char *s, size_t n, long long *ms)
{
	double t;

	if (!iso_parse(s, n, &t) && !stamp_parse(s, n, &t))
		return APP_EINPUT;
	/* timestamptz starts at 4714-11-24 BC (astronomical -4713) */
	if (t < (double)days_from_civil(-4713, 11, 24) * MS_PER_DAY)
		return APP_EINPUT;
	*ms = (long long)t;
	return APP_OK;
}

void
dt_format(long long ms, char out[DT_TEXT_MAX])
{
	long long day = ms / 86400000, rem = ms % 86400000, y;
	int m, d;

	if (rem < 0) {
		rem += 86400000;
		day--;
	}
	civil_from_days(day, &y, &m, &d);
	snprintf(out, DT_TEXT_MAX, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ%s",
	    y > 0 ? y : 1 - y, m, d, (int)(rem / 3600000), (int)(rem / 60000 % 60),
	    (int)(rem / 1000 % 60), (int)(rem % 1000), y > 0 ? "" : " BC");
}

/* n digits at *p (advanced past them) as a number; -1 when not n digits. */
static long long
pg_digits(const char **p, int n)
{
	long long v = 0;

	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return v;
}

enum app_err
dt_from_pg(const char *s, char out[DT_TEXT_MAX])
{
	const char *p = s, *frac;
	long long y, mo, d, h, mi, sec, ms = 0, off = 0, day;
	int ny = 0, nf = 0, sign;
	bool bc = false;

	while (p[ny] >= '0' && p[ny] <= '9')
		ny++;
	if (ny < 4 || ny > 7 || (y = pg_digits(&p, ny)) < 1 || *p++ != '-' ||
	    (mo = pg_digits(&p, 2)) < 1 || mo > 12 || *p++ != '-' ||
	    (d = pg_digits(&p, 2)) < 1 || d > 31 || *p++ != ' ' ||
	    (h = pg_digits(&p, 2)) < 0 || h > 23 || *p++ != ':' ||
	    (mi = pg_digits(&p, 2)) < 0 || mi > 59 || *p++ != ':' ||
	    (sec = pg_digits(&p, 2)) < 0 || sec > 59)
		return APP_EINPUT;
	frac = p;
	if (*p == '.') {
		p++;
		while (p[nf] >= '0' && p[nf] <= '9' && nf < 6)
			nf++;
		if (nf == 0)
			return APP_EINPUT;
		/* Milliseconds, the rest cut off as to_char's MS does. */
		for (int i = 0; i < 3; i++)
			ms = ms * 10 + (i < nf ? p[i] - '0' : 0);
		p += nf;
	}
	if (*p != '+' && *p != '-')
		return APP_EINPUT;
	sign = *p++ == '-' ? -1 : 1;
	/* The zone's offset: hh, hh:mm or hh:mm:ss. */
	{
		long long oh = pg_digits(&p, 2), om = 0, os = 0;

		if (oh < 0)
			return APP_EINPUT;
		if (*p == ':' && (p++, (om = pg_digits(&p, 2)) < 0))
			return APP_EINPUT;
		if (*p == ':' && (p++, (os = pg_digits(&p, 2)) < 0))
			return APP_EINPUT;
		off = sign * (oh * 3600 + om * 60 + os);
	}
	if (strcmp(p, " BC") == 0) {
		bc = true;
		p += 3;
	}
	if (*p != '\0')
		return APP_EINPUT;
	if (off == 0 && !bc && ny == 4) {
		/* UTC already (the suite's sessions): the text is only rearranged. */
		memcpy(out, s, 10);
		out[10] = 'T';
		memcpy(out + 11, s + 11, 8);
		out[19] = '.';
		for (int i = 0; i < 3; i++)
			out[20 + i] = i < nf ? frac[1 + i] : '0';
		out[23] = 'Z';
		out[24] = '\0';
		return APP_OK;
	}
	day = days_from_civil(bc ? 1 - y : y, mo, d);
	dt_format(day * 86400000 + ((h * 60 + mi) * 60 + sec) * 1000 + ms - off * 1000,
	    out);
	return APP_OK;
}
