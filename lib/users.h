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
 * the verified role.  Safe under concurrent first sign-ins of one person.
 * APP_EFORBIDDEN (nothing changed) for an unverified e-mail that belongs
 * to an existing account; APP_EAUTH for a blocked user; *why says which.
 */
enum app_err users_sign_in(struct req *r, const struct workos_auth *wa,
    struct users_signed_in *out, const char **why);

/*
 * Record an organization and the caller's active membership in it with
 * role (inside the caller's transaction): what WorkOS said on a switch.
 */
enum app_err users_enter_org(struct req *r, long long user_id,
    const char *org, const char *role);

/*
 * GET /api/users/me/organizations: the caller's active memberships,
 * {"data": [{"organizationId", "name", "role"}]}, by name.
 */
void users_me_organizations(struct req *r);

#endif
