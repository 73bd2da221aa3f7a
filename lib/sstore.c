#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "log.h"
#include "mac.h"
#include "rnd.h"
#include "sstore.h"

void
sstore_keys_derive(struct sstore_keys *k, const char *password)
{
	static const char rot_label[] = "workos-strapi-c session refresh rotation v1";

	aead_key_derive(&k->seal, password, "workos-strapi-c session WorkOS refresh token v1");
	mac_derive_key(password, rot_label, k->rotate);
}

int
sstore_token_parse(const char *tok, size_t n, char id[SSTORE_ID_LEN + 1],
    unsigned char secret[SSTORE_SECRET_BYTES])
{
	if (tok == NULL || n != SSTORE_TOKEN_LEN || tok[SSTORE_ID_LEN] != '.')
		return -1;
	if (tok[0] < 'a' || tok[0] > 'z' ||
	    strspn(tok, "abcdefghijklmnopqrstuvwxyz0123456789") != SSTORE_ID_LEN)
		return -1;
	if (b64url_decode(secret, tok + SSTORE_ID_LEN + 1, 43) != SSTORE_SECRET_BYTES)
		return -1;
	memcpy(id, tok, SSTORE_ID_LEN);
	id[SSTORE_ID_LEN] = '\0';
	return 0;
}

static void
hex_sha256(const unsigned char *secret, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[MAC_SHA256_BYTES];

	mac_sha256(secret, SSTORE_SECRET_BYTES, md);
	for (int i = 0; i < MAC_SHA256_BYTES; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

static void
next_secret(const struct sstore_keys *k, const unsigned char *secret,
    unsigned char out[SSTORE_SECRET_BYTES])
{
	mac_hmac_sha256(k->rotate, sizeof(k->rotate), secret, SSTORE_SECRET_BYTES, out);
}

static char *
make_token(struct arena *a, const char *id, const unsigned char *secret)
{
	char *t = arena_alloc(a, SSTORE_TOKEN_LEN + 1);

	if (t == NULL)
		return NULL;
	memcpy(t, id, SSTORE_ID_LEN);
	t[SSTORE_ID_LEN] = '.';
	b64url_encode(t + SSTORE_ID_LEN + 1, secret, SSTORE_SECRET_BYTES);
	return t;
}

static struct db_stmt q_create = DB_STMT("sstore_create",
    "INSERT INTO sessions (id, user_id, organization_id, workos_session_id,"
    " workos_refresh, workos_access_exp, refresh_hash, mode, idle_expires_at,"
    " expires_at, ip, user_agent)"
    " VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::bigint > 0 THEN to_timestamp($6::bigint) END,"
    " decode($7, 'hex'), $8, now() + make_interval(secs => $9::bigint),"
    " now() + make_interval(secs => $10::bigint), $11, left($12, 512))");

enum app_err
sstore_create(struct db *db, struct arena *a, const struct sstore_keys *k,
    const struct cfg *cfg, const struct sstore_new *n,
    char id[SSTORE_ID_LEN + 1], char **token)
{
	unsigned char secret[SSTORE_SECRET_BYTES];
	char hash[65], uid[32], wexp[32], idle[32], max[32];
	const char *sealed = NULL;
	PGresult *res;
	enum app_err e;

	if (rnd_document_id(id) != APP_OK || rnd_bytes(secret, sizeof(secret)) != APP_OK)
		return APP_EINTERNAL;
	if (n->workos_refresh != NULL) {
		sealed = aead_seal(a, &k->seal, id, n->workos_refresh,
		    strlen(n->workos_refresh));
		if (sealed == NULL)
			return APP_ENOMEM;
	}
	hex_sha256(secret, hash);
	snprintf(uid, sizeof(uid), "%lld", n->user_id);
	snprintf(wexp, sizeof(wexp), "%lld", n->workos_access_exp);
	/* A browser session never outlives its absolute expiry when idle. */
	snprintf(idle, sizeof(idle), "%lld", cfg->session_idle_ttl);
	snprintf(max, sizeof(max), "%lld", cfg->session_max_ttl);
	{
		const char *p[] = { id, uid, n->org, n->workos_session_id, sealed,
		    wexp, hash, n->browser ? "browser" : "api", idle, max, n->ip,
		    n->user_agent };

		e = db_exec(db, a, &q_create, 12, p, &res, NULL);
	}
	if (e == APP_OK) {
		*token = make_token(a, id, secret);
		if (*token == NULL)
			e = APP_ENOMEM;
	}
	explicit_bzero(secret, sizeof(secret));
	return e;
}

static struct db_stmt q_lock = DB_STMT("sstore_lock",
    "SELECT s.user_id, s.organization_id, s.workos_session_id, s.workos_refresh,"
    " coalesce(extract(epoch FROM s.workos_access_exp)::bigint, 0) AS wexp,"
    " s.mode, encode(s.refresh_hash, 'hex') AS h,"
    " encode(s.prev_refresh_hash, 'hex') AS ph,"
    " coalesce(s.prev_until > now(), false) AS in_grace,"
    " s.revoked_at IS NOT NULL AS revoked,"
    " (s.revoked_at IS NULL AND s.idle_expires_at > now()"
    "  AND s.expires_at > now()) AS live,"
    " (u.blocked OR u.workos_deleted_at IS NOT NULL) AS blocked"
    " FROM sessions s JOIN users u ON u.id = s.user_id"
    " WHERE s.id = $1 FOR UPDATE OF s");

enum app_err
sstore_lock(struct db *db, struct arena *a, const char *id, struct sstore_row *row)
{
	const char *p[] = { id };
	const char *h, *ph;
	PGresult *res;
	enum app_err e;

	memset(row, 0, sizeof(*row));
	e = db_exec(db, a, &q_lock, 1, p, &res, NULL);
	if (e != APP_OK)
		return e;
	if (PQntuples(res) != 1)
		return APP_ENOTFOUND;
	snprintf(row->id, sizeof(row->id), "%s", id);
	row->user_id = db_get_ll(res, 0, "user_id", 0);
	row->org = db_get(res, 0, "organization_id");
	row->workos_session_id = db_get(res, 0, "workos_session_id");
	row->workos_refresh = db_get(res, 0, "workos_refresh");
	row->workos_access_exp = db_get_ll(res, 0, "wexp", 0);
	row->browser = strcmp(db_get(res, 0, "mode"), "browser") == 0;
	row->live = db_get_bool(res, 0, "live");
	row->revoked = db_get_bool(res, 0, "revoked");
	row->user_blocked = db_get_bool(res, 0, "blocked");
	row->prev_in_grace = db_get_bool(res, 0, "in_grace");
	h = db_get(res, 0, "h");
	ph = db_get(res, 0, "ph");
	snprintf(row->hash, sizeof(row->hash), "%s", h ? h : "");
	snprintf(row->prev, sizeof(row->prev), "%s", ph ? ph : "");
	return APP_OK;
}

enum sstore_match
sstore_match(const struct sstore_row *row,
    const unsigned char secret[SSTORE_SECRET_BYTES])
{
	char h[65];

	hex_sha256(secret, h);
	if (strlen(row->hash) == 64 && mac_equal(h, row->hash, 64))
		return SSTORE_CURRENT;
	if (strlen(row->prev) == 64 && mac_equal(h, row->prev, 64))
		return row->prev_in_grace ? SSTORE_GRACE : SSTORE_REUSED;
	return SSTORE_WRONG;
}

bool
sstore_older(const struct sstore_keys *k, const struct sstore_row *row,
    const unsigned char secret[SSTORE_SECRET_BYTES])
{
	unsigned char s[SSTORE_SECRET_BYTES], n[SSTORE_SECRET_BYTES];
	bool has_prev = strlen(row->prev) == 64, found = false;
	char h[65];

	if (strlen(row->hash) != 64)
		return false;
	memcpy(s, secret, sizeof(s));
	for (int i = 0; i < SSTORE_CHAIN_MAX && !found; i++) {
		next_secret(k, s, n);
		hex_sha256(n, h);
		found = (has_prev && mac_equal(h, row->prev, 64)) ||
		    mac_equal(h, row->hash, 64);
		memcpy(s, n, sizeof(s));
	}
	explicit_bzero(s, sizeof(s));
	explicit_bzero(n, sizeof(n));
	return found;
}

static struct db_stmt q_rotate = DB_STMT("sstore_rotate",
    "UPDATE sessions SET prev_refresh_hash = refresh_hash,"
    " refresh_hash = decode($2, 'hex'),"
    " prev_until = now() + make_interval(secs => $3::bigint),"
    " last_used_at = now(),"
    " idle_expires_at = least(now() + make_interval(secs => $4::bigint), expires_at),"
    " ip = coalesce($5, ip), user_agent = coalesce(left($6, 512), user_agent)"
    " WHERE id = $1");
static struct db_stmt q_touch = DB_STMT("sstore_touch",
    "UPDATE sessions SET last_used_at = now(),"
    " idle_expires_at = least(now() + make_interval(secs => $2::bigint), expires_at)"
    " WHERE id = $1");

enum app_err
sstore_refresh(struct db *db, struct arena *a, const struct sstore_keys *k,
    const struct cfg *cfg, const struct sstore_row *row, enum sstore_match m,
    const unsigned char secret[SSTORE_SECRET_BYTES], const char *ip,
    const char *user_agent, char **token)
{
	unsigned char next[SSTORE_SECRET_BYTES];
	char h[65], grace[16], idle[32];
	PGresult *res;
	enum app_err e;

	next_secret(k, secret, next);
	hex_sha256(next, h);
	snprintf(grace, sizeof(grace), "%d", SSTORE_GRACE_SECONDS);
	snprintf(idle, sizeof(idle), "%lld", cfg->session_idle_ttl);
	if (m == SSTORE_CURRENT) {
		const char *p[] = { row->id, h, grace, idle, ip, user_agent };

		e = db_exec(db, a, &q_rotate, 6, p, &res, NULL);
	} else if (m == SSTORE_GRACE && mac_equal(h, row->hash, 64)) {
		const char *p[] = { row->id, idle };

		e = db_exec(db, a, &q_touch, 2, p, &res, NULL);
	} else {
		/* The previous secret, but the session has moved on twice since. */
		e = APP_EAUTH;
	}
	if (e == APP_OK) {
		*token = make_token(a, row->id, next);
		if (*token == NULL)
			e = APP_ENOMEM;
	}
	explicit_bzero(next, sizeof(next));
	return e;
}

static struct db_stmt q_workos = DB_STMT("sstore_workos",
    "UPDATE sessions SET workos_refresh = $2,"
    " workos_access_exp = CASE WHEN $3::bigint > 0 THEN to_timestamp($3::bigint) END,"
    " organization_id = CASE WHEN $5 THEN $4 ELSE organization_id END"
    " WHERE id = $1");

enum app_err
sstore_set_workos(struct db *db, struct arena *a, const struct sstore_keys *k,
    const char *id, const char *org, bool set_org, const char *workos_refresh,
    long long access_exp)
{
	const char *sealed = NULL;
	char exp[32];
	PGresult *res;

	if (workos_refresh != NULL) {
		sealed = aead_seal(a, &k->seal, id, workos_refresh, strlen(workos_refresh));
		if (sealed == NULL)
			return APP_ENOMEM;
	}
	snprintf(exp, sizeof(exp), "%lld", access_exp);
	{
		const char *p[] = { id, sealed, exp, org, set_org ? "t" : "f" };

		return db_exec(db, a, &q_workos, 5, p, &res, NULL);
	}
}

const char *
sstore_workos_refresh(struct arena *a, const struct sstore_keys *k,
    const struct sstore_row *row)
{
	char *plain;
	size_t n;

	if (row->workos_refresh == NULL)
		return NULL;
	if (aead_open(a, &k->seal, row->id, row->workos_refresh, &plain, &n) != APP_OK) {
		/* WORKOS_COOKIE_PASSWORD changed, or the row was tampered with. */
		log_msg(LOG_WARN, "session %s: its WorkOS refresh token does not open "
		    "under the current key", row->id);
		return NULL;
	}
	return plain;
}

static struct db_stmt q_revoke = DB_STMT("sstore_revoke",
    "UPDATE sessions SET revoked_at = now(), revoked_reason = $2"
    " WHERE id = $1 AND revoked_at IS NULL");

enum app_err
sstore_revoke(struct db *db, struct arena *a, const char *id, const char *reason)
{
	const char *p[] = { id, reason };
	PGresult *res;

	return db_exec(db, a, &q_revoke, 2, p, &res, NULL);
}

/*
 * Every live session ends (one statement on the partial index of live
 * sessions); what it answers is bounded: the distinct WorkOS sessions
 * behind them, most recently used first, at most $3.
 */
static struct db_stmt q_revoke_user = DB_STMT("sstore_revoke_user",
    "WITH ended AS (UPDATE sessions SET revoked_at = now(), revoked_reason = $2"
    " WHERE user_id = $1 AND revoked_at IS NULL"
    " RETURNING workos_session_id, last_used_at)"
    " SELECT workos_session_id FROM ended WHERE workos_session_id IS NOT NULL"
    " GROUP BY workos_session_id ORDER BY max(last_used_at) DESC, workos_session_id"
    " LIMIT $3");

enum app_err
sstore_revoke_user(struct db *db, struct arena *a, long long user_id,
    const char *reason, size_t max, const char ***wids, size_t *nw)
{
	char uid[32], lim[32];
	const char *p[] = { uid, reason, lim };
	PGresult *res;
	enum app_err e;
	int rows;

	snprintf(uid, sizeof(uid), "%lld", user_id);
	snprintf(lim, sizeof(lim), "%zu", wids == NULL ? (size_t)0 : max);
	if (wids != NULL) {
		*wids = NULL;
		*nw = 0;
	}
	e = db_exec(db, a, &q_revoke_user, 3, p, &res, NULL);
	if (e != APP_OK || wids == NULL)
		return e;
	rows = PQntuples(res);
	*wids = arena_calloc(a, (size_t)rows + 1, sizeof(**wids));
	if (*wids == NULL)
		return APP_ENOMEM;
	for (int i = 0; i < rows; i++) {
		const char *w = db_get(res, i, "workos_session_id");

		if (w != NULL)
			(*wids)[(*nw)++] = w;
	}
	return APP_OK;
}

static struct db_stmt q_revoke_own = DB_STMT("sstore_revoke_own",
    "UPDATE sessions SET revoked_at = now(), revoked_reason = 'ended by its user'"
    " WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL"
    " AND idle_expires_at > now() AND expires_at > now()"
    " RETURNING workos_session_id");

enum app_err
sstore_revoke_own(struct db *db, struct arena *a, const char *id,
    long long user_id, const char **wid)
{
	char uid[32];
	const char *p[] = { id, uid };
	PGresult *res;
	enum app_err e;

	*wid = NULL;
	snprintf(uid, sizeof(uid), "%lld", user_id);
	e = db_exec(db, a, &q_revoke_own, 2, p, &res, NULL);
	if (e != APP_OK)
		return e;
	if (PQntuples(res) != 1)
		return APP_ENOTFOUND;
	*wid = db_get(res, 0, "workos_session_id");
	return APP_OK;
}

static struct db_stmt q_check = DB_STMT("sstore_check",
    "SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id"
    " WHERE s.id = $1 AND s.user_id = $2 AND NOT u.blocked"
    " AND u.workos_deleted_at IS NULL"
    " AND s.revoked_at IS NULL AND s.idle_expires_at > now()"
    " AND s.expires_at > now()");

int
sstore_check(struct db *db, struct arena *a, const char *id, long long user_id,
    enum app_err *e)
{
	char uid[32];
	const char *p[] = { id, uid };
	PGresult *res;

	snprintf(uid, sizeof(uid), "%lld", user_id);
	*e = db_exec(db, a, &q_check, 2, p, &res, NULL);
	if (*e != APP_OK)
		return -1;
	return PQntuples(res) == 1;
}
