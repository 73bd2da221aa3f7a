#include <string.h>

#include "b64.h"
#include "jv.h"
#include "jw.h"
#include "jwt.h"
#include "mac.h"
#include "sbuf.h"

/* The only header the suite issues; verification parses, not compares. */
static const char header_b64[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

enum app_err
jwt_sign(struct arena *a, const unsigned char *key, size_t keylen,
    const struct jwt_claims *c, char **out)
{
	struct sbuf payload, tok;
	struct jw w;
	unsigned char mac[32];
	char *p;

	*out = NULL;
	sbuf_init(&payload, a, 1024);
	jw_init(&w, &payload);
	jw_obj_open(&w);
	jw_kint(&w, "id", c->id);
	jw_key(&w, "organizationId");
	if (c->org[0] != '\0')
		jw_str(&w, c->org);
	else
		jw_null(&w);
	if (c->sid[0] != '\0')
		jw_kstr(&w, "sid", c->sid);
	jw_kint(&w, "iat", c->iat);
	jw_kint(&w, "exp", c->exp);
	jw_obj_close(&w);
	if (sbuf_err(&payload) != APP_OK)
		return sbuf_err(&payload);

	sbuf_init(&tok, a, JWT_MAX_LEN);
	sbuf_puts(&tok, header_b64);
	sbuf_putc(&tok, '.');
	p = sbuf_reserve(&tok, B64URL_LEN(payload.len) + 1);
	if (p == NULL)
		return sbuf_err(&tok);
	b64url_encode(p, payload.data, payload.len);
	sbuf_commit(&tok, B64URL_LEN(payload.len));
	mac_hmac_sha256(key, keylen, tok.data, tok.len, mac);
	sbuf_putc(&tok, '.');
	p = sbuf_reserve(&tok, B64URL_LEN(32) + 1);
	if (p == NULL)
		return sbuf_err(&tok);
	b64url_encode(p, mac, 32);
	sbuf_commit(&tok, B64URL_LEN(32));
	*out = tok.data;
	return APP_OK;
}

/*
 * RFC 7519 4.1.5: a token carrying "nbf" is refused before that time,
 * allowing JWT_NBF_SKEW seconds for clocks that disagree.  nbf is a
 * NumericDate: any JSON number; anything else makes the token invalid.
 */
static bool
not_yet_valid(json_object *pl, time_t now)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(pl, "nbf", &v))
		return false;
	if (v == NULL)
		return true; /* "nbf": null is no NumericDate */
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int64(v) > (long long)now + JWT_NBF_SKEW;
	if (json_object_is_type(v, json_type_double))
		return !(json_object_get_double(v) <= (double)now + JWT_NBF_SKEW);
	return true;
}

#define FAIL(why) do { if (reason) *reason = (why); return APP_EAUTH; } while (0)

enum app_err
jwt_verify(struct arena *a, const unsigned char *key, size_t keylen,
    const char *token, size_t len, time_t now, struct jwt_claims *c,
    const char **reason)
{
	const char *dot1, *dot2, *alg, *org;
	unsigned char mac[32], sig[B64URL_DEC_MAX(43)];
	json_object *hdr, *pl, *v;
	size_t orglen;
	long siglen;

	memset(c, 0, sizeof(*c));
	if (len == 0 || len > JWT_MAX_LEN)
		FAIL("token empty or too long");
	dot1 = memchr(token, '.', len);
	if (dot1 == NULL)
		FAIL("token is not three parts");
	dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token));
	if (dot2 == NULL || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)))
		FAIL("token is not three parts");

	hdr = jv_b64url_object(a, token, (size_t)(dot1 - token));
	if (hdr == NULL)
		FAIL("header is not base64url JSON");
	alg = jv_str(hdr, "alg");
	if (alg == NULL || strcmp(alg, "HS256") != 0)
		FAIL("algorithm is not HS256");

	/* HS256 signatures are exactly 32 bytes: 43 characters. */
	if (token + len - (dot2 + 1) != 43)
		FAIL("bad signature");
	siglen = b64url_decode(sig, dot2 + 1, 43);
	if (siglen != 32)
		FAIL("bad signature");
	mac_hmac_sha256(key, keylen, token, (size_t)(dot2 - token), mac);
	if (!mac_equal(mac, sig, 32))
		FAIL("bad signature");

	pl = jv_b64url_object(a, dot1 + 1, (size_t)(dot2 - dot1 - 1));
	if (pl == NULL)
		FAIL("payload is not base64url JSON");
	if (jv_int(pl, "id", &c->id) != 0 || c->id <= 0)
		FAIL("payload has no valid id");
	if (jv_int(pl, "exp", &c->exp) != 0)
		FAIL("payload has no exp");
	if (c->exp <= (long long)now)
		FAIL("token expired");
	if (jv_get(pl, "iat") != NULL && jv_int(pl, "iat", &c->iat) != 0)
		FAIL("iat is not an integer");
	if (not_yet_valid(pl, now))
		FAIL("token used before its nbf");
	v = jv_get(pl, "organizationId");
	if (v != NULL && !json_object_is_type(v, json_type_null)) {
		org = jv_strn(pl, "organizationId", &orglen);
		if (org == NULL || orglen == 0 || orglen > JWT_ORG_MAX ||
		    memchr(org, '\0', orglen) != NULL)
			FAIL("organizationId is not a valid string");
		memcpy(c->org, org, orglen);
		c->org[orglen] = '\0';
	}
	if (jv_get(pl, "sid") != NULL) {
		const char *sid = jv_strn(pl, "sid", &orglen);

		if (sid == NULL || orglen != JWT_SID_LEN ||
		    strspn(sid, "abcdefghijklmnopqrstuvwxyz0123456789") != JWT_SID_LEN)
			FAIL("sid is not a session id");
		memcpy(c->sid, sid, JWT_SID_LEN);
		c->sid[JWT_SID_LEN] = '\0';
	}
	return APP_OK;
}
