/*
 * test_session.c - the pure parts of sessions: AES-256-GCM sealing
 * (aead.h), origins and return_to (origin.h, cfg.h), the per-flow
 * login-state cookie with its return_to (sess.h), and refresh tokens
 * (sstore.h).
 */
#include <stdio.h>
#include <string.h>

#include "aead.h"
#include "arena.h"
#include "cfg.h"
#include "mac.h"
#include "origin.h"
#include "sess.h"
#include "signin.h"
#include "sstore.h"
#include "t.h"

static void
test_aead(void)
{
	struct aead_key k, other;
	struct arena a;
	char *sealed, *plain, *bad;
	size_t n;

	arena_init(&a, 4096);
	aead_key_derive(&k, "a-cookie-password-of-at-least-32-bytes", "label one");
	aead_key_derive(&other, "a-cookie-password-of-at-least-32-bytes", "label two");
	sealed = aead_seal(&a, &k, "session-a", "refresh-token-xyz", 17);
	T_OK("aead: seals", sealed != NULL);
	T_OK("aead: the sealed text does not contain the plain text",
	    sealed != NULL && strstr(sealed, "refresh") == NULL);
	T_INT("aead: opens with the same key and aad",
	    aead_open(&a, &k, "session-a", sealed, &plain, &n), APP_OK);
	T_STREQ("aead: round trip", plain, "refresh-token-xyz");
	T_INT("aead: another aad does not open (moved to another row)",
	    aead_open(&a, &k, "session-b", sealed, &plain, &n), APP_EAUTH);
	T_OK("aead: a failed open gives nothing", plain == NULL && n == 0);
	T_INT("aead: another label's key does not open",
	    aead_open(&a, &other, "session-a", sealed, &plain, &n), APP_EAUTH);
	bad = arena_strdup(&a, sealed);
	bad[20] = bad[20] == 'A' ? 'B' : 'A';
	T_INT("aead: one changed character does not open",
	    aead_open(&a, &k, "session-a", bad, &plain, &n), APP_EAUTH);
	bad = arena_strndup(&a, sealed, strlen(sealed) - 2);
	T_INT("aead: a truncated text does not open",
	    aead_open(&a, &k, "session-a", bad, &plain, &n), APP_EAUTH);
	T_INT("aead: an empty text does not open",
	    aead_open(&a, &k, "session-a", "", &plain, &n), APP_EAUTH);
	T_INT("aead: padding and other alphabets do not open",
	    aead_open(&a, &k, "session-a", "abc+/==", &plain, &n), APP_EAUTH);
	T_OK("aead: two seals of one value differ (fresh nonce)",
	    strcmp(aead_seal(&a, &k, "x", "v", 1), aead_seal(&a, &k, "x", "v", 1)) != 0);
	arena_free(&a);
}

static void
test_origins(void)
{
	static const struct { const char *in, *out; } ok[] = {
		{ "https://App.Example", "https://app.example" },
		{ "https://app.example:443", "https://app.example" },
		{ "http://app.example:80", "http://app.example" },
		{ "http://localhost:05173", "http://localhost:5173" },
		{ "HTTP://127.0.0.1:8080", "http://127.0.0.1:8080" },
	};
	static const char *const bad[] = {
		"app.example", "https://", "https://app.example/", "https://app.example/x",
		"https://user@app.example", "ftp://app.example", "https://app.example:0",
		"https://app.example:65536", "https://app.example:", "https://app example",
		"https://app.example?x", "null", "",
	};
	char out[CFG_ORIGIN_LEN], name[160];
	struct cfg c;

	for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
		snprintf(name, sizeof(name), "origin: %s is %s", ok[i].in, ok[i].out);
		T_OK(name, cfg_origin_normalise(ok[i].in, strlen(ok[i].in), out, sizeof(out)) == 0 &&
		    strcmp(out, ok[i].out) == 0);
	}
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(name, sizeof(name), "origin: \"%s\" is refused", bad[i]);
		T_INT(name, cfg_origin_normalise(bad[i], strlen(bad[i]), out, sizeof(out)), -1);
	}
	memset(&c, 0, sizeof(c));
	cfg_origin_normalise("https://app.example", 19, c.app_origins[0], CFG_ORIGIN_LEN);
	c.napp_origins = 1;
	T_OK("origin: allowed in another case and with the default port",
	    cfg_origin_allowed(&c, "HTTPS://APP.EXAMPLE:443", 23));
	T_OK("origin: another port is another origin",
	    !cfg_origin_allowed(&c, "https://app.example:8443", 24));
	T_OK("origin: http is another origin than https",
	    !cfg_origin_allowed(&c, "http://app.example", 18));
}

/* A test name without control characters (one line per check). */
static void
printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

static void
test_return_to(void)
{
	static const char *const good[] = {
		"/", "/app", "/app/home?tab=1#top", "/a%20b", "https://app.example/x",
		"https://APP.example:443/dash?x=%2F", "https://app.example", "https://app.example#f",
	};
	static const char *const bad[] = {
		"", "//evil.example", "/\\evil.example", "\\\\evil", "javascript:alert(1)",
		"http://evil.example/", "https://app.example@evil.example/",
		"https://app.example.evil.example/", "https://app.example:8443/",
		"http://app.example/", "https://user:pw@app.example/", "evil.example",
		"/%2F%2Fevil.example", "/%2f/x", "/%5Cevil", "/%252F%252Fevil", "/a\tb",
		"/a\r\nSet-Cookie: x=1", "/a b", "/\xe2\x80\xae", "data:text/html,x",
		"https:app.example", "https:/app.example",
	};
	char name[200], big[SESS_RETURN_MAX + 2];
	const char *why;
	struct cfg c;

	memset(&c, 0, sizeof(c));
	cfg_origin_normalise("https://app.example", 19, c.app_origins[0], CFG_ORIGIN_LEN);
	c.napp_origins = 1;
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		snprintf(name, sizeof(name), "return_to: \"%s\" is allowed", good[i]);
		T_INT(name, origin_check_return_to(&c, good[i], strlen(good[i]), &why), 0);
	}
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(name, sizeof(name), "return_to: \"%s\" is refused", bad[i]);
		printable(name);
		T_INT(name, origin_check_return_to(&c, bad[i], strlen(bad[i]), &why), -1);
	}
	big[0] = '/';
	memset(big + 1, 'a', SESS_RETURN_MAX - 1);
	T_INT("return_to: 2048 bytes are allowed",
	    origin_check_return_to(&c, big, SESS_RETURN_MAX, &why), 0);
	big[SESS_RETURN_MAX] = 'a';
	T_INT("return_to: 2049 bytes are refused",
	    origin_check_return_to(&c, big, SESS_RETURN_MAX + 1, &why), -1);
	{
		struct arena a;

		arena_init(&a, 4096);
		T_STREQ("return_to: an error joins the query",
		    origin_with_error(&a, "/app?x=1#top", "access_denied"),
		    "/app?x=1&error=access_denied#top");
		T_STREQ("return_to: an error starts the query",
		    origin_with_error(&a, "https://app.example/a#b", "state_expired"),
		    "https://app.example/a?error=state_expired#b");
		arena_free(&a);
	}
}

static void
test_login_cookie(void)
{
	struct sess_key k;
	struct sess_login l, got;
	struct arena a;
	char name[SESS_COOKIE_NAME_LEN + 1], *v, *t;

	arena_init(&a, 4096);
	sess_key_derive(&k, "a-cookie-password-of-at-least-32-bytes");
	T_INT("login cookie: new", sess_login_new(&l, 1000, 600), APP_OK);
	snprintf(l.return_to, sizeof(l.return_to), "%s", "https://app.example/a?b=c#d");
	v = sess_seal(&a, &k, &l);
	T_OK("login cookie: sealed", v != NULL && strncmp(v, "v2.1600.", 8) == 0);
	T_INT("login cookie: opens", sess_open(&k, v, 1001, &got), APP_OK);
	T_STREQ("login cookie: keeps return_to", got.return_to, l.return_to);
	T_STREQ("login cookie: keeps the state", got.state, l.state);
	T_INT("login cookie: expired but authentic", sess_open(&k, v, 1600, &got), APP_ETIMEOUT);
	T_STREQ("login cookie: an expired one still tells its return_to", got.return_to,
	    l.return_to);
	T_INT("login cookie: the expiry can be read without the key",
	    (int)sess_peek_expiry(v), 1600);
	t = arena_strdup(&a, v);
	t[strlen(t) - 50] ^= 1;
	T_INT("login cookie: a changed return_to does not open", sess_open(&k, t, 1001, &got),
	    APP_EAUTH);
	T_OK("login cookie: a refused one gives no return_to", got.return_to[0] == '\0');
	sess_cookie_name(l.state, name);
	T_OK("login cookie: named after its state",
	    strncmp(name, "wos_login_", 10) == 0 && strncmp(name + 10, l.state, 12) == 0 &&
	    strlen(name) == 22);
	l.return_to[0] = '\0';
	v = sess_seal(&a, &k, &l);
	T_INT("login cookie: an API client's has no return_to", sess_open(&k, v, 1001, &got),
	    APP_OK);
	T_STREQ("login cookie: empty return_to", got.return_to, "");
	T_INT("login cookie: the old format is refused",
	    sess_open(&k, "v1.9999999999.a.b.c", 1001, &got), APP_EAUTH);
	memset(l.return_to, 'a', SESS_RETURN_MAX);
	l.return_to[0] = '/';
	l.return_to[SESS_RETURN_MAX] = '\0';
	v = sess_seal(&a, &k, &l);
	T_OK("login cookie: the longest return_to fits a cookie",
	    v != NULL && strlen(v) < 4000 && sess_open(&k, v, 1001, &got) == APP_OK &&
	    strlen(got.return_to) == SESS_RETURN_MAX);
	arena_free(&a);
}

static void
test_refresh_token(void)
{
	char id[SSTORE_ID_LEN + 1];
	unsigned char secret[SSTORE_SECRET_BYTES];
	const char *good = "abcdefghijklmnopqrstuvwx.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	static const char *const bad[] = {
		"", "abc", "abcdefghijklmnopqrstuvwx", "abcdefghijklmnopqrstuvwx.",
		"Abcdefghijklmnopqrstuvwx.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"1bcdefghijklmnopqrstuvwx.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"abcdefghijklmnopqrstuvwx.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+",
		"abcdefghijklmnopqrstuvwx.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB",
		"abcdefghijklmnopqrstuvwx:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"abcdefghijklmnopqrstuvwx.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	char name[160];

	T_INT("refresh token: well formed", sstore_token_parse(good, strlen(good), id, secret), 0);
	T_STREQ("refresh token: its session id", id, "abcdefghijklmnopqrstuvwx");
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(name, sizeof(name), "refresh token: \"%.40s\" is refused", bad[i]);
		T_INT(name, sstore_token_parse(bad[i], strlen(bad[i]), id, secret), -1);
	}
}

/* The row of a session whose current secret is chain[cur] (prev: cur - 1). */
static void
chain_row(struct sstore_row *row, unsigned char (*chain)[SSTORE_SECRET_BYTES],
    int cur, bool with_prev)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[MAC_SHA256_BYTES];
	char *out[2] = { row->hash, row->prev };

	memset(row, 0, sizeof(*row));
	for (int j = 0; j < (with_prev ? 2 : 1); j++) {
		mac_sha256(chain[cur - j], SSTORE_SECRET_BYTES, md);
		for (int i = 0; i < MAC_SHA256_BYTES; i++) {
			out[j][2 * i] = hex[md[i] >> 4];
			out[j][2 * i + 1] = hex[md[i] & 15];
		}
		out[j][64] = '\0';
	}
}

/*
 * An older refresh secret is recognised however many rotations back, up
 * to SSTORE_CHAIN_MAX; the chain is built here with HMAC-SHA256 under the
 * rotation key, as sstore.h describes it.
 */
static void
test_older_secrets(void)
{
	enum { N = SSTORE_CHAIN_MAX + 8 };
	static unsigned char chain[N][SSTORE_SECRET_BYTES];
	unsigned char forged[SSTORE_SECRET_BYTES];
	struct sstore_keys k;
	struct sstore_row row;

	sstore_keys_derive(&k, "a-cookie-password-of-at-least-32-bytes");
	for (int i = 0; i < SSTORE_SECRET_BYTES; i++) {
		chain[0][i] = (unsigned char)(i * 7 + 1);
		forged[i] = (unsigned char)(i * 11 + 3);
	}
	for (int i = 1; i < N; i++)
		mac_hmac_sha256(k.rotate, sizeof(k.rotate), chain[i - 1],
		    SSTORE_SECRET_BYTES, chain[i]);

	chain_row(&row, chain, 10, true);
	T_INT("older secret: the current one matches by sstore_match", sstore_match(&row, chain[10]), SSTORE_CURRENT);
	T_INT("older secret: two back is wrong to sstore_match", sstore_match(&row, chain[8]), SSTORE_WRONG);
	T_OK("older secret: ... and older to sstore_older", sstore_older(&k, &row, chain[8]));
	T_OK("older secret: ten back is older", sstore_older(&k, &row, chain[0]));
	T_OK("older secret: the current one is not older", !sstore_older(&k, &row, chain[10]));
	T_OK("older secret: a later one is not older", !sstore_older(&k, &row, chain[11]));
	T_OK("older secret: a forged one is not older", !sstore_older(&k, &row, forged));

	chain_row(&row, chain, 1, false);
	T_OK("older secret: with no previous hash, the one before is older", sstore_older(&k, &row, chain[0]));

	/* chain[3] reaches chain[SSTORE_CHAIN_MAX + 3], the previous, in the last step. */
	chain_row(&row, chain, SSTORE_CHAIN_MAX + 4, true);
	T_OK("older secret: SSTORE_CHAIN_MAX rotations back is found", sstore_older(&k, &row, chain[3]));
	T_OK("older secret: one more is past the bound", !sstore_older(&k, &row, chain[2]));
}

/* The login-state cookies found in a Cookie header (the oldest is dropped). */
static void
test_flows(void)
{
	struct signin_flow f[4];

	T_INT("flows: no Cookie header", signin_flows(NULL, f, 4), 0);
	T_INT("flows: none among others", signin_flows("a=1; wos_session=x", f, 4), 0);
	T_INT("flows: two, among others",
	    signin_flows("theme=dark; wos_login_AAAAAAAAAAAA=v2.1700.x;\t"
	        "wos_login_BBBBBBBBBBBB=v2.1600.y", f, 4), 2);
	T_STREQ("flows: the first's name", f[0].name, "wos_login_AAAAAAAAAAAA");
	T_INT("flows: the first's expiry", f[0].expires, 1700);
	T_STREQ("flows: the second's name", f[1].name, "wos_login_BBBBBBBBBBBB");
	T_INT("flows: the second's expiry", f[1].expires, 1600);
	T_INT("flows: a name of another length is not one",
	    signin_flows("wos_login_AAAAAAAAAAA=v2.1.x;wos_login_AAAAAAAAAAAAA=v2.1.x", f, 4), 0);
	T_INT("flows: no more than asked for",
	    signin_flows("wos_login_AAAAAAAAAAAA=1;wos_login_BBBBBBBBBBBB=2", f, 1), 1);
	T_INT("flows: a value without an expiry",
	    signin_flows("wos_login_AAAAAAAAAAAA=;", f, 4), 1);
	T_INT("flows: ... has none", f[0].expires, -1);
}

int
main(void)
{
	test_aead();
	test_origins();
	test_return_to();
	test_login_cookie();
	test_flows();
	test_refresh_token();
	test_older_secrets();
	return T_DONE();
}
