/*
 * jwt.h - the suite's own tokens: HS256 JWTs in Strapi's users-permissions
 * format plus the organization and the session,
 *     {"id": <user id>, "organizationId": "<org id>" | null,
 *      "sid": "<session id>", "iat", "exp"}.
 * "sid" names the sessions row every request checks; tokens made before
 * sessions existed carry none and stay valid until their exp.
 *
 * Verification accepts exactly one algorithm, HS256; anything else in the
 * header (none, HS384, RS256, a missing alg) is refused before the
 * signature is looked at.
 */
#ifndef JWT_H
#define JWT_H

#include <stddef.h>
#include <time.h>

#include "app.h"
#include "arena.h"

#define JWT_MAX_LEN 4096
#define JWT_ORG_MAX 128
#define JWT_SID_LEN 24  /* a sessions.id: [a-z][a-z0-9]{23} */
#define JWT_NBF_SKEW 30 /* seconds a token's "nbf" may lie ahead of our clock */

struct jwt_claims {
	long long id;               /* user id, > 0 */
	char org[JWT_ORG_MAX + 1];  /* "" when the token names no organization */
	char sid[JWT_SID_LEN + 1];  /* "" when the token names no session */
	long long iat, exp;
};

/*
 * Sign claims with key into a NUL-terminated token allocated on a.
 * c->org is written as null when empty.
 */
enum app_err jwt_sign(struct arena *a, const unsigned char *key,
    size_t keylen, const struct jwt_claims *c, char **out);

/*
 * Verify token (len bytes) with key at time now.  APP_OK fills *c;
 * APP_EAUTH for every kind of bad token (malformed, wrong alg, bad
 * signature, expired, used more than JWT_NBF_SKEW seconds before its
 * "nbf", claims of the wrong type); reason, when not NULL,
 * gets a static text for the log.
 */
enum app_err jwt_verify(struct arena *a, const unsigned char *key,
    size_t keylen, const char *token, size_t len, time_t now,
    struct jwt_claims *c, const char **reason);

#endif
