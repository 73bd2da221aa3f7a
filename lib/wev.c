#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jv.h"
#include "wev.h"

static const struct {
	const char *name;
	enum wev_kind kind;
} names[] = {
	{ "user.created", WEV_USER },
	{ "user.updated", WEV_USER },
	{ "user.deleted", WEV_USER_DELETED },
	{ "organization.created", WEV_ORG },
	{ "organization.updated", WEV_ORG },
	{ "organization.deleted", WEV_ORG_DELETED },
	{ "organization_membership.created", WEV_MEMBERSHIP },
	{ "organization_membership.updated", WEV_MEMBERSHIP },
	{ "organization_membership.deleted", WEV_MEMBERSHIP_DELETED },
	{ "dsync.user.created", WEV_DIRECTORY_USER },
	{ "dsync.user.updated", WEV_DIRECTORY_USER },
	{ "dsync.user.deleted", WEV_DIRECTORY_USER },
	{ "session.revoked", WEV_SESSION_REVOKED },
};

const char *const wev_handled[] = {
	"user.created", "user.updated", "user.deleted",
	"organization.created", "organization.updated", "organization.deleted",
	"organization_membership.created", "organization_membership.updated",
	"organization_membership.deleted",
	"dsync.user.created", "dsync.user.updated", "dsync.user.deleted",
	"session.revoked",
};
const size_t wev_nhandled = ARRAY_LEN(wev_handled);

static int
digits(const char *s, size_t n, int *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
wev_time(const char *s, size_t n, long long *ms)
{
	int y, mo, d, h, mi, sec, frac = 0, fd = 0, off = 0;
	struct tm tm;
	time_t t;
	size_t i = 19;

	/* YYYY-MM-DDTHH:MM:SS */
	if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':' ||
	    digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec))
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
		return -1;
	if (s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (fd < 3)
				frac = frac * 10 + (s[i] - '0');
			fd++;
			i++;
		}
		if (fd == 0 || fd > 9)
			return -1;
		for (int k = fd; k < 3; k++)
			frac *= 10;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
		off = 0;
	} else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		int oh, om;

		if (digits(s + i + 1, 2, &oh) || digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = (oh * 60 + om) * (s[i] == '+' ? 1 : -1);
	} else {
		return -1;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	/* timegm() normalises 31 April into 1 May: refuse such dates. */
	if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -1;
	*ms = ((long long)t - off * 60LL) * 1000 + frac;
	return *ms >= 0 ? 0 : -1;
}

void
wev_time_format(long long ms, char out[WEV_TIME_LEN + 1])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms < 0 || gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999) {
		snprintf(out, WEV_TIME_LEN + 1, "1970-01-01T00:00:00.000Z");
		return;
	}
	/* strftime: the compiler cannot bound snprintf's %d fields here. */
	if (strftime(out, WEV_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%S", &tm) != 19) {
		snprintf(out, WEV_TIME_LEN + 1, "1970-01-01T00:00:00.000Z");
		return;
	}
	out[19] = '.';
	out[20] = (char)('0' + (ms % 1000) / 100);
	out[21] = (char)('0' + (ms % 100) / 10);
	out[22] = (char)('0' + ms % 10);
	out[23] = 'Z';
	out[24] = '\0';
}

/* Text the database and the logs may hold: no control bytes, bounded. */
static int
clean(const char *s, size_t n, size_t max)
{
	if (n == 0 || n > max || strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * A required string member: 1 to max clean bytes.  Returns NULL (and sets
 * *why) when absent or wrong; why_ names the member.
 */
static const char *
req_str(json_object *o, const char *key, size_t max, const char *why_,
    const char **why)
{
	size_t n = 0;
	const char *s = jv_strn(o, key, &n);

	if (s == NULL || !clean(s, n, max)) {
		*why = why_;
		return NULL;
	}
	return s;
}

/*
 * An optional string member: absent or null gives NULL and 0; a string
 * gives it (an empty one NULL); any other type -1.
 */
static int
opt_str(json_object *o, const char *key, size_t max, const char **out)
{
	json_object *v = jv_get(o, key);
	size_t n;

	*out = NULL;
	if (v == NULL || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	n = (size_t)json_object_get_string_len(v);
	if (n == 0)
		return 0;
	if (!clean(json_object_get_string(v), n, max))
		return -1;
	*out = json_object_get_string(v);
	return 0;
}

/* A time member into its normalised form; -1 when absent or not a time. */
static int
time_member(json_object *o, const char *key, long long *ms)
{
	size_t n = 0;
	const char *s = jv_strn(o, key, &n);

	return s != NULL && wev_time(s, n, ms) == 0 ? 0 : -1;
}

#define FAIL(msg) do { *why = (msg); return APP_EINPUT; } while (0)

static enum app_err
parse_user(json_object *d, struct wev *ev, long long *ver, const char **why)
{
	json_object *v;

	if ((ev->obj_id = req_str(d, "id", WEV_ID_MAX, "data.id must be a user id", why)) == NULL)
		return APP_EINPUT;
	if (ev->kind == WEV_USER_DELETED) {
		if (jv_get(d, "updated_at") != NULL && time_member(d, "updated_at", ver) != 0)
			FAIL("data.updated_at must be an ISO 8601 time");
		return APP_OK;
	}
	if ((ev->email = req_str(d, "email", WEV_TEXT_MAX, "data.email must be a string", why)) == NULL)
		return APP_EINPUT;
	v = jv_get(d, "email_verified");
	if (v == NULL || !json_object_is_type(v, json_type_boolean))
		FAIL("data.email_verified must be a boolean");
	ev->email_verified = json_object_get_boolean(v);
	if (opt_str(d, "first_name", WEV_TEXT_MAX, &ev->first_name) != 0)
		FAIL("data.first_name must be a string or null");
	if (opt_str(d, "last_name", WEV_TEXT_MAX, &ev->last_name) != 0)
		FAIL("data.last_name must be a string or null");
	if (time_member(d, "updated_at", ver) != 0)
		FAIL("data.updated_at must be an ISO 8601 time");
	return APP_OK;
}

static enum app_err
parse_org(json_object *d, struct wev *ev, long long *ver, const char **why)
{
	if ((ev->obj_id = req_str(d, "id", WEV_ID_MAX, "data.id must be an organization id", why)) == NULL)
		return APP_EINPUT;
	if (opt_str(d, "name", WEV_TEXT_MAX, &ev->org_name) != 0)
		FAIL("data.name must be a string or null");
	if (ev->kind == WEV_ORG_DELETED) {
		if (jv_get(d, "updated_at") != NULL && time_member(d, "updated_at", ver) != 0)
			FAIL("data.updated_at must be an ISO 8601 time");
		return APP_OK;
	}
	if (time_member(d, "updated_at", ver) != 0)
		FAIL("data.updated_at must be an ISO 8601 time");
	return APP_OK;
}

static enum app_err
parse_membership(json_object *d, struct wev *ev, long long *ver, const char **why)
{
	json_object *role;
	const char *st;
	bool deleted = ev->kind == WEV_MEMBERSHIP_DELETED;

	if ((ev->obj_id = req_str(d, "id", WEV_ID_MAX, "data.id must be a membership id", why)) == NULL ||
	    (ev->user_id = req_str(d, "user_id", WEV_ID_MAX, "data.user_id must be a user id", why)) == NULL ||
	    (ev->org_id = req_str(d, "organization_id", WEV_ID_MAX,
	    "data.organization_id must be an organization id", why)) == NULL)
		return APP_EINPUT;
	if (opt_str(d, "organization_name", WEV_TEXT_MAX, &ev->org_name) != 0)
		FAIL("data.organization_name must be a string or null");
	role = jv_get(d, "role");
	if (role != NULL && !json_object_is_type(role, json_type_null)) {
		if (!json_object_is_type(role, json_type_object) ||
		    (ev->role = req_str(role, "slug", WEV_TEXT_MAX, "data.role.slug must be a string",
		    why)) == NULL)
			FAIL("data.role must be an object with a slug");
	}
	if (deleted) {
		ev->status = "deleted";
		if (jv_get(d, "updated_at") != NULL && time_member(d, "updated_at", ver) != 0)
			FAIL("data.updated_at must be an ISO 8601 time");
		return APP_OK;
	}
	if (ev->role == NULL)
		FAIL("data.role must be an object with a slug");
	st = jv_str(d, "status");
	if (st == NULL || (strcmp(st, "active") != 0 && strcmp(st, "inactive") != 0 &&
	    strcmp(st, "pending") != 0))
		FAIL("data.status must be active, inactive or pending");
	ev->status = st;
	if (time_member(d, "updated_at", ver) != 0)
		FAIL("data.updated_at must be an ISO 8601 time");
	return APP_OK;
}

/* The directory user's e-mail: "email", else the primary of "emails". */
static const char *
directory_email(json_object *d)
{
	json_object *arr = jv_get(d, "emails");
	const char *e = NULL;
	size_t n = 0;

	if (opt_str(d, "email", WEV_TEXT_MAX, &e) == 0 && e != NULL)
		return e;
	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return NULL;
	n = json_object_array_length(arr);
	for (size_t i = 0; i < n && i < 64; i++) {
		json_object *x = json_object_array_get_idx(arr, i);
		const char *v = NULL;

		if (!jv_bool(x, "primary"))
			continue;
		if (opt_str(x, "value", WEV_TEXT_MAX, &v) == 0 && v != NULL)
			return v;
	}
	return NULL;
}

static enum app_err
parse_directory_user(json_object *d, struct wev *ev, long long *ver, const char **why)
{
	bool deleted = strcmp(ev->name, "dsync.user.deleted") == 0;
	const char *st;

	if ((ev->obj_id = req_str(d, "id", WEV_ID_MAX, "data.id must be a directory user id", why)) == NULL ||
	    (ev->org_id = req_str(d, "organization_id", WEV_ID_MAX,
	    "data.organization_id must be an organization id", why)) == NULL)
		return APP_EINPUT;
	if ((ev->email = directory_email(d)) == NULL)
		FAIL("data.email must be a string (or data.emails hold a primary value)");
	st = jv_str(d, "state");
	if (deleted) {
		ev->state = "deleted";
	} else if (st != NULL && (strcmp(st, "active") == 0 || strcmp(st, "inactive") == 0 ||
	    strcmp(st, "suspended") == 0)) {
		ev->state = st;
	} else {
		FAIL("data.state must be active, inactive or suspended");
	}
	if (deleted) {
		if (jv_get(d, "updated_at") != NULL && time_member(d, "updated_at", ver) != 0)
			FAIL("data.updated_at must be an ISO 8601 time");
		return APP_OK;
	}
	if (time_member(d, "updated_at", ver) != 0)
		FAIL("data.updated_at must be an ISO 8601 time");
	return APP_OK;
}

static enum app_err
parse_session(json_object *d, struct wev *ev, const char **why)
{
	if ((ev->obj_id = req_str(d, "id", WEV_ID_MAX, "data.id must be a session id", why)) == NULL)
		return APP_EINPUT;
	if (opt_str(d, "user_id", WEV_ID_MAX, &ev->user_id) != 0)
		FAIL("data.user_id must be a string");
	return APP_OK;
}

enum app_err
wev_from_json(json_object *o, struct wev *ev, const char **why)
{
	json_object *d;
	long long created, ver = -1;
	enum app_err e;

	memset(ev, 0, sizeof(*ev));
	*why = NULL;
	if (o == NULL || !json_object_is_type(o, json_type_object))
		FAIL("the event must be a JSON object");
	if ((ev->id = req_str(o, "id", WEV_ID_MAX, "id must be a non-empty string", why)) == NULL ||
	    (ev->name = req_str(o, "event", WEV_ID_MAX, "event must be a non-empty string", why)) == NULL)
		return APP_EINPUT;
	if (time_member(o, "created_at", &created) != 0)
		FAIL("created_at must be an ISO 8601 time");
	d = jv_get(o, "data");
	if (d == NULL || !json_object_is_type(d, json_type_object))
		FAIL("data must be an object");
	wev_time_format(created, ev->created_at);
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (strcmp(ev->name, names[i].name) == 0)
			ev->kind = names[i].kind;
	switch (ev->kind) {
	case WEV_IGNORED:
		return APP_OK;
	case WEV_USER:
	case WEV_USER_DELETED:
		e = parse_user(d, ev, &ver, why);
		break;
	case WEV_ORG:
	case WEV_ORG_DELETED:
		e = parse_org(d, ev, &ver, why);
		break;
	case WEV_MEMBERSHIP:
	case WEV_MEMBERSHIP_DELETED:
		e = parse_membership(d, ev, &ver, why);
		break;
	case WEV_DIRECTORY_USER:
		e = parse_directory_user(d, ev, &ver, why);
		break;
	case WEV_SESSION_REVOKED:
		e = parse_session(d, ev, why);
		break;
	default:
		e = APP_EINTERNAL;
	}
	if (e != APP_OK)
		return e;
	/* A removal outranks every version it removed, whatever data says. */
	if (ver < 0 || ev->kind == WEV_USER_DELETED || ev->kind == WEV_ORG_DELETED ||
	    ev->kind == WEV_MEMBERSHIP_DELETED || (ev->state && strcmp(ev->state, "deleted") == 0))
		ver = ver > created ? ver : created;
	wev_time_format(ver, ev->version);
	return APP_OK;
}

enum app_err
wev_membership_from_json(json_object *m, struct wev *ev, const char **why)
{
	long long ver = -1;
	enum app_err e;

	memset(ev, 0, sizeof(*ev));
	*why = NULL;
	if (m == NULL || !json_object_is_type(m, json_type_object))
		FAIL("a membership must be a JSON object");
	ev->kind = WEV_MEMBERSHIP;
	ev->name = "organization_membership";
	if ((e = parse_membership(m, ev, &ver, why)) != APP_OK)
		return e;
	wev_time_format(ver, ev->version);
	return APP_OK;
}

enum app_err
wev_parse(struct arena *a, const char *buf, size_t len, struct wev *ev,
    const char **why)
{
	json_object *o;
	const char *jerr = NULL;
	enum app_err e;

	memset(ev, 0, sizeof(*ev));
	e = jv_parse(a, buf, len, &o, &jerr);
	if (e == APP_ENOMEM)
		return e;
	if (e != APP_OK) {
		*why = "the body is not JSON";
		return APP_EINPUT;
	}
	return wev_from_json(o, ev, why);
}
