#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "cfg.h"

enum cfg_type {
	T_STR,       /* any non-empty text */
	T_SECRET,    /* text of at least min bytes; never echoed */
	T_DB,        /* a libpq connection string or URI */
	T_SECONDS,   /* duration, stored in seconds */
	T_MILLIS,    /* duration, stored in milliseconds */
	T_URL,       /* absolute http(s) URL */
	T_BOOL,      /* 0 or 1 (also off/on, false/true, no/yes) */
	T_URL_OPT,   /* absolute http(s) URL, or empty for "see the code" */
	T_ORIGINS,   /* space-separated origins, may be empty */
	T_SAMESITE,  /* Lax or None */
	T_DB_OPT,    /* a libpq connection string or URI, or empty for none */
	T_POOLER     /* none or transaction */
};

struct cfg_var {
	const char *name;
	enum cfg_type type;
	unsigned group;
	const char *def;      /* NULL: required */
	long long min, max;   /* bytes for secrets, units for durations */
	size_t off;           /* offset of the field in struct cfg */
};

#define F(field) offsetof(struct cfg, field)
#define DAY (24LL * 3600)

/* The table of DESIGN.md; one row a variable. */
static const struct cfg_var vars[] = {
	{ "DATABASE_URL", T_DB, CFG_NEED_DB | CFG_NEED_DBURL, NULL, 0, 0, F(database_url) },
	/* Scale-out (README, "Scaling out"). */
	{ "DATABASE_READ_URL", T_DB_OPT, CFG_NEED_DB, "", 0, 0, F(database_read_url) },
	{ "DATABASE_POOLER", T_POOLER, CFG_NEED_DB, "none", 0, 0, F(database_pooler) },
	{ "JWT_SECRET", T_SECRET, CFG_NEED_DB, NULL, 32, 4096, F(jwt_secret) },
	{ "JWT_EXPIRES_IN", T_SECONDS, CFG_NEED_DB, "30d", 60, 365 * DAY, F(jwt_expires_in) },
	{ "READ_TIMEOUT", T_MILLIS, CFG_NEED_DB, "500ms", 10, 15000, F(read_timeout_ms) },
	{ "WORKOS_API_KEY", T_STR, CFG_NEED_WORKOS | CFG_NEED_WORKOS_API, NULL, 0, 0, F(workos_api_key) },
	{ "WORKOS_CLIENT_ID", T_STR, CFG_NEED_WORKOS, NULL, 0, 0, F(workos_client_id) },
	{ "WORKOS_REDIRECT_URI", T_URL, CFG_NEED_WORKOS, NULL, 0, 0, F(workos_redirect_uri) },
	{ "WORKOS_COOKIE_PASSWORD", T_SECRET, CFG_NEED_WORKOS, NULL, 32, 4096, F(workos_cookie_password) },
	{ "WORKOS_API_BASE", T_URL, CFG_NEED_WORKOS | CFG_NEED_WORKOS_API, "https://api.workos.com", 0, 0, F(workos_api_base) },
	{ "WORKOS_TIMEOUT", T_MILLIS, CFG_NEED_WORKOS | CFG_NEED_WORKOS_API, "10s", 100, 300000, F(workos_timeout_ms) },
	{ "LOGIN_STATE_TTL", T_SECONDS, CFG_NEED_WORKOS, "600s", 10, DAY, F(login_state_ttl) },
	{ "TRUST_PROXY", T_BOOL, CFG_NEED_DB | CFG_NEED_WORKOS, "0", 0, 1, F(trust_proxy) },
	{ "WORKOS_JWKS_COOLDOWN", T_SECONDS, CFG_NEED_WORKOS, "60s", 0, DAY, F(workos_jwks_cooldown) },
	{ "WORKOS_ISSUER", T_URL_OPT, CFG_NEED_WORKOS, "", 0, 0, F(workos_issuer) },
	{ "APP_ORIGINS", T_ORIGINS, CFG_NEED_WORKOS, "", 0, 0, F(app_origins) },
	{ "ACCESS_TOKEN_TTL", T_SECONDS, CFG_NEED_WORKOS, "15m", 30, DAY, F(access_token_ttl) },
	{ "SESSION_IDLE_TTL", T_SECONDS, CFG_NEED_WORKOS, "7d", 60, 365 * DAY, F(session_idle_ttl) },
	{ "SESSION_MAX_TTL", T_SECONDS, CFG_NEED_WORKOS, "30d", 60, 365 * DAY, F(session_max_ttl) },
	{ "SESSION_COOKIE_SAMESITE", T_SAMESITE, CFG_NEED_WORKOS, "Lax", 0, 0, F(session_samesite) },
	{ "WORKOS_WEBHOOK_SECRET", T_SECRET, CFG_NEED_WEBHOOK, NULL, 16, 4096, F(workos_webhook_secret) },
};

int
cfg_parse_duration_ms(const char *s, long long *ms)
{
	static const struct { const char *unit; long long mult; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 }, { "", 1000 },
	};
	char *end;
	long long v;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0)
		return -1;
	for (size_t i = 0; i < ARRAY_LEN(units); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (v > LLONG_MAX / units[i].mult)
			return -1;
		*ms = v * units[i].mult;
		return 0;
	}
	return -1;
}

int
cfg_url_is_loopback(const char *url)
{
	const char *h, *e;
	size_t n;

	if (strncasecmp(url, "http://", 7) == 0)
		h = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		h = url + 8;
	else
		return 0;
	/* user:password@ before the host would make the host something else. */
	n = strcspn(h, "/?#");
	if (memchr(h, '@', n) != NULL)
		return 0;
	if (h[0] == '[') {
		e = strchr(h, ']');
		return e != NULL && (size_t)(e - h) == 4 && strncmp(h, "[::1", 4) == 0 &&
		    (e[1] == '\0' || strchr(":/?#", e[1]) != NULL);
	}
	n = strcspn(h, ":/?#");
	if (n == 9 && strncasecmp(h, "localhost", 9) == 0)
		return 1;
	if (n >= 7 && strncmp(h, "127.", 4) == 0) {
		for (size_t i = 4; i < n; i++)
			if (!isdigit((unsigned char)h[i]) && h[i] != '.')
				return 0;
		return 1;
	}
	return 0;
}

static int
valid_url(const char *v)
{
	const char *h;

	if (strncasecmp(v, "https://", 8) == 0)
		h = v + 8;
	else if (strncasecmp(v, "http://", 7) == 0)
		h = v + 7;
	else
		return 0;
	if (*h == '\0' || *h == '/' || *h == ':')
		return 0;
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

int
cfg_origin_normalise(const char *s, size_t n, char *out, size_t outsz)
{
	size_t schemelen, hostlen, portlen = 0, i, o = 0;
	const char *host, *port = NULL;
	int https;

	if (n >= 8 && strncasecmp(s, "https://", 8) == 0)
		https = 1, schemelen = 8;
	else if (n >= 7 && strncasecmp(s, "http://", 7) == 0)
		https = 0, schemelen = 7;
	else
		return -1;
	host = s + schemelen;
	hostlen = n - schemelen;
	for (i = 0; i < hostlen; i++) {
		if (host[i] == ':') {
			port = host + i + 1;
			portlen = hostlen - i - 1;
			hostlen = i;
			break;
		}
	}
	if (hostlen == 0 || hostlen > 253)
		return -1;
	/* A host name or an IPv4 address: letters, digits, '-' and '.' only. */
	for (i = 0; i < hostlen; i++) {
		unsigned char ch = (unsigned char)host[i];

		if (!isalnum(ch) && ch != '-' && ch != '.')
			return -1;
	}
	if (port != NULL) {
		long v = 0;

		if (portlen == 0 || portlen > 5)
			return -1;
		for (i = 0; i < portlen; i++) {
			if (!isdigit((unsigned char)port[i]))
				return -1;
			v = v * 10 + (port[i] - '0');
		}
		if (v < 1 || v > 65535)
			return -1;
		if ((https && v == 443) || (!https && v == 80))
			port = NULL;
	}
	if (schemelen + hostlen + (port ? portlen + 1 : 0) + 1 > outsz)
		return -1;
	for (i = 0; i < schemelen; i++)
		out[o++] = (char)tolower((unsigned char)s[i]);
	for (i = 0; i < hostlen; i++)
		out[o++] = (char)tolower((unsigned char)host[i]);
	if (port != NULL) {
		out[o++] = ':';
		/* Leading zeros would make "…:080" another spelling of 80. */
		while (portlen > 1 && *port == '0')
			port++, portlen--;
		memcpy(out + o, port, portlen);
		o += portlen;
	}
	out[o] = '\0';
	return 0;
}

int
cfg_origin_allowed(const struct cfg *c, const char *origin, size_t n)
{
	char norm[CFG_ORIGIN_LEN];

	if (cfg_origin_normalise(origin, n, norm, sizeof(norm)) != 0)
		return 0;
	for (size_t i = 0; i < c->napp_origins; i++)
		if (strcmp(norm, c->app_origins[i]) == 0)
			return 1;
	return 0;
}

static int
set_origins(struct cfg *c, const char *v, char *err, size_t errsz)
{
	const char *p = v;

	c->napp_origins = 0;
	for (;;) {
		size_t n;

		p += strspn(p, " \t");
		if (*p == '\0')
			return 0;
		n = strcspn(p, " \t");
		if (c->napp_origins == CFG_ORIGINS_MAX) {
			snprintf(err, errsz, "APP_ORIGINS: at most %d origins",
			    CFG_ORIGINS_MAX);
			return -1;
		}
		if (cfg_origin_normalise(p, n, c->app_origins[c->napp_origins],
		    CFG_ORIGIN_LEN) != 0) {
			snprintf(err, errsz, "APP_ORIGINS: \"%.*s\" is not an origin "
			    "(scheme://host[:port], http or https, no path)",
			    (int)(n > 200 ? 200 : n), p);
			return -1;
		}
		c->napp_origins++;
		p += n;
	}
}

static int
set_var(struct cfg *c, const struct cfg_var *var, const char *v,
    char *err, size_t errsz)
{
	char *field = (char *)c + var->off;
	long long ms;
	size_t len = strlen(v);

	switch (var->type) {
	case T_STR:
		if (len == 0)
			goto empty;
		*(const char **)field = v;
		return 0;
	case T_SECRET:
		if ((long long)len < var->min || (long long)len > var->max) {
			snprintf(err, errsz, "%s: must be between %lld and %lld "
			    "bytes long (got %zu)", var->name, var->min,
			    var->max, len);
			return -1;
		}
		*(const char **)field = v;
		return 0;
	case T_POOLER:
		if (strcasecmp(v, "none") == 0)
			*(int *)field = 0;
		else if (strcasecmp(v, "transaction") == 0)
			*(int *)field = 1;
		else {
			snprintf(err, errsz, "%s: must be none or transaction (got \"%.64s\")",
			    var->name, v);
			return -1;
		}
		return 0;
	case T_DB_OPT:
	case T_DB: {
		char *pqerr = NULL;
		PQconninfoOption *opts;

		if (len == 0 && var->type == T_DB_OPT) {
			*(const char **)field = NULL;
			return 0;
		}
		if (len == 0)
			goto empty;
		/* libpq's message could quote a password: not shown. */
		opts = PQconninfoParse(v, &pqerr);
		PQfreemem(pqerr);
		if (opts == NULL) {
			snprintf(err, errsz, "%s: must be a libpq connection "
			    "string or a postgresql:// URI", var->name);
			return -1;
		}
		PQconninfoFree(opts);
		*(const char **)field = v;
		return 0;
	}
	case T_URL:
		if (!valid_url(v)) {
			snprintf(err, errsz, "%s: must be an absolute http:// "
			    "or https:// URL (got \"%.200s\")", var->name, v);
			return -1;
		}
		*(const char **)field = v;
		return 0;
	case T_URL_OPT:
		if (len == 0) {
			*(const char **)field = NULL;
			return 0;
		}
		if (!valid_url(v)) {
			snprintf(err, errsz, "%s: must be an absolute http:// "
			    "or https:// URL (got \"%.200s\")", var->name, v);
			return -1;
		}
		*(const char **)field = v;
		return 0;
	case T_ORIGINS:
		return set_origins(c, v, err, errsz);
	case T_SAMESITE:
		if (strcasecmp(v, "Lax") == 0)
			*(enum cfg_samesite *)field = CFG_SAMESITE_LAX;
		else if (strcasecmp(v, "None") == 0)
			*(enum cfg_samesite *)field = CFG_SAMESITE_NONE;
		else {
			snprintf(err, errsz, "%s: must be Lax or None (got \"%.64s\")",
			    var->name, v);
			return -1;
		}
		return 0;
	case T_BOOL:
		if (strcmp(v, "1") == 0 || strcasecmp(v, "on") == 0 ||
		    strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0)
			*(int *)field = 1;
		else if (strcmp(v, "0") == 0 || strcasecmp(v, "off") == 0 ||
		    strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0)
			*(int *)field = 0;
		else {
			snprintf(err, errsz, "%s: must be 0 or 1 (got \"%.64s\")",
			    var->name, v);
			return -1;
		}
		return 0;
	case T_SECONDS:
	case T_MILLIS: {
		long long unit = var->type == T_SECONDS ? 1000 : 1;
		const char *uname = var->type == T_SECONDS ? "s" : "ms";

		if (cfg_parse_duration_ms(v, &ms) != 0 ||
		    (var->type == T_SECONDS && ms % 1000 != 0)) {
			snprintf(err, errsz, "%s: must be a duration such as "
			    "\"30d\", \"12h\", \"15m\", \"900s\"%s (got \"%.64s\")",
			    var->name, var->type == T_MILLIS ? " or \"2500ms\"" : "", v);
			return -1;
		}
		if (ms / unit < var->min || ms / unit > var->max) {
			snprintf(err, errsz, "%s: must be between %lld%s and "
			    "%lld%s (got \"%.64s\")", var->name, var->min, uname,
			    var->max, uname, v);
			return -1;
		}
		*(long long *)field = ms / unit;
		return 0;
	}
	}
	return -1;
empty:
	snprintf(err, errsz, "%s: must not be empty", var->name);
	return -1;
}

enum app_err
cfg_load(struct cfg *c, unsigned needs, char *err, size_t errsz)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < ARRAY_LEN(vars); i++) {
		const struct cfg_var *var = &vars[i];
		const char *v;

		if (!(var->group & needs))
			continue;
		v = getenv(var->name);
		if (v == NULL || (*v == '\0' && var->def != NULL))
			v = var->def;
		if (v == NULL) {
			snprintf(err, errsz, "%s: is required but not set",
			    var->name);
			return APP_EINPUT;
		}
		if (set_var(c, var, v, err, errsz) != 0)
			return APP_EINPUT;
	}
	if (c->jwt_secret != NULL)
		c->jwt_secret_len = strlen(c->jwt_secret);
	if (needs & (CFG_NEED_WORKOS | CFG_NEED_WORKOS_API)) {
		size_t n = strlen(c->workos_api_base);

		/* Paths are appended to it: drop trailing slashes once, here. */
		while (n > 0 && c->workos_api_base[n - 1] == '/')
			n--;
		static char base[2048];
		if (n >= sizeof(base)) {
			snprintf(err, errsz, "WORKOS_API_BASE: is too long");
			return APP_EINPUT;
		}
		memcpy(base, c->workos_api_base, n);
		base[n] = '\0';
		c->workos_api_base = base;
		/* Plain http only to a local stand-in; WorkOS itself is https. */
		c->workos_loopback = cfg_url_is_loopback(c->workos_api_base);
		if (strncasecmp(c->workos_api_base, "https://", 8) != 0 &&
		    !c->workos_loopback) {
			snprintf(err, errsz, "WORKOS_API_BASE: must be an https:// "
			    "URL (plain http is allowed only on a loopback address)");
			return APP_EINPUT;
		}
		if (c->workos_issuer == NULL) {
			c->workos_issuer = c->workos_api_base;
		} else {
			static char iss[2048];

			n = strlen(c->workos_issuer);
			while (n > 0 && c->workos_issuer[n - 1] == '/')
				n--;
			if (n >= sizeof(iss)) {
				snprintf(err, errsz, "WORKOS_ISSUER: is too long");
				return APP_EINPUT;
			}
			memcpy(iss, c->workos_issuer, n);
			iss[n] = '\0';
			c->workos_issuer = iss;
		}
		if (c->workos_redirect_uri != NULL) {
			const char *u = c->workos_redirect_uri;
			const char *h = strstr(u, "://");
			size_t on = h ? (size_t)(h + 3 - u) + strcspn(h + 3, "/?#") : 0;

			/*
			 * Redirects are made absolute against it, never against
			 * Host.  An origin the normaliser does not know (an IPv6
			 * literal) is the operator's own text, taken as written.
			 */
			if (cfg_origin_normalise(u, on, c->public_origin,
			    sizeof(c->public_origin)) != 0)
				snprintf(c->public_origin, sizeof(c->public_origin), "%.*s",
				    (int)(on < sizeof(c->public_origin) ? on : 0), u);
		}
		if (c->session_max_ttl < c->session_idle_ttl) {
			snprintf(err, errsz, "SESSION_MAX_TTL: must not be shorter "
			    "than SESSION_IDLE_TTL");
			return APP_EINPUT;
		}
		/*
		 * A SameSite=None cookie must be Secure, so it would never travel
		 * back over plain http: refuse the set-up instead of a sign-in
		 * that silently never sticks.
		 */
		if (c->session_samesite == CFG_SAMESITE_NONE &&
		    strncasecmp(c->workos_redirect_uri, "https://", 8) != 0) {
			snprintf(err, errsz, "SESSION_COOKIE_SAMESITE: None needs "
			    "HTTPS (the cookie is then Secure), but WORKOS_REDIRECT_URI "
			    "is not an https:// URL");
			return APP_EINPUT;
		}
	}
	return APP_OK;
}
