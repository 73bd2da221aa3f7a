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
 * The bearer token of the Authorization header, Strapi's way: exactly two
 * whitespace-separated parts, the first "bearer" in any case.  NULL when
 * there is none.
 */
const char *auth_bearer(struct req *r, size_t *len);

#endif
