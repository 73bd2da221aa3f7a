/*
 * workos.h - what the suite asks of WorkOS User Management: the AuthKit
 * authorization URL, the code exchange, and the verification of the
 * access token it returns against the WorkOS JWKS (cached per process,
 * fetched again once when a token names an unknown key).
 *
 * Logs carry WorkOS error codes and X-Request-IDs; never the code, the
 * tokens or the API key.
 */
#ifndef WORKOS_H
#define WORKOS_H

#include <stdbool.h>

#include "app.h"
#include "arena.h"
#include "cfg.h"
#include "jwks.h"

struct workos;

struct workos *workos_new(const struct cfg *cfg);
void workos_free(struct workos *w);

/*
 * The AuthKit URL to send the browser to.  org and login_hint may be NULL.
 * Every value is percent-encoded.
 */
char *workos_authorize_url(struct workos *w, struct arena *a,
    const char *state, const char *challenge, const char *org,
    const char *login_hint);

/* What a successful exchange tells us, after the access token checked out. */
struct workos_auth {
	const char *user_id;      /* user_... */
	const char *email;        /* as WorkOS stored it */
	bool email_verified;
	const char *first_name;   /* may be NULL */
	const char *last_name;    /* may be NULL */
	const char *org_id;       /* NULL when the session has no organization */
	const char *role;         /* the verified token's role slug; set when org_id is */
	const char *updated_at;   /* the user's updated_at, normalised (wev.h), or
	                             NULL when absent or not a time */
};

/*
 * Exchange code (with its PKCE verifier) for the user.  Results:
 *   APP_OK          *out filled
 *   APP_EAUTH       WorkOS refused (invalid_grant and other 4xx), or the
 *                   access token failed verification
 *   APP_EFORBIDDEN  WorkOS wants another step (403); *step names it
 *   APP_EUPSTREAM   5xx, 429, malformed answer, connection failure, or
 *                   an organization session whose token has no role
 *   APP_ETIMEOUT    no answer within WORKOS_TIMEOUT
 * *step is set (static or arena text) for APP_EFORBIDDEN and APP_EAUTH.
 */
enum app_err workos_authenticate(struct workos *w, struct arena *a,
    const char *code, const char *verifier, const char *ip,
    const char *user_agent, struct workos_auth *out, const char **step);

#endif
