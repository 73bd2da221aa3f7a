/*
 * sstore.h - the sessions table (DESIGN.md, "Sessions"): one row per
 * sign-in, its refresh secret, its WorkOS side, its end.
 *
 * A refresh token is "<session id>.<secret>": the id (24 of [a-z0-9])
 * finds the row, the secret (32 random bytes, base64url) proves the
 * holder.  Only SHA-256 of the secret is stored.  Each refresh replaces
 * the secret with HMAC-SHA256(rotation key, old secret): the next secret
 * follows from the previous one, so a refresh that presents the previous
 * secret within the grace period gets the very same new token (two tabs
 * refreshing at once both succeed), and nothing but the holder of the
 * previous secret can compute it.  The previous secret presented after the
 * grace period ends the session (refresh-token reuse detection, RFC 9700
 * §4.14.2).  The WorkOS refresh token is kept sealed (aead.h) with the
 * session id as associated data.
 */
#ifndef SSTORE_H
#define SSTORE_H

#include <stdbool.h>

#include "aead.h"
#include "app.h"
#include "arena.h"
#include "cfg.h"
#include "db.h"

#define SSTORE_ID_LEN 24
#define SSTORE_SECRET_BYTES 32
#define SSTORE_TOKEN_LEN (SSTORE_ID_LEN + 1 + 43) /* bytes, no NUL */
#define SSTORE_GRACE_SECONDS 10

struct sstore_keys {
	struct aead_key seal;       /* the WorkOS refresh token */
	unsigned char rotate[32];   /* secret n -> secret n + 1 */
};

/* Derive both keys from WORKOS_COOKIE_PASSWORD (labelled, per purpose). */
void sstore_keys_derive(struct sstore_keys *k, const char *password);

/*
 * Split a refresh token (n bytes) into its session id and secret.
 * 0 on success, -1 when it is not a well-formed token.
 */
int sstore_token_parse(const char *tok, size_t n, char id[SSTORE_ID_LEN + 1],
    unsigned char secret[SSTORE_SECRET_BYTES]);

struct sstore_new {
	long long user_id;
	const char *org;               /* NULL: no organization */
	const char *workos_session_id; /* may be NULL */
	const char *workos_refresh;    /* plain; sealed before it is stored */
	long long workos_access_exp;   /* Unix seconds; 0 unknown */
	bool browser;                  /* cookie session (else API client) */
	const char *ip, *user_agent;   /* may be NULL */
};

/*
 * Insert a session (inside the caller's transaction, if any).  id gets
 * its id; *token the refresh token (on a).  Idle and absolute expiry come
 * from cfg (SESSION_IDLE_TTL, SESSION_MAX_TTL).
 */
enum app_err sstore_create(struct db *db, struct arena *a,
    const struct sstore_keys *k, const struct cfg *cfg,
    const struct sstore_new *n, char id[SSTORE_ID_LEN + 1], char **token);

/* A session row, read under its row lock by sstore_lock(). */
struct sstore_row {
	char id[SSTORE_ID_LEN + 1];
	long long user_id;
	const char *org;               /* NULL: none */
	const char *workos_session_id; /* NULL: unknown */
	const char *workos_refresh;    /* sealed, NULL: none */
	long long workos_access_exp;   /* Unix seconds, 0: unknown */
	bool browser;
	bool live;                     /* not revoked, not past either expiry */
	bool user_blocked;
	bool revoked;                  /* revoked_at is set */
	char hash[65], prev[65];       /* hex SHA-256; prev "" when none */
	bool prev_in_grace;
};

/*
 * Lock and read the session id (SELECT ... FOR UPDATE: call inside a
 * transaction).  APP_ENOTFOUND when there is no such row.
 */
enum app_err sstore_lock(struct db *db, struct arena *a, const char *id,
    struct sstore_row *row);

/* How a presented secret relates to a locked row. */
enum sstore_match {
	SSTORE_CURRENT,   /* the current secret: rotate */
	SSTORE_GRACE,     /* the previous one, within the grace period */
	SSTORE_REUSED,    /* the previous one, after it: stolen, end it */
	SSTORE_WRONG      /* anything else: refuse, change nothing */
};
enum sstore_match sstore_match(const struct sstore_row *row,
    const unsigned char secret[SSTORE_SECRET_BYTES]);

/*
 * For a secret that sstore_match() calls SSTORE_WRONG: is it an older
 * secret of the row's own chain, rotated away two or more refreshes ago?
 * RFC 9700 §4.14.2 ends the session when any invalidated refresh token
 * comes back, not only the last: a thief who refreshed twice must not
 * outlast the victim.  Walks the rotation forward from secret at most
 * SSTORE_CHAIN_MAX steps (one HMAC-SHA256 and one SHA-256 each, a few
 * milliseconds in all), looking for the previous or current hash; a
 * session refreshed more often than that keeps only its latest
 * SSTORE_CHAIN_MAX secrets recognisable.  A forged secret costs the walk
 * and is still just wrong.
 */
#define SSTORE_CHAIN_MAX 4096  /* over 30 days of 15-minute tokens */
bool sstore_older(const struct sstore_keys *k, const struct sstore_row *row,
    const unsigned char secret[SSTORE_SECRET_BYTES]);

/*
 * Refresh: for SSTORE_CURRENT replace the secret (the old one stays valid
 * for SSTORE_GRACE_SECONDS), for SSTORE_GRACE keep it; both slide the
 * idle expiry and record ip / user agent.  *token gets the refresh token
 * that is now current (the same for every caller in the grace period).
 */
enum app_err sstore_refresh(struct db *db, struct arena *a,
    const struct sstore_keys *k, const struct cfg *cfg,
    const struct sstore_row *row, enum sstore_match m,
    const unsigned char secret[SSTORE_SECRET_BYTES], const char *ip,
    const char *user_agent, char **token);

/* Record a refreshed WorkOS side: new refresh token, expiry, organization. */
enum app_err sstore_set_workos(struct db *db, struct arena *a,
    const struct sstore_keys *k, const char *id, const char *org,
    bool set_org, const char *workos_refresh, long long access_exp);

/* The WorkOS refresh token of a locked row (on a), or NULL. */
const char *sstore_workos_refresh(struct arena *a, const struct sstore_keys *k,
    const struct sstore_row *row);

/* End one session; reason is a short word for operators ("logout"...). */
enum app_err sstore_revoke(struct db *db, struct arena *a, const char *id,
    const char *reason);

/*
 * End every live session of a user, however many.  wids (may be NULL)
 * gets the distinct WorkOS session ids behind the ended sessions, most
 * recently used first and at most max of them (array on a, *nw entries),
 * so what a caller does with them per request is bounded.
 */
enum app_err sstore_revoke_user(struct db *db, struct arena *a,
    long long user_id, const char *reason, size_t max, const char ***wids,
    size_t *nw);

/*
 * End session id of user_id only: APP_ENOTFOUND when it is not theirs or
 * has already ended.  *wid gets its WorkOS session id (or NULL).
 */
enum app_err sstore_revoke_own(struct db *db, struct arena *a,
    const char *id, long long user_id, const char **wid);

/*
 * Check a session for an authenticated request: is id live and the user
 * user_id's, the user not blocked?  1 yes, 0 no, -1 on a database error
 * (*e set).  One round trip.
 */
int sstore_check(struct db *db, struct arena *a, const char *id,
    long long user_id, enum app_err *e);

#endif
