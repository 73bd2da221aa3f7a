/*
 * test_route.c - route.h: pattern matching, and route_dispatch() end to
 * end through a fake connection that captures the response.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "jw.h"
#include "log.h"
#include "req.h"
#include "resp.h"
#include "route.h"
#include "sbuf.h"
#include "fakeconn.h"
#include "t.h"

/* What the handlers saw. */
static const char *called;
static char called_param[256];
static char called_query[256];
static char called_path[256];

static void
note(struct req *r, const char *who)
{
	called = who;
	snprintf(called_param, sizeof(called_param), "%s", r->param ? r->param : "(null)");
	snprintf(called_query, sizeof(called_query), "%s", r->query ? r->query : "(null)");
	snprintf(called_path, sizeof(called_path), "%s", r->path ? r->path : "(null)");
}

static void
h_x_get(struct req *r)
{
	struct sbuf sb;

	note(r, "GET /api/x");
	sbuf_init(&sb, r->arena, 1024);
	sbuf_puts(&sb, "{\"hello\":\"world\"}");
	resp_json(r, 200, &sb);
}

static void
h_x_post(struct req *r)
{
	struct sbuf sb;

	note(r, "POST /api/x");
	sbuf_init(&sb, r->arena, 1024);
	sbuf_puts(&sb, "{\"created\":true}");
	resp_json(r, 201, &sb);
}

static void
h_item_get(struct req *r)
{
	struct sbuf sb;
	struct jw w;

	note(r, "GET /api/items/:id");
	sbuf_init(&sb, r->arena, 1024);
	jw_init(&w, &sb);
	jw_obj_open(&w);
	jw_key(&w, "id");
	jw_str(&w, r->param);
	jw_obj_close(&w);
	resp_json(r, 200, &sb);
}

static void
h_item_del(struct req *r)
{
	note(r, "DELETE /api/items/:id");
	resp_empty(r, 204);
}

static void
h_root(struct req *r)
{
	struct sbuf sb;

	note(r, "GET /");
	sbuf_init(&sb, r->arena, 1024);
	sbuf_puts(&sb, "{\"root\":1}");
	resp_json(r, 200, &sb);
}

static void
h_twice(struct req *r)
{
	struct sbuf sb;

	note(r, "GET /api/twice");
	sbuf_init(&sb, r->arena, 1024);
	sbuf_puts(&sb, "{\"n\":1}");
	resp_json(r, 200, &sb);
	resp_error(r, 500, "InternalServerError", "second", NULL);
}

static void
h_evil(struct req *r)
{
	note(r, "GET /api/evil");
	resp_header(r, "X-Evil", "a\r\nSet-Cookie: pwned=1");
	resp_header(r, "X-Good", "yes");
	resp_error(r, 400, "ValidationError", "bad \"input\"\n", NULL);
}

static const struct route routes[] = {
	{ "GET", "/api/x", h_x_get },
	{ "POST", "/api/x", h_x_post },
	{ "GET", "/api/items/:id", h_item_get },
	{ "DELETE", "/api/items/:id", h_item_del },
	{ "GET", "/", h_root },
	{ "GET", "/api/twice", h_twice },
	{ "GET", "/api/evil", h_evil },
};

static struct fake F;
static struct arena A;

/* Run one request with these parameters; the response is in F.out. */
static enum app_err
run(const char *const *vars)
{
	struct app app;
	struct conn conn;
	struct req r;
	enum app_err e;

	memset(&F, 0, sizeof(F));
	memset(&app, 0, sizeof(app));
	fake_env(&F, vars);
	conn.envp = F.envp;
	conn.read = fake_read;
	conn.write = fake_write;
	conn.log = fake_log;
	conn.ctx = &F;
	called = NULL;
	called_param[0] = called_query[0] = called_path[0] = '\0';
	arena_reset(&A);
	e = req_init(&r, &A, &app, &conn);
	if (e != APP_OK)
		return e;
	log_begin_request(conn.log, conn.ctx, r.method, r.path, r.remote);
	route_dispatch(&r, routes, sizeof(routes) / sizeof(routes[0]));
	log_end_request();
	return APP_OK;
}

/* The response body (after the blank line), or NULL. */
static const char *
body(void)
{
	const char *p = strstr(F.out, "\r\n\r\n");

	return p ? p + 4 : NULL;
}

/* The value of header name in the response, or NULL. */
static const char *
header(const char *name)
{
	static char val[512];
	size_t nl = strlen(name);
	const char *end = strstr(F.out, "\r\n\r\n");

	for (const char *p = F.out; p != NULL && end != NULL && p < end;) {
		const char *eol = strstr(p, "\r\n");

		if (strncmp(p, name, nl) == 0 && p[nl] == ':' && p[nl + 1] == ' ') {
			snprintf(val, sizeof(val), "%.*s", (int)(eol - p - nl - 2), p + nl + 2);
			return val;
		}
		p = eol ? eol + 2 : NULL;
	}
	return NULL;
}

static int
starts_with(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Does Content-Length match n? */
static int
content_length_is(size_t n)
{
	const char *v = header("Content-Length");

	return v != NULL && strtoul(v, NULL, 10) == n;
}

static void
test_match(void)
{
	const char *param;

	T_OK("literal matches", route_match(&A, "/api/x", "/api/x", &param));
	T_OK("literal: param NULL", param == NULL);
	T_OK("root matches root", route_match(&A, "/", "/", &param));
	T_OK("literal: longer segment no match", !route_match(&A, "/api/x", "/api/xy", &param));
	T_OK("literal: shorter segment no match", !route_match(&A, "/api/xy", "/api/x", &param));
	T_OK("literal: extra segment no match", !route_match(&A, "/api/x", "/api/x/y", &param));
	T_OK("literal: missing segment no match", !route_match(&A, "/api/x", "/api", &param));
	T_OK("literal: case-sensitive", !route_match(&A, "/api/x", "/API/X", &param));
	T_OK("root does not match /x", !route_match(&A, "/", "/x", &param));
	T_OK("/x does not match root", !route_match(&A, "/x", "/", &param));
	T_OK(":id matches", route_match(&A, "/api/items/:id", "/api/items/abc123", &param));
	T_STREQ(":id: param", param, "abc123");
	T_OK(":id in the middle", route_match(&A, "/api/:id/sub", "/api/5/sub", &param));
	T_STREQ(":id in the middle: param", param, "5");
	T_OK(":id: extra segment no match",
	    !route_match(&A, "/api/items/:id", "/api/items/abc/def", &param));
	T_OK(":id: missing segment no match",
	    !route_match(&A, "/api/items/:id", "/api/items", &param));
	T_OK(":id: empty segment rejected",
	    !route_match(&A, "/api/items/:id", "/api/items/", &param));
	T_OK(":id in the middle: empty segment rejected",
	    !route_match(&A, "/api/:id/sub", "/api//sub", &param));
	T_OK(":id: wrong literal after", !route_match(&A, "/api/:id/sub", "/api/5/other", &param));
	T_OK(":id: wrong literal before",
	    !route_match(&A, "/api/items/:id", "/api/things/5", &param));
	T_OK("no leading slash no match", !route_match(&A, "/api/x", "api/x", &param));
	T_OK("empty path no match", !route_match(&A, "/api/x", "", &param));
}

static void
test_dispatch(void)
{
	const char *b;

	/* A GET route. */
	run((const char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/api/x", NULL });
	T_STREQ("GET /api/x: handler", called, "GET /api/x");
	T_OK("GET /api/x: Status 200", starts_with(F.out, "Status: 200 OK\r\n"));
	T_STREQ("GET /api/x: Content-Type", header("Content-Type"),
	    "application/json; charset=utf-8");
	T_STREQ("GET /api/x: body", body(), "{\"hello\":\"world\"}");
	T_OK("GET /api/x: Content-Length", content_length_is(17));

	/* Unknown path. */
	run((const char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/nope", NULL });
	T_OK("unknown path: no handler", called == NULL);
	T_OK("unknown path: Status 404", starts_with(F.out, "Status: 404 Not Found\r\n"));
	b = body();
	T_OK("unknown path: NotFoundError", b != NULL && strstr(b, "\"NotFoundError\"") != NULL);
	T_STREQ("unknown path: envelope", b,
	    "{\"data\":null,\"error\":{\"status\":404,\"name\":\"NotFoundError\","
	    "\"message\":\"Not Found\",\"details\":{}}}");
	T_OK("unknown path: Content-Length", b != NULL && content_length_is(strlen(b)));
	run((const char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/api", NULL });
	T_OK("prefix of a route: 404", starts_with(F.out, "Status: 404"));
	run((const char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/api/items/", NULL });
	T_OK("empty :id segment: 404", starts_with(F.out, "Status: 404") && called == NULL);

	/* Wrong method. */
	run((const char *const[]){ "REQUEST_METHOD=PUT", "REQUEST_URI=/api/x", NULL });
	T_OK("PUT /api/x: no handler", called == NULL);
	T_OK("PUT /api/x: Status 405", starts_with(F.out, "Status: 405 Method Not Allowed\r\n"));
	T_STREQ("PUT /api/x: Allow lists the route's methods", header("Allow"),
	    "HEAD, GET, POST, OPTIONS");
	T_OK("PUT /api/x: MethodNotAllowedError",
	    body() != NULL && strstr(body(), "\"MethodNotAllowedError\"") != NULL &&
	    strstr(body(), "\"status\":405") != NULL);
	run((const char *const[]){ "REQUEST_METHOD=POST", "REQUEST_URI=/api/items/5", NULL });
	T_OK("POST /api/items/5: 405", starts_with(F.out, "Status: 405"));
	T_STREQ("POST /api/items/5: Allow", header("Allow"), "HEAD, GET, DELETE, OPTIONS");
	run((const char *const[]){ "REQUEST_METHOD=get", "REQUEST_URI=/api/x", NULL });
	T_OK("lower-case method: 405 (methods are case-sensitive)",
	    starts_with(F.out, "Status: 405") && called == NULL);

	/* OPTIONS. */
	run((const char *const[]){ "REQUEST_METHOD=OPTIONS", "REQUEST_URI=/api/x", NULL });
	T_OK("OPTIONS /api/x: no handler", called == NULL);
	T_OK("OPTIONS /api/x: Status 204", starts_with(F.out, "Status: 204 No Content\r\n"));
	T_STREQ("OPTIONS /api/x: Allow", header("Allow"), "HEAD, GET, POST, OPTIONS");
	T_STREQ("OPTIONS /api/x: no body", body(), "");
	T_OK("OPTIONS /api/x: no Content-Length on 204", header("Content-Length") == NULL);
	run((const char *const[]){ "REQUEST_METHOD=OPTIONS", "REQUEST_URI=/nope", NULL });
	T_OK("OPTIONS on an unknown path: 404", starts_with(F.out, "Status: 404"));

	/* HEAD. */
	run((const char *const[]){ "REQUEST_METHOD=HEAD", "REQUEST_URI=/api/x", NULL });
	T_STREQ("HEAD /api/x: the GET handler runs", called, "GET /api/x");
	T_OK("HEAD /api/x: Status 200", starts_with(F.out, "Status: 200"));
	T_STREQ("HEAD /api/x: no body", body(), "");
	T_OK("HEAD /api/x: Content-Length of the GET body", content_length_is(17));
	T_STREQ("HEAD /api/x: Content-Type", header("Content-Type"),
	    "application/json; charset=utf-8");
	run((const char *const[]){ "REQUEST_METHOD=HEAD", "REQUEST_URI=/api/items/77", NULL });
	T_STREQ("HEAD /api/items/77: GET handler", called, "GET /api/items/:id");
	T_STREQ("HEAD /api/items/77: param", called_param, "77");
	T_STREQ("HEAD /api/items/77: no body", body(), "");
	run((const char *const[]){ "REQUEST_METHOD=HEAD", "REQUEST_URI=/nope", NULL });
	T_OK("HEAD unknown path: 404 without a body",
	    starts_with(F.out, "Status: 404") && body() != NULL && *body() == '\0');

	/* Parameters, slashes, queries. */
	run((const char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/api/items/42", NULL });
	T_STREQ("GET /api/items/42: handler", called, "GET /api/items/:id");
	T_STREQ("GET /api/items/42: param", called_param, "42");
	T_STREQ("GET /api/items/42: body", body(), "{\"id\":\"42\"}");
	run((const char *const[]){ "REQUEST_METHOD=DELETE", "REQUEST_URI=/api/items/9", NULL });
	T_STREQ("DELETE /api/items/9: handler", called, "DELETE /api/items/:id");
	T_OK("DELETE /api/items/9: 204", starts_with(F.out, "Status: 204"));
	run((const char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/api/x/", NULL });
	T_STREQ("trailing slash /api/x/ matches /api/x", called, "GET /api/x");
	T_STREQ("trailing slash: path", called_path, "/api/x");
	run((const char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/api/x//", NULL });
	T_STREQ("trailing slashes /api/x// match /api/x", called, "GET /api/x");
	run((const char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/api/items/42/", NULL });
	T_STREQ("trailing slash after :id: param", called_param, "42");
	run((const char *const[]){ "REQUEST_METHOD=GET",
	    "REQUEST_URI=/api/items/42?populate=*&x=/y", NULL });
	T_STREQ("query stripped: handler", called, "GET /api/items/:id");
	T_STREQ("query stripped: param", called_param, "42");
	T_STREQ("query stripped: r->query", called_query, "populate=*&x=/y");
	run((const char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/api/x/?a=1", NULL });
	T_STREQ("trailing slash before the query", called, "GET /api/x");
	run((const char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/api/x#frag", NULL });
	T_STREQ("fragment stripped", called, "GET /api/x");
	run((const char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/?q", NULL });
	T_STREQ("root with a query", called, "GET /");
	run((const char *const[]){ "REQUEST_METHOD=GET",
	    "REQUEST_URI=http://example.com/api/x?q=1", NULL });
	T_STREQ("absolute-form target", called, "GET /api/x");
	run((const char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=https://example.com",
	    NULL });
	T_STREQ("absolute-form target without a path is /", called, "GET /");
	run((const char *const[]){ "REQUEST_URI=/api/x", NULL });
	T_STREQ("no REQUEST_METHOD: treated as GET", called, "GET /api/x");

	/* CGI: no REQUEST_URI. */
	run((const char *const[]){ "REQUEST_METHOD=GET", "SCRIPT_NAME=/api",
	    "PATH_INFO=/items/7", "QUERY_STRING=a=b", NULL });
	T_STREQ("no REQUEST_URI: SCRIPT_NAME + PATH_INFO", called, "GET /api/items/:id");
	T_STREQ("no REQUEST_URI: param", called_param, "7");
	T_STREQ("no REQUEST_URI: QUERY_STRING", called_query, "a=b");
	run((const char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=",
	    "SCRIPT_NAME=/api/x", NULL });
	T_STREQ("empty REQUEST_URI: SCRIPT_NAME alone", called, "GET /api/x");
	run((const char *const[]){ "REQUEST_METHOD=GET", NULL });
	T_STREQ("no REQUEST_URI, SCRIPT_NAME, PATH_INFO: /", called, "GET /");
	run((const char *const[]){ "REQUEST_METHOD=GET", "SCRIPT_NAME=/api",
	    "PATH_INFO=/x/", NULL });
	T_STREQ("no REQUEST_URI: trailing slash in PATH_INFO still matches /api/x",
	    called, "GET /api/x");

	/* One response per request; unsafe headers refused. */
	run((const char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/api/twice", NULL });
	T_STREQ("two responses: handler", called, "GET /api/twice");
	T_OK("two responses: only the first is written",
	    strstr(F.out, "Status:") == F.out && strstr(F.out + 1, "Status:") == NULL &&
	    strcmp(body(), "{\"n\":1}") == 0);
	T_OK("two responses: the second is logged to the request's sink",
	    strstr(F.log, "second response") != NULL);
	run((const char *const[]){ "REQUEST_METHOD=GET", "REQUEST_URI=/api/evil", NULL });
	T_OK("header with CRLF refused", strstr(F.out, "pwned") == NULL &&
	    header("X-Evil") == NULL);
	T_STREQ("safe header kept", header("X-Good"), "yes");
	T_OK("error message escaped in the envelope",
	    body() != NULL && strstr(body(), "\"message\":\"bad \\\"input\\\"\\n\"") != NULL);
	T_OK("400 status line", starts_with(F.out, "Status: 400 Bad Request\r\n"));
}

int
main(void)
{
	arena_init(&A, 8192);
	log_init("test_route");
	test_match();
	test_dispatch();
	arena_free(&A);
	return T_DONE();
}
