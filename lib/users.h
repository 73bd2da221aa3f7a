/*
 * users.h - GET /api/users/me.
 */
#ifndef USERS_H
#define USERS_H

#include "req.h"

/*
 * The current user in Strapi's shape (bare object, no data envelope) plus
 * firstName, lastName, organizationId and the membership role.
 */
void users_me(struct req *r);

struct workos_auth;

/*
 * The account's display name (username): "First Last", else the e-mail's
 * local part; at most 255 characters, cut between UTF-8 characters.
 * first and last may be NULL.  On a; NULL when out of memory.
 */
const char *users_display_name(struct arena *a, const char *first,
    const char *last, const char *email);

/* The suite's side of a signed-in WorkOS user. */
struct users_signed_in {
	long long id;
	const char *document_id, *username, *email;
	const char *org;        /* WorkOS organization id, or NULL */
	const char *org_role;   /* membership role slug, or NULL */
};

/*
 * Record a sign-in in one transaction: the user matched by WorkOS user id,
 * else by lower-cased e-mail (linked only when WorkOS says the e-mail is
 * verified), else created; then the organization and the membership with
 * the verified role.  Safe under concurrent first sign-ins of one person
 * and concurrent WorkOS events (same lock order as wapply.h).
 *
 * An e-mail WorkOS has not verified is never stored: a new account gets
 * the placeholder "<workos user id>@unverified.invalid" until WorkOS
 * verifies one, and an existing account keeps its address.  Names are
 * refreshed unless a newer version (workos_updated_at) is stored.  A
 * membership WorkOS (or the organization's directory) marked not active
 * is never re-activated by a sign-in.
 *
 * APP_EFORBIDDEN (nothing changed) for an unverified e-mail that belongs
 * to an existing account, or an organization whose membership is not
 * active; APP_EAUTH for a blocked user; *why says which.
 */
enum app_err users_sign_in(struct req *r, const struct workos_auth *wa,
    struct users_signed_in *out, const char **why);

/*
 * Record an active membership WorkOS vouched for (listed at sign-in, or
 * entered by a switch; inside the caller's transaction, if any): the
 * organization (name may be NULL; it only fills a name none is known
 * for) and the membership with role.  A membership WorkOS or the
 * directory ended stays ended (see the memberships' status rules);
 * *active (when not NULL) says whether it is active now.
 */
/* Why a membership ended here refuses a sign-in or a switch into it. */
#define USERS_MEMBERSHIP_INACTIVE "Your membership in this organization is not active"

enum app_err users_record_membership(struct req *r, long long user_id,
    const char *org, const char *name, const char *role, bool *active);

/*
 * *ended = the user has a membership in org here that WorkOS or the
 * directory ended (a row that is not active); false when it is active or
 * there is none (WorkOS then decides).  Errors: as db_exec.
 */
enum app_err users_membership_ended(struct req *r, long long user_id,
    const char *org, bool *ended);

/*
 * GET /api/users/me/organizations: the caller's active memberships,
 * {"data": [{"organizationId", "name", "role"}]}, by name, at most
 * USERS_MY_ORGS_MAX of them (the first by name; the rest are left out).
 */
#define USERS_MY_ORGS_MAX 1000
void users_me_organizations(struct req *r);

#endif
