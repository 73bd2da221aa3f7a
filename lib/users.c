#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "coll.h"
#include "cq.h"
#include "jw.h"
#include "log.h"
#include "qs.h"
#include "resp.h"
#include "rnd.h"
#include "users.h"
#include "workos.h"

/* Whether the query's fields (cq_compile_entry's) include name. */
static bool
asked(const struct cq *q, const char *name)
{
	for (size_t i = 0; i < q->nfields; i++)
		if (strcmp(q->fields[i]->name, name) == 0)
			return true;
	return false;
}

/*
 * The query of /api/users/me, validated as the users-permissions me
 * controller does (validateQuery on the user schema): a bad key in
 * fields, filters, sort or populate is a 400.  Answers and returns -1
 * when bad.
 */
static int
me_query(struct req *r, struct cq *q)
{
	struct cq_error err;
	json_object *qs = NULL;
	enum app_err e;

	if (qs_parse(r->arena, r->query, strlen(r->query), &qs) != APP_OK) {
		resp_fail(r, APP_ENOMEM);
		return -1;
	}
	e = cq_compile_entry(r->arena, &coll_users, qs, 4, q, &err);
	if (e == APP_EINPUT) {
		resp_error(r, err.status, err.name, err.message, err.details);
		return -1;
	}
	if (e != APP_OK) {
		resp_fail(r, e);
		return -1;
	}
	return 0;
}

/*
 * Does the caller's user row match the query's filters?  Strapi's
 * user.fetch ANDs them with the id.  1 yes, 0 no, -1 answered (error).
 * The row is shaped as /api/users/me shows it, the token's organization
 * and role included, so every key of the answer can be filtered on.
 */
static int
me_matches(struct req *r, const struct cq *q)
{
	const struct auth_user *u = r->user;
	char idbuf[32];
	const char **p;
	struct sbuf sql;
	PGresult *res;
	enum app_err e;

	if (strcmp(q->where, "TRUE") == 0)
		return 1;
	p = arena_calloc(r->arena, (size_t)q->nparams + 3, sizeof(*p));
	if (p == NULL) {
		resp_fail(r, APP_ENOMEM);
		return -1;
	}
	snprintf(idbuf, sizeof(idbuf), "%lld", u->id);
	p[0] = idbuf;
	p[1] = u->org;
	p[2] = u->org_role;
	for (int i = 0; i < q->nparams; i++)
		p[3 + i] = q->params[i];
	sbuf_init(&sql, r->arena, 4 * 1024 * 1024);
	sbuf_printf(&sql, "SELECT 1 FROM (SELECT id, document_id, username, email,"
	    " provider, confirmed, blocked, created_at, updated_at, first_name,"
	    " last_name, $2::text AS organization_id, $3::text AS role_slug"
	    " FROM users WHERE id = $1) AS me WHERE (%s)", q->where);
	if (sbuf_err(&sql) != APP_OK) {
		resp_error(r, 400, "ValidationError", "The query is too complex", NULL);
		return -1;
	}
	e = db_exec_sql(&r->app->db, r->arena, sql.data, q->nparams + 3, p, &res, NULL);
	if (e != APP_OK) {
		resp_fail(r, e);
		return -1;
	}
	return PQntuples(res) == 1;
}

void
users_me(struct req *r)
{
	const struct auth_user *u;
	struct sbuf sb;
	struct jw w;
	struct cq q;

	if (auth_require(r, "plugin::users-permissions.user.me") != 0)
		return;
	u = r->user;
	if (u == NULL) { /* the public role was granted user.me: no one to show */
		resp_error(r, 401, "UnauthorizedError", "Unauthorized", NULL);
		return;
	}
	if (me_query(r, &q) != 0)
		return;
	switch (me_matches(r, &q)) {
	case 1:
		break;
	case 0:
		/*
		 * Strapi finds no user and sets a null body; what Koa and
		 * Strapi then send is not certain without running them.  The
		 * suite answers as findOne does when nothing matches.
		 */
		resp_error(r, 404, "NotFoundError", "Not Found", NULL);
		return;
	default:
		return;
	}
	sbuf_init(&sb, r->arena, 64 * 1024);
	jw_init(&w, &sb);
	jw_obj_open(&w);
	jw_kint(&w, "id", u->id);
	jw_kstr(&w, "documentId", u->document_id);
	if (asked(&q, "username"))
		jw_kstr(&w, "username", u->username);
	if (asked(&q, "email"))
		jw_kstr(&w, "email", u->email);
	if (asked(&q, "provider"))
		jw_kstr(&w, "provider", u->provider);
	if (asked(&q, "confirmed"))
		jw_kbool(&w, "confirmed", u->confirmed);
	if (asked(&q, "blocked"))
		jw_kbool(&w, "blocked", u->blocked);
	if (asked(&q, "createdAt"))
		jw_kstr(&w, "createdAt", u->created_at);
	if (asked(&q, "updatedAt"))
		jw_kstr(&w, "updatedAt", u->updated_at);
	if (asked(&q, "firstName"))
		jw_kstr(&w, "firstName", u->first_name);
	if (asked(&q, "lastName"))
		jw_kstr(&w, "lastName", u->last_name);
	if (asked(&q, "organizationId"))
		jw_kstr(&w, "organizationId", u->org);
	if (asked(&q, "role"))
		jw_kstr(&w, "role", u->org_role);
	jw_obj_close(&w);
	resp_header(r, "Cache-Control", "no-store");
	resp_json(r, 200, &sb);
}

static struct db_stmt q_by_wid = DB_STMT("users_by_wid",
    "SELECT id, blocked FROM users WHERE workos_user_id = $1 FOR UPDATE");
static struct db_stmt q_by_email = DB_STMT("users_by_email",
    "SELECT id, blocked, workos_user_id FROM users WHERE email = lower($1) FOR UPDATE");
/*
 * A changed WorkOS e-mail follows when WorkOS verified it and no other
 * account has it.  Names follow unless a WorkOS event already stored a
 * newer version ($7, the user's updated_at; NULL when unknown).  Linking
 * another WorkOS user (a person re-created at WorkOS) starts afresh.  The
 * username does not follow: Strapi keeps it once made (it is an
 * identifier others may know), so "dev" stays "dev" when WorkOS says "DEV".
 */
static struct db_stmt q_refresh = DB_STMT("users_refresh_v2",
    "UPDATE users u SET workos_user_id = $2, workos_deleted_at = NULL,"
    " first_name = CASE WHEN f.fresh THEN $3 ELSE u.first_name END,"
    " last_name = CASE WHEN f.fresh THEN $4 ELSE u.last_name END,"
    " email = CASE WHEN f.fresh AND $6::boolean AND NOT EXISTS (SELECT 1 FROM users o"
    "   WHERE o.email = lower($5) AND o.id <> $1) THEN lower($5) ELSE u.email END,"
    " confirmed = CASE WHEN lower($5) = u.email THEN $6::boolean"
    "   WHEN f.fresh AND $6::boolean AND NOT EXISTS (SELECT 1 FROM users o"
    "   WHERE o.email = lower($5) AND o.id <> $1) THEN true ELSE u.confirmed END,"
    " workos_updated_at = CASE WHEN u.workos_user_id IS DISTINCT FROM $2"
    "   THEN $7::timestamptz ELSE greatest(u.workos_updated_at, $7::timestamptz) END,"
    " updated_at = now()"
    " FROM (SELECT (w.workos_user_id IS DISTINCT FROM $2 OR w.workos_updated_at IS NULL"
    "   OR $7::timestamptz IS NULL OR $7::timestamptz >= w.workos_updated_at) AS fresh"
    "   FROM users w WHERE w.id = $1) f"
    " WHERE u.id = $1 RETURNING u.id, u.document_id, u.username, u.email");
/*
 * New users of one username base take turns: the lock is held to the end
 * of the transaction, and users_free_username, run after it in the same
 * pipeline, is a statement of its own, so under READ COMMITTED it sees the
 * name the last holder took.  Without it, parallel first sign-ins of
 * people named alike chose the same free name and all but one had to
 * choose again, which a burst could exhaust.
 */
static struct db_stmt q_username_lock = DB_STMT("users_username_lock",
    "SELECT pg_advisory_xact_lock(" DB_LOCK_USERNAME ", hashtext($1))");
/* sql/0005_users_fidelity.sql: one bounded statement, whatever the count. */
static struct db_stmt q_free_username = DB_STMT("users_free_username",
    "SELECT users_free_username($1) AS username");
static struct db_stmt q_insert = DB_STMT("users_insert",
    "INSERT INTO users (document_id, username, email, provider, workos_user_id,"
    " first_name, last_name, confirmed, role_id, workos_updated_at)"
    " SELECT $1, $2, lower($3), 'workos', $4, $5, $6, $7::boolean, id,"
    " $8::timestamptz FROM roles WHERE type = 'authenticated'"
    " ON CONFLICT DO NOTHING RETURNING id, document_id, username, email");
/*
 * The token's role is current; its organization says WorkOS let the person
 * in, but a membership that WorkOS events or the organization's directory
 * marked not active stays so until WorkOS says otherwise.
 */
static struct db_stmt q_member = DB_STMT("users_member",
    "INSERT INTO memberships AS m (user_id, organization_id, role_slug, status,"
    " workos_status) VALUES ($1, $2, $3, 'active', 'active')"
    " ON CONFLICT (user_id, organization_id) DO UPDATE SET role_slug = EXCLUDED.role_slug,"
    " status = CASE WHEN m.workos_status IN ('inactive', 'pending', 'deleted')"
    "   OR m.directory_state IN ('inactive', 'suspended', 'deleted')"
    "   THEN m.status ELSE 'active' END,"
    " workos_status = coalesce(m.workos_status, 'active'),"
    " updated_at = now() RETURNING status");

const char *
users_display_name(struct arena *a, const char *first, const char *last,
    const char *email)
{
	struct sbuf sb;
	size_t end = 0, chars = 0;

	sbuf_init(&sb, a, 256 * 1024);
	if (first != NULL)
		sbuf_puts(&sb, first);
	if (last != NULL) {
		if (sb.len > 0)
			sbuf_putc(&sb, ' ');
		sbuf_puts(&sb, last);
	}
	if (sb.len == 0)
		sbuf_putn(&sb, email, strcspn(email, "@"));
	if (sb.len == 0)
		sbuf_puts(&sb, email);
	if (sb.len == 0)
		sbuf_puts(&sb, "user");
	if (sbuf_err(&sb) != APP_OK)
		return NULL;
	/* At most 255 characters (the column's rule), cut between characters. */
	while (end < sb.len && chars < 255) {
		end++;
		while (end < sb.len && ((unsigned char)sb.data[end] & 0xc0) == 0x80)
			end++;
		chars++;
	}
	sbuf_truncate(&sb, end);
	return sb.data;
}

/* "<workos user id, lower case>@unverified.invalid" (RFC 2606 .invalid). */
static const char *
placeholder_email(struct arena *a, const char *user_id)
{
	struct sbuf sb;

	sbuf_init(&sb, a, 1024);
	for (const char *p = user_id; *p; p++)
		sbuf_putc(&sb, (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p);
	sbuf_puts(&sb, "@unverified.invalid");
	return sbuf_err(&sb) == APP_OK ? sb.data : NULL;
}

/*
 * A free username from base for a new user, as Strapi keeps them unique;
 * the caller's transaction holds the base's turn from here to its end.
 */
static enum app_err
free_username(struct req *r, const char *base, const char **out)
{
	const char *p[] = { base };
	struct db_item it[2] = {
		{ .stmt = &q_username_lock, .n = 1, .params = p },
		{ .stmt = &q_free_username, .n = 1, .params = p },
	};
	PGresult *res;
	enum app_err e;

	/* Outside a transaction the turn would end before the insert. */
	if (!r->app->db.in_tx)
		return APP_EINTERNAL;
	e = db_exec_batch(&r->app->db, r->arena, it, 2);
	if (e != APP_OK)
		return e;
	res = it[1].res;
	if (PQntuples(res) != 1 || (*out = db_get(res, 0, "username")) == NULL)
		return APP_EINTERNAL;
	return APP_OK;
}

static void
fill(struct users_signed_in *out, PGresult *res)
{
	out->id = db_get_ll(res, 0, "id", 0);
	out->document_id = db_get(res, 0, "document_id");
	out->username = db_get(res, 0, "username");
	out->email = db_get(res, 0, "email");
}

/* Find and refresh an existing account: 1 found, 0 none, -1 error/refusal. */
static int
match(struct req *r, const struct workos_auth *wa,
    struct users_signed_in *out, enum app_err *e, const char **why)
{
	struct db *db = &r->app->db;
	PGresult *res;
	const char *p1[] = { wa->user_id };
	const char *pe[] = { wa->email };
	const char *id;

	*e = db_exec(db, r->arena, &q_by_wid, 1, p1, &res, NULL);
	if (*e != APP_OK)
		return -1;
	if (PQntuples(res) == 0) {
		*e = db_exec(db, r->arena, &q_by_email, 1, pe, &res, NULL);
		if (*e != APP_OK)
			return -1;
		if (PQntuples(res) == 0)
			return 0;
		const char *linked = db_get(res, 0, "workos_user_id");

		/* linked == ours: a parallel sign-in of this person got there first. */
		if ((linked != NULL && strcmp(linked, wa->user_id) != 0) ||
		    (linked == NULL && !wa->email_verified)) {
			/* The tutorial linked here unconditionally: account takeover. */
			log_msg(LOG_WARN, "refused to link WorkOS user \"%s\" to an existing "
			    "account by an e-mail that is %s", wa->user_id,
			    wa->email_verified ? "linked to another WorkOS user" : "not verified");
			*why = linked != NULL ?
			    "This e-mail belongs to an account linked to another WorkOS user" :
			    "This e-mail belongs to an existing account and is not verified "
			    "at WorkOS";
			*e = APP_EFORBIDDEN;
			return -1;
		}
	}
	if (db_get_bool(res, 0, "blocked")) {
		*why = "Your account has been blocked by an administrator";
		*e = APP_EAUTH;
		return -1;
	}
	id = db_get(res, 0, "id");
	{
		const char *p[] = { id, wa->user_id, wa->first_name,
		    wa->last_name, wa->email, wa->email_verified ? "true" : "false",
		    wa->updated_at };

		*e = db_exec(db, r->arena, &q_refresh, 7, p, &res, NULL);
	}
	if (*e != APP_OK)
		return -1;
	fill(out, res);
	return 1;
}

enum app_err
users_sign_in(struct req *r, const struct workos_auth *wa,
    struct users_signed_in *out, const char **why)
{
	struct db *db = &r->app->db;
	const char *name = users_display_name(r->arena, wa->first_name,
	    wa->last_name, wa->email);
	char did[RND_DOCUMENT_ID_LEN + 1];
	enum app_err e;
	PGresult *res;
	int found;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (name == NULL)
		return APP_ENOMEM;
	if ((e = db_begin(db)) != APP_OK)
		return e;
	found = match(r, wa, out, &e, why);
	/*
	 * A new user.  When the insert conflicts, either a parallel first
	 * sign-in of the same person committed the row (match finds it), or
	 * another person took the username meanwhile: choose again.
	 */
	for (int attempt = 0; found == 0 && attempt < 5; attempt++) {
		/*
		 * An unverified address is not the person's to claim: the
		 * account gets a placeholder that no owner can ever need.
		 */
		const char *email = wa->email_verified ? wa->email :
		    placeholder_email(r->arena, wa->user_id);
		const char *uname = NULL;

		if (email == NULL) {
			e = APP_ENOMEM;
			goto fail;
		}
		if ((e = free_username(r, name, &uname)) != APP_OK)
			goto fail;
		{
			const char *p[] = { did, uname, email, wa->user_id,
			    wa->first_name, wa->last_name,
			    wa->email_verified ? "true" : "false", wa->updated_at };

			if ((e = rnd_document_id(did)) != APP_OK ||
			    (e = db_exec(db, r->arena, &q_insert, 8, p, &res, NULL)) != APP_OK)
				goto fail;
		}
		if (PQntuples(res) == 1) {
			fill(out, res);
			found = 1;
		} else
			found = match(r, wa, out, &e, why);
	}
	if (found == 0) {
		log_msg(LOG_ERR, "could not find a free username for WorkOS user "
		    "\"%s\": every choice was taken meanwhile", wa->user_id);
		e = APP_EDB;
	}
	if (found != 1)
		goto fail;

	if (wa->org_id != NULL) {
		const char *role = wa->role;
		bool active;

		if ((e = users_record_membership(r, out->id, wa->org_id, NULL, role,
		    &active)) != APP_OK)
			goto fail;
		if (!active) {
			*why = USERS_MEMBERSHIP_INACTIVE;
			e = APP_EFORBIDDEN;
			goto fail;
		}
		out->org = wa->org_id;
		out->org_role = role;
	}
	if ((e = db_commit(db)) != APP_OK)
		goto fail;
	return APP_OK;
fail:
	db_rollback(db);
	return e;
}

static struct db_stmt q_org_named = DB_STMT("users_org_named",
    "INSERT INTO organizations (id, name) VALUES ($1, $2) ON CONFLICT (id)"
    /* Writes only to fill a missing name: no new row version otherwise. */
    " DO UPDATE SET name = EXCLUDED.name"
    " WHERE organizations.name IS NULL AND EXCLUDED.name IS NOT NULL");

enum app_err
users_record_membership(struct req *r, long long user_id, const char *org,
    const char *name, const char *role, bool *active)
{
	char idbuf[32];
	const char *po[] = { org, name };
	const char *pm[] = { idbuf, org, role };
	PGresult *res;
	enum app_err e;

	snprintf(idbuf, sizeof(idbuf), "%lld", user_id);
	if ((e = db_exec(&r->app->db, r->arena, &q_org_named, 2, po, &res, NULL)) != APP_OK)
		return e;
	if ((e = db_exec(&r->app->db, r->arena, &q_member, 3, pm, &res, NULL)) != APP_OK)
		return e;
	if (active != NULL)
		*active = strcmp(db_get(res, 0, "status") ?: "", "active") == 0;
	return APP_OK;
}

static struct db_stmt q_member_ended = DB_STMT("users_member_ended",
    "SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = $1"
    " AND organization_id = $2 AND status <> 'active') AS ended");

enum app_err
users_membership_ended(struct req *r, long long user_id, const char *org,
    bool *ended)
{
	char id[32];
	const char *p[] = { id, org };
	PGresult *res;
	enum app_err e;

	*ended = false;
	snprintf(id, sizeof(id), "%lld", user_id);
	e = db_exec(&r->app->db, r->arena, &q_member_ended, 2, p, &res, NULL);
	if (e == APP_OK)
		*ended = db_get_bool(res, 0, "ended");
	return e;
}

static struct db_stmt q_my_orgs = DB_STMT("users_my_orgs",
    "SELECT m.organization_id, o.name, m.role_slug FROM memberships m"
    " JOIN organizations o ON o.id = m.organization_id"
    " WHERE m.user_id = $1 AND m.status = 'active'"
    " ORDER BY o.name NULLS LAST, m.organization_id LIMIT $2");

void
users_me_organizations(struct req *r)
{
	char idbuf[32], lim[16];
	const char *p[] = { idbuf, lim };
	PGresult *res;
	struct sbuf sb;
	struct jw w;
	enum app_err e;

	if (auth_require(r, "plugin::users-permissions.user.me") != 0)
		return;
	if (r->user == NULL) {
		resp_error(r, 401, "UnauthorizedError", "Unauthorized", NULL);
		return;
	}
	snprintf(idbuf, sizeof(idbuf), "%lld", r->user->id);
	snprintf(lim, sizeof(lim), "%d", USERS_MY_ORGS_MAX);
	if ((e = db_exec(&r->app->db, r->arena, &q_my_orgs, 2, p, &res, NULL)) != APP_OK) {
		resp_fail(r, e);
		return;
	}
	sbuf_init(&sb, r->arena, 1024 * 1024);
	jw_init(&w, &sb);
	jw_obj_open(&w);
	jw_key(&w, "data");
	jw_arr_open(&w);
	for (int i = 0; i < PQntuples(res); i++) {
		jw_obj_open(&w);
		jw_kstr(&w, "organizationId", db_get(res, i, "organization_id"));
		jw_kstr(&w, "name", db_get(res, i, "name"));
		jw_kstr(&w, "role", db_get(res, i, "role_slug"));
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_obj_close(&w);
	resp_header(r, "Cache-Control", "no-store");
	resp_json(r, 200, &sb);
}
