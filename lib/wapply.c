#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "users.h"
#include "wapply.h"

const char *
wapply_result_name(enum wapply_result r)
{
	switch (r) {
	case WAPPLY_APPLIED: return "applied";
	case WAPPLY_DUPLICATE: return "duplicate";
	case WAPPLY_STALE: return "stale";
	case WAPPLY_UNKNOWN: return "unknown";
	case WAPPLY_IGNORED: return "ignored";
	}
	return "?";
}

static struct db_stmt q_record = DB_STMT("wapply_record",
    "INSERT INTO workos_events (id, event, created_at, source)"
    " VALUES ($1, $2, $3::timestamptz, $4)"
    " ON CONFLICT (id) DO NOTHING RETURNING id");

static struct db_stmt q_cursor = DB_STMT("wapply_cursor",
    "INSERT INTO workos_sync_state (id, cursor, range_start, updated_at)"
    " VALUES (true, $1, $2::timestamptz, now())"
    " ON CONFLICT (id) DO UPDATE SET cursor = EXCLUDED.cursor,"
    " range_start = EXCLUDED.range_start, updated_at = now()");

static struct db_stmt q_caught_up = DB_STMT("wapply_caught_up",
    "INSERT INTO workos_sync_state (id, caught_up_at) VALUES (true, now())"
    " ON CONFLICT (id) DO UPDATE SET caught_up_at = now()");

static struct db_stmt q_get_cursor = DB_STMT("wapply_get_cursor",
    "SELECT cursor, to_char(range_start AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS range_start"
    " FROM workos_sync_state WHERE id");

/* users */
static struct db_stmt q_user_lock = DB_STMT("wapply_user_lock",
    "SELECT id FROM users WHERE workos_user_id = $1 FOR UPDATE");
/*
 * An unverified address never becomes the account's e-mail, and a
 * verified one only when no other account holds it (that owner keeps it).
 */
static struct db_stmt q_user_update = DB_STMT("wapply_user_update",
    "UPDATE users u SET first_name = $2, last_name = $3,"
    " email = CASE WHEN $4::boolean AND NOT EXISTS (SELECT 1 FROM users o"
    "   WHERE o.email = lower($5) AND o.id <> u.id) THEN lower($5) ELSE u.email END,"
    " confirmed = CASE WHEN lower($5) = u.email THEN $4::boolean"
    "   WHEN $4::boolean AND NOT EXISTS (SELECT 1 FROM users o"
    "   WHERE o.email = lower($5) AND o.id <> u.id) THEN true ELSE u.confirmed END,"
    " workos_updated_at = $6::timestamptz, updated_at = now()"
    " WHERE u.id = $1 AND (u.workos_updated_at IS NULL"
    "   OR u.workos_updated_at < $6::timestamptz)"
    " RETURNING u.id, u.email = lower($5) AS email_taken");
static struct db_stmt q_user_delete = DB_STMT("wapply_user_delete",
    "UPDATE users SET workos_user_id = NULL, workos_deleted_at = now(),"
    " workos_updated_at = $2::timestamptz, updated_at = now() WHERE id = $1");
static struct db_stmt q_user_memberships_drop = DB_STMT("wapply_user_memberships_drop",
    "DELETE FROM memberships WHERE user_id = $1");
static struct db_stmt q_revoke_user = DB_STMT("wapply_revoke_user",
    "UPDATE sessions SET revoked_at = now(), revoked_reason = $2"
    " WHERE user_id = $1 AND revoked_at IS NULL");
static struct db_stmt q_revoke_member = DB_STMT("wapply_revoke_member",
    "UPDATE sessions SET revoked_at = now(), revoked_reason = $3"
    " WHERE user_id = $1 AND organization_id = $2 AND revoked_at IS NULL");
static struct db_stmt q_revoke_org = DB_STMT("wapply_revoke_org",
    "UPDATE sessions SET revoked_at = now(), revoked_reason = $2"
    " WHERE organization_id = $1 AND revoked_at IS NULL");
static struct db_stmt q_revoke_workos = DB_STMT("wapply_revoke_workos",
    "UPDATE sessions SET revoked_at = now(), revoked_reason = $2"
    " WHERE workos_session_id = $1 AND revoked_at IS NULL");

/* organizations: never more than a key-share lock while a member signs in */
static struct db_stmt q_org_ensure = DB_STMT("wapply_org_ensure",
    "INSERT INTO organizations (id, name) VALUES ($1, $2)"
    " ON CONFLICT (id) DO NOTHING");
static struct db_stmt q_org_update = DB_STMT("wapply_org_update",
    "UPDATE organizations SET name = $2, workos_updated_at = $3::timestamptz,"
    " updated_at = now() WHERE id = $1 AND (workos_updated_at IS NULL"
    " OR workos_updated_at < $3::timestamptz) RETURNING id");
static struct db_stmt q_org_delete = DB_STMT("wapply_org_delete",
    "UPDATE organizations SET workos_deleted_at = coalesce(workos_deleted_at, now()),"
    " workos_updated_at = $2::timestamptz, updated_at = now()"
    " WHERE id = $1 AND (workos_updated_at IS NULL"
    " OR workos_updated_at < $2::timestamptz) RETURNING id");
static struct db_stmt q_org_members_delete = DB_STMT("wapply_org_members_delete",
    "UPDATE memberships SET status = 'inactive', workos_status = 'deleted',"
    " workos_updated_at = greatest(workos_updated_at, $2::timestamptz),"
    " updated_at = now() WHERE organization_id = $1");

/* memberships */
static struct db_stmt q_member_upsert = DB_STMT("wapply_member_upsert",
    "INSERT INTO memberships AS m (user_id, organization_id, role_slug, status,"
    " workos_status, workos_membership_id, workos_updated_at)"
    " VALUES ($1, $2, coalesce($3, ''),"
    "  CASE WHEN $4 = 'deleted' THEN 'inactive' ELSE $4 END, $4, $5, $6::timestamptz)"
    " ON CONFLICT (user_id, organization_id) DO UPDATE SET"
    " role_slug = coalesce($3, m.role_slug),"
    " workos_status = EXCLUDED.workos_status,"
    " workos_membership_id = coalesce(EXCLUDED.workos_membership_id, m.workos_membership_id),"
    " workos_updated_at = EXCLUDED.workos_updated_at,"
    " status = CASE WHEN m.directory_state IN ('inactive', 'suspended', 'deleted')"
    "   THEN 'inactive' ELSE EXCLUDED.status END,"
    " updated_at = now()"
    " WHERE m.workos_updated_at IS NULL OR m.workos_updated_at < EXCLUDED.workos_updated_at"
    " RETURNING status");

/* directory users: matched by e-mail within the organization */
static struct db_stmt q_user_lock_email = DB_STMT("wapply_user_lock_email",
    "SELECT id FROM users WHERE email = lower($1) FOR UPDATE");
static struct db_stmt q_directory = DB_STMT("wapply_directory",
    "UPDATE memberships m SET directory_state = $3, directory_updated_at = $4::timestamptz,"
    " status = CASE WHEN $3 IN ('inactive', 'suspended', 'deleted') THEN 'inactive'"
    "   WHEN m.workos_status IS NULL THEN m.status"
    "   WHEN m.workos_status = 'deleted' THEN 'inactive'"
    "   ELSE m.workos_status END,"
    " updated_at = now()"
    " WHERE m.user_id = $1 AND m.organization_id = $2"
    " AND (m.directory_updated_at IS NULL OR m.directory_updated_at < $4::timestamptz)"
    " RETURNING status");

/* reconciliation */
static struct db_stmt q_user_member_orgs = DB_STMT("wapply_user_member_orgs",
    "SELECT organization_id FROM memberships WHERE user_id = $1"
    " AND workos_status IS DISTINCT FROM 'deleted' ORDER BY organization_id LIMIT $2");
static struct db_stmt q_linked = DB_STMT("wapply_linked",
    "SELECT id, workos_user_id FROM users WHERE workos_user_id IS NOT NULL AND id > $1"
    " ORDER BY id LIMIT $2");

static struct db_stmt q_prune = DB_STMT("wapply_prune",
    "DELETE FROM workos_events WHERE id IN (SELECT id FROM workos_events"
    " WHERE created_at < now() - make_interval(days => $1::int)"
    " AND id <> (SELECT id FROM workos_events ORDER BY created_at DESC LIMIT 1)"
    " LIMIT $2)");

static int
retryable(const char *sqlstate)
{
	/* deadlock_detected, serialization_failure */
	return strcmp(sqlstate, "40P01") == 0 || strcmp(sqlstate, "40001") == 0;
}

static enum app_err
x(struct db *db, struct arena *a, struct db_stmt *s, int n,
    const char *const *p, PGresult **res, char st[6])
{
	return db_exec(db, a, s, n, p, res, st);
}

static enum app_err
revoke_member(struct db *db, struct arena *a, const char *uid, const char *org,
    const char *why, char st[6])
{
	PGresult *res;
	const char *p[] = { uid, org, why };

	return x(db, a, &q_revoke_member, 3, p, &res, st);
}

/* A membership version for the local user uid; *status gets the outcome. */
static enum app_err
member_upsert(struct db *db, struct arena *a, const char *uid,
    const struct wev *m, enum wapply_result *r, char st[6])
{
	PGresult *res;
	enum app_err e;
	const char *po[] = { m->org_id, m->org_name };
	const char *pm[] = { uid, m->org_id, m->role, m->status, m->obj_id, m->version };
	const char *status;

	if ((e = x(db, a, &q_org_ensure, 2, po, &res, st)) != APP_OK ||
	    (e = x(db, a, &q_member_upsert, 6, pm, &res, st)) != APP_OK)
		return e;
	if (PQntuples(res) == 0) {
		*r = WAPPLY_STALE;
		return APP_OK;
	}
	*r = WAPPLY_APPLIED;
	status = db_get(res, 0, "status");
	if (status == NULL || strcmp(status, "active") != 0)
		return revoke_member(db, a, uid, m->org_id, "workos_membership_inactive", st);
	return APP_OK;
}

static enum app_err
apply_user(struct db *db, struct arena *a, const struct wev *ev,
    enum wapply_result *r, char st[6])
{
	PGresult *res;
	enum app_err e;
	const char *p1[] = { ev->obj_id };
	const char *uid;

	if ((e = x(db, a, &q_user_lock, 1, p1, &res, st)) != APP_OK)
		return e;
	if (PQntuples(res) == 0) {
		/* Accounts are made at sign-in; WorkOS's other users are not ours. */
		*r = WAPPLY_UNKNOWN;
		return APP_OK;
	}
	uid = db_get(res, 0, "id");
	if (ev->kind == WEV_USER_DELETED) {
		const char *pr[] = { uid, "workos_user_deleted" };
		const char *pd[] = { uid, ev->version };
		const char *pu[] = { uid };

		if ((e = x(db, a, &q_revoke_user, 2, pr, &res, st)) != APP_OK ||
		    (e = x(db, a, &q_user_memberships_drop, 1, pu, &res, st)) != APP_OK ||
		    (e = x(db, a, &q_user_delete, 2, pd, &res, st)) != APP_OK)
			return e;
		*r = WAPPLY_APPLIED;
		return APP_OK;
	}
	/*
	 * The names follow WorkOS; the username does not: Strapi keeps it
	 * once made (others may know it), and it is unique here.
	 */
	{
		const char *p[] = { uid, ev->first_name, ev->last_name,
		    ev->email_verified ? "true" : "false", ev->email, ev->version };

		if ((e = x(db, a, &q_user_update, 6, p, &res, st)) != APP_OK)
			return e;
	}
	if (PQntuples(res) == 0) {
		*r = WAPPLY_STALE;
		return APP_OK;
	}
	if (ev->email_verified && !db_get_bool(res, 0, "email_taken")) {
		log_msg(LOG_WARN, "kept the e-mail of WorkOS user \"%s\": another account "
		    "holds the new one", ev->obj_id);
	}
	*r = WAPPLY_APPLIED;
	return APP_OK;
}

static enum app_err
apply_org(struct db *db, struct arena *a, const struct wev *ev,
    enum wapply_result *r, char st[6])
{
	PGresult *res;
	enum app_err e;
	const char *po[] = { ev->obj_id, ev->org_name };

	if ((e = x(db, a, &q_org_ensure, 2, po, &res, st)) != APP_OK)
		return e;
	if (ev->kind == WEV_ORG) {
		const char *p[] = { ev->obj_id, ev->org_name, ev->version };

		if ((e = x(db, a, &q_org_update, 3, p, &res, st)) != APP_OK)
			return e;
		*r = PQntuples(res) > 0 ? WAPPLY_APPLIED : WAPPLY_STALE;
		return APP_OK;
	}
	{
		const char *p[] = { ev->obj_id, ev->version };
		const char *pr[] = { ev->obj_id, "workos_organization_deleted" };

		if ((e = x(db, a, &q_org_delete, 2, p, &res, st)) != APP_OK)
			return e;
		if (PQntuples(res) == 0) {
			*r = WAPPLY_STALE;
			return APP_OK;
		}
		if ((e = x(db, a, &q_org_members_delete, 2, p, &res, st)) != APP_OK ||
		    (e = x(db, a, &q_revoke_org, 2, pr, &res, st)) != APP_OK)
			return e;
	}
	*r = WAPPLY_APPLIED;
	return APP_OK;
}

static enum app_err
apply_membership(struct db *db, struct arena *a, const struct wev *ev,
    enum wapply_result *r, char st[6])
{
	PGresult *res;
	enum app_err e;
	const char *p1[] = { ev->user_id };

	if ((e = x(db, a, &q_user_lock, 1, p1, &res, st)) != APP_OK)
		return e;
	if (PQntuples(res) == 0) {
		/* Made at the member's first sign-in, from the token's role. */
		*r = WAPPLY_UNKNOWN;
		return APP_OK;
	}
	return member_upsert(db, a, db_get(res, 0, "id"), ev, r, st);
}

static enum app_err
apply_directory_user(struct db *db, struct arena *a, const struct wev *ev,
    enum wapply_result *r, char st[6])
{
	PGresult *res;
	enum app_err e;
	const char *p1[] = { ev->email };
	const char *uid, *status;

	if ((e = x(db, a, &q_user_lock_email, 1, p1, &res, st)) != APP_OK)
		return e;
	if (PQntuples(res) == 0) {
		*r = WAPPLY_UNKNOWN;
		return APP_OK;
	}
	uid = db_get(res, 0, "id");
	{
		const char *p[] = { uid, ev->org_id, ev->state, ev->version };

		if ((e = x(db, a, &q_directory, 4, p, &res, st)) != APP_OK)
			return e;
	}
	if (PQntuples(res) == 0) {
		/* No membership there, or a newer directory state is stored. */
		*r = WAPPLY_STALE;
		return APP_OK;
	}
	*r = WAPPLY_APPLIED;
	status = db_get(res, 0, "status");
	if (status == NULL || strcmp(status, "active") != 0)
		return revoke_member(db, a, uid, ev->org_id, "directory_deactivated", st);
	return APP_OK;
}

static enum app_err
apply_once(struct db *db, struct arena *a, const struct wev *ev,
    enum wapply_source src, const char *cursor, enum wapply_result *r,
    char st[6])
{
	PGresult *res;
	enum app_err e;

	if ((e = db_begin(db)) != APP_OK)
		return e;
	if (ev->kind == WEV_IGNORED) {
		*r = WAPPLY_IGNORED;
	} else {
		const char *p[] = { ev->id, ev->name, ev->created_at,
		    src == WAPPLY_WEBHOOK ? "webhook" : "events_api" };

		if ((e = x(db, a, &q_record, 4, p, &res, st)) != APP_OK)
			goto fail;
		if (PQntuples(res) == 0) {
			*r = WAPPLY_DUPLICATE;
		} else {
			switch (ev->kind) {
			case WEV_USER:
			case WEV_USER_DELETED:
				e = apply_user(db, a, ev, r, st);
				break;
			case WEV_ORG:
			case WEV_ORG_DELETED:
				e = apply_org(db, a, ev, r, st);
				break;
			case WEV_MEMBERSHIP:
			case WEV_MEMBERSHIP_DELETED:
				e = apply_membership(db, a, ev, r, st);
				break;
			case WEV_DIRECTORY_USER:
				e = apply_directory_user(db, a, ev, r, st);
				break;
			case WEV_SESSION_REVOKED: {
				const char *pr[] = { ev->obj_id, "workos_session_revoked" };

				e = x(db, a, &q_revoke_workos, 2, pr, &res, st);
				*r = WAPPLY_APPLIED;
				break;
			}
			default:
				e = APP_EINTERNAL;
			}
			if (e != APP_OK)
				goto fail;
		}
	}
	if (cursor != NULL) {
		const char *p[] = { cursor, NULL };

		if ((e = x(db, a, &q_cursor, 2, p, &res, st)) != APP_OK)
			goto fail;
	}
	return db_commit(db);
fail:
	db_rollback(db);
	return e;
}

enum app_err
wapply_event(struct db *db, struct arena *a, const struct wev *ev,
    enum wapply_source src, const char *cursor, enum wapply_result *res)
{
	enum app_err e = APP_OK;

	for (int attempt = 0; attempt < 4; attempt++) {
		char st[6] = "";

		*res = WAPPLY_IGNORED;
		e = apply_once(db, a, ev, src, cursor, res, st);
		if (e == APP_OK || !retryable(st))
			break;
		log_msg(LOG_INFO, "event applied again after a concurrent change "
		    "(SQLSTATE %s)", st);
	}
	return e;
}

enum app_err
wapply_set_cursor(struct db *db, struct arena *a, const char *cursor,
    const char *range_start)
{
	PGresult *res;
	const char *p[] = { cursor, range_start };

	return db_exec(db, a, &q_cursor, 2, p, &res, NULL);
}

enum app_err
wapply_caught_up(struct db *db, struct arena *a)
{
	PGresult *res;

	return db_exec(db, a, &q_caught_up, 0, NULL, &res, NULL);
}

enum app_err
wapply_get_cursor(struct db *db, struct arena *a, const char **cursor,
    const char **range_start)
{
	PGresult *res;
	enum app_err e;

	*cursor = *range_start = NULL;
	if ((e = db_exec(db, a, &q_get_cursor, 0, NULL, &res, NULL)) != APP_OK)
		return e;
	if (PQntuples(res) == 1) {
		*cursor = db_get(res, 0, "cursor");
		*range_start = db_get(res, 0, "range_start");
	}
	return APP_OK;
}

static enum app_err
reconcile_once(struct db *db, struct arena *a, const char *wid,
    const struct wev *ms, size_t n, const char *now, int *changed, char st[6])
{
	PGresult *res, *orgs;
	enum app_err e;
	const char *p1[] = { wid };
	const char *uid;

	*changed = 0;
	if ((e = db_begin(db)) != APP_OK)
		return e;
	if ((e = x(db, a, &q_user_lock, 1, p1, &res, st)) != APP_OK)
		goto fail;
	if (PQntuples(res) == 0)
		return db_commit(db);
	uid = db_get(res, 0, "id");
	{
		char lim[16];

		snprintf(lim, sizeof(lim), "%d", WAPPLY_RECONCILE_LOCAL_MAX);
		if ((e = x(db, a, &q_user_member_orgs, 2, (const char *[]){ uid, lim },
		    &orgs, st)) != APP_OK)
			goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		enum wapply_result r;

		if ((e = member_upsert(db, a, uid, &ms[i], &r, st)) != APP_OK)
			goto fail;
		*changed += r == WAPPLY_APPLIED;
	}
	/* What WorkOS no longer lists is gone there. */
	for (int row = 0; row < PQntuples(orgs); row++) {
		const char *org = db_get(orgs, row, "organization_id");
		int listed = 0;
		struct wev gone;
		enum wapply_result r;

		for (size_t i = 0; i < n && !listed; i++)
			listed = strcmp(ms[i].org_id, org) == 0;
		if (listed)
			continue;
		memset(&gone, 0, sizeof(gone));
		gone.org_id = org;
		gone.status = "deleted";
		snprintf(gone.version, sizeof(gone.version), "%s", now);
		if ((e = member_upsert(db, a, uid, &gone, &r, st)) != APP_OK)
			goto fail;
		*changed += r == WAPPLY_APPLIED;
	}
	return db_commit(db);
fail:
	db_rollback(db);
	return e;
}

enum app_err
wapply_reconcile_user(struct db *db, struct arena *a, const char *wid,
    const struct wev *ms, size_t n, const char *now, int *changed)
{
	enum app_err e = APP_OK;

	for (int attempt = 0; attempt < 4; attempt++) {
		char st[6] = "";

		e = reconcile_once(db, a, wid, ms, n, now, changed, st);
		if (e == APP_OK || !retryable(st))
			break;
	}
	return e;
}

enum app_err
wapply_linked_users(struct db *db, struct arena *a, long long after, size_t max,
    const char ***ids, size_t *n, long long *last)
{
	PGresult *res;
	enum app_err e;
	const char **v;
	char ab[32], lim[32];
	const char *p[] = { ab, lim };
	int rows;

	*ids = NULL;
	*n = 0;
	*last = after;
	snprintf(ab, sizeof(ab), "%lld", after);
	snprintf(lim, sizeof(lim), "%zu", max);
	if ((e = db_exec(db, a, &q_linked, 2, p, &res, NULL)) != APP_OK)
		return e;
	rows = PQntuples(res);
	v = arena_calloc(a, (size_t)rows + 1, sizeof(*v));
	if (v == NULL)
		return APP_ENOMEM;
	for (int i = 0; i < rows; i++)
		v[i] = db_get(res, i, "workos_user_id");
	if (rows > 0)
		*last = strtoll(db_get(res, rows - 1, "id"), NULL, 10);
	*ids = v;
	*n = (size_t)rows;
	return APP_OK;
}

enum app_err
wapply_prune(struct db *db, struct arena *a, long long *n)
{
	PGresult *res;
	char days[16], lim[16];
	const char *p[] = { days, lim };
	enum app_err e;

	snprintf(days, sizeof(days), "%d", WAPPLY_KEEP_DAYS);
	snprintf(lim, sizeof(lim), "%d", WAPPLY_PRUNE_BATCH);
	*n = 0;
	if ((e = db_exec(db, a, &q_prune, 2, p, &res, NULL)) != APP_OK)
		return e;
	*n = strtoll(PQcmdTuples(res), NULL, 10);
	return APP_OK;
}
