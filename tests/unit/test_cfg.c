/*
 * test_cfg.c - cfg.h: durations, loopback URLs, and cfg_load() from the
 * environment.
 */
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "t.h"

static const char *const all_vars[] = {
	"DATABASE_URL", "JWT_SECRET", "JWT_EXPIRES_IN", "WORKOS_API_KEY",
	"WORKOS_CLIENT_ID", "WORKOS_REDIRECT_URI", "WORKOS_COOKIE_PASSWORD",
	"WORKOS_API_BASE", "WORKOS_TIMEOUT", "LOGIN_STATE_TTL", "WORKOS_WEBHOOK_SECRET",
	"WORKOS_JWKS_COOLDOWN",
};

#define SECRET32 "0123456789abcdef0123456789abcdef"
#define COOKIE32 "cookie-password-cookie-password-!"

static void
clear_env(void)
{
	for (size_t i = 0; i < sizeof(all_vars) / sizeof(all_vars[0]); i++)
		unsetenv(all_vars[i]);
}

/* A valid CFG_NEED_DB environment. */
static void
db_env(void)
{
	clear_env();
	setenv("DATABASE_URL", "postgresql://app@127.0.0.1:5432/app", 1);
	setenv("JWT_SECRET", SECRET32, 1);
}

/* A valid CFG_NEED_WORKOS environment. */
static void
workos_env(void)
{
	clear_env();
	setenv("WORKOS_API_KEY", "sk_test_123", 1);
	setenv("WORKOS_CLIENT_ID", "client_123", 1);
	setenv("WORKOS_REDIRECT_URI", "http://localhost:1337/api/auth/callback", 1);
	setenv("WORKOS_COOKIE_PASSWORD", COOKIE32, 1);
}

static int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
test_duration(void)
{
	static const struct { const char *s; long long ms; } good[] = {
		{ "30d", 30LL * 86400000 },
		{ "12h", 12LL * 3600000 },
		{ "15m", 15LL * 60000 },
		{ "900s", 900000 },
		{ "2500ms", 2500 },
		{ "60", 60000 },
		{ "0", 0 },
		{ "1ms", 1 },
		{ "106751991167d", 106751991167LL * 86400000 },
	};
	static const char *const bad[] = {
		"", "abc", "-5s", "5x", "s", "ms", "99999999999999999999d",
		"99999999999999999999", "9223372036854775807s", "106751991168d",
		"+5s", " 5s", "5 s", "5s ", "5sm", "5.5s", "1e3", "5dd", "0x10",
	};
	char name[96];
	long long ms;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = -1;
		snprintf(name, sizeof(name), "duration \"%s\" accepted", good[i].s);
		T_INT(name, cfg_parse_duration_ms(good[i].s, &ms), 0);
		snprintf(name, sizeof(name), "duration \"%s\" = %lld ms", good[i].s,
		    good[i].ms);
		T_INT(name, ms, good[i].ms);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(name, sizeof(name), "duration \"%s\" rejected", bad[i]);
		T_INT(name, cfg_parse_duration_ms(bad[i], &ms), -1);
	}
	T_INT("duration NULL rejected", cfg_parse_duration_ms(NULL, &ms), -1);
}

static void
test_loopback(void)
{
	static const char *const yes[] = {
		"http://127.0.0.1", "http://127.0.0.1/", "http://127.1.2.3:8080",
		"http://127.1.2.3:8080/path", "http://localhost",
		"http://localhost:1337/x", "http://LOCALHOST/", "https://127.0.0.1",
		"http://[::1]:9", "http://[::1]/", "http://[::1]",
		"http://127.0.0.1?x=1", "http://127.0.0.1#frag",
	};
	static const char *const no[] = {
		"http://128.0.0.1", "http://example.com", "http://127.0.0.1.evil.com",
		"http://127.0.0.1.evil.com/", "ftp://127.0.0.1", "127.0.0.1",
		"http://localhost.evil.com", "http://evil.com/127.0.0.1",
		"http://[::2]:9", "http://[::1.evil.com]", "http://1127.0.0.1",
		"http://10.0.0.1", "http://", "",
		/* userinfo: curl connects to the host after '@' */
		"http://127.0.0.1:80@evil.example/",
		"http://localhost:x@evil.example/",
		"http://[::1]@evil.example/",
	};
	char name[128];

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(name, sizeof(name), "loopback: %s", yes[i]);
		T_OK(name, cfg_url_is_loopback(yes[i]));
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		snprintf(name, sizeof(name), "not loopback: \"%s\"", no[i]);
		T_OK(name, !cfg_url_is_loopback(no[i]));
	}
}

static void
test_load_db(void)
{
	struct cfg c;
	char err[256];

	clear_env();
	setenv("JWT_SECRET", SECRET32, 1);
	err[0] = '\0';
	T_INT("missing DATABASE_URL: APP_EINPUT", cfg_load(&c, CFG_NEED_DB, err, sizeof(err)),
	    APP_EINPUT);
	T_OK("missing DATABASE_URL: message starts with DATABASE_URL:",
	    starts_with(err, "DATABASE_URL:"));

	db_env();
	setenv("DATABASE_URL", "", 1);
	T_INT("empty DATABASE_URL: APP_EINPUT",
	    cfg_load(&c, CFG_NEED_DB, err, sizeof(err)), APP_EINPUT);
	T_OK("empty DATABASE_URL: named", starts_with(err, "DATABASE_URL:"));

	db_env();
	setenv("DATABASE_URL", "host=x password='unterminated", 1);
	T_INT("malformed DATABASE_URL: APP_EINPUT",
	    cfg_load(&c, CFG_NEED_DB, err, sizeof(err)), APP_EINPUT);
	T_OK("malformed DATABASE_URL: named, password not echoed",
	    starts_with(err, "DATABASE_URL:") && strstr(err, "unterminated") == NULL);

	db_env();
	T_INT("valid DB environment: APP_OK", cfg_load(&c, CFG_NEED_DB, err, sizeof(err)),
	    APP_OK);
	T_STREQ("database_url", c.database_url, "postgresql://app@127.0.0.1:5432/app");
	T_STREQ("jwt_secret", c.jwt_secret, SECRET32);
	T_INT("jwt_secret_len", c.jwt_secret_len, 32);
	T_INT("default JWT_EXPIRES_IN is 30 days in seconds", c.jwt_expires_in,
	    30LL * 24 * 3600);
	T_OK("WORKOS group not loaded without CFG_NEED_WORKOS",
	    c.workos_api_base == NULL && c.workos_api_key == NULL);

	db_env();
	unsetenv("JWT_SECRET");
	T_INT("missing JWT_SECRET: APP_EINPUT", cfg_load(&c, CFG_NEED_DB, err, sizeof(err)),
	    APP_EINPUT);
	T_OK("missing JWT_SECRET: named", starts_with(err, "JWT_SECRET:"));

	db_env();
	setenv("JWT_SECRET", "tooshort-secret-XYZ", 1);
	T_INT("short JWT_SECRET: APP_EINPUT", cfg_load(&c, CFG_NEED_DB, err, sizeof(err)),
	    APP_EINPUT);
	T_OK("short JWT_SECRET: message names JWT_SECRET", strstr(err, "JWT_SECRET") != NULL);
	T_OK("short JWT_SECRET: message does not contain the secret",
	    strstr(err, "tooshort-secret-XYZ") == NULL && strstr(err, "XYZ") == NULL);

	db_env();
	setenv("JWT_SECRET", "0123456789abcdef0123456789abcde", 1); /* 31 */
	T_INT("JWT_SECRET of 31 bytes rejected", cfg_load(&c, CFG_NEED_DB, err, sizeof(err)),
	    APP_EINPUT);

	db_env();
	setenv("JWT_EXPIRES_IN", "abc", 1);
	T_INT("JWT_EXPIRES_IN abc: APP_EINPUT", cfg_load(&c, CFG_NEED_DB, err, sizeof(err)),
	    APP_EINPUT);
	T_OK("JWT_EXPIRES_IN abc: names JWT_EXPIRES_IN", starts_with(err, "JWT_EXPIRES_IN:"));

	db_env();
	setenv("JWT_EXPIRES_IN", "2h", 1);
	T_INT("JWT_EXPIRES_IN 2h: APP_OK", cfg_load(&c, CFG_NEED_DB, err, sizeof(err)), APP_OK);
	T_INT("JWT_EXPIRES_IN 2h = 7200 s", c.jwt_expires_in, 7200);

	db_env();
	setenv("JWT_EXPIRES_IN", "", 1);
	T_INT("JWT_EXPIRES_IN empty uses the default",
	    cfg_load(&c, CFG_NEED_DB, err, sizeof(err)), APP_OK);
	T_INT("JWT_EXPIRES_IN empty: 30 days", c.jwt_expires_in, 30LL * 24 * 3600);

	db_env();
	setenv("JWT_EXPIRES_IN", "1500ms", 1);
	T_INT("JWT_EXPIRES_IN of a fraction of a second rejected",
	    cfg_load(&c, CFG_NEED_DB, err, sizeof(err)), APP_EINPUT);

	db_env();
	setenv("JWT_EXPIRES_IN", "30s", 1);
	T_INT("JWT_EXPIRES_IN below its minimum rejected",
	    cfg_load(&c, CFG_NEED_DB, err, sizeof(err)), APP_EINPUT);
	T_OK("JWT_EXPIRES_IN below minimum: named", starts_with(err, "JWT_EXPIRES_IN:"));

	db_env();
	setenv("JWT_EXPIRES_IN", "999d", 1);
	T_INT("JWT_EXPIRES_IN above its maximum rejected",
	    cfg_load(&c, CFG_NEED_DB, err, sizeof(err)), APP_EINPUT);

	/* A tiny error buffer is still NUL-terminated. */
	clear_env();
	memset(err, 'Z', sizeof(err));
	T_INT("tiny err buffer: APP_EINPUT", cfg_load(&c, CFG_NEED_DB, err, 8), APP_EINPUT);
	T_OK("tiny err buffer: truncated and terminated",
	    memchr(err, '\0', 8) != NULL && err[8] == 'Z');
}

static void
test_load_workos(void)
{
	struct cfg c;
	char err[256];

	workos_env();
	T_INT("WORKOS defaults: APP_OK", cfg_load(&c, CFG_NEED_WORKOS, err, sizeof(err)),
	    APP_OK);
	T_STREQ("default WORKOS_API_BASE", c.workos_api_base, "https://api.workos.com");
	T_INT("default WORKOS_TIMEOUT 10 s", c.workos_timeout_ms, 10000);
	T_INT("default LOGIN_STATE_TTL 600", c.login_state_ttl, 600);
	T_INT("default WORKOS_JWKS_COOLDOWN 60", c.workos_jwks_cooldown, 60);
	T_INT("https base is not loopback", c.workos_loopback, 0);
	T_STREQ("workos_api_key", c.workos_api_key, "sk_test_123");
	T_STREQ("workos_client_id", c.workos_client_id, "client_123");
	T_STREQ("workos_redirect_uri", c.workos_redirect_uri,
	    "http://localhost:1337/api/auth/callback");
	T_STREQ("workos_cookie_password", c.workos_cookie_password, COOKIE32);
	T_OK("DB group not loaded without CFG_NEED_DB", c.database_url == NULL);

	workos_env();
	setenv("WORKOS_API_BASE", "http://example.com", 1);
	T_INT("WORKOS_API_BASE plain http off loopback rejected",
	    cfg_load(&c, CFG_NEED_WORKOS, err, sizeof(err)), APP_EINPUT);
	T_OK("WORKOS_API_BASE http: named", starts_with(err, "WORKOS_API_BASE:"));

	workos_env();
	setenv("WORKOS_API_BASE", "http://127.0.0.1:9/", 1);
	T_INT("WORKOS_API_BASE http on loopback accepted",
	    cfg_load(&c, CFG_NEED_WORKOS, err, sizeof(err)), APP_OK);
	T_STREQ("WORKOS_API_BASE trailing slash removed", c.workos_api_base,
	    "http://127.0.0.1:9");
	T_INT("WORKOS_API_BASE loopback flag", c.workos_loopback, 1);

	workos_env();
	setenv("WORKOS_API_BASE", "https://api.example.com/v1///", 1);
	T_INT("WORKOS_API_BASE https with slashes: APP_OK",
	    cfg_load(&c, CFG_NEED_WORKOS, err, sizeof(err)), APP_OK);
	T_STREQ("WORKOS_API_BASE all trailing slashes removed", c.workos_api_base,
	    "https://api.example.com/v1");

	workos_env();
	setenv("WORKOS_API_BASE", "ftp://api.workos.com", 1);
	T_INT("WORKOS_API_BASE ftp rejected",
	    cfg_load(&c, CFG_NEED_WORKOS, err, sizeof(err)), APP_EINPUT);
	T_OK("WORKOS_API_BASE ftp: named", starts_with(err, "WORKOS_API_BASE:"));

	workos_env();
	setenv("WORKOS_API_BASE", "http://127.0.0.1:80@evil.example/", 1);
	T_INT("WORKOS_API_BASE http with loopback userinfo (host evil.example) rejected",
	    cfg_load(&c, CFG_NEED_WORKOS, err, sizeof(err)), APP_EINPUT);

	workos_env();
	setenv("WORKOS_TIMEOUT", "2500ms", 1);
	T_INT("WORKOS_TIMEOUT 2500ms: APP_OK",
	    cfg_load(&c, CFG_NEED_WORKOS, err, sizeof(err)), APP_OK);
	T_INT("WORKOS_TIMEOUT 2500ms -> 2500", c.workos_timeout_ms, 2500);

	workos_env();
	setenv("WORKOS_TIMEOUT", "50ms", 1);
	T_INT("WORKOS_TIMEOUT below its minimum rejected",
	    cfg_load(&c, CFG_NEED_WORKOS, err, sizeof(err)), APP_EINPUT);
	T_OK("WORKOS_TIMEOUT: named", starts_with(err, "WORKOS_TIMEOUT:"));

	workos_env();
	setenv("LOGIN_STATE_TTL", "15m", 1);
	T_INT("LOGIN_STATE_TTL 15m: APP_OK",
	    cfg_load(&c, CFG_NEED_WORKOS, err, sizeof(err)), APP_OK);
	T_INT("LOGIN_STATE_TTL 15m -> 900", c.login_state_ttl, 900);

	workos_env();
	setenv("WORKOS_JWKS_COOLDOWN", "0", 1);
	T_INT("WORKOS_JWKS_COOLDOWN 0: APP_OK",
	    cfg_load(&c, CFG_NEED_WORKOS, err, sizeof(err)), APP_OK);
	T_INT("WORKOS_JWKS_COOLDOWN 0 -> 0", c.workos_jwks_cooldown, 0);
	setenv("WORKOS_JWKS_COOLDOWN", "5m", 1);
	T_INT("WORKOS_JWKS_COOLDOWN 5m: APP_OK",
	    cfg_load(&c, CFG_NEED_WORKOS, err, sizeof(err)), APP_OK);
	T_INT("WORKOS_JWKS_COOLDOWN 5m -> 300", c.workos_jwks_cooldown, 300);
	setenv("WORKOS_JWKS_COOLDOWN", "86400", 1);
	T_INT("WORKOS_JWKS_COOLDOWN 86400 (its maximum): APP_OK",
	    cfg_load(&c, CFG_NEED_WORKOS, err, sizeof(err)), APP_OK);
	static const char *const bad_cooldowns[] = { "86401", "2d", "-1", "1500ms", "soon", "" };
	for (size_t i = 0; i < sizeof(bad_cooldowns) / sizeof(bad_cooldowns[0]); i++) {
		workos_env();
		setenv("WORKOS_JWKS_COOLDOWN", bad_cooldowns[i], 1);
		if (bad_cooldowns[i][0] == '\0') {
			/* Empty: the default, as for every variable with one. */
			T_INT("WORKOS_JWKS_COOLDOWN empty: the default",
			    cfg_load(&c, CFG_NEED_WORKOS, err, sizeof(err)), APP_OK);
			T_INT("WORKOS_JWKS_COOLDOWN empty -> 60", c.workos_jwks_cooldown, 60);
			continue;
		}
		T_INT("WORKOS_JWKS_COOLDOWN out of range or not a duration rejected",
		    cfg_load(&c, CFG_NEED_WORKOS, err, sizeof(err)), APP_EINPUT);
		T_OK("WORKOS_JWKS_COOLDOWN: named", starts_with(err, "WORKOS_JWKS_COOLDOWN:"));
	}

	workos_env();
	setenv("WORKOS_COOKIE_PASSWORD", "short-cookie-SECRETVALUE", 1);
	T_INT("short WORKOS_COOKIE_PASSWORD rejected",
	    cfg_load(&c, CFG_NEED_WORKOS, err, sizeof(err)), APP_EINPUT);
	T_OK("short WORKOS_COOKIE_PASSWORD: named",
	    starts_with(err, "WORKOS_COOKIE_PASSWORD:"));
	T_OK("short WORKOS_COOKIE_PASSWORD: value not echoed",
	    strstr(err, "SECRETVALUE") == NULL);

	workos_env();
	unsetenv("WORKOS_API_KEY");
	T_INT("missing WORKOS_API_KEY rejected",
	    cfg_load(&c, CFG_NEED_WORKOS, err, sizeof(err)), APP_EINPUT);
	T_OK("missing WORKOS_API_KEY: named", starts_with(err, "WORKOS_API_KEY:"));

	workos_env();
	setenv("WORKOS_CLIENT_ID", "", 1);
	T_INT("empty WORKOS_CLIENT_ID rejected",
	    cfg_load(&c, CFG_NEED_WORKOS, err, sizeof(err)), APP_EINPUT);
	T_OK("empty WORKOS_CLIENT_ID: named", starts_with(err, "WORKOS_CLIENT_ID:"));

	workos_env();
	setenv("WORKOS_REDIRECT_URI", "/api/auth/callback", 1);
	T_INT("relative WORKOS_REDIRECT_URI rejected",
	    cfg_load(&c, CFG_NEED_WORKOS, err, sizeof(err)), APP_EINPUT);
	T_OK("relative WORKOS_REDIRECT_URI: named", starts_with(err, "WORKOS_REDIRECT_URI:"));

	/* Both groups together. */
	workos_env();
	setenv("DATABASE_URL", "dbname=app", 1);
	setenv("JWT_SECRET", SECRET32, 1);
	T_INT("both groups: APP_OK",
	    cfg_load(&c, CFG_NEED_DB | CFG_NEED_WORKOS, err, sizeof(err)), APP_OK);
	T_OK("both groups: both filled",
	    c.database_url != NULL && c.workos_api_key != NULL);
	clear_env();
}

/* webhook.fcgi and workos-sync ask for no more than they use. */
static void
test_load_narrow(void)
{
	struct cfg c;
	char err[256];

	clear_env();
	setenv("DATABASE_URL", "postgresql://app@127.0.0.1:5432/app", 1);
	setenv("WORKOS_WEBHOOK_SECRET", "whsec_0123456789abcdef", 1);
	T_INT("webhook: DATABASE_URL and the secret suffice",
	    cfg_load(&c, CFG_NEED_DBURL | CFG_NEED_WEBHOOK, err, sizeof(err)), APP_OK);
	T_OK("webhook: no JWT secret read", c.jwt_secret == NULL);
	setenv("WORKOS_WEBHOOK_SECRET", "short", 1);
	T_INT("webhook: a secret under 16 bytes is refused",
	    cfg_load(&c, CFG_NEED_DBURL | CFG_NEED_WEBHOOK, err, sizeof(err)), APP_EINPUT);
	T_OK("webhook: the line names the variable", starts_with(err, "WORKOS_WEBHOOK_SECRET:"));
	T_OK("webhook: and never echoes the secret", strstr(err, "short") == NULL);

	clear_env();
	setenv("DATABASE_URL", "postgresql://app@127.0.0.1:5432/app", 1);
	setenv("WORKOS_API_KEY", "sk_test_123", 1);
	setenv("WORKOS_API_BASE", "http://127.0.0.1:9999/", 1);
	T_INT("sync: DATABASE_URL and WORKOS_API_KEY suffice",
	    cfg_load(&c, CFG_NEED_DBURL | CFG_NEED_WORKOS_API, err, sizeof(err)), APP_OK);
	T_STREQ("sync: the API base loses its trailing slash", c.workos_api_base, "http://127.0.0.1:9999");
	T_OK("sync: plain http is allowed on loopback", c.workos_loopback == 1);
	T_INT("sync: the timeout's default", c.workos_timeout_ms, 10000);
	setenv("WORKOS_API_BASE", "http://api.example.com", 1);
	T_INT("sync: plain http elsewhere is refused",
	    cfg_load(&c, CFG_NEED_DBURL | CFG_NEED_WORKOS_API, err, sizeof(err)), APP_EINPUT);
	unsetenv("WORKOS_API_BASE");
	unsetenv("WORKOS_API_KEY");
	T_INT("sync: WORKOS_API_KEY is required",
	    cfg_load(&c, CFG_NEED_DBURL | CFG_NEED_WORKOS_API, err, sizeof(err)), APP_EINPUT);
	T_OK("sync: the line names it", starts_with(err, "WORKOS_API_KEY:"));
	clear_env();
}

/* DATABASE_READ_URL and DATABASE_POOLER (README, "Scaling out"). */
static void
test_load_scaleout(void)
{
	struct cfg c;
	char err[256];

	db_env();
	unsetenv("DATABASE_READ_URL");
	unsetenv("DATABASE_POOLER");
	T_INT("scale-out variables unset: APP_OK",
	    cfg_load(&c, CFG_NEED_DB, err, sizeof(err)), APP_OK);
	T_OK("no DATABASE_READ_URL: no read connection", c.database_read_url == NULL);
	T_INT("no DATABASE_POOLER: direct connections", c.database_pooler, 0);

	setenv("DATABASE_READ_URL", "", 1);
	T_INT("empty DATABASE_READ_URL: APP_OK",
	    cfg_load(&c, CFG_NEED_DB, err, sizeof(err)), APP_OK);
	T_OK("empty DATABASE_READ_URL: none", c.database_read_url == NULL);

	setenv("DATABASE_READ_URL", "host=replica password='unterminated", 1);
	T_INT("malformed DATABASE_READ_URL: APP_EINPUT",
	    cfg_load(&c, CFG_NEED_DB, err, sizeof(err)), APP_EINPUT);
	T_OK("malformed DATABASE_READ_URL: named, password not echoed",
	    starts_with(err, "DATABASE_READ_URL:") && strstr(err, "unterminated") == NULL);

	setenv("DATABASE_READ_URL", "postgresql://app@replica:5432/app", 1);
	setenv("DATABASE_POOLER", "transaction", 1);
	T_INT("replica and pooler: APP_OK",
	    cfg_load(&c, CFG_NEED_DB, err, sizeof(err)), APP_OK);
	T_STREQ("database_read_url", c.database_read_url, "postgresql://app@replica:5432/app");
	T_INT("DATABASE_POOLER=transaction", c.database_pooler, 1);

	setenv("DATABASE_POOLER", "session", 1);
	T_INT("DATABASE_POOLER=session: APP_EINPUT",
	    cfg_load(&c, CFG_NEED_DB, err, sizeof(err)), APP_EINPUT);
	T_OK("DATABASE_POOLER=session: one line naming it",
	    starts_with(err, "DATABASE_POOLER:") && strchr(err, '\n') == NULL);
	setenv("DATABASE_POOLER", "none", 1);
	T_INT("DATABASE_POOLER=none: APP_OK",
	    cfg_load(&c, CFG_NEED_DB, err, sizeof(err)), APP_OK);
	T_INT("DATABASE_POOLER=none: direct", c.database_pooler, 0);
	unsetenv("DATABASE_READ_URL");
	unsetenv("DATABASE_POOLER");
	clear_env();
}

int
main(void)
{
	test_duration();
	test_loopback();
	test_load_db();
	test_load_workos();
	test_load_narrow();
	test_load_scaleout();
	return T_DONE();
}
