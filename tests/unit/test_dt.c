/*
 * test_dt.c - datetime filter values: every vector of dt_vectors.h (what
 * Strapi's date-fns makes of a value) and the text handed to Postgres.
 */
#include <stdio.h>
#include <string.h>

#include "dt.h"
#include "t.h"
#include "dt_vectors.h"

/* Postgres's first instant: 4714-11-24T00:00:00Z BC. */
#define PG_MIN_MS (-210866803200000LL)

static void
vectors(void)
{
	size_t i, bad = 0;

	for (i = 0; i < sizeof(dt_vectors) / sizeof(dt_vectors[0]); i++) {
		const struct dt_vector *v = &dt_vectors[i];
		long long ms = 0;
		enum app_err e = dt_parse(v->input, strlen(v->input), &ms);
		int want_ok = v->valid && v->ms >= PG_MIN_MS;

		if ((e == APP_OK) != want_ok || (want_ok && ms != v->ms)) {
			printf("not ok - dt vector \"%s\": got %s %lld, want %s %lld\n",
			    v->input, e == APP_OK ? "valid" : "invalid", ms,
			    want_ok ? "valid" : "invalid", v->ms);
			bad++;
			t_failed = 1;
		}
	}
	T_INT("every date-fns vector agrees", bad, 0);
	T_OK("the vectors cover valid and invalid values", i > 1000);
}

static void
fmt(const char *in, const char *want)
{
	char out[DT_TEXT_MAX], name[160];
	long long ms;

	snprintf(name, sizeof(name), "\"%s\" is given to Postgres as \"%s\"", in, want);
	if (dt_parse(in, strlen(in), &ms) != APP_OK) {
		T_OK(name, 0);
		return;
	}
	dt_format(ms, out);
	T_STREQ(name, out, want);
}

static void
formats(void)
{
	long long ms;

	fmt("2026-11-29T23:47:04.123Z", "2026-11-29T23:47:04.123Z");
	fmt("2026-11-29 23:47:04", "2026-11-29T23:47:04.000Z");
	fmt("2026-11", "2026-11-01T00:00:00.000Z");
	fmt("1764460024123", "2025-11-29T23:47:04.123Z");
	fmt("2026-11-29T10:30:15+05:30", "2026-11-29T05:00:15.000Z");
	fmt("2026-11-29T10:30:15.999999", "2026-11-29T10:30:15.999Z");
	fmt("-5", "1969-12-31T23:59:59.995Z");
	fmt("0000-06-01", "0001-06-01T00:00:00.000Z BC");
	fmt("-004713-11-24", "4714-11-24T00:00:00.000Z BC");
	fmt("+275760-09-13", "275760-09-13T00:00:00.000Z");
	T_INT("a day before Postgres's first is refused",
	    dt_parse("-004713-11-23", 13, &ms), APP_EINPUT);
	T_INT("not-a-date is refused", dt_parse("not-a-date", 10, &ms), APP_EINPUT);
	T_INT("a NUL inside is refused", dt_parse("2026\0-11", 8, &ms), APP_EINPUT);
	T_INT("the length is honoured", dt_parse("2026-11-29T10", 10, &ms), APP_OK);
	T_INT("... up to the day", ms, 1795910400000LL);
}

static void
pg(const char *in, const char *want)
{
	char out[DT_TEXT_MAX], name[160];

	snprintf(name, sizeof(name), "Postgres's \"%s\" is answered as \"%s\"", in,
	    want ? want : "(refused)");
	if (want == NULL) {
		T_INT(name, dt_from_pg(in, out), APP_EINPUT);
		return;
	}
	if (dt_from_pg(in, out) != APP_OK) {
		T_OK(name, 0);
		return;
	}
	T_STREQ(name, out, want);
}

/* What to_char(... AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') gave. */
static void
from_postgres(void)
{
	pg("2026-11-30 04:13:59.214+00", "2026-11-30T04:13:59.214Z");
	pg("2026-11-30 04:13:59+00", "2026-11-30T04:13:59.000Z");
	pg("2026-11-30 04:13:59.2+00", "2026-11-30T04:13:59.200Z");
	pg("2026-11-30 04:13:59.999999+00", "2026-11-30T04:13:59.999Z");
	pg("2026-11-30 04:13:59.000999+00", "2026-11-30T04:13:59.000Z");
	pg("2026-11-30 10:30:15.5+05:30", "2026-11-30T05:00:15.500Z");
	pg("2026-01-01 00:00:00-08", "2026-01-01T08:00:00.000Z");
	pg("2026-12-31 23:59:59.999+00:00:01", "2026-12-31T23:59:58.999Z");
	pg("1883-11-18 12:03:58-04:56:02", "1883-11-18T17:00:00.000Z");
	pg("0044-03-15 12:00:00+00 BC", "0044-03-15T12:00:00.000Z BC");
	pg("10000-01-01 00:00:00+00", "10000-01-01T00:00:00.000Z");
	pg("infinity", NULL);
	pg("-infinity", NULL);
	pg("Mon Nov 30 04:13:59.214 2026 UTC", NULL);
	pg("30.11.2026 04:13:59.214 UTC", NULL);
	pg("2026-11-30T04:13:59.214Z", NULL);
	pg("2026-11-30 04:13:59.+00", NULL);
	pg("2026-11-30 04:13:59.1234567+00", NULL);
	pg("2026-11-30 04:13:59+00 AD", NULL);
	pg("2026-11-30 04:13:59", NULL);
	pg("2026-11-30 04:13:5", NULL);
	pg("2026-13-30 04:13:59+00", NULL);
	pg("", NULL);
}

int
main(void)
{
	vectors();
	formats();
	from_postgres();
	return T_DONE();
}
