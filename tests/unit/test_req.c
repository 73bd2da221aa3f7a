/*
 * test_req.c - req.h: req_body() through a fake connection that hands out
 * its input 7 bytes at a time, req_cookie(), and what req_init() makes of
 * the request target.
 */
#include <string.h>

#include "arena.h"
#include "req.h"
#include "fakeconn.h"
#include "t.h"

static struct fake F;
static struct arena A;
static struct app APP;
static struct conn CONN;
static struct req R;

/* Start a request with these parameters and this input. */
static enum app_err
start(const char *const *vars, const char *in, size_t inlen)
{
	memset(&F, 0, sizeof(F));
	fake_env(&F, vars);
	F.in = in;
	F.inlen = inlen;
	CONN.envp = F.envp;
	CONN.read = fake_read;
	CONN.write = fake_write;
	CONN.log = fake_log;
	CONN.ctx = &F;
	arena_reset(&A);
	return req_init(&R, &A, &APP, &CONN);
}

static const char DATA[] = "0123456789abcdefghijklmnopqrstuvwxyz"; /* 36 bytes */

static void
test_body_length(void)
{
	char *body;
	size_t len;
	const char *why;
	enum app_err e;

	start((const char *const[]){ "REQUEST_METHOD=POST", "CONTENT_LENGTH=36", NULL },
	    DATA, 36);
	e = req_body(&R, 1000, &body, &len, &why);
	T_INT("CONTENT_LENGTH exact: APP_OK", e, APP_OK);
	T_INT("CONTENT_LENGTH exact: len", len, 36);
	T_OK("CONTENT_LENGTH exact: bytes", body != NULL && memcmp(body, DATA, 36) == 0);
	T_OK("CONTENT_LENGTH exact: NUL-terminated", body != NULL && body[36] == '\0');
	T_OK("CONTENT_LENGTH exact: read in several chunks", F.reads >= 6);

	start((const char *const[]){ "REQUEST_METHOD=POST", "CONTENT_LENGTH=50", NULL },
	    DATA, 36);
	why = NULL;
	e = req_body(&R, 1000, &body, &len, &why);
	T_INT("CONTENT_LENGTH larger than the data: APP_EINPUT", e, APP_EINPUT);
	T_OK("CONTENT_LENGTH larger: why says shorter", why != NULL && strstr(why, "shorter"));

	start((const char *const[]){ "REQUEST_METHOD=POST", "CONTENT_LENGTH=10", NULL },
	    DATA, 36);
	e = req_body(&R, 1000, &body, &len, &why);
	T_INT("CONTENT_LENGTH smaller than the data: APP_OK", e, APP_OK);
	T_INT("CONTENT_LENGTH smaller: len", len, 10);
	T_STREQ("CONTENT_LENGTH smaller: only those bytes", body, "0123456789");
	T_INT("CONTENT_LENGTH smaller: no byte past it consumed", F.inpos, 10);

	start((const char *const[]){ "REQUEST_METHOD=POST", "CONTENT_LENGTH=0", NULL },
	    DATA, 36);
	e = req_body(&R, 1000, &body, &len, &why);
	T_INT("CONTENT_LENGTH 0: APP_OK", e, APP_OK);
	T_INT("CONTENT_LENGTH 0: len", len, 0);
	T_STREQ("CONTENT_LENGTH 0: empty string", body, "");
	T_INT("CONTENT_LENGTH 0: nothing consumed", F.inpos, 0);

	start((const char *const[]){ "REQUEST_METHOD=POST", "CONTENT_LENGTH=36", NULL },
	    DATA, 36);
	e = req_body(&R, 36, &body, &len, &why);
	T_INT("CONTENT_LENGTH equal to max: APP_OK", e, APP_OK);
	T_INT("CONTENT_LENGTH equal to max: len", len, 36);

	start((const char *const[]){ "REQUEST_METHOD=POST", "CONTENT_LENGTH=2000", NULL },
	    DATA, 36);
	why = NULL;
	e = req_body(&R, 1000, &body, &len, &why);
	T_INT("CONTENT_LENGTH over max: APP_ETOOBIG", e, APP_ETOOBIG);
	T_INT("CONTENT_LENGTH over max: nothing read", F.reads, 0);
	T_OK("CONTENT_LENGTH over max: a reason", why != NULL);
	T_OK("CONTENT_LENGTH over max: no body", body == NULL && len == 0);

	start((const char *const[]){ "REQUEST_METHOD=POST", "CONTENT_LENGTH=37", NULL },
	    DATA, 36);
	e = req_body(&R, 36, &body, &len, &why);
	T_INT("CONTENT_LENGTH max + 1: APP_ETOOBIG", e, APP_ETOOBIG);
	T_INT("CONTENT_LENGTH max + 1: nothing read", F.reads, 0);

	start((const char *const[]){ "REQUEST_METHOD=POST",
	    "CONTENT_LENGTH=99999999999999999999999999", NULL }, DATA, 36);
	e = req_body(&R, 1000, &body, &len, &why);
	T_INT("CONTENT_LENGTH overflowing: APP_ETOOBIG", e, APP_ETOOBIG);
	T_INT("CONTENT_LENGTH overflowing: nothing read", F.reads, 0);

	{
		static const char *const bad[] = {
			"CONTENT_LENGTH=12abc", "CONTENT_LENGTH=-1", "CONTENT_LENGTH= 5",
			"CONTENT_LENGTH=5 ", "CONTENT_LENGTH=+5", "CONTENT_LENGTH=0x10",
			"CONTENT_LENGTH=1.0", "CONTENT_LENGTH=1,2",
		};
		char name[96];

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			start((const char *const[]){ "REQUEST_METHOD=POST", bad[i], NULL },
			    DATA, 36);
			why = NULL;
			e = req_body(&R, 1000, &body, &len, &why);
			snprintf(name, sizeof(name), "%s: APP_EINPUT", bad[i]);
			T_INT(name, e, APP_EINPUT);
			snprintf(name, sizeof(name), "%s: nothing read, a reason", bad[i]);
			T_OK(name, F.reads == 0 && why != NULL);
		}
	}

	start((const char *const[]){ "REQUEST_METHOD=POST", "CONTENT_LENGTH=20", NULL },
	    DATA, 36);
	F.fail = 1;
	why = NULL;
	e = req_body(&R, 1000, &body, &len, &why);
	T_INT("read error: APP_EINPUT", e, APP_EINPUT);
	T_OK("read error: a reason", why != NULL);
}

static void
test_body_no_length(void)
{
	char *body;
	size_t len;
	const char *why;
	enum app_err e;

	start((const char *const[]){ "REQUEST_METHOD=POST", NULL }, DATA, 36);
	e = req_body(&R, 1000, &body, &len, &why);
	T_INT("no CONTENT_LENGTH, POST: reads to EOF", e, APP_OK);
	T_INT("no CONTENT_LENGTH, POST: len", len, 36);
	T_OK("no CONTENT_LENGTH, POST: bytes", body && memcmp(body, DATA, 36) == 0 &&
	    body[36] == '\0');
	T_INT("no CONTENT_LENGTH, POST: whole input consumed", F.inpos, 36);

	start((const char *const[]){ "REQUEST_METHOD=PUT", "CONTENT_LENGTH=", NULL },
	    DATA, 36);
	e = req_body(&R, 1000, &body, &len, &why);
	T_INT("empty CONTENT_LENGTH, PUT: reads to EOF", e, APP_OK);
	T_INT("empty CONTENT_LENGTH, PUT: len", len, 36);

	start((const char *const[]){ "REQUEST_METHOD=PATCH", NULL }, DATA, 36);
	e = req_body(&R, 36, &body, &len, &why);
	T_INT("no CONTENT_LENGTH, exactly max: APP_OK", e, APP_OK);
	T_INT("no CONTENT_LENGTH, exactly max: len", len, 36);

	start((const char *const[]){ "REQUEST_METHOD=POST", NULL }, DATA, 36);
	why = NULL;
	e = req_body(&R, 20, &body, &len, &why);
	T_INT("no CONTENT_LENGTH, over max: APP_ETOOBIG", e, APP_ETOOBIG);
	T_OK("no CONTENT_LENGTH, over max: a reason", why != NULL);
	T_OK("no CONTENT_LENGTH, over max: reads stop after max + 1", F.inpos <= 21);

	start((const char *const[]){ "REQUEST_METHOD=POST", NULL }, DATA, 0);
	e = req_body(&R, 1000, &body, &len, &why);
	T_INT("no CONTENT_LENGTH, empty input: APP_OK", e, APP_OK);
	T_STREQ("no CONTENT_LENGTH, empty input: empty body", body, "");

	start((const char *const[]){ "REQUEST_METHOD=GET", NULL }, DATA, 36);
	e = req_body(&R, 1000, &body, &len, &why);
	T_INT("no CONTENT_LENGTH, GET: APP_OK", e, APP_OK);
	T_INT("no CONTENT_LENGTH, GET: empty", len, 0);
	T_STREQ("no CONTENT_LENGTH, GET: \"\"", body, "");
	T_INT("no CONTENT_LENGTH, GET: read never called", F.reads, 0);

	start((const char *const[]){ "REQUEST_METHOD=DELETE", NULL }, DATA, 36);
	e = req_body(&R, 1000, &body, &len, &why);
	T_OK("no CONTENT_LENGTH, DELETE: empty, no read",
	    e == APP_OK && len == 0 && F.reads == 0);

	start((const char *const[]){ NULL }, DATA, 36);
	e = req_body(&R, 1000, &body, &len, &why);
	T_OK("no REQUEST_METHOD (GET): empty, no read",
	    e == APP_OK && len == 0 && F.reads == 0);
}

static void
test_cookie(void)
{
	const char *v;

	start((const char *const[]){ "HTTP_COOKIE=a=1; b=2", NULL }, "", 0);
	T_STREQ("cookie a", req_cookie(&R, "a"), "1");
	T_STREQ("cookie b", req_cookie(&R, "b"), "2");
	T_OK("cookie missing -> NULL", req_cookie(&R, "c") == NULL);
	T_OK("empty cookie name -> NULL", req_cookie(&R, "") == NULL);

	start((const char *const[]){ "HTTP_COOKIE=a=\"hello world\"; b=\"x\"", NULL }, "", 0);
	T_STREQ("quoted value unquoted", req_cookie(&R, "a"), "hello world");
	T_STREQ("quoted one-character value", req_cookie(&R, "b"), "x");

	start((const char *const[]){ "HTTP_COOKIE=xa=1; a=2", NULL }, "", 0);
	T_STREQ("name that is a suffix of another", req_cookie(&R, "a"), "2");
	T_STREQ("the longer name", req_cookie(&R, "xa"), "1");

	start((const char *const[]){ "HTTP_COOKIE=ab=1; a=2", NULL }, "", 0);
	T_STREQ("name that is a prefix of another", req_cookie(&R, "a"), "2");

	start((const char *const[]){ "HTTP_COOKIE=a=1; a=2", NULL }, "", 0);
	T_STREQ("first match wins", req_cookie(&R, "a"), "1");

	start((const char *const[]){ "HTTP_COOKIE=t=x=y;u=", NULL }, "", 0);
	T_STREQ("value containing '='", req_cookie(&R, "t"), "x=y");
	v = req_cookie(&R, "u");
	T_STREQ("empty value", v, "");

	start((const char *const[]){ "HTTP_COOKIE=  a=1 ;\tb=2\t", NULL }, "", 0);
	T_STREQ("spaces around pairs: a", req_cookie(&R, "a"), "1");
	T_STREQ("spaces around pairs: b", req_cookie(&R, "b"), "2");

	start((const char *const[]){ "HTTP_COOKIE=junk", NULL }, "", 0);
	T_OK("malformed header junk: NULL for junk", req_cookie(&R, "junk") == NULL);
	T_OK("malformed header junk: NULL for a", req_cookie(&R, "a") == NULL);

	start((const char *const[]){ "HTTP_COOKIE=;;;", NULL }, "", 0);
	T_OK("only separators: NULL", req_cookie(&R, "a") == NULL);

	start((const char *const[]){ "HTTP_COOKIE=junk; a=5", NULL }, "", 0);
	T_STREQ("a malformed pair before a good one", req_cookie(&R, "a"), "5");

	start((const char *const[]){ "HTTP_COOKIE=", NULL }, "", 0);
	T_OK("empty header: NULL", req_cookie(&R, "a") == NULL);

	start((const char *const[]){ NULL }, "", 0);
	T_OK("no Cookie header: NULL", req_cookie(&R, "a") == NULL);
}

static void
test_init(void)
{
	T_INT("req_init: APP_OK",
	    start((const char *const[]){ "REQUEST_METHOD=POST",
	    "REQUEST_URI=/api/x/?a=1&b=2#f", "REMOTE_ADDR=10.0.0.1", "HTTPS=on", NULL },
	    "", 0), APP_OK);
	T_STREQ("req_init: method", R.method, "POST");
	T_STREQ("req_init: path without query or trailing slash", R.path, "/api/x");
	T_STREQ("req_init: query without fragment", R.query, "a=1&b=2");
	T_STREQ("req_init: remote", R.remote, "10.0.0.1");
	T_OK("req_init: https", R.https);
	T_OK("req_init: not HEAD", !R.head);
	T_STREQ("req_param", req_param(&R, "REMOTE_ADDR"), "10.0.0.1");
	T_OK("req_param missing: NULL", req_param(&R, "NOPE") == NULL);

	start((const char *const[]){ "REQUEST_METHOD=HEAD", "REQUEST_URI=/", NULL }, "", 0);
	T_STREQ("root path", R.path, "/");
	T_STREQ("no query: \"\"", R.query, "");
	T_STREQ("no REMOTE_ADDR: -", R.remote, "-");
	T_OK("HEAD flagged", R.head);
	T_OK("no HTTPS: false", !R.https);

	start((const char *const[]){ "REQUEST_URI=///", NULL }, "", 0);
	T_STREQ("/// is /", R.path, "/");
	T_STREQ("no REQUEST_METHOD: GET", R.method, "GET");

	/* Absolute-form targets: the path after the host, never past the string. */
	{
		static const struct { const char *uri, *path, *query; } abs[] = {
			{ "REQUEST_URI=http://", "/", "" },
			{ "REQUEST_URI=https://", "/", "" },
			{ "REQUEST_URI=http:///api/health", "/api/health", "" },
			{ "REQUEST_URI=https:///api/health", "/api/health", "" },
			{ "REQUEST_URI=http://host/api/x?a=1", "/api/x", "a=1" },
			{ "REQUEST_URI=HTTPS://host:8443/api/y/", "/api/y", "" },
			{ "REQUEST_URI=http://host?x=/api", "/", "x=/api" },
			{ "REQUEST_URI=http://host#/api", "/", "" },
			{ "REQUEST_URI=http:/", "http:", "" },
		};
		char name[128];

		for (size_t i = 0; i < ARRAY_LEN(abs); i++) {
			start((const char *const[]){ abs[i].uri, NULL }, "", 0);
			snprintf(name, sizeof(name), "target %s: path %s", abs[i].uri + 12, abs[i].path);
			T_STREQ(name, R.path, abs[i].path);
			snprintf(name, sizeof(name), "target %s: query \"%s\"", abs[i].uri + 12, abs[i].query);
			T_STREQ(name, R.query, abs[i].query);
		}
	}
}

int
main(void)
{
	arena_init(&A, 8192);
	memset(&APP, 0, sizeof(APP));
	test_body_length();
	test_body_no_length();
	test_cookie();
	test_init();
	arena_free(&A);
	return T_DONE();
}
