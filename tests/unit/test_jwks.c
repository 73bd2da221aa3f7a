/*
 * test_jwks.c - jwks.h: WorkOS RS256 access tokens checked against JWKS
 * documents built from the embedded test keys.  The test signs its own
 * tokens (EVP_DigestSign), so each case differs from a good token in one
 * thing only: the algorithm, the key, a claim, the shape.
 *
 * The keys were made once with
 *     openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048
 * (k3 with 1024 bits, to be skipped) for these tests only; they protect
 * nothing.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "arena.h"
#include "b64.h"
#include "jwks.h"
#include "t.h"

static const char k1_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCY3PlcUnWmlR7J\n"
    "pOXIpfMJPqvFjG7dEnsox9LFy9Z6xU6OqjVHERO92omFnac5pVBTmNSrme+DaEev\n"
    "lFU4bEUdEI8WAEXJgc1pd8iwQ1w9JwGY+VrLJlfPIo83X4ZxNravqb4DikLImg2u\n"
    "/WvadUpQKzgTqIWoRaF9U5GKLUZKm2Ec2VKx9H22qGwbsYk0j3ffqlwjqfmdyzgb\n"
    "aDV2GwhDs5MJ5hmzQxgBR4pkiHYYBY+09+KZ3iBV6Oohjb2GXXyTYZ8cW13CztUF\n"
    "IgvDHKbuNtGnUnxVh9EvL3NdF1mRHbTPluYefCFmjlkqzkUIh/Q2NhQ3kTzxiXZP\n"
    "tfahPvhzAgMBAAECggEAAlG+RoobwCg4DpS9/KSWOXzBcJWF0M8EecmROZ4OfPSF\n"
    "kYoklYM9UYMvHfrNl6msPGdUS0w9sQHLHBPy3RCm6BXFu7em6bORaBScHR7QhWOU\n"
    "MNc02PRfDI4BnCH4jLsNkvdztGMLt+1RTkK/ptGrwsMz92WIiQxIRQxPVchNEsv6\n"
    "SBV+lrlImORWfT5IWyowa3oziMGBSWVfCR163IyMWdtZhLqsBjaXwQDutVb+Jcic\n"
    "4/i+O4Lqn3Ice6tmO70BHhSmjvefIMkzo8xY0dDemZuYh9rc6/K7CzJj6eDW+43w\n"
    "6J5gnrZsa/AXL/yQ7HG3ZlCrBnUByJe0zp4fqtqpWQKBgQDUrzIAH4dp3nXCC0tj\n"
    "yr1d4FB0KWqh34HDVFBuf24gbRksBKV70WtrZjq/cmcI9UgncqAg+9kUKvm69enh\n"
    "kZa7JUUOpWC5tm1AZrhyibblJQzL8OxTjLzGEALgZmh5NOhL8KoYgTrrAXfqYeZD\n"
    "pEIc/hW7t7R/o9c2gDv0bMJcCQKBgQC3/twE5M6bM3tL7QC4j6eU6BzLgNR4cmh1\n"
    "xjTIjlaccoypKmMM1kzvHS5fXu0X1Ev9wyUmrO6YoBH6Iu9yVAvYYG8wcPl54v5V\n"
    "TccrsPjuZ465aKhFmBho+2MD6o3r5jRe9j4m6Kin0fNCGMxoVVdeihIijJ3EYE8e\n"
    "deHoy+UHmwKBgFdW7sCQMgqu2UrrWnVLj4JamI9rZqe84kv1duY5nF7ijoC+E7sK\n"
    "IAPFwoBWGavbFltkvg9tfRLEJzO4wufn4q9NudMu5M6+9JSK2lnm5d2p3lxtvo78\n"
    "75SihJvkUijcKjztQty3TRuuybDNrUK/1IqVaRVidlQoUzvFY1mXxCUJAoGAe6PI\n"
    "J4W1jDdJCBlH3b2yx+49w0ZcAGAo79N0Dr0PWGvlN5vjGXI8GoYKbk30lomzUt+6\n"
    "bEXSwz71NZgaPUJa/1i1/uA71HsDm0D7sNFoRZPTJaY9RR7ScGFVBQGtwrJbyOBB\n"
    "nZXEF5mOlIDjgsyuPDodu5ewQJDTOc3PM8cnrTcCgYBacUsXqmIgua9j8mU1CAs+\n"
    "WctVUjTbtwkB+CPAwI6UeOZvuQ/evM2VBS0OrOQDF0o1zxPkkzzqlDgsWGIAPyCM\n"
    "hC1sJYs93X7hj29Nb7zL9X3Z0INoQKbz+I2gyP5+IcyZOa48HUpvdNOqw0D9qOZU\n"
    "mAVk7pHQMbfUBy4MPjSLwQ==\n"
    "-----END PRIVATE KEY-----\n";

static const char k2_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDBxtSvnEYgNNKW\n"
    "PyHOLK28gCXRvwXMYvNo5tmbenpYgNkpGZkluoGXlr5JZqyp71yU+oV9LsPLQ4sP\n"
    "B/pLsNhb+ToMNt5m/1zv8WAhG+6MnFGoYeIv9t07eyegYqG/hPYjz3bd4p57VME5\n"
    "u5i7rnnX1VWRjXj3BmoEVUYqAKaUOl7Q2tZIkBEjB4O1sOTfmv1Gr8/IzBxNOUFR\n"
    "dAgqzfeRqcQYg9ib4rYBZChduCWiLs0E9eFXKAHMlDfGAIThS5rU+srac+bW8wr8\n"
    "RH1FL0331bv+RDrk5mUjlPE13tHQJD0ROq5xM0jJ7paWH8RhwqJfPToGQqNBGlr2\n"
    "KSAlx++zAgMBAAECggEAOrXz/esi4iIvBd/F7dJip2DKVKUEbDs01b1QBEgVJpiP\n"
    "c2DyolhCaHv/Vnz55pkD242WAWo4X28tBFZd8y33N9Ko0EeVle5cKcTf49gzLD42\n"
    "jYZuwiqRODLlvDX2HPF7pDj5IlxFuUdiLgxVR9QizY6xGOMc2feDCqINmq9MyU7o\n"
    "Y3DxfjRfmN56S54jaMQ8e4l4alAqxMKkADUWKlfyNInftFp0DM4xWUe7YUbNsDSP\n"
    "q7B6nDklXO0mc9tLmzE7veH0PUAq47gsSePCngAwp+jvCTohgjBSDMMPsM0GvEcg\n"
    "r9ueZCwh4npro7jcBvFVnK1DRoLiQp9B46t1ZxIIAQKBgQD4ZVTF7vu9kg4YbrY+\n"
    "3QFZHUQkL0BJBl+35bceH49mfvmCkcIjcjNFcRwOxzuKWu7ROG0gjg8Hw5pl+oi6\n"
    "zPoVyzES41IgylE8he5a8FSi+x7W2jc7cBaJgcUsQtfXSIYPn8iUFsJRDw4ZibOb\n"
    "1YRJwmqbsFhTcCKH51zv7q1IAQKBgQDHtXOTrXC+5K2LZ3Zt1rf5XwwtGEqU7FA1\n"
    "fHVZfnuML9tVR/5yDC1822Eil9gzqUFqj8oLFRod19KxPBSsGr2wSoTJiql8GXJH\n"
    "Nm8jl3CjUJktte1jjLDpsLbCLDp/IbX6P0iSroT541ew6CL1PqHoZWZDmeBFfuna\n"
    "8u6zXSaXswKBgQCc1UYAL1NNL0GtFYIGEP5/6KWUfy0ErnyTHPxQjba6DWO2mBdO\n"
    "0BUlPDRt9EdYpO9ytEDatDczPMJorxXTdAZW6lNSzKqXP4apQxrq2iFmQk4HdAI5\n"
    "ih0AtynqN04WhJj4lndLYU9RZMMPRs1bkCWVeKZdJKuwCvYSfvdEGpvYAQKBgCRf\n"
    "R819qSsbOwBIt6kJkjg4t17/LZYx8+nJ4RWLk7TUgn3lvtHGpgI3cll6jkXaba+a\n"
    "wJGEJl2JETZ2Ws19kU6qQ8TxHC0d9VJC97rjugAEjeFlYPbgiNgG90ImDAFbgmkx\n"
    "XWZZop5gaXguzy8bWSGaViW5wL7nfnACDrdcH8tBAoGBAIrcxHvo9rJ2Y7u7/cIa\n"
    "gpSesB+vbmzQGYqsN+oJoYLcDa+jE7p7GddUrt3MmTX4kTtmtIqs9DTm9o0m7cIo\n"
    "Gi/VeOUUPv/JI6NKnFDRbegdWdHP0RYMDbPBmsX7ogOvQKoEbbVsMApOaslSQlAB\n"
    "W2Uigqw6uZyrpWudUcXKQUT8\n"
    "-----END PRIVATE KEY-----\n";

static const char k3_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIICdwIBADANBgkqhkiG9w0BAQEFAASCAmEwggJdAgEAAoGBANMGSYmpxa4BCIpA\n"
    "NSmbyamR6knhskiJGpytSwlX9Bvkkcw5O8FuWpSIJ8P59aIYcacJ58Rz3W8q2pLj\n"
    "4rZfFroytt3BeMy5ZfxE7D5Xxki+BU17aaGvekSb4b+qj+LCn1NgEvknSj/kgksL\n"
    "A191jpa8dcafrMwSMpB/B3YXgjQ7AgMBAAECgYAiXcbCHZzs7owmf7hos09PR00h\n"
    "hRkUyQdFds9ekS1XEY1Q9g0uPjuQLvBS8TU4lcSEkI9nJfts7Ey2WViFnMzFcEdK\n"
    "aBHKF70GdpM6QHmd8N+dH9HytTIwEYZoqU/FPpvPLomP8ttCf0sCZjOSSLF0yFTu\n"
    "BAmCdkbsNtzwtG1hYQJBAPUS559+UaPV3Y7sHjrxfnhdTnwL9BxfZ6yqRq9ejA5X\n"
    "oUp8dTxsA2LaYojLj7CuaXkqR3Rb0EQvpxWeGqn9uesCQQDcbsTC6w3XJjGrVZEd\n"
    "3aGCLtgVDB0hAdbrwFSyjbHLBGuthRcJOqUefJLHTDY62AjC+l5bg96SOslrfp5v\n"
    "aQrxAkBZJxxtsAVBBY8I7Cp/JNTuMntXsv2FyMstS/BU4Z8vpH8/WpFHfr+omWtY\n"
    "+jx2eKxT8KZ31OKpu3Ab9B0dE/krAkEAmokJZkEVheTf42bsgoyTIsomcLL6ZN5+\n"
    "Ru6iMj9GCrcBqjdoy+6SPcpFuHTEfAJiOhb+OZg8XDXcaYDuH9r7cQJBAMc5xA5C\n"
    "qBy+7LKIGQ6yEosl5ItvriYub0WO1AjYxGcEvjHhb9c+ZeBLhSHgcLQmhtJdOgrt\n"
    "scKrMBQ+1ohNc38=\n"
    "-----END PRIVATE KEY-----\n";

#define ISS "https://api.workos.com"
#define SUB "user_01HZX3AAAABBBBCCCCDDDDEEEE"
#define SID "session_01HZX3MMMMNNNNPPPPQQQQRRRR"
#define ORG "org_01HZX3FFFFGGGGHHHHJJJJKKKK"

/* A 129-character string. */
#define S129 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"a"

/* Reasons jwks_verify() gives. */
#define BADSIG  "bad signature"
#define BADALG  "algorithm is not RS256"
#define NOKID   "header has no valid kid"
#define BADHDR  "header is not base64url JSON"
#define BADPL   "payload is not base64url JSON object"
#define NOEXP   "payload has no integer exp"
#define EXPIRED "token expired"
#define BADISS  "wrong issuer"
#define PARTS   "token is not three parts"
#define BADSUB  "sub is not a valid string"
#define BADORG  "org_id is not a valid string"

static struct arena A;
static EVP_PKEY *K1, *K2, *K3; /* 2048, 2048, 1024 bits */
static struct jwks *SET;       /* K1 as "key1", K2 as "key2" */
static time_t NOW;
static int refusals_bad;       /* refusals without a reason or with claims */

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* printf into the arena. */
static char *
fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	s = arena_alloc(&A, (size_t)n + 1);
	if (s == NULL)
		abort();
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

/* base64url of n bytes, on the arena. */
static char *
b64(const void *p, size_t n)
{
	char *s = arena_alloc(&A, B64URL_LEN(n) + 1);

	if (s == NULL)
		abort();
	b64url_encode(s, p, n);
	return s;
}

static EVP_PKEY *
load(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = NULL;

	if (b != NULL)
		k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	if (k == NULL)
		abort();
	return k;
}

/*
 * The RSA parameter name (n or e) of k in base64url, after zeros leading
 * zero octets.
 */
static char *
param_b64(EVP_PKEY *k, const char *name, int zeros)
{
	BIGNUM *bn = NULL;
	unsigned char buf[1100];
	int n;

	if (EVP_PKEY_get_bn_param(k, name, &bn) != 1 ||
	    BN_num_bytes(bn) + zeros > (int)sizeof(buf))
		abort();
	memset(buf, 0, (size_t)zeros);
	n = BN_bn2bin(bn, buf + zeros);
	BN_free(bn);
	return b64(buf, (size_t)(n + zeros));
}

/* A JWK of k's public half: extra goes between kid and n. */
static char *
jwk(EVP_PKEY *k, const char *kid, const char *extra)
{
	return fmt("{\"kty\":\"RSA\",\"kid\":\"%s\",%s"
	    "\"n\":\"%s\",\"e\":\"%s\"}", kid, extra,
	    param_b64(k, OSSL_PKEY_PARAM_RSA_N, 0),
	    param_b64(k, OSSL_PKEY_PARAM_RSA_E, 0));
}

/* The usual WorkOS attributes of a key. */
#define STD "\"alg\":\"RS256\",\"use\":\"sig\","

/* The public key of k in PEM, as an attacker would find it. */
static char *
pub_pem(EVP_PKEY *k, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *s;
	long n;

	if (b == NULL || PEM_write_bio_PUBKEY(b, k) != 1)
		abort();
	n = BIO_get_mem_data(b, &data);
	s = arena_alloc(&A, (size_t)n + 1);
	if (s == NULL)
		abort();
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	BIO_free(b);
	*len = (size_t)n;
	return s;
}

/*
 * b64(hdr).b64(pl).signature: signed by k with md (PSS padding when pss),
 * or with an empty signature when k is NULL.
 */
static char *
sign_with(const char *hdr, const char *pl, EVP_PKEY *k, const EVP_MD *md,
    int pss)
{
	EVP_MD_CTX *m;
	EVP_PKEY_CTX *pc = NULL;
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	char *hp;

	hp = fmt("%s.%s", b64(hdr, strlen(hdr)), b64(pl, strlen(pl)));
	if (k == NULL)
		return fmt("%s.", hp);
	m = EVP_MD_CTX_new();
	if (m == NULL || EVP_DigestSignInit(m, &pc, md, NULL, k) != 1 ||
	    (pss &&
	    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) <= 0) ||
	    EVP_DigestSign(m, sig, &siglen, (unsigned char *)hp,
	    strlen(hp)) != 1)
		abort();
	EVP_MD_CTX_free(m);
	return fmt("%s.%s", hp, b64(sig, siglen));
}

/* An RS256 token with header {"alg":"RS256","kid":kid,"typ":"JWT"}. */
static char *
tok(EVP_PKEY *k, const char *kid, const char *pl)
{
	return sign_with(fmt("{\"alg\":\"RS256\",\"kid\":\"%s\","
	    "\"typ\":\"JWT\"}", kid), pl, k, EVP_sha256(), 0);
}

/* A full WorkOS payload (as in the spec) expiring at exp. */
static char *
payload(long long exp)
{
	return fmt("{\"iss\":\"" ISS "\",\"sub\":\"" SUB "\",\"sid\":\"" SID
	    "\",\"jti\":\"01HZX3SSSSTTTTVVVVWWWWXXXX\",\"org_id\":\"" ORG
	    "\",\"role\":\"admin\",\"roles\":[\"admin\"],\"permissions\":"
	    "[\"posts:read\",\"posts:write\"],\"iat\":%lld,\"exp\":%lld}",
	    (long long)NOW - 10, exp);
}

/* A minimal valid payload plus extra members (extra starts with ','). */
static char *
pl_with(const char *extra)
{
	return fmt("{\"iss\":\"" ISS "\",\"sub\":\"" SUB "\",\"exp\":%lld%s}",
	    (long long)NOW + 300, extra);
}

/*
 * Verify token against set with issuer: the result must be want and, when
 * why is not NULL, the reason why, so that a refusal is known to come from
 * the rule under test.  A refusal must also leave the claims empty.
 */
static void
verify_is(const char *name, const struct jwks *set, const char *token,
    const char *issuer, enum app_err want, const char *why)
{
	struct jwks_claims c;
	const char *reason = NULL;
	enum app_err got;

	memset(&c, 'x', sizeof(c));
	got = jwks_verify(&A, set, token, strlen(token), NOW, issuer, &c,
	    &reason);
	if (got == want && (why == NULL ||
	    (reason != NULL && strcmp(reason, why) == 0)))
		printf("ok - %s\n", name);
	else {
		printf("not ok - %s: got %s (%s), want %s (%s)\n", name,
		    app_strerror(got), reason ? reason : "no reason",
		    app_strerror(want), why ? why : "any reason");
		t_failed = 1;
	}
	if (got != APP_OK && (reason == NULL || c.sub[0] != '\0' ||
	    c.exp != 0)) {
		printf("# %s: refusal without reason or with claims\n", name);
		refusals_bad++;
	}
}

static void
check_set(const char *name, const struct jwks *set, const char *token,
    const char *issuer, enum app_err want)
{
	verify_is(name, set, token, issuer, want, NULL);
}

/* Against the two-key set with the WorkOS issuer. */
static void
check(const char *name, const char *token, enum app_err want)
{
	verify_is(name, SET, token, ISS, want, NULL);
}

/* Refused (APP_EAUTH) for the reason why. */
static void
checkw(const char *name, const char *token, const char *why)
{
	verify_is(name, SET, token, ISS, APP_EAUTH, why);
}

static void
test_good(void)
{
	struct jwks_claims c;
	const char *reason = NULL, *t;
	long long exp = (long long)NOW + 290;

	t = tok(K1, "key1", payload(exp));
	T_INT("good token: OK", jwks_verify(&A, SET, t, strlen(t), NOW, ISS,
	    &c, &reason), APP_OK);
	T_STREQ("good token: sub", c.sub, SUB);
	T_STREQ("good token: sid", c.sid, SID);
	T_STREQ("good token: org_id", c.org_id, ORG);
	T_STREQ("good token: role", c.role, "admin");
	T_INT("good token: iat", c.iat, (long long)NOW - 10);
	T_INT("good token: exp", c.exp, exp);

	t = tok(K1, "key1", fmt("{\"sub\":\"u\",\"exp\":%lld}", exp));
	T_INT("minimal token, no issuer check: OK", jwks_verify(&A, SET, t,
	    strlen(t), NOW, NULL, &c, NULL), APP_OK);
	T_OK("minimal token: optional claims empty",
	    strcmp(c.sub, "u") == 0 && c.sid[0] == '\0' &&
	    c.org_id[0] == '\0' && c.role[0] == '\0' && c.iat == 0);

	t = tok(K1, "key1", pl_with(",\"org_id\":null,\"role\":null"));
	T_INT("null org_id and role count as absent", jwks_verify(&A, SET, t,
	    strlen(t), NOW, ISS, &c, NULL), APP_OK);
	T_OK("null org_id: empty", c.org_id[0] == '\0' && c.role[0] == '\0');

	/* The payload checks alone, as jwks_verify() makes them after the signature. */
	t = payload(exp);
	t = b64(t, strlen(t));
	T_INT("jwks_claims: good payload", jwks_claims(&A, t, strlen(t), NOW, ISS, &c,
	    &reason), APP_OK);
	T_STREQ("jwks_claims: sub", c.sub, SUB);
	t = fmt("{\"sub\":\"u\",\"exp\":%lld}", (long long)NOW - 3600);
	t = b64(t, strlen(t));
	T_INT("jwks_claims: expired", jwks_claims(&A, t, strlen(t), NOW, NULL, &c,
	    &reason), APP_EAUTH);
	T_OK("jwks_claims: a refused payload leaves no claims", c.sub[0] == '\0');

	t = tok(K2, "key2", payload(exp));
	T_INT("two keys: key2 picked by kid", jwks_verify(&A, SET, t,
	    strlen(t), NOW, ISS, &c, NULL), APP_OK);
	T_STREQ("two keys: key2 claims", c.sub, SUB);
}

static void
test_keys(void)
{
	char *t, *p;

	checkw("wrong key (key2 signs, kid key1)",
	    tok(K2, "key1", payload(NOW + 300)), BADSIG);
	checkw("wrong key (key1 signs, kid key2)",
	    tok(K1, "key2", payload(NOW + 300)), BADSIG);
	check("unknown kid", tok(K1, "key9", payload(NOW + 300)),
	    APP_ENOTFOUND);
	check("unknown kid, unsigned", tok(NULL, "key9", payload(NOW + 300)),
	    APP_ENOTFOUND);
	check_set("no JWKS at all: unknown kid", NULL,
	    tok(K1, "key1", payload(NOW + 300)), ISS, APP_ENOTFOUND);

	t = tok(K1, "key1", payload(NOW + 300));
	p = strrchr(t, '.') + 10;
	*p = *p == 'A' ? 'B' : 'A';
	checkw("signature with one character changed", t, BADSIG);
	t = tok(K1, "key1", payload(NOW + 300));
	checkw("signature one character short",
	    fmt("%.*s", (int)strlen(t) - 1, t), BADSIG);
	checkw("signature one character long", fmt("%sA", t), BADSIG);
	checkw("signature of another token",
	    fmt("%.*s%s", (int)(strrchr(t, '.') - t),  t,
	    strrchr(tok(K1, "key1", payload(NOW + 299)), '.')), BADSIG);
	checkw("RS256 header, PSS signature",
	    sign_with("{\"alg\":\"RS256\",\"kid\":\"key1\"}",
	    payload(NOW + 300), K1, EVP_sha256(), 1), BADSIG);
	checkw("RS256 header, SHA-384 signature",
	    sign_with("{\"alg\":\"RS256\",\"kid\":\"key1\"}",
	    payload(NOW + 300), K1, EVP_sha384(), 0), BADSIG);
	/* The header's own key must never be trusted. */
	checkw("embedded jwk of the signer is ignored",
	    sign_with(fmt("{\"alg\":\"RS256\",\"kid\":\"key1\",\"jwk\":%s}",
	    jwk(K2, "key1", STD)), payload(NOW + 300), K2, EVP_sha256(), 0),
	    BADSIG);
}

static void
test_algs(void)
{
	const char *hdr, *pl = payload(NOW + 300);
	unsigned char mac[32];
	unsigned int maclen = 0;
	size_t pemlen;
	char *pem, *hp;

	checkw("alg none, empty signature",
	    sign_with("{\"alg\":\"none\",\"kid\":\"key1\"}", pl, NULL, NULL, 0),
	    BADALG);
	checkw("alg none, no kid, empty signature",
	    sign_with("{\"alg\":\"none\"}", pl, NULL, NULL, 0), BADALG);
	checkw("alg none, valid RS256 signature",
	    sign_with("{\"alg\":\"none\",\"kid\":\"key1\"}", pl, K1,
	    EVP_sha256(), 0), BADALG);
	checkw("alg None", sign_with("{\"alg\":\"None\",\"kid\":\"key1\"}", pl,
	    NULL, NULL, 0), BADALG);

	/* Key confusion: HMAC keyed with what is public. */
	pem = pub_pem(K1, &pemlen);
	hdr = "{\"alg\":\"HS256\",\"kid\":\"key1\",\"typ\":\"JWT\"}";
	hp = fmt("%s.%s", b64(hdr, strlen(hdr)), b64(pl, strlen(pl)));
	if (HMAC(EVP_sha256(), pem, (int)pemlen, (unsigned char *)hp,
	    strlen(hp), mac, &maclen) == NULL)
		abort();
	checkw("HS256 keyed with the public key PEM",
	    fmt("%s.%s", hp, b64(mac, maclen)), BADALG);
	hdr = "{\"alg\":\"RS256\",\"kid\":\"key1\",\"typ\":\"JWT\"}";
	hp = fmt("%s.%s", b64(hdr, strlen(hdr)), b64(pl, strlen(pl)));
	if (HMAC(EVP_sha256(), pem, (int)pemlen, (unsigned char *)hp,
	    strlen(hp), mac, &maclen) == NULL)
		abort();
	checkw("RS256 header, HMAC-with-public-key signature",
	    fmt("%s.%s", hp, b64(mac, maclen)), BADSIG);

	checkw("RS384 header, RS384 signature",
	    sign_with("{\"alg\":\"RS384\",\"kid\":\"key1\"}", pl, K1,
	    EVP_sha384(), 0), BADALG);
	checkw("RS384 header, RS256 signature",
	    sign_with("{\"alg\":\"RS384\",\"kid\":\"key1\"}", pl, K1,
	    EVP_sha256(), 0), BADALG);
	checkw("PS256 header, PS256 signature",
	    sign_with("{\"alg\":\"PS256\",\"kid\":\"key1\"}", pl, K1,
	    EVP_sha256(), 1), BADALG);
	checkw("missing alg", sign_with("{\"kid\":\"key1\"}", pl, K1,
	    EVP_sha256(), 0), BADALG);
	checkw("alg rs256", sign_with("{\"alg\":\"rs256\",\"kid\":\"key1\"}",
	    pl, K1, EVP_sha256(), 0), BADALG);
	checkw("alg RS256 plus NUL", sign_with(
	    "{\"alg\":\"RS256\\u0000\",\"kid\":\"key1\"}", pl, K1,
	    EVP_sha256(), 0), BADALG);
	checkw("alg as array", sign_with(
	    "{\"alg\":[\"RS256\"],\"kid\":\"key1\"}", pl, K1, EVP_sha256(), 0),
	    BADALG);
	checkw("missing kid", sign_with("{\"alg\":\"RS256\"}", pl, K1,
	    EVP_sha256(), 0), NOKID);
	checkw("empty kid", sign_with("{\"alg\":\"RS256\",\"kid\":\"\"}", pl,
	    K1, EVP_sha256(), 0), NOKID);
	checkw("kid of 256 characters", sign_with(fmt("{\"alg\":\"RS256\","
	    "\"kid\":\"%.128s%.128s\"}", S129, S129), pl, K1, EVP_sha256(), 0),
	    NOKID);
	check("kid of 255 characters: unknown", sign_with(fmt("{\"alg\":"
	    "\"RS256\",\"kid\":\"%.128s%.127s\"}", S129, S129), pl, K1,
	    EVP_sha256(), 0), APP_ENOTFOUND);
	checkw("kid as number", sign_with("{\"alg\":\"RS256\",\"kid\":1}", pl,
	    K1, EVP_sha256(), 0), NOKID);
	checkw("crit header", sign_with(
	    "{\"alg\":\"RS256\",\"kid\":\"key1\",\"crit\":[\"exp\"],\"exp\":1}",
	    pl, K1, EVP_sha256(), 0), "header has crit");
	checkw("header is an array", sign_with("[\"RS256\"]", pl, K1,
	    EVP_sha256(), 0), BADHDR);
}

static void
test_time(void)
{
	checkw("expired: exp = now - 61", tok(K1, "key1", payload(NOW - 61)),
	    EXPIRED);
	checkw("expired: exp = now - 60", tok(K1, "key1", payload(NOW - 60)),
	    EXPIRED);
	check("skew: exp = now - 59", tok(K1, "key1", payload(NOW - 59)),
	    APP_OK);
	check("skew: exp = now - 30", tok(K1, "key1", payload(NOW - 30)),
	    APP_OK);
	checkw("exp missing", tok(K1, "key1",
	    "{\"iss\":\"" ISS "\",\"sub\":\"" SUB "\"}"), NOEXP);
	checkw("exp as string", tok(K1, "key1", fmt("{\"iss\":\"" ISS
	    "\",\"sub\":\"" SUB "\",\"exp\":\"%lld\"}", (long long)NOW + 300)),
	    NOEXP);
	checkw("exp as float", tok(K1, "key1", fmt("{\"iss\":\"" ISS
	    "\",\"sub\":\"" SUB "\",\"exp\":%lld.5}", (long long)NOW + 300)),
	    NOEXP);
	checkw("exp null", tok(K1, "key1", "{\"iss\":\"" ISS
	    "\",\"sub\":\"" SUB "\",\"exp\":null}"), NOEXP);
	checkw("iat as string", tok(K1, "key1", pl_with(",\"iat\":\"1\"")),
	    "iat is not an integer");
	check("nbf now + 30 (skew)", tok(K1, "key1",
	    pl_with(fmt(",\"nbf\":%lld", (long long)NOW + 30))), APP_OK);
	checkw("nbf now + 120", tok(K1, "key1",
	    pl_with(fmt(",\"nbf\":%lld", (long long)NOW + 120))),
	    "token not yet valid");
	checkw("nbf as string", tok(K1, "key1", pl_with(",\"nbf\":\"0\"")),
	    "nbf is not an integer");
}

/* A token whose iss is iss (NULL: none). */
static char *
iss_tok(const char *iss)
{
	if (iss == NULL)
		return tok(K1, "key1", fmt("{\"sub\":\"" SUB "\",\"exp\":%lld}",
		    (long long)NOW + 300));
	return tok(K1, "key1", fmt("{\"iss\":%s,\"sub\":\"" SUB
	    "\",\"exp\":%lld}", iss, (long long)NOW + 300));
}

static void
test_issuer(void)
{
	checkw("issuer mismatch", iss_tok("\"https://evil.example\""), BADISS);
	checkw("issuer with a suffix", iss_tok("\"" ISS ".evil.example\""),
	    BADISS);
	checkw("issuer prefix only", iss_tok("\"https://api.workos.co\""),
	    BADISS);
	checkw("issuer http", iss_tok("\"http://api.workos.com\""), BADISS);
	checkw("iss missing", iss_tok(NULL), BADISS);
	checkw("iss as number", iss_tok("1"), BADISS);
	checkw("iss empty", iss_tok("\"\""), BADISS);
	check("iss with trailing slash, configured without",
	    iss_tok("\"" ISS "/\""), APP_OK);
	check_set("iss without trailing slash, configured with", SET,
	    iss_tok("\"" ISS "\""), ISS "/", APP_OK);
	check_set("iss and configured both with trailing slash", SET,
	    iss_tok("\"" ISS "/\""), ISS "/", APP_OK);
	checkw("iss with two trailing slashes", iss_tok("\"" ISS "//\""),
	    BADISS);
	checkw("iss with NUL", iss_tok("\"" ISS "\\u0000\""), BADISS);
	check_set("issuer NULL: iss not checked", SET,
	    iss_tok("\"https://evil.example\""), NULL, APP_OK);
}

static void
test_shape(void)
{
	char *good, *other, *d1, *d2, *pad;
	size_t n;

	good = tok(K1, "key1", payload(NOW + 300));
	other = tok(K1, "key1", fmt("{\"iss\":\"" ISS "\","
	    "\"sub\":\"user_evil\",\"exp\":%lld}", (long long)NOW + 300));
	d1 = strchr(good, '.');
	d2 = strrchr(good, '.');
	check("good token (control)", good, APP_OK);
	checkw("tampered payload", fmt("%.*s%.*s%s", (int)(d1 - good), good,
	    (int)(strrchr(other, '.') - strchr(other, '.')), strchr(other, '.'),
	    d2), BADSIG);
	checkw("payload with one character changed",
	    fmt("%.*s%c%s", (int)(d1 + 5 - good), good,
	    d1[5] == 'A' ? 'B' : 'A', d1 + 6), BADSIG);
	checkw("two parts", fmt("%.*s", (int)(d2 - good), good), PARTS);
	checkw("four parts", fmt("%s.", good), PARTS);
	checkw("four parts, header twice", fmt("%.*s%s", (int)(d1 + 1 - good),
	    good, good), PARTS);
	checkw("one part", fmt("%.*s", (int)(d1 - good), good), PARTS);
	checkw("empty token", "", "token empty or too long");
	checkw("only dots", "..", BADHDR);
	checkw("padding in the signature", fmt("%s==", good), BADSIG);
	checkw("base64 (+/) instead of base64url",
	    "eyJhbGciOiJSUzI1NiJ9+.eyJ9.AAAA", BADHDR);
	checkw("header not JSON", fmt("bm90IGpzb24%s", d1), BADHDR);
	checkw("payload an array", tok(K1, "key1", "[\"" SUB "\"]"), BADPL);
	checkw("payload not JSON", tok(K1, "key1", "not json"), BADPL);
	checkw("payload with trailing garbage",
	    tok(K1, "key1", fmt("%s}", payload(NOW + 300))), BADPL);

	/* Around the 16 KiB limit, with valid signatures. */
	n = 11000;
	pad = arena_alloc(&A, n + 1);
	memset(pad, 'p', n);
	pad[n] = '\0';
	good = tok(K1, "key1", pl_with(fmt(",\"pad\":\"%s\"", pad)));
	T_OK("15 KiB token is under the limit",
	    strlen(good) > 14000 && strlen(good) <= JWKS_TOKEN_MAX);
	check("15 KiB token: OK", good, APP_OK);
	n = 12500;
	pad = arena_alloc(&A, n + 1);
	memset(pad, 'p', n);
	pad[n] = '\0';
	good = tok(K1, "key1", pl_with(fmt(",\"pad\":\"%s\"", pad)));
	T_OK("overlong token is over the limit", strlen(good) > JWKS_TOKEN_MAX);
	checkw("overlong token", good, "token empty or too long");
}

static void
test_claims(void)
{
	struct jwks_claims c;
	char *t;

	T_INT("S129 has 129 characters", strlen(S129), 129);
	checkw("sub missing", tok(K1, "key1", fmt("{\"iss\":\"" ISS
	    "\",\"exp\":%lld}", (long long)NOW + 300)), BADSUB);
	checkw("sub empty", tok(K1, "key1", fmt("{\"iss\":\"" ISS
	    "\",\"sub\":\"\",\"exp\":%lld}", (long long)NOW + 300)), BADSUB);
	checkw("sub as number", tok(K1, "key1", fmt("{\"iss\":\"" ISS
	    "\",\"sub\":12,\"exp\":%lld}", (long long)NOW + 300)), BADSUB);
	checkw("sub null", tok(K1, "key1", fmt("{\"iss\":\"" ISS
	    "\",\"sub\":null,\"exp\":%lld}", (long long)NOW + 300)), BADSUB);
	checkw("sub 129 characters", tok(K1, "key1", fmt("{\"iss\":\"" ISS
	    "\",\"sub\":\"" S129 "\",\"exp\":%lld}", (long long)NOW + 300)),
	    BADSUB);
	checkw("sub with NUL", tok(K1, "key1", fmt("{\"iss\":\"" ISS
	    "\",\"sub\":\"user\\u0000x\",\"exp\":%lld}", (long long)NOW + 300)),
	    BADSUB);
	checkw("org_id as number", tok(K1, "key1", pl_with(",\"org_id\":42")),
	    BADORG);
	checkw("org_id as object", tok(K1, "key1",
	    pl_with(",\"org_id\":{\"id\":\"" ORG "\"}")), BADORG);
	checkw("sid as array", tok(K1, "key1",
	    pl_with(",\"sid\":[\"" SID "\"]")), "sid is not a valid string");
	checkw("role as boolean", tok(K1, "key1", pl_with(",\"role\":true")),
	    "role is not a valid string");
	checkw("sid 129 characters", tok(K1, "key1",
	    pl_with(",\"sid\":\"" S129 "\"")), "sid is not a valid string");
	checkw("org_id 129 characters", tok(K1, "key1",
	    pl_with(",\"org_id\":\"" S129 "\"")), BADORG);
	checkw("role 129 characters", tok(K1, "key1",
	    pl_with(",\"role\":\"" S129 "\"")), "role is not a valid string");

	/* 128 characters is the longest accepted. */
	t = tok(K1, "key1", pl_with(fmt(",\"role\":\"%.128s\"", S129)));
	T_INT("role 128 characters: OK", jwks_verify(&A, SET, t, strlen(t), NOW,
	    ISS, &c, NULL), APP_OK);
	T_INT("role 128 characters: copied", strlen(c.role), 128);
}

/* Parse doc; want is the result, count the keys kept. */
static struct jwks *
parse(const char *name, const char *doc, enum app_err want, size_t count)
{
	static int sentinel;
	/* A non-NULL start: a refusal must still leave *out NULL. */
	struct jwks *k = (struct jwks *)&sentinel;
	char buf[200];
	enum app_err got;

	got = jwks_parse(doc, strlen(doc), &k);
	snprintf(buf, sizeof(buf), "jwks: %s: result", name);
	T_INT(buf, got, want);
	snprintf(buf, sizeof(buf), "jwks: %s: keys", name);
	T_INT(buf, got == APP_OK ? jwks_count(k) : (k == NULL ? 0 : 999),
	    count);
	return got == APP_OK ? k : NULL;
}

/* Members R, K (kid) and the tail N_E ("n", "e" from the two %s). */
#define R "\"kty\":\"RSA\","
#define K(kid) "\"kid\":\"" kid "\","
#define N_E "\"n\":\"%s\",\"e\":\"%s\"}"

static const struct {
	const char *name, *jwk;
} bad[] = {
	{ "n with padding", "{" R K("a") "\"n\":\"%s==\",\"e\":\"%s\"}" },
	{ "n in base64 (+)", "{" R K("a") "\"n\":\"+%s\",\"e\":\"%s\"}" },
	{ "n as number", "{" R K("a") "\"x\":\"%s\",\"n\":1,\"e\":\"%s\"}" },
	{ "n missing", "{" R K("a") "\"x\":\"%s\",\"e\":\"%s\"}" },
	{ "e missing", "{" R K("a") "\"n\":\"%s\",\"x\":\"%s\"}" },
	{ "e empty", "{" R K("a") "\"n\":\"%s\",\"x\":\"%s\",\"e\":\"\"}" },
	{ "e = 1", "{" R K("a") "\"n\":\"%s\",\"x\":\"%s\",\"e\":\"AQ\"}" },
	{ "e = 2", "{" R K("a") "\"n\":\"%s\",\"x\":\"%s\",\"e\":\"Ag\"}" },
	{ "e of 72 bits",
	    "{" R K("a") "\"n\":\"%s\",\"x\":\"%s\",\"e\":\"AQAAAAAAAAAB\"}" },
	{ "kid missing", "{" R N_E },
	{ "kid empty", "{" R K("") N_E },
	{ "kid as number", "{" R "\"kid\":7," N_E },
	{ "kty missing", "{" K("a") N_E },
	{ "kty rsa", "{\"kty\":\"rsa\"," K("a") N_E },
	{ "kty oct", "{\"kty\":\"oct\"," K("a") N_E },
	{ "alg as number", "{" R K("a") "\"alg\":1," N_E },
	{ "alg PS256", "{" R K("a") "\"alg\":\"PS256\"," N_E },
	{ "alg HS256", "{" R K("a") "\"alg\":\"HS256\"," N_E },
	{ "alg none", "{" R K("a") "\"alg\":\"none\"," N_E },
	{ "use enc", "{" R K("a") "\"use\":\"enc\"," N_E },
	{ "use as array", "{" R K("a") "\"use\":[\"sig\"]," N_E },
};

static void
test_parse(void)
{
	struct jwks *k;
	char *n1, *e1, name[80];
	size_t i;

	n1 = param_b64(K1, OSSL_PKEY_PARAM_RSA_N, 0);
	e1 = param_b64(K1, OSSL_PKEY_PARAM_RSA_E, 0);

	/* Every kind of skipped key around one good one. */
	k = parse("skips EC, RS384, use enc, 1024-bit", fmt("{\"keys\":["
	    "{\"kty\":\"EC\",\"kid\":\"ec\",\"crv\":\"P-256\",\"use\":\"sig\","
	    "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
	    "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"},"
	    "%s,%s,%s,%s]}",
	    jwk(K2, "rs384", "\"alg\":\"RS384\",\"use\":\"sig\","),
	    jwk(K2, "enc", "\"alg\":\"RS256\",\"use\":\"enc\","),
	    jwk(K3, "small", STD), jwk(K1, "key1", STD)), APP_OK, 1);
	check_set("skipped EC kid: unknown", k, tok(K2, "ec",
	    payload(NOW + 300)), ISS, APP_ENOTFOUND);
	check_set("skipped RS384 key: unknown", k, tok(K2, "rs384",
	    payload(NOW + 300)), ISS, APP_ENOTFOUND);
	check_set("skipped use enc key: unknown", k, tok(K2, "enc",
	    payload(NOW + 300)), ISS, APP_ENOTFOUND);
	check_set("skipped 1024-bit key: unknown", k, tok(K3, "small",
	    payload(NOW + 300)), ISS, APP_ENOTFOUND);
	check_set("kept key after skipped ones: OK", k, tok(K1, "key1",
	    payload(NOW + 300)), ISS, APP_OK);
	jwks_free(k);

	parse("only a 1024-bit key", fmt("{\"keys\":[%s]}",
	    jwk(K3, "small", STD)), APP_EINPUT, 0);
	parse("empty keys", "{\"keys\":[]}", APP_EINPUT, 0);
	parse("malformed JSON", "{\"keys\":[", APP_EINPUT, 0);
	parse("malformed JSON: trailing garbage", "{\"keys\":[]}x",
	    APP_EINPUT, 0);
	parse("empty document", "", APP_EINPUT, 0);
	parse("no keys member", "{\"key\":[]}", APP_EINPUT, 0);
	parse("keys is an object", fmt("{\"keys\":{\"a\":%s}}",
	    jwk(K1, "key1", STD)), APP_EINPUT, 0);
	parse("document is an array", fmt("[%s]", jwk(K1, "key1", STD)),
	    APP_EINPUT, 0);
	parse("keys are not objects", "{\"keys\":[1,\"a\",null,[]]}",
	    APP_EINPUT, 0);

	/* e1 is AQAB for these keys: the control below relies on it. */
	T_STREQ("test keys have e = 65537", e1, "AQAB");
	k = parse("control for the table below: unknown members ignored",
	    fmt("{\"keys\":[{" R K("a")
	    "\"n\":\"%s\",\"x\":\"%s\",\"e\":\"AQAB\"}]}", n1, e1), APP_OK, 1);
	jwks_free(k);
	/* Keys unusable for one reason each; every format takes n, then e. */
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(name, sizeof(name), "skips %s", bad[i].name);
		parse(name, fmt("{\"keys\":[%s]}", fmt(bad[i].jwk, n1, e1)),
		    APP_EINPUT, 0);
	}

	/* alg and use may be left out; n may carry a leading zero octet. */
	k = parse("alg and use absent, leading zero in n", fmt("{\"keys\":["
	    "{\"kty\":\"RSA\",\"kid\":\"key1\",\"n\":\"%s\",\"e\":\"%s\"}]}",
	    param_b64(K1, OSSL_PKEY_PARAM_RSA_N, 1), e1), APP_OK, 1);
	check_set("key with leading zero: OK", k, tok(K1, "key1",
	    payload(NOW + 300)), ISS, APP_OK);
	jwks_free(k);

	/* A repeated kid: the first key wins, the second is not a fallback. */
	k = parse("repeated kid", fmt("{\"keys\":[%s,%s]}", jwk(K1, "dup", STD),
	    jwk(K2, "dup", STD)), APP_OK, 1);
	check_set("repeated kid: first key OK", k, tok(K1, "dup",
	    payload(NOW + 300)), ISS, APP_OK);
	check_set("repeated kid: second key refused", k, tok(K2, "dup",
	    payload(NOW + 300)), ISS, APP_EAUTH);
	jwks_free(k);

	/* WorkOS's shape: x5c, x5t#S256 and unknown members are ignored. */
	k = parse("WorkOS document with x5c", fmt("{\"keys\":[{"
	    "\"alg\":\"RS256\",\"kty\":\"RSA\",\"use\":\"sig\","
	    "\"x5c\":[\"MIIDQjCCAiqgAwIBAgIGATz/"
	    "FuLiMA0GCSqGSIb3DQEBBQUAMGIxCzAJ\"],\"n\":\"%s\",\"e\":\"%s\","
	    "\"kid\":\"sso_oidc_key_pair_01HZX3\",\"x5t#S256\":\"abc\"}]}",
	    n1, e1), APP_OK, 1);
	check_set("WorkOS-shaped kid: OK", k,
	    tok(K1, "sso_oidc_key_pair_01HZX3", payload(NOW + 300)), ISS,
	    APP_OK);
	jwks_free(k);

	T_INT("jwks_count(NULL)", jwks_count(NULL), 0);
	jwks_free(NULL);
}

int
main(void)
{
	struct jwks *set = NULL;
	const char *doc;

	arena_init(&A, 65536);
	NOW = time(NULL);
	K1 = load(k1_pem);
	K2 = load(k2_pem);
	K3 = load(k3_pem);
	T_INT("test key 1 has 2048 bits", EVP_PKEY_get_bits(K1), 2048);
	T_INT("test key 2 has 2048 bits", EVP_PKEY_get_bits(K2), 2048);
	T_INT("test key 3 has 1024 bits", EVP_PKEY_get_bits(K3), 1024);

	doc = fmt("{\"keys\":[%s,%s]}", jwk(K1, "key1", STD),
	    jwk(K2, "key2", STD));
	T_INT("jwks: two keys parse", jwks_parse(doc, strlen(doc), &set),
	    APP_OK);
	T_INT("jwks: two keys kept", jwks_count(set), 2);
	SET = set;
	if (SET == NULL)
		return T_DONE();

	test_good();
	test_keys();
	test_algs();
	test_time();
	test_issuer();
	test_shape();
	test_claims();
	test_parse();
	T_INT("every refusal has a reason and no claims", refusals_bad, 0);

	jwks_free(SET);
	EVP_PKEY_free(K1);
	EVP_PKEY_free(K2);
	EVP_PKEY_free(K3);
	arena_free(&A);
	return T_DONE();
}
