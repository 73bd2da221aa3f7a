#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "mac.h"
#include "rnd.h"
#include "sess.h"

static void
mac(const struct sess_key *key, const char *msg, size_t n, unsigned char out[32])
{
	mac_hmac_sha256(key->k, sizeof(key->k), msg, n, out);
}

void
sess_key_derive(struct sess_key *key, const char *password)
{
	static const char label[] = "workos-strapi-c login-state cookie v1";
	mac_derive_key(password, label, key->k);
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

void
sess_cookie_name(const char *state, char *out)
{
	memcpy(out, SESS_COOKIE_PREFIX, sizeof(SESS_COOKIE_PREFIX) - 1);
	memcpy(out + sizeof(SESS_COOKIE_PREFIX) - 1, state, SESS_NAME_CHARS);
	out[SESS_COOKIE_NAME_LEN] = '\0';
}

char *
sess_seal(struct arena *a, const struct sess_key *key, const struct sess_login *l)
{
	char body[SESS_VALUE_MAX], tag[B64URL_LEN(32) + 1], rt[B64URL_LEN(SESS_RETURN_MAX) + 1];
	size_t rtlen = strnlen(l->return_to, sizeof(l->return_to));
	unsigned char m[32];
	char *out;
	int n;

	if (rtlen > SESS_RETURN_MAX)
		return NULL;
	b64url_encode(rt, l->return_to, rtlen);
	n = snprintf(body, sizeof(body), "v2.%lld.%s.%s.%s", l->expires, l->state,
	    l->verifier, rt);
	if (n < 0 || (size_t)n + 1 + B64URL_LEN(32) >= sizeof(body))
		return NULL;
	mac(key, body, (size_t)n, m);
	b64url_encode(tag, m, sizeof(m));
	out = arena_alloc(a, (size_t)n + 1 + sizeof(tag));
	if (out == NULL)
		return NULL;
	memcpy(out, body, (size_t)n);
	out[n] = '.';
	memcpy(out + n + 1, tag, sizeof(tag));
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

long long
sess_peek_expiry(const char *value)
{
	long long exp = 0;
	size_t i;

	if (value == NULL || strncmp(value, "v2.", 3) != 0)
		return -1;
	for (i = 3; value[i] >= '0' && value[i] <= '9' && i < 21; i++)
		exp = exp * 10 + (value[i] - '0');
	return i > 3 && value[i] == '.' ? exp : -1;
}

#define NPARTS 6

enum app_err
sess_open(const struct sess_key *key, const char *value, time_t now,
    struct sess_login *l)
{
	const char *p[NPARTS];
	size_t len[NPARTS], vlen;
	unsigned char want[32], got[B64URL_DEC_MAX(43)];
	const char *s = value;
	long long exp = 0;
	long rtlen;

	memset(l, 0, sizeof(*l));
	if (value == NULL)
		return APP_EAUTH;
	vlen = strlen(value);
	if (vlen > SESS_VALUE_MAX)
		return APP_EAUTH;
	for (int i = 0; i < NPARTS; i++) {
		const char *dot = strchr(s, '.');

		p[i] = s;
		len[i] = dot ? (size_t)(dot - s) : strlen(s);
		if ((i < NPARTS - 1 && dot == NULL) || (i == NPARTS - 1 && dot != NULL))
			return APP_EAUTH;
		s = dot ? dot + 1 : s + len[i];
	}
	if (len[0] != 2 || memcmp(p[0], "v2", 2) != 0)
		return APP_EAUTH;
	if (len[5] != 43 || b64url_decode(got, p[5], 43) != 32)
		return APP_EAUTH;
	mac(key, value, (size_t)(p[5] - 1 - value), want);
	if (!mac_equal(want, got, 32))
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
	if (len[4] > B64URL_LEN(SESS_RETURN_MAX))
		return APP_EAUTH;
	rtlen = b64url_decode(l->return_to, p[4], len[4]);
	if (rtlen < 0 || rtlen > SESS_RETURN_MAX ||
	    memchr(l->return_to, '\0', (size_t)rtlen) != NULL) {
		memset(l, 0, sizeof(*l));
		return APP_EAUTH;
	}
	l->return_to[rtlen] = '\0';
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
	unsigned char md[MAC_SHA256_BYTES];

	mac_sha256(verifier, strlen(verifier), md);
	b64url_encode(out, md, sizeof(md));
}
