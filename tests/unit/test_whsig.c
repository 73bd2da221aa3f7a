/*
 * test_whsig.c - whsig.h: the WorkOS-Signature header, parsed leniently
 * and verified strictly (HMAC-SHA256 over "t.body", 180 s both ways,
 * several v1 values).
 */
#include <string.h>

#include "whsig.h"
#include "t.h"

static const char SECRET[] = "whsec_test_secret_0123456789";
static const char BODY[] = "{\"id\":\"event_01\",\"event\":\"user.updated\"}";
static const long long NOW = 1769947200000LL;

static enum app_err
verify(const char *h, const char *body, long long now, const char **why)
{
	return whsig_verify(h, body, strlen(body), SECRET, strlen(SECRET), now, why);
}

static void
test_known_vector(void)
{
	char h[200];

	/* printf 1769947200000.hello | openssl dgst -sha256 -hmac secret */
	whsig_sign("hello", 5, "secret", 6, 1769947200000LL, h, sizeof(h));
	T_STREQ("signature of a known vector", h,
	    "t=1769947200000, v1=830234d2723d85b9d8b95084554dffeac3360a68197292012106bd4873b2c1e8");
}

static void
test_parse(void)
{
	struct whsig s;
	const char *why;
	char v[65];

	memset(v, 'a', 64);
	v[64] = '\0';
	{
		char h[200];

		snprintf(h, sizeof(h), "t=123, v1=%s", v);
		T_INT("t and v1", whsig_parse(h, strlen(h), &s, &why), APP_OK);
		T_INT("t's value", s.t_ms, 123);
		T_INT("one v1", s.nv1, 1);
		snprintf(h, sizeof(h), "  V1=%s ,\tT=42 ,v1=%s,v0=zz, foo=bar ", v, v);
		T_INT("spaces, tabs, upper case, order, extra parts", whsig_parse(h, strlen(h), &s, &why), APP_OK);
		T_INT("two v1", s.nv1, 2);
		T_INT("t read", s.t_ms, 42);
		snprintf(h, sizeof(h), "t=1,t=2,v1=%s", v);
		T_INT("two t refused", whsig_parse(h, strlen(h), &s, &why), APP_EAUTH);
		snprintf(h, sizeof(h), "v1=%s", v);
		T_INT("no t refused", whsig_parse(h, strlen(h), &s, &why), APP_EAUTH);
		T_OK("no t: why says so", why != NULL && strstr(why, "no t") != NULL);
		snprintf(h, sizeof(h), "t=12a, v1=%s", v);
		T_INT("t with a letter refused", whsig_parse(h, strlen(h), &s, &why), APP_EAUTH);
		snprintf(h, sizeof(h), "t=-5, v1=%s", v);
		T_INT("negative t refused", whsig_parse(h, strlen(h), &s, &why), APP_EAUTH);
		snprintf(h, sizeof(h), "t=12345678901234567, v1=%s", v);
		T_INT("17-digit t refused", whsig_parse(h, strlen(h), &s, &why), APP_EAUTH);
		T_INT("t only refused", whsig_parse("t=5", 3, &s, &why), APP_EAUTH);
		T_INT("short v1 refused", whsig_parse("t=5, v1=abcd", 12, &s, &why), APP_EAUTH);
		T_INT("empty refused", whsig_parse("", 0, &s, &why), APP_EAUTH);
		T_INT("missing refused", whsig_parse(NULL, 0, &s, &why), APP_EAUTH);
		T_INT("commas only refused", whsig_parse(",,,", 3, &s, &why), APP_EAUTH);
	}
}

static void
test_verify(void)
{
	char h[300], good[200], other[200];
	const char *why;

	whsig_sign(BODY, strlen(BODY), SECRET, strlen(SECRET), NOW, good, sizeof(good));
	T_INT("a genuine signature verifies", verify(good, BODY, NOW, &why), APP_OK);
	T_INT("179 s old verifies", verify(good, BODY, NOW + 179000, &why), APP_OK);
	T_INT("180 s old verifies", verify(good, BODY, NOW + 180000, &why), APP_OK);
	T_INT("180.001 s old is stale", verify(good, BODY, NOW + 180001, &why), APP_EAUTH);
	T_OK("stale: why says stale", why != NULL && strstr(why, "stale") != NULL);
	T_INT("180 s ahead verifies", verify(good, BODY, NOW - 180000, &why), APP_OK);
	T_INT("180.001 s ahead is refused", verify(good, BODY, NOW - 180001, &why), APP_EAUTH);
	T_OK("future: why says future", why != NULL && strstr(why, "future") != NULL);
	T_INT("another body does not verify",
	    verify(good, "{\"id\":\"event_02\",\"event\":\"user.updated\"}", NOW, &why), APP_EAUTH);
	T_INT("one byte more does not verify",
	    whsig_verify(good, BODY, strlen(BODY) + 1, SECRET, strlen(SECRET), NOW, &why), APP_EAUTH);
	whsig_sign(BODY, strlen(BODY), "another-secret-entirely", 23, NOW, other, sizeof(other));
	T_INT("another secret does not verify", verify(other, BODY, NOW, &why), APP_EAUTH);
	T_OK("mismatch: why says so", why != NULL && strstr(why, "does not match") != NULL);
	/* Rotation: the right value second among several. */
	snprintf(h, sizeof(h), "t=%lld, v1=%s, v1=%s", NOW, strstr(other, "v1=") + 3,
	    strstr(good, "v1=") + 3);
	T_INT("the matching v1 among several verifies", verify(h, BODY, NOW, &why), APP_OK);
	/* The t signed is the t sent: changing it breaks the MAC. */
	snprintf(h, sizeof(h), "t=%lld, v1=%s", NOW + 1, strstr(good, "v1=") + 3);
	T_INT("a changed t does not verify", verify(h, BODY, NOW, &why), APP_EAUTH);
	/* Upper-case hex is the same MAC. */
	snprintf(h, sizeof(h), "%s", good);
	for (char *p = strstr(h, "v1=") + 3; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	T_INT("upper-case hex verifies", verify(h, BODY, NOW, &why), APP_OK);
	T_INT("no header is refused", verify(NULL, BODY, NOW, &why), APP_EAUTH);
	T_OK("no header: why says missing", why != NULL && strstr(why, "missing") != NULL);
	T_INT("an empty body with its own signature verifies", (
	    whsig_sign("", 0, SECRET, strlen(SECRET), NOW, h, sizeof(h)),
	    whsig_verify(h, "", 0, SECRET, strlen(SECRET), NOW, &why)), APP_OK);
}

int
main(void)
{
	test_known_vector();
	test_parse();
	test_verify();
	return T_DONE();
}
