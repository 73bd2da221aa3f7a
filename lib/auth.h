/*
 * auth.h - who is calling, and may they do this.
 *
 * Strapi's users-permissions semantics: an Authorization header that is
 * not "Bearer <token>" counts as no token (anonymous, the public role); a
 * token that fails verification is 401 "Missing or invalid credentials",
 * never a fall-back to public; a valid token whose user is gone or blocked
 * is 401 "Invalid credentials"; a token whose session (its "sid") was
 * revoked or has expired is 401 "Session ended".  The user, the membership
 * of the token's organization and the session are read from Postgres on
 * every request, in one round trip.
 */
#ifndef AUTH_H
#define AUTH_H

#include <stdbool.h>

#include "db.h"
#include "jwt.h"
#include "req.h"

struct auth_user {
	long long id;
	const char *document_id, *username, *email, *provider;
	const char *first_name, *last_name;    /* may be NULL */
	const char *created_at, *updated_at;   /* ISO-8601 UTC with ms */
	bool confirmed, blocked;
	long long role_id;
	const char *role_type;                 /* "authenticated", ... */
	/* The token's organization when the membership is active, else NULL. */
	const char *org;
	const char *org_role;                  /* its WorkOS role slug */
	const char *sid;                       /* the token's session, or NULL */
};

/*
 * Authenticate the request and check that its role (the public role when
 * anonymous) holds action.  On success returns 0 with r->user set (NULL
 * when anonymous).  Otherwise the error response has been sent (401, 403
 * or 503) and -1 is returned.
 */
int auth_require(struct req *r, const char *action);

/*
 * auth_require in two halves, so that a read can share its round trip:
 * auth_begin() verifies the token (answering 401 and returning -1 when it
 * is bad) and fills p->item with the statement that decides the rest;
 * the caller runs p->item, alone (auth_run) or ahead of its own read in
 * one db_exec_batch(); auth_finish() then judges it exactly as
 * auth_require does.  Until auth_finish succeeds for a signed-in caller,
 * statements run under the anonymous read budget (READ_TIMEOUT): a read
 * sent with p->item was sent before the caller was known.  A signed
 * token's statement cancelled by that budget is run again by auth_finish
 * with the signed-in one, when that is the longer (one more round trip,
 * only then).  p->org is the
 * organization the token names (NULL when none or anonymous), which the
 * caller's read may presume; after auth_finish the organization of an
 * active membership is r->user->org, which may differ (NULL).
 */
struct auth_pending {
	struct db_item item;
	const char *org;
	const char *uid;   /* the token's user id as text; NULL when anonymous */
	/* Private. */
	const char *action;
	bool token;
	struct jwt_claims claims;
	char idbuf[32];
	const char *params[4];
};

int auth_begin(struct req *r, const char *action, struct auth_pending *p);
int auth_finish(struct req *r, struct auth_pending *p);
/*
 * Make p->item also set the read scope of the statements after it in the
 * same pipeline (sql/0007): app.organization_id, transaction-local, to
 * the organization p->org names when p->uid holds an active membership of
 * it, else ''.  The same scope content's own read-scope statement sets,
 * without a statement of its own.  Call between auth_begin() and running
 * p->item.
 */
void auth_read_scope(struct auth_pending *p);
/* Run p->item alone, then auth_finish(). */
int auth_run(struct req *r, struct auth_pending *p);

/*
 * The bearer token of the Authorization header, Strapi's way: exactly two
 * whitespace-separated parts, the first "bearer" in any case.  NULL when
 * there is none.
 */
const char *auth_bearer(struct req *r, size_t *len);

#endif
