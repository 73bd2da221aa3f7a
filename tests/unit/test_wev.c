/*
 * test_wev.c - wev.h: WorkOS events read from untrusted JSON, every known
 * kind, wrong shapes and types refused with a reason, unknown names kept
 * as ignored, and the ISO 8601 times WorkOS writes.
 */
#include <string.h>

#include "arena.h"
#include "wev.h"
#include "t.h"

static struct arena A;

static enum app_err
parse(const char *json, struct wev *ev, const char **why)
{
	*why = NULL;
	return wev_parse(&A, json, strlen(json), ev, why);
}

#define ENV(name, data) "{\"id\":\"event_01\",\"event\":\"" name "\"," \
	"\"created_at\":\"2026-02-01T12:00:00.000Z\",\"data\":" data "}"

static void
test_time(void)
{
	long long ms;
	char out[WEV_TIME_LEN + 1];

#define TM(s) wev_time(s, strlen(s), &ms)
	T_INT("WorkOS's form", TM("2026-01-15T12:00:00.000Z"), 0);
	T_INT("its value", ms, 1768478400000LL);
	wev_time_format(ms, out);
	T_STREQ("formatted back", out, "2026-01-15T12:00:00.000Z");
	T_INT("no fraction", TM("2026-01-15T12:00:00Z"), 0);
	T_INT("microseconds", TM("2026-01-15T12:00:00.123456Z"), 0);
	T_INT("microseconds kept to the millisecond", ms, 1768478400123LL);
	T_INT("an offset", TM("2026-01-15T13:30:00.000+01:30"), 0);
	T_INT("the offset applied", ms, 1768478400000LL);
	T_INT("no zone refused", TM("2026-01-15T12:00:00.000"), -1);
	T_INT("31 April refused", TM("2026-04-31T12:00:00Z"), -1);
	T_INT("hour 24 refused", TM("2026-04-01T24:00:00Z"), -1);
	T_INT("a date only refused", TM("2026-04-01"), -1);
	T_INT("trailing bytes refused", TM("2026-01-15T12:00:00ZZ"), -1);
	T_INT("an empty fraction refused", TM("2026-01-15T12:00:00.Z"), -1);
	T_INT("before 1970 refused", TM("1969-12-31T23:59:59Z"), -1);
	T_INT("letters refused", TM("2026-0a-15T12:00:00Z"), -1);
#undef TM
}

static void
test_kinds(void)
{
	struct wev ev;
	const char *why;

	T_INT("user.updated", parse(ENV("user.updated", "{\"object\":\"user\",\"id\":\"user_01\","
	    "\"email\":\"A@Example.com\",\"email_verified\":true,\"first_name\":\"Ann\","
	    "\"last_name\":null,\"updated_at\":\"2026-02-01T11:00:00.000Z\",\"new_field\":[1]}"),
	    &ev, &why), APP_OK);
	T_INT("user.updated: kind", ev.kind, WEV_USER);
	T_STREQ("user.updated: id", ev.obj_id, "user_01");
	T_STREQ("user.updated: e-mail as sent", ev.email, "A@Example.com");
	T_OK("user.updated: verified, names", ev.email_verified && ev.last_name == NULL &&
	    strcmp(ev.first_name, "Ann") == 0);
	T_STREQ("user.updated: version is updated_at", ev.version, "2026-02-01T11:00:00.000Z");
	T_STREQ("user.updated: created_at", ev.created_at, "2026-02-01T12:00:00.000Z");

	T_INT("user.deleted without updated_at", parse(ENV("user.deleted", "{\"id\":\"user_01\"}"),
	    &ev, &why), APP_OK);
	T_STREQ("a deletion's version is at least the event's time", ev.version,
	    "2026-02-01T12:00:00.000Z");

	T_INT("organization.updated", parse(ENV("organization.updated", "{\"id\":\"org_01\","
	    "\"name\":\"Acme\",\"domains\":[],\"updated_at\":\"2026-02-01T10:00:00Z\"}"), &ev, &why), APP_OK);
	T_OK("organization: kind and name", ev.kind == WEV_ORG && strcmp(ev.org_name, "Acme") == 0);

	T_INT("organization_membership.updated", parse(ENV("organization_membership.updated",
	    "{\"id\":\"om_01\",\"user_id\":\"user_01\",\"organization_id\":\"org_01\","
	    "\"status\":\"inactive\",\"role\":{\"slug\":\"admin\"},\"roles\":[{\"slug\":\"admin\"}],"
	    "\"updated_at\":\"2026-02-01T10:00:00Z\"}"), &ev, &why), APP_OK);
	T_OK("membership: fields", ev.kind == WEV_MEMBERSHIP && strcmp(ev.status, "inactive") == 0 &&
	    strcmp(ev.role, "admin") == 0 && strcmp(ev.org_id, "org_01") == 0 &&
	    strcmp(ev.user_id, "user_01") == 0 && strcmp(ev.obj_id, "om_01") == 0);

	T_INT("organization_membership.deleted", parse(ENV("organization_membership.deleted",
	    "{\"id\":\"om_01\",\"user_id\":\"user_01\",\"organization_id\":\"org_01\","
	    "\"status\":\"active\",\"role\":{\"slug\":\"admin\"},\"updated_at\":\"2026-02-01T13:00:00Z\"}"),
	    &ev, &why), APP_OK);
	T_OK("membership deleted: status deleted", ev.kind == WEV_MEMBERSHIP_DELETED &&
	    strcmp(ev.status, "deleted") == 0);
	T_STREQ("membership deleted: the later of updated_at and created_at", ev.version,
	    "2026-02-01T13:00:00.000Z");

	T_INT("dsync.user.updated", parse(ENV("dsync.user.updated", "{\"id\":\"directory_user_01\","
	    "\"directory_id\":\"directory_01\",\"organization_id\":\"org_01\",\"email\":\"a@example.com\","
	    "\"state\":\"suspended\",\"updated_at\":\"2026-02-01T10:00:00Z\","
	    "\"previous_attributes\":{\"state\":\"active\"}}"), &ev, &why), APP_OK);
	T_OK("dsync: fields", ev.kind == WEV_DIRECTORY_USER && strcmp(ev.state, "suspended") == 0 &&
	    strcmp(ev.email, "a@example.com") == 0);
	T_INT("dsync with the older emails array", parse(ENV("dsync.user.updated",
	    "{\"id\":\"directory_user_01\",\"organization_id\":\"org_01\",\"emails\":["
	    "{\"primary\":false,\"value\":\"x@example.com\"},{\"primary\":true,\"value\":\"p@example.com\"}],"
	    "\"state\":\"active\",\"updated_at\":\"2026-02-01T10:00:00Z\"}"), &ev, &why), APP_OK);
	T_STREQ("dsync: the primary e-mail", ev.email, "p@example.com");
	T_INT("dsync.user.deleted", parse(ENV("dsync.user.deleted", "{\"id\":\"directory_user_01\","
	    "\"organization_id\":\"org_01\",\"email\":\"a@example.com\",\"state\":\"active\"}"),
	    &ev, &why), APP_OK);
	T_STREQ("dsync deleted: state deleted", ev.state, "deleted");

	T_INT("session.revoked", parse(ENV("session.revoked", "{\"object\":\"session\","
	    "\"id\":\"session_01\",\"user_id\":\"user_01\",\"status\":\"revoked\"}"), &ev, &why), APP_OK);
	T_OK("session: kind and id", ev.kind == WEV_SESSION_REVOKED && strcmp(ev.obj_id, "session_01") == 0);

	T_INT("an unknown event name is well-formed", parse(ENV("connection.activated", "{\"x\":1}"),
	    &ev, &why), APP_OK);
	T_INT("an unknown event name is ignored", ev.kind, WEV_IGNORED);
}

static void
test_bad(void)
{
	struct wev ev;
	const char *why;

#define BAD(name, json, want) do {                                       \
	T_INT(name, parse(json, &ev, &why), APP_EINPUT);                 \
	T_OK(name ": why names it", why != NULL && strstr(why, want) != NULL); \
} while (0)
	BAD("not JSON", "{\"id\":", "not JSON");
	BAD("an array", "[1,2]", "JSON object");
	BAD("no id", "{\"event\":\"user.updated\",\"created_at\":\"2026-02-01T12:00:00Z\",\"data\":{}}", "id");
	BAD("numeric id", "{\"id\":5,\"event\":\"user.updated\",\"created_at\":\"2026-02-01T12:00:00Z\",\"data\":{}}", "id");
	BAD("no created_at", "{\"id\":\"e\",\"event\":\"user.updated\",\"data\":{}}", "created_at");
	BAD("data a string", "{\"id\":\"e\",\"event\":\"x\",\"created_at\":\"2026-02-01T12:00:00Z\",\"data\":\"x\"}", "data");
	BAD("user: email a number", ENV("user.updated", "{\"id\":\"user_01\",\"email\":5,"
	    "\"email_verified\":true,\"updated_at\":\"2026-02-01T11:00:00Z\"}"), "email");
	BAD("user: email_verified a string", ENV("user.updated", "{\"id\":\"user_01\",\"email\":\"a@b\","
	    "\"email_verified\":\"yes\",\"updated_at\":\"2026-02-01T11:00:00Z\"}"), "email_verified");
	BAD("user: no updated_at", ENV("user.updated", "{\"id\":\"user_01\",\"email\":\"a@b\","
	    "\"email_verified\":true}"), "updated_at");
	BAD("user: first_name an object", ENV("user.created", "{\"id\":\"user_01\",\"email\":\"a@b\","
	    "\"email_verified\":true,\"first_name\":{},\"updated_at\":\"2026-02-01T11:00:00Z\"}"), "first_name");
	BAD("user: an id with a newline", ENV("user.updated", "{\"id\":\"user_\\n01\",\"email\":\"a@b\","
	    "\"email_verified\":true,\"updated_at\":\"2026-02-01T11:00:00Z\"}"), "data.id");
	BAD("user: an id with a NUL", ENV("user.updated", "{\"id\":\"user_\\u000001\",\"email\":\"a@b\","
	    "\"email_verified\":true,\"updated_at\":\"2026-02-01T11:00:00Z\"}"), "data.id");
	BAD("membership: role a string", ENV("organization_membership.updated",
	    "{\"id\":\"om_01\",\"user_id\":\"user_01\",\"organization_id\":\"org_01\","
	    "\"status\":\"active\",\"role\":\"admin\",\"updated_at\":\"2026-02-01T10:00:00Z\"}"), "role");
	BAD("membership: unknown status", ENV("organization_membership.updated",
	    "{\"id\":\"om_01\",\"user_id\":\"user_01\",\"organization_id\":\"org_01\","
	    "\"status\":\"banned\",\"role\":{\"slug\":\"admin\"},\"updated_at\":\"2026-02-01T10:00:00Z\"}"), "status");
	BAD("membership: no user_id", ENV("organization_membership.created",
	    "{\"id\":\"om_01\",\"organization_id\":\"org_01\",\"status\":\"active\","
	    "\"role\":{\"slug\":\"admin\"},\"updated_at\":\"2026-02-01T10:00:00Z\"}"), "user_id");
	BAD("dsync: unknown state", ENV("dsync.user.updated", "{\"id\":\"d\",\"organization_id\":\"org_01\","
	    "\"email\":\"a@b\",\"state\":\"gone\",\"updated_at\":\"2026-02-01T10:00:00Z\"}"), "state");
	BAD("dsync: no e-mail", ENV("dsync.user.updated", "{\"id\":\"d\",\"organization_id\":\"org_01\","
	    "\"state\":\"inactive\",\"updated_at\":\"2026-02-01T10:00:00Z\"}"), "email");
	BAD("session: id a number", ENV("session.revoked", "{\"id\":7}"), "data.id");
	BAD("trailing garbage", ENV("session.revoked", "{\"id\":\"s\"}") "x", "not JSON");
#undef BAD
}

int
main(void)
{
	arena_init(&A, 4096);
	test_time();
	test_kinds();
	test_bad();
	arena_free(&A);
	return T_DONE();
}
