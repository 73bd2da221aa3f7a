/*
 * jwks.h - WorkOS access tokens: RS256 JWTs checked against the RSA keys
 * of a JWKS document (https://api.workos.com/sso/jwks/<client_id>).
 *
 * Ownership: a struct jwks is parsed once and cached for the life of the
 * process; it is malloc-owned (not arena memory, since it outlives every
 * request) and released with jwks_free().  It is never modified after
 * jwks_parse(), so it may be shared freely.  jwks_verify() takes its
 * temporary memory from the caller's arena.
 *
 * Verification accepts exactly one algorithm, RS256.  The header's alg is
 * checked before anything else, so "none", HS256 (including HMAC keyed
 * with the public key), RS384, PS256 or a missing alg never reach a key.
 * Keys come only from the JWKS: jku, jwk and x5u header members are
 * ignored.
 */
#ifndef JWKS_H
#define JWKS_H

#include <stddef.h>
#include <time.h>

#include "app.h"
#include "arena.h"

#define JWKS_TOKEN_MAX  (16 * 1024)   /* longest token looked at */
#define JWKS_DOC_MAX    (1024 * 1024) /* longest JWKS document parsed */
#define JWKS_MAX_KEYS   32            /* usable keys kept; more are ignored */
#define JWKS_KID_MAX    255           /* longer kids are not WorkOS's */
#define JWKS_MIN_BITS   2048          /* weaker RSA keys are skipped */
#define JWKS_MAX_BITS   8192          /* bounds the cost of one verify */
#define JWKS_CLAIM_MAX  128           /* longest sub / sid / org_id / role */
/*
 * Clock skew allowed on exp (and nbf): WorkOS tokens live about 5 minutes
 * and our clock and theirs may disagree by a few seconds, so a token is
 * still accepted up to 60 s after its exp.
 */
#define JWKS_SKEW       60

/* A parsed JWKS: RSA public keys by kid. */
struct jwks;

/*
 * Parse a JWKS document {"keys":[{kty:"RSA", kid, n, e, alg?, use?...}]}
 * (len bytes, untrusted).  Keys are skipped when kty is not "RSA", alg is
 * present and not "RS256", use is present and not "sig", kid is missing,
 * empty, longer than JWKS_KID_MAX or repeats an earlier usable key's kid,
 * n/e are not valid base64url, the modulus is under JWKS_MIN_BITS or over
 * JWKS_MAX_BITS bits, or e is not an odd number >= 3 of at most 64 bits.
 * Zero usable keys, malformed JSON, a document over JWKS_DOC_MAX or one
 * without a "keys" array -> APP_EINPUT.  APP_ENOMEM when out of memory.
 * *out is malloc-owned; free it with jwks_free().
 */
enum app_err jwks_parse(const char *json, size_t len, struct jwks **out);

/* Release k and its keys; NULL is allowed. */
void jwks_free(struct jwks *k);

/* Usable keys in k (0 for NULL). */
size_t jwks_count(const struct jwks *k);

struct jwks_claims {
	char sub[JWKS_CLAIM_MAX + 1];    /* user id, required, non-empty */
	char sid[JWKS_CLAIM_MAX + 1];    /* session id, "" if absent */
	char org_id[JWKS_CLAIM_MAX + 1]; /* "" if absent */
	char role[JWKS_CLAIM_MAX + 1];   /* "" if absent */
	long long iat, exp;              /* iat is 0 when absent */
};

/*
 * Verify a WorkOS access token (len bytes, at most JWKS_TOKEN_MAX) at time
 * now against the keys of k (NULL counts as an empty set):
 *   - compact JWS, exactly three base64url parts;
 *   - header: a JSON object, alg exactly "RS256", kid a non-empty string
 *     of at most JWKS_KID_MAX bytes, no "crit" member (we implement no
 *     extensions);
 *   - RSASSA-PKCS1-v1_5 SHA-256 signature over "header.payload" with the
 *     key whose kid matches;
 *   - payload: a JSON object; exp an integer > now - JWKS_SKEW; iat and
 *     nbf integers when present, nbf <= now + JWKS_SKEW;
 *   - iss equal to issuer when issuer is not NULL, after removing one
 *     trailing '/' from both (WorkOS documents it both ways);
 *   - sub a non-empty string; sid, org_id and role strings when present
 *     (null counts as absent, any other type is refused); none longer
 *     than JWKS_CLAIM_MAX or holding a NUL.
 * APP_OK fills *c.  APP_ENOTFOUND when the header is acceptable but its
 * kid is not in k, so the caller can refetch the JWKS once and retry.
 * Anyone can send a token with a made-up kid, so the caller must limit
 * how often it refetches.  APP_EAUTH for every other failure, including
 * arena exhaustion while decoding (fail closed); APP_EINTERNAL when
 * OpenSSL cannot set up a verification.  reason, when not NULL, gets a
 * static text for the log.  Temporary memory comes from a.
 */
enum app_err jwks_verify(struct arena *a, const struct jwks *k,
    const char *token, size_t len, time_t now, const char *issuer,
    struct jwks_claims *c, const char **reason);

/*
 * The payload checks of jwks_verify() on its base64url payload part (len
 * bytes), which jwks_verify() makes only once the signature is good: APP_OK
 * filling *c, or APP_EAUTH with *c zeroed.  Separate so the fuzz target can
 * reach the payload parser, which no forged signature ever gets to.
 */
enum app_err jwks_claims(struct arena *a, const char *payload, size_t len,
    time_t now, const char *issuer, struct jwks_claims *c, const char **reason);

#endif
