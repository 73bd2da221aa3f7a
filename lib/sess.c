#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "b64.h"
#include "rnd.h"
#include "sess.h"

static void
mac(const struct sess_key *key, const char *msg, size_t n, unsigned char out[32])
{
	unsigned int len = 0;

	HMAC(EVP_sha256(), key->k, sizeof(key->k), (const unsigned char *)msg, n,
	    out, &len);
}

void
sess_key_derive(struct sess_key *key, const char *password)
{
	static const char label[] = "workos-strapi-c login-state cookie v1";
	unsigned int len = 0;

	/* A labelled derivation: the password never keys anything else directly. */
	HMAC(EVP_sha256(), password, (int)strlen(password),
	    (const unsigned char *)label, sizeof(label) - 1, key->k, &len);
}

enum app_err
sess_login_new(struct sess_login *l, time_t now, long long ttl)
{
	memset(l, 0, sizeof(*l));
	if (rnd_token(l->state, SESS_RANDOM_BYTES) != APP_OK ||
	    rnd_token(l->verifier, SESS_RANDOM_BYTES) != APP_OK)
		return APP_EINTERNAL;
	l->expires = (long long)now + ttl;
	return APP_OK;
}

char *
sess_seal(struct arena *a, const struct sess_key *key, const struct sess_login *l)
{
	char body[160], tag[B64URL_LEN(32) + 1], *out;
	unsigned char m[32];
	int n;

	n = snprintf(body, sizeof(body), "v1.%lld.%s.%s", l->expires, l->state,
	    l->verifier);
	if (n < 0 || (size_t)n >= sizeof(body))
		return NULL;
	mac(key, body, (size_t)n, m);
	b64url_encode(tag, m, sizeof(m));
	out = arena_alloc(a, (size_t)n + 1 + sizeof(tag));
	if (out == NULL)
		return NULL;
	snprintf(out, (size_t)n + 1 + sizeof(tag), "%s.%s", body, tag);
	return out;
}

static int
is_b64url(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

enum app_err
sess_open(const struct sess_key *key, const char *value, time_t now,
    struct sess_login *l)
{
	const char *p[5];
	size_t len[5], vlen;
	unsigned char want[32], got[B64URL_DEC_MAX(43)];
	const char *s = value;
	long long exp = 0;

	memset(l, 0, sizeof(*l));
	if (value == NULL)
		return APP_EAUTH;
	vlen = strlen(value);
	if (vlen > 200)
		return APP_EAUTH;
	for (int i = 0; i < 5; i++) {
		const char *dot = strchr(s, '.');

		p[i] = s;
		len[i] = dot ? (size_t)(dot - s) : strlen(s);
		if ((i < 4 && dot == NULL) || (i == 4 && dot != NULL))
			return APP_EAUTH;
		s = dot ? dot + 1 : s + len[i];
	}
	if (len[0] != 2 || memcmp(p[0], "v1", 2) != 0)
		return APP_EAUTH;
	if (len[4] != 43 || b64url_decode(got, p[4], 43) != 32)
		return APP_EAUTH;
	mac(key, value, (size_t)(p[4] - 1 - value), want);
	if (CRYPTO_memcmp(want, got, 32) != 0)
		return APP_EAUTH;
	/* Authentic from here on: still parse strictly. */
	if (len[1] == 0 || len[1] > 18)
		return APP_EAUTH;
	for (size_t i = 0; i < len[1]; i++) {
		if (p[1][i] < '0' || p[1][i] > '9')
			return APP_EAUTH;
		exp = exp * 10 + (p[1][i] - '0');
	}
	if (len[2] != SESS_TOKEN_LEN || len[3] != SESS_TOKEN_LEN ||
	    !is_b64url(p[2], len[2]) || !is_b64url(p[3], len[3]))
		return APP_EAUTH;
	memcpy(l->state, p[2], SESS_TOKEN_LEN);
	memcpy(l->verifier, p[3], SESS_TOKEN_LEN);
	l->expires = exp;
	if (exp <= (long long)now)
		return APP_ETIMEOUT;
	return APP_OK;
}

void
sess_challenge(const char *verifier, char out[SESS_TOKEN_LEN + 1])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)verifier, strlen(verifier), md);
	b64url_encode(out, md, sizeof(md));
}
