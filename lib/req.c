#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <fcgiapp.h>

#include "req.h"

const char *
req_param(const struct req *r, const char *name)
{
	return FCGX_GetParam(name, r->conn->envp);
}

/* The path of the request target: no query, no fragment, no trailing '/'. */
static const char *
target_path(struct arena *a, const char *uri, const char **query)
{
	size_t n = strcspn(uri, "?#");

	*query = uri[n] == '?' ? uri + n + 1 : "";
	if (**query != '\0') {
		size_t q = strcspn(*query, "#");

		*query = arena_strndup(a, *query, q);
	}
	/*
	 * Absolute-form targets ("http://host/path") name the path after the
	 * host.  Only the n bytes before '?' or '#' are looked at, and the
	 * authority starts right after "//" ("http:///x" has an empty host).
	 */
	{
		size_t skip = strncasecmp(uri, "https://", 8) == 0 ? 8 :
		    strncasecmp(uri, "http://", 7) == 0 ? 7 : 0;

		if (skip > 0) {
			const char *p = memchr(uri + skip, '/', n - skip);

			if (p == NULL)
				return arena_strdup(a, "/");
			n -= (size_t)(p - uri);
			uri = p;
		}
	}
	while (n > 1 && uri[n - 1] == '/')
		n--;
	return arena_strndup(a, uri, n);
}

enum app_err
req_init(struct req *r, struct arena *a, struct app *app, struct conn *c)
{
	const char *uri, *v;

	memset(r, 0, sizeof(*r));
	r->arena = a;
	r->app = app;
	r->conn = c;
	sbuf_init(&r->resp_headers, a, 16 * 1024);

	r->method = req_param(r, "REQUEST_METHOD");
	if (r->method == NULL || *r->method == '\0')
		r->method = "GET";
	r->head = strcmp(r->method, "HEAD") == 0;
	r->remote = req_param(r, "REMOTE_ADDR");
	if (r->remote == NULL || *r->remote == '\0')
		r->remote = "-";

	uri = req_param(r, "REQUEST_URI");
	if (uri == NULL || *uri == '\0') {
		/* CGI without REQUEST_URI: rebuild it from its parts. */
		const char *sn = req_param(r, "SCRIPT_NAME");
		const char *pi = req_param(r, "PATH_INFO");
		struct sbuf sb;

		sbuf_init(&sb, a, 8192);
		sbuf_puts(&sb, sn ? sn : "");
		sbuf_puts(&sb, pi ? pi : "");
		if (sb.len == 0)
			sbuf_putc(&sb, '/');
		if (sbuf_err(&sb) != APP_OK)
			return sbuf_err(&sb);
		while (sb.len > 1 && sb.data[sb.len - 1] == '/')
			sbuf_truncate(&sb, sb.len - 1);
		r->path = sb.data;
		v = req_param(r, "QUERY_STRING");
		r->query = v ? v : "";
	} else {
		r->path = target_path(a, uri, &r->query);
	}
	if (r->path == NULL || r->query == NULL)
		return APP_ENOMEM;

	v = req_param(r, "HTTPS");
	r->https = v != NULL && strcasecmp(v, "on") == 0;
	/* Only a proxy the operator vouches for may say the client used TLS. */
	if (!r->https && app->cfg.trust_proxy) {
		v = req_param(r, "HTTP_X_FORWARDED_PROTO");
		r->https = v != NULL && strncasecmp(v, "https", 5) == 0 &&
		    (v[5] == '\0' || v[5] == ',' || v[5] == ' ');
	}
	return APP_OK;
}

static bool
has_body_method(const char *m)
{
	return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 ||
	    strcmp(m, "PATCH") == 0;
}

enum app_err
req_body(struct req *r, size_t max, char **body, size_t *len, const char **why)
{
	const char *cl = req_param(r, "CONTENT_LENGTH");
	unsigned long long want = 0;
	bool known = false;
	char *buf;
	size_t got = 0, cap;

	*body = NULL;
	*len = 0;
	if (cl != NULL && *cl != '\0') {
		char *end;

		for (const char *p = cl; *p; p++)
			if (!isdigit((unsigned char)*p)) {
				*why = "Content-Length is not a number";
				return APP_EINPUT;
			}
		errno = 0;
		want = strtoull(cl, &end, 10);
		if (errno != 0 || *end != '\0' || want > max) {
			*why = "request entity too large";
			return APP_ETOOBIG;
		}
		known = true;
	} else if (!has_body_method(r->method)) {
		known = true; /* a GET or DELETE without a length has no body */
	}

	/* Unknown length: read to the end, one byte past max to detect it. */
	cap = known ? (size_t)want : max + 1;
	buf = arena_alloc(r->arena, cap + 1);
	if (buf == NULL)
		return APP_ENOMEM;
	while (got < cap) {
		int n = r->conn->read(r->conn->ctx, buf + got,
		    (int)(cap - got > 65536 ? 65536 : cap - got));

		if (n < 0) {
			*why = "could not read the request body";
			return APP_EINPUT;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (known && got < want) {
		*why = "request body is shorter than its Content-Length";
		return APP_EINPUT;
	}
	if (!known && got > max) {
		*why = "request entity too large";
		return APP_ETOOBIG;
	}
	buf[got] = '\0';
	*body = buf;
	*len = got;
	return APP_OK;
}

const char *
req_cookie(struct req *r, const char *name)
{
	const char *h = req_param(r, "HTTP_COOKIE");
	size_t nl = strlen(name);

	if (h == NULL)
		return NULL;
	/* Cookie: a=1; b=2 (RFC 6265 5.4); the first match wins. */
	while (*h != '\0') {
		const char *end, *eq;

		while (*h == ' ' || *h == '\t' || *h == ';')
			h++;
		end = h + strcspn(h, ";");
		eq = memchr(h, '=', (size_t)(end - h));
		if (eq != NULL && (size_t)(eq - h) == nl && memcmp(h, name, nl) == 0) {
			const char *v = eq + 1, *ve = end;

			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			if (ve - v >= 2 && *v == '"' && ve[-1] == '"') {
				v++;
				ve--;
			}
			return arena_strndup(r->arena, v, (size_t)(ve - v));
		}
		h = end;
	}
	return NULL;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

char *
req_decode(struct arena *a, const char *s, size_t n, size_t *outlen)
{
	char *out = arena_alloc(a, n + 1);
	size_t o = 0;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%' && i + 2 < n &&
		    (hi = hexval(s[i + 1])) >= 0 && (lo = hexval(s[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return out;
}

const char *
req_query(struct req *r, const char *name, size_t *len)
{
	const char *q = r->query;
	size_t nl = strlen(name);

	while (*q != '\0') {
		size_t pl = strcspn(q, "&");
		const char *eq = memchr(q, '=', pl);
		size_t kl = eq ? (size_t)(eq - q) : pl;
		size_t dkl;
		char *key = req_decode(r->arena, q, kl, &dkl);

		if (key != NULL && dkl == nl && memcmp(key, name, nl) == 0) {
			if (eq == NULL)
				return req_decode(r->arena, "", 0, len);
			return req_decode(r->arena, eq + 1, pl - kl - 1, len);
		}
		q += pl;
		if (*q == '&')
			q++;
	}
	return NULL;
}
