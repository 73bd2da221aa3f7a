/*
 * workos.h - what the suite asks of WorkOS User Management: the AuthKit
 * authorization URL, the code exchange, and the verification of the
 * access token it returns against the WorkOS JWKS (cached per process,
 * fetched again once when a token names an unknown key).
 *
 * JWKS fetches are bounded per process.  With keys in hand, a token naming
 * an unknown key id makes a refetch only when the last fetch (good or
 * failed) is at least WORKOS_JWKS_COOLDOWN seconds old (default 60; 0:
 * every time); otherwise it is refused (APP_EAUTH) without asking WorkOS.
 * With no keys in hand (the first fetch, or every fetch so far failed) a
 * fetch is held back only for 5 s after a failed one (or the cooldown,
 * when shorter); meanwhile such a sign-in is APP_EUPSTREAM, as when the
 * fetch fails.
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
 * The AuthKit URL to send the browser to (spec §1), keys in the Node SDK's
 * order.  org, login_hint, screen_hint ("sign-up") and invitation_token
 * may be NULL.  Every value is percent-encoded.
 */
char *workos_authorize_url(struct workos *w, struct arena *a,
    const char *state, const char *challenge, const char *org,
    const char *login_hint, const char *screen_hint,
    const char *invitation_token);

/* What a successful exchange tells us, after the access token checked out. */
struct workos_auth {
	const char *user_id;      /* user_... */
	const char *email;        /* as WorkOS stored it */
	bool email_verified;
	const char *first_name;   /* may be NULL */
	const char *last_name;    /* may be NULL */
	const char *org_id;       /* NULL when the session has no organization */
	const char *role;         /* the verified token's role slug; set when org_id is */
	const char *refresh_token; /* single use; NULL if WorkOS sent none */
	const char *session_id;   /* the access token's sid (session_...), or NULL */
	long long access_exp;     /* the access token's exp, Unix seconds */
	const char *updated_at;   /* the user's updated_at, normalised (wev.h), or
	                             NULL when absent or not a time */
};

/*
 * Exchange code (with its PKCE verifier) for the user (spec §2).  Results:
 *   APP_OK          *out filled
 *   APP_EAUTH       WorkOS refused (invalid_grant and other 4xx), or the
 *                   access token failed verification
 *   APP_EFORBIDDEN  WorkOS wants another step (403, or 400 sso_required
 *                   and its kind); *step names it
 *   APP_ENOTFOUND   the organization is unknown or the user no member of it
 *   APP_EUPSTREAM   5xx, 429, malformed answer, connection failure, or
 *                   an organization session whose token has no role
 *   APP_ETIMEOUT    no answer within WORKOS_TIMEOUT
 * *step is set (static or arena text) for APP_EFORBIDDEN and APP_EAUTH.
 */
enum app_err workos_authenticate(struct workos *w, struct arena *a,
    const char *code, const char *verifier, const char *ip,
    const char *user_agent, struct workos_auth *out, const char **step);

/*
 * The refresh-token grant (spec §3): a new access token and a new, single
 * use refresh token for the same WorkOS session.  org (may be NULL)
 * switches the session to that organization.  Results as
 * workos_authenticate(); APP_EAUTH is final (invalid_grant: the session
 * has ended at WorkOS), APP_EUPSTREAM and APP_ETIMEOUT are transient.
 * One more, transient: APP_EBUSY when the new access token names a key
 * the process may not look up yet (the JWKS cooldown, e.g. right after
 * WorkOS rotated its keys).  Then only out->refresh_token is set (NULL if
 * WorkOS sent none): WorkOS has used up the old one, so keep this one and
 * refresh again once the cooldown has passed.
 */
enum app_err workos_refresh(struct workos *w, struct arena *a,
    const char *refresh_token, const char *org, const char *ip,
    const char *user_agent, struct workos_auth *out, const char **step);

/* An active organization membership as WorkOS lists it (spec §5.2). */
struct workos_membership {
	const char *org_id;    /* org_... */
	const char *org_name;  /* NULL when WorkOS sent none */
	const char *role;      /* the role slug */
};

/*
 * The active memberships of user_id, at most max (<= 100, one page) of
 * them, into out (strings on a); *n gets the count.  Entries without an
 * organization or a role are skipped.  APP_EUPSTREAM / APP_ETIMEOUT when
 * WorkOS cannot say.
 */
enum app_err workos_active_memberships(struct workos *w, struct arena *a,
    const char *user_id, struct workos_membership *out, size_t max, size_t *n);

/*
 * The browser URL that ends a WorkOS session (spec §6) and then sends the
 * browser to return_to (absolute; may be NULL).  On a; NULL without memory.
 */
char *workos_logout_url(struct workos *w, struct arena *a,
    const char *session_id, const char *return_to);

/* The name of an organization (GET /organizations/{id}), on a. */
enum app_err workos_organization_name(struct workos *w, struct arena *a,
    const char *org_id, const char **name);

/* Revoke a WorkOS session (POST /user_management/sessions/revoke). */
enum app_err workos_revoke_session(struct workos *w, struct arena *a,
    const char *session_id);

#endif
