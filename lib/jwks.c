/*
 * jwks.c - RS256 verification of WorkOS access tokens against a JWKS.
 *
 * The struct jwks and its EVP_PKEYs are malloc/OpenSSL-owned and live until
 * jwks_free(); everything a verification needs temporarily comes from the
 * caller's arena.  Public keys are built from n/e with OpenSSL 3's
 * EVP_PKEY_fromdata(), never the deprecated RSA_* API.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "b64.h"
#include "jv.h"
#include "jwks.h"

/* Longest n we decode: JWKS_MAX_BITS plus one tolerated leading zero. */
#define N_MAX_BYTES (JWKS_MAX_BITS / 8 + 1)
#define N_MAX_CHARS B64URL_LEN(N_MAX_BYTES)
/* e is at most 64 bits; allow a few leading zero octets. */
#define E_MAX_BYTES 16
#define E_MAX_CHARS B64URL_LEN(E_MAX_BYTES)

struct jwks_key {
	char kid[JWKS_KID_MAX + 1];
	size_t kidlen;
	size_t sigbytes; /* modulus length: every signature has this size */
	EVP_PKEY *pkey;
};

struct jwks {
	size_t n;
	struct jwks_key key[JWKS_MAX_KEYS];
};

/* Is member key of o the string want? */
static int
str_is(json_object *o, const char *key, const char *want)
{
	const char *s;
	size_t n;

	s = jv_strn(o, key, &n);
	/* Lengths, not strcmp: a JSON string may hold "\u0000". */
	return s != NULL && n == strlen(want) && memcmp(s, want, n) == 0;
}

/* Is the optional member key of o absent (or null) or the string want? */
static int
absent_or(json_object *o, const char *key, const char *want)
{
	return jv_get(o, key) == NULL || str_is(o, key, want);
}

/*
 * The big-endian unsigned integer base64url-encoded in member key of o, or
 * NULL when it is missing, not a string, longer than maxchars or not
 * canonical base64url.
 */
static BIGNUM *
member_bn(json_object *o, const char *key, size_t maxchars)
{
	unsigned char buf[B64URL_DEC_MAX(N_MAX_CHARS)];
	const char *s;
	size_t n;
	long got;

	s = jv_strn(o, key, &n);
	if (s == NULL || n == 0 || n > maxchars)
		return NULL;
	got = b64url_decode(buf, s, n);
	if (got <= 0)
		return NULL;
	return BN_bin2bn(buf, (int)got, NULL);
}

/* An RSA public key from n and e, or NULL. */
static EVP_PKEY *
rsa_pub(const BIGNUM *n, const BIGNUM *e)
{
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL)
		return NULL;
	if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1)
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (params == NULL)
		goto out;
	/* "RSA", not "RSA-PSS": the key may only do what RS256 needs. */
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* Add jwk to k when it is a usable RS256 signing key; otherwise skip it. */
static void
add_key(struct jwks *k, json_object *jwk)
{
	struct jwks_key *key = &k->key[k->n];
	BIGNUM *n = NULL, *e = NULL;
	const char *kid;
	size_t kidlen, i;
	int bits, sigbytes;

	if (jwk == NULL || !json_object_is_type(jwk, json_type_object))
		return;
	if (!str_is(jwk, "kty", "RSA") ||
	    !absent_or(jwk, "alg", "RS256") || !absent_or(jwk, "use", "sig"))
		return;
	kid = jv_strn(jwk, "kid", &kidlen);
	if (kid == NULL || kidlen == 0 || kidlen > JWKS_KID_MAX)
		return;
	/* A repeated kid would make the choice of key ambiguous: first wins. */
	for (i = 0; i < k->n; i++)
		if (k->key[i].kidlen == kidlen &&
		    memcmp(k->key[i].kid, kid, kidlen) == 0)
			return;

	n = member_bn(jwk, "n", N_MAX_CHARS);
	e = member_bn(jwk, "e", E_MAX_CHARS);
	if (n == NULL || e == NULL)
		goto out;
	/* An even modulus is no RSA key; e = 1 makes signatures trivial. */
	bits = BN_num_bits(n);
	if (bits < JWKS_MIN_BITS || bits > JWKS_MAX_BITS || !BN_is_odd(n) ||
	    !BN_is_odd(e) || BN_num_bits(e) < 2 || BN_num_bits(e) > 64)
		goto out;
	key->pkey = rsa_pub(n, e);
	if (key->pkey == NULL)
		goto out;
	sigbytes = EVP_PKEY_get_size(key->pkey);
	if (sigbytes <= 0 || EVP_PKEY_get_bits(key->pkey) < JWKS_MIN_BITS) {
		EVP_PKEY_free(key->pkey);
		key->pkey = NULL;
		goto out;
	}
	memcpy(key->kid, kid, kidlen);
	key->kid[kidlen] = '\0';
	key->kidlen = kidlen;
	key->sigbytes = (size_t)sigbytes;
	k->n++;
out:
	BN_free(n);
	BN_free(e);
	/* A rejected key may leave OpenSSL errors that we do not report. */
	ERR_clear_error();
}

enum app_err
jwks_parse(const char *json, size_t len, struct jwks **out)
{
	struct arena tmp;
	json_object *doc, *keys;
	struct jwks *k;
	enum app_err err;
	size_t i, nkeys;

	*out = NULL;
	if (json == NULL || len == 0 || len > JWKS_DOC_MAX)
		return APP_EINPUT;
	/* The JSON tree is only needed here: a private arena, freed below. */
	arena_init(&tmp, 16384);
	err = jv_parse(&tmp, json, len, &doc, NULL);
	if (err != APP_OK)
		goto out;
	keys = jv_get(doc, "keys");
	if (keys == NULL || !json_object_is_type(keys, json_type_array)) {
		err = APP_EINPUT;
		goto out;
	}
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		err = APP_ENOMEM;
		goto out;
	}
	nkeys = json_object_array_length(keys);
	for (i = 0; i < nkeys && k->n < JWKS_MAX_KEYS; i++)
		add_key(k, json_object_array_get_idx(keys, i));
	if (k->n == 0) {
		jwks_free(k);
		err = APP_EINPUT;
		goto out;
	}
	*out = k;
out:
	arena_free(&tmp);
	return err;
}

void
jwks_free(struct jwks *k)
{
	size_t i;

	if (k == NULL)
		return;
	for (i = 0; i < k->n; i++)
		EVP_PKEY_free(k->key[i].pkey);
	free(k);
}

size_t
jwks_count(const struct jwks *k)
{
	return k == NULL ? 0 : k->n;
}

static const struct jwks_key *
find_key(const struct jwks *k, const char *kid, size_t kidlen)
{
	size_t i;

	if (k == NULL)
		return NULL;
	for (i = 0; i < k->n; i++)
		if (k->key[i].kidlen == kidlen &&
		    memcmp(k->key[i].kid, kid, kidlen) == 0)
			return &k->key[i];
	return NULL;
}

/*
 * RSASSA-PKCS1-v1_5 with SHA-256 over the n bytes at msg.  1 when sig is
 * valid, 0 when not, -1 when OpenSSL could not even start.
 */
static int
rs256_verify(EVP_PKEY *pkey, const char *msg, size_t n,
    const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *md;
	EVP_PKEY_CTX *pctx = NULL;
	int rc = -1;

	md = EVP_MD_CTX_new();
	if (md == NULL)
		return -1;
	/* PKCS#1 v1.5 is the default for "RSA" keys; say so, never PSS. */
	if (EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, pkey) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0)
		goto out;
	/* 0 is a bad signature, < 0 a malformed one: both are refusals. */
	rc = EVP_DigestVerify(md, sig, siglen, (const unsigned char *)msg,
	    n) == 1;
out:
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return rc;
}

/*
 * Copy string claim key of pl into dst (JWKS_CLAIM_MAX + 1 bytes).  An
 * absent or null claim leaves dst "" and is an error only when required.
 * Returns 0 or -1.
 */
static int
claim_str(json_object *pl, const char *key, char *dst, int required)
{
	const char *s;
	size_t n;

	if (jv_get(pl, key) == NULL)
		return required ? -1 : 0;
	s = jv_strn(pl, key, &n);
	if (s == NULL || n > JWKS_CLAIM_MAX || memchr(s, '\0', n) != NULL)
		return -1;
	if (required && n == 0)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

/*
 * Is the n bytes at iss the issuer want?  WorkOS documents its issuer both
 * with and without a trailing '/', so one is dropped from each side.
 */
static int
iss_matches(const char *iss, size_t n, const char *want)
{
	size_t m = strlen(want);

	if (n > 0 && iss[n - 1] == '/')
		n--;
	if (m > 0 && want[m - 1] == '/')
		m--;
	return n == m && memcmp(iss, want, n) == 0;
}

#define FAIL(why) do { if (reason) *reason = (why); return APP_EAUTH; } while (0)

enum app_err
jwks_claims(struct arena *a, const char *payload, size_t len, time_t now,
    const char *issuer, struct jwks_claims *c, const char **reason)
{
	struct jwks_claims r;
	const char *iss;
	size_t isslen;
	json_object *pl;
	long long t;

	memset(c, 0, sizeof(*c));
	memset(&r, 0, sizeof(r));
	pl = jv_b64url_object(a, payload, len);
	if (pl == NULL)
		FAIL("payload is not base64url JSON object");
	if (jv_int(pl, "exp", &r.exp) != 0)
		FAIL("payload has no integer exp");
	if (r.exp <= (long long)now - JWKS_SKEW)
		FAIL("token expired");
	if (jv_get(pl, "iat") != NULL && jv_int(pl, "iat", &r.iat) != 0)
		FAIL("iat is not an integer");
	if (jv_get(pl, "nbf") != NULL) {
		if (jv_int(pl, "nbf", &t) != 0)
			FAIL("nbf is not an integer");
		if (t > (long long)now + JWKS_SKEW)
			FAIL("token not yet valid");
	}
	if (issuer != NULL) {
		iss = jv_strn(pl, "iss", &isslen);
		if (iss == NULL || !iss_matches(iss, isslen, issuer))
			FAIL("wrong issuer");
	}
	if (claim_str(pl, "sub", r.sub, 1) != 0)
		FAIL("sub is not a valid string");
	if (claim_str(pl, "sid", r.sid, 0) != 0)
		FAIL("sid is not a valid string");
	if (claim_str(pl, "org_id", r.org_id, 0) != 0)
		FAIL("org_id is not a valid string");
	if (claim_str(pl, "role", r.role, 0) != 0)
		FAIL("role is not a valid string");
	*c = r;
	return APP_OK;
}

enum app_err
jwks_verify(struct arena *a, const struct jwks *k, const char *token,
    size_t len, time_t now, const char *issuer, struct jwks_claims *c,
    const char **reason)
{
	const struct jwks_key *key;
	const char *dot1, *dot2, *kid;
	size_t kidlen, sigchars;
	unsigned char *sig;
	json_object *hdr;
	long siglen;
	int ok;

	/* Claims reach *c only once every check passed: never half-filled. */
	memset(c, 0, sizeof(*c));
	if (token == NULL || len == 0 || len > JWKS_TOKEN_MAX)
		FAIL("token empty or too long");
	dot1 = memchr(token, '.', len);
	if (dot1 == NULL)
		FAIL("token is not three parts");
	dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token));
	if (dot2 == NULL ||
	    memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) != NULL)
		FAIL("token is not three parts");

	/* The header decides which algorithm and key; check it before both. */
	hdr = jv_b64url_object(a, token, (size_t)(dot1 - token));
	if (hdr == NULL)
		FAIL("header is not base64url JSON");
	if (!str_is(hdr, "alg", "RS256"))
		FAIL("algorithm is not RS256");
	/* crit names extensions we must understand; we implement none. */
	if (jv_get(hdr, "crit") != NULL)
		FAIL("header has crit");
	kid = jv_strn(hdr, "kid", &kidlen);
	if (kid == NULL || kidlen == 0 || kidlen > JWKS_KID_MAX)
		FAIL("header has no valid kid");
	key = find_key(k, kid, kidlen);
	if (key == NULL) {
		if (reason)
			*reason = "unknown kid";
		return APP_ENOTFOUND;
	}

	/* A PKCS#1 signature is exactly as long as the modulus. */
	sigchars = (size_t)(token + len - (dot2 + 1));
	if (sigchars != B64URL_LEN(key->sigbytes))
		FAIL("bad signature");
	sig = arena_alloc(a, B64URL_DEC_MAX(sigchars));
	if (sig == NULL)
		FAIL("out of memory decoding the signature");
	siglen = b64url_decode(sig, dot2 + 1, sigchars);
	if (siglen < 0 || (size_t)siglen != key->sigbytes)
		FAIL("bad signature");
	ok = rs256_verify(key->pkey, token, (size_t)(dot2 - token), sig,
	    key->sigbytes);
	if (ok < 0)
		return APP_EINTERNAL;
	if (ok == 0)
		FAIL("bad signature");

	/* Only now is the payload worth parsing: it is what WorkOS signed. */
	return jwks_claims(a, dot1 + 1, (size_t)(dot2 - dot1 - 1), now, issuer, c,
	    reason);
}
