/*
 * test_jwt.c - jwt.h: HS256 sign/verify, a known vector, and forged
 * tokens (built here with b64url_encode and OpenSSL's HMAC) that must all
 * be refused.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "arena.h"
#include "b64.h"
#include "jwt.h"
#include "t.h"

static struct arena A;

static const unsigned char KEY[] = "0123456789abcdef0123456789abcdef";
#define KEYLEN (sizeof(KEY) - 1)
static const unsigned char OTHER_KEY[] = "fedcba9876543210fedcba9876543210";

#define NOW 1700000000LL
#define HS256_HDR "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define GOOD_PAYLOAD \
	"{\"id\":7,\"organizationId\":\"org_1\",\"iat\":1700000000,\"exp\":1900000000}"

/* {"id":1,"organizationId":null,"iat":1700000000,"exp":1700003600} signed
 * with KEY, computed independently (Python hmac/base64). */
static const char KNOWN[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJpZCI6MSwib3JnYW5pemF0aW9uSWQiOm51bGwsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwfQ."
    "Se2QSvny9ECAABfdsZxoQ9o9Y1DQofKw-6TIST2s6Gc";

static char *
b64(const char *s)
{
	size_t n = strlen(s);
	char *out = arena_alloc(&A, B64URL_LEN(n) + 1);

	b64url_encode(out, s, n);
	return out;
}

/*
 * "hpart.ppart.<sig>" where sig is the base64url HMAC (md) with key of
 * "hpart.ppart", or empty when md is NULL.
 */
static char *
forge_raw(const char *hpart, const char *ppart, const EVP_MD *md,
    const unsigned char *key, size_t keylen)
{
	size_t hl = strlen(hpart), pl = strlen(ppart);
	char *tok = arena_alloc(&A, hl + pl + 2 + B64URL_LEN(EVP_MAX_MD_SIZE) + 1);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	memcpy(tok, hpart, hl);
	tok[hl] = '.';
	memcpy(tok + hl + 1, ppart, pl);
	tok[hl + 1 + pl] = '.';
	tok[hl + 2 + pl] = '\0';
	if (md != NULL) {
		HMAC(md, key, (int)keylen, (const unsigned char *)tok, hl + 1 + pl,
		    mac, &maclen);
		b64url_encode(tok + hl + 2 + pl, mac, maclen);
	}
	return tok;
}

/* A token of these JSON texts, HS256-signed with KEY. */
static char *
forge(const char *hdr_json, const char *payload_json)
{
	return forge_raw(b64(hdr_json), b64(payload_json), EVP_sha256(), KEY, KEYLEN);
}

/* A token with the suite's header and this payload, HS256-signed with KEY. */
static char *
forge_payload(const char *payload_json)
{
	return forge(HS256_HDR, payload_json);
}

static enum app_err
verify_at(const char *tok, long long now, struct jwt_claims *c, const char **why)
{
	*why = NULL;
	return jwt_verify(&A, KEY, KEYLEN, tok, strlen(tok), (time_t)now, c, why);
}

/* Is tok refused at NOW, with a reason? */
static int
refused(const char *tok)
{
	struct jwt_claims c;
	const char *why = NULL;

	return verify_at(tok, NOW, &c, &why) == APP_EAUTH && why != NULL;
}

static int
accepted(const char *tok)
{
	struct jwt_claims c;
	const char *why = NULL;

	return verify_at(tok, NOW, &c, &why) == APP_OK;
}

static void
test_round_trip(void)
{
	struct jwt_claims in, out;
	const char *why;
	char *tok = NULL;

	memset(&in, 0, sizeof(in));
	in.id = 42;
	strcpy(in.org, "org_01HXYZ");
	in.iat = NOW;
	in.exp = NOW + 3600;
	T_INT("sign: APP_OK", jwt_sign(&A, KEY, KEYLEN, &in, &tok), APP_OK);
	T_OK("sign: three parts",
	    tok != NULL && strchr(tok, '.') != NULL &&
	    strchr(strchr(tok, '.') + 1, '.') != NULL);
	T_INT("round trip: verify APP_OK", verify_at(tok, NOW + 1, &out, &why), APP_OK);
	T_INT("round trip: id", out.id, 42);
	T_STREQ("round trip: org", out.org, "org_01HXYZ");
	T_INT("round trip: iat", out.iat, NOW);
	T_INT("round trip: exp", out.exp, NOW + 3600);

	memset(&in, 0, sizeof(in));
	in.id = 9007199254740993LL;
	in.iat = NOW;
	in.exp = NOW + 60;
	T_INT("sign without org: APP_OK", jwt_sign(&A, KEY, KEYLEN, &in, &tok), APP_OK);
	T_INT("without org: verify APP_OK", verify_at(tok, NOW, &out, &why), APP_OK);
	T_STREQ("without org: org is \"\"", out.org, "");
	T_INT("without org: large id survives", out.id, 9007199254740993LL);

	/* An organization of exactly JWT_ORG_MAX bytes, with JSON specials. */
	memset(&in, 0, sizeof(in));
	in.id = 1;
	memset(in.org, 'o', JWT_ORG_MAX);
	in.org[0] = '"';
	in.org[1] = '\\';
	in.org[JWT_ORG_MAX] = '\0';
	in.iat = NOW;
	in.exp = NOW + 60;
	T_INT("sign org of JWT_ORG_MAX bytes", jwt_sign(&A, KEY, KEYLEN, &in, &tok), APP_OK);
	T_INT("verify org of JWT_ORG_MAX bytes", verify_at(tok, NOW, &out, &why), APP_OK);
	T_STREQ("org of JWT_ORG_MAX bytes round trips", out.org, in.org);

	/* The same claims verified with another key fail. */
	T_INT("round trip with another key: APP_EAUTH",
	    jwt_verify(&A, OTHER_KEY, KEYLEN, tok, strlen(tok), (time_t)NOW, &out, &why),
	    APP_EAUTH);
}

static void
test_known_vector(void)
{
	struct jwt_claims in, out;
	const char *why;
	char *tok = NULL;

	memset(&in, 0, sizeof(in));
	in.id = 1;
	in.iat = 1700000000;
	in.exp = 1700003600;
	T_INT("known vector: sign", jwt_sign(&A, KEY, KEYLEN, &in, &tok), APP_OK);
	T_STREQ("known vector: token matches an independent HS256", tok, KNOWN);
	T_INT("known vector: valid at 1700000001",
	    verify_at(KNOWN, 1700000001, &out, &why), APP_OK);
	T_INT("known vector: id", out.id, 1);
	T_STREQ("known vector: org null -> \"\"", out.org, "");
	T_INT("known vector: iat", out.iat, 1700000000);
	T_INT("known vector: exp", out.exp, 1700003600);
	T_INT("known vector: valid at 1700003599",
	    verify_at(KNOWN, 1700003599, &out, &why), APP_OK);
	T_INT("known vector: expired at exp (1700003600)",
	    verify_at(KNOWN, 1700003600, &out, &why), APP_EAUTH);
	T_OK("known vector: expired has a reason", why != NULL);
	T_INT("known vector: expired long after",
	    verify_at(KNOWN, 1800000000, &out, &why), APP_EAUTH);

	/* Only len bytes are looked at: garbage after them is ignored. */
	{
		char buf[sizeof(KNOWN) + 8];

		memcpy(buf, KNOWN, sizeof(KNOWN) - 1);
		memcpy(buf + sizeof(KNOWN) - 1, ".junk!!", 8);
		T_INT("verify reads only len bytes",
		    jwt_verify(&A, KEY, KEYLEN, buf, sizeof(KNOWN) - 1,
		    (time_t)1700000001, &out, &why), APP_OK);
		T_INT("a len one short is refused",
		    jwt_verify(&A, KEY, KEYLEN, KNOWN, sizeof(KNOWN) - 2,
		    (time_t)1700000001, &out, &why), APP_EAUTH);
	}
}

static void
test_algorithms(void)
{
	char *p = b64(GOOD_PAYLOAD), *t;

	T_OK("forged control: a well-formed HS256 token is accepted",
	    accepted(forge(HS256_HDR, GOOD_PAYLOAD)));
	T_OK("header without typ is accepted", accepted(forge("{\"alg\":\"HS256\"}",
	    GOOD_PAYLOAD)));
	T_OK("header members in another order are accepted",
	    accepted(forge("{\"typ\":\"JWT\",\"kid\":\"x\",\"alg\":\"HS256\"}", GOOD_PAYLOAD)));

	t = forge_raw(b64("{\"alg\":\"none\",\"typ\":\"JWT\"}"), p, NULL, NULL, 0);
	T_OK("alg none with an empty signature refused", refused(t));
	t = forge_raw(b64("{\"alg\":\"none\"}"), p, NULL, NULL, 0);
	T_OK("alg none (no typ) with an empty signature refused", refused(t));
	T_OK("alg none with a valid HMAC refused",
	    refused(forge("{\"alg\":\"none\",\"typ\":\"JWT\"}", GOOD_PAYLOAD)));
	T_OK("alg None refused", refused(forge("{\"alg\":\"None\"}", GOOD_PAYLOAD)));
	t = forge_raw(b64("{\"alg\":\"HS384\",\"typ\":\"JWT\"}"), p, EVP_sha384(),
	    KEY, KEYLEN);
	T_OK("alg HS384 correctly HMAC-SHA384-signed refused", refused(t));
	T_OK("alg HS384 with a valid HS256 signature refused",
	    refused(forge("{\"alg\":\"HS384\",\"typ\":\"JWT\"}", GOOD_PAYLOAD)));
	t = forge_raw(b64("{\"alg\":\"HS512\",\"typ\":\"JWT\"}"), p, EVP_sha512(),
	    KEY, KEYLEN);
	T_OK("alg HS512 correctly signed refused", refused(t));
	T_OK("alg RS256 with an HS256 signature (key confusion) refused",
	    refused(forge("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", GOOD_PAYLOAD)));
	T_OK("alg lower-case hs256 refused",
	    refused(forge("{\"alg\":\"hs256\"}", GOOD_PAYLOAD)));
	T_OK("alg \"HS256 \" refused", refused(forge("{\"alg\":\"HS256 \"}", GOOD_PAYLOAD)));
	T_OK("missing alg refused", refused(forge("{\"typ\":\"JWT\"}", GOOD_PAYLOAD)));
	T_OK("alg null refused", refused(forge("{\"alg\":null}", GOOD_PAYLOAD)));
	T_OK("alg number refused", refused(forge("{\"alg\":256}", GOOD_PAYLOAD)));
	T_OK("alg array refused", refused(forge("{\"alg\":[\"HS256\"]}", GOOD_PAYLOAD)));
	T_OK("header not JSON refused", refused(forge("not json", GOOD_PAYLOAD)));
	T_OK("header JSON array refused", refused(forge("[\"HS256\"]", GOOD_PAYLOAD)));
	T_OK("header JSON string refused", refused(forge("\"HS256\"", GOOD_PAYLOAD)));
	T_OK("header with trailing data refused",
	    refused(forge("{\"alg\":\"HS256\"}x", GOOD_PAYLOAD)));
	T_OK("empty header refused", refused(forge("", GOOD_PAYLOAD)));
	t = forge_raw("eyJhbGciOiJIUzI1NiJ9=", p, EVP_sha256(), KEY, KEYLEN);
	T_OK("header with base64 padding refused", refused(t));
	t = forge_raw("eyJhbGciOiJIUzI1NiJ9!", p, EVP_sha256(), KEY, KEYLEN);
	T_OK("header with a non-base64url character refused", refused(t));
}

static void
test_shapes(void)
{
	char *good = forge_payload(GOOD_PAYLOAD), *t;
	const char *hdr = b64(HS256_HDR), *p = b64(GOOD_PAYLOAD);
	size_t gl = strlen(good);
	struct jwt_claims c;
	const char *why;

	T_OK("control: the good token is accepted", accepted(good));
	T_INT("empty token refused",
	    jwt_verify(&A, KEY, KEYLEN, "", 0, (time_t)NOW, &c, &why), APP_EAUTH);
	T_OK("no dots refused", refused("abcdef"));
	t = arena_alloc(&A, gl + 1);
	snprintf(t, gl + 1, "%s.%s", hdr, p);
	T_OK("two parts refused", refused(t));
	t = arena_alloc(&A, gl + 8);
	snprintf(t, gl + 8, "%s.x", good);
	T_OK("four parts refused", refused(t));
	t = arena_alloc(&A, gl + 8);
	snprintf(t, gl + 8, "%s.", good);
	T_OK("trailing dot (four parts) refused", refused(t));
	T_OK("only dots refused", refused(".."));
	T_OK("three dots refused", refused("..."));
	t = forge_raw(hdr, "", EVP_sha256(), KEY, KEYLEN);
	T_OK("empty payload refused", refused(t));
	T_OK("payload not JSON refused", refused(forge_payload("id=1")));
	T_OK("payload JSON array refused", refused(forge_payload("[1]")));
	T_OK("payload with trailing data refused",
	    refused(forge_payload("{\"id\":1,\"exp\":1900000000}{}")));
}

/* RFC 7519 4.1.5: not before "nbf", give or take JWT_NBF_SKEW seconds. */
static void
test_nbf(void)
{
	char p[256];

	snprintf(p, sizeof(p), "{\"id\":7,\"nbf\":%lld,\"exp\":1900000000}", NOW + 3600);
	T_OK("a token an hour before its nbf is refused", refused(forge_payload(p)));
	snprintf(p, sizeof(p), "{\"id\":7,\"nbf\":%lld,\"exp\":1900000000}",
	    NOW + JWT_NBF_SKEW + 1);
	T_OK("just past the skew is refused", refused(forge_payload(p)));
	snprintf(p, sizeof(p), "{\"id\":7,\"nbf\":%lld,\"exp\":1900000000}",
	    NOW + JWT_NBF_SKEW);
	T_OK("within the skew is accepted", accepted(forge_payload(p)));
	snprintf(p, sizeof(p), "{\"id\":7,\"nbf\":%lld,\"exp\":1900000000}", NOW - 10);
	T_OK("a past nbf is accepted", accepted(forge_payload(p)));
	snprintf(p, sizeof(p), "{\"id\":7,\"nbf\":%lld.5,\"exp\":1900000000}", NOW);
	T_OK("a fractional NumericDate is a number too", accepted(forge_payload(p)));
	snprintf(p, sizeof(p), "{\"id\":7,\"nbf\":%lld.5,\"exp\":1900000000}", NOW + 3600);
	T_OK("a fractional nbf ahead is refused", refused(forge_payload(p)));
	T_OK("an nbf that is a string is refused",
	    refused(forge_payload("{\"id\":7,\"nbf\":\"0\",\"exp\":1900000000}")));
	T_OK("an nbf that is null is refused",
	    refused(forge_payload("{\"id\":7,\"nbf\":null,\"exp\":1900000000}")));
	T_OK("a session token with a past nbf is accepted",
	    accepted(forge_payload("{\"id\":7,\"sid\":\"abcdefghijklmnopqrstuvwx\","
	    "\"nbf\":1600000000,\"exp\":1900000000}")));
}

static void
test_signatures(void)
{
	char *good = forge_payload(GOOD_PAYLOAD), *t, *sig;
	size_t gl = strlen(good);
	const char *p;
	struct jwt_claims c;
	const char *why;

	/* Flip one character in the middle of the payload part. */
	t = arena_strdup(&A, good);
	p = strchr(t, '.') + 1;
	t[p - t + 5] = t[p - t + 5] == 'A' ? 'B' : 'A';
	T_OK("tampered payload refused", refused(t));
	/* A re-encoded payload with a higher id but the old signature. */
	{
		char *evil = forge_payload(
		    "{\"id\":1,\"organizationId\":\"org_1\",\"iat\":1700000000,\"exp\":1900000000}");
		char *mix = arena_alloc(&A, gl + 64);

		sprintf(mix, "%.*s%s", (int)(strrchr(evil, '.') - evil), evil,
		    strrchr(good, '.'));
		T_OK("payload swapped under another signature refused", refused(mix));
	}
	/* Flip one character of the header. */
	t = arena_strdup(&A, good);
	t[3] = t[3] == 'a' ? 'b' : 'a';
	T_OK("tampered header refused", refused(t));

	t = forge_raw(b64(HS256_HDR), b64(GOOD_PAYLOAD), EVP_sha256(), OTHER_KEY, KEYLEN);
	T_OK("signed with the wrong secret refused", refused(t));
	t = forge_raw(b64(HS256_HDR), b64(GOOD_PAYLOAD), EVP_sha256(), KEY, KEYLEN - 1);
	T_OK("signed with a prefix of the secret refused", refused(t));

	sig = strrchr(good, '.') + 1;
	T_INT("a valid signature is 43 characters", strlen(sig), 43);
	t = arena_strndup(&A, good, gl - 1);
	T_OK("signature of 42 characters refused", refused(t));
	t = arena_alloc(&A, gl + 2);
	snprintf(t, gl + 2, "%sA", good);
	T_OK("signature of 44 characters refused", refused(t));
	t = arena_alloc(&A, gl + 2);
	snprintf(t, gl + 2, "%s=", good);
	T_OK("signature with '=' padding refused", refused(t));
	t = arena_strndup(&A, good, (size_t)(sig - good));
	T_OK("empty signature with alg HS256 refused", refused(t));
	{
		/* The last character carries 4 bits and 2 zero bits; setting a
		 * zero bit gives a non-canonical encoding of the same MAC. */
		static const char alpha[] =
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		size_t last = gl - 1;
		int v = (int)(strchr(alpha, good[last]) - alpha);

		t = arena_strdup(&A, good);
		t[last] = alpha[v | 1];
		T_OK("non-canonical signature encoding (same MAC) refused", refused(t));
		t = arena_strdup(&A, good);
		t[last] = alpha[v ^ 4];
		T_OK("last signature character changed refused", refused(t));
		t = arena_strdup(&A, good);
		t[gl - 20] = t[gl - 20] == 'Q' ? 'R' : 'Q';
		T_OK("signature character flipped refused", refused(t));
	}

	/* A different key length: the same text signed with a long key. */
	{
		unsigned char longkey[200];

		memset(longkey, 'k', sizeof(longkey));
		t = forge_raw(b64(HS256_HDR), b64(GOOD_PAYLOAD), EVP_sha256(),
		    longkey, sizeof(longkey));
		T_INT("a 200-byte key verifies its own token",
		    jwt_verify(&A, longkey, sizeof(longkey), t, strlen(t),
		    (time_t)NOW, &c, &why), APP_OK);
		T_OK("a 200-byte key's token refused with KEY", refused(t));
	}
}

static void
test_claims(void)
{
	struct jwt_claims c;
	const char *why;
	char org[JWT_ORG_MAX + 2], json[512];

	T_OK("payload without exp refused",
	    refused(forge_payload("{\"id\":1,\"organizationId\":null,\"iat\":1700000000}")));
	T_OK("exp as a string refused",
	    refused(forge_payload("{\"id\":1,\"exp\":\"1900000000\"}")));
	T_OK("exp as a float refused",
	    refused(forge_payload("{\"id\":1,\"exp\":1900000000.5}")));
	T_OK("exp null refused", refused(forge_payload("{\"id\":1,\"exp\":null}")));
	T_OK("exp in the past refused",
	    refused(forge_payload("{\"id\":1,\"exp\":1600000000}")));
	T_OK("id 0 refused", refused(forge_payload("{\"id\":0,\"exp\":1900000000}")));
	T_OK("id negative refused", refused(forge_payload("{\"id\":-1,\"exp\":1900000000}")));
	T_OK("id string \"1\" refused",
	    refused(forge_payload("{\"id\":\"1\",\"exp\":1900000000}")));
	T_OK("id float refused", refused(forge_payload("{\"id\":1.5,\"exp\":1900000000}")));
	T_OK("id 1e3 refused", refused(forge_payload("{\"id\":1e3,\"exp\":1900000000}")));
	T_OK("id true refused", refused(forge_payload("{\"id\":true,\"exp\":1900000000}")));
	T_OK("id null refused", refused(forge_payload("{\"id\":null,\"exp\":1900000000}")));
	T_OK("id missing refused", refused(forge_payload("{\"exp\":1900000000}")));
	T_OK("minimal payload {id, exp} accepted",
	    accepted(forge_payload("{\"id\":1,\"exp\":1900000000}")));
	T_OK("organizationId as number refused",
	    refused(forge_payload("{\"id\":1,\"organizationId\":5,\"exp\":1900000000}")));
	T_OK("organizationId as object refused",
	    refused(forge_payload("{\"id\":1,\"organizationId\":{},\"exp\":1900000000}")));
	T_OK("organizationId false refused",
	    refused(forge_payload("{\"id\":1,\"organizationId\":false,\"exp\":1900000000}")));
	T_OK("organizationId with a NUL refused",
	    refused(forge_payload("{\"id\":1,\"organizationId\":\"a\\u0000b\",\"exp\":1900000000}")));
	T_INT("organizationId null accepted",
	    verify_at(forge_payload("{\"id\":3,\"organizationId\":null,\"exp\":1900000000}"),
	    NOW, &c, &why), APP_OK);
	T_STREQ("organizationId null -> \"\"", c.org, "");
	T_INT("organizationId string accepted",
	    verify_at(forge_payload("{\"id\":3,\"organizationId\":\"org_9\",\"exp\":1900000000}"),
	    NOW, &c, &why), APP_OK);
	T_STREQ("organizationId string copied", c.org, "org_9");

	memset(org, 'x', JWT_ORG_MAX);
	org[JWT_ORG_MAX] = '\0';
	snprintf(json, sizeof(json), "{\"id\":1,\"organizationId\":\"%s\",\"exp\":1900000000}", org);
	T_INT("organizationId of JWT_ORG_MAX bytes accepted",
	    verify_at(forge_payload(json), NOW, &c, &why), APP_OK);
	T_INT("organizationId of JWT_ORG_MAX bytes: length", strlen(c.org), JWT_ORG_MAX);
	org[JWT_ORG_MAX] = 'x';
	org[JWT_ORG_MAX + 1] = '\0';
	snprintf(json, sizeof(json), "{\"id\":1,\"organizationId\":\"%s\",\"exp\":1900000000}", org);
	T_OK("organizationId of JWT_ORG_MAX + 1 bytes refused", refused(forge_payload(json)));

	T_OK("iat as a string refused",
	    refused(forge_payload("{\"id\":1,\"iat\":\"x\",\"exp\":1900000000}")));
	T_INT("iat absent accepted",
	    verify_at(forge_payload("{\"id\":5,\"exp\":1900000000}"), NOW, &c, &why), APP_OK);
	T_INT("iat absent -> 0", c.iat, 0);
	T_INT("exp copied", c.exp, 1900000000);
	T_INT("id copied", c.id, 5);
}

static void
test_length(void)
{
	/* {"id":1,"exp":1900000000,"pad":"xxx..."}: find the pad making the
	 * token exactly JWT_MAX_LEN bytes long. */
	char *tok = NULL, *pad, *json;
	size_t padlen, found = 0;
	struct jwt_claims c;
	const char *why;

	pad = arena_alloc(&A, JWT_MAX_LEN + 1);
	json = arena_alloc(&A, JWT_MAX_LEN + 100);
	for (padlen = 2900; padlen < 3100; padlen++) {
		memset(pad, 'x', padlen);
		pad[padlen] = '\0';
		sprintf(json, "{\"id\":1,\"exp\":1900000000,\"pad\":\"%s\"}", pad);
		tok = forge_payload(json);
		if (strlen(tok) == JWT_MAX_LEN) {
			found = padlen;
			break;
		}
	}
	T_OK("built a token of exactly JWT_MAX_LEN bytes", found != 0);
	if (found != 0)
		T_INT("token of exactly JWT_MAX_LEN bytes accepted",
		    verify_at(tok, NOW, &c, &why), APP_OK);
	for (padlen = found; found != 0 && padlen < found + 10; padlen++) {
		memset(pad, 'x', padlen);
		pad[padlen] = '\0';
		sprintf(json, "{\"id\":1,\"exp\":1900000000,\"pad\":\"%s\"}", pad);
		tok = forge_payload(json);
		if (strlen(tok) > JWT_MAX_LEN)
			break;
	}
	T_OK("token longer than JWT_MAX_LEN built", tok != NULL && strlen(tok) > JWT_MAX_LEN);
	T_OK("token longer than JWT_MAX_LEN refused", refused(tok));
	{
		/* A good token followed by junk, with len past JWT_MAX_LEN. */
		char *big = arena_alloc(&A, JWT_MAX_LEN + 2);

		tok = forge_payload("{\"id\":1,\"exp\":1900000000}");
		memset(big, 'A', JWT_MAX_LEN + 1);
		memcpy(big, tok, strlen(tok));
		big[JWT_MAX_LEN + 1] = '\0';
		T_INT("len of JWT_MAX_LEN + 1 refused",
		    jwt_verify(&A, KEY, KEYLEN, big, JWT_MAX_LEN + 1, (time_t)NOW,
		    &c, &why), APP_EAUTH);
	}
}

int
main(void)
{
	arena_init(&A, 16384);
	test_round_trip();
	test_known_vector();
	test_algorithms();
	test_shapes();
	test_signatures();
	test_nbf();
	test_claims();
	test_length();
	arena_free(&A);
	return T_DONE();
}
