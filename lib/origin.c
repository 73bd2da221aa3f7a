#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "origin.h"
#include "resp.h"
#include "sbuf.h"
#include "sess.h"

const char *
origin_self(struct req *r)
{
	const char *host = req_param(r, "HTTP_HOST");
	char in[CFG_ORIGIN_LEN], *out;

	if (host == NULL || strlen(host) > CFG_ORIGIN_LEN - 16)
		return NULL;
	snprintf(in, sizeof(in), "%s://%s", r->https ? "https" : "http", host);
	out = arena_alloc(r->arena, CFG_ORIGIN_LEN);
	if (out == NULL || cfg_origin_normalise(in, strlen(in), out, CFG_ORIGIN_LEN) != 0)
		return NULL;
	return out;
}

int
origin_request_ok(struct req *r)
{
	const char *o = req_param(r, "HTTP_ORIGIN");
	const char *self;
	char norm[CFG_ORIGIN_LEN];

	if (o == NULL || cfg_origin_normalise(o, strlen(o), norm, sizeof(norm)) != 0)
		return 0;
	if (cfg_origin_allowed(&r->app->cfg, o, strlen(o)))
		return 1;
	self = origin_self(r);
	return self != NULL && strcmp(self, norm) == 0;
}

int
origin_cors(struct req *r)
{
	const char *o = req_param(r, "HTTP_ORIGIN");

	resp_header(r, "Vary", "Origin");
	if (o == NULL || !cfg_origin_allowed(&r->app->cfg, o, strlen(o)))
		return 0;
	resp_header(r, "Access-Control-Allow-Origin", o);
	resp_header(r, "Access-Control-Allow-Credentials", "true");
	return 1;
}

/* Is there an encoded '/', '\' or '%' in the n bytes of a path? */
static int
encoded_separator(const char *p, size_t n)
{
	for (size_t i = 0; i + 2 < n; i++) {
		if (p[i] != '%')
			continue;
		if ((p[i + 1] == '2' && (p[i + 2] == 'f' || p[i + 2] == 'F')) ||
		    (p[i + 1] == '5' && (p[i + 2] == 'c' || p[i + 2] == 'C')) ||
		    (p[i + 1] == '2' && p[i + 2] == '5'))
			return 1;
	}
	return 0;
}

/* strcspn within the n bytes at s, which need not end in a NUL. */
static size_t
span_to(const char *s, size_t n, const char *stop)
{
	size_t i = 0;

	while (i < n && strchr(stop, s[i]) == NULL)
		i++;
	return i;
}

int
origin_check_return_to(const struct cfg *cfg, const char *v, size_t n,
    const char **why)
{
	const char *path;
	size_t pathlen, auth;

	*why = "return_to must be a path on this site or a URL of one of APP_ORIGINS";
	if (n == 0 || n > SESS_RETURN_MAX) {
		*why = "return_to must be 1 to 2048 bytes long";
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c <= 0x20 || c >= 0x7f || c == '\\')
			return -1;
	}
	if (v[0] == '/') {
		if (n > 1 && v[1] == '/')
			return -1;
		path = v;
	} else {
		size_t scheme;

		if (n > 8 && strncasecmp(v, "https://", 8) == 0)
			scheme = 8;
		else if (n > 7 && strncasecmp(v, "http://", 7) == 0)
			scheme = 7;
		else
			return -1;
		auth = scheme + span_to(v + scheme, n - scheme, "/?#");
		if (memchr(v + scheme, '@', auth - scheme) != NULL ||
		    !cfg_origin_allowed(cfg, v, auth))
			return -1;
		path = v + auth;
	}
	pathlen = span_to(path, n - (size_t)(path - v), "?#");
	if (pathlen > 0 && encoded_separator(path, pathlen))
		return -1;
	return 0;
}

char *
origin_absolute(struct req *r, const char *return_to)
{
	const char *self;
	struct sbuf sb;

	if (return_to[0] != '/')
		return arena_strdup(r->arena, return_to);
	/* A Host header is the client's to choose: not the base of a redirect. */
	self = r->app->cfg.public_origin;
	if (self[0] == '\0')
		self = NULL;
	if (self == NULL)
		return NULL;
	sbuf_init(&sb, r->arena, 8192);
	sbuf_puts(&sb, self);
	sbuf_puts(&sb, return_to);
	return sbuf_err(&sb) == APP_OK ? sb.data : NULL;
}

char *
origin_with_error(struct arena *a, const char *return_to, const char *code)
{
	size_t frag = strcspn(return_to, "#");
	struct sbuf sb;

	sbuf_init(&sb, a, 8192);
	sbuf_putn(&sb, return_to, frag);
	sbuf_puts(&sb, memchr(return_to, '?', frag) != NULL ? "&error=" : "?error=");
	sbuf_puts(&sb, code);
	sbuf_puts(&sb, return_to + frag);
	return sbuf_err(&sb) == APP_OK ? sb.data : NULL;
}
